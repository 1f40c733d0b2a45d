// The bench's world-scale data set, generated in the database with set-based INSERT … SELECT over generate_series
// (a million-row CSV import would dominate the run): `indicators` generated indicators (codes B_000…) × every M49
// country × 20 years, one third of the triples reported, one in twenty with a newer unpublished version, and the
// total and both sexes as observations. Shared by `npm run bench` (bench/run.ts) and `npm run bench:peer`.
import type { Database } from '../src/platform/db.js';

export const YEARS = { from: 2001, to: 2020 };
/** Share of (country, indicator, year) triples with a submission, in percent. */
const REPORT_PERCENT = 33;

/** The world-scale data set, generated in the database. */
export async function generate(db: Database, indicators: number) {
  const p = db.prisma;
  const run = (sql: string) => p.$executeRawUnsafe(sql);
  const blocks = `(ARRAY['IMMIGRATION_FLOW','EMIGRATION_FLOW','IMMIGRANT_STOCK','EMIGRANT_STOCK'])[1 + g % 4]::"BuildingBlock"`;
  await run(`
    INSERT INTO "Indicator" (code, name, unit, additive, "buildingBlock", tier, "provisionalFields", "updatedAt")
    SELECT 'B_' || lpad(g::text, 3, '0'), 'Benchmark indicator ' || g, 'PERSONS', true, ${blocks},
      (CASE WHEN g % 5 = 0 THEN 'CORE' ELSE 'ADDITIONAL' END)::"Tier", '{}', now()
    FROM generate_series(0, ${indicators - 1}) g`);
  // One to three linked source types per indicator; every 17th has none.
  await run(`
    INSERT INTO "IndicatorSourceType" ("indicatorId", "sourceTypeId", suitability)
    SELECT i.id, st.id, (ARRAY['PRIMARY','SECONDARY','SUPPLEMENTARY'])[1 + (i.id + st.id) % 3]::"Suitability"
    FROM "Indicator" i CROSS JOIN "SourceType" st
    WHERE i.code LIKE 'B\\_%' AND i.id % 17 <> 0 AND (i.id * 31 + st.id * 7) % 10 < 3`);
  // Zero to two registered data sources per country.
  await run(`
    INSERT INTO "DataSource" (code, "countryId", "sourceTypeId", name, "residenceCriterion", "updatedAt")
    SELECT 'B_' || c.m49 || '_' || st.code, c.id, st.id, st.name || ' of ' || c.name,
      (ARRAY['OPTION_I','OPTION_II','OTHER'])[1 + (c.id + st.id) % 3]::"ResidenceCriterion", now()
    FROM "Country" c CROSS JOIN "SourceType" st
    WHERE (c.id * 13 + st.id * 5) % 10 < 2`);
  const types = `(SELECT array_agg(id ORDER BY id) FROM "SourceType")`;
  // ≈ 33 % of (country, indicator, year) triples, each a countable version 1 (validated or published) …
  await run(`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", version, status,
      "residenceCriterion", unit, "countableSince", "updatedAt")
    SELECT c.id, i.id, y, t.ids[1 + (c.id + i.id) % cardinality(t.ids)],
      'ST:B' || ((c.id + i.id) % cardinality(t.ids)), 1,
      (CASE WHEN (c.id + y) % 4 = 0 THEN 'VALIDATED' ELSE 'PUBLISHED' END)::"SubmissionStatus",
      (ARRAY['OPTION_I','OPTION_II','OTHER'])[1 + (c.id * 3 + i.id + y) % 3]::"ResidenceCriterion",
      'PERSONS', timestamp '2024-01-01' + (y - 2000) * interval '1 day', now()
    FROM "Country" c CROSS JOIN "Indicator" i CROSS JOIN generate_series(${YEARS.from}, ${YEARS.to}) y,
      ${types} AS t(ids)
    WHERE i.code LIKE 'B\\_%' AND (c.id::bigint * 7919 + i.id::bigint * 104729 + y::bigint * 1299709) % 100 < ${REPORT_PERCENT}`);
  // … and for one in twenty a newer version: a draft, a pending or a rejected one, which must not hide it.
  await run(`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", version, status,
      "residenceCriterion", unit, "updatedAt")
    SELECT "countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", 2,
      (ARRAY['DRAFT','SUBMITTED','REJECTED'])[1 + id % 3]::"SubmissionStatus", 'OTHER', unit, now()
    FROM "Submission" WHERE version = 1 AND "sourceKey" LIKE 'ST:B%' AND id % 20 = 0`);
  // The total and both sexes for every version.
  await run(`
    INSERT INTO "Observation" ("submissionId", value, dimensions, "dimensionKey")
    SELECT s.id, round(1000 + (s.id * 7 % 100000) * d.share), d.dims::jsonb, d.key
    FROM "Submission" s
    CROSS JOIN (VALUES ('', '{}', 1.0), ('SEX=F', '{"SEX":"F"}', 0.48), ('SEX=M', '{"SEX":"M"}', 0.52))
      AS d(key, dims, share)
    WHERE s."sourceKey" LIKE 'ST:B%'`);
  await run('ANALYZE');
  const [counts] = await p.$queryRawUnsafe<{ submissions: number; observations: number }[]>(
    `SELECT (SELECT count(*)::int FROM "Submission") AS submissions, (SELECT count(*)::int FROM "Observation") AS observations`,
  );
  return counts!;
}
