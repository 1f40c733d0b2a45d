// Bad input gets a bounded, typed answer before it reaches the database: string caps and NUL characters in every
// String/ID argument and length caps on every list argument (walked from the schema, so new arguments are covered
// without editing this file), nesting that
// would overflow the parser, malformed global ids, and no "Did you mean" hints in production.
import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { LIST_CAPS, STRING_KINDS, listCap, stringCap, stringKind } from '../../src/http/limits.js';
import { LIMITS } from '../../src/http/yoga.js';
import { clientSchema, dummyValue } from '../support/introspection.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let schema: GraphQLSchema;
let admin: string;

beforeAll(async () => {
  hub = await startHub();
  schema = await clientSchema(hub);
  admin = await hub.token('ADMIN');
});
afterAll(() => hub?.close());

/** Every String/ID leaf reachable from an argument: its path (as the error names it), name and a setter. */
interface Leaf {
  path: string;
  name: string;
  typeName: string;
  /** The argument's value with `text` at this leaf and dummies for the required fields around it. */
  value(text: string): unknown;
}

function leaves(type: GraphQLInputType, path: string, name: string, seen: Set<string> = new Set()): Leaf[] {
  if (isNonNullType(type)) return leaves(type.ofType, path, name, seen);
  if (isListType(type)) {
    return leaves(type.ofType, `${path}[0]`, name, seen).map((l) => ({ ...l, value: (t) => [l.value(t)] }));
  }
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return [];
    const out: Leaf[] = [];
    for (const field of Object.values(type.getFields())) {
      for (const leaf of leaves(field.type, `${path}.${field.name}`, field.name, new Set([...seen, type.name]))) {
        out.push({
          ...leaf,
          value: (t) => {
            const base = type.isOneOf ? {} : (dummyValue(type) as Record<string, unknown>);
            return { ...base, [field.name]: leaf.value(t) };
          },
        });
      }
    }
    return out;
  }
  if (isScalarType(type) && (type.name === 'String' || type.name === 'ID')) {
    return [{ path, name, typeName: type.name, value: (t) => t }];
  }
  return [];
}

interface Case {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  arg: GraphQLArgument;
  leaf: Leaf;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const operation of ['query', 'mutation'] as const) {
    const root = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) {
        for (const leaf of leaves(arg.type, arg.name, arg.name)) {
          if (stringKind(leaf.name, leaf.typeName) !== 'csv') out.push({ operation, field, arg, leaf });
        }
      }
    }
  }
  return out;
}

/** Every list reachable from an argument (of any item type), with a setter putting `items` there. */
interface ListLeaf {
  path: string;
  name: string;
  value(items: unknown[]): unknown;
  item: GraphQLInputType;
}

function listLeaves(type: GraphQLInputType, path: string, name: string, seen: Set<string> = new Set()): ListLeaf[] {
  if (isNonNullType(type)) return listLeaves(type.ofType, path, name, seen);
  if (isListType(type)) {
    const inner = listLeaves(type.ofType, `${path}[0]`, name, seen).map((l) => ({
      ...l,
      value: (items: unknown[]) => [l.value(items)],
    }));
    return [{ path, name, item: type.ofType, value: (items) => items }, ...inner];
  }
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return [];
    return Object.values(type.getFields()).flatMap((field) =>
      listLeaves(field.type, `${path}.${field.name}`, field.name, new Set([...seen, type.name])).map((leaf) => ({
        ...leaf,
        value: (items: unknown[]) => ({
          ...(type.isOneOf ? {} : (dummyValue(type) as Record<string, unknown>)),
          [field.name]: leaf.value(items),
        }),
      })),
    );
  }
  return [];
}

function listCases() {
  const out: {
    operation: 'query' | 'mutation';
    field: GraphQLField<unknown, unknown>;
    arg: GraphQLArgument;
    leaf: ListLeaf;
  }[] = [];
  for (const operation of ['query', 'mutation'] as const) {
    const root = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) {
        for (const leaf of listLeaves(arg.type, arg.name, arg.name)) out.push({ operation, field, arg, leaf });
      }
    }
  }
  return out;
}

async function call(c: Case, text: string) {
  return callWith(c, c.leaf.value(text));
}

async function callWith(
  c: { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown>; arg: GraphQLArgument },
  value: unknown,
) {
  const args = c.field.args.filter((a) => a === c.arg || (isNonNullType(a.type) && a.defaultValue === undefined));
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isScalarType(getNamedType(c.field.type)) ? '' : ' { __typename }';
  const query = `${c.operation} Limits(${defs}) { ${c.field.name}(${call})${selection} }`;
  const variables = Object.fromEntries(args.map((a) => [a.name, a === c.arg ? value : dummyValue(a.type)]));
  return hub.gql(query, variables, { token: admin });
}

