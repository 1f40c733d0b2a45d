// Codes in a page's URL that the hub does not know, or knows by another name, in a real browser
// (test/support/browser.ts): the data-access page takes a country's ISO3 code as the other pages do and builds its
// URLs with the M49 code SDMX needs; an unknown indicator or country is named, and no URL is built from it; the
// indicator page names an unknown region rather than calling the indicator unknown.
import type { Page } from 'playwright-core';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

const PUBLISHED = '2416951'; // Switzerland, IMM_STOCK, 2015

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await importSubmissionsCsv(
        hub.db.prisma,
        `country,indicator,reference_year,value,source_type,status\nCHE,IMM_STOCK,2015,${PUBLISHED},CENSUS,PUBLISHED\n`,
      );
    },
  });
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

/** The option a select shows as chosen. */
const chosen = (page: Page, name: string) => page.locator(`select[name="${name}"] option:checked`);
const url = (page: Page, kind: string) =>
  page.locator(`[data-testid="access-url"][data-kind="${kind}"] textarea`).inputValue();

browserTest(
  'data access: an ISO3 country is shown chosen and its URLs use M49; unknown codes build no URL',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await showingPage(target, async () => {
      await page.goto(`${b.url}/data?indicator=IMM_STOCK&country=CHE`);
      await chosen(page, 'country').filter({ hasText: 'Switzerland (756)' }).waitFor({ state: 'attached' });
      await chosen(page, 'indicator')
        .filter({ hasText: /^IMM_STOCK — / })
        .waitFor({ state: 'attached' });
      const sdmx = await url(page, 'sdmx-csv');
      const csv = await url(page, 'download-csv');
      expect(sdmx).toBe(`${b.url}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?format=sdmx-csv`);
      expect(csv).toBe(`${b.url}/download/observations.csv?indicator=IMM_STOCK&country=756`);
      for (const u of [sdmx, csv]) {
        const res = await fetch(u);
        expect({ u, status: res.status }).toEqual({ u, status: 200 });
        expect(await res.text()).toContain(PUBLISHED);
      }
      await expectAccessible(page);

      // Codes that name nothing: each is named, shown as chosen, and no URL of the selection is built.
      await page.goto(`${b.url}/data?indicator=NOPE&country=999`);
      const alert = page.getByTestId('unknown-codes');
      await alert.waitFor();
      await expect(alert.innerText()).resolves.toContain('No indicator with code “NOPE”.');
      await expect(alert.innerText()).resolves.toContain('No country or area with code “999”.');
      await expect(chosen(page, 'indicator').innerText()).resolves.toBe('NOPE (unknown)');
      await expect(chosen(page, 'country').innerText()).resolves.toBe('999 (unknown)');
      await expect(page.getByTestId('access-url').count()).resolves.toBe(0);
      await expectAccessible(page);

      // Choosing a country from the list replaces the unknown one; the unknown indicator still builds nothing.
      await page.getByLabel('Country or area').selectOption('756');
      await page.waitForURL(/country=756/);
      await alert.filter({ hasText: /^No indicator with code “NOPE”\. Choose/ }).waitFor();
      await expect(page.getByTestId('access-url').count()).resolves.toBe(0);
    });
    expect(errors).toEqual([]);
  },
);

browserTest('indicator page: an unknown region is named as such, not the indicator', async () => {
  const target = await b.newPage();
  const { page, errors } = target;
  await showingPage(target, async () => {
    await page.goto(`${b.url}/indicators/IMM_STOCK?region=999&from=2010&to=2020`);
    const alert = page.getByTestId('unknown-region');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toMatch(/no M49 region with code "999"/i);
    const main = page.getByRole('main');
    await expect(main.innerText()).resolves.not.toMatch(/Indicator not found|No indicator with code/);
    await expect(main.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('IMM_STOCK');
    const back = alert.getByRole('link', { name: 'Show IMM_STOCK for every country' });
    await expect(back.getAttribute('href')).resolves.toBe('/indicators/IMM_STOCK?from=2010&to=2020');
    await expectAccessible(page);
    await back.click();
    await page.getByRole('heading', { name: 'Candidate source types' }).waitFor();

    // An unknown indicator is still said to be one, whatever the region.
    await page.goto(`${b.url}/indicators/NOPE?region=150`);
    await main.getByText('No indicator with code NOPE.').waitFor();
    await expect(page.getByTestId('unknown-region').count()).resolves.toBe(0);
  });
  expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});
