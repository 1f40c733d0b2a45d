// Plan-shape guards (issue 11) on a generated data set large enough for the planner to care: the coverage matrix
// statement reads the countable versions from Submission_countable_idx alone (an index-only scan in key order) and
// sorts no more than each year's few versions; `updatedAfter` in SDMX applies the country-value rule to the groups
// changed since, and in a download pages over the keys changed since, not over everything. No timings: the test reads
// EXPLAIN of the very statements (and arguments) the hub sent, on PGlite and on PostgreSQL.
import { data, startHub, type Hub } from '../support/hub.js';
import { explain, startQueryLog, type QueryLog } from '../support/query-log.js';

const ANALYZE = 'ANALYZE, COSTS OFF, TIMING OFF';

/** The rows an EXPLAIN ANALYZE plan's nodes on `table` produced (rows per loop × loops; not those filtered out). */
function rowsOn(table: string, plan: string[]): number {
  const nodes = plan.filter((line) => line.includes(`on "${table}"`));
  if (!nodes.length) throw new Error(`no node on ${table} in the plan:\n${plan.join('\n')}`);
  return nodes.reduce((sum, line) => {
    if (line.endsWith('(never executed)')) return sum;
    const m = /actual rows=([\d.]+) loops=(\d+)/.exec(line);
    if (!m) throw new Error(`no row count in the plan's line ${line}`);
    return sum + Number(m[1]) * Number(m[2]);
  }, 0);
}

let hub: Hub;
let log: QueryLog;
beforeAll(async () => {
  hub = await startHub();
  const run = (sql: string) => hub.db.prisma.$executeRawUnsafe(sql);
  // Every country × every seeded indicator × 40 years, a third of the triples reported, three in four published,
  // inserted year by year: the heap's order is not the index's.
  await run(`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceKey", version, status, unit,
      "countableSince", "updatedAt")
    SELECT c.id, i.id, y, '', 1,
      (CASE WHEN (c.id + i.id + y) % 4 = 0 THEN 'VALIDATED' ELSE 'PUBLISHED' END)::"SubmissionStatus", i.unit, now(),
      '2020-01-01'
    FROM generate_series(1981, 2020) y CROSS JOIN "Indicator" i CROSS JOIN "Country" c
    WHERE (c.id * 7 + i.id * 13 + y) % 3 = 0
    ORDER BY y, c.id, i.id`);
  // One observation each; three submissions changed in 2030, the rest (as inserted) in 2020.
  await run(`UPDATE "Submission" SET "updatedAt" = '2030-01-01'
    WHERE id IN (SELECT id FROM "Submission" WHERE status = 'PUBLISHED' ORDER BY id LIMIT 3)`);
  await run(`INSERT INTO "Observation" ("submissionId", value, dimensions, "dimensionKey")
    SELECT id, 1000 + id, '{}', '' FROM "Submission"`);
  // The change feed those writes would have left (what updatedAfter reads): each version's key, for every audience
  // that may read it, when it was written; the seed's catalogue entries before them (the hub was set up first).
  await run(`UPDATE "FeedEntry" SET at = '2019-01-01'`);
  await run(`INSERT INTO "FeedEntry" (audience, "countryId", "indicatorId", "referenceYear", "sourceKey",
      "submissionId", status, at)
    SELECT a.audience::"FeedAudience", s."countryId", s."indicatorId", s."referenceYear", s."sourceKey", s.id, s.status,
      s."updatedAt"
    FROM "Submission" s CROSS JOIN (VALUES ('ALL_VERSIONS'), ('PUBLISHED')) a(audience)
    WHERE a.audience = 'ALL_VERSIONS' OR s.status = 'PUBLISHED'
    ORDER BY s."updatedAt", s.id`);
  await run('VACUUM ANALYZE "FeedEntry"');
  await run('VACUUM ANALYZE "Observation"');
  // What autovacuum leaves after a bulk load: statistics, and a visibility map that lets index-only scans skip
  // the heap.
  await run('VACUUM ANALYZE "Submission"');
  log = await startQueryLog(hub.db.adapterFactory);
}, 180_000);
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

test('coverageMatrix reads the countable versions from the index alone and sorts no whole set', async () => {
  log.reset();
  const result = data(
    await hub.gql<Record<string, unknown>, never>(
      `{ coverageMatrix(filter: { window: { from: 2001, to: 2020 } }) { cellColumns { latestYear } } }`,
    ),
  );
  expect(
    (result.coverageMatrix as { cellColumns: { latestYear: number[] } }).cellColumns.latestYear.length,
  ).toBeGreaterThan(1_000);
  const query = log.queries.find((q) => /json_agg/.test(q.sql) && /"Submission"/.test(q.sql));
  if (!query) throw new Error(`no coverage matrix statement among:\n${log.statements.join('\n')}`);
  const plan = (await explain(hub.db.adapterFactory, query)).join('\n');
  expect(plan).toMatch(/Index Only Scan using "Submission_countable_idx" on "Submission"/);
  // The only sort is the incremental one of each (indicator, country, year)'s versions.
  expect(plan).not.toMatch(/(?<!Incremental )Sort\b(?! Key)/);
  expect(plan).not.toMatch(/Seq Scan on "Submission"/);
});

test('SDMX updatedAfter reads the observations of the groups changed since, not every country value', async () => {
  log.reset();
  const res = await hub.api.fetch(
    'http://hub.test/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/*?updatedAfter=2025-01-01T00:00:00Z&format=sdmx-csv',
  );
  expect(res.status).toBe(200);
  const lines = (await res.text()).trim().split('\r\n');
  expect(lines.length).toBe(1 + 3); // the header and the three changed observations
  const query = log.queries.find(
    (q) => /DISTINCT ON/.test(q.sql) && /"dimensionKey"/.test(q.sql) && !/held AS/.test(q.sql),
  );
  if (!query) throw new Error(`no SDMX observations statement among:\n${log.statements.join('\n')}`);
  // Rows the plan's nodes on Observation produced: a few, where every country value was 40 000; and on the change
  // feed, the entries since the date, not all 87 000.
  const plan = await explain(hub.db.adapterFactory, query, ANALYZE);
  expect(rowsOn('Observation', plan)).toBeLessThan(100);
  expect(rowsOn('FeedEntry', plan)).toBeLessThan(100);
});

test('a download with updatedAfter reads the keys changed since, not every countable version', async () => {
  log.reset();
  const res = await hub.api.fetch('http://hub.test/download/observations.csv?updatedAfter=2025-01-01');
  expect(res.status).toBe(200);
  expect((await res.text()).trim().split('\n').length).toBe(1 + 3);
  const pages = log.queries.filter((q) => /json_agg/.test(q.sql) && /"Observation"/.test(q.sql));
  expect(pages.length).toBeGreaterThan(0);
  let read = 0;
  let feed = 0;
  for (const page of pages) {
    const plan = await explain(hub.db.adapterFactory, page, ANALYZE);
    read += rowsOn('Submission', plan);
    feed += rowsOn('FeedEntry', plan);
  }
  expect(feed).toBeLessThan(1_000);
  // Rows the pages' nodes on Submission produced: 9 over 15 indicators' pages; 1.5 million over 30 pages when the
  // countable rule ran over every version before the date was applied.
  expect(read).toBeLessThan(1_000);
});
