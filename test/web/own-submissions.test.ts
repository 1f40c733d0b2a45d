// The upload page's list of the country's own submissions in a real browser (test/support/browser.ts), for a focal
// point with more versions than one page: every one is reachable a page at a time, the list says when it shows only
// the newest, and a status filter finds an old rejected version with its reason and comment thread. A reload on a slow
// hub says the session is being restored rather than asking the focal point to sign in.
import type { Route } from 'playwright-core';
import { expectAccessible, showingPage, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { data } from '../support/hub.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

// A browser, a hub and PGlite or PostgreSQL share two cores with the other suites in CI: twice the usual timeout.
const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

// Norway's 129 versions, 1900–2028, imported oldest year first; the oldest (1900) was rejected.
const YEARS = 129;
const REASON = 'The 1900 count is a provisional census figure; send the final one.';
const COMMENT = 'The final figure comes with the next release.';

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await importSubmissionsCsv(
        hub.db.prisma,
        [
          'country,indicator,reference_year,value,source_type,status',
          ...Array.from({ length: YEARS }, (_, i) => `NOR,IMM_STOCK,${1900 + i},${5000 + i},CENSUS,SUBMITTED`),
          '',
        ].join('\n'),
      );
      // Rejecting is the task force's write; here the stored status and reason are set directly.
      const { count } = await hub.db.prisma.submission.updateMany({
        where: { country: { iso3: 'NOR' }, referenceYear: 1900 },
        data: { status: 'REJECTED', rejectionReason: REASON },
      });
      expect(count).toBe(1);
    },
  });
  const focal = await b.hub.token('FOCAL_POINT', 'NOR');
  const [rejected] = data(
    await b.hub.gql<{ submissions: { nodes: { id: string }[] } }, object>(
      `{ submissions(filter: { country: "NOR", status: REJECTED }) { nodes { id } } }`,
      {},
      { token: focal },
    ),
  ).submissions.nodes;
  const added = data(
    await b.hub.gql<{ addComment: { __typename: string } }, object>(
      `mutation($t: ID!, $b: String!) { addComment(input: { target: $t, body: $b }) { __typename } }`,
      { t: rejected!.id, b: COMMENT },
      { token: focal },
    ),
  );
  expect(added.addComment.__typename).toBe('AddCommentPayload');
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

browserTest(
  "a focal point reaches every one of its country's submissions, and finds the old rejected one by status",
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await b.signIn(page, await b.hub.token('FOCAL_POINT', 'NOR'));
    const section = page.getByRole('region', { name: "Your country's submissions" });
    const rows = section.getByTestId('own-submissions').locator('tbody tr');
    const count = section.getByTestId('own-count');
    await showingPage(target, async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      // The newest first, and said to be only part of the list.
      await count.filter({ hasText: /^The newest 50 of 129 submissions, newest first$/ }).waitFor();
      await expect(rows.count()).resolves.toBe(50);
      await expect(rows.first().innerText()).resolves.toMatch(/^IMM_STOCK\s+2028/);
      await expectAccessible(page);
      // The next page held until the list says it is loading it (a state that used to nest a paragraph in one).
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/graphql', async (route: Route) => {
        if (/"after":"/.test(route.request().postData() ?? '')) await held;
        await route.continue();
      });
      await section.getByRole('button', { name: 'Show 50 more' }).click();
      await section.getByRole('status').filter({ hasText: 'Loading more submissions' }).waitFor();
      release();
      await count.filter({ hasText: /^The newest 100 of 129 submissions/ }).waitFor();
      await page.unroute('**/graphql');
      await expect(rows.count()).resolves.toBe(100);
      await section.getByRole('button', { name: 'Show 29 more' }).click();
      await count.filter({ hasText: /^129 submissions, newest first$/ }).waitFor();
      await expect(rows.count()).resolves.toBe(YEARS);
      await expect(section.getByRole('button', { name: /^Show \d+ more$/ }).count()).resolves.toBe(0);
      // Each year once, in order: the pages neither overlap nor skip.
      const years = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[0]!.textContent)));
      expect(years).toEqual(Array.from({ length: YEARS }, (_, i) => 2028 - i));
      await expect(rows.last().innerText()).resolves.toContain(REASON);

      // The status filter: the rejected one alone, in the URL, with its reason and its comment thread.
      await section.getByLabel('Status').selectOption('REJECTED');
      await page.waitForURL(/status=REJECTED/);
      await count.filter({ hasText: /^1 rejected submission, newest first$/ }).waitFor();
      await expect(rows.count()).resolves.toBe(1);
      await expect(rows.first().innerText()).resolves.toMatch(/^IMM_STOCK\s+1900/);
      await expect(rows.first().innerText()).resolves.toContain(REASON);
      await rows.first().getByText('Comments').click();
      await rows
        .first()
        .getByRole('list', { name: 'Comments on IMM_STOCK 1900 version 1' })
        .getByText(COMMENT)
        .waitFor();
      await section.getByLabel('Status').selectOption('DRAFT');
      await section.getByText('No draft submissions.').waitFor();
      await expectAccessible(page);
    });
    expect(errors).toEqual([]);
  },
);

browserTest('a reload of the upload page on a slow hub says the session is being restored', async () => {
  const target = await b.newPage();
  const { page, errors } = target;
  await b.signIn(page, await b.hub.token('FOCAL_POINT', 'NOR'));
  await page.goto(`${b.url}/upload`);
  await page.getByTestId('own-submissions').waitFor();

  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/graphql', async (route: Route) => {
    if (/query Viewer\b/.test(route.request().postData() ?? '')) await held;
    await route.continue();
  });
  await showingPage(target, async () => {
    await page.reload();
    await page.getByRole('main').getByTestId('restoring-session').waitFor();
    await page.getByRole('banner').getByText('Restoring session…').waitFor();
    await expect(page.getByRole('link', { name: 'Sign in' }).count()).resolves.toBe(0);
    await expect(page.getByRole('main').innerText()).resolves.not.toMatch(/focal-point token/);
    release();
    await page.getByTestId('own-submissions').waitFor();
    await page.getByRole('banner').getByText('Norway').waitFor();
  });
  await page.unroute('**/graphql');
  expect(errors).toEqual([]);
});
