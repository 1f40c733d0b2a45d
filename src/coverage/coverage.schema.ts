// Who reports what (CONTRACT §3–§4): coverage matrix, indicator/country/region coverage, gaps, comparability and
// regional aggregates. The numbers come from services/coverage.ts (one SQL statement each); this module resolves
// codes to ids, hydrates the entities the answers point at with one findMany per kind, and batches the coverage
// fields on Indicator, Country and Region through per-request dataloaders.
//
// Every number here is computed over the versions the caller may see (CONTRACT §4 "visible versions"): the caller's
// Visibility (src/submissions/visibility.ts) goes down into each statement, so an anonymous or READER caller's
// coverage, gaps, comparability and aggregates count PUBLISHED versions only, and a FOCAL_POINT's its own country's
// VALIDATED versions besides.
import type { ObjectRef } from '@pothos/core';
import { getRefFromModel } from '@pothos/plugin-prisma';
import { GraphQLError } from 'graphql';
import type {
  BuildingBlock as BuildingBlockValue,
  Country as CountryRow,
  DataSource as DataSourceRow,
  Indicator as IndicatorRow,
  Prisma,
  SourceType as SourceTypeRow,
  Tier as TierValue,
} from '../../prisma/generated/prisma/client.js';
import type { ResidenceCriterion as ResidenceCriterionValue } from '../../prisma/generated/prisma/enums.js';
import type { Context } from '../platform/context.js';
import { countryKey, m49Code } from '../geography/m49.js';
import * as coverage from './coverage.service.js';
import { countriesByIds } from '../geography/reference.js';
import { builder, type BuilderTypes } from '../schema/builder.js';
import { badInput } from '../schema/errors.js';
import { requireCode, requireCodes } from '../schema/codes.js';
import { Country, countryWhere, Region, regionIdFor } from '../geography/country.schema.js';
import { BuildingBlock, ResidenceCriterion, Tier } from '../schema/enums.js';
import { Indicator } from '../catalogue/indicator.schema.js';
import { SourceType } from '../catalogue/source-type.schema.js';
import { visibilityOf } from '../submissions/visibility.js';

const vis = (ctx: Context) => visibilityOf(ctx.viewer);

// The DataSource node is defined by its own module; the prisma plugin hands out the same ref for the model name.
const DataSource = getRefFromModel('DataSource', builder) as unknown as ObjectRef<BuilderTypes, DataSourceRow>;

export const GapKind = builder.enumType('GapKind', {
  description: 'Why an indicator is not reported (CONTRACT §4 "Gaps").',
  values: {
    NO_CANDIDATE_SOURCE: { description: 'No source type is linked to the indicator at all.' },
    NO_FEASIBLE_SOURCE: {
      description: 'The country has no registered data source of a type linked as PRIMARY or SECONDARY.',
    },
    FEASIBLE_NOT_REPORTED: { description: 'The country has a feasible data source but does not report.' },
  } as const,
});

// ---------------------------------------------------------------------------------------------------------------
// Inputs and their resolution to ids

export const YearWindow = builder.inputType('YearWindow', {
  description: 'Reference years from `from` to `to`, both inclusive.',
  fields: (t) => ({
    from: t.int({ required: true, description: 'First reference year (inclusive).' }),
    to: t.int({ required: true, description: 'Last reference year (inclusive); not before `from`.' }),
  }),
});

export const CoverageFilter = builder.inputType('CoverageFilter', {
  description: 'Which indicators, countries and reference years a coverage question is about.',
  fields: (t) => ({
    window: t.field({ type: YearWindow, required: false, description: 'Reference years; any year when absent.' }),
    region: t.string({
      required: false,
      description: 'M49 region code, e.g. "150" (Europe) or "419"; countries inside it at any depth.',
    }),
    tier: t.field({ type: Tier, required: false, description: 'Only indicators of this tier.' }),
    buildingBlock: t.field({
      type: BuildingBlock,
      required: false,
      description: 'Only indicators of this building block.',
    }),
    indicators: t.stringList({ required: false, description: 'Indicator codes.' }),
    countries: t.stringList({
      required: false,
      description: 'M49 or ISO3 codes; intersected with the region when both are given.',
    }),
  }),
});