test('the walk reaches the string arguments of queries and mutations', () => {
  const all = cases();
  const names = all.map((c) => `${c.field.name}(${c.leaf.path})`);
  expect(names).toEqual(
    expect.arrayContaining([
      'countries(search)',
      'node(id)',
      'createIndicator(input.description)',
      'rejectSubmission(input.reason)',
    ]),
  );
  expect(all.filter((c) => c.operation === 'mutation').length).toBeGreaterThan(20);
});

test('every String and ID argument over its cap is BAD_USER_INPUT naming it, and nothing is written', async () => {
  const auditBefore = await hub.db.prisma.auditLog.count();
  const failures: string[] = [];
  for (const c of cases()) {
    const cap = stringCap(c.leaf.name, c.leaf.typeName, hub.config.maxBodyBytes);
    const over = await call(c, 'x'.repeat(cap + 1));
    const error = over.errors?.[0];
    if (
      error?.extensions?.code !== 'BAD_USER_INPUT' ||
      !(error.extensions.arguments as string[]).includes(c.leaf.path) ||
      !error.message.includes(`at most ${cap}`)
    ) {
      failures.push(`${c.field.name}(${c.leaf.path}): ${JSON.stringify(over.errors ?? over.data)}`);
    }
  }
  expect(failures).toEqual([]);
  expect(await hub.db.prisma.auditLog.count()).toBe(auditBefore);
});

test('every list argument over its length cap is BAD_USER_INPUT naming it, and nothing is written', async () => {
  const all = listCases();
  expect(all.map((c) => `${c.field.name}(${c.leaf.path})`)).toEqual(
    expect.arrayContaining(['nodes(ids)', 'gaps(filter.countries)', 'createIndicator(input.topics)']),
  );
  const auditBefore = await hub.db.prisma.auditLog.count();
  const failures: string[] = [];
  for (const c of all) {
    const cap = listCap(c.leaf.name);
    const items = Array.from({ length: cap + 1 }, () => dummyValue(c.leaf.item));
    const result = await callWith(c, c.leaf.value(items));
    const error = result.errors?.[0];
    if (
      error?.extensions?.code !== 'BAD_USER_INPUT' ||
      !(error.extensions.arguments as string[]).includes(c.leaf.path) ||
      !error.message.includes(`"${c.leaf.path}" on ${c.field.name} has too many items: ${cap + 1}, at most ${cap}`)
    ) {
      failures.push(`${c.field.name}(${c.leaf.path}): ${JSON.stringify(result.errors ?? result.data)}`);
    }
  }
  expect(failures).toEqual([]);
  expect(await hub.db.prisma.auditLog.count()).toBe(auditBefore);
});

test('a list at its cap runs: every country in a coverage filter, a page of ids', async () => {
  const codes = (await hub.db.prisma.country.findMany({ select: { m49: true } })).map((c) => c.m49);
  expect(codes.length).toBeLessThanOrEqual(LIST_CAPS.countries!);
  const gaps = await hub.gql('query ($c: [String!]) { gaps(filter: { countries: $c }) { __typename } }', { c: codes });
  expect(gaps.errors).toBeUndefined();
  const ids = Array.from({ length: LIST_CAPS.ids! }, (_, i) => Buffer.from(`Country:${900000 + i}`).toString('base64'));
  const nodes = data(
    await hub.gql<{ nodes: unknown[] }, unknown>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids }),
  );
  expect(nodes.nodes).toEqual(ids.map(() => null));
  const over = await hub.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [...ids, ids[0]] });
  expect(over.errors).toEqual([
    expect.objectContaining({
      message: `"ids" on nodes has too many items: ${LIST_CAPS.ids! + 1}, at most ${LIST_CAPS.ids}`,
      extensions: { code: 'BAD_USER_INPUT', arguments: ['ids'] },
    }),
  ]);
});

test('a NUL character in any String or ID argument is BAD_USER_INPUT naming it', async () => {
  const failures: string[] = [];
  for (const c of cases()) {
    const result = await call(c, 'a\u0000b');
    const error = result.errors?.[0];
    if (
      error?.extensions?.code !== 'BAD_USER_INPUT' ||
      !error.message.includes(`"${c.leaf.path}" on ${c.field.name} contains a NUL character`)
    ) {
      failures.push(`${c.field.name}(${c.leaf.path}): ${JSON.stringify(result.errors ?? result.data)}`);
    }
  }
  expect(failures).toEqual([]);
});

