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
          unknown: number;
          byStatus: { status: string | null; countries: number }[];
          evidenceMet: number | null;
          discrepancies: number;
        }[];
      },
      object
    >(`{ countries(region: "150", first: 100) { nodes { iso3 m49
           implementation { recommendation { code } status evidence { met } discrepancy } } }
         implementationSummary(region: "150") { recommendation { code } unknown byStatus { status countries }
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
      await expect(row.locator('td[data-col="UNKNOWN"]').innerText()).resolves.toBe(String(s.unknown));
      for (const st of s.byStatus.filter((x) => x.status)) {
        await expect(row.locator(`td[data-col="${st.status}"]`).innerText()).resolves.toBe(String(st.countries));
      }
      await expect(row.locator('td[data-col="evidenceMet"]').innerText()).resolves.toBe(
        s.evidenceMet === null ? '–' : String(s.evidenceMet),
      );
      await expect(row.locator('td[data-col="discrepancies"]').innerText()).resolves.toBe(String(s.discrepancies));
    }
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
    await focal.page.goto(`${b.url}/sign-in`);
    await focal.page.getByLabel('API token').fill(await b.hub.token('FOCAL_POINT', 'CHE'));
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
    await expectAccessible(focal.page);
    await b.screenshot(focal.page, 'upload-comments');
    expect(focal.errors).toEqual([]);
  },
);