/** The `filter:` argument of coverageMatrix and gaps (each field's description says its defaults). */
const coverageFilterArgs = builder.args((t) => ({
  filter: t.field({
    type: CoverageFilter,
    required: false,
    description: 'Indicators, countries and years; the defaults above when omitted.',
  }),
}));

interface WindowInput {
  from: number;
  to: number;
}

interface FilterInput {
  window?: WindowInput | null;
  region?: string | null;
  tier?: TierValue | null;
  buildingBlock?: BuildingBlockValue | null;
  indicators?: string[] | null;
  countries?: string[] | null;
}

/** A YearWindow argument as the services take it; BAD_USER_INPUT when it ends before it starts. */
export function checkWindow(window: WindowInput | null | undefined): coverage.YearWindow | null {
  if (!window) return null;
  if (window.from > window.to) throw badInput(`window: from (${window.from}) is after to (${window.to})`);
  return { from: window.from, to: window.to };
}

const regionCode = (code: string | null | undefined) => (code == null ? null : m49Code(code));

/** The id of a region argument, null when none is given (NOT_FOUND naming the argument for an unknown code). */
export async function regionId(ctx: Context, code: string | null | undefined, argument = 'region') {
  return code == null ? null : regionIdFor(ctx.prisma, code, argument);
}

/**
 * The observation key of a `sex` argument ("" for the total, "SEX=F"): a code of the catalogue's SEX variable or `_T`,
 * NOT_FOUND naming the argument otherwise ("f", "X"), as for every other code (README "Unknown codes").
 */
export async function sexKey(ctx: Context, sex: string | null | undefined, argument = 'sex'): Promise<string> {
  if (sex != null && sex !== '_T') {
    await requireCode(argument, 'sex', sex, (code) =>
      ctx.prisma.variableCode.findFirst({ where: { code, variable: { code: 'SEX' } }, select: { id: true } }),
    );
  }
  return coverage.dimensionKeyForSex(sex);
}

function findCountry(ctx: Context, code: string, argument = 'country'): Promise<CountryRow> {
  return requireCode(argument, 'country', code, (c) => ctx.prisma.country.findUnique({ where: countryKey(c) }));
}

export function findIndicator(ctx: Context, code: string, argument = 'indicator'): Promise<IndicatorRow> {
  return requireCode(argument, 'indicator', code, (c) =>
    ctx.prisma.indicator.findUnique({ where: { code: c.trim() } }),
  );
}

async function countryIdsFor(ctx: Context, codes: string[] | null | undefined): Promise<number[] | null> {
  if (!codes) return null;
  const keyOf = (code: string) => countryKey(code);
  const rows = await requireCodes(
    'filter.countries',
    'country',
    codes,
    (wanted) =>
      ctx.prisma.country.findMany({
        where: { OR: wanted.map(keyOf) },
        select: { id: true, m49: true, iso3: true },
      }),
    (row, code) => {
      const key = keyOf(code);
      return 'm49' in key ? row.m49 === key.m49 : row.iso3 === key.iso3;
    },
  );
  return rows.map((r) => r.id);
}

interface ResolvedFilter {
  indicators: IndicatorRow[];
  scope: coverage.Scope;
}

/**
 * Indicators of a filter, by code: the named ones (retired included when named), else the non-retired ones of the
 * tier and building block, with `defaultTier` when neither indicators nor a tier are given.
 */
async function resolveFilter(
  ctx: Context,
  filter: FilterInput | null | undefined,
  defaultTier: TierValue | null,
): Promise<ResolvedFilter> {
  const window = checkWindow(filter?.window);
  const codes = filter?.indicators?.map((c) => c.trim());
  const tier = filter?.tier ?? (codes ? null : defaultTier);
  const where: Prisma.IndicatorWhereInput = codes ? { code: { in: codes } } : { status: { not: 'RETIRED' } };
  if (tier) where.tier = tier;
  if (filter?.buildingBlock) where.buildingBlock = filter.buildingBlock;
  const [indicators, region, countryIds] = await Promise.all([
    ctx.prisma.indicator.findMany({ where, orderBy: { code: 'asc' } }),
    regionId(ctx, filter?.region, 'filter.region'),
    countryIdsFor(ctx, filter?.countries),
  ]);
  if (codes) {
    await requireCodes(
      'filter.indicators',
      'indicator',
      codes,
      (wanted) => ctx.prisma.indicator.findMany({ where: { code: { in: [...wanted] } }, select: { code: true } }),
      (row, code) => row.code === code,
    );
  }
  return { indicators, scope: { window, regionId: region, countryIds } };
}

