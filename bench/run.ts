// Coverage benchmark (issues 4 and 11): the UN DESA migrant stock plus a generated world-scale data set, then
// coverageMatrix, gaps, indicatorCoverage and aggregate through the GraphQL API (yoga.fetch, as an anonymous caller:
// PUBLISHED versions only) against the fastest SQL statement found for the same answer, on embedded PGlite and on
// PostgreSQL, in one run.
//
//   npm run bench                         every M49 country × 200 indicators × 20 years (≈ 345 000 submissions,
//                                         ≈ 1 000 000 observations), 9 timed runs per measurement
//   BENCH_SCALE=0.25 npm run bench        50 indicators, for a quicker run
//   BENCH_RUNS=5 BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres BENCH_DBS=pglite,postgres BENCH_KEEP=1
//
// The SQL baseline of each operation is the fastest of several statements: a hand-written one and the hub's own
// (captured from src/coverage/coverage.service.ts with the arguments the resolver passes), each run through raw pg
// on PostgreSQL (through Prisma's $queryRaw on PGlite, whose instance the hub does not expose). Every statement's
// answer is decoded to the same plain form as the GraphQL answer and compared with it field by field before any
// timing counts. GraphQL and SQL runs are interleaved, so a burst of load on this shared machine hits both.
//
// The world-scale data are generated with set-based INSERT … SELECT over generate_series (bench/world.ts), then
// VACUUM ANALYZE, the state autovacuum leaves a table in after a bulk load.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { pino } from 'pino';
import type { Prisma } from '../prisma/generated/prisma/client.js';
import { CLI_ACTOR } from '../src/access/audit.js';
import * as coverage from '../src/coverage/coverage.service.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { dataDir } from '../src/platform/paths.js';
import { seed } from '../src/cli/seed.js';
import { importUndesaIms } from '../src/submissions/undesa.import.js';
import { createApi } from '../src/http/yoga.js';
import { generate, YEARS } from './world.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const RUNS = Number(process.env.BENCH_RUNS ?? '9');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DBS = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',').map((s) => s.trim()) as ('pglite' | 'postgres')[];
const INDICATORS = Math.max(1, Math.round(200 * SCALE));
/** Concurrent matrix requests for the memory measurement. */
const IN_FLIGHT = 4;
const PUBLISHED: coverage.Visibility = { kind: 'PUBLISHED' };

type Json = Record<string, unknown>;
type Rows = Json[];

/** Codes by id, to decode the hub's statements (which answer ids) into the GraphQL answer's form. */
interface Codes {
  indicator: Map<number, string>;
  country: Map<number, string>;
  sourceType: Map<number, string>;
  dataSource: Map<number, string>;
  indicatorId: (code: string) => number;
  /** Ids of the non-retired indicators in code order, and of the non-retired CORE ones. */
  active: number[];
  core: number[];
}

/** A statement that answers an operation, and how to read its rows as the plain answer. */
interface Statement {
  name: string;
  sql: (codes: Codes) => { text: string; values?: unknown[] };
  decode: (rows: Rows, codes: Codes) => unknown;
}

interface Operation {
  name: string;
  graphql: { query: string; variables?: Json };
  /** The plain answer of the GraphQL response's data. */
  decode: (data: Json) => unknown;
  statements: Statement[];
}

/** A captured hub statement: the service function is handed a client that records instead of querying. */
async function hubStatement(run: (db: never) => Promise<unknown>): Promise<{ text: string; values: unknown[] }> {
  let captured: Prisma.Sql | undefined;
  const recorder = {
    $queryRaw: (sql: Prisma.Sql) => {
      captured = sql;
      return Promise.resolve([{}]);
    },
  };
  await run(recorder as never).catch(() => undefined);
  if (!captured) throw new Error('no statement captured');
  return { text: captured.text, values: captured.values };
}

interface Cell {
  indicator: string;
  country: string;
  years: number[];
  latestYear: number;
  sourceType: string | null;
  residenceCriterion: string | null;
}

const byCell = (a: Cell, b: Cell) =>
  a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : a.country < b.country ? -1 : 1;

const MATRIX_FILTER = { window: YEARS };
const matrixQuery = (cells: string) => `query ($filter: CoverageFilter) { coverageMatrix(filter: $filter) {
  indicators { code } countries { m49 } ${cells} } }`;

