// `filter:` and `orderBy:` on the lists that had neither (issue 12): topics, variables, concepts, recommendations and
// tokens take one `filter: XFilter` input (the loose `tier`, `search` and `includeRevoked` arguments moved into it);
// the lists under a node (a country's data sources, a region's countries, an item's comments, a recommendation's
// adoption records) take the same `orderBy: XOrder` as the root lists, each with its own default. The root lists'
// paging in every order is checked by test/access/list-orders.test.ts.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { data, mutateEach, startHubAsAdmin, type Hub } from '../support/hub.js';

let hub: Hub;
let admin: string;
beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
afterAll(() => hub?.close());

type Page = { totalCount: number; nodes: Record<string, unknown>[] };

async function list(query: string, token?: string): Promise<Page> {
  const r = data(await hub.gql<Record<string, unknown>, unknown>(`{ list: ${query} }`, undefined, { token }));
  // A field under a node: the one list inside it.
  let v: unknown = r.list;
  while (v && typeof v === 'object' && !('nodes' in v)) v = Object.values(v)[0];
  return v as Page;
}

test('topics: filter by tier and search; orderBy code and name', async () => {
  const all = await list('topics(first: 100) { totalCount nodes { code name tier } }');
  const core = await list('topics(first: 100, filter: { tier: CORE }) { totalCount nodes { code tier } }');
  expect(core.totalCount).toBe(all.nodes.filter((t) => t.tier === 'CORE').length);
  expect(core.totalCount).toBeGreaterThan(0);
  const cob = await list('topics(first: 100, filter: { search: "cob" }) { totalCount nodes { code } }');
  expect(cob.nodes.map((n) => n.code)).toContain('COB');
  const byCode = await list(
    'topics(first: 100, orderBy: { field: CODE, direction: DESC }) { totalCount nodes { code } }',
  );
  expect(byCode.nodes.map((n) => n.code)).toEqual(
    all.nodes.map((n) => n.code as string).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
  );
});

test('variables, concepts and recommendations: filter by search (and concepts by framework)', async () => {
  const sex = await list('variables(first: 100, filter: { search: "sex" }) { totalCount nodes { code } }');
  expect(sex.nodes.map((n) => n.code)).toContain('SEX');
  const none = await list(
    'variables(first: 100, filter: { search: "no_such_variable" }) { totalCount nodes { code } }',
  );
  expect(none.totalCount).toBe(0);

  const concepts = await list('concepts(first: 100) { totalCount nodes { code framework } }');
  const framework = concepts.nodes.find((c) => c.framework != null)!.framework as string;
  const ofFramework = await list(
    `concepts(first: 100, filter: { framework: ${JSON.stringify(framework)} }) { totalCount nodes { framework } }`,
  );
  expect(ofFramework.totalCount).toBe(await hub.db.prisma.concept.count({ where: { framework } }));
  expect(ofFramework.nodes.every((c) => c.framework === framework)).toBe(true);
  const byCode = await list('concepts(first: 5, filter: { search: "r98_migrant" }) { totalCount nodes { code } }');
  expect(byCode.nodes.map((n) => n.code)).toContain('R98_MIGRANT');

  const recs = await list(
    'recommendations(first: 100, filter: { search: "rec_residence" }) { totalCount nodes { code } }',
  );
  expect(recs.nodes.map((n) => n.code)).toEqual(['REC_RESIDENCE']);
  const inOrder = await list('recommendations(first: 100) { totalCount nodes { code position } }');
  const positions = inOrder.nodes.map((n) => n.position as number);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
});

test('tokens: filter by role, country and includeRevoked; an unknown country is NOT_FOUND', async () => {
  await hub.token('FOCAL_POINT', 'CHE');
  await hub.token('FOCAL_POINT', 'FRA');
  const focal = await list('tokens(first: 100, filter: { role: FOCAL_POINT }) { totalCount nodes { role } }', admin);
  expect(focal.totalCount).toBe(2);
  const che = await list(
    'tokens(first: 100, filter: { country: "756" }) { totalCount nodes { country { iso3 } } }',
    admin,
  );
  expect(che.nodes).toEqual([{ country: { iso3: 'CHE' } }]);
  const unknown = await hub.gql(`{ tokens(filter: { country: "ZZ9" }) { totalCount } }`, undefined, { token: admin });
  expect(unknown.errors?.[0]).toMatchObject({
    message: 'filter.country: no country with code "ZZ9"',
    extensions: { code: 'NOT_FOUND' },
  });
});

