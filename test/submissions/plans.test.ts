// Plan-shape guards (issue 11): the statements the hub sends for a country's submissions page are served by an
// index in page order, on a generated data set large enough for the planner to care. No timings: the test reads
// EXPLAIN of the very statement (and arguments) the hub sent, on PGlite and on PostgreSQL.
import { data, startHub, type Hub } from '../support/hub.js';
import { explain, startQueryLog, type QueryLog } from '../support/query-log.js';

let hub: Hub;
let log: QueryLog;
beforeAll(async () => {
  hub = await startHub();
  const run = (sql: string) => hub.db.prisma.$executeRawUnsafe(sql);
  // Every country × every seeded indicator × 60 years, a third of the triples reported, three in four published;
  // Switzerland's rows come last, as for a country that reported late: walking the primary key in page order
  // would read every other country's rows before its first one.
  const insert = (countries: string) =>
    run(`
      INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceKey", version, status, unit,
        "updatedAt")
      SELECT c.id, i.id, y, '', 1,
        (CASE WHEN (c.id + i.id + y) % 4 = 0 THEN 'VALIDATED' ELSE 'PUBLISHED' END)::"SubmissionStatus", i.unit, now()
      FROM generate_series(1961, 2020) y CROSS JOIN "Indicator" i CROSS JOIN "Country" c
      WHERE ${countries} AND (c.id * 7 + i.id * 13 + y) % 3 = 0
      ORDER BY y, i.id, c.id`);
  await insert(`c.iso3 IS DISTINCT FROM 'CHE'`);
  await insert(`c.iso3 = 'CHE'`);
  await run('ANALYZE');
  log = await startQueryLog(hub.db.adapterFactory);
}, 180_000);
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

/** The statement of `operation` that reads Submission rows of one country, and its plan. */
async function submissionPagePlan(operation: string, token?: string) {
  log.reset();
  const result = data(await hub.gql<Record<string, unknown>, never>(operation, undefined, { token }));
  const query = log.queries.find((q) => /FROM "public"\."Submission"/.test(q.sql) && /"countryId"/.test(q.sql));
  if (!query) throw new Error(`no Submission statement by country among:\n${log.statements.join('\n')}`);
  return { result, plan: (await explain(hub.db.adapterFactory, query)).join('\n') };
}

function expectIndexOrderedPage(plan: string) {
  // Newest first (the default order) walks the index backwards.
  expect(plan).toMatch(/Index (Only )?Scan (Backward )?using "Submission_countryId_status_id_idx" on "Submission"/);
  // Rows come out of the index in page order: no sort of every matching row, no walk of the whole table.
  expect(plan).not.toMatch(/Sort/);
  expect(plan).not.toMatch(/Seq Scan on "Submission"|Index Scan using "Submission_pkey"/);
}

test('Country.submissions reads one country’s published versions from the index, in page order', async () => {
  const { result, plan } = await submissionPagePlan(
    `{ country(code: "CHE") { submissions(first: 100) { nodes { referenceYear status } } } }`,
  );
  const nodes = (result.country as { submissions: { nodes: { status: string }[] } }).submissions.nodes;
  expect(nodes).toHaveLength(100);
  expect(new Set(nodes.map((n) => n.status))).toEqual(new Set(['PUBLISHED']));
  expectIndexOrderedPage(plan);
});

test('submissions(filter: { country }) takes the same path', async () => {
  const { result, plan } = await submissionPagePlan(
    `{ submissions(first: 50, filter: { country: "756" }) { nodes { referenceYear } } }`,
  );
  expect((result.submissions as { nodes: unknown[] }).nodes).toHaveLength(50);
  expectIndexOrderedPage(plan);
});

// PostGraphile answers each of these with one statement; so does the hub since Prisma's relation joins are on
// (prisma/schema.prisma previewFeatures): on this machine each statement costs the Node process a socket round trip.
test.each([
  [
    'a country with a page of submissions, their indicators and observations',
    `{ country(code: "CHE") { name submissions(first: 100) {
        nodes { referenceYear indicator { code } observations { dimensionKey value } } } } }`,
  ],
  [
    'a filtered page of submissions with their countries and observations',
    `{ submissions(first: 100, filter: { indicator: "IMM_STOCK", status: PUBLISHED, fromYear: 2020, toYear: 2020 }) {
        nodes { referenceYear country { m49 name } observations { dimensionKey value } } } }`,
  ],
])('%s is one SQL statement', async (_name, operation) => {
  const statements = await log.count(async () => void data(await hub.gql(operation)));
  expect(statements).toBe(1);
});
