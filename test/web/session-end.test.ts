// A session that ends under a signed-in user (the token revoked) in a real browser (test/support/browser.ts), on the
// pages other than upload and review: the country profile's declaration form keeps what the focal point typed for
// when they sign in again, and every page says why the user was signed out.
import type { Page } from 'playwright-core';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub();
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

const NOTICE = 'Your token is no longer valid (revoked or expired); sign in again.';
const rowOf = (page: Page) => page.getByTestId('country-implementation').locator('tr[data-rec="REC_STOCK_FLOW"]');

browserTest(
  'country profile: a declaration typed when the token turns out revoked is said, kept, and comes back after signing in',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    const token = await b.hub.token('FOCAL_POINT', 'CHE');
    await b.signIn(page, token);
    const note = 'Stocks from STATPOP; flows once the register link is live';
    await showingPage(target, async () => {
      await page.goto(`${b.url}/countries/CHE`);
      await rowOf(page).getByTestId('adoption-forms').locator('summary').click();
      await rowOf(page).getByLabel('Status').selectOption('PARTIAL');
      await rowOf(page).getByLabel('Since (year)').fill('2023');
      await rowOf(page).getByLabel('Note').fill(note);

      // Revoked meanwhile: Declare finds out; the profile says why the user is signed out.
      // (Once the page's own reads are answered, so that it is the write that finds out.)
      await page.waitForLoadState('networkidle');
      await b.revoke(token);
      await rowOf(page)
        .getByRole('button', { name: /^Declare/ })
        .click();
      await page.getByRole('alert').filter({ hasText: NOTICE }).waitFor();
      await expectAccessible(page);
      await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('API token').fill(await b.hub.token('FOCAL_POINT', 'CHE'));
      await page.getByRole('button', { name: 'Sign in' }).click();

      // Back on the profile, the form open with what was typed, not sent yet.
      const row = rowOf(page);
      await row.getByTestId('draft-restored').waitFor();
      expect(new URL(page.url()).pathname).toBe('/countries/CHE');
      await expect(page.getByRole('alert').filter({ hasText: NOTICE }).count()).resolves.toBe(0);
      await expect(row.getAttribute('data-status')).resolves.toBe('UNKNOWN');
      await expect(row.getByLabel('Status').inputValue()).resolves.toBe('PARTIAL');
      await expect(row.getByLabel('Since (year)').inputValue()).resolves.toBe('2023');
      await expect(row.getByLabel('Note').inputValue()).resolves.toBe(note);
      await expectAccessible(page);
      await row.getByRole('button', { name: /^Declare/ }).click();
      await page.locator('tr[data-rec="REC_STOCK_FLOW"][data-status="PARTIAL"]').waitFor();
      await expect(rowOf(page).innerText()).resolves.toContain(note);
    });
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  },
);

browserTest('every page says why the user was signed out when the hub refused the token', async () => {
  const target = await b.newPage();
  const { page, errors } = target;
  const token = await b.hub.token('TASK_FORCE');
  await b.signIn(page, token);
  await showingPage(target, async () => {
    await page.goto(`${b.url}/indicators/IMM_STOCK`);
    await page.getByRole('heading', { name: 'Candidate source types' }).waitFor();
    await b.revoke(token);
    // The next request of the indicator page (a region chosen) finds out, and the page says why it is signed out.
    await page.getByLabel('Region', { exact: true }).selectOption('150');
    await page.getByRole('alert').filter({ hasText: NOTICE }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    await expectAccessible(page);
    // It stays said on the other pages, and after a reload, until the next sign-in or sign-out.
    await page.getByRole('navigation').getByRole('link', { name: 'Coverage' }).click();
    await page.waitForURL(/\/coverage$/);
    await page.getByRole('alert').filter({ hasText: NOTICE }).waitFor();
    await page.reload();
    await page.getByRole('alert').filter({ hasText: NOTICE }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    await b.signIn(page, await b.hub.token('READER'));
    await page.goto(`${b.url}/coverage`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await expect(page.getByRole('alert').filter({ hasText: NOTICE }).count()).resolves.toBe(0);
    await page.reload();
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(page.getByRole('alert').filter({ hasText: NOTICE }).count()).resolves.toBe(0);
  });
  expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
});
