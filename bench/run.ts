// Coverage benchmark (issue 4): the UN DESA migrant stock plus a generated world-scale data set, then coverageMatrix,
// gaps, indicatorCoverage and aggregate through the GraphQL API (yoga.fetch) against a hand-written SQL query that
// returns the same numbers, on embedded PGlite and on PostgreSQL, in one run.
//
//   npm run bench                         every M49 country × 200 indicators × 20 years (≈ 330 000 submissions,
//                                         ≈ 1 000 000 observations)
//   BENCH_SCALE=0.1 npm run bench         20 indicators, for a quick run
//   BENCH_RUNS=7 BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres BENCH_DBS=pglite,postgres
//
// The world-scale data are generated with set-based INSERT … SELECT over generate_series, not through the CSV
// importer: the benchmark measures the queries, and a million-row CSV import would dominate the run.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { CLI_ACTOR } from '../src/access/audit.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { dataDir } from '../src/platform/paths.js';
import { seed } from '../src/cli/seed.js';
import { importUndesaIms } from '../src/submissions/undesa.import.js';
import { createApi } from '../src/http/yoga.js';
import { generate, YEARS } from './world.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const RUNS = Number(process.env.BENCH_RUNS ?? '5');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DBS = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',').map((s) => s.trim()) as ('pglite' | 'postgres')[];
const INDICATORS = Math.max(1, Math.round(200 * SCALE));

type Json = Record<string, unknown>;