test('a 9 MB anonymous search is refused by its cap, literal or variable, and a search at the cap runs', async () => {
  const big = 'a'.repeat(9 * 1024 * 1024);
  for (const result of [
    await hub.gql('query ($s: String) { countries(search: $s) { totalCount } }', { s: big }),
    await hub.gql(`{ countries(search: "${big}") { totalCount } }`),
  ]) {
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe(
      `"search" on countries is too long: ${big.length} characters, at most ${STRING_KINDS.search}`,
    );
  }
  const atCap = data(
    await hub.gql<{ countries: { totalCount: number } }, unknown>(
      'query ($s: String) { countries(search: $s) { totalCount } }',
      { s: 'a'.repeat(STRING_KINDS.search) },
    ),
  );
  expect(atCap.countries).toEqual({ totalCount: 0 });
  expect(
    data(await hub.gql<{ countries: { totalCount: number } }, unknown>('{ countries(search: "switz") { totalCount } }'))
      .countries.totalCount,
  ).toBe(1);
});

test('2 000 levels of nesting (selections, lists, input objects) get a nesting error, not a crash', async () => {
  const deep = [
    `{ ${'a {'.repeat(2000)} b ${'}'.repeat(2000)} }`,
    `{ countries(search: ${'['.repeat(2000)}"x"${']'.repeat(2000)}) { totalCount } }`,
    `{ coverageMatrix(filter: ${'{ window: '.repeat(2000)}1${'}'.repeat(2000)}) { cells { latestYear } } }`,
  ];
  for (const query of deep) {
    const result = await hub.gql(query);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `The query nests braces, brackets or parentheses more than ${LIMITS.maxNesting} deep; the nesting limit is ${LIMITS.maxNesting}.`,
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'nesting', max: LIMITS.maxNesting },
      }),
    ]);
  }
  // Braces inside strings are text, not nesting.
  const inString = await hub.gql(`{ countries(search: "${'{'.repeat(150)}") { totalCount } }`);
  expect(inString.data).toEqual({ countries: { totalCount: 0 } });
});

test('each query limit answers QUERY_TOO_COMPLEX naming the limit and what the query has, not a "Syntax Error"', async () => {
  const times = (n: number, text: (i: number) => string) => Array.from({ length: n }, (_, i) => text(i)).join(' ');
  const cases: [string, string, Record<string, unknown>][] = [
    [
      `{ region(code: "150") { ${'parent { '.repeat(15)}code${' }'.repeat(15)} } }`,
      `The query is 17 fields deep; the depth limit is ${LIMITS.maxDepth}.`,
      { limit: 'depth', max: LIMITS.maxDepth, found: 17 },
    ],
    [
      `{ ${times(LIMITS.maxAliases + 1, (i) => `a${i}: country(code: "CHE") { m49 }`)} }`,
      `The query has 31 aliases; the aliases limit is ${LIMITS.maxAliases}.`,
      { limit: 'aliases', max: LIMITS.maxAliases, found: 31 },
    ],
    [
      '{ countries(first: 100) { nodes { regions { countries(first: 100) { nodes { regions { code } } } } } } }',
      `The query's estimated cost is 435482; the cost limit is ${LIMITS.maxCost}.`,
      { limit: 'cost', max: LIMITS.maxCost, found: 435482 },
    ],
    [
      `{ ${times(LIMITS.maxDirectives + 1, () => '__typename @skip(if: false)')} }`,
      `The query has 51 directives; the directives limit is ${LIMITS.maxDirectives}.`,
      { limit: 'directives', max: LIMITS.maxDirectives, found: 51 },
    ],
    [
      `{ ${times(LIMITS.maxTokens + 1, () => '__typename')} }`,
      `The query has more than ${LIMITS.maxTokens} tokens; the token limit is ${LIMITS.maxTokens}.`,
      { limit: 'tokens', max: LIMITS.maxTokens },
    ],
    // graphql-js's own work limit of its check that repeated fields merge: it said only "Validation aborted."
    [
      `{ indicator(code: "IMM_STOCK") { ${times(800, () => 'code')} } }`,
      "The query repeats fields too often to validate: comparing its field selections for conflicts passed graphql-js's validation work limit (500000 steps). Select each field once.",
      { limit: 'validationWork', max: 500_000 },
    ],
  ];
  for (const [query, message, extensions] of cases) {
    expect((await hub.gql(query)).errors).toEqual([
      expect.objectContaining({ message, extensions: { code: 'QUERY_TOO_COMPLEX', ...extensions } }),
    ]);
  }
  // graphql-js stops after 100 validation errors: the 100 are listed, then the limit instead of "Validation aborted."
  const errors = (await hub.gql(`{ ${times(101, (i) => `unknown${i}`)} }`)).errors ?? [];
  expect(errors).toHaveLength(101);
  expect(errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(errors[100]).toMatchObject({
    message: 'Validation stopped after 100 errors (the validation error limit); the first 100 are listed.',
    extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'validationErrors', max: 100 },
  });
});