/** Countries in scope, by M49 code. */
function scopeCountryRows(ctx: Context, scope: coverage.Scope): Promise<CountryRow[]> {
  const where = countryWhere(scope.regionId ?? null);
  if (scope.countryIds) where.id = { in: [...scope.countryIds] };
  return ctx.prisma.country.findMany({ where, orderBy: { m49: 'asc' } });
}

const share = (reporting: number, total: number) => (total === 0 ? 0 : reporting / total);

// ---------------------------------------------------------------------------------------------------------------
// Output types

const RegionCoverage = builder.objectRef<coverage.RegionCount>('RegionCoverage').implement({
  description: 'How many countries of an M49 region report an indicator.',
  fields: (t) => ({
    region: t.field({ type: Region, description: 'The top-level M49 region.', resolve: (c) => c.region }),
    reportingCountries: t.exposeInt('reportingCountries', {
      description: 'Countries of the region in scope that report the indicator in the window.',
    }),
    totalCountries: t.exposeInt('totalCountries', { description: 'Countries of the region in scope.' }),
    share: t.float({
      description: 'reportingCountries / totalCountries (0 when the total is 0).',
      resolve: (c) => share(c.reportingCountries, c.totalCountries),
    }),
  }),
});

// Coverage results carry ids; these hydrate them, one findMany per kind for a request's batch.
const indicatorsById = {
  load: (ids: number[], ctx: Context) => ctx.prisma.indicator.findMany({ where: { id: { in: ids } } }),
  sort: (i: IndicatorRow) => i.id,
};
const countriesById = {
  load: (ids: number[], ctx: Context) => ctx.prisma.country.findMany({ where: { id: { in: ids } } }),
  sort: (c: CountryRow) => c.id,
};

const IndicatorCoverage = builder.objectRef<coverage.IndicatorCoverageResult>('IndicatorCoverage').implement({
  description: 'How many countries in scope report an indicator in a window.',
  fields: (t) => ({
    indicator: t.loadable({
      type: Indicator,
      ...indicatorsById,
      description: 'The indicator.',
      resolve: (c) => c.indicatorId,
    }),
    reportingCountries: t.exposeInt('reportingCountries', {
      description: 'Countries in scope with a countable submission of the indicator in the window.',
    }),
    totalCountries: t.exposeInt('totalCountries', { description: 'Countries in scope.' }),
    share: t.float({
      description: 'reportingCountries / totalCountries (0 when the total is 0).',
      resolve: (c) => share(c.reportingCountries, c.totalCountries),
    }),
    byRegion: t.field({
      type: [RegionCoverage],
      description: 'By top-level M49 region (Africa, Americas, Asia, Europe, Oceania) with countries in scope.',
      resolve: (c) => c.byRegion,
    }),
  }),
});

const BuildingBlockCoverage = builder
  .objectRef<coverage.CountryCoverageResult['byBuildingBlock'][number]>('BuildingBlockCoverage')
  .implement({
    description: 'CORE indicators of one building block a country reports.',
    fields: (t) => ({
      buildingBlock: t.expose('buildingBlock', { type: BuildingBlock, description: 'The building block.' }),
      reported: t.exposeInt('reported', { description: 'Its CORE indicators the country reports in the window.' }),
      total: t.exposeInt('total', { description: 'Its CORE (non-retired) indicators.' }),
    }),
  });

