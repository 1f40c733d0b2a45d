// CONTRACT §4 on a hand-built scenario (test/support/scenarios.ts): every expected number is written here.
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { CATALOGUE_CORE, CATALOGUE_CORE_UNLINKED, coverageScenario, REGION_SIZES } from '../support/scenarios.js';

let hub: Hub;
let admin: string;
// The rules are asserted as a caller who sees every version (ADMIN); what anonymous, READER and focal-point callers
// see of the same data is tested in test/access/.
const gql: Hub['gql'] = (doc, variables, opts) => hub.gql(doc, variables, { token: admin, ...opts });
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  await coverageScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const IndicatorCoverageQuery = graphql(`
  query IndicatorCoverageOf($indicator: String!, $window: YearWindow, $region: String) {
    indicatorCoverage(indicator: $indicator, window: $window, region: $region) {
      indicator {
        code
      }
      reportingCountries
      totalCountries
      share
      byRegion {
        region {
          code
        }
        reportingCountries
        totalCountries
        share
      }
    }
  }
`);

const reporting = async (window?: { from: number; to: number }, region?: string) =>
  data(await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK', window, region })).indicatorCoverage
    .reportingCountries;

describe('countable submissions and reports', () => {
  test('validated and published versions count; drafts, pending and rejected ones never do', async () => {
    const c = data(await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK' })).indicatorCoverage;
    // CHE, FRA, MEX, CUB (validated), CAN; not JAM (draft), BRB (submitted; rejected).
    expect(c).toEqual({
      indicator: { code: 'T_STOCK' },
      reportingCountries: 5,
      totalCountries: 248,
      share: 5 / 248,
      byRegion: [
        { region: { code: '002' }, reportingCountries: 0, totalCountries: 60, share: 0 },
        { region: { code: '009' }, reportingCountries: 0, totalCountries: 29, share: 0 },
        { region: { code: '019' }, reportingCountries: 3, totalCountries: 57, share: 3 / 57 },
        { region: { code: '142' }, reportingCountries: 0, totalCountries: 50, share: 0 },
        { region: { code: '150' }, reportingCountries: 2, totalCountries: 51, share: 2 / 51 },
      ],
    });
  });

  test('windows are inclusive reference-year ranges', async () => {
    expect(await reporting({ from: 2019, to: 2020 })).toBe(3); // CHE 2020, FRA 2019, CAN 2020
    expect(await reporting({ from: 2020, to: 2020 })).toBe(2); // CHE, CAN
    expect(await reporting({ from: 2015, to: 2017 })).toBe(3); // MEX 2015, CUB 2017, FRA 2017
    expect(await reporting({ from: 2016, to: 2016 })).toBe(0);
    expect(await reporting({ from: 2018, to: 2018 })).toBe(0); // JAM's draft
    expect(await reporting({ from: 2021, to: 2030 })).toBe(0); // BRB's rejected version
    const bad = await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK', window: { from: 2020, to: 2019 } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('a region counts its countries at any depth of M49', async () => {
    const of = async (region: string) => {
      const c = data(await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK', region })).indicatorCoverage;
      return [c.reportingCountries, c.totalCountries];
    };
    expect(await of('029')).toEqual([1, REGION_SIZES['029']]); // Caribbean (intermediate): CUB
    expect(await of('419')).toEqual([2, REGION_SIZES['419']]); // Latin America (sub-region): CUB, MEX
    expect(await of('019')).toEqual([3, REGION_SIZES['019']]); // Americas: CUB, MEX, CAN
    expect(await of('001')).toEqual([5, 248]);
    const inCaribbean = data(await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK', region: '029' }))
      .indicatorCoverage.byRegion;
    expect(inCaribbean).toEqual([
      { region: { code: '019' }, reportingCountries: 1, totalCountries: 28, share: 1 / 28 },
    ]);
  });

  test('unknown codes are NOT_FOUND errors', async () => {
    const unknownIndicator = await gql(IndicatorCoverageQuery, { indicator: 'NOPE' });
    expect(unknownIndicator.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknownIndicator.errors?.[0]?.message).toMatch(/NOPE/);
    const unknownRegion = await gql(IndicatorCoverageQuery, { indicator: 'T_STOCK', region: '998' });
    expect(unknownRegion.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

const CountryCoverageQuery = graphql(`
  query CountryCoverageOf($country: String!, $window: YearWindow) {
    countryCoverage(country: $country, window: $window) {
      country {
        m49
      }
      coreReported
      coreTotal
      share
      byBuildingBlock {
        buildingBlock
        reported
        total
      }
      missingCore {
        code
      }
    }
  }
`);

describe('countryCoverage', () => {
  // CORE and not retired: the catalogue's six plus T_STOCK, T_FLOW and T_NOSRC (T_OLD is retired).
  const coreTotal = CATALOGUE_CORE.length + 3;

  test('counts CORE, non-retired indicators by building block and lists the missing ones', async () => {
    const c = data(await gql(CountryCoverageQuery, { country: 'CHE' })).countryCoverage;
    expect(c).toEqual({
      country: { m49: '756' },
      coreReported: 2, // T_STOCK, T_FLOW (T_OLD is retired, T_RATE additional)
      coreTotal: 9,
      share: 2 / 9,
      byBuildingBlock: [
        { buildingBlock: 'IMMIGRATION_FLOW', reported: 1, total: 2 }, // IMM_FLOW, T_FLOW
        { buildingBlock: 'EMIGRATION_FLOW', reported: 0, total: 2 }, // EMI_FLOW, T_NOSRC
        { buildingBlock: 'IMMIGRANT_STOCK', reported: 1, total: 3 }, // IMM_STOCK, IMM_STOCK_GROUP, T_STOCK
        { buildingBlock: 'EMIGRANT_STOCK', reported: 0, total: 1 }, // EMI_STOCK
      ],
      missingCore: [...CATALOGUE_CORE, 'T_NOSRC'].sort().map((code) => ({ code })),
    });
    expect(c.coreTotal).toBe(coreTotal);
  });

  test('honours the window and ignores non-countable versions; ISO3 and M49 codes both work', async () => {
    const later = data(
      await gql(CountryCoverageQuery, { country: '756', window: { from: 2021, to: 2030 } }),
    ).countryCoverage;
    expect([later.coreReported, later.coreTotal, later.missingCore.length]).toEqual([0, 9, 9]);
    const barbados = data(await gql(CountryCoverageQuery, { country: 'BRB' })).countryCoverage;
    expect([barbados.coreReported, barbados.share]).toEqual([0, 0]);
    const unknown = await gql(CountryCoverageQuery, { country: 'XXX' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

const MatrixQuery = graphql(`
  query Matrix($filter: CoverageFilter) {
    coverageMatrix(filter: $filter) {
      indicators {
        code
      }
      countries {
        m49
      }
      cells {
        indicator {
          code
        }
        country {
          iso3
        }
        years
        latestYear
        sourceType {
          code
        }
        residenceCriterion
      }
    }
  }
`);

describe('coverageMatrix', () => {
  test('a cell per reporting pair, with the source type and criterion of the latest countable submission', async () => {
    const m = data(
      await gql(MatrixQuery, {
        filter: { indicators: ['T_STOCK', 'T_FLOW'], countries: ['CHE', 'FRA', 'CAN', 'JAM', '052'] },
      }),
    ).coverageMatrix;
    expect(m.indicators).toEqual([{ code: 'T_FLOW' }, { code: 'T_STOCK' }]);
    expect(m.countries).toEqual([{ m49: '052' }, { m49: '124' }, { m49: '250' }, { m49: '388' }, { m49: '756' }]);
    const cell = (indicator: string, iso3: string, years: number[], sourceType: string | null, rc: string | null) => ({
      indicator: { code: indicator },
      country: { iso3 },
      years,
      latestYear: years[years.length - 1],
      sourceType: sourceType ? { code: sourceType } : null,
      residenceCriterion: rc,
    });
    expect(m.cells).toEqual([
      cell('T_FLOW', 'CHE', [2020], 'BORDER', null),
      // CAN 2020: the register was validated after the census was published (countableSince decides).
      cell('T_STOCK', 'CAN', [2010, 2020], 'POP_REGISTER', 'OTHER'),
      // FRA 2019: v1 (validated) still counts under a rejected v2 and a pending v3.
      cell('T_STOCK', 'FRA', [2017, 2019], 'POP_REGISTER', 'OPTION_I'),
      // CHE 2020: published v2 supersedes v1; the v3 draft does not hide it.
      cell('T_STOCK', 'CHE', [2020], 'CENSUS', 'OPTION_II'),
    ]);
  });

  test('the window limits the years and picks the latest submission inside it', async () => {
    const m = data(
      await gql(MatrixQuery, {
        filter: { indicators: ['T_STOCK'], countries: ['CAN', 'FRA', 'CHE'], window: { from: 2010, to: 2018 } },
      }),
    ).coverageMatrix;
    expect(
      m.cells.map((c) => [c.country.iso3, c.years, c.latestYear, c.sourceType?.code, c.residenceCriterion]),
    ).toEqual([
      ['CAN', [2010], 2010, 'CENSUS', 'OPTION_I'],
      ['FRA', [2017], 2017, 'POP_REGISTER', 'OPTION_II'],
    ]);
  });

  test('by default every non-retired indicator; region scope at any depth', async () => {
    const m = data(await gql(MatrixQuery, { filter: { countries: ['CHE'] } })).coverageMatrix;
    expect(m.indicators.map((i) => i.code)).not.toContain('T_OLD');
    expect(m.indicators.map((i) => i.code)).toEqual(expect.arrayContaining(['T_RATE', 'T_STOCK', ...CATALOGUE_CORE]));
    expect(m.cells.map((c) => c.indicator.code)).toEqual(['T_FLOW', 'T_RATE', 'T_STOCK']);
    const caribbean = data(await gql(MatrixQuery, { filter: { region: '029', tier: 'CORE' } })).coverageMatrix;
    expect(caribbean.countries).toHaveLength(28);
    expect(caribbean.cells.map((c) => `${c.indicator.code}/${c.country.iso3}`)).toEqual(['T_STOCK/CUB']);
  });
});

const MatrixColumnsQuery = graphql(`
  query MatrixColumns($filter: CoverageFilter) {
    coverageMatrix(filter: $filter) {
      indicators {
        code
      }
      countries {
        iso3
      }
      cells {
        indicator {
          code
        }
        country {
          iso3
        }
        years
        latestYear
        sourceType {
          code
        }
        residenceCriterion
      }
      cellColumns {
        indicatorIndex
        countryIndex
        years
        latestYear
        sourceTypes {
          code
        }
        sourceTypeIndex
        residenceCriterion
      }
    }
  }
`);

describe('coverageMatrix cellColumns', () => {
  test.each([
    ['every indicator and country', {}],
    ['a window', { window: { from: 2010, to: 2018 } }],
    ['a region', { region: '150', tier: 'CORE' as const }],
  ])('the parallel lists decode to exactly the cell objects: %s', async (_name, filter) => {
    const m = data(await gql(MatrixColumnsQuery, { filter })).coverageMatrix;
    const c = m.cellColumns;
    const decoded = c.indicatorIndex.map((indicator, n) => ({
      indicator: m.indicators[indicator],
      country: m.countries[c.countryIndex[n]!],
      years: c.years[n],
      latestYear: c.latestYear[n],
      sourceType: c.sourceTypeIndex[n] == null ? null : c.sourceTypes[c.sourceTypeIndex[n]!],
      residenceCriterion: c.residenceCriterion[n],
    }));
    expect(m.cells.length).toBeGreaterThan(0);
    for (const list of [c.countryIndex, c.years, c.latestYear, c.sourceTypeIndex, c.residenceCriterion]) {
      expect(list).toHaveLength(m.cells.length);
    }
    expect(decoded).toEqual(m.cells);
    // Only the source types some cell names, by code.
    const codes = c.sourceTypes.map((t) => t.code);
    expect(codes).toEqual([...new Set(m.cells.flatMap((cell) => cell.sourceType?.code ?? []))].sort());
  });

  test('each column is one scalar value, which the executor completes once, not once per cell', async () => {
    const { __type } = data(
      await gql<
        { __type: { fields: { name: string; type: { kind: string; ofType: { kind: string; name: string } } }[] } },
        never
      >(
        `query CellColumnsType { __type(name: "CoverageCellColumns") { fields { name type { kind ofType { kind name } } } } }`,
      ),
    );
    const columns = Object.fromEntries(
      __type.fields.map((f) => [f.name, `${f.type.kind}(${f.type.ofType.kind} ${f.type.ofType.name ?? ''})`]),
    );
    expect(columns).toEqual({
      indicatorIndex: 'NON_NULL(SCALAR IntList)',
      countryIndex: 'NON_NULL(SCALAR IntList)',
      years: 'NON_NULL(SCALAR IntListList)',
      latestYear: 'NON_NULL(SCALAR IntList)',
      sourceTypes: 'NON_NULL(LIST )',
      sourceTypeIndex: 'NON_NULL(SCALAR NullableIntList)',
      residenceCriterion: 'NON_NULL(SCALAR ResidenceCriterionList)',
    });
  });

  test('anonymous callers get the same encoding of what they may see', async () => {
    const filter = { indicators: ['T_STOCK', 'T_FLOW'] };
    const m = data(await gql(MatrixColumnsQuery, { filter }, { token: undefined })).coverageMatrix;
    const c = m.cellColumns;
    expect(m.cells.length).toBeGreaterThan(0);
    expect(c.indicatorIndex.map((i, n) => `${m.indicators[i]!.code}/${m.countries[c.countryIndex[n]!]!.iso3}`)).toEqual(
      m.cells.map((cell) => `${cell.indicator.code}/${cell.country.iso3}`),
    );
    expect(c.years).toEqual(m.cells.map((cell) => cell.years));
  });
});

const GapsQuery = graphql(`
  query Gaps($filter: CoverageFilter) {
    gaps(filter: $filter) {
      kind
      indicator {
        code
      }
      country {
        iso3
      }
      candidateSources {
        code
      }
    }
  }
`);

describe('gaps', () => {
  test('PRIMARY and SECONDARY sources make a gap feasible, SUPPLEMENTARY ones do not', async () => {
    const gaps = data(await gql(GapsQuery, { filter: { indicators: ['T_STOCK'], region: '029' } })).gaps;
    // 28 Caribbean countries, CUB reports: 27 gaps.
    expect(gaps).toHaveLength(27);
    const of = (iso3: string) => gaps.find((g) => g.country?.iso3 === iso3);
    expect(of('CUB')).toBeUndefined();
    // CENSUS (primary) and POP_REGISTER (secondary); BORDER is not linked to T_STOCK.
    expect(of('JAM')).toEqual({
      kind: 'FEASIBLE_NOT_REPORTED',
      indicator: { code: 'T_STOCK' },
      country: { iso3: 'JAM' },
      candidateSources: [{ code: 'JAM_CENSUS' }, { code: 'JAM_REG' }],
    });
    expect(of('BRB')).toMatchObject({ kind: 'FEASIBLE_NOT_REPORTED', candidateSources: [{ code: 'BRB_REG' }] });
    expect(of('HTI')).toMatchObject({ kind: 'NO_FEASIBLE_SOURCE', candidateSources: [] }); // HH_SURVEY: supplementary
    expect(gaps.filter((g) => g.kind === 'NO_FEASIBLE_SOURCE')).toHaveLength(25);
    expect(gaps.filter((g) => g.kind === 'FEASIBLE_NOT_REPORTED')).toHaveLength(2);
  });

  test('a country gaps only where it does not report in the window', async () => {
    const gaps = data(
      await gql(GapsQuery, {
        filter: {
          indicators: ['T_STOCK', 'T_FLOW'],
          countries: ['CHE', 'FRA', 'KEN', 'JAM'],
          window: { from: 2020, to: 2020 },
        },
      }),
    ).gaps;
    expect(gaps.map((g) => [g.indicator.code, g.country?.iso3, g.kind, g.candidateSources.map((s) => s.code)])).toEqual(
      [
        ['T_FLOW', 'FRA', 'NO_FEASIBLE_SOURCE', []],
        ['T_FLOW', 'JAM', 'FEASIBLE_NOT_REPORTED', ['JAM_BORDER']],
        ['T_FLOW', 'KEN', 'NO_FEASIBLE_SOURCE', []],
        // France reported 2017 and 2019 by source type, but has no registered data source.
        ['T_STOCK', 'FRA', 'NO_FEASIBLE_SOURCE', []],
        ['T_STOCK', 'JAM', 'FEASIBLE_NOT_REPORTED', ['JAM_CENSUS', 'JAM_REG']],
        ['T_STOCK', 'KEN', 'NO_FEASIBLE_SOURCE', []],
      ],
    );
  });

  test('an indicator without any linked source type has exactly its one NO_CANDIDATE_SOURCE gap, no per-country gaps', async () => {
    // CONTRACT §4: the hole is in the catalogue; repeating it for every country would drown the countries' real gaps.
    const gaps = data(
      await gql(GapsQuery, { filter: { indicators: ['T_NOSRC', 'T_STOCK'], countries: ['CHE', 'KEN'] } }),
    ).gaps;
    expect(gaps).toEqual([
      { kind: 'NO_CANDIDATE_SOURCE', indicator: { code: 'T_NOSRC' }, country: null, candidateSources: [] },
      // A linked indicator keeps its per-country gaps (CHE reports T_STOCK; KEN does not).
      { kind: 'NO_FEASIBLE_SOURCE', indicator: { code: 'T_STOCK' }, country: { iso3: 'KEN' }, candidateSources: [] },
    ]);
    // The same over every country in scope (no country filter): still one gap.
    const world = data(await gql(GapsQuery, { filter: { indicators: ['T_NOSRC'] } })).gaps;
    expect(world).toEqual([
      { kind: 'NO_CANDIDATE_SOURCE', indicator: { code: 'T_NOSRC' }, country: null, candidateSources: [] },
    ]);
  });

  test('by default the CORE, non-retired indicators', async () => {
    const gaps = data(await gql(GapsQuery, { filter: { countries: ['KEN'] } })).gaps;
    const core = [...CATALOGUE_CORE, 'T_FLOW', 'T_NOSRC', 'T_STOCK'].sort();
    expect([...new Set(gaps.map((g) => g.indicator.code))]).toEqual(core);
    expect(gaps.filter((g) => g.kind === 'NO_CANDIDATE_SOURCE').map((g) => g.indicator.code)).toEqual(
      [...CATALOGUE_CORE_UNLINKED, 'T_NOSRC'].sort(),
    );
    // One per-country gap for each linked CORE indicator; the unlinked ones have only their NO_CANDIDATE_SOURCE gap.
    expect(gaps.filter((g) => g.country)).toHaveLength(core.length - CATALOGUE_CORE_UNLINKED.length - 1);
    expect(gaps.filter((g) => g.country && g.kind === 'NO_CANDIDATE_SOURCE')).toEqual([]);
    // The catalogue links HH_SURVEY to IMM_STOCK as SECONDARY; to T_STOCK only as SUPPLEMENTARY.
    expect(gaps.find((g) => g.indicator.code === 'IMM_STOCK' && g.country)).toMatchObject({
      kind: 'FEASIBLE_NOT_REPORTED',
      candidateSources: [{ code: 'KEN_SURVEY' }],
    });
    expect(gaps.find((g) => g.indicator.code === 'T_STOCK')).toMatchObject({ kind: 'NO_FEASIBLE_SOURCE' });
    const unknown = await gql(GapsQuery, { filter: { indicators: ['T_STOCK', 'NOPE'] } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknownCountry = await gql(GapsQuery, { filter: { countries: ['ZZZ'] } });
    expect(unknownCountry.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

const ComparabilityQuery = graphql(`
  query Comparability($indicator: String!, $window: YearWindow) {
    comparability(indicator: $indicator, window: $window) {
      criterion
      countries
    }
  }
`);

test("comparability counts each reporting country's latest countable submission, zero criteria included", async () => {
  const all = data(await gql(ComparabilityQuery, { indicator: 'T_STOCK' })).comparability;
  // FRA 2019 v1 and MEX: OPTION_I; CHE 2020 v2 and CUB: OPTION_II; CAN 2020 register: OTHER.
  expect(all).toEqual([
    { criterion: 'OPTION_I', countries: 2 },
    { criterion: 'OPTION_II', countries: 2 },
    { criterion: 'OTHER', countries: 1 },
  ]);
  const early = data(
    await gql(ComparabilityQuery, { indicator: 'T_STOCK', window: { from: 2015, to: 2017 } }),
  ).comparability;
  expect(early).toEqual([
    { criterion: 'OPTION_I', countries: 1 }, // MEX
    { criterion: 'OPTION_II', countries: 2 }, // FRA 2017, CUB
    { criterion: 'OTHER', countries: 0 },
  ]);
  // CHE reports T_FLOW without a criterion: every criterion has zero countries.
  expect(data(await gql(ComparabilityQuery, { indicator: 'T_FLOW' })).comparability).toEqual([
    { criterion: 'OPTION_I', countries: 0 },
    { criterion: 'OPTION_II', countries: 0 },
    { criterion: 'OTHER', countries: 0 },
  ]);
});

const AggregateQuery = graphql(`
  query AggregateOf($indicator: String!, $year: Int!, $region: String, $sex: String) {
    aggregate(indicator: $indicator, year: $year, region: $region, sex: $sex) {
      indicator {
        code
      }
      year
      region {
        code
      }
      value
      countriesIncluded
      countriesInScope
      missing {
        iso3
      }
    }
  }
`);

describe('aggregate', () => {
  const agg = async (year: number, region?: string, sex?: string) =>
    data(await gql(AggregateQuery, { indicator: 'T_STOCK', year, region, sex })).aggregate!;

  test('sums the countable values; the most recently validated or published source wins', async () => {
    const world = await agg(2020);
    // CHE 110 (published v2; not v1 100, not the v3 draft 999) + CAN 320 (register, countable after the census).
    expect([world.value, world.countriesIncluded, world.countriesInScope, world.missing.length]).toEqual([
      430, 2, 248, 246,
    ]);
    expect(world.region).toBeNull();
    const europe = await agg(2020, '150');
    expect([europe.region?.code, europe.value, europe.countriesIncluded, europe.countriesInScope]).toEqual([
      '150',
      110,
      1,
      51,
    ]);
    // FRA 2019: the validated v1, not the rejected v2 or the pending v3.
    expect((await agg(2019, '150')).value).toBe(200);
    expect((await agg(2017, '029')).value).toBe(30); // CUB (validated) in the Caribbean
    expect((await agg(2015, '419')).value).toBe(1000); // MEX in Latin America (sub-region)
  });

  test('drafts, pending and rejected values are missing; a region without values sums to null', async () => {
    const caribbean2018 = await agg(2018, '029'); // JAM: draft only
    expect([caribbean2018.value, caribbean2018.countriesIncluded, caribbean2018.missing.length]).toEqual([null, 0, 28]);
    expect((await agg(2021, '029')).value).toBeNull(); // BRB: rejected
    expect((await agg(2020, '029')).value).toBeNull(); // BRB: submitted
  });

  test('by sex: the SEX=F observation of the most recent source that has one', async () => {
    const females = await agg(2020, undefined, 'F');
    // CHE v2 65; CAN: the register has no sex split, so the census's 150.
    expect([females.value, females.countriesIncluded]).toEqual([215, 2]);
    expect((await agg(2020, undefined, '_T')).value).toBe(430);
    const males = await agg(2020, undefined, 'M');
    expect([males.value, males.countriesIncluded, males.missing.length]).toEqual([null, 0, 248]);
  });

  test('lists the countries in scope without a value', async () => {
    const americas = await agg(2020, '019');
    expect([americas.value, americas.countriesIncluded, americas.countriesInScope]).toEqual([320, 1, 57]);
    expect(americas.missing).toHaveLength(56);
    expect(americas.missing.map((c) => c.iso3)).toEqual(expect.arrayContaining(['BRB', 'CUB', 'MEX', 'JAM']));
    expect(americas.missing.map((c) => c.iso3)).not.toContain('CAN');
  });

  test('says which residence criteria the summed values were produced under, and how many are estimates', async () => {
    const BASIS = `query($year: Int!, $region: String) { aggregate(indicator: "T_STOCK", year: $year, region: $region) {
      countriesIncluded criteria { criterion countries } countriesWithoutCriterion countriesEstimated } }`;
    type Basis = {
      aggregate: {
        countriesIncluded: number;
        criteria: { criterion: string; countries: number }[];
        countriesWithoutCriterion: number;
        countriesEstimated: number;
      };
    };
    // CHE's published v2 under OPTION_II plus CAN's register (OTHER, its data source's): two definitions in one sum.
    expect(data(await gql<Basis, object>(BASIS, { year: 2020 })).aggregate).toEqual({
      countriesIncluded: 2,
      criteria: [
        { criterion: 'OPTION_I', countries: 0 },
        { criterion: 'OPTION_II', countries: 1 },
        { criterion: 'OTHER', countries: 1 },
      ],
      countriesWithoutCriterion: 0,
      countriesEstimated: 0,
    });
    expect(data(await gql<Basis, object>(BASIS, { year: 2015, region: '419' })).aggregate.criteria).toEqual([
      { criterion: 'OPTION_I', countries: 1 },
      { criterion: 'OPTION_II', countries: 0 },
      { criterion: 'OTHER', countries: 0 },
    ]);
  });

  test('a non-additive indicator answers null with NOT_ADDITIVE, never a sum', async () => {
    const result = await gql(AggregateQuery, { indicator: 'T_RATE', year: 2020 });
    expect(result.data?.aggregate).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_ADDITIVE');
    const unknown = await gql(AggregateQuery, { indicator: 'NOPE', year: 2020 });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