/** The hub's statement: one row of JSON lists by id. */
const hubMatrix: Statement = {
  name: "hub's statement",
  sql: () => hubStatementCache.matrix!,
  decode: (rows, codes) => {
    const c = JSON.parse(rows[0]!.cells as string) as coverage.CoverageCells;
    return c.indicatorId
      .map<Cell>((id, n) => ({
        indicator: codes.indicator.get(id)!,
        country: codes.country.get(c.countryId[n]!)!,
        years: c.years[n]!,
        latestYear: c.latestYear[n]!,
        sourceType: c.sourceTypeId[n] == null ? null : codes.sourceType.get(c.sourceTypeId[n]!)!,
        residenceCriterion: c.residenceCriterion[n] ?? null,
      }))
      .sort(byCell);
  },
};

const cellRows = (rows: Rows): Cell[] =>
  rows.map((r) => ({
    indicator: r.indicator as string,
    country: r.country as string,
    years: r.years as number[],
    latestYear: r.latestYear as number,
    sourceType: (r.sourceType as string | null) ?? null,
    residenceCriterion: (r.residenceCriterion as string | null) ?? null,
  }));

const countableCte = `
  SELECT DISTINCT ON (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey")
    s."indicatorId", s."countryId", s."referenceYear", s."sourceTypeId", s."residenceCriterion", s."countableSince", s.id
  FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId" AND i.status <> 'RETIRED'
  WHERE s.status = 'PUBLISHED' AND s."referenceYear" BETWEEN ${YEARS.from} AND ${YEARS.to}
  ORDER BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey", s.version DESC`;

