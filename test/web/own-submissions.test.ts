// The upload page's list of the country's own submissions in a real browser (test/support/browser.ts), for a focal
// point with more versions than one page: every one is reachable a page at a time, the list says when it shows only
// the newest, and a status filter finds an old rejected version with its reason and comment thread. A reload on a slow
// hub says the session is being restored rather than asking the focal point to sign in; signing in with another
// country's token meanwhile is not undone by the late answer about the old one. A session that ends under a signed-in
// user (the token revoked) on the pages other than upload and review: the country profile's declaration form keeps
// what the focal point typed for when they sign in again, and every page says why the user was signed out. The open
// comments on the country's items, the soonest due first, resolvable in place; a new version's thread with what was
// said on the rejected one.
import ExcelJS from 'exceljs';
import type { Page, Route } from 'playwright-core';
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
      // A rate, with a decimal: shown as submitted (test 'values as submitted').
      await importSubmissionsCsv(
        hub.db.prisma,
        'country,indicator,reference_year,value,status\nSWE,NET_MIGRATION_RATE,2020,6.5,SUBMITTED\n' +
          'SWE,MIGRANT_SHARE,2020,0.00000000001,SUBMITTED\nSWE,MIGRANT_SHARE,2019,12.123456789012,SUBMITTED\n',
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

browserTest(
  'signing in as another country while a reload still checks the old token: the late answer about it changes nothing',
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    const iceland = await b.hub.token('FOCAL_POINT', 'ISL');
    const norway = await b.hub.token('FOCAL_POINT', 'NOR');
    const banner = page.getByRole('banner');
    const content = page.getByLabel(/^Content/);
    const count = page.getByRole('region', { name: "Your country's submissions" }).getByTestId('own-count');
    const icelandDraft = 'country,indicator,reference_year,value\nISL,IMM_STOCK,2020,1000\n';

    // Iceland's focal point leaves an unsent file in the tab (kept as it is typed).
    await b.signIn(page, iceland);
    await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    await content.fill(icelandDraft);
    await page.waitForFunction(() => Object.values(sessionStorage).some((v) => v.includes('ISL,IMM_STOCK,2020')));

    // The hub's answer to who Iceland's token belongs to is held; the rest of the traffic goes through.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const viewerAsked = new Promise<void>((resolve) => (asked = resolve));
    await page.route('**/graphql', async (route: Route) => {
      const request = route.request();
      const viewerQuery = /\bquery Viewer\b/.test(request.postData() ?? '');
      if (viewerQuery && (await request.headerValue('authorization')) === `Bearer ${iceland}`) {
        asked();
        await held;
      }
      await route.continue();
    });
    // Nothing shows that a dropped answer has arrived, so the page notes, once it has read each answer to the Viewer
    // query, which token it was asked with: a task later, when the app has handled it (in microtasks, renders too).
    await page.addInitScript(() => {
      const read: string[] = [];
      (window as unknown as { viewerAnswersRead: string[] }).viewerAnswersRead = read;
      const fetch = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (/\bquery Viewer\b/.test(String(init?.body ?? ''))) {
          const token = new Headers(init?.headers).get('authorization') ?? '';
          // However the app reads the body (text, then JSON.parse, or json()).
          for (const method of ['text', 'json'] as const) {
            const original = response[method].bind(response) as () => Promise<unknown>;
            Object.assign(response, {
              [method]: async () => {
                const body = await original();
                setTimeout(() => read.push(token));
                return body;
              },
            });
          }
        }
        return response;
      };
    });

    await showingPage(target, async () => {
      // A reload: the app asks who the kept token (Iceland's) belongs to, and Norway's focal point signs in meanwhile.
      await page.goto(`${b.url}/sign-in`);
      await viewerAsked;
      await banner.getByText('Restoring session…').waitFor();
      await page.getByLabel('API token').fill(norway);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await banner.getByText('Norway').waitFor();

      // Then the answer about Iceland's token arrives: the tab stays Norway's.
      release();
      await page.waitForFunction(
        (auth) => (window as unknown as { viewerAnswersRead: string[] }).viewerAnswersRead.includes(auth),
        `Bearer ${iceland}`,
      );
      await expect(banner.innerText()).resolves.toMatch(/Norway/);
      await expect(banner.innerText()).resolves.not.toMatch(/Iceland/);
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      await count.filter({ hasText: /^The newest 50 of 129 submissions, newest first$/ }).waitFor();
      await expect(page.getByRole('main').innerText()).resolves.toContain('Rows must be for Norway.');
      await expect(page.getByRole('main').innerText()).resolves.not.toContain('Iceland');
      await expect(content.inputValue()).resolves.toBe('');
      await expect(page.getByTestId('draft-restored').count()).resolves.toBe(0);
      await page.unroute('**/graphql');

      // Iceland's file was kept for Iceland's focal point all along.
      await b.signIn(page, await b.hub.token('FOCAL_POINT', 'ISL'));
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      await page.getByTestId('draft-restored').waitFor();
      await expect(content.inputValue()).resolves.toBe(icelandDraft);
      await expect(page.getByRole('main').innerText()).resolves.toContain('Rows must be for Iceland.');
    });
    expect(errors).toEqual([]);
  },
);

