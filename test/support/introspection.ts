// The hub's schema as a client sees it (through introspection over HTTP), for tests written once for every type
// or mutation so that new ones are covered without editing the tests.
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isRequiredInputField,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { data, type Hub } from './hub.js';

export async function clientSchema(hub: Hub): Promise<GraphQLSchema> {
  return buildClientSchema(data<IntrospectionQuery>(await hub.gql(getIntrospectionQuery())));
}

const SCALARS: Record<string, unknown> = {
  String: 'x',
  ID: 'x',
  Int: 1,
  Float: 1,
  Boolean: true,
  DateTime: '2020-01-01T00:00:00.000Z',
  JSON: {},
};

/** A value of the input type that passes GraphQL validation: required fields only, first enum values. */
export function dummyValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummyValue(type.ofType);
  if (isListType(type)) return [dummyValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    // A @oneOf input takes exactly one of its fields.
    const chosen = type.isOneOf ? fields.slice(0, 1) : fields.filter(isRequiredInputField);
    return Object.fromEntries(chosen.map((f) => [f.name, dummyValue(f.type)]));
  }
  return SCALARS[type.name] ?? 'x';
}

/**
 * Values for a field's required arguments that name things which exist (year 2020, years 2020–2021, the indicator
 * IMM_STOCK, any other code CHE), so that a test probing one argument gets past the others.
 */
export function requiredArguments(field: GraphQLField<unknown, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) values[arg.name] = dummyValue(arg.type);
  }
  for (const [name, value] of Object.entries(values)) {
    if (name === 'year' || name === 'from') values[name] = 2020;
    if (name === 'to') values[name] = 2021;
    if (typeof value === 'string') values[name] = name === 'indicator' ? 'IMM_STOCK' : 'CHE';
  }
  return values;
}

/** A field called with the arguments in `values` as variables: `defs` ("$a: T, …", empty when none) and `call`. */
export function fieldCall(
  field: GraphQLField<unknown, unknown>,
  values: Record<string, unknown>,
): { defs: string; call: string } {
  const used = field.args.filter((a) => a.name in values);
  const defs = used.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = used.map((a) => `${a.name}: $${a.name}`).join(', ');
  return { defs, call: `${field.name}${args ? `(${args})` : ''}` };
}

/** An operation calling one root field with dummy values for its required arguments. */
export function dummyCall(
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
): { query: string; variables: Record<string, unknown> } {
  const variables = Object.fromEntries(
    field.args
      .filter((a) => isNonNullType(a.type) && a.defaultValue === undefined)
      .map((a) => [a.name, dummyValue(a.type)]),
  );
  const { defs, call } = fieldCall(field, variables);
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return { query: `${operation} Dummy${defs ? `(${defs})` : ''} { ${call}${selection} }`, variables };
}