const matrixStatements: Statement[] = [
  {
    name: 'hand-written, ordered aggregates',
    sql: () => ({
      text: `
      WITH c AS (${countableCte})
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
    }),
    decode: (rows) => cellRows(rows).sort(byCell),
  },
  {
    name: 'hand-written, latest per year first, rows',
    sql: () => ({
      text: `
      WITH c AS (${countableCte}),
      latest_first AS (
        SELECT * FROM c ORDER BY "indicatorId", "countryId", "referenceYear", "countableSince" DESC NULLS LAST, id DESC
      ),
      per_year AS (
        SELECT DISTINCT ON ("indicatorId", "countryId", "referenceYear") * FROM latest_first
        ORDER BY "indicatorId", "countryId", "referenceYear", "countableSince" DESC NULLS LAST, id DESC
      ),
      cells AS (
        SELECT "indicatorId", "countryId", array_agg("referenceYear") AS years, max("referenceYear") AS "latestYear",
          (array_agg("sourceTypeId"))[count(*)] AS "sourceTypeId",
          (array_agg("residenceCriterion"))[count(*)]::text AS "residenceCriterion"
        FROM per_year GROUP BY "indicatorId", "countryId"
      )
      SELECT i.code AS indicator, co.m49 AS country, years, "latestYear", st.code AS "sourceType", "residenceCriterion"
      FROM cells JOIN "Indicator" i ON i.id = cells."indicatorId" JOIN "Country" co ON co.id = cells."countryId"
      LEFT JOIN "SourceType" st ON st.id = cells."sourceTypeId"`,
    }),
    decode: (rows) => cellRows(rows).sort(byCell),
  },
  hubMatrix,
];

const hubStatementCache: Partial<Record<string, { text: string; values: unknown[] }>> = {};

const operations: Operation[] = [
  {
    name: 'coverageMatrix cells (world, all indicators, 20 years)',
    graphql: {
      query: matrixQuery(
        'cells { indicator { code } country { m49 } years latestYear sourceType { code } residenceCriterion }',
      ),
      variables: { filter: MATRIX_FILTER },
    },
    decode: (d) =>
      (
        (d.coverageMatrix as Json).cells as {
          indicator: { code: string };
          country: { m49: string };
          years: number[];
          latestYear: number;
          sourceType: { code: string } | null;
          residenceCriterion: string | null;
        }[]
      )
        .map<Cell>((c) => ({
          indicator: c.indicator.code,
          country: c.country.m49,
          years: c.years,
          latestYear: c.latestYear,
          sourceType: c.sourceType?.code ?? null,
          residenceCriterion: c.residenceCriterion,
        }))
        .sort(byCell),
    statements: matrixStatements,
  },
  {
    name: 'coverageMatrix cellColumns (the same)',
    graphql: {
      query: matrixQuery(
        'cellColumns { indicatorIndex countryIndex years latestYear sourceTypes { code } sourceTypeIndex residenceCriterion }',
      ),
      variables: { filter: MATRIX_FILTER },
    },
    decode: (d) => {
      const m = d.coverageMatrix as { indicators: { code: string }[]; countries: { m49: string }[]; cellColumns: Json };
      const c = m.cellColumns as {
        indicatorIndex: number[];
        countryIndex: number[];
        years: number[][];
        latestYear: number[];
        sourceTypes: { code: string }[];
        sourceTypeIndex: (number | null)[];
        residenceCriterion: (string | null)[];
      };
      return c.indicatorIndex
        .map<Cell>((i, n) => ({
          indicator: m.indicators[i]!.code,
          country: m.countries[c.countryIndex[n]!]!.m49,
          years: c.years[n]!,
          latestYear: c.latestYear[n]!,
          sourceType: c.sourceTypeIndex[n] == null ? null : c.sourceTypes[c.sourceTypeIndex[n]!]!.code,
          residenceCriterion: c.residenceCriterion[n]!,
        }))
        .sort(byCell);
    },
    statements: matrixStatements,
  },
  {
    name: 'gaps (world, CORE indicators, 2020)',
    graphql: {
      query: `query ($filter: CoverageFilter) { gaps(filter: $filter) {
        kind indicator { code } country { m49 } candidateSources { code } } }`,
      variables: { filter: { window: { from: 2020, to: 2020 } } },
    },
    decode: (d) =>
      (
        d.gaps as {
          kind: string;
          indicator: { code: string };
          country: { m49: string } | null;
          candidateSources: { code: string }[];
        }[]
      ).map((g) => ({
        kind: g.kind,
        indicator: g.indicator.code,
        country: g.country?.m49 ?? null,
        sources: g.candidateSources.map((s) => s.code).sort(),
      })),
    statements: [
      {
        name: 'hand-written',
        sql: () => ({
          text: `
          WITH ind AS (SELECT id, code FROM "Indicator" WHERE tier = 'CORE' AND status <> 'RETIRED'),
          rep AS (
            SELECT DISTINCT "indicatorId", "countryId" FROM "Submission"
            WHERE status = 'PUBLISHED' AND "referenceYear" = 2020
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
          WHERE EXISTS (SELECT 1 FROM "IndicatorSourceType" x WHERE x."indicatorId" = ind.id)
            AND NOT EXISTS (SELECT 1 FROM rep WHERE rep."indicatorId" = ind.id AND rep."countryId" = co.id)
          GROUP BY ind.code, co.m49
          ORDER BY indicator, country NULLS FIRST`,
        }),
        decode: (rows) =>
          rows.map((r) => ({
            kind: r.kind,
            indicator: r.indicator,
            country: r.country,
            sources: [...(r.sources as string[])].sort(),
          })),
      },
      {
        name: "hub's statement",
        sql: () => hubStatementCache.gaps!,
        decode: (rows, codes) =>
          rows.map((r) => ({
            kind: r.kind,
            indicator: codes.indicator.get(r.indicatorId as number),
            country: r.countryId === null ? null : codes.country.get(r.countryId as number),
            sources: (r.dataSourceIds as number[]).map((id) => codes.dataSource.get(id)!).sort(),
          })),
      },
    ],
  },
  {
    name: 'indicatorCoverage (B_000, 2011–2020, byRegion)',
    graphql: {
      query: `query { indicatorCoverage(indicator: "B_000", window: { from: 2011, to: 2020 }) {
        reportingCountries totalCountries byRegion { region { code } reportingCountries totalCountries } } }`,
    },
    decode: (d) => {
      const c = d.indicatorCoverage as {
        reportingCountries: number;
        totalCountries: number;
        byRegion: { region: { code: string }; reportingCountries: number; totalCountries: number }[];
      };
      return {
        reporting: c.reportingCountries,
        total: c.totalCountries,
        byRegion: c.byRegion.map((r) => ({
          region: r.region.code,
          reporting: r.reportingCountries,
          total: r.totalCountries,
        })),
      };
    },
    statements: [
      {
        name: 'hand-written',
        sql: () => ({
          text: `
          WITH rep AS (
            SELECT DISTINCT s."countryId" FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId"
            WHERE i.code = 'B_000' AND s.status = 'PUBLISHED' AND s."referenceYear" BETWEEN 2011 AND 2020
          )
          SELECT r.code AS region, GROUPING(r.code) = 1 AS overall, count(*)::int AS total,
            count(rep."countryId")::int AS reporting
          FROM "Country" co
          LEFT JOIN ("RegionMembership" rm JOIN "Region" r ON r.id = rm."regionId" AND r.level = 'REGION')
            ON rm."countryId" = co.id
          LEFT JOIN rep ON rep."countryId" = co.id
          GROUP BY ROLLUP (r.code)
          ORDER BY r.code NULLS FIRST`,
        }),
        decode: (rows) => {
          const all = rows.find((r) => r.overall)!;
          return {
            reporting: all.reporting,
            total: all.total,
            byRegion: rows
              .filter((r) => !r.overall && r.region !== null)
              .map((r) => ({ region: r.region, reporting: r.reporting, total: r.total })),
          };
        },
      },
      {
        name: "hub's statement",
        sql: () => hubStatementCache.indicatorCoverage!,
        decode: (rows) => {
          const all = rows.find((r) => r.overall)!;
          return {
            reporting: all.reporting,
            total: all.total,
            byRegion: rows
              .filter((r) => !r.overall && r.region !== null)
              .map((r) => ({
                region: (r.region as { code: string }).code,
                reporting: r.reporting,
                total: r.total,
              })),
          };
        },
      },
    ],
  },
  {
    name: 'aggregate (B_000, 2020, world, females)',
    graphql: {
      query: `query { aggregate(indicator: "B_000", year: 2020, sex: "F") {
        value countriesIncluded countriesInScope missing { m49 } } }`,
    },
    decode: (d) => {
      const a = d.aggregate as { value: number; countriesIncluded: number; countriesInScope: number; missing: Json[] };
      return {
        value: a.value,
        included: a.countriesIncluded,
        inScope: a.countriesInScope,
        missing: a.missing.map((c) => c.m49),
      };
    },
    statements: [
      {
        name: 'hand-written',
        sql: () => ({
          text: `
          WITH c AS (
            SELECT DISTINCT ON (s."countryId", s."sourceKey") s.id, s."countryId", s."countableSince"
            FROM "Submission" s JOIN "Indicator" i ON i.id = s."indicatorId"
            WHERE i.code = 'B_000' AND s."referenceYear" = 2020 AND s.status = 'PUBLISHED'
            ORDER BY s."countryId", s."sourceKey", s.version DESC
          ),
          v AS (
            SELECT DISTINCT ON (c."countryId") c."countryId", o.value
            FROM c JOIN "Observation" o ON o."submissionId" = c.id AND o."dimensionKey" = 'SEX=F'
            ORDER BY c."countryId", c."countableSince" DESC NULLS LAST, c.id DESC
          )
          SELECT sum(v.value) AS value, count(v.value)::int AS included, count(*)::int AS "inScope",
            coalesce(array_agg(co.m49 ORDER BY co.m49) FILTER (WHERE v.value IS NULL), '{}') AS missing
          FROM "Country" co LEFT JOIN v ON v."countryId" = co.id`,
        }),
        decode: ([r]) => ({ value: r!.value, included: r!.included, inScope: r!.inScope, missing: r!.missing }),
      },
      {
        name: "hub's statement",
        sql: () => hubStatementCache.aggregate!,
        decode: ([r], codes) => ({
          value: r!.value,
          included: r!.countriesIncluded,
          inScope: r!.countriesInScope,
          missing: (r!.missingIds as number[]).map((id) => codes.country.get(id)),
        }),
      },
    ],
  },
];

/** Captures the hub's statements with the arguments its resolvers pass for the operations above. */
async function captureHubStatements(codes: Codes) {
  hubStatementCache.matrix = coverage.coverageCellsStatement(PUBLISHED, codes.active, { window: YEARS });
  hubStatementCache.gaps = await hubStatement((db) =>
    coverage.gaps(db, PUBLISHED, codes.core, { window: { from: 2020, to: 2020 } }),
  );
  hubStatementCache.indicatorCoverage = await hubStatement((db) =>
    coverage.indicatorCoverage(
      db,
      PUBLISHED,
      { code: 'B_000' },
      { window: { from: 2011, to: 2020 }, regionCode: null },
    ),
  );
  hubStatementCache.aggregate = await hubStatement((db) =>
    coverage.aggregate(db, PUBLISHED, { code: 'B_000', additiveOnly: true }, 2020, { regionCode: null }, 'SEX=F'),
  );
}

async function loadCodes(db: Database): Promise<Codes> {
  const p = db.prisma;
  const [indicators, countries, sourceTypes, dataSources] = await Promise.all([
    p.indicator.findMany({ orderBy: { code: 'asc' } }),
    p.country.findMany(),
    p.sourceType.findMany(),
    p.dataSource.findMany(),
  ]);
  const byCode = new Map(indicators.map((i) => [i.code, i.id]));
  return {
    indicator: new Map(indicators.map((i) => [i.id, i.code])),
    country: new Map(countries.map((c) => [c.id, c.m49])),
    sourceType: new Map(sourceTypes.map((s) => [s.id, s.code])),
    dataSource: new Map(dataSources.map((d) => [d.id, d.code])),
    indicatorId: (code) => byCode.get(code)!,
    active: indicators.filter((i) => i.status !== 'RETIRED').map((i) => i.id),
    core: indicators.filter((i) => i.status !== 'RETIRED' && i.tier === 'CORE').map((i) => i.id),
  };
}

/** The first place two plain answers differ, as a path and both values; null when equal. */
function difference(a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = difference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return `${path}: ${a.length} vs ${b.length} entries`;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = difference((a as Json)[key], (b as Json)[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  return `${path || '(answer)'}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Each function once to warm up, then RUNS rounds, each running every function once in turn. */
async function interleaved(fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const fn of fns) await fn();
  const times = fns.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < fns.length; i++) {
      const start = performance.now();
      await fns[i]!();
      times[i]!.push(performance.now() - start);
    }
  }
  return times.map(median);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and external memory (MB) above the idle level at the peak of `n` concurrent runs of `fn`, per run. */
async function inFlightMemory(n: number, fn: () => Promise<unknown>): Promise<{ heap: number; rss: number }> {
  gc();
  const base = process.memoryUsage();
  let peak = { heap: 0, rss: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak = {
      heap: Math.max(peak.heap, m.heapUsed + m.external - base.heapUsed - base.external),
      rss: Math.max(peak.rss, m.rss - base.rss),
    };
  };
  const timer = setInterval(sample, 2);
  await Promise.all(Array.from({ length: n }, fn));
  sample();
  clearInterval(timer);
  return { heap: peak.heap / n / 1e6, rss: peak.rss / n / 1e6 };
}

interface Result {
  graphql: number;
  statements: { name: string; ms: number }[];
  bytes: number;
  gzipBytes: number;
  memory?: { heap: number; rss: number };
}
type Results = Record<string, Result>;

async function benchmark(kind: 'pglite' | 'postgres'): Promise<Results> {
  let db: Database;
  let raw: pg.Client | undefined;
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
    raw = new pg.Client({ connectionString: url.toString() });
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
    await db.prisma.$executeRawUnsafe('VACUUM ANALYZE');
    console.log(
      `  [${kind}] generated ${INDICATORS} indicators × 248 countries × 20 years: ` +
        `${counts.submissions} submissions, ${counts.observations} observations in ${sec(t)}`,
    );
    await raw?.connect();
    const codes = await loadCodes(db);
    await captureHubStatements(codes);
    const run = async (s: Statement): Promise<Rows> => {
      const { text, values } = s.sql(codes);
      if (raw) return (await raw.query(text, values)).rows as Rows;
      return db.prisma.$queryRawUnsafe<Rows>(text, ...(values ?? []));
    };
    const api = createApi({
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      db,
      logger: pino({ level: 'silent' }),
    });
    const request = (op: Operation, encoding?: string) =>
      api.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(encoding ? { 'accept-encoding': encoding } : {}) },
        body: JSON.stringify(op.graphql),
      });
    const results: Results = {};
    for (const op of operations) {
      // The answers first, compared field by field: GraphQL's with every statement's.
      const text = await (await request(op)).text();
      const gzipBytes = (await (await request(op, 'gzip')).arrayBuffer()).byteLength;
      const body = JSON.parse(text) as { data?: Json; errors?: unknown[] };
      if (body.errors || !body.data) throw new Error(`${op.name}: ${JSON.stringify(body.errors)}`);
      const answer = op.decode(body.data);
      for (const s of op.statements) {
        const d = difference(answer, s.decode(await run(s), codes));
        if (d) throw new Error(`${op.name}: GraphQL and "${s.name}" disagree at ${d}`);
      }
      // Timed until the whole response body is read; the client's JSON.parse is left out, as the SQL side's
      // rows are already JavaScript values.
      const [graphql, ...statementTimes] = await interleaved([
        async () => (await request(op)).text(),
        ...op.statements.map((s) => () => run(s)),
      ]);
      results[op.name] = {
        graphql: graphql!,
        statements: op.statements.map((s, i) => ({ name: s.name, ms: statementTimes[i]! })),
        bytes: text.length,
        gzipBytes,
      };
      if (kind === 'postgres' && op.name.startsWith('coverageMatrix')) {
        // As a browser asks: gzip accepted, the compressed body read to the end.
        results[op.name]!.memory = await inFlightMemory(IN_FLIGHT, async () =>
          (await request(op, 'gzip')).arrayBuffer(),
        );
      }
      const r = results[op.name]!;
      console.log(
        `  [${kind}] ${op.name}: GraphQL ${fmt(r.graphql)}; ` +
          r.statements.map((s) => `${s.name} ${fmt(s.ms)}`).join(', ') +
          ` (answers agree field by field: ${Array.isArray(answer) ? answer.length + ' entries' : 'one answer'}; ` +
          `response ${mb(r.bytes)}, gzip ${mb(r.gzipBytes)}` +
          (r.memory ? `; ${IN_FLIGHT} in flight: ${r.memory.heap.toFixed(0)} MB heap per request)` : ')'),
      );
    }
    return results;
  } finally {
    await raw?.end();
    await db.close();
    // BENCH_KEEP=1 leaves the PostgreSQL database in place, to EXPLAIN the queries afterwards.
    if (process.env.BENCH_KEEP !== '1') await drop?.();
    else if (drop) console.log(`  [${kind}] kept ${db.location}`);
  }
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const sec = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;
const fastest = (r: Result) => r.statements.reduce((a, b) => (b.ms < a.ms ? b : a));

