// CONTRACT §7: every mutation in the schema, not only the catalogue's, is refused without a token
// (UNAUTHENTICATED) and for a READER (FORBIDDEN), and a refused call changes nothing. The mutations are found by
// introspection and called with dummy inputs, so mutations added later are covered without editing this file.
import type { GraphQLField } from 'graphql';
import { Prisma } from '../../prisma/generated/prisma/client.js';
import { startHub, type Hub } from '../support/hub.js';
import { clientSchema, dummyCall } from '../support/introspection.js';

let hub: Hub;
let mutations: GraphQLField<unknown, unknown>[];
beforeAll(async () => {
  hub = await startHub();
  const schema = await clientSchema(hub);
  mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
});
afterAll(() => hub?.close());

/** Row counts of every table, to show that refused calls wrote nothing (audit log included). */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const model of Object.values(Prisma.ModelName)) {
    const delegate = (hub.db.prisma as unknown as Record<string, { count(): Promise<number> }>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ];
    if (delegate) counts[model] = await delegate.count();
  }
  return counts;
}

test('the schema has the catalogue mutations', () => {
  expect(mutations.map((m) => m.name)).toEqual(
    expect.arrayContaining([
      'createIndicator',
      'updateIndicator',
      'retireIndicator',
      'confirmIndicatorFields',
      'linkIndicatorSourceType',
      'unlinkIndicatorSourceType',
      'createTopic',
      'updateTopic',
      'createVariable',
      'updateVariable',
    ]),
  );
});

test.each([
  ['no token', undefined, 'UNAUTHENTICATED'],
  ['a READER token', 'READER', 'FORBIDDEN'],
] as const)('every mutation is refused with %s, and nothing is written', async (_label, role, code) => {
  const token = role ? await hub.token(role) : undefined;
  const before = await rowCounts();
  const refusals: Record<string, unknown> = {};
  for (const mutation of mutations) {
    const { query, variables } = dummyCall('mutation', mutation);
    const result = await hub.gql(query, variables, { token });
    refusals[mutation.name] = result.errors?.[0]?.extensions?.code ?? result;
  }
  expect(refusals).toEqual(Object.fromEntries(mutations.map((m) => [m.name, code])));
  expect(await rowCounts()).toEqual(before);
});