// Sessions that end under a signed-in user.
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
    // The notice leads back here after signing in, and says that what was being typed is kept.
    const again = page.getByRole('alert').getByRole('link', { name: 'sign in again' });
    await expect(again.getAttribute('href')).resolves.toBe('/sign-in?next=%2Fcoverage');
    await expect(page.getByRole('alert').filter({ hasText: NOTICE }).innerText()).resolves.toContain(
      'Anything you were typing in a form is kept, unsent',
    );
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

browserTest(
  'values as submitted; a CSV that is not UTF-8 is refused at its first bad byte, never altered',
  async () => {
    const { page, errors } = await b.newPage();
    // A rate of 6.5 is 6.5 where the task force reviews it and on the country profile, not 7.
    await b.signIn(page, await b.hub.token('TASK_FORCE'));
    await page.goto(`${b.url}/review?country=SWE`);
    const queued = page.getByTestId('queue').locator('tbody tr', { hasText: 'NET_MIGRATION_RATE' });
    await expect(queued.innerText()).resolves.toMatch(/\b6\.5\b/);
    await page.goto(`${b.url}/countries/SWE`);
    const listed = page.getByTestId('submissions').locator('tbody tr', { hasText: 'NET_MIGRATION_RATE' });
    await expect(listed.innerText()).resolves.toMatch(/\b6\.5\b/);
    // Every digit, however many: a share of 1e-11 is not shown as 0, nor 12.123456789012 cut at ten decimals.
    const shares = page.getByTestId('submissions').locator('tbody tr', { hasText: 'MIGRANT_SHARE' });
    await expect(shares.allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/\b0\.00000000001\b/),
      expect.stringMatching(/\b12\.123456789012\b/),
    ]);

    // A file Excel saved as Windows-1252: "Malmö" with the byte 0xF6, not UTF-8. Sent as it is, the hub names the byte;
    // it is never decoded here into U+FFFD and written.
    await b.signIn(page, await b.hub.token('FOCAL_POINT', 'SWE'));
    await page.goto(`${b.url}/upload`);
    await page.getByLabel('CSV or XLSX file').setInputFiles({
      name: 'sweden.csv',
      mimeType: 'text/csv',
      buffer: Buffer.concat([
        Buffer.from('country,indicator,reference_year,value,note\n'),
        Buffer.from('SWE,IMM_STOCK,2021,2100000,Malmö office\n', 'latin1'),
      ]),
    });
    await page.getByTestId('workbook').filter({ hasText: 'sweden.csv is not UTF-8 text' }).waitFor();
    await page.getByRole('button', { name: 'Check' }).click();
    const problems = page.getByTestId('problems');
    await problems.waitFor();
    await expect(problems.locator('tbody tr').count()).resolves.toBe(1);
    await expect(problems.innerText()).resolves.toContain(
      'invalid UTF-8 at line 2, column 32 (byte 0xF6): the file must be saved as UTF-8',
    );
    await expectAccessible(page);
    const written = data(
      await b.hub.gql<{ submissions: { totalCount: number } }, object>(
        '{ submissions(filter: { country: "SWE", indicator: "IMM_STOCK" }) { totalCount } }',
        {},
        { token: await b.hub.token('TASK_FORCE') },
      ),
    );
    expect(written.submissions.totalCount).toBe(0);

    // Saved as UTF-8, with the row marked DRAFT: written as a draft, which the page says, and sent for review from
    // the list.
    await page.getByLabel('CSV or XLSX file').setInputFiles({
      name: 'sweden.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'country,indicator,reference_year,value,note,status\nSWE,IMM_STOCK,2021,2100000,Malmö office,DRAFT\n',
      ),
    });
    await page.getByRole('button', { name: 'Check' }).click();
    await page
      .getByTestId('import-outcome')
      .filter({ hasText: /^No problems: 1 row, 1 submission,/ })
      .waitFor();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page
      .getByTestId('import-outcome')
      .filter({ hasText: /^Written: 1 new submission version \(0 unchanged\), .* a draft waits there until you send/ })
      .waitFor();
    await expect(page.getByRole('button', { name: 'Submit' }).isDisabled()).resolves.toBe(true);
    const row = page.getByTestId('own-submissions').getByRole('row', { name: /IMM_STOCK\s+2021/ });
    await expect(row.innerText()).resolves.toMatch(/Draft/);
    await row.getByRole('button', { name: 'Send for review IMM_STOCK 2021 version 1' }).click();
    await row.getByText('Submitted', { exact: true }).waitFor();
    await expect(row.getByRole('button', { name: /^Send for review/ }).count()).resolves.toBe(0);

    // Read as the API and the CLI allow: a file with decimal commas, and a workbook's named sheet.
    await page.getByLabel('CSV or XLSX file').setInputFiles({
      name: 'rates.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('country;indicator;reference_year;value\nSWE;NET_MIGRATION_RATE;2021;7,25\n'),
    });
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('problems').filter({ hasText: 'or import the file with decimal commas' }).waitFor();
    await page.getByLabel('Numbers are written with a decimal comma (6,5)').check();
    await page.getByRole('button', { name: 'Check' }).click();
    await page
      .getByTestId('import-outcome')
      .filter({ hasText: /^No problems: 1 row,/ })
      .waitFor();
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Notes').addRow(['Rates for 2022, see the sheet data']);
    const sheet = book.addWorksheet('data');
    sheet.addRow(['country', 'indicator', 'reference_year', 'value']);
    sheet.addRow(['SWE', 'NET_MIGRATION_RATE', 2022, 7.5]);
    await page.getByLabel('CSV or XLSX file').setInputFiles({
      name: 'rates.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await book.xlsx.writeBuffer()),
    });
    await page.getByLabel('Numbers are written with a decimal comma (6,5)').uncheck();
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('problems').filter({ hasText: 'Notes' }).waitFor();
    await page.getByLabel('Sheet (empty: the first)').fill('data');
    await page.getByRole('button', { name: 'Check' }).click();
    await page
      .getByTestId('import-outcome')
      .filter({ hasText: /^No problems: 1 row,/ })
      .waitFor();
    await expectAccessible(page);
    expect(errors).toEqual([]);
  },
);