interface Operation {
  name: string;
  graphql: { query: string; variables?: Json };
  sql: string;
  /** A number summarising the answer, equal for the GraphQL and the SQL side. */
  checkGraphql: (data: Json) => number;
  checkSql: (rows: Json[]) => number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const operations: Operation[] = [
  {
    name: 'coverageMatrix (world, all indicators, 20 years)',
    graphql: {
      query: `query ($filter: CoverageFilter) { coverageMatrix(filter: $filter) {
        indicators { code } countries { m49 }
        cells { indicator { code } country { m49 } years latestYear sourceType { code } residenceCriterion } } }`,
      variables: { filter: { window: YEARS } },
    },
    sql: `
      WITH c AS (
        SELECT DISTINCT ON (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey")
          s.id, s."indicatorId", s."countryId", s."referenceYear", s."sourceTypeId", s."residenceCriterion",
          s."countableSince"
        FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId" AND i.status <> 'RETIRED'
        WHERE s.status IN ('VALIDATED', 'PUBLISHED') AND s."referenceYear" BETWEEN ${YEARS.from} AND ${YEARS.to}
        ORDER BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey", s.version DESC
      )
      SELECT i.code AS indicator, co.m49 AS country,
        array_agg(DISTINCT c."referenceYear" ORDER BY c."referenceYear") AS years,
        max(c."referenceYear") AS "latestYear",
        (array_agg(st.code ORDER BY c."referenceYear" DESC, c."countableSince" DESC NULLS LAST, c.id DESC))[1]
          AS "sourceType",
        (array_agg(c."residenceCriterion"::text
          ORDER BY c."referenceYear" DESC, c."countableSince" DESC NULLS LAST, c.id DESC))[1] AS "residenceCriterion"
      FROM c JOIN "Indicator" i ON i.id = c."indicatorId" JOIN "Country" co ON co.id = c."countryId"
      LEFT JOIN "SourceType" st ON st.id = c."sourceTypeId"
      GROUP BY i.code, co.m49
      ORDER BY i.code, co.m49`,
    checkGraphql: (d) =>
      sum(((d.coverageMatrix as Json).cells as { years: number[]; latestYear: number }[]).map((c) => c.years.length)),
    checkSql: (rows) => sum(rows.map((r) => (r.years as number[]).length)),
  },
  {
    name: 'gaps (world, CORE indicators, 2020)',
    graphql: {
      query: `query ($filter: CoverageFilter) { gaps(filter: $filter) {
        kind indicator { code } country { m49 } candidateSources { code } } }`,
      variables: { filter: { window: { from: 2020, to: 2020 } } },
    },
    sql: `
      WITH ind AS (SELECT id, code FROM "Indicator" WHERE tier = 'CORE' AND status <> 'RETIRED'),
      rep AS (
        SELECT DISTINCT "indicatorId", "countryId" FROM "Submission"
        WHERE status IN ('VALIDATED', 'PUBLISHED') AND "referenceYear" = 2020
      ),
      feasible AS (
        SELECT ist."indicatorId", ds."countryId", ds.code
        FROM "IndicatorSourceType" ist JOIN "DataSource" ds ON ds."sourceTypeId" = ist."sourceTypeId"
        WHERE ist.suitability IN ('PRIMARY', 'SECONDARY')
      )
      SELECT 'NO_CANDIDATE_SOURCE' AS kind, ind.code AS indicator, NULL AS country, '{}'::text[] AS sources
      FROM ind WHERE NOT EXISTS (SELECT 1 FROM "IndicatorSourceType" x WHERE x."indicatorId" = ind.id)
      UNION ALL
      SELECT CASE WHEN count(f.code) = 0 THEN 'NO_FEASIBLE_SOURCE' ELSE 'FEASIBLE_NOT_REPORTED' END,
        ind.code, co.m49, coalesce(array_agg(f.code ORDER BY f.code) FILTER (WHERE f.code IS NOT NULL), '{}')
      FROM ind CROSS JOIN "Country" co
      LEFT JOIN feasible f ON f."indicatorId" = ind.id AND f."countryId" = co.id
      WHERE NOT EXISTS (SELECT 1 FROM rep WHERE rep."indicatorId" = ind.id AND rep."countryId" = co.id)
      GROUP BY ind.code, co.m49
      ORDER BY indicator, country NULLS FIRST`,
    checkGraphql: (d) =>
      sum((d.gaps as { kind: string; candidateSources: unknown[] }[]).map((g) => 1 + g.candidateSources.length * 1000)),
    checkSql: (rows) => sum(rows.map((r) => 1 + (r.sources as unknown[]).length * 1000)),
  },
  {
    name: 'indicatorCoverage (B_000, 2011–2020, byRegion)',
    graphql: {
      query: `query { indicatorCoverage(indicator: "B_000", window: { from: 2011, to: 2020 }) {
        reportingCountries totalCountries share byRegion { region { code } reportingCountries totalCountries share } } }`,
    },
    sql: `
      WITH rep AS (
        SELECT DISTINCT s."countryId" FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId"
        WHERE i.code = 'B_000' AND s.status IN ('VALIDATED', 'PUBLISHED') AND s."referenceYear" BETWEEN 2011 AND 2020
      )
      SELECT r.code AS region, count(*)::int AS total, count(rep."countryId")::int AS reporting
      FROM "Country" co
      LEFT JOIN ("RegionMembership" rm JOIN "Region" r ON r.id = rm."regionId" AND r.level = 'REGION')
        ON rm."countryId" = co.id
      LEFT JOIN rep ON rep."countryId" = co.id
      GROUP BY ROLLUP (r.code)
      ORDER BY r.code NULLS FIRST`,
    checkGraphql: (d) => {
      const c = d.indicatorCoverage as { reportingCountries: number; byRegion: { reportingCountries: number }[] };
      return c.reportingCountries * 1000 + sum(c.byRegion.map((r) => r.reportingCountries));
    },
    // The ROLLUP's grand total row has region NULL (the country without a region has region NULL too).
    checkSql: (rows) => {
      const total = rows.filter((r) => r.region === null).reduce((a, r) => Math.max(a, r.reporting as number), 0);
      return total * 1000 + sum(rows.filter((r) => r.region !== null).map((r) => r.reporting as number));
    },
  },
  {
    name: 'aggregate (B_000, 2020, world, females)',
    graphql: {
      query: `query { aggregate(indicator: "B_000", year: 2020, sex: "F") {
        value countriesIncluded countriesInScope missing { m49 } } }`,
    },
    sql: `
      WITH c AS (
        SELECT DISTINCT ON (s."countryId", s."sourceKey") s.id, s."countryId", s."countableSince"
        FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId"
        WHERE i.code = 'B_000' AND s."referenceYear" = 2020 AND s.status IN ('VALIDATED', 'PUBLISHED')
        ORDER BY s."countryId", s."sourceKey", s.version DESC
      ),
      v AS (
        SELECT DISTINCT ON (c."countryId") c."countryId", o.value
        FROM c JOIN "Observation" o ON o."submissionId" = c.id AND o."dimensionKey" = 'SEX=F'
        ORDER BY c."countryId", c."countableSince" DESC NULLS LAST, c.id DESC
      )
      SELECT sum(v.value) AS value, count(v.value)::int AS included, count(*)::int AS "inScope",
        array_agg(co.m49 ORDER BY co.m49) FILTER (WHERE v.value IS NULL) AS missing
      FROM "Country" co LEFT JOIN v ON v."countryId" = co.id`,
    checkGraphql: (d) => {
      const a = d.aggregate as { value: number; countriesIncluded: number; missing: unknown[] };
      return Math.round(a.value) + a.countriesIncluded * 1e9 + a.missing.length;
    },
    checkSql: (rows) => {
      const r = rows[0]!;
      return Math.round(r.value as number) + (r.included as number) * 1e9 + ((r.missing as unknown[]) ?? []).length;
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up: plans, caches, JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

type Results = Record<string, { graphql: number; sql: number; bytes: number }>;

async function benchmark(kind: 'pglite' | 'postgres'): Promise<Results> {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'pglite') {
    db = await openDatabase({});
  } else {
    const name = `migstat_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    db = await openDatabase({ url: url.toString() });
    drop = async () => {
      const cleanup = new pg.Client({ connectionString: PG_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  }
  try {
    let t = performance.now();
    await migrate(db);
    await seed(db.prisma, CLI_ACTOR);
    const undesa = await importUndesaIms(db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR);
    console.log(`  [${kind}] migrate + seed + UN DESA (${undesa.observations} observations): ${sec(t)}`);
    t = performance.now();
    const counts = await generate(db, INDICATORS);
    console.log(
      `  [${kind}] generated ${INDICATORS} indicators × 248 countries × 20 years: ` +
        `${counts.submissions} submissions, ${counts.observations} observations in ${sec(t)}`,
    );
    const api = createApi({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      db,
      logger: pino({ level: 'silent' }),
    });
    const results: Results = {};
    for (const op of operations) {
      // Timed until the whole response body is read; the client's JSON.parse is left out, as the SQL side's
      // rows are already JavaScript values.
      let text = '';
      const graphqlTimes = await time(async () => {
        const res = await api.fetch('http://bench/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(op.graphql),
        });
        text = await res.text();
      });
      const bytes = text.length;
      const body = JSON.parse(text) as { data?: Json; errors?: unknown[] };
      if (body.errors || !body.data) throw new Error(`${op.name}: ${JSON.stringify(body.errors)}`);
      let rows: Json[] = [];
      const sqlTimes = await time(async () => {
        rows = await db.prisma.$queryRawUnsafe<Json[]>(op.sql);
      });
      const [g, s] = [op.checkGraphql(body.data), op.checkSql(rows)];
      if (g !== s) throw new Error(`${op.name}: GraphQL and SQL disagree (${g} vs ${s})`);
      results[op.name] = { graphql: median(graphqlTimes), sql: median(sqlTimes), bytes };
      console.log(
        `  [${kind}] ${op.name}: GraphQL ${fmt(results[op.name]!.graphql)}, SQL ${fmt(results[op.name]!.sql)} ` +
          `(answers agree: ${g}; response ${(bytes / 1e6).toFixed(2)} MB)`,
      );
    }
    return results;
  } finally {
    await db.close();
    // BENCH_KEEP=1 leaves the PostgreSQL database in place, to EXPLAIN the queries afterwards.
    if (process.env.BENCH_KEEP !== '1') await drop?.();
    else if (drop) console.log(`  [${kind}] kept ${db.location}`);
  }
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const sec = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

console.log(
  `Coverage benchmark: scale ${SCALE} (${INDICATORS} generated indicators), ${RUNS} timed runs after a warm-up, ` +
    `databases: ${DBS.join(', ')}`,
);
const all: Partial<Record<'pglite' | 'postgres', Results>> = {};
for (const kind of DBS) all[kind] = await benchmark(kind);

console.log('\nMedians (ms) and ratios');
const header = ['operation', 'db', 'GraphQL', 'SQL', 'GraphQL/SQL', 'PGlite/PostgreSQL (GraphQL)'];
const lines: string[][] = [header];
let pass = true;
const checks: string[] = [];
for (const op of operations) {
  for (const kind of DBS) {
    const r = all[kind]![op.name]!;
    const ratio = r.graphql / r.sql;
    const cross =
      kind === 'pglite' && all.postgres ? (r.graphql / all.postgres[op.name]!.graphql).toFixed(2) + '×' : '';
    lines.push([op.name, kind, r.graphql.toFixed(1), r.sql.toFixed(1), ratio.toFixed(2) + '×', cross]);
    if (kind === 'postgres') {
      const ok = ratio <= 2.5;
      pass &&= ok;
      checks.push(`${ok ? 'PASS' : 'FAIL'} GraphQL ≤ 2.5× SQL on PostgreSQL: ${op.name} ${ratio.toFixed(2)}×`);
    }
    if (kind === 'pglite' && all.postgres) {
      const x = r.graphql / all.postgres[op.name]!.graphql;
      const ok = x <= 4;
      pass &&= ok;
      checks.push(`${ok ? 'PASS' : 'FAIL'} PGlite ≤ 4× PostgreSQL: ${op.name} ${x.toFixed(2)}×`);
    }
  }
}
const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join('  '));
if (all.postgres) {
  const matrix = all.postgres[operations[0]!.name]!.graphql;
  const ok = matrix < 1000;
  pass &&= ok;
  checks.push(`${ok ? 'PASS' : 'FAIL'} world-scale coverage matrix < 1 s on PostgreSQL: ${fmt(matrix)}`);
}
console.log('\nTargets' + (SCALE === 1 ? '' : ` (scale ${SCALE}: the targets are meant for scale 1)`));
for (const c of checks) console.log('  ' + c);
console.log(pass ? '\nAll targets met.' : '\nSome targets missed.');
