// N+1 guard for the coverage fields on the graph: Indicator.coverage, Country.coverage and Region.coverage are
// batched per request, so a page of 100 parents runs the same SQL statements as a page of 1.
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { startQueryLog, type QueryLog } from '../support/query-log.js';
import { coverageScenario } from '../support/scenarios.js';

let hub: Hub;
let log: QueryLog;
let admin: string;
// As ADMIN, who sees every version (the scenario's expected counts include VALIDATED ones).
const gql: Hub['gql'] = (doc, variables, opts) => hub.gql(doc, variables, { token: admin, ...opts });
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  await coverageScenario(hub.db.prisma);
  // 100 more indicators, so that a page of 100 is possible.
  await hub.db.prisma.indicator.createMany({
    data: Array.from({ length: 100 }, (_, i) => ({
      code: `Z_${String(i).padStart(3, '0')}`,
      name: `Query-count indicator ${i}`,
      unit: 'PERSONS',
      additive: true,
      tier: i % 2 ? 'CORE' : 'ADDITIONAL',
      buildingBlock: 'IMMIGRANT_STOCK',
    })),
  });
  log = await startQueryLog(hub.db.adapterFactory);
});
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

const IndicatorsWithCoverage = graphql(`
  query IndicatorsWithCoverage($first: Int!) {
    indicators(first: $first) {
      edges {
        node {
          code
          coverage(window: { from: 2015, to: 2020 }, region: "019") {
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
            }
          }
          allYears: coverage {
            reportingCountries
          }
        }
      }
    }
  }
`);

test('Indicator.coverage: a page of 100 costs the same statements as a page of 1', async () => {
  const byN: Record<number, number> = {};
  for (const first of [1, 10, 100]) {
    let nodes: { code: string; coverage: { reportingCountries: number }; allYears: { reportingCountries: number } }[] =
      [];
    byN[first] = await log.count(async () => {
      nodes = data(await gql(IndicatorsWithCoverage, { first })).indicators.edges.map((e) => e.node);
    });
    expect(nodes).toHaveLength(first);
    if (first === 100) {
      const stock = nodes.find((n) => n.code === 'T_STOCK');
      expect(stock?.coverage.reportingCountries).toBe(3); // MEX 2015, CUB 2017, CAN 2020
      expect(stock?.allYears.reportingCountries).toBe(5);
    }
  }
  expect(byN[10]).toBe(byN[1]);
  expect(byN[100]).toBe(byN[1]);
  expect(byN[100]).toBeLessThanOrEqual(10);
});

const CountriesWithCoverage = graphql(`
  query CountriesWithCoverage($first: Int!) {
    countries(first: $first) {
      edges {
        node {
          m49
          coverage(window: { from: 2010, to: 2020 }) {
            country {
              m49
            }
            coreReported
            coreTotal
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
      }
    }
  }
`);

test('Country.coverage with missingCore: a page of 100 costs the same statements as a page of 1', async () => {
  const byN: Record<number, number> = {};
  for (const first of [1, 10, 100]) {
    let edges = 0;
    byN[first] = await log.count(async () => {
      const page = data(await gql(CountriesWithCoverage, { first })).countries.edges;
      edges = page.length;
      for (const e of page) expect(e.node.coverage.country.m49).toBe(e.node.m49);
    });
    expect(edges).toBe(first);
  }
  expect(byN[10]).toBe(byN[1]);
  expect(byN[100]).toBe(byN[1]);
  expect(byN[100]).toBeLessThanOrEqual(10);
});

const RegionsWithCoverage = graphql(`
  query RegionsWithCoverage {
    regions {
      code
      coverage(indicator: "T_STOCK") {
        region {
          code
        }
        reportingCountries
        totalCountries
      }
    }
  }
`);

const OneRegionWithCoverage = graphql(`
  query OneRegionWithCoverage {
    region(code: "419") {
      code
      coverage(indicator: "T_STOCK") {
        region {
          code
        }
        reportingCountries
        totalCountries
      }
    }
  }
`);

test('Region.coverage: every region costs the same statements as one', async () => {
  let regions: { code: string; coverage: { reportingCountries: number; totalCountries: number } }[] = [];
  const all = await log.count(async () => {
    regions = data(await gql(RegionsWithCoverage)).regions;
  });
  let one: { region: { code: string }; reportingCountries: number; totalCountries: number } | undefined;
  const single = await log.count(async () => {
    one = data(await gql(OneRegionWithCoverage)).region?.coverage;
  });
  expect(regions.length).toBe(30);
  expect(all).toBe(single);
  expect(one).toEqual({ region: { code: '419' }, reportingCountries: 2, totalCountries: 52 }); // MEX, CUB in Latin America
  expect(regions.find((r) => r.code === '001')?.coverage).toMatchObject({ reportingCountries: 5, totalCountries: 248 });
});
