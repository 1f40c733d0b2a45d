// The data-access page in a real browser (Chromium through playwright-core) against a hub serving over HTTP: an
// anonymous visitor picks an indicator, a country and years; every URL the page then shows is fetched over the
// hub's HTTP and must answer with the selected country's published value, and never with a validated one.
// Codes in a page's URL that the hub does not know, or knows by another name: the data-access page takes a country's
// ISO3 code as the other pages do and builds its URLs with the M49 code SDMX needs; an unknown indicator or country is
// named, and no URL is built from it; the indicator page names an unknown region rather than calling the indicator
// unknown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { graphql } from '../gql/index.js';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { data } from '../support/hub.js';
import { scratchDir } from '../support/scratch.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

const PUBLISHED = '2416951'; // Switzerland, IMM_STOCK, 2015: the value the selection must give
const VALIDATED_REVISION = '2416993'; // a validated version 2 of the same key: not public yet
const VALIDATED_NEW = '8765431'; // Switzerland, IMM_STOCK, 2018, validated only
// Published, but outside the selection (another year, country or indicator): the filters must leave them out.
const OUTSIDE = ['1111119', '2222227', '3333331'];
const HIDDEN = [VALIDATED_REVISION, VALIDATED_NEW];

const HEADER = 'country,indicator,reference_year,value,source_type,status';
const FIRST_CSV = [
  HEADER,
  `CHE,IMM_STOCK,2015,${PUBLISHED},CENSUS,PUBLISHED`,
  `CHE,IMM_STOCK,2018,${VALIDATED_NEW},CENSUS,VALIDATED`,
  `CHE,IMM_STOCK,2005,${OUTSIDE[0]},CENSUS,PUBLISHED`,
  `FRA,IMM_STOCK,2015,${OUTSIDE[1]},CENSUS,PUBLISHED`,
  `CHE,EMI_STOCK,2015,${OUTSIDE[2]},CENSUS,PUBLISHED`,
  '',
].join('\n');
const REVISION_CSV = [HEADER, `CHE,IMM_STOCK,2015,${VALIDATED_REVISION},CENSUS,VALIDATED`, ''].join('\n');

const Import = graphql(`
  mutation DataAccessImport($csv: String!) {
    importSubmissions(input: { csv: $csv }) {
      ok
      problems {
        message
      }
    }
  }
`);

let b: BrowserHub;
const scratch = scratchDir('migstat-data-access-');

beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      const token = await hub.token('TASK_FORCE');
      for (const csv of [FIRST_CSV, REVISION_CSV]) {
        expect(data(await hub.gql(Import, { csv }, { token })).importSubmissions).toEqual({ ok: true, problems: [] });
      }
    },
  });
}, 180_000);

afterAll(async () => {
  await b?.close();
});

afterEach(() => {
  // Nothing the page did may have reached for another host.
  expect(b.outside).toEqual([]);
});

const MEDIA = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  sdmxData: 'application/vnd.sdmx.data+json;version=2.0.0',
  sdmxCsv: 'application/vnd.sdmx.data+csv;version=2.0.0',
  sdmxStructure: 'application/vnd.sdmx.structure+json;version=2.0.0',
};

/** The content type each kind of URL on the page answers with. */
const EXPECTED_TYPE: Record<string, string> = {
  'download-csv': MEDIA.csv,
  'download-xlsx': MEDIA.xlsx,
  catalogue: MEDIA.json,
  'sdmx-structure': MEDIA.sdmxStructure,
  'sdmx-json': MEDIA.sdmxData,
  'sdmx-csv': MEDIA.sdmxCsv,
  'sdmx-availability': MEDIA.sdmxStructure,
};

interface Availability {
  data: {
    dataConstraints: {
      annotations: { id: string; title: string }[];
      cubeRegions: { keyValues: { id: string; values?: string[]; timeRange?: unknown }[] }[];
    }[];
  };
}

