// One rule for unknown codes (issue 12, README "Unknown codes"): a lookup by code (`country(code:)`,
// `indicator(code:)`, …) answers null, like node(id); any other argument or filter field that names an entity by
// code answers an error whose extensions.code is NOT_FOUND and whose message names the argument — never an empty
// list or a zero. Every Query root field is walked by introspection: each argument, and each field of an input
// argument, whose name says it holds codes is given a code that names nothing.
import {
  getNamedType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { startHub, type Hub } from '../support/hub.js';
import { clientSchema, fieldCall, requiredArguments } from '../support/introspection.js';

/** Argument and input-field names that hold codes of entities (CONTRACT §1: `country` is M49 or ISO3). */
const CODE_NAMES = new Set([
  'code',
  'country',
  'countries',
  'indicator',
  'indicators',
  'region',
  'topic',
  'sdg',
  'sourceType',
  'dataSource',
  'sex',
]);
const UNKNOWN = 'ZZ9';

let hub: Hub;
let schema: GraphQLSchema;
let admin: string;
beforeAll(async () => {
  hub = await startHub();
  schema = await clientSchema(hub);
  admin = await hub.token('ADMIN');
});
afterAll(() => hub?.close());

interface Probe {
  field: GraphQLField<unknown, unknown>;
  /** The argument path named by the error: "country", "filter.region". */
  path: string[];
}

const isStringish = (type: GraphQLInputType) => getNamedType(type).name === 'String';

function probes(): Probe[] {
  return Object.values(schema.getQueryType()!.getFields()).flatMap((field) =>
    field.args.flatMap((arg): Probe[] => {
      if (CODE_NAMES.has(arg.name) && isStringish(arg.type)) return [{ field, path: [arg.name] }];
      const named = getNamedType(arg.type);
      if (!isInputObjectType(named)) return [];
      return Object.values(named.getFields())
        .filter((f) => CODE_NAMES.has(f.name) && isStringish(f.type))
        .map((f) => ({ field, path: [arg.name, f.name] }));
    }),
  );
}

/** Valid values for every required argument (a year, a window), then the unknown code at the probed path. */
function call({ field, path }: Probe) {
  const values = requiredArguments(field);
  const [arg, sub] = path as [string, string?];
  const argType = field.args.find((a) => a.name === arg)!.type;
  const listOf = (type: GraphQLInputType) => isListType(isNonNullType(type) ? type.ofType : type);
  if (sub === undefined) values[arg] = listOf(argType) ? [UNKNOWN] : UNKNOWN;
  else {
    const input = getNamedType(argType);
    const subType = isInputObjectType(input) ? input.getFields()[sub]!.type : argType;
    values[arg] = { ...((values[arg] as object) ?? {}), [sub]: listOf(subType) ? [UNKNOWN] : UNKNOWN };
  }
  const { defs, call: invocation } = fieldCall(field, values);
  // A connection resolves its page and its count separately: ask for both.
  const type = getNamedType(field.type);
  const selection = isLeafType(type)
    ? ''
    : isObjectType(type) && type.getFields().totalCount
      ? ' { __typename totalCount nodes { __typename } }'
      : ' { __typename }';
  return { query: `query Probe(${defs}) { ${invocation}${selection} }`, variables: values };
}

/** A lookup by code: a root field whose only code argument is `code` and whose result is one nullable entity. */
const isLookup = ({ field, path }: Probe) =>
  path.length === 1 && path[0] === 'code' && !isNonNullType(field.type) && !isListType(field.type);

test('the walk finds the code arguments', () => {
  const names = probes().map((p) => `${p.field.name}(${p.path.join('.')})`);
  expect(names).toEqual(
    expect.arrayContaining(['country(code)', 'countryCoverage(country)', 'submissions(filter.country)']),
  );
  expect(names.length).toBeGreaterThan(20);
});

test('an unknown code is null in a lookup and NOT_FOUND naming the argument everywhere else', async () => {
  const answers: Record<string, string> = {};
  const expected: Record<string, string> = {};
  for (const probe of probes()) {
    const { query, variables } = call(probe);
    const result = await hub.gql<Record<string, unknown>, unknown>(query, variables, { token: admin });
    const key = `${probe.field.name}(${probe.path.join('.')})`;
    const error = result.errors?.[0];
    answers[key] = error
      ? `${String(error.extensions?.code)}${error.message.startsWith(`${probe.path.join('.')}: `) ? ' naming it' : `: ${error.message}`}`
      : `${JSON.stringify(result.data?.[probe.field.name])}`.slice(0, 60);
    expected[key] = isLookup(probe) ? 'null' : 'NOT_FOUND naming it';
  }
  expect(answers).toEqual(expected);
});

test('a sex code is a code of the SEX variable, matched exactly ("f" is not "F")', async () => {
  const values = (sex: string) =>
    hub.gql<{ countryValues: unknown[] }, unknown>(
      `query ($sex: String) { countryValues(indicator: "IMM_STOCK", year: 2020, sex: $sex) { value } }`,
      { sex },
    );
  for (const sex of ['F', 'M', '_T']) expect((await values(sex)).errors).toBeUndefined();
  const error = (await values('f')).errors?.[0];
  expect([error?.message, error?.extensions]).toEqual([
    'sex: no sex with code "f"',
    { code: 'NOT_FOUND', argument: 'sex', codes: ['f'] },
  ]);
});