test("lists under a node take orderBy: a country's data sources, a region's countries, comments, adoptions", async () => {
  await mutateEach(hub, admin, {
    a: `createDataSource(input: { code: "CHE_B", country: "CHE", sourceType: "CENSUS", name: "B", latestYear: 2010 }) { __typename }`,
    b: `createDataSource(input: { code: "CHE_A", country: "CHE", sourceType: "CENSUS", name: "A", latestYear: 2020 }) { __typename }`,
    c: `reportAdoption(input: { country: "FRA", recommendation: "REC_RESIDENCE", status: PLANNED }) { __typename }`,
    d: `reportAdoption(input: { country: "CHE", recommendation: "REC_RESIDENCE", status: IMPLEMENTED }) { __typename }`,
  });
  const codes = async (order: string) =>
    (await list(`country(code: "CHE") { dataSources(first: 10${order}) { totalCount nodes { code } } }`)).nodes.map(
      (n) => n.code,
    );
  expect(await codes('')).toEqual(['CHE_A', 'CHE_B']); // by code, as before
  expect(await codes(', orderBy: { field: LATEST_YEAR, direction: DESC }')).toEqual(['CHE_A', 'CHE_B']);
  expect(await codes(', orderBy: { field: CREATED_AT, direction: ASC }')).toEqual(['CHE_B', 'CHE_A']);

  const europe = async (order: string) =>
    (await list(`region(code: "155") { countries(first: 3${order}) { totalCount nodes { m49 name } } }`)).nodes;
  const byM49 = await europe('');
  expect(byM49.map((n) => n.m49)).toEqual([...byM49.map((n) => n.m49 as string)].sort());
  const byName = await europe(', orderBy: { field: NAME, direction: ASC }');
  expect(byName.map((n) => n.name)).toEqual([...byName.map((n) => n.name as string)].sort());

  const indicator = await hub.db.prisma.indicator.findUniqueOrThrow({ where: { code: 'IMM_STOCK' } });
  const target = encodeGlobalID('Indicator', indicator.id);
  for (const [body, due] of [
    ['first', '2031-01-01T00:00:00Z'],
    ['second', '2030-01-01T00:00:00Z'],
  ]) {
    data(
      await hub.gql(
        `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }`,
        { input: { target, body, dueDate: due } },
        { token: admin },
      ),
    );
  }
  const comments = async (order: string) =>
    (
      await list(`indicator(code: "IMM_STOCK") { comments(first: 10${order}) { totalCount nodes { body } } }`, admin)
    ).nodes.map((n) => n.body);
  expect(await comments('')).toEqual(['second', 'first']); // newest first
  expect(await comments(', orderBy: { field: DUE_DATE, direction: ASC }')).toEqual(['second', 'first']);
  expect(await comments(', orderBy: { field: CREATED_AT, direction: ASC }')).toEqual(['first', 'second']);

  const adoptions = async (args: string) =>
    (
      await list(
        `recommendation(code: "REC_RESIDENCE") { adoptions(first: 10${args}) { totalCount nodes { country { iso3 } } } }`,
      )
    ).nodes.map((n) => (n.country as { iso3: string }).iso3);
  expect(await adoptions('')).toEqual(['FRA', 'CHE']); // by M49: 250, 756
  expect(await adoptions(', orderBy: { field: COUNTRY, direction: DESC }')).toEqual(['CHE', 'FRA']);
  expect(await adoptions(', filter: { status: [IMPLEMENTED] }')).toEqual(['CHE']);
  const unknown = await hub.gql(
    `{ recommendation(code: "REC_RESIDENCE") { adoptions(filter: { region: "999" }) { totalCount } } }`,
  );
  expect(unknown.errors?.[0]).toMatchObject({
    message: 'filter.region: no M49 region with code "999"',
    extensions: { code: 'NOT_FOUND' },
  });
});
