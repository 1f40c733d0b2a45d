// Coverage, gaps and comparability (CONTRACT §4), computed in the database: every function is one set-based SQL
// statement over id lists, so GraphQL loaders can batch a whole page into one call. The SQL is plain PostgreSQL
// that PGlite runs unchanged.
//
// Every function takes the caller's Visibility and reads only the versions that caller may see: the countable rule
// (CONTRACT §4) is written once, in src/submissions/visibility.ts. Two consequences the queries rely on:
//  - "C reports I in W" only asks whether a countable version exists, which is the same as asking whether any
//    visible version of the key with a year in W matches `countableStatus`: a newer draft, pending or rejected
//    version cannot hide it, and drafts, pending and rejected versions alone never make one. Counting queries use
//    that semi-join.
//  - Anything that reads the attributes of the countable version (source type, residence criterion, values) takes
//    it from `countableVersions` (DISTINCT ON over the key).
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { BuildingBlock, ResidenceCriterion } from '../../prisma/generated/prisma/enums.js';
import type { PrismaClient } from '../platform/db.js';
import { COUNTRIES_VERSION } from '../geography/reference.js';
import { countableStatus, countableVersions as countableOf, type Visibility } from '../submissions/visibility.js';

export type { Visibility };

export interface YearWindow {
  /** First reference year, inclusive. */
  from: number;
  /** Last reference year, inclusive. */
  to: number;
}

/** Which countries and reference years a question is about. */
export interface Scope {
  /** Reference years; any year when absent. */
  window?: YearWindow | null;
  /** Countries inside this region at any depth of the M49 hierarchy; every country when absent. */
  regionId?: number | null;
  /** The same by M49 code, resolved inside the statement (saves a round trip; an unknown code selects nothing). */
  regionCode?: string | null;
  /** Intersected with the region when given. */
  countryIds?: readonly number[] | null;
}

type Db = Pick<PrismaClient, '$queryRaw'>;

const ids = (list: readonly number[]) => Prisma.sql`${[...list]}::int[]`;

/**
 * Indicators by id (loaders batching a page) or by code (root fields, which look the code up in parallel rather
 * than before the statement: one round trip less on every call).
 */
export type Indicators = readonly number[] | { code: string; additiveOnly?: boolean };

function indicatorArray(indicators: Indicators): Prisma.Sql {
  if (Array.isArray(indicators)) return ids(indicators as readonly number[]);
  const { code, additiveOnly } = indicators as { code: string; additiveOnly?: boolean };
  const additive = additiveOnly ? Prisma.sql`AND additive` : Prisma.empty;
  // The cast makes it an array expression: ANY(subquery) would compare with each row instead.
  return Prisma.sql`(SELECT coalesce(array_agg(id), '{}'::int[]) FROM "Indicator" WHERE code = ${code} ${additive})::int[]`;
}

/** An M49 region as stored (the shape of the Region node). */
export interface RegionRow {
  id: number;
  code: string;
  name: string;
  level: 'WORLD' | 'REGION' | 'SUB_REGION' | 'INTERMEDIATE_REGION';
  parentId: number | null;
}

/** `AND <alias>."referenceYear" BETWEEN from AND to`, or nothing. */
export function yearCondition(alias: string, window: YearWindow | null | undefined): Prisma.Sql {
  if (!window) return Prisma.empty;
  return Prisma.sql`AND ${Prisma.raw(alias)}."referenceYear" BETWEEN ${window.from}::int AND ${window.to}::int`;
}