console.log(
  `Coverage benchmark: scale ${SCALE} (${INDICATORS} generated indicators), medians of ${RUNS} interleaved runs ` +
    `after a warm-up, databases: ${DBS.join(', ')}, NODE_ENV=${process.env.NODE_ENV ?? '(unset)'}`,
);
const all: Partial<Record<'pglite' | 'postgres', Results>> = {};
for (const kind of DBS) all[kind] = await benchmark(kind);

console.log('\nMedians (ms); SQL = the fastest statement, named');
const header = ['operation', 'db', 'GraphQL', 'SQL', 'fastest statement', 'GraphQL/SQL', 'PGlite/PostgreSQL (GraphQL)'];
const lines: string[][] = [header];
let pass = true;
const checks: string[] = [];
for (const op of operations) {
  for (const kind of DBS) {
    const r = all[kind]![op.name]!;
    const best = fastest(r);
    const ratio = r.graphql / best.ms;
    const cross =
      kind === 'pglite' && all.postgres ? (r.graphql / all.postgres[op.name]!.graphql).toFixed(2) + '×' : '';
    lines.push([op.name, kind, r.graphql.toFixed(1), best.ms.toFixed(1), best.name, ratio.toFixed(2) + '×', cross]);
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
  for (const op of operations.filter((o) => o.name.startsWith('coverageMatrix'))) {
    const r = all.postgres[op.name]!;
    const hub = r.statements.find((s) => s.name === "hub's statement")!;
    const checks1 = [
      [`world-scale ${op.name} < 1 s on PostgreSQL: ${fmt(r.graphql)}`, r.graphql < 1000],
      [
        `${op.name}: GraphQL ≤ 1.3× the hub's statement through raw pg: ${(r.graphql / hub.ms).toFixed(2)}×`,
        r.graphql <= 1.3 * hub.ms,
      ],
      [
        `${op.name}: < 50 MB per request in flight: ${r.memory!.heap.toFixed(0)} MB heap, ${r.memory!.rss.toFixed(0)} MB RSS`,
        r.memory!.heap < 50,
      ],
    ] as const;
    for (const [text, ok] of checks1) {
      pass &&= ok;
      checks.push(`${ok ? 'PASS' : 'FAIL'} ${text}`);
    }
  }
}
console.log('\nTargets' + (SCALE === 1 ? '' : ` (scale ${SCALE}: the targets are meant for scale 1)`));
for (const c of checks) console.log('  ' + c);
console.log(pass ? '\nAll targets met.' : '\nSome targets missed.');
