// The change feed (CONTRACT §10): `changes(after, first)`, a page of the caller's entries in sequence order, and
// `subscription { changes(after) }`, the same entries replayed from `after` and then streamed live over SSE (Yoga's
// transport) from every hub process serving the database.
import { createContextCache } from '@pothos/core';
import { resolveNodes } from '@pothos/plugin-relay';
import DataLoader from 'dataloader';
import { GraphQLError, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { Context } from '../platform/context.js';
import { lapsedSince } from '../access/tokens.js';
import { builder, DEFAULT_PAGE_SIZE } from '../schema/builder.js';
import { seesVersion, visibilityOf, type Visibility } from '../submissions/visibility.js';
import {
  countChanges,
  cursorOf,
  liveChanges,
  parseCursor,
  readChanges,
  sequenceOf,
  sourceTypeIdOfKey,
  type FeedPosition,
  type FeedRow,
} from './feed.service.js';

/** The caller's position for `after`, or a BAD_USER_INPUT error naming `after` (malformed, or another kind's). */
function positionOf(after: string | null | undefined, visibility: Visibility): FeedPosition {
  const position = parseCursor(after, visibility);
  if (typeof position === 'string')
    throw new GraphQLError(position, { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
  return position;
}

// Per-request loaders (keyed by the context, so nothing outlives the request or crosses callers), one per model,
// key column and selection: every entry of a page selects the same fields, so a page of changes loads each model
// in one statement however long it is.
type Query = { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Model = 'country' | 'indicator' | 'dataSource' | 'sourceType' | 'submission';
type Row = Record<string, unknown>;
const rowLoaders = createContextCache(() => new Map<string, DataLoader<number | string, Row | null>>());

function rowsBy(ctx: Context, model: Model, column: 'id' | 'code', query: Query) {
  const loaders = rowLoaders(ctx);
  const name = `${model}.${column} ${JSON.stringify(query)}`;
  let loader = loaders.get(name);
  if (!loader) {
    loader = new DataLoader(async (keys) => {
      const delegate = ctx.prisma[model] as unknown as { findMany(args: object): Promise<Row[]> };
      const rows = await delegate.findMany({
        ...query,
        ...(query.select && { select: { ...query.select, [column]: true } }),
        where: { [column]: { in: [...keys] } },
      });
      const byKey = new Map(rows.map((r) => [r[column], r]));
      return keys.map((k) => byKey.get(k) ?? null);
    });
    loaders.set(name, loader);
  }
  return loader;
}

/** Loads one row of `model` by `column` for a prismaField, batched with the rest of the page. */
function load<T>(ctx: Context, model: Model, column: 'id' | 'code', query: Query, key: number | string) {
  return rowsBy(ctx, model, column, query).load(key) as Promise<T | null>;
}

/** The source type of source keys ("ST:<code>" names it, "DS:<code>" names a data source of that type). */
const sourceTypeIds = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, number | null>(async (keys) => {
      const rows = await ctx.prisma.$queryRaw<{ key: string; id: number | null }[]>`
        SELECT k.key, ${sourceTypeIdOfKey(Prisma.sql`k.key`)} AS id FROM unnest(${[...keys]}::text[]) AS k(key)`;
      const byKey = new Map(rows.map((r) => [r.key, r.id]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
);

// Catalogue items by type and id, through the Node loading of `node(id)` (each type's own loader, with the fields
// selected under `item`), one batch per page: keyed by the field's AST node, which every entry of a page shares.
const itemLoaders = createContextCache(() => new Map<FieldNode, DataLoader<string, unknown>>());

function loadItem(ctx: Context, info: GraphQLResolveInfo, type: string, id: number): Promise<unknown> {
  const loaders = itemLoaders(ctx);
  const field = info.fieldNodes[0]!;
  let loader = loaders.get(field);
  if (!loader) {
    loader = new DataLoader(async (keys) => {
      const ids = keys.map((k) => {
        const [typename, local] = k.split(':') as [string, string];
        return { typename, id: local };
      });
      // resolveNodes brands each object with its type, which the Node interface resolves by.
      return resolveNodes(builder, ctx, info, ids);
    });
    loaders.set(field, loader);
  }
  return loader.load(`${type}:${id}`);
}

export const ChangeKind = builder.enumType('ChangeKind', {
  description: 'What a change does to the store of a client replaying the feed.',
  values: {
    UPSERT: {
      description:
        'The series key now has this countable version, or the catalogue item was created or changed (replace ' +
        'what the store holds for it).',
    },
    DELETE: {
      description:
        'The series key no longer has a countable version the caller may see (remove it). Catalogue items are ' +
        'never deleted.',
    },
  },
});

/** A series change, with its key columns set. */
type SeriesRow = FeedRow & { countryId: number; indicatorId: number; referenceYear: number; sourceKey: string };

const SeriesKey = builder.objectRef<SeriesRow>('SeriesKey').implement({
  description:
    'A series key: one country, indicator, reference year and source (a data source, a source type or none).',
  fields: (t) => ({
    country: t.prismaField({
      type: 'Country',
      description: 'The reporting country.',
      resolve: async (query, k, _args, ctx) =>
        (await load<never>(ctx, 'country', 'id', query, k.countryId)) ?? Promise.reject(new Error('no country')),
    }),
    indicator: t.prismaField({
      type: 'Indicator',
      description: 'The indicator reported.',
      resolve: async (query, k, _args, ctx) =>
        (await load<never>(ctx, 'indicator', 'id', query, k.indicatorId)) ?? Promise.reject(new Error('no indicator')),
    }),
    referenceYear: t.int({ description: 'The reference year of the figures.', resolve: (k) => k.referenceYear }),
    dataSource: t.prismaField({
      type: 'DataSource',
      nullable: true,
      description: 'The registered data source named by the key; null when the key names a source type or none.',
      resolve: (query, k, _args, ctx) =>
        k.sourceKey.startsWith('DS:') ? load<never>(ctx, 'dataSource', 'code', query, k.sourceKey.slice(3)) : null,
    }),
    sourceType: t.prismaField({
      type: 'SourceType',
      nullable: true,
      description: "The source type named by the key, or the data source's type.",
      resolve: async (query, k, _args, ctx) => {
        if (!k.sourceKey) return null;
        const id = await sourceTypeIds(ctx).load(k.sourceKey);
        return id === null ? null : load<never>(ctx, 'sourceType', 'id', query, id);
      },
    }),
  }),
});

const Change = builder.objectRef<FeedRow>('Change').implement({
  description:
    'One entry of the change feed: after the change with this sequence, the series key has this countable version ' +
    '(UPSERT) or none the caller may see (DELETE), or the catalogue item was created or changed (UPSERT). A client ' +
    'that applies the entries in order to an empty store holds what a full download holds.',
  fields: (t) => ({
    sequence: t.string({
      description:
        "Strictly increasing in commit order, without gaps, over the caller's feed (anonymous and READER callers " +
        'share one numbering, ADMIN and TASK_FORCE another); a focal point, whose feed mixes the two, reads the ' +
        'global sequence over both. Resume with `cursor` (or pageInfo.endCursor), not with this number.',
      resolve: (c, _args, ctx) => sequenceOf(c, visibilityOf(ctx.viewer)).toString(),
    }),
    cursor: t.string({
      description:
        'The cursor to resume after this entry (`after` of `changes` or of the subscription): the sequence with ' +
        'the kind of feed it numbers ("p:", "a:" or "g:"), so that no other kind of caller misreads it.',
      resolve: (c, _args, ctx) => cursorOf(c, visibilityOf(ctx.viewer)),
    }),
    kind: t.field({
      type: ChangeKind,
      description: 'UPSERT (store this version or item) or DELETE (drop the key).',
      resolve: (c) => (c.submissionId === null && c.itemType === null ? 'DELETE' : 'UPSERT'),
    }),
    at: t.field({ type: 'DateTime', description: 'When the change was committed.', resolve: (c) => c.at }),
    series: t.field({
      type: SeriesKey,
      nullable: true,
      description: 'The series key changed; null on a catalogue change.',
      resolve: (c) => (c.itemType === null ? (c as SeriesRow) : null),
    }),
    submission: t.prismaField({
      type: 'Submission',
      nullable: true,
      description: "On a series UPSERT, the key's countable version, with its observations.",
      resolve: async (query, c, _args, ctx) => {
        if (c.submissionId === null) return null;
        const s = await load<{ status: string; countryId: number }>(ctx, 'submission', 'id', query, c.submissionId);
        // The entry was written for this caller's audience; the check keeps the rule in one place all the same.
        return s && seesVersion(visibilityOf(ctx.viewer), s) ? (s as never) : null;
      },
    }),
    item: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description:
        'On a catalogue change, the item as it is now (an Indicator, Topic, Variable, Concept, SourceType, ' +
        'SdgIndicator, GcmObjective, Recommendation, Country, Region or DataSource); null on a series change.',
      resolve: (c, _args, ctx, info) =>
        c.itemType === null || c.itemId === null ? null : (loadItem(ctx, info, c.itemType, c.itemId) as never),
    }),
  }),
});

type ChangePage = {
  edges: { cursor: string; node: FeedRow }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  after: FeedPosition;
};

const ChangeConnection = builder.connectionObject(
  {
    type: Change,
    name: 'ChangeConnection',
    description: 'A page of the change feed, in sequence order.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'Entries the caller may see after the `after` cursor (this page and the following ones).',
        resolve: (page, _args, ctx) => countChanges(ctx.prisma, visibilityOf(ctx.viewer), (page as ChangePage).after),
      }),
    }),
  },
  { name: 'ChangeEdge', description: 'One entry of the change feed with its cursor.' },
);

builder.queryField('changes', (t) =>
  t.field({
    type: ChangeConnection,
    description:
      'The change feed (CONTRACT §10): the changes the caller may see, in sequence order, after `after`. Resume ' +
      'with pageInfo.endCursor (the `after` given when the page is empty); every committed change appears exactly ' +
      'once, in commit order.',
    args: {
      after: t.arg.string({
        description:
          'The endCursor (or Change.cursor) read last; absent for the start. A plain decimal, the cursor of ' +
          'before per-audience numbering, is read as a global sequence for a focal point and refused to other ' +
          'callers ("0", the start, aside).',
      }),
      first: t.arg.int({ description: `Page size (default ${DEFAULT_PAGE_SIZE}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const visibility = visibilityOf(ctx.viewer);
      const after = positionOf(args.after, visibility);
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      const rows = await readChanges(ctx.prisma, visibility, after, first + 1);
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ cursor: cursorOf(node, visibility), node }));
      const result: ChangePage = {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after.after > 0n,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? (args.after || null),
        },
        after,
      };
      return result;
    },
  }),
);

builder.subscriptionField('changes', (t) =>
  t.field({
    type: Change,
    description:
      'The change feed live (GraphQL over SSE): the changes after `after` (all of them when absent), then each new ' +
      'one as it is committed by any hub process serving this database.',
    args: {
      after: t.arg.string({
        description:
          'The Change.cursor (or endCursor) read last; absent for the start. A plain decimal, the cursor of before ' +
          'per-audience numbering, is read as a global sequence for a focal point and refused to other callers ' +
          '("0", the start, aside).',
      }),
    },
    subscribe: (_root, args, ctx) => {
      const visibility = visibilityOf(ctx.viewer);
      const { viewer } = ctx;
      // The token was checked when the stream opened; a stream outlives that request, so it is checked again.
      const authorize = viewer
        ? async () => {
            const lapsed = await lapsedSince(ctx.prisma, viewer);
            if (lapsed) throw new GraphQLError(lapsed, { extensions: { code: 'UNAUTHENTICATED' } });
          }
        : undefined;
      return liveChanges(ctx.app.db, visibility, positionOf(args.after, visibility), authorize);
    },
    resolve: (row) => row,
  }),
);