const CountryCoverage = builder.objectRef<coverage.CountryCoverageResult>('CountryCoverage').implement({
  description: 'How many CORE (non-retired) indicators a country reports in a window.',
  fields: (t) => ({
    country: t.loadable({
      type: Country,
      ...countriesById,
      description: 'The country.',
      resolve: (c) => c.countryId,
    }),
    coreReported: t.exposeInt('coreReported', {
      description: 'CORE indicators the country has a countable submission of in the window.',
    }),
    coreTotal: t.exposeInt('coreTotal', { description: 'CORE (non-retired) indicators.' }),
    share: t.float({
      description: 'coreReported / coreTotal (0 when the total is 0).',
      resolve: (c) => share(c.coreReported, c.coreTotal),
    }),
    byBuildingBlock: t.field({
      type: [BuildingBlockCoverage],
      description: 'Every building block; CORE indicators without one count only in coreReported/coreTotal.',
      resolve: (c) => c.byBuildingBlock,
    }),
    missingCore: t.loadable({
      type: [Indicator],
      description: 'The CORE indicators the country does not report in the window, by code.',
      ...indicatorsById,
      resolve: (c) => c.missingCoreIds,
    }),
  }),
});

interface CellShape {
  indicator: IndicatorRow;
  country: CountryRow;
  years: number[];
  latestYear: number;
  sourceType: SourceTypeRow | null;
  residenceCriterion: ResidenceCriterionValue | null;
}

const CoverageCell = builder.objectRef<CellShape>('CoverageCell').implement({
  description: 'A reporting (indicator, country) pair.',
  fields: (t) => ({
    indicator: t.field({ type: Indicator, description: 'The indicator.', resolve: (c) => c.indicator }),
    country: t.field({ type: Country, description: 'The country that reports it.', resolve: (c) => c.country }),
    years: t.intList({
      description: 'Reference years with a countable submission in the window, ascending.',
      resolve: (c) => c.years,
    }),
    latestYear: t.exposeInt('latestYear', { description: 'The latest of `years`.' }),
    sourceType: t.field({
      type: SourceType,
      nullable: true,
      description: 'Source type of the latest countable submission in the window.',
      resolve: (c) => c.sourceType,
    }),
    residenceCriterion: t.field({
      type: ResidenceCriterion,
      nullable: true,
      description: 'Residence criterion of the latest countable submission in the window.',
      resolve: (c) => c.residenceCriterion,
    }),
  }),
});

/** A matrix: its cells column-wise as the statement answers them (by id), their order, and what the ids point at. */
interface MatrixShape {
  indicators: IndicatorRow[];
  countries: CountryRow[];
  cells: coverage.CoverageCells;
  /** The matrix's order: entries of `cells`' lists, by indicator code then country M49 code. */
  order: number[];
  sourceTypes: SourceTypeRow[];
}

/** Position of each row by id: an array indexed by id (ids are small serials), -1 where none. */
function positions(rows: { id: number }[]): Int32Array {
  const index = new Int32Array(rows.reduce((max, r) => Math.max(max, r.id), 0) + 1).fill(-1);
  rows.forEach((r, n) => (index[r.id] = n));
  return index;
}

/**
 * The cells' entries in the matrix's order, by indicator code then country M49 code: each pair occurs once, so each
 * has its own slot among indicators × countries, and reading the slots in order sorts them in one pass.
 *
 * Every list built from the cells is derived from this one by `map`, never by Array.from over a typed array (which
 * steps through the iterator protocol: at world scale, 50 000 cells × 6 columns, that was most of the resolver's
 * time) nor filled into `new Array(n)`: such a list stays holey, and JSON.stringify serialises a holey list of
 * numbers about ten times slower than a packed one.
 */
function matrixOrder(cells: coverage.CoverageCells, indicators: IndicatorRow[], countries: CountryRow[]): number[] {
  const [indicatorAt, countryAt] = [positions(indicators), positions(countries)];
  const slots = new Int32Array(indicators.length * countries.length).fill(-1);
  const { indicatorId, countryId } = cells;
  for (let n = 0; n < indicatorId.length; n++) {
    slots[indicatorAt[indicatorId[n]!]! * countries.length + countryAt[countryId[n]!]!] = n;
  }
  const order: number[] = [];
  for (let slot = 0; slot < slots.length; slot++) if (slots[slot]! >= 0) order.push(slots[slot]!);
  return order;
}

/** The cells column-wise: each list has one entry per cell, in the order of `CoverageMatrix.cells`. */
interface CellColumnsShape {
  sourceTypes: SourceTypeRow[];
  indicatorIndex: number[];
  countryIndex: number[];
  years: number[][];
  latestYear: number[];
  sourceTypeIndex: (number | null)[];
  residenceCriterion: (ResidenceCriterionValue | null)[];
}

