import { graphql } from '../gql/index.js';
import type { CountriesInRegionQuery } from '../gql/graphql.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

const CountryByCode = graphql(`
  query CountryByCode($code: String!) {
    country(code: $code) {
      id
      m49
      iso3
      name
      region {
        code
        name
      }
      regions {
        code
        level
      }
    }
  }
`);

test('a country is found by M49 or ISO3 code, with its whole M49 region chain', async () => {
  const byM49 = data(await hub.gql(CountryByCode, { code: '756' })).country;
  const byIso = data(await hub.gql(CountryByCode, { code: 'che' })).country;
  expect(byM49).toEqual(byIso);
  expect(byM49).toMatchObject({
    m49: '756',
    iso3: 'CHE',
    name: 'Switzerland',
    region: { code: '150', name: 'Europe' },
  });
  expect(byM49?.regions.map((r) => `${r.level}:${r.code}`)).toEqual(['WORLD:001', 'REGION:150', 'SUB_REGION:155']);
  expect(data(await hub.gql(CountryByCode, { code: 'XXX' })).country).toBeNull();
});

const CountriesInRegion = graphql(`
  query CountriesInRegion($region: String, $search: String, $first: Int, $after: String) {
    countries(region: $region, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          m49
        }
      }
    }
  }
`);

test('countries filter by region at any depth of M49 and by search', async () => {
  const all = data(await hub.gql(CountriesInRegion, {})).countries;
  expect(all.totalCount).toBe(248);
  expect(all.edges).toHaveLength(20); // default page size
  expect(data(await hub.gql(CountriesInRegion, { region: '002' })).countries.totalCount).toBe(60); // Africa
  expect(data(await hub.gql(CountriesInRegion, { region: '419' })).countries.totalCount).toBe(52); // sub-region
  expect(data(await hub.gql(CountriesInRegion, { region: '029' })).countries.totalCount).toBe(28); // intermediate
  // An unknown region is an error naming the argument, never an empty list (README "Unknown codes and errors").
  const unknown = await hub.gql(CountriesInRegion, { region: '999' });
  expect(unknown.errors?.[0]).toMatchObject({
    message: 'region: no M49 region with code "999"',
    extensions: { code: 'NOT_FOUND', argument: 'region' },
  });
  const swiss = data(await hub.gql(CountriesInRegion, { search: 'switz' })).countries;
  expect(swiss.edges.map((e) => e.node.m49)).toEqual(['756']);
  // LIKE wildcards in the search are taken literally.
  expect(data(await hub.gql(CountriesInRegion, { search: '%' })).countries.totalCount).toBe(0);
  expect(data(await hub.gql(CountriesInRegion, { search: 'Sw_tzerland' })).countries.totalCount).toBe(0);
});

test('by name, countries sort as a reader expects and are found as people type: diacritics and case aside', async () => {
  const page = async (orderBy: object) =>
    (
      data(
        await hub.gql<{ countries: { nodes: { name: string }[] } }, object>(
          `query ($orderBy: CountryOrder) { countries(first: 5, orderBy: $orderBy) { nodes { name } } }`,
          { orderBy },
        ),
      ) as { countries: { nodes: { name: string }[] } }
    ).countries.nodes.map((n) => n.name);
  // Åland Islands among the A's, not after Zimbabwe (as a byte order, the C collation, would put it).
  expect(await page({ field: 'NAME', direction: 'ASC' })).toEqual([
    'Afghanistan',
    'Åland Islands',
    'Albania',
    'Algeria',
    'American Samoa',
  ]);
  expect((await page({ field: 'NAME', direction: 'DESC' }))[0]).toBe('Zimbabwe');
  // Åland Islands, Côte d’Ivoire, Curaçao, Türkiye.
  for (const [search, m49] of [
    ['aland isl', '248'],
    ['cote', '384'],
    ['CURACAO', '531'],
    ['Türki', '792'],
    ['turkiye', '792'],
  ] as const) {
    const found = data(await hub.gql(CountriesInRegion, { search })).countries;
    expect([search, found.edges.map((e) => e.node.m49)]).toEqual([search, [m49]]);
  }
});

test('forward pagination walks every country exactly once', async () => {
  const seen: string[] = [];
  let after: string | null | undefined = null;
  for (let page = 0; page < 20; page++) {
    const conn: CountriesInRegionQuery['countries'] = data(
      await hub.gql(CountriesInRegion, { first: 100, after }),
    ).countries;
    seen.push(...conn.edges.map((e) => e.node.m49));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  expect(seen).toHaveLength(248);
  expect(new Set(seen).size).toBe(248);
});

test('page size is capped at 100', async () => {
  const result = await hub.gql(CountriesInRegion, { first: 101 });
  expect(result.errors?.[0]?.message).toMatch(/100/);
});
