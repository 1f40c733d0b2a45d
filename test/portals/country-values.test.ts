// countryValues (CONTRACT §10 with the §4 country value rule), through GraphQL over HTTP, per caller.
import { data, startHub, type Hub } from '../support/hub.js';
import { portalScenario } from './support.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
  await portalScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const QUERY = `
  query Values($indicator: String!, $year: Int!, $sex: String, $region: String) {
    countryValues(indicator: $indicator, year: $year, sex: $sex, region: $region) {
      country { iso3 m49 }
      indicator { code }
      year
      value
      unit
      sourceType { code }
      dataSource { code }
      residenceCriterion
      publishedAt
    }
  }`;

interface Row {
  country: { iso3: string; m49: string };
  value: number;
  sourceType: { code: string } | null;
  residenceCriterion: string | null;
  publishedAt: string | null;
}

async function values(variables: Record<string, unknown>, token?: string) {
  const result = await hub.gql<{ countryValues: Row[] }, Record<string, unknown>>(QUERY, variables, { token });
  return data(result).countryValues;
}

const brief = (rows: Row[]) => rows.map((r) => [r.country.iso3, r.value, r.sourceType?.code ?? null]);

test('anonymous callers get the published country values only, ordered by M49 code', async () => {
  const rows = await values({ indicator: 'IMM_STOCK', year: 2020 });
  // CHE v2 (VALIDATED 101), FRA's validated census (999), DEU (validated only) and ITA (pending) stay hidden.
  expect(brief(rows)).toEqual([
    ['FRA', 200, 'POP_REGISTER'],
    ['CHE', 100, 'CENSUS'],
  ]);
  expect(rows[0]).toMatchObject({ residenceCriterion: 'OPTION_II', publishedAt: '2020-01-01T00:00:00.000Z' });
  expect(rows[1]!.publishedAt).not.toBeNull();
  expect(JSON.stringify(rows)).not.toMatch(/101|999|555|777/);
  // READER reads what anonymous callers read.
  expect(brief(await values({ indicator: 'IMM_STOCK', year: 2020 }, await hub.token('READER')))).toEqual(brief(rows));
});

test('a task force sees validated versions: the newest countable version, and of two sources the latest', async () => {
  const token = await hub.token('TASK_FORCE');
  const rows = await values({ indicator: 'IMM_STOCK', year: 2020 }, token);
  expect(brief(rows)).toEqual([
    ['FRA', 999, 'CENSUS'], // validated after the register's publication (2020-01-01)
    ['DEU', 555, 'CENSUS'],
    ['CHE', 101, 'CENSUS'], // v2 replaces the published v1
  ]);
  expect(rows.map((r) => r.publishedAt)).toEqual([null, null, null]);
});

test("a focal point sees its own country's validated data and other countries' published data", async () => {
  const token = await hub.token('FOCAL_POINT', 'FRA');
  expect(brief(await values({ indicator: 'IMM_STOCK', year: 2020 }, token))).toEqual([
    ['FRA', 999, 'CENSUS'],
    ['CHE', 100, 'CENSUS'],
  ]);
});

test('sex and region select the observation and the countries in scope', async () => {
  expect(brief(await values({ indicator: 'IMM_STOCK', year: 2020, sex: 'F' }))).toEqual([['CHE', 60, 'CENSUS']]);
  expect(brief(await values({ indicator: 'IMM_STOCK', year: 2020, sex: '_T', region: '155' }))).toEqual([
    ['FRA', 200, 'POP_REGISTER'],
    ['CHE', 100, 'CENSUS'],
  ]);
  expect(await values({ indicator: 'IMM_STOCK', year: 2020, region: '002' })).toEqual([]);
  expect(await values({ indicator: 'IMM_STOCK', year: 2019 })).toEqual([]);
  // The task force's CHE v2 has no sex split, so CHE has no female value for it (v1's is superseded).
  expect(await values({ indicator: 'IMM_STOCK', year: 2020, sex: 'F' }, await hub.token('ADMIN'))).toEqual([]);
});

test('unknown codes are errors naming them', async () => {
  const unknownIndicator = await hub.gql(QUERY, { indicator: 'NOPE', year: 2020 });
  expect(unknownIndicator.errors?.[0]).toMatchObject({
    message: 'indicator: no indicator with code "NOPE"',
    extensions: { code: 'NOT_FOUND', argument: 'indicator', codes: ['NOPE'] },
  });
  const unknownRegion = await hub.gql(QUERY, { indicator: 'IMM_STOCK', year: 2020, region: '998' });
  expect(unknownRegion.errors?.[0]).toMatchObject({
    message: 'region: no M49 region with code "998"',
    extensions: { code: 'NOT_FOUND', argument: 'region', codes: ['998'] },
  });
  const badSex = await hub.gql(QUERY, { indicator: 'IMM_STOCK', year: 2020, sex: 'F; DROP' });
  expect(badSex.errors?.[0]).toMatchObject({
    message: 'sex: no sex with code "F; DROP"',
    extensions: { code: 'NOT_FOUND', argument: 'sex' },
  });
});
