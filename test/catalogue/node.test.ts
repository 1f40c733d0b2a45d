// Every type implementing Node round-trips through node(id). The types and the ids are found by introspection:
// every root query field without required arguments that returns Node types (directly, in a list or in a
// connection) is asked for ids, and so is every such field of those types one level down (observations and history
// of a submission, for instance), so Node types added later are covered without editing this file. The coverage
// scenario gives the types with custom visibility (data sources, submissions, their observations and events) rows,
// the API an adoption record, a comment and a webhook (with one delivery); a Node type without one fails the test, rather than being skipped.
import {
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { data, startHub, type Hub } from '../support/hub.js';
import { clientSchema } from '../support/introspection.js';
import { coverageScenario } from '../support/scenarios.js';

let hub: Hub;
let schema: GraphQLSchema;
let nodeTypes: string[];
beforeAll(async () => {
  hub = await startHub({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  await coverageScenario(hub.db.prisma);
  // A row for each Node type the scenario does not make: an adoption record and a comment, through the API.
  const token = await hub.token('ADMIN');
  const adopted = data(
    await hub.gql(
      `mutation { reportAdoption(input: { country: "CHE", recommendation: "REC_RESIDENCE", status: IMPLEMENTED }) {
         __typename } }`,
      {},
      { token },
    ),
  ) as { reportAdoption: { __typename: string } };
  expect(adopted.reportAdoption.__typename).toBe('ReportAdoptionPayload');
  const { indicator } = data(await hub.gql(`{ indicator(code: "IMM_STOCK") { id } }`)) as { indicator: { id: string } };
  const commented = data(
    await hub.gql(
      `mutation ($target: ID!) { addComment(input: { target: $target, body: "Which census round?" }) { __typename } }`,
      { target: indicator.id },
      { token },
    ),
  ) as { addComment: { __typename: string } };
  expect(commented.addComment.__typename).toBe('AddCommentPayload');
  // A webhook through the API (to a loopback URL, allowed by this hub's configuration), and one delivery of a feed
  // entry, as the worker of a serving hub would queue it.
  const hooked = data(
    await hub.gql(
      `mutation { createWebhook(input: { url: "http://127.0.0.1:9999/hook", secret: "a-secret-of-16-chars" }) {
         __typename ... on CreateWebhookPayload { webhook { id } } } }`,
      {},
      { token },
    ),
  ) as { createWebhook: { __typename: string } };
  expect(hooked.createWebhook.__typename).toBe('CreateWebhookPayload');
  const webhook = await hub.db.prisma.webhook.findFirstOrThrow();
  await hub.db.prisma.webhookDelivery.create({ data: { webhookId: webhook.id, sequence: 1n } });
  schema = await clientSchema(hub);
  const node = schema.getType('Node');
  if (!isInterfaceType(node)) throw new Error('no Node interface');
  nodeTypes = schema.getImplementations(node).objects.map((t) => t.name);
});
afterAll(() => hub?.close());

/** The connection's node type, when the type is a Relay connection. */
function connectionNode(type: GraphQLNamedType): GraphQLNamedType | undefined {
  if (!isObjectType(type)) return undefined;
  const edges = type.getFields().edges;
  if (!edges) return undefined;
  const edge = getNamedType(edges.type);
  return isObjectType(edge) && edge.getFields().node ? getNamedType(edge.getFields().node!.type) : undefined;
}

/**
 * A selection of `__typename id` for a field returning Node types (with the same for the Node-returning fields of
 * those types while `depth` > 0), or undefined for other fields.
 */
function idSelection(field: GraphQLField<unknown, unknown>, depth: number): string | undefined {
  if (field.args.some((a) => isNonNullType(a.type))) return undefined;
  const named = getNamedType(field.type);
  const inner = (type: GraphQLNamedType) => {
    const nested =
      depth > 0 && isObjectType(type)
        ? Object.values(type.getFields())
            .map((f) => idSelection(f, depth - 1))
            .filter(Boolean)
        : [];
    return `__typename id ${nested.join(' ')}`;
  };
  if (nodeTypes.includes(named.name)) return `${field.name} { ${inner(named)} }`;
  const node = connectionNode(named);
  if (node && (nodeTypes.includes(node.name) || node.name === 'Node')) {
    const first = field.args.some((a) => a.name === 'first') ? '(first: 5)' : '';
    return `${field.name}${first} { edges { node { ${inner(node)} } } }`;
  }
  return undefined;
}

function collectIds(value: unknown, into: Map<string, string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectIds(v, into));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === 'string' && typeof o.id === 'string' && !into.has(o.__typename))
      into.set(o.__typename, o.id);
    Object.values(o).forEach((v) => collectIds(v, into));
  }
}

test('node(id) returns the same object for an id of every Node type', async () => {
  const token = await hub.token('ADMIN');
  const ids = new Map<string, string>();
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    const selection = idSelection(field, 1);
    if (!selection) continue;
    collectIds(data(await hub.gql(`query { ${selection} }`, {}, { token })), ids);
  }
  const checked: string[] = [];
  for (const [typename, id] of ids) {
    const found = data(
      await hub.gql(`query ($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id]) { id } }`, { id }, { token }),
    ) as { node: unknown; nodes: unknown };
    expect({ typename, ...found }).toEqual({ typename, node: { __typename: typename, id }, nodes: [{ id }] });
    checked.push(typename);
  }
  // Every Node type, by name: one without a row in this database (or unreachable from the root) fails here.
  expect(checked.sort()).toEqual([...nodeTypes].sort());
  expect(checked).toEqual(
    expect.arrayContaining(['DataSource', 'Observation', 'Submission', 'SubmissionEvent', 'AuditLog', 'Country']),
  );
});

test('node(id) of any Node type with no such row is null, and a malformed id is an error', async () => {
  const token = await hub.token('ADMIN');
  const results: Record<string, unknown> = {};
  for (const typename of nodeTypes) {
    const id = Buffer.from(`${typename}:987654321`).toString('base64');
    results[typename] = await hub.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id }, { token });
  }
  expect(results).toEqual(Object.fromEntries(nodeTypes.map((t) => [t, { data: { node: null } }])));
  const bad = await hub.gql(`query { node(id: "not-an-id") { id } }`);
  expect(bad.errors?.length).toBeGreaterThan(0);
});

test('ids are opaque and typed: an id of one type does not resolve as another', async () => {
  const result = data(await hub.gql(`query { indicator(code: "IMM_STOCK") { id } topic(code: "COB") { id } }`)) as {
    indicator: { id: string };
    topic: { id: string };
  };
  expect(result.indicator.id).not.toMatch(/^\d+$/);
  expect(result.indicator.id).not.toBe(result.topic.id);
});
