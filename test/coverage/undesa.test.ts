// Regional aggregates over the UN DESA International Migrant Stock 2020 (data/README.md): the hub's sums of the
// member countries must equal the regional rows UN DESA publishes in the same file. Expected figures are read
// from the file itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { dataDir } from '../../src/platform/paths.js';
import { importUndesaIms } from '../../src/submissions/undesa.import.js';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';

const file = join(dataDir, 'un_desa_ims2020_destination.csv');
const published = new Map(
  (parse(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[]).map((row) => [
    row.location_code!,
    row,
  ]),
);
/** A published figure: UN DESA row by location code, column e.g. "stock_total_2020". */
const figure = (code: string, column: string) => Number(published.get(code)![column]);
const UNDESA = { AFRICA: '903', ASIA: '935', OCEANIA: '909', LAC: '904', NORTHERN_AMERICA: '905' };

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
  await importUndesaIms(hub.db.prisma, file, CLI_ACTOR);
}, 120_000);
afterAll(() => hub?.close());

const RegionalStock = graphql(`
  query RegionalStock($year: Int!, $region: String, $sex: String) {
    aggregate(indicator: "IMM_STOCK", year: $year, region: $region, sex: $sex) {
      value
      countriesIncluded
      countriesInScope
      missing {
        m49
      }
    }
  }
`);

const aggregate = async (year: number, region?: string, sex?: string) =>
  data(await hub.gql(RegionalStock, { year, region, sex })).aggregate!;

describe.each([2020, 1990])('totals in %i equal the published regional rows', (year) => {
  const column = `stock_total_${year}`;
  test.each([
    ['002', 'AFRICA', [UNDESA.AFRICA]],
    ['142', 'ASIA', [UNDESA.ASIA]],
    ['009', 'OCEANIA', [UNDESA.OCEANIA]],
    ['019', 'LATIN AMERICA AND THE CARIBBEAN + NORTHERN AMERICA', [UNDESA.LAC, UNDESA.NORTHERN_AMERICA]],
  ])('region %s = %s', async (region, _name, rows) => {
    const expected = rows.reduce((sum, code) => sum + figure(code, column), 0);
    const a = await aggregate(year, region);
    expect(a.value).toBe(expected);
  });
});

test('every country of the region is in scope: included or listed as missing', async () => {
  const asia = await aggregate(2020, '142');
  expect(asia.countriesInScope).toBe(50);
  expect(asia.countriesIncluded + asia.missing.length).toBe(50);
});

describe('females', () => {
  test('Bonaire, Sint Eustatius and Saba (535) has a total but no sex split: missing from female sums', async () => {
    const total = await aggregate(2020, '019');
    expect(total.missing.map((c) => c.m49)).not.toContain('535');
    for (const region of ['029', '419', '019', undefined]) {
      const females = await aggregate(2020, region, 'F');
      expect(females.missing.map((c) => c.m49)).toContain('535');
    }
  });

  test('a female sum that includes it cannot equal UN DESA, which estimates it', async () => {
    for (const year of [2020, 1990]) {
      const females = await aggregate(year, '019', 'F');
      const published =
        figure(UNDESA.LAC, `stock_female_${year}`) + figure(UNDESA.NORTHERN_AMERICA, `stock_female_${year}`);
      expect(females.value).not.toBe(published);
      expect(females.value!).toBeLessThan(published);
    }
  });

  test('regions without such a gap match the published female rows', async () => {
    for (const year of [2020, 1990]) {
      const column = `stock_female_${year}`;
      expect((await aggregate(year, '002', 'F')).value).toBe(figure(UNDESA.AFRICA, column));
      expect((await aggregate(year, '009', 'F')).value).toBe(figure(UNDESA.OCEANIA, column));
    }
  });
});

test("UN DESA's figures are summed as what they are: estimates naming no residence criterion", async () => {
  const basis = data(
    await hub.gql<
      {
        aggregate: {
          countriesIncluded: number;
          criteria: { countries: number }[];
          countriesWithoutCriterion: number;
          countriesEstimated: number;
        };
      },
      object
    >(
      `{ aggregate(indicator: "IMM_STOCK", year: 2020, region: "002") {
        countriesIncluded criteria { countries } countriesWithoutCriterion countriesEstimated } }`,
      {},
    ),
  ).aggregate;
  expect(basis.countriesIncluded).toBeGreaterThan(50);
  expect(basis.criteria.map((c) => c.countries)).toEqual([0, 0, 0]);
  expect(basis.countriesWithoutCriterion).toBe(basis.countriesIncluded);
  expect(basis.countriesEstimated).toBe(basis.countriesIncluded);
});
