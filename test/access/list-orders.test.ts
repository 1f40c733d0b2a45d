// Every root list with `orderBy:` (one helper, src/schema/connections.ts) is found by introspection and read in
// every order, both directions: paging with `after` in small pages visits the same items as one big page, in the
// same order, each once; and where a list fits in one page, DESC is ASC reversed (the order is total).
import { getNamedType, isEnumType, isInputObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { data, mutateEach, startHub, type Hub } from '../support/hub.js';
import { clientSchema } from '../support/introspection.js';

let hub: Hub;
let schema: GraphQLSchema;
let admin: string;

beforeAll(async () => {
  hub = await startHub();
  schema = await clientSchema(hub);
  admin = await hub.token('ADMIN');
  // Something in every list: tokens, data sources, comments, submissions and their audit entries.
  await hub.token('READER');
  await mutateEach(hub, admin, {
    a: `createDataSource(input: { code: "CHE_A", country: "CHE", sourceType: "CENSUS", name: "Z census", latestYear: 2020 }) { __typename }`,
    b: `createDataSource(input: { code: "FRA_B", country: "FRA", sourceType: "CENSUS", name: "A census", latestYear: 2010 }) { __typename }`,
    c: `importSubmissions(input: { csv: "country,indicator,reference_year,value\\nCHE,IMM_STOCK,2020,1\\nFRA,IMM_STOCK,2019,2\\nFRA,IMM_STOCK,2021,3\\n" }) { __typename }`,
  });
  const indicator = await hub.db.prisma.indicator.findUniqueOrThrow({ where: { code: 'IMM_STOCK' } });
  const { encodeGlobalID } = await import('@pothos/plugin-relay');
  for (const [i, due] of ['2030-01-01T00:00:00Z', null, '2029-01-01T00:00:00Z'].entries()) {
    data(
      await hub.gql(
        `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }`,
        { input: { target: encodeGlobalID('Indicator', indicator.id), body: `comment ${i}`, dueDate: due } },
        { token: admin },
      ),
    );
  }
});
afterAll(() => hub?.close());

function orderedLists(): { field: GraphQLField<unknown, unknown>; orderFields: string[] }[] {
  return Object.values(schema.getQueryType()!.getFields()).flatMap((field) => {
    const arg = field.args.find((a) => a.name === 'orderBy');
    const input = arg && getNamedType(arg.type);
    if (!input || !isInputObjectType(input)) return [];
    const enumType = getNamedType(input.getFields().field!.type);
    return isEnumType(enumType) ? [{ field, orderFields: enumType.getValues().map((v) => v.name) }] : [];
  });
}

test('the lists that grow take orderBy', () => {
  expect(orderedLists().map((l) => l.field.name)).toEqual(
    expect.arrayContaining([
      'auditLog',
      'comments',
      'concepts',
      'countries',
      'dataSources',
      'indicators',
      'recommendations',
      'submissions',
      'tokens',
      'topics',
      'variables',
    ]),
  );
});

test('paging in small pages visits the items of one big page in the same order; DESC reverses ASC', async () => {
  const problems: string[] = [];
  for (const { field, orderFields } of orderedLists()) {
    for (const orderField of orderFields) {
      const wholes: Record<string, string[]> = {};
      for (const direction of ['ASC', 'DESC']) {
        const orderBy = { field: orderField, direction };
        const page = async (first: number, after?: string | null) =>
          data(
            await hub.gql<
              Record<string, { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean } }>,
              unknown
            >(
              `query ($first: Int, $after: String, $orderBy: ${getNamedType(field.args.find((a) => a.name === 'orderBy')!.type).name}) {
                ${field.name}(first: $first, after: $after, orderBy: $orderBy) {
                  edges { cursor node { id } } pageInfo { hasNextPage }
                }
              }`,
              { first, after, orderBy },
              { token: admin },
            ),
          )[field.name]!;
        const whole = (await page(100)).edges.map((e) => e.node.id);
        const paged: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 60; i++) {
          const p = await page(7, after);
          paged.push(...p.edges.map((e) => e.node.id));
          if (!p.pageInfo.hasNextPage) break;
          after = p.edges.at(-1)!.cursor;
        }
        wholes[direction] = whole;
        if (JSON.stringify(paged.slice(0, whole.length)) !== JSON.stringify(whole) || whole.length === 0)
          problems.push(
            `${field.name} ${orderField} ${direction}: paged differs from ${whole.length} items in one page`,
          );
      }
      const [asc, desc] = [wholes.ASC!, wholes.DESC!];
      if (asc.length < 100 && JSON.stringify([...asc].reverse()) !== JSON.stringify(desc))
        problems.push(`${field.name} ${orderField}: DESC is not ASC reversed`);
    }
  }
  expect(problems).toEqual([]);
});