browserTest(
  'open comments: the focal point sees what waits for an answer, the soonest due first, resolves one there, and a ' +
    "resubmitted version's thread shows what was said on the rejected one",
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    const focal = await b.hub.token('FOCAL_POINT', 'NOR');
    const taskForce = await b.hub.token('TASK_FORCE');
    // A question with a due date on the newest Norwegian version; then a second version of the rejected 1900 figure.
    const [newest] = data(
      await b.hub.gql<{ submissions: { nodes: { id: string }[] } }, object>(
        `{ submissions(first: 1, filter: { country: "NOR" }, orderBy: { field: REFERENCE_YEAR, direction: DESC }) {
           nodes { id } } }`,
        {},
        { token: focal },
      ),
    ).submissions.nodes;
    const QUESTION = 'Does the 2028 figure include asylum seekers?';
    data(
      await b.hub.gql(
        `mutation($t: ID!, $b: String!) { addComment(input: { target: $t, body: $b, dueDate: "2027-01-15T00:00:00Z" }) {
           __typename } }`,
        { t: newest!.id, b: QUESTION },
        { token: taskForce },
      ),
    );
    await importSubmissionsCsv(
      b.hub.db.prisma,
      'country,indicator,reference_year,value,source_type,status\nNOR,IMM_STOCK,1900,5100,CENSUS,SUBMITTED\n',
    );

    await b.signIn(page, focal);
    const inbox = page.getByRole('region', { name: 'Open comments' });
    const own = page.getByRole('region', { name: "Your country's submissions" });
    await showingPage(target, async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      await inbox
        .getByTestId('open-comments-count')
        .filter({ hasText: /^2 open comments on your country's items, the soonest due first\./ })
        .waitFor();
      // The one due first, then the one without a due date (the focal point's own answer on the rejected version).
      const items = inbox.getByTestId('open-comments').locator(':scope > li');
      await expect(items.count()).resolves.toBe(2);
      await expect(items.nth(0).innerText()).resolves.toMatch(
        /^On IMM_STOCK 2028 version 1 \(submitted\) · task_force · .* · due Jan 15, 2027\n/,
      );
      await expect(items.nth(0).innerText()).resolves.toContain(QUESTION);
      await expect(items.nth(1).innerText()).resolves.toMatch(
        /^On IMM_STOCK 1900 version 1 \(rejected\) · focal_point-NOR · /,
      );
      await expect(items.nth(1).innerText()).resolves.toContain(COMMENT);
      // The list below says which versions have open comments.
      const rows = own.getByTestId('own-submissions').locator('tbody tr');
      // A row by its year and version cells (the 2nd and 4th; the indicator is the row's header).
      const row = (year: number, version: number) =>
        rows
          .filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${year}$`) }) })
          .filter({ has: page.locator('td:nth-child(4)', { hasText: new RegExp(`^${version}$`) }) });
      // The list loads on its own, beside the open comments above.
      await own.getByTestId('own-count').waitFor();
      await expect(row(2028, 1).getByText('1 open').count()).resolves.toBe(1);
      await expect(row(1900, 2).getByText('open').count()).resolves.toBe(0);
      await expectAccessible(page);

      // Version 2's thread is empty of its own, and shows what was said on version 1.
      await row(1900, 2).getByText('Comments').click();
      await row(1900, 2).getByText('No comments yet.').waitFor();
      await row(1900, 2)
        .getByRole('list', { name: 'Comments on version 1 of IMM_STOCK 1900 version 2' })
        .getByText(COMMENT)
        .waitFor();
      await expect(row(1900, 2).getByTestId('earlier-version-1').innerText()).resolves.toMatch(
        /^On version 1 \(rejected\):/,
      );

      // Settled: resolved from the list of open comments, which then holds one; version 1's thread says resolved.
      await items
        .nth(1)
        .getByRole('button', { name: 'Resolve the comment on IMM_STOCK 1900 version 1 (rejected)' })
        .click();
      await inbox
        .getByTestId('open-comments-count')
        .filter({ hasText: /^1 open comment on your country's items/ })
        .waitFor();
      await expect(items.count()).resolves.toBe(1);
      await row(1900, 2).getByText('Comments').click();
      await row(1900, 2).getByTestId('earlier-version-1').getByText('resolved').waitFor();
      await expectAccessible(page);
      await b.screenshot(page, 'upload-open-comments');
    });
    const resolved = await b.hub.db.prisma.comment.findFirstOrThrow({ where: { body: COMMENT } });
    expect([resolved.status, resolved.resolvedBy]).toEqual(['RESOLVED', 'focal_point-NOR']);
    expect(errors).toEqual([]);
  },
);

browserTest(
  "population accounts: a focal point uploads its country's account from the same page; another country's row is " +
    'named by line and column and nothing is written; the fixed file is written as SUBMITTED, not public, until the ' +
    "task force publishes it from the country's page",
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    await b.signIn(page, await b.hub.token('FOCAL_POINT', 'NOR'));
    const entries = () => b.hub.db.prisma.accountEntry.count({ where: { country: { iso3: 'NOR' } } });
    await showingPage(target, async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      await page.getByLabel('The file holds').selectOption('accounts');
      await page.waitForURL(/file=accounts/);
      await page.getByText('A population-accounts file').waitFor();
      const header = 'country,year,group,component,value';
      const bad = [
        header,
        'NOR,2022,NATIVE_BORN_CITIZENS,OPENING_STOCK,4100000',
        'SWE,2022,NATIVE_BORN_CITIZENS,BIRTHS,50000',
        '',
      ].join('\n');
      await page.getByLabel('CSV or XLSX file').setInputFiles({
        name: 'accounts.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(bad),
      });
      await page.waitForFunction(
        (expected) => [...document.querySelectorAll('textarea')].some((t) => t.value === expected),
        bad,
      );
      await page.getByRole('button', { name: 'Check' }).click();
      const problems = page.getByTestId('problems').locator('tbody tr');
      await problems.first().waitFor();
      const shown = await problems.evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)),
      );
      expect(shown).toEqual([
        [
          '3',
          'country',
          'a focal point may only import rows of its own country, not SWE',
          'SWE,2022,NATIVE_BORN_CITIZENS,BIRTHS,50000',
        ],
      ]);
      await expect(page.getByRole('button', { name: 'Submit', exact: true }).isDisabled()).resolves.toBe(true);
      expect(await entries()).toBe(0);
      await expectAccessible(page);

      // Fixed in the page: checked, then written.
      await page
        .getByLabel(/^Content of accounts\.csv/)
        .fill(
          [
            header,
            'NOR,2022,NATIVE_BORN_CITIZENS,OPENING_STOCK,4100000',
            'NOR,2022,NATIVE_BORN_CITIZENS,BIRTHS,50000',
          ].join('\n'),
        );
      await page.getByRole('button', { name: 'Check' }).click();
      await page
        .getByTestId('import-outcome')
        .filter({ hasText: /^No problems\./ })
        .waitFor();
      await page.getByRole('button', { name: 'Submit', exact: true }).click();
      await page
        .getByTestId('import-outcome')
        .filter({ hasText: /^Written: 2 new entries, 0 changed entries \(0 unchanged\)\./ })
        .waitFor();
      await expectAccessible(page);
    });
    const stored = await b.hub.db.prisma.accountEntry.findMany({
      where: { country: { iso3: 'NOR' } },
      orderBy: { id: 'asc' },
      select: { component: true, value: true, status: true },
    });
    expect(stored).toEqual([
      { component: 'OPENING_STOCK', value: 4100000, status: 'SUBMITTED' },
      { component: 'BIRTHS', value: 50000, status: 'SUBMITTED' },
    ]);
    const ACCOUNT = `{ populationAccount(country: "NOR", year: 2022) { year } }`;
    expect(data(await b.hub.gql<{ populationAccount: unknown }, object>(ACCOUNT)).populationAccount).toBeNull();

    // The country page says the account awaits publication; the focal point cannot publish it, the task force can.
    const pending = page.getByTestId('account-pending');
    await page.goto(`${b.url}/countries/NOR?accountYear=2022`);
    await pending.filter({ hasText: /^2 entries await publication: anonymous visitors and portals read/ }).waitFor();
    // The button follows the caller, restored after the load: none once the page knows it is a focal point.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(pending.getByRole('button').count()).resolves.toBe(0);
    const staff = await b.newPage();
    await b.signIn(staff.page, await b.hub.token('TASK_FORCE'));
    await staff.page.goto(`${b.url}/countries/NOR?accountYear=2022`);
    await showingPage(staff, async () => {
      await staff.page.getByRole('button', { name: 'Publish the 2022 account' }).click();
      // Read again once published: nothing awaits publication any more.
      await staff.page.getByTestId('account-pending').waitFor({ state: 'detached' });
      await staff.page.getByTestId('account-coherent').waitFor();
      await expectAccessible(staff.page);
    });
    expect(data(await b.hub.gql<{ populationAccount: unknown }, object>(ACCOUNT)).populationAccount).toEqual({
      year: 2022,
    });
    expect(errors).toEqual([]);
    expect(staff.errors).toEqual([]);
  },
);

browserTest(
  'a long thread is shown whole: 130 comments on a version, more than a page of the API, each in its place, on ' +
    "that version's thread and under the next version's; the comment added after them appears at the end",
  async () => {
    const target = await b.newPage();
    const { page, errors } = target;
    const focal = await b.hub.token('FOCAL_POINT', 'NOR');
    await importSubmissionsCsv(
      b.hub.db.prisma,
      'country,indicator,reference_year,value,source_type,status\nNOR,IMM_STOCK,2029,7000,CENSUS,SUBMITTED\n',
    );
    const first = await b.hub.db.prisma.submission.findFirstOrThrow({
      where: { country: { iso3: 'NOR' }, referenceYear: 2029 },
    });
    // Written as the task force would, a minute apart, settled (so that no other test's count of open ones moves).
    const LONG = 130;
    await b.hub.db.prisma.comment.createMany({
      data: Array.from({ length: LONG }, (_, i) => ({
        submissionId: first.id,
        countryId: first.countryId,
        author: 'task_force',
        body: `Remark ${i + 1} on the 2029 count.`,
        status: 'RESOLVED' as const,
        resolvedBy: 'task_force',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      })),
    });
    await b.hub.db.prisma.submission.update({
      where: { id: first.id },
      data: { status: 'REJECTED', rejectionReason: 'See the remarks.' },
    });
    await importSubmissionsCsv(
      b.hub.db.prisma,
      'country,indicator,reference_year,value,source_type,status\nNOR,IMM_STOCK,2029,7100,CENSUS,SUBMITTED\n',
    );

    await b.signIn(page, focal);
    const own = page.getByRole('region', { name: "Your country's submissions" });
    const rows = own.getByTestId('own-submissions').locator('tbody tr');
    const row = (version: number) =>
      rows
        .filter({ has: page.locator('td:nth-child(2)', { hasText: /^2029$/ }) })
        .filter({ has: page.locator('td:nth-child(4)', { hasText: new RegExp(`^${version}$`) }) });
    await showingPage(target, async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
      // Under version 2, what was said on version 1, all of it in the order written.
      await row(2).getByText('Comments').click();
      const earlier = row(2)
        .getByRole('list', { name: 'Comments on version 1 of IMM_STOCK 2029 version 2' })
        .locator(':scope > li');
      await earlier.last().getByText(`Remark ${LONG} on the 2029 count.`).waitFor();
      await expect(earlier.count()).resolves.toBe(LONG);
      await expect(earlier.first().innerText()).resolves.toContain('Remark 1 on the 2029 count.');

      // Version 1's own thread: the same 130, then the focal point's answer at the end.
      await row(1).getByText('Comments').click();
      const thread = row(1).getByRole('list', { name: 'Comments on IMM_STOCK 2029 version 1' });
      const items = thread.locator(':scope > li');
      await items
        .nth(LONG - 1)
        .getByText(`Remark ${LONG} on the 2029 count.`)
        .waitFor();
      await expect(items.count()).resolves.toBe(LONG);
      await row(1).getByLabel('Add a comment on IMM_STOCK 2029 version 1').fill('Answered in version 2.');
      await row(1).getByRole('button', { name: 'Add comment' }).click();
      await items.nth(LONG).getByText('Answered in version 2.').waitFor();
      await expect(items.count()).resolves.toBe(LONG + 1);
    });
    expect(errors).toEqual([]);
  },
);
