// The implementation pages in a real browser (test/support/browser.ts): the countries × recommendations matrix of a
// region with its filters and per-recommendation summary, and the implementation section of the country profile, on
// the hand-built scenario of test/implementation/scenario.ts with its declarations imported. What the pages show is
// compared with the API's answers for the same anonymous caller, and one known case is asserted outright: Switzerland
// declares REC_RESIDENCE implemented while one of its published submissions names OTHER (a discrepancy).
import type { Page } from 'playwright-core';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAdoptions } from '../../src/implementation/adoptions.import.js';
import { DECLARATIONS, implementationScenario } from '../implementation/scenario.js';
import { writeArtifact } from '../support/artifacts.js';
import { expectAccessible, startBrowserHub, type BrowserHub } from '../support/browser.js';
import { dbKind } from '../support/db.js';
import { data } from '../support/hub.js';
import { startQueryLog } from '../support/query-log.js';

const browserTest = (name: string, fn: () => Promise<void>) => test(name, fn, 120_000);

let b: BrowserHub;
beforeAll(async () => {
  b = await startBrowserHub({
    async prepare(hub) {
      await implementationScenario(hub.db.prisma);
      const result = await importAdoptions(hub.db.prisma, { text: DECLARATIONS }, { actor: CLI_ACTOR });
      expect(result).toMatchObject({ ok: true });
    },
  });
}, 180_000);
afterAll(() => b?.close());
afterEach(() => expect(b.outside).toEqual([]));

interface ApiRow {
  recommendation: { code: string };
  status: string | null;
  evidence: { met: boolean } | null;
  discrepancy: string | null;
}
interface ApiCountry {
  iso3: string | null;
  m49: string;
  implementation: ApiRow[];
}

/** Europe (M49 150) as an anonymous caller sees it through the API. */
async function europe() {
  return data(
    await b.hub.gql<
      {
        countries: { nodes: ApiCountry[] };
        implementationSummary: {
          recommendation: { code: string };
          countriesInScope: number;
          unknown: number;
          byStatus: { status: string | null; countries: number }[];
          evidenceMet: number | null;
          discrepancies: number;
        }[];
      },
      object
    >(`{ countries(region: "150", first: 100) { nodes { iso3 m49
           implementation { recommendation { code } status evidence { met } discrepancy } } }
         implementationSummary(region: "150") { recommendation { code } countriesInScope unknown byStatus { status countries }
           evidenceMet discrepancies } }`),
  );
}

/** What a matrix cell says, read from the page. */
async function cells(page: Page) {
  return page.getByTestId('implementation-matrix').evaluate((table) =>
    Array.from(table.querySelectorAll('tbody tr')).flatMap((tr) =>
      Array.from(tr.querySelectorAll('td[data-rec]')).map((td) => {
        const d = (td as HTMLElement).dataset;
        return `${(tr as HTMLElement).dataset.country}/${d.rec}:${d.status}:${d.evidence}:${d.discrepancy}`;
      }),
    ),
  );
}
const apiCell = (c: ApiCountry, r: ApiRow) =>
  `${c.iso3 ?? c.m49}/${r.recommendation.code}:${r.status ?? 'UNKNOWN'}:${r.evidence ? String(r.evidence.met) : 'none'}:${r.discrepancy ?? ''}`;