function cellColumns({ indicators, countries, cells, order, sourceTypes: all }: MatrixShape): CellColumnsShape {
  const [indicatorAt, countryAt] = [positions(indicators), positions(countries)];
  // Only the source types some cell names, by code.
  const named = new Set(cells.sourceTypeId);
  const sourceTypes = all.filter((t) => named.has(t.id)).sort((a, b) => (a.code < b.code ? -1 : 1));
  const sourceTypeAt = positions(sourceTypes);
  return {
    sourceTypes,
    indicatorIndex: order.map((n) => indicatorAt[cells.indicatorId[n]!]!),
    countryIndex: order.map((n) => countryAt[cells.countryId[n]!]!),
    years: order.map((n) => cells.years[n]!),
    latestYear: order.map((n) => cells.latestYear[n]!),
    sourceTypeIndex: order.map((n) => {
      const id = cells.sourceTypeId[n];
      return id == null ? null : sourceTypeAt[id]!;
    }),
    residenceCriterion: order.map((n) => cells.residenceCriterion[n] ?? null),
  };
}

const CoverageCellColumns = builder.objectRef<CellColumnsShape>('CoverageCellColumns').implement({
  description:
    "A coverage matrix's cells as parallel lists (column-wise): entry n of every list describes the n-th cell of " +
    '`CoverageMatrix.cells`. Indicators, countries and source types are positions in the lists they name, so a ' +
    'whole-world matrix costs a fraction of the bytes and server time of the cell objects.',
  fields: (t) => ({
    indicatorIndex: t.field({
      type: 'IntList',
      description: "Each cell's indicator: its position (from 0) in `CoverageMatrix.indicators`.",
      resolve: (c) => c.indicatorIndex,
    }),
    countryIndex: t.field({
      type: 'IntList',
      description: "Each cell's country: its position (from 0) in `CoverageMatrix.countries`.",
      resolve: (c) => c.countryIndex,
    }),
    years: t.field({
      type: 'IntListList',
      description: "Each cell's reference years with a countable submission in the window, ascending.",
      resolve: (c) => c.years,
    }),
    latestYear: t.field({
      type: 'IntList',
      description: "Each cell's latest year (the last of its `years`).",
      resolve: (c) => c.latestYear,
    }),
    sourceTypes: t.field({
      type: [SourceType],
      description: 'The source types the cells name, by code: what `sourceTypeIndex` points into.',
      resolve: (c) => c.sourceTypes,
    }),
    sourceTypeIndex: t.field({
      type: 'NullableIntList',
      description:
        "Source type of each cell's latest countable submission in the window: its position (from 0) in " +
        '`sourceTypes`; null where that submission names none.',
      resolve: (c) => c.sourceTypeIndex,
    }),
    residenceCriterion: t.field({
      type: 'ResidenceCriterionList',
      description: "Residence criterion of each cell's latest countable submission in the window; null where none.",
      resolve: (c) => c.residenceCriterion,
    }),
  }),
});

const CoverageMatrix = builder.objectRef<MatrixShape>('CoverageMatrix').implement({
  description: 'Indicators × countries in scope, with a cell for each reporting pair.',
  fields: (t) => ({
    indicators: t.field({ type: [Indicator], description: 'By code.', resolve: (m) => m.indicators }),
    countries: t.field({
      type: [Country],
      description: 'Countries in scope, by M49 code.',
      resolve: (m) => m.countries,
    }),
    cells: t.field({
      type: [CoverageCell],
      description: 'By indicator code, then country M49 code. For large matrices, `cellColumns` is far smaller.',
      resolve: ({ indicators, countries, cells, order, sourceTypes }) => {
        const indicatorById = new Map(indicators.map((i) => [i.id, i]));
        const countryById = new Map(countries.map((c) => [c.id, c]));
        const sourceTypeById = new Map(sourceTypes.map((t) => [t.id, t]));
        return order.map((n) => {
          const sourceTypeId = cells.sourceTypeId[n];
          return {
            indicator: indicatorById.get(cells.indicatorId[n]!)!,
            country: countryById.get(cells.countryId[n]!)!,
            years: cells.years[n]!,
            latestYear: cells.latestYear[n]!,
            sourceType: sourceTypeId == null ? null : sourceTypeById.get(sourceTypeId)!,
            residenceCriterion: cells.residenceCriterion[n] ?? null,
          };
        });
      },
    }),
    cellColumns: t.field({
      type: CoverageCellColumns,
      description:
        'The same cells as `cells`, in the same order, as parallel lists: the compact encoding for a region or ' +
        'the world (tens of thousands of cells).',
      resolve: cellColumns,
    }),
  }),
});

