// Schema builder configuration only: plugins (order matters: scope-auth first, errors before prisma), scalars,
// auth scopes. Object types live in the domain modules.
import SchemaBuilder, { type SchemaTypes } from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import type { ResidenceCriterion as ResidenceCriterionValue } from '../../prisma/generated/prisma/enums.js';
import type PrismaTypes from '../../prisma/generated/pothos-types.js';
import { getDatamodel } from '../../prisma/generated/pothos-types.js';
import { isAuthor, type Context } from '../platform/context.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    // Output-only list scalars (list-scalars.ts).
    IntList: { Input: never; Output: readonly number[] };
    IntListList: { Input: never; Output: readonly (readonly number[])[] };
    NullableIntList: { Input: never; Output: readonly (number | null)[] };
    ResidenceCriterionList: { Input: never; Output: readonly (ResidenceCriterionValue | null)[] };
    File: { Input: File; Output: never };
  };
  AuthScopes: {
    /** Any valid token. */
    authenticated: boolean;
    admin: boolean;
    /** TASK_FORCE or ADMIN: curate the catalogue, validate and publish. */
    taskForce: boolean;
    /** May create and submit data for this country id (its FOCAL_POINT, a TASK_FORCE member or an ADMIN). */
    countryWriter: number;
    /** May read unpublished data (any role but READER). */
    unpublishedReader: boolean;
    /** Is the token that wrote this (a comment's author token id; null: written by the CLI, nobody's). */
    author: number | null;
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: !!ctx.viewer,
      admin: ctx.viewer?.role === 'ADMIN',
      taskForce: ctx.viewer?.role === 'ADMIN' || ctx.viewer?.role === 'TASK_FORCE',
      countryWriter: (countryId) =>
        ctx.viewer?.role === 'ADMIN' ||
        ctx.viewer?.role === 'TASK_FORCE' ||
        (ctx.viewer?.role === 'FOCAL_POINT' && ctx.viewer.countryId === countryId),
      unpublishedReader: !!ctx.viewer && ctx.viewer.role !== 'READER',
      author: (tokenId) => isAuthor(ctx.viewer, tokenId),
    }),
    unauthorizedError: (_parent, ctx, info, result) => {
      const field = `${info.parentType.name}.${info.fieldName}`;
      if (!ctx.viewer)
        return new GraphQLError(`${field} requires a token (Authorization: Bearer …)`, {
          extensions: { code: 'UNAUTHENTICATED' },
        });
      // A focal point's role may use the field; what it may not is another country's data (or an item it cannot
      // see, which is refused the same way, so as not to tell the two apart).
      const failed = failedScopes(result.failure);
      const message = failed.includes('author')
        ? `Only the token that wrote it may use ${field} on it`
        : ctx.viewer.role === 'FOCAL_POINT' && failed.includes('countryWriter')
          ? `A FOCAL_POINT token may use ${field} only on its own country's data`
          : `Your role (${ctx.viewer.role}) may not use ${field}`;
      return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
    },
  },
  errors: {
    directResult: true,
    defaultUnionOptions: {
      description:
        "The mutation's payload, or the typed error (an Error) that stopped it, in which case nothing changed.",
      name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result`,
    },
    defaultResultOptions: {
      name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Success`,
    },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
  },
  // The descriptions of what the relay plugin generates (Node, PageInfo, connection arguments and fields), so every
  // part of schema.graphql is described (graphql-eslint require-description, eslint.config.js).
  relay: {
    decodeGlobalID,
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesOnConnection: { description: 'The items of this page, in order (the same as edges { node }).' },
    idFieldOptions: { description: 'Opaque global id (Relay): use it with node(id) and in mutation inputs.' },
    nodeTypeOptions: { description: 'An entity with an opaque global id, reachable by node(id) (Relay).' },
    nodeQueryOptions: {
      description: 'The entity with this global id, or null when there is none or the caller may not read it.',
      args: { id: { description: 'A global id, as returned by an id field.' } },
    },
    nodesQueryOptions: {
      description: 'The entities with these global ids, in the same order; null for those not found or not readable.',
      args: { ids: { description: 'Global ids, as returned by id fields.' } },
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list (Relay).' },
    hasNextPageFieldOptions: { description: 'More items follow this page (page on with after: endCursor).' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page (page back with before: startCursor).' },
    startCursorFieldOptions: { description: "The first item's cursor; null on an empty page." },
    endCursorFieldOptions: { description: "The last item's cursor; null on an empty page." },
    edgesFieldOptions: { description: 'The items of this page with their cursors, in order.' },
    pageInfoFieldOptions: { description: 'Cursors and whether more pages follow or precede.' },
    cursorFieldOptions: { description: 'Opaque cursor of this item: pass it as after (or before) to page on from it.' },
    nodeFieldOptions: { description: 'The item.' },
    firstArgOptions: {
      description: `Return the first n items (after the cursor, if given); default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}.`,
    },
    afterArgOptions: { description: 'Return items after this cursor (an endCursor or edge cursor of this list).' },
    lastArgOptions: {
      description: `Return the last n items (before the cursor, if given); at most ${MAX_PAGE_SIZE}.`,
    },
    beforeArgOptions: { description: 'Return items before this cursor (a startCursor or edge cursor of this list).' },
  },
});

