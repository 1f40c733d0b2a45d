// Builds read-only operations over the whole Query type from introspection: every root field, called with a few
// meaningful argument values, selecting every reachable field down to a depth limit (with every variant of the
// nested fields' arguments as aliases). Operations that exceed the server's armor limits (tokens, cost, aliases) are
// split until they fit, so new fields and types are covered without editing the walk.
import {
  getNamedType,
  isAbstractType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { dummyValue } from './introspection.js';

/** Argument values to try, by argument name (and, for `code`/`filter`, by field or input type). */
export interface ArgumentPlan {
  /** Values of a required argument, or variants of an optional one (`undefined` = leave it out). */
  values(field: GraphQLField<unknown, unknown>, arg: GraphQLArgument): unknown[];
  /**
   * Levels to select below `type.field` at most (the walk's own limit applies when absent): for objects that are
   * walked in full elsewhere, so that the walk does not repeat their subtrees wherever they appear.
   */
  depthBelow?(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): number | undefined;
}

interface Sel {
  head: string;
  children: Sel[];
}

export interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

// Enough for node(id) over every planted row and aggregate over every year × region × sex.
const MAX_VARIANTS = 64;

/** Every combination of the argument variants of a field (capped). */
function combinations(field: GraphQLField<unknown, unknown>, plan: ArgumentPlan): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const arg of field.args) {
    let values = plan.values(field, arg);
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
      values = values.filter((v) => v !== undefined);
      if (!values.length) values = [dummyValue(arg.type)];
    }
    if (!values.length) values = [undefined];
    combos = combos.flatMap((c) => values.map((v) => (v === undefined ? c : { ...c, [arg.name]: v })));
  }
  // Never dropped silently: a walk that skips argument values would pass without having looked.
  if (combos.length > MAX_VARIANTS)
    throw new Error(`${field.name}: ${combos.length} argument combinations; narrow the plan (at most ${MAX_VARIANTS})`);
  return combos;
}

/** A GraphQL literal of a JSON-like value (input objects, lists, enums as strings are not needed here). */
function literal(value: unknown, type: GraphQLArgument['type']): string {
  const named = getNamedType(type);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, named)).join(', ')}]`;
  if (isInputObjectType(named) && typeof value === 'object') {
    const fields = named.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]!.type)}`)
      .join(', ')} }`;
  }
  if (named.name === 'Boolean' || named.name === 'Int' || named.name === 'Float') return String(value);
  if ('getValues' in named) return String(value); // enum
  return JSON.stringify(value);
}

function callHead(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, alias?: string): string {
  const list = Object.entries(args).map(
    ([name, v]) => `${name}: ${literal(v, field.args.find((a) => a.name === name)!.type)}`,
  );
  return `${alias ? `${alias}: ` : ''}${field.name}${list.length ? `(${list.join(', ')})` : ''}`;
}

/** Selections of every field of a type, down to `depth` more levels. */
function selectionOf(
  type: GraphQLNamedType,
  depth: number,
  schema: GraphQLSchema,
  plan: ArgumentPlan,
  possible?: (t: GraphQLObjectType) => boolean,
): Sel[] {
  if (isLeafType(type)) return [];
  if (isAbstractType(type)) {
    return [
      { head: '__typename', children: [] },
      ...schema
        .getPossibleTypes(type)
        .filter((t) => !possible || possible(t))
        .map((t) => ({ head: `... on ${t.name}`, children: selectionOf(t, depth, schema, plan).map(prefixed(t)) })),
    ];
  }
  if (!isObjectType(type)) return [];
  const out: Sel[] = [{ head: '__typename', children: [] }];
  const fields = type.getFields();
  for (const field of Object.values(fields)) {
    const named = getNamedType(field.type);
    if (!isLeafType(named) && depth <= 1) continue;
    let childDepth = Math.min(depth - 1, plan.depthBelow?.(type, field) ?? Infinity);
    // A connection's edges repeat its nodes: their cursors and the nodes' own scalars are enough there.
    if (field.name === 'edges' && 'nodes' in fields) childDepth = Math.min(childDepth, 2);
    const combos = field.args.length ? combinations(field, plan) : [{}];
    combos.forEach((args, n) => {
      const alias = combos.length > 1 ? `${field.name}_${n}` : undefined;
      out.push({
        head: callHead(field, args, alias),
        children: isLeafType(named) ? [] : selectionOf(named, childDepth, schema, plan),
      });
    });
  }
  return out;
}

/**
 * A field of one member of an abstract type, aliased with the member's name: two members may have fields named alike
 * with different types (`Indicator.code: String!` and `Country.code: String`), which GraphQL refuses to merge in one
 * selection ("fields conflict"), so the operation would not validate and nothing under it would be read.
 */
const prefixed =
  (type: GraphQLObjectType) =>
  (sel: Sel): Sel => {
    if (sel.head === '__typename') return sel;
    const aliased = /^(\w+): /.exec(sel.head);
    const head = aliased ? `${type.name}_${sel.head}` : `${type.name}_${/^\w+/.exec(sel.head)![0]}: ${sel.head}`;
    return { head, children: sel.children };
  };

function print(sel: Sel): string {
  return sel.children.length ? `${sel.head} { ${sel.children.map(print).join(' ')} }` : sel.head;
}

/** Two trees that together select every leaf of `sel`: the first node with several children has them halved. */
export function split(sel: Sel): [Sel, Sel] | null {
  // __typename stays on both sides so that every object selection stays non-empty.
  const real = sel.children.filter((c) => c.head !== '__typename');
  if (real.length >= 2) {
    const half = Math.ceil(real.length / 2);
    const keep = sel.children.filter((c) => c.head === '__typename');
    return [
      { head: sel.head, children: [...keep, ...real.slice(0, half)] },
      { head: sel.head, children: [...keep, ...real.slice(half)] },
    ];
  }
  if (real.length === 1) {
    const inner = split(real[0]!);
    if (!inner) return null;
    const keep = sel.children.filter((c) => c !== real[0]);
    return [
      { head: sel.head, children: [...keep, inner[0]] },
      { head: sel.head, children: [...keep, inner[1]] },
    ];
  }
  return null;
}

export interface Walk {
  /** Root selections, one per root field and argument combination. */
  roots: Sel[];
  toOperation(sel: Sel): Operation;
}

/** One root selection per Query field and combination of its argument values, `depth` levels deep. */
export function walkQuery(schema: GraphQLSchema, plan: ArgumentPlan, depth: number): Walk {
  const roots: Sel[] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    const named = getNamedType(field.type);
    for (const args of combinations(field, plan)) {
      // node/nodes: only the fragments of the types the ids name, to keep operations small.
      const ids = [args.id, ...((args.ids as unknown[]) ?? [])].filter((v): v is string => typeof v === 'string');
      const typenames = new Set(ids.map((id) => safeTypename(id)));
      const possible = ids.length ? (t: GraphQLObjectType) => typenames.has(t.name) : undefined;
      roots.push({
        head: callHead(field, args),
        children: isLeafType(named) ? [] : selectionOf(named, depth - 1, schema, plan, possible),
      });
    }
  }
  return { roots, toOperation: (sel) => ({ query: `query Walk { ${print(sel)} }`, variables: {} }) };
}

function safeTypename(id: string): string {
  try {
    return decodeGlobalID(id).typename;
  } catch {
    return '';
  }
}

export type { Sel };