/** The ids of the countries in scope, as a SELECT with one column "countryId". */
export function scopeCountries(scope: Scope): Prisma.Sql {
  const region =
    scope.regionId != null
      ? Prisma.sql`AND c.id IN (SELECT rm."countryId" FROM "RegionMembership" rm WHERE rm."regionId" = ${scope.regionId}::int)`
      : scope.regionCode != null
        ? Prisma.sql`AND c.id IN (SELECT rm."countryId" FROM "RegionMembership" rm
            JOIN "Region" r ON r.id = rm."regionId" WHERE r.code = ${scope.regionCode})`
        : Prisma.empty;
  const countries = scope.countryIds ? Prisma.sql`AND c.id = ANY(${ids(scope.countryIds)})` : Prisma.empty;
  return Prisma.sql`SELECT c.id AS "countryId" FROM "Country" c WHERE TRUE ${region} ${countries}`;
}

/** (indicatorId, countryId) pairs that report: some visible version in the window may be countable. */
function reportingPairs(vis: Visibility, indicatorIds: Prisma.Sql, window: YearWindow | null | undefined): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT s."indicatorId", s."countryId"
    FROM "Submission" s
    WHERE ${countableStatus(vis, 's')} AND s."indicatorId" = ANY(${indicatorIds}) ${yearCondition('s', window)}`;
}

/**
 * The countable version, for the caller, of every submission key of the given indicators in the window (and, when
 * given, of the countries in `countryFilter`): every column of Submission.
 */
export function countableVersions(
  vis: Visibility,
  indicatorIds: Prisma.Sql,
  window: YearWindow | null | undefined,
  countryFilter: Prisma.Sql = Prisma.empty,
  columns?: Prisma.Sql,
): Prisma.Sql {
  return countableOf(
    vis,
    Prisma.sql`s."indicatorId" = ANY(${indicatorIds}) ${yearCondition('s', window)} ${countryFilter}`,
    columns,
  );
}

/**
 * The country value rule (CONTRACT §4), for every observation key at once: of the countable versions in `countable`
 * (a `countableVersions` statement) that carry an observation with the same (country, indicator, reference year,
 * dimension key), the one validated or published most recently (then the newest row). With `dimensionKey`, only
 * that key ("" is the total). Columns: the countable version's (`submissionId` for its id) plus dimensionKey and
 * value. Aggregates, `countryValues` and the SDMX observations all read country values through this.
 */
export function countryValueObservations(countable: Prisma.Sql, dimensionKey?: string | null): Prisma.Sql {
  const key = dimensionKey != null ? Prisma.sql`AND o."dimensionKey" = ${dimensionKey}` : Prisma.empty;
  return Prisma.sql`
    SELECT DISTINCT ON (c."countryId", c."indicatorId", c."referenceYear", o."dimensionKey")
      c.id AS "submissionId", c."countryId", c."indicatorId", c."referenceYear", c."sourceTypeId", c."dataSourceId",
      c."residenceCriterion", c.origin, c.status, c.unit, c."countableSince", c."updatedAt", o."dimensionKey", o.value
    FROM (${countable}) c JOIN "Observation" o ON o."submissionId" = c.id ${key}
    ORDER BY c."countryId", c."indicatorId", c."referenceYear", o."dimensionKey", c."countableSince" DESC NULLS LAST,
      c.id DESC`;
}

/**
 * Of several countable submissions, the latest: the most recent reference year, then the one validated or
 * published most recently, then the newest row. Used as an ORDER BY tail after DISTINCT ON columns.
 */
const LATEST_ORDER = Prisma.sql`"referenceYear" DESC, "countableSince" DESC NULLS LAST, id DESC`;

export interface RegionCount {
  regionId: number;
  region: RegionRow;
  reportingCountries: number;
  totalCountries: number;
}

export interface IndicatorCoverageResult {
  indicatorId: number;
  reportingCountries: number;
  totalCountries: number;
  /** Per top-level M49 region (Africa, Americas, Asia, Europe, Oceania) with countries in scope, by region code. */
  byRegion: RegionCount[];
}

/** Coverage of each indicator over the countries in scope: in the order of the ids, or the one indicator of a code. */
export async function indicatorCoverage(
  prisma: Db,
  vis: Visibility,
  indicators: Indicators,
  scope: Scope,
): Promise<IndicatorCoverageResult[]> {
  if (Array.isArray(indicators) && !indicators.length) return [];
  // Counted first, per top-level region; the few region rows are attached to the counts afterwards.
  const inScope = isWorld(scope) ? Prisma.empty : Prisma.sql`AND co.id IN (${scopeCountries(scope)})`;
  const rows = await prisma.$queryRaw<
    { indicatorId: number; region: RegionRow | null; overall: boolean; total: number; reporting: number }[]
  >(Prisma.sql`
    WITH ind AS (SELECT DISTINCT unnest(${indicatorArray(indicators)}) AS "indicatorId"),
    base AS (
      SELECT co.id AS "countryId", rm."regionId"
      FROM "Country" co
      LEFT JOIN "RegionMembership" rm ON rm."countryId" = co.id
        AND rm."regionId" IN (SELECT id FROM "Region" WHERE level = 'REGION')
      WHERE TRUE ${inScope}
    ),
    rep AS (${reportingPairs(vis, Prisma.sql`(SELECT array_agg("indicatorId") FROM ind)::int[]`, scope.window)}),
    counts AS (
      SELECT ind."indicatorId", base."regionId", GROUPING(base."regionId") = 1 AS overall,
        count(*)::int AS total, count(rep."countryId")::int AS reporting
      FROM ind CROSS JOIN base
      LEFT JOIN rep ON rep."indicatorId" = ind."indicatorId" AND rep."countryId" = base."countryId"
      GROUP BY GROUPING SETS ((ind."indicatorId"), (ind."indicatorId", base."regionId"))
    )
    SELECT counts."indicatorId", counts.overall, counts.total, counts.reporting,
      CASE WHEN r.id IS NULL THEN NULL ELSE
        jsonb_build_object('id', r.id, 'code', r.code, 'name', r.name, 'level', r.level, 'parentId', r."parentId")
      END AS region
    FROM counts LEFT JOIN "Region" r ON r.id = counts."regionId" AND NOT counts.overall
    ORDER BY counts."indicatorId", r.code`);
  const order = Array.isArray(indicators)
    ? (indicators as readonly number[])
    : [...new Set(rows.map((r) => r.indicatorId))];
  const byId = new Map<number, IndicatorCoverageResult>();
  for (const id of order) {
    byId.set(id, { indicatorId: id, reportingCountries: 0, totalCountries: 0, byRegion: [] });
  }
  for (const row of rows) {
    const result = byId.get(row.indicatorId);
    if (!result) continue;
    if (row.overall) {
      result.reportingCountries = row.reporting;
      result.totalCountries = row.total;
    } else if (row.region !== null) {
      result.byRegion.push({
        regionId: row.region.id,
        region: row.region,
        reportingCountries: row.reporting,
        totalCountries: row.total,
      });
    }
  }
  return order.map((id) => byId.get(id)!);
}

/** Coverage of one indicator in each region (countries at any depth), in the order of `regionIds`. */
export async function regionCoverage(
  prisma: Db,
  vis: Visibility,
  regionIds: readonly number[],
  indicatorId: number,
  window: YearWindow | null | undefined,
): Promise<RegionCount[]> {
  if (!regionIds.length) return [];
  const rows = await prisma.$queryRaw<RegionCount[]>(Prisma.sql`
    WITH rep AS (${reportingPairs(vis, ids([indicatorId]), window)})
    SELECT reg.id AS "regionId",
      jsonb_build_object('id', reg.id, 'code', reg.code, 'name', reg.name, 'level', reg.level,
        'parentId', reg."parentId") AS region,
      count(rm."countryId")::int AS "totalCountries", count(rep."countryId")::int AS "reportingCountries"
    FROM "Region" reg
    LEFT JOIN "RegionMembership" rm ON rm."regionId" = reg.id
    LEFT JOIN rep ON rep."countryId" = rm."countryId"
    WHERE reg.id = ANY(${ids(regionIds)})
    GROUP BY reg.id`);
  const byId = new Map(rows.map((row) => [row.regionId, row]));
  // Ids come from Region nodes being resolved, so each has a row.
  return regionIds.map((id) => byId.get(id)!);
}

export const BUILDING_BLOCKS: readonly BuildingBlock[] = [
  'IMMIGRATION_FLOW',
  'EMIGRATION_FLOW',
  'IMMIGRANT_STOCK',
  'EMIGRANT_STOCK',
];

export interface CountryCoverageResult {
  countryId: number;
  coreReported: number;
  coreTotal: number;
  /** Every building block, in CONTRACT order; CORE indicators without a building block count only in the totals. */
  byBuildingBlock: { buildingBlock: BuildingBlock; reported: number; total: number }[];
  /** The CORE indicators the country does not report in the window, by indicator code. */
  missingCoreIds: number[];
}

/** Coverage of the CORE, non-retired indicators by each country, in the order of `countryIds`. */
export async function countryCoverage(
  prisma: Db,
  vis: Visibility,
  countryIds: readonly number[],
  window: YearWindow | null | undefined,
): Promise<CountryCoverageResult[]> {
  if (!countryIds.length) return [];
  // One row per (country, CORE indicator): at most countries × CORE indicators, summed up below.
  const rows = await prisma.$queryRaw<
    { countryId: number; indicatorId: number; buildingBlock: BuildingBlock | null; reported: boolean }[]
  >(Prisma.sql`
    WITH core AS (SELECT id, code, "buildingBlock" FROM "Indicator" WHERE tier = 'CORE' AND status <> 'RETIRED'),
    c AS (SELECT DISTINCT unnest(${ids(countryIds)}) AS "countryId"),
    rep AS (
      SELECT DISTINCT s."countryId", s."indicatorId"
      FROM "Submission" s JOIN core ON core.id = s."indicatorId"
      WHERE ${countableStatus(vis, 's')} AND s."countryId" = ANY(${ids(countryIds)})
        ${yearCondition('s', window)}
    )
    SELECT c."countryId", core.id AS "indicatorId", core."buildingBlock"::text AS "buildingBlock",
      rep."countryId" IS NOT NULL AS reported
    FROM c CROSS JOIN core
    LEFT JOIN rep ON rep."countryId" = c."countryId" AND rep."indicatorId" = core.id
    ORDER BY c."countryId", core.code`);
  const byId = new Map<number, CountryCoverageResult>();
  for (const id of countryIds) {
    byId.set(id, {
      countryId: id,
      coreReported: 0,
      coreTotal: 0,
      byBuildingBlock: BUILDING_BLOCKS.map((buildingBlock) => ({ buildingBlock, reported: 0, total: 0 })),
      missingCoreIds: [],
    });
  }
  for (const row of rows) {
    const result = byId.get(row.countryId)!;
    result.coreTotal++;
    if (row.reported) result.coreReported++;
    else result.missingCoreIds.push(row.indicatorId);
    const block = result.byBuildingBlock.find((b) => b.buildingBlock === row.buildingBlock);
    if (block) {
      block.total++;
      if (row.reported) block.reported++;
    }
  }
  return countryIds.map((id) => byId.get(id)!);
}

/**
 * The reporting (indicator, country) pairs in scope, column-wise: entry n of every list describes the n-th pair,
 * ordered by indicator and country id.
 */
export interface CoverageCells {
  indicatorId: number[];
  countryId: number[];
  /** Reference years with a countable submission in the window, ascending. */
  years: number[][];
  latestYear: number[];
  /** Source type and residence criterion of the latest countable submission in the window. */
  sourceTypeId: (number | null)[];
  residenceCriterion: (ResidenceCriterion | null)[];
}

/**
 * The statement behind `coverageCells`, exported for the benchmark (bench/run.ts times it through raw pg).
 *
 * The countable versions come from an index-only scan of Submission_countable_idx in key order; each (indicator,
 * country, year)'s versions are then put latest first (an incremental sort of a few rows at a time, as they arrive
 * already grouped), the latest of each year kept, and the years of each pair collected in that order: the last
 * year's entry is the latest submission. Ordered aggregates (`array_agg(… ORDER BY …)`) would sort every pair's
 * rows once per aggregate, which at world scale was most of the statement. The answer is one row of JSON lists:
 * the client parses that natively (JSON.parse), where tens of thousands of rows of int arrays cost it more to
 * parse and collect than the statement costs to run.
 */
export function coverageCellsStatement(vis: Visibility, indicatorIds: readonly number[], scope: Scope): Prisma.Sql {
  const inScope = isWorld(scope) ? Prisma.empty : Prisma.sql`AND s."countryId" IN (${scopeCountries(scope)})`;
  const columns = Prisma.sql`s."indicatorId", s."countryId", s."referenceYear", s."sourceTypeId",
    s."residenceCriterion", s."countableSince", s.id`;
  const latestFirst = Prisma.sql`"indicatorId", "countryId", "referenceYear", "countableSince" DESC NULLS LAST, id DESC`;
  const list = (column: string) => Prisma.raw(`'${column}', coalesce(json_agg("${column}"), '[]')`);
  // The documented alternative to ORDER BY inside an aggregate: rows from a sorted subquery reach it in that order
  // (nothing above joins or re-sorts them), so the years arrive ascending, each pair's last entry is its latest
  // year's, and the lists follow the pairs' order. The coverageMatrix tests pin this on pairs with several sources
  // in a year.
  return Prisma.sql`
    WITH countable AS (${countableVersions(vis, ids(indicatorIds), scope.window, inScope, columns)}),
    latest_first AS (SELECT * FROM countable ORDER BY ${latestFirst}),
    per_year AS (
      SELECT DISTINCT ON ("indicatorId", "countryId", "referenceYear")
        "indicatorId", "countryId", "referenceYear", "sourceTypeId", "residenceCriterion"
      FROM latest_first ORDER BY ${latestFirst}
    ),
    cells AS (
      SELECT "indicatorId", "countryId", json_agg("referenceYear") AS years, max("referenceYear") AS "latestYear",
        (array_agg("sourceTypeId"))[count(*)] AS "sourceTypeId",
        (array_agg("residenceCriterion"))[count(*)] AS "residenceCriterion"
      FROM per_year
      GROUP BY "indicatorId", "countryId"
      ORDER BY "indicatorId", "countryId"
    )
    SELECT json_build_object(${list('indicatorId')}, ${list('countryId')}, ${list('years')}, ${list('latestYear')},
      ${list('sourceTypeId')}, ${list('residenceCriterion')})::text AS cells
    FROM cells`;
}

/** The reporting (indicator, country) pairs in scope, ordered by indicator and country id. */
export async function coverageCells(
  prisma: Db,
  vis: Visibility,
  indicatorIds: readonly number[],
  scope: Scope,
): Promise<CoverageCells> {
  if (!indicatorIds.length) {
    return { indicatorId: [], countryId: [], years: [], latestYear: [], sourceTypeId: [], residenceCriterion: [] };
  }
  // As text, parsed here: Prisma would walk a JSON value of this size element by element.
  const [row] = await prisma.$queryRaw<{ cells: string }[]>(coverageCellsStatement(vis, indicatorIds, scope));
  return JSON.parse(row!.cells) as CoverageCells;
}

/** Whether a scope covers every country (no region, no country list). */
function isWorld(scope: Scope): boolean {
  return scope.regionId == null && scope.regionCode == null && !scope.countryIds;
}

export type GapKind = 'NO_CANDIDATE_SOURCE' | 'NO_FEASIBLE_SOURCE' | 'FEASIBLE_NOT_REPORTED';

export interface GapResult {
  kind: GapKind;
  indicatorId: number;
  /** Null for NO_CANDIDATE_SOURCE. */
  countryId: number | null;
  /** The country's data sources whose type is linked to the indicator as PRIMARY or SECONDARY. */
  dataSourceIds: number[];
}

/**
 * Gaps of the given indicators over the countries in scope (CONTRACT §4): an indicator with no linked source type
 * yields exactly its one NO_CANDIDATE_SOURCE gap (the hole is in the catalogue); the others one gap per country in
 * scope that does not report them. Gaps ordered by indicator code, then the indicator-level
 * NO_CANDIDATE_SOURCE gap, then country M49 code.
 */
export async function gaps(
  prisma: Db,
  vis: Visibility,
  indicatorIds: readonly number[],
  scope: Scope,
): Promise<GapResult[]> {
  if (!indicatorIds.length) return [];
  return prisma.$queryRaw<GapResult[]>(Prisma.sql`
    WITH scope AS (${scopeCountries(scope)}),
    ind AS (SELECT i.id AS "indicatorId", i.code FROM "Indicator" i WHERE i.id = ANY(${ids(indicatorIds)})),
    rep AS (${reportingPairs(vis, ids(indicatorIds), scope.window)}),
    feasible AS (
      SELECT ist."indicatorId", ds."countryId", ds.id AS "dataSourceId"
      FROM "IndicatorSourceType" ist
      JOIN "DataSource" ds ON ds."sourceTypeId" = ist."sourceTypeId"
      WHERE ist."indicatorId" = ANY(${ids(indicatorIds)}) AND ist.suitability IN ('PRIMARY', 'SECONDARY')
    ),
    per_country AS (
      SELECT ind."indicatorId", ind.code, scope."countryId",
        coalesce(array_agg(f."dataSourceId" ORDER BY f."dataSourceId") FILTER (WHERE f."dataSourceId" IS NOT NULL),
          '{}'::int[]) AS "dataSourceIds"
      FROM ind CROSS JOIN scope
      LEFT JOIN rep ON rep."indicatorId" = ind."indicatorId" AND rep."countryId" = scope."countryId"
      LEFT JOIN feasible f ON f."indicatorId" = ind."indicatorId" AND f."countryId" = scope."countryId"
      WHERE rep."countryId" IS NULL
        -- An indicator with no linked source type has its one NO_CANDIDATE_SOURCE gap and no per-country gaps.
        AND EXISTS (SELECT 1 FROM "IndicatorSourceType" ist WHERE ist."indicatorId" = ind."indicatorId")
      GROUP BY ind."indicatorId", ind.code, scope."countryId"
    )
    SELECT kind, "indicatorId", "countryId", "dataSourceIds" FROM (
      SELECT 'NO_CANDIDATE_SOURCE' AS kind, ind."indicatorId", NULL::int AS "countryId", '{}'::int[] AS "dataSourceIds",
        ind.code, '' AS m49
      FROM ind
      WHERE NOT EXISTS (SELECT 1 FROM "IndicatorSourceType" ist WHERE ist."indicatorId" = ind."indicatorId")
      UNION ALL
      SELECT CASE WHEN cardinality(pc."dataSourceIds") = 0 THEN 'NO_FEASIBLE_SOURCE' ELSE 'FEASIBLE_NOT_REPORTED' END,
        pc."indicatorId", pc."countryId", pc."dataSourceIds", pc.code, c.m49
      FROM per_country pc JOIN "Country" c ON c.id = pc."countryId"
    ) g
    ORDER BY code, m49`);
}

export interface CriterionCountResult {
  criterion: ResidenceCriterion;
  countries: number;
}

/**
 * For each residence criterion (all of them, in enum order, zero included), how many countries' latest countable
 * submission of the indicator in the window used it. Countries whose latest submission names no criterion are in
 * no bucket.
 */
export async function comparability(
  prisma: Db,
  vis: Visibility,
  indicatorId: number,
  window: YearWindow | null | undefined,
): Promise<CriterionCountResult[]> {
  return prisma.$queryRaw<CriterionCountResult[]>(Prisma.sql`
    WITH countable AS (${countableVersions(vis, ids([indicatorId]), window)}),
    latest AS (
      SELECT DISTINCT ON ("countryId") "countryId", "residenceCriterion"
      FROM countable ORDER BY "countryId", ${LATEST_ORDER}
    ),
    crit AS (SELECT unnest(enum_range(NULL::"ResidenceCriterion")) AS criterion)
    SELECT crit.criterion::text AS criterion, count(latest."countryId")::int AS countries
    FROM crit LEFT JOIN latest ON latest."residenceCriterion" = crit.criterion
    GROUP BY crit.criterion
    ORDER BY crit.criterion`);
}

export interface AggregateResult {
  /** Sum of the country values; null when no country in scope has one. */
  value: number | null;
  countriesIncluded: number;
  countriesInScope: number;
  /** Countries in scope without a value, ordered by M49 code. */
  missingIds: number[];
  /** COUNTRIES_VERSION as of this answer: resolve `missingIds` with countriesByIds (services/reference.ts). */
  countriesVersion: string;
  /** Of the countries included, how many values were produced under each residence criterion, and under none. */
  byCriterion: Record<ResidenceCriterion, number>;
  withoutCriterion: number;
  /** Of the countries included, how many values are international estimates (UN DESA), not the country's own. */
  estimates: number;
}

/** The observation key of a total ("") or of one sex with every other dimension at its total ("SEX=F"). */
export function dimensionKeyForSex(sex: string | null | undefined): string {
  return !sex || sex === '_T' ? '' : `SEX=${sex}`;
}

/**
 * Sum of the country values of an indicator in a year over the countries in scope. A country's value is the
 * observation with `dimensionKey` of its countable submissions for the indicator and year; where several sources
 * gave one, the one that became countable most recently.
 */
export async function aggregate(
  prisma: Db,
  vis: Visibility,
  indicators: Indicators,
  year: number,
  scope: Scope,
  dimensionKey: string,
): Promise<AggregateResult> {
  const window = { from: year, to: year };
  // World-wide questions skip the scope semi-joins.
  const inScope = (column: string) =>
    isWorld(scope) ? Prisma.empty : Prisma.sql`AND ${Prisma.raw(column)} IN (${scopeCountries(scope)})`;
  const countable = countableVersions(vis, indicatorArray(indicators), window, inScope('s."countryId"'));
  type Row = Omit<AggregateResult, 'byCriterion'> & { optionI: number; optionII: number; other: number };
  const [row] = await prisma.$queryRaw<Row[]>(Prisma.sql`
    WITH valued AS (${countryValueObservations(countable, dimensionKey)})
    SELECT sum(v.value) AS value, count(v.value)::int AS "countriesIncluded", count(*)::int AS "countriesInScope",
      coalesce(array_agg(co.id ORDER BY co.m49) FILTER (WHERE v.value IS NULL), '{}'::int[]) AS "missingIds",
      ${COUNTRIES_VERSION} AS "countriesVersion",
      count(v.value) FILTER (WHERE v."residenceCriterion" = 'OPTION_I')::int AS "optionI",
      count(v.value) FILTER (WHERE v."residenceCriterion" = 'OPTION_II')::int AS "optionII",
      count(v.value) FILTER (WHERE v."residenceCriterion" = 'OTHER')::int AS "other",
      count(v.value) FILTER (WHERE v."residenceCriterion" IS NULL)::int AS "withoutCriterion",
      count(v.value) FILTER (WHERE v.origin = 'INTERNATIONAL_ESTIMATE')::int AS estimates
    FROM "Country" co LEFT JOIN valued v ON v."countryId" = co.id
    WHERE TRUE ${inScope('co.id')}`);
  const { optionI, optionII, other, ...rest } = row!;
  return { ...rest, byCriterion: { OPTION_I: optionI, OPTION_II: optionII, OTHER: other } };
}