interface GapShape {
  kind: coverage.GapKind;
  indicator: IndicatorRow;
  country: CountryRow | null;
  candidateSources: DataSourceRow[];
}

const Gap = builder.objectRef<GapShape>('Gap').implement({
  description: 'An indicator not reported: for lack of any source type, of a feasible source, or despite one.',
  fields: (t) => ({
    kind: t.field({ type: GapKind, description: 'Why the indicator is not reported.', resolve: (g) => g.kind }),
    indicator: t.field({ type: Indicator, description: 'The indicator not reported.', resolve: (g) => g.indicator }),
    country: t.field({
      type: Country,
      nullable: true,
      description: 'Null for NO_CANDIDATE_SOURCE.',
      resolve: (g) => g.country,
    }),
    candidateSources: t.field({
      type: [DataSource],
      description: "The country's data sources whose type is linked to the indicator as PRIMARY or SECONDARY.",
      resolve: (g) => g.candidateSources,
    }),
  }),
});

const CriterionCount = builder.objectRef<coverage.CriterionCountResult>('CriterionCount').implement({
  description: "How many reporting countries' latest countable submission used a residence criterion.",
  fields: (t) => ({
    criterion: t.field({
      type: ResidenceCriterion,
      description: 'The residence criterion.',
      resolve: (c) => c.criterion,
    }),
    countries: t.exposeInt('countries', {
      description: 'Reporting countries whose latest countable submission used it.',
    }),
  }),
});

interface AggregateShape extends coverage.AggregateResult {
  indicator: IndicatorRow;
  year: number;
  regionId: number | null;
}