/** A body as text: an XLSX workbook's cells, one line per row; anything else as it came. */
async function bodyText(res: Response): Promise<string> {
  if (res.headers.get('content-type') !== MEDIA.xlsx) return res.text();
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const lines: string[] = [];
  book.worksheets[0]!.eachRow((row) => lines.push((row.values as unknown[]).slice(1).join(',')));
  return lines.join('\n');
}

browserTest(
  'an anonymous visitor selects IMM_STOCK, Switzerland and 2010–2020: every URL shown gives the published value, none a validated one',
  async () => {
    const target = await b.newPage();
    const { context, page, errors } = target;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: b.url });
    await showingPage(target, async () => {
      // A page of the app: index.html with 200, not the "unknown page" 404 (src/http/static.ts, APP_PAGE).
      expect((await page.goto(`${b.url}/data`))?.status()).toBe(200);
      await page.getByRole('heading', { name: 'Data access', level: 1 }).waitFor();
      await expect(
        page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Data access' })
          .getAttribute('aria-current'),
      ).resolves.toBe('page');
      // Nothing selected: the whole dataflow.
      await expect(page.getByLabel('Data URL, SDMX-JSON').inputValue()).resolves.toBe(
        `${b.url}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.*.*.*`,
      );

      // The select boxes come from the live catalogue; the country's value is its M49 code.
      await page.getByLabel('Indicator', { exact: true }).selectOption('IMM_STOCK');
      await page.waitForURL(/indicator=IMM_STOCK/);
      await page.getByLabel('Country or area').locator('option', { hasText: 'Switzerland (756)' }).waitFor({
        state: 'attached',
      });
      await page.getByLabel('Country or area').selectOption('756');
      await page.waitForURL(/country=756/);
      await page.getByLabel('From year').fill('2010');
      await page.getByLabel('From year').press('Tab');
      await page.getByLabel('To year').fill('2020');
      await page.getByLabel('To year').press('Tab');
      await page.waitForURL(/to=2020/);
      await expect(page.getByLabel('Data URL, SDMX-CSV').inputValue()).resolves.toBe(
        `${b.url}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?format=sdmx-csv&c[TIME_PERIOD]=ge:2010+le:2020`,
      );
    });
    expect(new URL(page.url()).search).toBe('?indicator=IMM_STOCK&country=756&from=2010&to=2020');

    // Every URL shown, each as a link and as text that agree.
    const shown = await page.getByTestId('access-url').evaluateAll((blocks) =>
      blocks.map((block) => ({
        kind: block.getAttribute('data-kind')!,
        text: block.querySelector('textarea')!.value,
        href: block.querySelector('a')!.href,
      })),
    );
    expect(shown.map((s) => s.kind).sort()).toEqual(Object.keys(EXPECTED_TYPE).sort());
    for (const s of shown) expect(s.href).toBe(s.text);
    const url = Object.fromEntries(shown.map((s) => [s.kind, s.text]));
    expect(url['download-csv']).toBe(
      `${b.url}/download/observations.csv?indicator=IMM_STOCK&country=756&from=2010&to=2020`,
    );
    expect(url['download-xlsx']).toBe(
      `${b.url}/download/observations.xlsx?indicator=IMM_STOCK&country=756&from=2010&to=2020`,
    );
    expect(url['sdmx-structure']).toBe(`${b.url}/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0?references=all`);
    expect(url['sdmx-json']).toBe(
      `${b.url}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?c[TIME_PERIOD]=ge:2010+le:2020`,
    );
    expect(url['sdmx-availability']).toBe(
      `${b.url}/sdmx/v2/availability/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?c[TIME_PERIOD]=ge:2010+le:2020`,
    );

    // Fetched as a portal would, with no token.
    const bodies: Record<string, string> = {};
    for (const s of shown) {
      const res = await fetch(s.text);
      expect({ kind: s.kind, status: res.status }).toEqual({ kind: s.kind, status: 200 });
      expect({ kind: s.kind, type: res.headers.get('content-type') }).toEqual({
        kind: s.kind,
        type: EXPECTED_TYPE[s.kind],
      });
      bodies[s.kind] = await bodyText(res);
    }
    for (const [kind, text] of Object.entries(bodies)) {
      for (const value of HIDDEN) expect({ kind, leaks: text.includes(value) }).toEqual({ kind, leaks: false });
    }
    // The data answers hold the published value and nothing outside the selection.
    for (const kind of ['download-csv', 'download-xlsx', 'sdmx-json', 'sdmx-csv']) {
      expect({ kind, has: bodies[kind]!.includes(PUBLISHED) }).toEqual({ kind, has: true });
      for (const value of OUTSIDE) expect({ kind, has: bodies[kind]!.includes(value) }).toEqual({ kind, has: false });
    }
    const csv = parse(bodies['download-csv']!, { columns: true, bom: true }) as Record<string, string>[];
    expect(csv.map((r) => [r.country, r.indicator, r.reference_year, r.value, r.status])).toEqual([
      ['756', 'IMM_STOCK', '2015', PUBLISHED, 'PUBLISHED'],
    ]);
    const sdmxCsv = parse(bodies['sdmx-csv']!, { columns: true }) as Record<string, string>[];
    expect(sdmxCsv.map((r) => [r.REF_AREA, r.INDICATOR, r.TIME_PERIOD, r.OBS_VALUE])).toEqual([
      ['756', 'IMM_STOCK', '2015', PUBLISHED],
    ]);
    // Availability: one observation, of the published year alone (the validated 2018 value would widen the range).
    const [constraint] = (JSON.parse(bodies['sdmx-availability']!) as Availability).data.dataConstraints;
    expect(constraint!.annotations.find((a) => a.id === 'obs_count')?.title).toBe('1');
    const keyValues = constraint!.cubeRegions[0]!.keyValues;
    expect(keyValues.find((k) => k.id === 'REF_AREA')?.values).toEqual(['756']);
    expect(keyValues.find((k) => k.id === 'TIME_PERIOD')?.timeRange).toEqual({
      startPeriod: { period: '2015', isInclusive: true },
      endPeriod: { period: '2015', isInclusive: true },
    });
    expect(bodies['sdmx-structure']).toContain('DF_MIGRATION');

    // GraphiQL, linked from the sync section.
    const graphiql = page.getByRole('main').getByRole('link', { name: 'GraphiQL' });
    await expect(graphiql.getAttribute('href')).resolves.toBe('/graphql');
    const ide = await fetch(`${b.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(ide.status).toBe(200);
    expect(ide.headers.get('content-type')).toMatch(/^text\/html/);

    // The link downloads in the browser; the copy button puts the text on the clipboard.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const saved = join(scratch, 'observations.csv');
    await download.saveAs(saved);
    expect(readFileSync(saved, 'utf8')).toBe(bodies['download-csv']);
    await page.getByRole('button', { name: 'Copy Data URL, SDMX-CSV' }).click();
    await page.getByText('Copied.').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(url['sdmx-csv']);

    await expectAccessible(page);
    await b.screenshot(page, 'data-access');
    expect(errors).toEqual([]);
  },
);

browserTest('a half-given year window is an error, and no URL is shown until it is complete', async () => {
  const target = await b.newPage();
  const { page, errors } = target;
  await showingPage(target, async () => {
    await page.goto(`${b.url}/data?indicator=IMM_STOCK&from=2010`);
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/both years/);
    await expect(page.getByTestId('access-url').count()).resolves.toBe(0);
    await page.getByLabel('To year').fill('2020');
    await page.getByLabel('To year').press('Tab');
    await page.getByTestId('access-url').first().waitFor();
    await expect(page.getByTestId('access-url').count()).resolves.toBe(7);
  });
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

// Unknown codes (the published 2015 value of the data above is what the ISO3 selection must reach).
/** The option a select shows as chosen. */
const chosen = (page: Page, name: string) => page.locator(`select[name="${name}"] option:checked`);
const accessUrl = (page: Page, kind: string) =>
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
      const sdmx = await accessUrl(page, 'sdmx-csv');
      const csv = await accessUrl(page, 'download-csv');
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
