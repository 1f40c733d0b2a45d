// The review queue in a real browser (test/support/browser.ts) with more submitted versions than one page of the API
// (100): every one is listed and reachable, "Select all" and the count say what they cover, a country filter narrows
// both; a rejection typed when the token turns out revoked comes back after signing in again; a reload on a slow hub
// says the session is being restored rather than showing the signed-out page.
import type { Page, Route } from 'playwright-core';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { data } from '../support/hub.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

// 122 submitted versions, imported one country after the other: Switzerland 1950–2009 (60), then France 1950–2011
// (62). Newest first, France heads the queue and Switzerland 1950 ends it, on the second page of the API.
const queueCsv = (country: string, years: number) =>
  [
    'country,indicator,reference_year,value,source_type,status',
    ...Array.from({ length: years }, (_, i) => `${country},IMM_STOCK,${1950 + i},${1000 + i},CENSUS,SUBMITTED`),
    '',
  ].join('\n');

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await importSubmissionsCsv(hub.db.prisma, queueCsv('CHE', 60));
      await importSubmissionsCsv(hub.db.prisma, queueCsv('FRA', 62));
    },
  });
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

const queueRows = (page: Page) => page.getByTestId('queue').locator('tbody tr');

browserTest(
  'every submitted version is listed; "Select all" and the count say what they cover, by country too',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await b.signIn(page, await b.hub.token('TASK_FORCE'));
    await showingPage(target, async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Review' }).click();
      const count = page.getByTestId('queue-count');
      await count.filter({ hasText: /^122 submitted, newest first$/ }).waitFor();
      await expect(queueRows(page).count()).resolves.toBe(122);
      // The oldest, past the API's first page of 100, is there to act on.
      await expect(queueRows(page).last().innerText()).resolves.toMatch(/^\s*Switzerland\s+IMM_STOCK\s+1950/);
      const selectAll = page.getByRole('checkbox', { name: 'Select all 122 submitted' });
      await selectAll.check();
      await page.getByRole('button', { name: 'Validate selected (122)' }).waitFor();
      await expectAccessible(page);

      // By country: the list, its count and "Select all" cover Switzerland's alone; the selection starts again.
      await page.getByLabel('Country').selectOption({ label: 'Switzerland (60)' });
      await page.waitForURL(/country=CHE/);
      await count.filter({ hasText: /^60 submitted for Switzerland \(of 122 in the queue\), newest first$/ }).waitFor();
      await expect(queueRows(page).count()).resolves.toBe(60);
      await page.getByRole('button', { name: 'Validate selected (0)' }).waitFor();
      await page.getByRole('checkbox', { name: 'Select all 60 submitted for Switzerland' }).check();
      await page.getByRole('button', { name: 'Validate selected (60)' }).waitFor();
      await expect(page.getByLabel('Country').locator('option').allInnerTexts()).resolves.toEqual([
        'Every country (122)',
        'France (62)',
        'Switzerland (60)',
      ]);

      // The oldest one validated from the page: gone from the queue, which counts one fewer.
      await page.getByRole('checkbox', { name: 'Select all 60 submitted for Switzerland' }).uncheck();
      await page.getByLabel('Select Switzerland IMM_STOCK 1950 version 1').check();
      await page.getByRole('button', { name: 'Validate selected (1)' }).click();
      await page
        .getByTestId('review-outcome')
        .filter({ hasText: /^Validated 1 of 1\./ })
        .waitFor();
      await count.filter({ hasText: /^59 submitted for Switzerland \(of 121 in the queue\)/ }).waitFor();
      await expect(page.getByLabel('Select Switzerland IMM_STOCK 1950 version 1').count()).resolves.toBe(0);
    });
    expect(errors).toEqual([]);
  },
);

browserTest(
  'a rejection typed when the token turns out revoked is kept, with its selection, for signing in again',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    const token = await b.hub.token('TASK_FORCE');
    await b.signIn(page, token);
    const reason = 'The 2011 total disagrees with the census release; please check the source.';
    await showingPage(target, async () => {
      await page.goto(`${b.url}/review?country=FRA`);
      await page.getByLabel('Select France IMM_STOCK 2011 version 1').check();
      await page.getByLabel('Select France IMM_STOCK 2010 version 1').check();
      await page.getByLabel('Comment, or the reason when rejecting').fill(reason);

      // Revoked meanwhile: Reject finds out, the page says why it is signed out.
      // (Once the page's own reads are answered, so that it is the write that finds out.)
      await page.waitForLoadState('networkidle');
      await b.revoke(token);
      await page.getByRole('button', { name: 'Reject selected (2)' }).click();
      await page.getByRole('alert').filter({ hasText: 'Your token is no longer valid (revoked or expired)' }).waitFor();
      const signIn = page.getByRole('banner').getByRole('link', { name: 'Sign in' });
      await signIn.click();
      await page.getByLabel('API token').fill(await b.hub.token('TASK_FORCE'));
      await page.getByRole('button', { name: 'Sign in' }).click();

      // Back on the queue as it was: the same country, the reason and the two versions selected.
      await page.getByTestId('draft-restored').waitFor();
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/review?country=FRA');
      await expect(page.getByLabel('Comment, or the reason when rejecting').inputValue()).resolves.toBe(reason);
      await expect(page.getByLabel('Select France IMM_STOCK 2011 version 1').isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Select France IMM_STOCK 2010 version 1').isChecked()).resolves.toBe(true);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Reject selected (2)' }).click();
      await page
        .getByTestId('review-outcome')
        .filter({ hasText: /^Rejected 2 of 2\./ })
        .waitFor();
    });
    const rejected = data(
      await b.hub.gql<{ submissions: { nodes: { referenceYear: number; rejectionReason: string }[] } }, object>(
        `{ submissions(filter: { country: "FRA", status: REJECTED }) { nodes { referenceYear rejectionReason } } }`,
        {},
        { token: await b.hub.token('TASK_FORCE') },
      ),
    ).submissions.nodes;
    expect(rejected.map((s) => [s.referenceYear, s.rejectionReason]).sort()).toEqual([
      [2010, reason],
      [2011, reason],
    ]);
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  },
);

browserTest(
  'a reload on a slow hub says the session is being restored, not that the caller is signed out',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await b.signIn(page, await b.hub.token('TASK_FORCE'));
    await page.goto(`${b.url}/review`);
    await queueRows(page).first().waitFor();

    // The viewer query, which tells the page who the kept token belongs to, is held back.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/graphql', async (route: Route) => {
      if (/query Viewer\b/.test(route.request().postData() ?? '')) await held;
      await route.continue();
    });
    await showingPage(target, async () => {
      await page.reload();
      await page.getByTestId('restoring-session').waitFor();
      await page.getByRole('banner').getByText('Restoring session…').waitFor();
      await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
      await expect(page.getByRole('main').getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
      await expectAccessible(page);
      release();
      await queueRows(page).first().waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
      await expect(page.getByTestId('restoring-session').count()).resolves.toBe(0);
    });
    await page.unroute('**/graphql');
    expect(errors).toEqual([]);
  },
);