const Aggregate = builder.objectRef<AggregateShape>('Aggregate').implement({
  description: 'The sum of the country values of an additive indicator over the countries of a region.',
  fields: (t) => ({
    indicator: t.field({ type: Indicator, description: 'The indicator summed.', resolve: (a) => a.indicator }),
    year: t.exposeInt('year', { description: 'The reference year.' }),
    region: t.field({
      type: Region,
      nullable: true,
      description: 'Null when the aggregate is over every country.',
      resolve: (a, _args, ctx) =>
        a.regionId === null ? null : ctx.prisma.region.findUniqueOrThrow({ where: { id: a.regionId } }),
    }),
    value: t.float({
      nullable: true,
      description: 'Sum of the country values; null when no country in scope has one.',
      resolve: (a) => a.value,
    }),
    countriesIncluded: t.exposeInt('countriesIncluded', { description: 'Countries in scope with a value (summed).' }),
    countriesInScope: t.exposeInt('countriesInScope', { description: 'Countries in the region (or all countries).' }),
    missing: t.field({
      type: [Country],
      description: 'Countries in scope without a value, by M49 code.',
      resolve: (a, _args, ctx) => countriesByIds(ctx.prisma, a.countriesVersion, a.missingIds),
    }),
    criteria: t.field({
      type: [CriterionCount],
      description:
        'Of the countries included, how many values were produced under each residence criterion (zero counts ' +
        'included): a sum over OPTION_I and OPTION_II figures adds up two definitions of a resident.',
      resolve: (a) =>
        (Object.entries(a.byCriterion) as [keyof typeof a.byCriterion, number][]).map(([criterion, countries]) => ({
          criterion,
          countries,
        })),
    }),
    countriesWithoutCriterion: t.exposeInt('withoutCriterion', {
      description: 'Of the countries included, how many values name no residence criterion.',
    }),
    countriesEstimated: t.exposeInt('estimates', {
      description:
        "Of the countries included, how many values are international estimates (UN DESA), not the country's own.",
    }),
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// Root fields

builder.queryFields((t) => ({
  coverageMatrix: t.field({
    type: CoverageMatrix,
    description:
      'Indicators (default: every non-retired indicator) × countries in scope, with a cell for each pair where the ' +
      'country has a countable submission in the window.',
    args: coverageFilterArgs,
    resolve: async (_root, { filter }, ctx) => {
      const { indicators, scope } = await resolveFilter(ctx, filter, null);
      // Source types are a short, fixed list: fetched whole, alongside the cells.
      const [countries, cells, sourceTypes] = await Promise.all([
        scopeCountryRows(ctx, scope),
        coverage.coverageCells(
          ctx.prisma,
          vis(ctx),
          indicators.map((i) => i.id),
          scope,
        ),
        ctx.prisma.sourceType.findMany(),
      ]);
      return { indicators, countries, cells, order: matrixOrder(cells, indicators, countries), sourceTypes };
    },
  }),
  indicatorCoverage: t.field({
    type: IndicatorCoverage,
    description: 'How many countries (in a region, at any depth) report an indicator in a window.',
    args: {
      indicator: t.arg.string({ required: true, description: 'Indicator code.' }),
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
      region: t.arg.string({ required: false, description: 'M49 region code.' }),
    },
    resolve: async (_root, args, ctx) => {
      const window = checkWindow(args.window);
      // The statement resolves both codes itself; a region lookup (NOT_FOUND) runs beside it. The indicator is
      // looked up only when the statement answers nothing: unknown code (NOT_FOUND) or an empty scope (zeros).
      const [, results] = await Promise.all([
        regionId(ctx, args.region),
        coverage.indicatorCoverage(
          ctx.prisma,
          vis(ctx),
          { code: args.indicator.trim() },
          { window, regionCode: regionCode(args.region) },
        ),
      ]);
      if (results[0]) return results[0];
      const indicator = await findIndicator(ctx, args.indicator);
      return { indicatorId: indicator.id, reportingCountries: 0, totalCountries: 0, byRegion: [] };
    },
  }),
  countryCoverage: t.field({
    type: CountryCoverage,
    description: 'How many CORE (non-retired) indicators a country reports in a window.',
    args: {
      country: t.arg.string({ required: true, description: 'M49 or ISO3 code.' }),
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
    },
    resolve: async (_root, args, ctx) => {
      const window = checkWindow(args.window);
      const country = await findCountry(ctx, args.country);
      const [result] = await coverage.countryCoverage(ctx.prisma, vis(ctx), [country.id], window);
      return result!;
    },
  }),
  gaps: t.field({
    type: [Gap],
    description:
      'For each indicator of the filter (default: CORE, non-retired): NO_CANDIDATE_SOURCE when no source type is ' +
      'linked to it, and for each country in scope that does not report it in the window NO_FEASIBLE_SOURCE or ' +
      'FEASIBLE_NOT_REPORTED. Ordered by indicator code, then country M49 code.',
    args: coverageFilterArgs,
    resolve: async (_root, { filter }, ctx) => {
      const { indicators, scope } = await resolveFilter(ctx, filter, 'CORE');
      const rows = await coverage.gaps(
        ctx.prisma,
        vis(ctx),
        indicators.map((i) => i.id),
        scope,
      );
      const countryIds = [...new Set(rows.map((g) => g.countryId).filter((id) => id !== null))];
      const dataSourceIds = [...new Set(rows.flatMap((g) => g.dataSourceIds))];
      const [countries, dataSources] = await Promise.all([
        countryIds.length ? ctx.prisma.country.findMany({ where: { id: { in: countryIds } } }) : [],
        dataSourceIds.length ? ctx.prisma.dataSource.findMany({ where: { id: { in: dataSourceIds } } }) : [],
      ]);
      const indicatorById = new Map(indicators.map((i) => [i.id, i]));
      const countryById = new Map(countries.map((c) => [c.id, c]));
      const dataSourceById = new Map(dataSources.map((d) => [d.id, d]));
      return rows.map((g) => ({
        kind: g.kind,
        indicator: indicatorById.get(g.indicatorId)!,
        country: g.countryId === null ? null : countryById.get(g.countryId)!,
        candidateSources: g.dataSourceIds
          .map((id) => dataSourceById.get(id)!)
          .sort((a, b) => a.code.localeCompare(b.code)),
      }));
    },
  }),
  comparability: t.field({
    type: [CriterionCount],
    description:
      "For each residence criterion (zero counts included), how many reporting countries' latest countable " +
      'submission of the indicator in the window used it.',
    args: {
      indicator: t.arg.string({ required: true, description: 'Indicator code.' }),
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
    },
    resolve: async (_root, args, ctx) => {
      const window = checkWindow(args.window);
      const indicator = await findIndicator(ctx, args.indicator);
      return coverage.comparability(ctx.prisma, vis(ctx), indicator.id, window);
    },
  }),
  aggregate: t.field({
    type: Aggregate,
    nullable: true,
    description:
      'Sum of the country values of an additive indicator (counts of persons) in a year over the countries of a ' +
      'region (at any depth; every country when absent): the total, or one sex with `sex` ("F", "M"). For an ' +
      'indicator that is not additive: null with an error whose extensions.code is NOT_ADDITIVE.',
    args: {
      indicator: t.arg.string({ required: true, description: 'Indicator code.' }),
      year: t.arg.int({ required: true, description: 'Reference year.' }),
      region: t.arg.string({ required: false, description: 'M49 region code.' }),
      sex: t.arg.string({ required: false, description: 'SEX code: "F", "M" or "_T" (the total, as when absent).' }),
    },
    resolve: async (_root, args, ctx) => {
      // The lookups validate the codes in parallel with the statement, which resolves them itself and sums only an
      // additive indicator.
      const [indicator, region, , result] = await Promise.all([
        findIndicator(ctx, args.indicator),
        regionId(ctx, args.region),
        sexKey(ctx, args.sex),
        coverage.aggregate(
          ctx.prisma,
          vis(ctx),
          { code: args.indicator.trim(), additiveOnly: true },
          args.year,
          { regionCode: regionCode(args.region) },
          coverage.dimensionKeyForSex(args.sex),
        ),
      ]);
      if (!indicator.additive) {
        throw new GraphQLError(
          `${indicator.code} is not additive (unit ${indicator.unit}): its country values cannot be summed`,
          { extensions: { code: 'NOT_ADDITIVE' } },
        );
      }
      return { ...result, indicator, year: args.year, regionId: region };
    },
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Coverage on the graph, batched: a page of N parents costs the same few statements as one.

builder.prismaObjectField(Indicator, 'coverage', (t) =>
  t.loadable({
    type: IndicatorCoverage,
    byPath: true,
    description: 'How many countries (in a region, at any depth) report the indicator in a window.',
    args: {
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
      region: t.arg.string({ required: false, description: 'M49 region code.' }),
    },
    load: async (ids: number[], ctx: Context, args) => {
      const window = checkWindow(args.window);
      return coverage.indicatorCoverage(ctx.prisma, vis(ctx), ids, {
        window,
        regionId: await regionId(ctx, args.region),
      });
    },
    resolve: (indicator) => indicator.id,
  }),
);

builder.prismaObjectField(Country, 'coverage', (t) =>
  t.loadable({
    type: CountryCoverage,
    byPath: true,
    description: 'How many CORE (non-retired) indicators the country reports in a window.',
    args: {
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
    },
    // Async, so that a bad window rejects the batch (BAD_USER_INPUT) rather than throwing out of it synchronously,
    // which DataLoader reports as a TypeError of its own (masked as "Unexpected error.").
    load: async (ids: number[], ctx: Context, args) =>
      coverage.countryCoverage(ctx.prisma, vis(ctx), ids, checkWindow(args.window)),
    resolve: (country) => country.id,
  }),
);

builder.prismaObjectField(Region, 'coverage', (t) =>
  t.loadable({
    type: RegionCoverage,
    byPath: true,
    description: 'How many countries of the region (at any depth) report an indicator in a window.',
    args: {
      indicator: t.arg.string({ required: true, description: 'Indicator code.' }),
      window: t.arg({ type: YearWindow, required: false, description: 'Reference years; any year when omitted.' }),
    },
    load: async (ids: number[], ctx: Context, args) => {
      const window = checkWindow(args.window);
      const indicator = await findIndicator(ctx, args.indicator);
      return coverage.regionCoverage(ctx.prisma, vis(ctx), ids, indicator.id, window);
    },
    resolve: (region) => region.id,
  }),
);