test('malformed global ids, and ids of no type with ids, are BAD_USER_INPUT; a well-formed id of nothing is null', async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  for (const id of [
    'Country:1e999',
    b64('Country:1e999'),
    b64('Country:99999999999999999999'),
    b64('Country:-1'),
    b64('Country'),
    'not base64!',
  ]) {
    const result = await hub.gql('query ($id: ID!) { node(id: $id) { id } }', { id });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/^Malformed global id/);
  }
  // Well formed, but of no type with ids: a type that does not exist, one without ids, an input type.
  for (const typename of ['Foo', 'CoverageCell', 'CommentFilter']) {
    const result = await hub.gql('query ($id: ID!) { node(id: $id) { id } }', { id: b64(`${typename}:1`) });
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(new RegExp(`names ${typename}, which is no type with ids here`)),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const nodes = await hub.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [b64('Country:1e999')] });
  expect(nodes.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(data(await hub.gql('query ($id: ID!) { node(id: $id) { id } }', { id: b64('Country:999999') }))).toEqual({
    node: null,
  });
});

describe('field suggestions', () => {
  const probes = [
    { query: '{ indicators(filter: { tier: CORX }) { totalCount } }', variables: undefined },
    { query: 'query ($t: Tier) { indicators(filter: { tier: $t }) { totalCount } }', variables: { t: 'CORX' } },
    { query: '{ indicatrs { totalCount } }', variables: undefined },
    { query: '{ indicators(filtr: {}) { totalCount } }', variables: undefined },
  ];

  test('are given in development', async () => {
    const result = await hub.gql(probes[0]!.query);
    expect(result.errors?.[0]?.message).toMatch(/Did you mean the enum value "CORE"\?/);
  });

  test('are off in production, for fields, arguments, enum values and variables; introspection stays on', async () => {
    const prod = await startHub({ env: { NODE_ENV: 'production' } });
    try {
      for (const probe of probes) {
        const result = await prod.gql(probe.query, probe.variables);
        expect(result.errors?.length).toBeGreaterThan(0);
        const text = JSON.stringify(result.errors);
        expect(text).not.toMatch(/did you mean|CORE|ADDITIONAL|indicators\(|"filter"/i);
      }
      const introspection = await prod.gql<{ __type: { enumValues: { name: string }[] } }, unknown>(
        '{ __type(name: "Tier") { enumValues { name } } }',
      );
      expect(data(introspection).__type.enumValues.map((v) => v.name)).toEqual(['ADDITIONAL', 'CORE']);
    } finally {
      await prod.close();
    }
  });
});

test('a request runs one mutation: several are refused before any runs, naming them', async () => {
  const focalFra = await hub.token('FOCAL_POINT', 'FRA');
  const before = await hub.db.prisma.recommendationAdoption.count();
  // The first is the focal point's to make, the second is not: run one after another, the first would have been
  // written while the answer (all of `data` nulled by the refusal of the second) said nothing of it.
  const result = await hub.gql(
    `mutation {
       a: reportAdoption(input: { country: "FRA", recommendation: "REC_RESIDENCE", status: NOT_STARTED }) { __typename }
       ...More
     }
     fragment More on Mutation {
       b: reportAdoption(input: { country: "CHE", recommendation: "REC_RESIDENCE", status: IMPLEMENTED }) { __typename }
     }`,
    {},
    { token: focalFra },
  );
  expect(result.errors?.[0]).toMatchObject({
    message:
      'A request runs one mutation; this one has 2 (a: reportAdoption, b: reportAdoption): send each in a request ' +
      'of its own, so that each is answered',
    extensions: { code: 'BAD_USER_INPUT' },
  });
  expect(await hub.db.prisma.recommendationAdoption.count()).toBe(before);
  // One mutation (with __typename beside it) runs.
  const one = await hub.gql(
    `mutation { __typename a: reportAdoption(input: { country: "FRA", recommendation: "REC_RESIDENCE",
       status: NOT_STARTED }) { __typename } }`,
    {},
    { token: focalFra },
  );
  expect(one).toEqual({ data: { __typename: 'Mutation', a: { __typename: 'ReportAdoptionPayload' } } });
});