/**
 * Global ids are base64 of "Typename:key", and every node's key is an Int row id: anything else (not base64, no
 * type, "Country:1e999") is BAD_USER_INPUT, never a database error.
 */
function decodeGlobalID(globalID: string): { typename: string; id: string } {
  const decoded = /^[A-Za-z0-9+/=_-]{1,512}$/.test(globalID) ? Buffer.from(globalID, 'base64').toString('utf8') : '';
  const match = /^([A-Z][A-Za-z0-9]*):([1-9][0-9]{0,15})$/.exec(decoded);
  if (!match || !Number.isSafeInteger(Number(match[2]))) {
    throw new GraphQLError(`Malformed global id "${globalID.slice(0, 80)}": use the id a Node field returned`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  if (!isNodeType(match[1]!)) {
    throw new GraphQLError(
      `Global id "${globalID.slice(0, 80)}" names ${match[1]}, which is no type with ids here: use the id a Node ` +
        'field returned',
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  return { typename: match[1]!, id: match[2]! };
}

/**
 * Whether `typename` is an object type implementing Node. Ids are decoded while executing, after the build; each
 * name is looked up once (ids are decoded on every request that takes one).
 */
const nodeTypes = new Map<string, boolean>();
function isNodeType(typename: string): boolean {
  let known = nodeTypes.get(typename);
  if (known === undefined) {
    const store = builder.configStore;
    const config = store.hasConfig(typename) ? store.getTypeConfig(typename) : null;
    known = config?.kind === 'Object' && config.interfaces.some((ref) => store.getTypeConfig(ref).name === 'Node');
    // Only this schema's type names are kept: a caller's made-up names are not remembered.
    if (known) nodeTypes.set(typename, known);
  }
  return known;
}

builder.addScalarType(
  'DateTime',
  new GraphQLScalarType<Date, string>({
    name: 'DateTime',
    description: 'An ISO-8601 timestamp in UTC.',
    serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
    parseValue: (value) => parseDate(value),
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseDate(ast.value, ast) : invalidDate(undefined, ast)),
  }),
);

function parseDate(value: unknown, node?: ValueNode): Date {
  const date = typeof value === 'string' ? new Date(value) : invalidDate(value, node);
  return Number.isNaN(date.getTime()) ? invalidDate(value, node) : date;
}
// A scalar is not told which argument or input field it parses: for a variable graphql-js names it around this
// error (`Variable "$input" got invalid value "2027-13-45" at "input.expiresAt"; …`), but a literal's error is
// passed through bare, so it gives the value and the literal's location (line and column) instead. Naming the
// literal's field would take a pass over the document per error, which no other error in the hub needs.
function invalidDate(value: unknown, node?: ValueNode): never {
  const found = node ? `; found ${print(node)}` : '';
  throw new GraphQLError(`DateTime must be an ISO-8601 string, e.g. 2027-01-31T00:00:00Z${found}`, { nodes: node });
}

builder.addScalarType(
  'JSON',
  new GraphQLScalarType({
    name: 'JSON',
    description: 'Arbitrary JSON (audit snapshots, observation dimensions).',
    serialize: (v) => v,
    parseValue: (v) => v,
  }),
);

// Uploads (GraphQL multipart request spec): Yoga parses multipart/form-data bodies and hands a File to a variable
// of this scalar; it is never an output.
builder.addScalarType(
  'File',
  new GraphQLScalarType<File, never>({
    name: 'File',
    description: 'An uploaded file (GraphQL multipart request: a multipart/form-data POST).',
    serialize: () => {
      throw new GraphQLError('File is an input-only scalar');
    },
    parseValue: (value) => {
      // Yoga's File may be its fetch ponyfill's, not this realm's: told by what a Blob does.
      const blob = value as Partial<Blob> | null;
      if (typeof blob?.stream === 'function' && typeof blob.slice === 'function') return value as File;
      throw new GraphQLError('File must be uploaded as a part of a multipart/form-data request');
    },
    parseLiteral: () => {
      throw new GraphQLError('File must be uploaded as a part of a multipart/form-data request');
    },
  }),
);

/** The builder's type parameters, for helpers that take its refs or field builders. */
export type BuilderTypes =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

builder.queryType({ description: 'Reads. Without a token only the catalogue and PUBLISHED data are visible.' });
builder.mutationType({
  description: 'Writes. Every mutation requires a token; refusals are UNAUTHENTICATED or FORBIDDEN errors.',
});
builder.subscriptionType({
  description: 'Pushes over server-sent events (CONTRACT §10): the change feed as it is written.',
});

/** The named scopes an authorization failure was refused on, through any any/all combinations of them. */
function failedScopes(failure: AuthFailure): string[] {
  if (failure.kind === AuthScopeFailureType.AuthScope) return [failure.scope];
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes)
    return failure.failures.flatMap(failedScopes);
  return [];
}
