// One rule for year windows: a window whose `from` is after its `to` is refused with BAD_USER_INPUT and a message that
// says so, on every field that takes one (a root field, a field of a country, indicator or region, or a filter's
// `window`), never "Unexpected error." (a loader that threw synchronously was masked so); so is a filter whose
// `fromYear` is after its `toYear`, never an empty list. The fields are found by introspection, so a new field with a
// window is covered without editing this test.
import {
  getNamedType,
  isInputObjectType,
  isLeafType,
  isObjectType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { startHubAsAdmin, type Hub } from '../support/hub.js';
import { clientSchema, fieldCall, requiredArguments } from '../support/introspection.js';

/** How an operation reaches one object of each type that has a field with a window. */
const REACH: Record<string, string> = {
  Query: '',
  Country: 'country(code: "CHE")',
  Indicator: 'indicator(code: "IMM_STOCK")',
  Region: 'region(code: "150")',
};
const REVERSED = { from: 2020, to: 2010 };

let hub: Hub;
let admin: string;
let schema: GraphQLSchema;
beforeAll(async () => {
  ({ hub, admin } = await startHubAsAdmin());
  schema = await clientSchema(hub);
});
afterAll(() => hub?.close());

interface Probe {
  type: string;
  field: GraphQLField<unknown, unknown>;
  /** The argument holding the window: ["window"], or ["filter", "window"]; or the filter of fromYear and toYear. */
  path: string[];
  years?: true;
}

function probes(): Probe[] {
  const out: Probe[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === 'Mutation') continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        if (named.name === 'YearWindow') out.push({ type: type.name, field, path: [arg.name] });
        else if (isInputObjectType(named)) {
          const fields = named.getFields();
          for (const f of Object.values(fields))
            if (getNamedType(f.type).name === 'YearWindow')
              out.push({ type: type.name, field, path: [arg.name, f.name] });
          if (fields.fromYear && fields.toYear) out.push({ type: type.name, field, path: [arg.name], years: true });
        }
      }
    }
  }
  return out;
}

function call({ type, field, path, years }: Probe) {
  const values = requiredArguments(field);
  const [arg, sub] = path as [string, string?];
  const reversed = years ? { fromYear: REVERSED.from, toYear: REVERSED.to } : REVERSED;
  values[arg] = sub === undefined ? reversed : { ...((values[arg] as object) ?? {}), [sub]: reversed };
  const { defs, call: invocation } = fieldCall(field, values);
  // A list filtered by years reads its rows only for what is selected of it: its totalCount.
  const selection = years ? ' { totalCount }' : ' { __typename }';
  const inner = `${invocation}${isLeafType(getNamedType(field.type)) ? '' : selection}`;
  return {
    query: `query Probe(${defs}) { ${REACH[type] ? `${REACH[type]} { ${inner} }` : inner} }`,
    variables: values,
  };
}

const keyOf = (p: Probe) => `${p.type}.${p.field.name}(${p.path.join('.')})${p.years ? ' fromYear/toYear' : ''}`;

test('the walk finds every field with a window, and can reach each', () => {
  const found = probes();
  expect(found.map(keyOf)).toEqual(
    expect.arrayContaining([
      'Country.coverage(window)',
      'Country.implementation(window)',
      'Indicator.coverage(window)',
      'Region.coverage(window)',
      'Query.indicatorCoverage(window)',
      'Query.coverageMatrix(filter.window)',
      'Query.submissions(filter) fromYear/toYear',
    ]),
  );
  expect([...new Set(found.map((p) => p.type))].filter((t) => !(t in REACH))).toEqual([]);
});

test('a reversed window is BAD_USER_INPUT saying so, wherever it is given', async () => {
  const answers: Record<string, string> = {};
  const expected: Record<string, string> = {};
  for (const probe of probes()) {
    const { query, variables } = call(probe);
    const result = await hub.gql(query, variables, { token: admin });
    const key = keyOf(probe);
    const error = result.errors?.[0];
    answers[key] = error ? `${String(error.extensions?.code)}: ${error.message}` : 'no error';
    expected[key] = probe.years
      ? `BAD_USER_INPUT: ${probe.path[0]}: fromYear (2020) is after toYear (2010)`
      : 'BAD_USER_INPUT: window: from (2020) is after to (2010)';
  }
  expect(answers).toEqual(expected);
});