describe('implementation page', () => {
  browserTest('the Europe matrix and summary match the API; the known discrepancy is highlighted', async () => {
    const { page, errors } = await b.newPage();
    const requests: string[] = [];
    page.on('request', (r) => r.url().endsWith('/graphql') && requests.push(r.postData() ?? ''));
    const started = Date.now();
    await page.goto(`${b.url}/implementation`);
    await page.getByTestId('implementation-matrix').waitFor();
    const loadMs = Date.now() - started;
    // One request for the whole view (matrix and summary); the regions of the region picker may add their own.
    const pageRequests = requests.filter((r) => r.includes('ImplementationPage'));
    expect(pageRequests).toHaveLength(1);
    // The page's own request costs the same SQL statements for Europe (51 countries) as for Western Europe (9).
    const body = JSON.parse(pageRequests[0]!) as { query: string; variables: object };
    const log = await startQueryLog(b.hub.db.adapterFactory);
    const statements = async (region: string) =>
      log.count(async () => {
        const r = await fetch(`${b.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: body.query, variables: { ...body.variables, region } }),
        });
        expect(((await r.json()) as { errors?: unknown }).errors).toBeUndefined();
      });
    const [europeStatements, westernStatements] = [await statements('150'), await statements('155')];
    log.stop();
    expect(europeStatements).toBe(westernStatements);
    const api = await europe();
    const expected = api.countries.nodes.flatMap((c) => c.implementation.map((r) => apiCell(c, r)));
    expect(expected.length).toBeGreaterThan(9 * 40);
    expect((await cells(page)).sort()).toEqual(expected.sort());

    // The known case: Switzerland declares the residence recommendation implemented, its data disagree.
    const che = page.locator('tr[data-country="CHE"] td[data-rec="REC_RESIDENCE"]');
    await expect(che.getAttribute('data-status')).resolves.toBe('IMPLEMENTED');
    await expect(che.getAttribute('data-evidence')).resolves.toBe('false');
    await expect(che.getAttribute('data-discrepancy')).resolves.toBe('DECLARED_NOT_EVIDENCED');
    await expect(che.getAttribute('class')).resolves.toContain('discrepant');
    await expect(che.innerText()).resolves.toContain('Declared implemented, not evidenced by the data');
    // A country that declared nothing is unknown everywhere.
    await expect(
      page.locator('tr[data-country="DEU"] td[data-rec="REC_CORE_INDICATORS"]').getAttribute('data-status'),
    ).resolves.toBe('UNKNOWN');

    // The summary: every count as the API gives it.
    for (const s of api.implementationSummary) {
      const row = page.locator(`[data-testid="implementation-summary"] tr[data-rec="${s.recommendation.code}"]`);
      await expect(row.locator('td[data-col="countriesInScope"]').innerText()).resolves.toBe(
        String(s.countriesInScope),
      );
      await expect(row.locator('td[data-col="UNKNOWN"]').innerText()).resolves.toBe(String(s.unknown));
      for (const st of s.byStatus.filter((x) => x.status)) {
        await expect(row.locator(`td[data-col="${st.status}"]`).innerText()).resolves.toBe(String(st.countries));
      }
      await expect(row.locator('td[data-col="evidenceMet"]').innerText()).resolves.toBe(
        s.evidenceMet === null ? '–' : String(s.evidenceMet),
      );
      await expect(row.locator('td[data-col="discrepancies"]').innerText()).resolves.toBe(String(s.discrepancies));
    }
    // In this scenario every country of Europe is in scope of every recommendation.
    expect(new Set(api.implementationSummary.map((s) => s.countriesInScope))).toEqual(
      new Set([api.countries.nodes.length]),
    );
    const residence = api.implementationSummary.find((s) => s.recommendation.code === 'REC_RESIDENCE')!;
    expect(residence.discrepancies).toBeGreaterThan(0);
    await expectAccessible(page);
    await b.screenshot(page, 'implementation-europe');
    // Timings are artifacts beside the screenshots, not test output.
    writeArtifact(`browser/${dbKind}-implementation-timings.json`, { matrixShownMs: loadMs, europeStatements });
    expect(errors).toEqual([]);
  });

  browserTest('filters in the query string: discrepancies only, then one status', async () => {
    const { page, errors } = await b.newPage();
    await page.goto(`${b.url}/implementation`);
    await page.getByTestId('implementation-matrix').waitFor();
    const api = await europe();
    await page.getByLabel('Discrepancy').selectOption('DECLARED_NOT_EVIDENCED');
    await page.waitForURL(/discrepancy=DECLARED_NOT_EVIDENCED/);
    const withDne = api.countries.nodes
      .filter((c) => c.implementation.some((r) => r.discrepancy === 'DECLARED_NOT_EVIDENCED'))
      .map((c) => c.iso3 ?? c.m49);
    expect(withDne).toContain('CHE');
    const shown = () =>
      page
        .getByTestId('implementation-matrix')
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.country));
    await expect(shown().then((s) => s.sort())).resolves.toEqual(withDne.sort());
    await expect(page.getByTestId('matrix-count').innerText()).resolves.toMatch(
      new RegExp(`^${withDne.length} of ${api.countries.nodes.length} countries match`),
    );
    // Cells outside the filter are dimmed; the matching ones are not.
    await expect(page.locator('td.cell.discrepant:not(.dim)').count()).resolves.toBe(
      api.countries.nodes.flatMap((c) => c.implementation).filter((r) => r.discrepancy === 'DECLARED_NOT_EVIDENCED')
        .length,
    );
    await expectAccessible(page);
    await b.screenshot(page, 'implementation-discrepancies');

    // A URL with a status filter (and the discrepancy filter cleared) is a shareable view.
    await page.goto(`${b.url}/implementation?status=PLANNED`);
    await page.getByTestId('implementation-matrix').waitFor();
    const planned = api.countries.nodes
      .filter((c) => c.implementation.some((r) => r.status === 'PLANNED'))
      .map((c) => c.iso3 ?? c.m49);
    expect(planned.sort()).toEqual(['CHE', 'FRA']);
    await expect(shown().then((s) => s.sort())).resolves.toEqual(planned);
    await expect(page.getByLabel('Status').inputValue()).resolves.toBe('PLANNED');
    expect(errors).toEqual([]);
  });
});

browserTest('country profile: implementation status per recommendation with evidence and discrepancy', async () => {
  const { page, errors } = await b.newPage();
  await page.goto(`${b.url}/countries/CHE`);
  const table = page.getByTestId('country-implementation');
  await table.waitFor();
  const api = data(
    await b.hub.gql<
      {
        implementation: (ApiRow & { evidence: { met: boolean; detail: string } | null })[];
      },
      object
    >(`{ implementation(country: "CHE") { recommendation { code } status evidence { met detail } discrepancy } }`),
  ).implementation;
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return `${d.rec}:${d.status}:${d.discrepancy}`;
    }),
  );
  expect(rows).toEqual(api.map((r) => `${r.recommendation.code}:${r.status ?? 'UNKNOWN'}:${r.discrepancy ?? ''}`));
  const residence = table.locator('tr[data-rec="REC_RESIDENCE"]');
  await expect(residence.innerText()).resolves.toContain('Implemented since 2019');
  await expect(residence.innerText()).resolves.toContain('Census and register use option I');
  await expect(residence.locator('td[data-col="evidence"]').innerText()).resolves.toContain(
    `Not met: ${api.find((r) => r.recommendation.code === 'REC_RESIDENCE')!.evidence!.detail}`,
  );
  await expect(residence.locator('td[data-col="discrepancy"]').innerText()).resolves.toBe(
    'Declared implemented, not evidenced by the data',
  );
  await expect(table.locator('tr[data-rec="REC_DURATION"] td[data-col="evidence"]').innerText()).resolves.toBe(
    'No evidence rule (declared only)',
  );
  await expectAccessible(page);
  await b.screenshot(page, 'country-che-implementation');
  expect(errors).toEqual([]);
});

browserTest(
  'country profile: an adoption record’s history and the task force’s review, for those who may see them',
  async () => {
    const focal = await b.hub.token('FOCAL_POINT', 'CHE');
    const taskForce = await b.hub.token('TASK_FORCE');
    type Report = { reportAdoption: { __typename: string; record?: { id: string; revision: number } } };
    const report = async (status: string, since: number | null) =>
      data(
        await b.hub.gql<Report, object>(
          `mutation($input: ReportAdoptionInput!) { reportAdoption(input: $input) { __typename
           ... on ReportAdoptionPayload { record { id revision } } } }`,
          { input: { country: 'CHE', recommendation: 'REC_ALIGN_POPULATION', status, since } },
          { token: focal },
        ),
      ).reportAdoption;
    // Declared, changed, then disputed by the task force with its reason.
    expect((await report('NOT_STARTED', null)).__typename).toBe('ReportAdoptionPayload');
    const changed = await report('PARTIAL', 2024);
    expect(changed.__typename).toBe('ReportAdoptionPayload');
    const reviewed = data(
      await b.hub.gql<{ reviewAdoption: { __typename: string } }, object>(
        `mutation($input: ReviewAdoptionInput!) { reviewAdoption(input: $input) { __typename } }`,
        {
          input: { id: changed.record!.id, status: 'DISPUTED', comment: 'The alignment covers only the census years.' },
        },
        { token: taskForce },
      ),
    ).reviewAdoption;
    expect(reviewed.__typename).toBe('ReviewAdoptionPayload');
    const api = data(
      await b.hub.gql<
        { implementation: { recommendation: { code: string }; history: { actor: string | null }[] }[] },
        object
      >(`{ implementation(country: "CHE") { recommendation { code } history { actor } } }`, {}, { token: taskForce }),
    ).implementation.find((r) => r.recommendation.code === 'REC_ALIGN_POPULATION')!;
    expect(api.history).toHaveLength(3);
    const [declarer, , reviewer] = api.history.map((h) => h.actor);
    expect(declarer).toBeTruthy();
    expect(reviewer).toBeTruthy();

    // The task force sees the review with its comment, and the history with who made each change.
    const tf = await b.newPage();
    await b.signIn(tf.page, taskForce);
    await tf.page.goto(`${b.url}/countries/CHE`);
    const row = tf.page.getByTestId('country-implementation').locator('tr[data-rec="REC_ALIGN_POPULATION"]');
    await row.waitFor();
    await expect(row.getByTestId('adoption-review').innerText()).resolves.toContain(
      'Task force: Disputed — The alignment covers only the census years.',
    );
    const history = row.getByTestId('adoption-history');
    await expect(history.getByRole('list').isVisible()).resolves.toBe(false);
    await history.locator('summary').click();
    const items = await history.getByRole('listitem').allInnerTexts();
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d Declared Not started by /);
    expect(items[0]!.endsWith(` by ${declarer}`)).toBe(true);
    expect(items[1]).toMatch(/ Not started → Partial since 2024 by /);
    expect(items[2]).toContain(` Reviewed: Disputed by ${reviewer}: The alignment covers only the census years.`);
    await expectAccessible(tf.page);
    await b.screenshot(tf.page, 'country-che-adoption-history');
    expect(tf.errors).toEqual([]);

    // Anonymous: the declarations' dates and statuses; no review (not even that one happened), reviewer or comment.
    const anonymous = await b.newPage();
    await anonymous.page.goto(`${b.url}/countries/CHE`);
    const anonRow = anonymous.page.getByTestId('country-implementation').locator('tr[data-rec="REC_ALIGN_POPULATION"]');
    await anonRow.waitFor();
    await expect(anonRow.getByTestId('adoption-review').count()).resolves.toBe(0);
    await anonRow.getByTestId('adoption-history').locator('summary').click();
    const anonItems = await anonRow.getByTestId('adoption-history').getByRole('listitem').allInnerTexts();
    expect(anonItems).toHaveLength(2);
    expect(anonItems[1]).toMatch(/ Not started → Partial since 2024$/);
    await expect(anonRow.innerText()).resolves.not.toContain('census years');
    await expect(anonRow.innerText()).resolves.not.toContain(` by ${reviewer}`);
    await expectAccessible(anonymous.page);
    expect(anonymous.errors).toEqual([]);
  },
);

browserTest(
  'review queue and upload: a comment thread on a submission, between the task force and the focal point',
  async () => {
    const token = await b.hub.token('TASK_FORCE');
    const { page, errors } = await b.newPage();
    await page.goto(`${b.url}/sign-in`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Review' }).click();
    // Switzerland's EMI_STOCK 2020 is SUBMITTED in the scenario.
    const row = page.getByTestId('queue').locator('tbody tr', { hasText: 'EMI_STOCK' });
    await row.getByText('Comments', { exact: true }).click();
    const thread = row.getByTestId('comment-thread');
    await thread.getByText('No comments yet.').waitFor();
    await thread.getByLabel(/^Add a comment on Switzerland EMI_STOCK 2020/).fill('Which census round is this?');
    await thread.getByRole('button', { name: 'Add comment' }).click();
    await thread.getByRole('list').getByText('Which census round is this?').waitFor();
    // An empty comment is refused in the page, nothing sent.
    await thread.getByRole('button', { name: 'Add comment' }).click();
    await thread.getByRole('alert').filter({ hasText: 'Write the comment first.' }).waitFor();
    await expect(
      thread.getByLabel(/^Add a comment on Switzerland EMI_STOCK 2020/).getAttribute('aria-invalid'),
    ).resolves.toBe('true');

    const submissionId = (await row.getByRole('group').getAttribute('data-testid'))!.replace(/^comments-/, '');
    const stored = data(
      await b.hub.gql<{ comments: { nodes: { body: string; author: string; status: string }[] } }, object>(
        `query($t: ID!) { comments(first: 10, filter: { target: $t }) { nodes { body author status } } }`,
        { t: submissionId },
        { token },
      ),
    ).comments.nodes;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ body: 'Which census round is this?', status: 'OPEN' });
    await expect(thread.innerText()).resolves.toContain(stored[0]!.author);
    // Comments are internal: an anonymous caller sees none on the same item.
    const anonymous = data(
      await b.hub.gql<{ comments: { nodes: unknown[] } }, object>(
        `query($t: ID!) { comments(first: 10, filter: { target: $t }) { nodes { body } } }`,
        { t: submissionId },
      ),
    ).comments.nodes;
    expect(anonymous).toEqual([]);
    await expectAccessible(page);
    await b.screenshot(page, 'review-comments');
    expect(errors).toEqual([]);

    // Switzerland's focal point reads the question on its Upload page, beside the submission's status, and answers it.
    const focal = await b.newPage();
    const focalToken = await b.hub.token('FOCAL_POINT', 'CHE');
    await focal.page.goto(`${b.url}/sign-in`);
    await focal.page.getByLabel('API token').fill(focalToken);
    await focal.page.getByRole('button', { name: 'Sign in' }).click();
    await focal.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await focal.page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    const own = focal.page.getByTestId('own-submissions').locator('tbody tr', { hasText: 'EMI_STOCK' });
    await own.getByText('Comments', { exact: true }).click();
    const ownThread = own.getByTestId('comment-thread');
    await ownThread.getByRole('list').getByText('Which census round is this?').waitFor();
    await ownThread.getByLabel(/^Add a comment on EMI_STOCK 2020/).fill('The 2020 register-based census.');
    await ownThread.getByRole('button', { name: 'Add comment' }).click();
    await ownThread.getByRole('list').getByText('The 2020 register-based census.').waitFor();
    // In the order written: the answer below its question.
    await expect(
      ownThread.getByRole('list').locator(':scope > li > p:nth-of-type(2)').allInnerTexts(),
    ).resolves.toEqual(['Which census round is this?', 'The 2020 register-based census.']);
    // The question answered, the focal point resolves it; the thread says so, and so does the API. Then reopens it.
    const question = ownThread.getByRole('listitem').filter({ hasText: 'Which census round is this?' });
    const statusOf = async () =>
      data(
        await b.hub.gql<{ comments: { nodes: { body: string; status: string }[] } }, object>(
          `query($t: ID!) { comments(first: 10, filter: { target: $t }) { nodes { body status } } }`,
          { t: submissionId },
          { token },
        ),
      ).comments.nodes.find((c) => c.body === 'Which census round is this?')?.status;
    await question.getByRole('button', { name: /^Resolve the comment by / }).click();
    await question.getByRole('button', { name: /^Reopen the comment by / }).waitFor();
    await expect(question.innerText()).resolves.toContain('resolved');
    expect(await statusOf()).toBe('RESOLVED');
    await question.getByRole('button', { name: /^Reopen the comment by / }).click();
    await question.getByRole('button', { name: /^Resolve the comment by / }).waitFor();
    expect(await statusOf()).toBe('OPEN');
    await expectAccessible(focal.page);
    await b.screenshot(focal.page, 'upload-comments');
    expect(focal.errors).toEqual([]);

    // A comment of one long unbroken word (a URL, or 300 characters without a space) wraps inside its thread: it
    // widens neither the table it is in nor the page.
    const long = `https://www.bfs.admin.ch/bfsstatic/dam/assets/${'1234567890'.repeat(27)}/master`;
    expect(long.length).toBeGreaterThan(300);
    await ownThread.getByLabel(/^Add a comment on EMI_STOCK 2020/).fill(long);
    await ownThread.getByRole('button', { name: 'Add comment' }).click();
    const longComment = ownThread.getByRole('list').getByText(long, { exact: true });
    await longComment.waitFor();
    const fits = await longComment.evaluate((p) => ({
      comment: p.scrollWidth <= p.parentElement!.closest('.thread')!.clientWidth,
      page: document.documentElement.scrollWidth <= window.innerWidth,
    }));
    expect(fits).toEqual({ comment: true, page: true });

    // Typed, then the token turns out revoked when it is sent: the page signs out and says why, and the words come
    // back in the same thread, unsent, after signing in again.
    const unsent = 'Is the 2020 census register-based for every canton?';
    await ownThread.getByLabel(/^Add a comment on EMI_STOCK 2020/).fill(unsent);
    await b.revoke(focalToken);
    await ownThread.getByRole('button', { name: 'Add comment' }).click();
    await focal.page
      .getByRole('alert')
      .filter({ hasText: 'Your token is no longer valid (revoked or expired); sign in again.' })
      .waitFor();
    await focal.page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    await focal.page.getByLabel('API token').fill(await b.hub.token('FOCAL_POINT', 'CHE'));
    await focal.page.getByRole('button', { name: 'Sign in' }).click();
    await own.getByTestId('draft-restored').waitFor();
    expect(new URL(focal.page.url()).pathname).toBe('/upload');
    await expect(ownThread.getByLabel(/^Add a comment on EMI_STOCK 2020/).inputValue()).resolves.toBe(unsent);
    // The thread's comments load after the restored form: not sent means not among them once they are there.
    await ownThread.getByRole('list').getByText('Which census round is this?').waitFor();
    await expect(ownThread.getByRole('list').getByText(unsent).count()).resolves.toBe(0);
    await expectAccessible(focal.page);
    await ownThread.getByRole('button', { name: 'Add comment' }).click();
    await ownThread.getByRole('list').getByText(unsent).waitFor();
    await expect(own.getByTestId('draft-restored').count()).resolves.toBe(0);
    expect(focal.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  },
);

browserTest('review queue: rejected versions are listed with their reason and the focal point’s answer', async () => {
  const taskForce = await b.hub.token('TASK_FORCE');
  const focal = await b.hub.token('FOCAL_POINT', 'NOR');
  // Norway's IMM_STOCK 2018 version 2 is VALIDATED in the scenario: the task force rejects it, the focal point answers.
  const validated = data(
    await b.hub.gql<{ submissions: { nodes: { id: string; revision: number; version: number }[] } }, object>(
      `{ submissions(first: 10, filter: { country: "NOR", status: VALIDATED }) { nodes { id revision version } } }`,
      {},
      { token: taskForce },
    ),
  ).submissions.nodes;
  expect(validated.map((s) => s.version)).toEqual([2]);
  const target = validated[0]!;
  const reason = 'The register count excludes asylum seekers; send the total with them.';
  const rejected = data(
    await b.hub.gql<{ rejectSubmission: { __typename: string } }, object>(
      `mutation($id: ID!, $r: Int!, $reason: String!) {
         rejectSubmission(input: { id: $id, expectedRevision: $r, reason: $reason }) { __typename } }`,
      { id: target.id, r: target.revision, reason },
      { token: taskForce },
    ),
  ).rejectSubmission;
  expect(rejected.__typename).toBe('RejectSubmissionPayload');
  const answer = 'Asylum seekers are in IMM_STOCK from 2019 only; version 3 will say so in its note.';
  const added = data(
    await b.hub.gql<{ addComment: { __typename: string } }, object>(
      `mutation($t: ID!, $body: String!) { addComment(input: { target: $t, body: $body }) { __typename } }`,
      { t: target.id, body: answer },
      { token: focal },
    ),
  ).addComment;
  expect(added.__typename).toBe('AddCommentPayload');

  const { page, errors } = await b.newPage();
  await b.signIn(page, taskForce);
  await page.goto(`${b.url}/review`);
  await page.getByTestId('queue').waitFor();
  await page.getByLabel('Show').selectOption('REJECTED');
  await page.waitForURL(/status=REJECTED/);
  const row = page.getByTestId('queue').locator('tbody tr', { hasText: 'Norway' });
  // The submitted queue stays on screen with the new URL until the rejected one is read.
  await row.locator('.reason').waitFor();
  await expect(row.innerText()).resolves.toContain(`Rejected: ${reason}`);
  // Read-only: nothing to select, no action buttons.
  await expect(page.getByRole('checkbox').count()).resolves.toBe(0);
  await expect(page.getByRole('button', { name: /selected/ }).count()).resolves.toBe(0);
  await row.getByText('Comments', { exact: true }).click();
  const thread = row.getByTestId('comment-thread').getByRole('list');
  await thread.getByText(reason).waitFor();
  await thread.getByText(answer).waitFor();
  await expectAccessible(page);
  await b.screenshot(page, 'review-rejected');
  expect(errors).toEqual([]);
});

/** Every country of the world as the API lists them (by M49 code, 100 a page), with its declared statuses. */
async function world() {
  type Page = {
    countries: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { iso3: string | null; m49: string; implementation: { status: string | null }[] }[];
    };
  };
  const all: Page['countries']['nodes'] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page = data(
      await b.hub.gql<Page, object>(
        `query($after: String) { countries(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
           nodes { iso3 m49 implementation { status } } } }`,
        { after },
      ),
    );
    all.push(...page.countries.nodes);
    if (!page.countries.pageInfo.hasNextPage) return all;
    after = page.countries.pageInfo.endCursor;
  }
}

const shownCountries = (page: Page) =>
  page
    .getByTestId('implementation-matrix')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.country!));

browserTest('the world view loads every country, so a filter finds those past the first page of 100', async () => {
  const { page, errors } = await b.newPage();
  const requests: string[] = [];
  page.on('request', (r) => r.url().endsWith('/graphql') && requests.push(r.postData() ?? ''));
  const all = await world();
  expect(all.length).toBeGreaterThan(200);
  // France (M49 250) is within the API's first 100 countries, Switzerland (756) past them; both declared PLANNED.
  const position = (iso3: string) => all.findIndex((c) => c.iso3 === iso3);
  expect(position('FRA')).toBeGreaterThanOrEqual(0);
  expect(position('FRA')).toBeLessThan(100);
  expect(position('CHE')).toBeGreaterThanOrEqual(100);
  const planned = all.filter((c) => c.implementation.some((r) => r.status === 'PLANNED')).map((c) => c.iso3);
  expect(planned.sort()).toEqual(['CHE', 'FRA']);

  await page.goto(`${b.url}/implementation?region=001&status=PLANNED`);
  await page.getByTestId('implementation-matrix').waitFor();
  await expect(shownCountries(page).then((s) => s.sort())).resolves.toEqual(['CHE', 'FRA']);
  await expect(page.getByTestId('matrix-count').innerText()).resolves.toBe(
    `2 of ${all.length} countries match the filters`,
  );
  // The summary on the same page counts the same countries.
  const summaryPlanned = await page
    .getByTestId('implementation-summary')
    .locator('td[data-col="PLANNED"]')
    .evaluateAll((tds) => tds.reduce((n, td) => n + Number(td.textContent), 0));
  expect(summaryPlanned).toBe(all.flatMap((c) => c.implementation).filter((r) => r.status === 'PLANNED').length);

  // Unfiltered, every country has its row; the first page and the summary in one request, then the pages after it.
  await page.goto(`${b.url}/implementation?region=001`);
  await page.getByTestId('implementation-matrix').waitFor();
  await expect(shownCountries(page).then((s) => s.length)).resolves.toBe(all.length);
  await expect(page.getByTestId('matrix-count').innerText()).resolves.toBe(`${all.length} of ${all.length} countries`);
  const pages = Math.ceil(all.length / 100);
  expect(requests.filter((r) => r.includes('query ImplementationPage'))).toHaveLength(2);
  expect(requests.filter((r) => r.includes('query ImplementationCountries'))).toHaveLength(2 * (pages - 1));
  expect(errors).toEqual([]);
});

browserTest('a reversed year window is an error beside the year fields, not every year', async () => {
  const { page, errors } = await b.newPage();
  await page.goto(`${b.url}/implementation?region=155&from=2020&to=2010`);
  const filters = page.getByRole('form', { name: 'Implementation filters' });
  await expect(filters.getByRole('alert').innerText()).resolves.toBe(
    'The window is reversed: from (2020) is after to (2010).',
  );
  await expect(page.locator('.lead').innerText()).resolves.not.toMatch(/every year/);
  await expect(page.getByTestId('implementation-matrix').count()).resolves.toBe(0);
  // Both year fields are marked invalid and described by the message.
  for (const label of ['From year', 'To year']) {
    const field = filters.getByLabel(label);
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(
      field.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent),
    ).resolves.toBe('The window is reversed: from (2020) is after to (2010).');
  }
  await expectAccessible(page);
  // Fixed in the field, the matrix reads that window.
  await page.getByLabel('To year').fill('2025');
  await page.getByLabel('To year').press('Tab');
  await page.getByTestId('implementation-matrix').waitFor();
  await expect(filters.getByRole('alert').count()).resolves.toBe(0);
  await expect(filters.getByLabel('From year').getAttribute('aria-invalid')).resolves.toBeNull();
  await expect(page.locator('.lead').innerText()).resolves.toMatch(/of 2020–2025/);

  await page.goto(`${b.url}/countries/CHE?from=2025&to=2010`);
  await expect(page.getByRole('form', { name: 'Year window' }).getByRole('alert').innerText()).resolves.toBe(
    'The window is reversed: from (2025) is after to (2010).',
  );
  await expect(page.getByTestId('country-implementation').count()).resolves.toBe(0);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

browserTest('unknown codes and unknown pages: a plain message, a way back, the navigation', async () => {
  const { page, errors } = await b.newPage();
  await page.goto(`${b.url}/countries/XXX`);
  const main = page.getByRole('main');
  await main.getByText('No country with code XXX.').waitFor();
  await expect(main.innerText()).resolves.not.toContain('filter.country');
  await expect(main.getByRole('link', { name: 'Back to the list of countries' }).getAttribute('href')).resolves.toBe(
    '/countries',
  );
  await page.goto(`${b.url}/indicators/NOPE`);
  await main.getByText('No indicator with code NOPE.').waitFor();
  await expect(main.innerText()).resolves.not.toContain('filter.indicators');
  await expect(main.getByRole('link', { name: 'Back to the list of indicators' }).getAttribute('href')).resolves.toBe(
    '/indicators',
  );
  await expectAccessible(page);

  // Pages the app does not have: its own "Page not found" with its navigation, still a 404 for the server's part.
  for (const path of ['/foo/bar', '/country/CHE', '/countries/CHE/x', '/implementation/CHE']) {
    const res = await page.goto(`${b.url}${path}`);
    expect([path, res?.status()]).toEqual([path, path === '/implementation/CHE' ? 200 : 404]);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Countries' }).waitFor();
  }
  await expectAccessible(page);
  // The document's own 404 is what the test asked for; nothing else may have failed.
  expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

browserTest(
  'upload: no submissions yet; a token revoked mid-session is said to be no longer valid, and what was typed comes back after signing in again',
  async () => {
    const token = await b.hub.token('FOCAL_POINT', 'ISL');
    const own = data(
      await b.hub.gql<{ submissions: { totalCount: number } }, object>(
        `{ submissions(first: 1, filter: { country: "ISL" }) { totalCount } }`,
        {},
        { token },
      ),
    );
    expect(own.submissions.totalCount).toBe(0);

    const { page, errors } = await b.newPage();
    const signIn = async (t: string) => {
      await page.goto(`${b.url}/sign-in`);
      await page.getByLabel('API token').fill(t);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Left for the home page once the new session is stored (signed in already, the banner says Sign out throughout).
      await page.waitForURL((u) => u.pathname !== '/sign-in');
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Upload' }).click();
    };
    await signIn(token);
    const section = page.getByRole('region', { name: "Your country's submissions" });
    await section.getByText('No submissions yet.').waitFor();
    await expect(section.getByRole('table').count()).resolves.toBe(0);
    await expectAccessible(page);

    // Revoked while the page is open: the next request says so, and the page shows why it is signed out.
    await b.revoke(token);
    const draft = 'country,indicator,reference_year,value\nISL,IMM_STOCK,2020,1000\n';
    const content = page.getByLabel(/^Content/);
    await content.fill(draft);
    await page.getByRole('button', { name: 'Check' }).click();
    // Said under the banner, as on every page a refused token can sign out.
    const notice = page
      .getByRole('alert')
      .filter({ hasText: 'Your token is no longer valid (revoked or expired); sign in again.' });
    await notice.waitFor();
    const bannerSignIn = page.getByRole('banner').getByRole('link', { name: 'Sign in' });
    await bannerSignIn.waitFor();
    await expectAccessible(page);

    // What was typed is not lost with the session: signing in again from there leads back to the upload page, which
    // has it back.
    const second = await b.hub.token('FOCAL_POINT', 'ISL');
    await bannerSignIn.click();
    await page.getByLabel('API token').fill(second);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('draft-restored').waitFor();
    expect(new URL(page.url()).pathname).toBe('/upload');
    await expect(content.inputValue()).resolves.toBe(draft);
    await section.getByText('No submissions yet.').waitFor();
    await expectAccessible(page);
    // Still unsent, and unpublished: another country's focal point signing in on this tab does not get it.
    await signIn(await b.hub.token('FOCAL_POINT', 'NOR'));
    await page.getByRole('banner').getByText('Norway').waitFor();
    await section.waitFor();
    await expect(content.inputValue()).resolves.toBe('');

    // Revoked between visits: the reload finds out, and says so too.
    await signIn(second);
    await expect(content.inputValue()).resolves.toBe(draft);
    await b.revoke(second);
    await page.reload();
    await notice.waitFor();
    // Signing out by choice says nothing of the kind, and drops what was not sent.
    await signIn(await b.hub.token('FOCAL_POINT', 'ISL'));
    await expect(content.inputValue()).resolves.toBe(draft);
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).waitFor();
    await expect(notice.count()).resolves.toBe(0);
    await signIn(await b.hub.token('FOCAL_POINT', 'ISL'));
    await section.getByText('No submissions yet.').waitFor();
    await expect(content.inputValue()).resolves.toBe('');
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  },
);

// Last: it adds Norway's declaration of REC_STOCK_FLOW, which the summaries above do not count.
browserTest('country profile: the focal point declares a status in the page, the task force reviews it', async () => {
  const focal = await b.hub.token('FOCAL_POINT', 'NOR');
  const taskForce = await b.hub.token('TASK_FORCE');
  const rowOf = (page: Page) => page.getByTestId('country-implementation').locator('tr[data-rec="REC_STOCK_FLOW"]');

  const { page, errors } = await b.newPage();
  await b.signIn(page, focal);
  await page.goto(`${b.url}/countries/NOR`);
  const row = rowOf(page);
  await row.waitFor();
  expect(await row.getAttribute('data-status')).toBe('UNKNOWN');
  await row.getByTestId('adoption-forms').locator('summary').click();
  // The focal point declares; the task force's review buttons are not offered to it.
  await expect(row.getByRole('button', { name: /^(Confirm|Dispute)/ }).count()).resolves.toBe(0);
  await row.getByLabel('Since (year)').fill('soon');
  await row.getByRole('button', { name: /^Declare/ }).click();
  await row.getByRole('alert').filter({ hasText: 'Since: a year, e.g. 2021.' }).waitFor();
  // The field says it is wrong, and why (its description is the message).
  await expect(row.getByLabel('Since (year)').getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(
    row
      .getByLabel('Since (year)')
      .evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent),
  ).resolves.toBe('Since: a year, e.g. 2021.');
  await expect(row.getByLabel('Note').getAttribute('aria-invalid')).resolves.toBeNull();
  // The hub's refusal names the field by its label, not as input.evidenceUrl.
  await row.getByLabel('Since (year)').fill('');
  await row.getByLabel('Evidence URL').fill('ftp://example.org/evidence');
  await row.getByRole('button', { name: /^Declare/ }).click();
  await row
    .getByRole('alert')
    .filter({ hasText: /^Evidence URL: must be an http or https URL/ })
    .waitFor();
  await expect(row.getByLabel('Evidence URL').getAttribute('aria-invalid')).resolves.toBe('true');
  // The keyboard is where it was, on the button (disabled while the hub answered), not back at the top of the page.
  await page.waitForFunction(() => document.activeElement?.textContent?.startsWith('Declare'));
  await row.getByLabel('Evidence URL').fill('');
  await row.getByLabel('Status').selectOption('PARTIAL');
  await row.getByLabel('Since (year)').fill('2023');
  await row.getByLabel('Note').fill('Stocks from the register; flows from 2025');
  await row.getByRole('button', { name: /^Declare/ }).click();
  await page.locator('tr[data-rec="REC_STOCK_FLOW"][data-status="PARTIAL"]').waitFor();
  await expect(rowOf(page).innerText()).resolves.toContain('Partial since 2023');
  await expect(rowOf(page).innerText()).resolves.toContain('Stocks from the register; flows from 2025');
  await expectAccessible(page);

  // Declared again meanwhile through the API: the page's declaration names a stale revision and is refused.
  await rowOf(page).getByTestId('adoption-forms').locator('summary').click();
  const changed = await b.hub.gql<{ reportAdoption: { __typename: string } }, object>(
    `mutation($input: ReportAdoptionInput!) { reportAdoption(input: $input) { __typename } }`,
    { input: { country: 'NOR', recommendation: 'REC_STOCK_FLOW', status: 'IMPLEMENTED', since: 2024 } },
    { token: focal },
  );
  expect(data(changed).reportAdoption.__typename).toBe('ReportAdoptionPayload');
  await rowOf(page).getByLabel('Status').selectOption('PLANNED');
  await rowOf(page)
    .getByRole('button', { name: /^Declare/ })
    .click();
  await rowOf(page).getByRole('alert').waitFor();
  await expect(rowOf(page).getByRole('alert').innerText()).resolves.toMatch(
    /^Conflict: this declaration was changed elsewhere .*, so your declaration \(Planned since 2023\) was not saved\./,
  );
  // Read again: the row shows the declaration that won, not the one the page had read.
  await page.locator('tr[data-rec="REC_STOCK_FLOW"][data-status="IMPLEMENTED"]').waitFor();
  await expect(rowOf(page).innerText()).resolves.toContain('Implemented since 2024');
  await expect(rowOf(page).innerText()).resolves.not.toContain('Partial since 2023');
  await expect(rowOf(page).getByRole('alert').count()).resolves.toBe(1);
  await expectAccessible(page);
  // Declared again on the current revision: accepted, and the conflict is no longer said.
  await rowOf(page).getByTestId('adoption-forms').locator('summary').click();
  await rowOf(page).getByLabel('Status').selectOption('IMPLEMENTED');
  await rowOf(page).getByLabel('Since (year)').fill('2024');
  await rowOf(page).getByLabel('Note').fill('Stocks and flows from the register');
  await rowOf(page)
    .getByRole('button', { name: /^Declare/ })
    .click();
  await rowOf(page).getByText('Stocks and flows from the register').waitFor();
  await expect(rowOf(page).getByRole('alert').count()).resolves.toBe(0);
  await expect(rowOf(page).innerText()).resolves.toContain('Implemented since 2024');
  expect(errors).toEqual([]);

  // The task force confirms the current declaration with a comment.
  const tf = await b.newPage();
  await b.signIn(tf.page, taskForce);
  await tf.page.goto(`${b.url}/countries/NOR`);
  await tf.page.locator('tr[data-rec="REC_STOCK_FLOW"][data-status="IMPLEMENTED"]').waitFor();
  await rowOf(tf.page).getByTestId('adoption-forms').locator('summary').click();
  await rowOf(tf.page).getByLabel('Review comment').fill('Checked with the register office');
  await rowOf(tf.page)
    .getByRole('button', { name: /^Confirm/ })
    .click();
  await rowOf(tf.page).getByTestId('adoption-review').waitFor();
  await expect(rowOf(tf.page).getByTestId('adoption-review').innerText()).resolves.toContain(
    'Task force: Confirmed — Checked with the register office',
  );
  // …and asks about it in the record's comment thread, where Norway's focal point reads it.
  await rowOf(tf.page).getByText('Comments', { exact: true }).click();
  const thread = rowOf(tf.page).getByTestId('comment-thread');
  await thread.getByLabel(/^Add a comment on Norway's Stock flow/).fill('Which register year do the flows start from?');
  await thread.getByRole('button', { name: 'Add comment' }).click();
  await thread.getByRole('list').getByText('Which register year do the flows start from?').waitFor();
  await expectAccessible(tf.page);
  expect(tf.errors).toEqual([]);
  await page.reload();
  await rowOf(page).getByText('Comments', { exact: true }).click();
  await rowOf(page).getByTestId('comment-thread').getByText('Which register year do the flows start from?').waitFor();
  // The focal point answers on the data source concerned, in its own thread.
  const source = page
    .getByRole('region', { name: 'Data sources' })
    .locator('tbody tr', { hasText: 'Norwegian population register' });
  await source.getByText('Comments', { exact: true }).click();
  await source.getByLabel('Add a comment on Norwegian population register').fill('Flows from the 2025 register year.');
  await source.getByRole('button', { name: 'Add comment' }).click();
  await source.getByRole('list').getByText('Flows from the 2025 register year.').waitFor();
  // …corrects its own comment (editComment): only its author is offered to.
  await source.getByRole('button', { name: 'Edit your comment' }).click();
  await source.getByLabel('Edit your comment').fill('Flows from the 2024 register year.');
  await source.getByRole('button', { name: 'Save' }).click();
  await source.getByRole('list').getByText('Flows from the 2024 register year.').waitFor();
  await expect(source.getByRole('list').innerText()).resolves.toContain('· edited');
  await expect(source.getByText('Flows from the 2025 register year.').count()).resolves.toBe(0);
  await expect(
    rowOf(page).getByTestId('comment-thread').getByRole('button', { name: 'Edit your comment' }).count(),
  ).resolves.toBe(0);
  await expectAccessible(page);

  // Neither an anonymous caller nor another country's focal point is offered the forms.
  const anonymous = await b.newPage();
  await anonymous.page.goto(`${b.url}/countries/NOR`);
  await rowOf(anonymous.page).waitFor();
  // The data sources (whose comments and Discussion column are counted too) load on their own.
  await anonymous.page.getByRole('rowheader', { name: /Norwegian population register/ }).waitFor();
  await expect(anonymous.page.getByTestId('adoption-forms').count()).resolves.toBe(0);
  await expect(anonymous.page.getByText('Comments', { exact: true }).count()).resolves.toBe(0);
  await expect(anonymous.page.getByRole('columnheader', { name: 'Discussion' }).count()).resolves.toBe(0);
  const other = await b.newPage();
  await b.signIn(other.page, await b.hub.token('FOCAL_POINT', 'FRA'));
  await other.page.goto(`${b.url}/countries/NOR`);
  await rowOf(other.page).waitFor();
  // The forms follow the caller, restored after the load: none once the page knows it is France's focal point.
  await other.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
  await expect(other.page.getByTestId('adoption-forms').count()).resolves.toBe(0);
});

// Last too: it changes France's declarations, which the world view above counts (CHE and FRA the only PLANNED).
browserTest(
  'implementation page: a focal point imports a declarations file; a bad row is named by line and column and nothing is written; the fixed file shows in the matrix',
  async () => {
    /** France's and Switzerland's declarations as the API gives them, "CODE/REC" → "STATUS since". */
    const declared = async () => {
      const countries = await Promise.all(
        ['FRA', 'CHE'].map(
          async (code) =>
            data(
              await b.hub.gql<
                {
                  country: {
                    iso3: string;
                    implementation: { recommendation: { code: string }; status: string | null; since: number | null }[];
                  };
                },
                object
              >(
                `query($c: String!) { country(code: $c) { iso3 implementation { recommendation { code } status since } } }`,
                { c: code },
              ),
            ).country,
        ),
      );
      return Object.fromEntries(
        countries.flatMap((c) =>
          c.implementation.map((r) => [
            `${c.iso3}/${r.recommendation.code}`,
            `${r.status ?? 'UNKNOWN'} ${r.since ?? ''}`.trim(),
          ]),
        ),
      );
    };
    const before = await declared();
    expect(before).toMatchObject({
      'FRA/REC_METADATA': 'UNKNOWN',
      'FRA/REC_CORE_INDICATORS': 'PLANNED',
      'CHE/REC_FOUR_GROUPS': 'PARTIAL',
    });

    const { page, errors } = await b.newPage();
    await b.signIn(page, await b.hub.token('FOCAL_POINT', 'FRA'));
    await page.goto(`${b.url}/implementation`);
    await page.getByTestId('implementation-matrix').waitFor();
    const cell = (rec: string) => page.locator(`tr[data-country="FRA"] td[data-rec="${rec}"]`);
    await expect(cell('REC_METADATA').getAttribute('data-status')).resolves.toBe('UNKNOWN');
    const form = page.getByTestId('adoption-import');
    await form.locator('summary').click();

    // A year that is not one on line 3, and another country's row on line 4: each shown where it is, nothing written.
    const header = 'country,recommendation,status,since,note,evidence_url';
    const bad = [
      header,
      'FRA,REC_METADATA,IMPLEMENTED,2022,Metadata published with each release,https://www.insee.fr/',
      'FRA,REC_CORE_INDICATORS,PARTIAL,soon,,',
      'CHE,REC_FOUR_GROUPS,IMPLEMENTED,,,',
      '',
    ].join('\n');
    await form
      .getByLabel('CSV or XLSX file')
      .setInputFiles({ name: 'adoptions.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    // The page reads the file asynchronously: wait for the text to arrive.
    await page.waitForFunction(
      (expected) => [...document.querySelectorAll('textarea')].some((t) => t.value === expected),
      bad,
    );
    await expect(form.getByRole('button', { name: 'Import' }).isDisabled()).resolves.toBe(true);
    await form.getByRole('button', { name: 'Check' }).click();
    const problems = form.getByTestId('problems').locator('tbody tr');
    await problems.first().waitFor();
    const shown = await problems.evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent)),
    );
    expect(shown).toEqual([
      ['3', 'since', '"soon" is not a year (four digits)', 'FRA,REC_CORE_INDICATORS,PARTIAL,soon,,'],
      ['4', 'country', 'a focal point may only report its own country', 'CHE,REC_FOUR_GROUPS,IMPLEMENTED,,,'],
    ]);
    await form.getByRole('heading', { name: '2 problems: nothing was written' }).waitFor();
    // Announced: the count, not every row of the table.
    await expect(form.getByRole('alert').allInnerTexts()).resolves.toEqual(['2 problems: nothing was written']);
    await expect(form.getByRole('button', { name: 'Import' }).isDisabled()).resolves.toBe(true);
    expect(await declared()).toEqual(before);
    await expect(cell('REC_METADATA').getAttribute('data-status')).resolves.toBe('UNKNOWN');
    await expectAccessible(page);
    await b.screenshot(page, 'implementation-import-problems');

    // Fixed in the page: checked, then imported; the matrix reads the new declarations.
    const good = [
      header,
      'FRA,REC_METADATA,IMPLEMENTED,2022,Metadata published with each release,https://www.insee.fr/',
      'FRA,REC_CORE_INDICATORS,PARTIAL,2024,,',
      '',
    ].join('\n');
    await form.getByLabel(/^Content of adoptions\.csv/).fill(good);
    await expect(form.getByRole('button', { name: 'Import' }).isDisabled()).resolves.toBe(true);
    await form.getByRole('button', { name: 'Check' }).click();
    await expect(form.getByTestId('import-outcome').innerText()).resolves.toMatch(/^No problems: 2 rows\./);
    expect(await declared()).toEqual(before);
    await form.getByRole('button', { name: 'Import' }).click();
    await form
      .getByTestId('import-outcome')
      .filter({ hasText: /^Imported: 1 created, 1 updated, 0 unchanged\./ })
      .waitFor();
    await page.locator('tr[data-country="FRA"] td[data-rec="REC_METADATA"][data-status="IMPLEMENTED"]').waitFor();
    await expect(cell('REC_METADATA').getAttribute('title')).resolves.toMatch(/^Implemented since 2022;/);
    await expect(cell('REC_CORE_INDICATORS').getAttribute('data-status')).resolves.toBe('PARTIAL');
    expect(await declared()).toEqual({
      ...before,
      'FRA/REC_METADATA': 'IMPLEMENTED 2022',
      'FRA/REC_CORE_INDICATORS': 'PARTIAL 2024',
    });
    await expectAccessible(page);
    await b.screenshot(page, 'implementation-imported');
    expect(errors).toEqual([]);

    // The task force is offered the import too; an anonymous visitor and a reader are not.
    const tf = await b.newPage();
    await b.signIn(tf.page, await b.hub.token('TASK_FORCE'));
    await tf.page.goto(`${b.url}/implementation`);
    await tf.page.getByTestId('implementation-matrix').waitFor();
    // The import follows the caller, restored after the load (as for the reader below).
    await tf.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(tf.page.getByTestId('adoption-import').count()).resolves.toBe(1);
    const anonymous = await b.newPage();
    await anonymous.page.goto(`${b.url}/implementation`);
    await anonymous.page.getByTestId('implementation-matrix').waitFor();
    await expect(anonymous.page.getByTestId('adoption-import').count()).resolves.toBe(0);
    await expect(anonymous.page.getByLabel('CSV or XLSX file').count()).resolves.toBe(0);
    const reader = await b.newPage();
    await b.signIn(reader.page, await b.hub.token('READER'));
    await reader.page.goto(`${b.url}/implementation`);
    await reader.page.getByTestId('implementation-matrix').waitFor();
    await reader.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    await expect(reader.page.getByTestId('adoption-import').count()).resolves.toBe(0);
    await expect(reader.page.getByLabel('CSV or XLSX file').count()).resolves.toBe(0);
    expect([...tf.errors, ...anonymous.errors, ...reader.errors]).toEqual([]);
  },
);
