// The change feed (CONTRACT §10): `changes(after, first)`, a page of the caller's entries in sequence order, and
// `subscription { changes(after) }`, the same entries replayed from `after` and then streamed live over SSE (Yoga's
// transport) from every hub process serving the database.
import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { getRefFromModel } from '@pothos/plugin-prisma';
import { GraphQLError } from 'graphql';
import type { DataSource as DataSourceRow } from '../../prisma/generated/prisma/client.js';
import { Indicator } from '../catalogue/indicator.schema.js';
import { SourceType } from '../catalogue/source-type.schema.js';
import { Country } from '../geography/country.schema.js';
import { builder, DEFAULT_PAGE_SIZE } from '../schema/builder.js';
import { Submission } from '../submissions/submission.schema.js';
import { seesVersion, visibilityOf } from '../submissions/visibility.js';
import { countChanges, liveChanges, parseCursor, readChanges, type FeedRow } from './feed.service.js';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
const DataSource = getRefFromModel('DataSource', builder) as unknown as ObjectRef<BuilderTypes, DataSourceRow>;

function cursorOf(after: string | null | undefined): bigint {
  const cursor = parseCursor(after);
  if (cursor === null)
    throw new GraphQLError(`"after" must be a cursor the feed returned (a sequence), got "${String(after)}"`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return cursor;
}

export const ChangeKind = builder.enumType('ChangeKind', {
  description: 'What a change does to the store of a client replaying the feed.',
  values: {
    UPSERT: { description: 'The key now has this countable version (replace what the store holds for it).' },
    DELETE: { description: 'The key no longer has a countable version the caller may see (remove it).' },
  },
});

const SeriesKey = builder.objectRef<FeedRow>('SeriesKey').implement({
  description:
    'A series key: one country, indicator, reference year and source (a data source, a source type or none).',
  fields: (t) => ({
    country: t.field({
      type: Country,
      description: 'The reporting country.',
      resolve: (k, _args, ctx) => ctx.prisma.country.findUniqueOrThrow({ where: { id: k.countryId } }),
    }),
    indicator: t.field({
      type: Indicator,
      description: 'The indicator reported.',
      resolve: (k, _args, ctx) => ctx.prisma.indicator.findUniqueOrThrow({ where: { id: k.indicatorId } }),
    }),
    referenceYear: t.int({ description: 'The reference year of the figures.', resolve: (k) => k.referenceYear }),
    dataSource: t.field({
      type: DataSource,
      nullable: true,
      description: 'The registered data source named by the key; null when the key names a source type or none.',
      resolve: (k, _args, ctx) =>
        k.sourceKey.startsWith('DS:')
          ? ctx.prisma.dataSource.findUnique({ where: { code: k.sourceKey.slice(3) } })
          : null,
    }),
    sourceType: t.field({
      type: SourceType,
      nullable: true,
      description: "The source type named by the key, or the data source's type.",
      resolve: async (k, _args, ctx) => {
        if (k.sourceKey.startsWith('ST:'))
          return ctx.prisma.sourceType.findUnique({ where: { code: k.sourceKey.slice(3) } });
        if (k.sourceKey.startsWith('DS:'))
          return (
            (await ctx.prisma.dataSource.findUnique({ where: { code: k.sourceKey.slice(3) } }).sourceType()) ?? null
          );
        return null;
      },
    }),
  }),
});

const Change = builder.objectRef<FeedRow>('Change').implement({
  description:
    'One entry of the change feed: after the change with this sequence, the series key has this countable version ' +
    '(UPSERT) or none the caller may see (DELETE). A client that applies the entries in order to an empty store ' +
    'holds what a full download holds.',
  fields: (t) => ({
    sequence: t.string({
      description: 'Strictly increasing in commit order; also the cursor to resume after this entry.',
      resolve: (c) => c.sequence.toString(),
    }),
    kind: t.field({
      type: ChangeKind,
      description: 'UPSERT (store this version) or DELETE (drop the key).',
      resolve: (c) => (c.submissionId === null ? 'DELETE' : 'UPSERT'),
    }),
    at: t.field({ type: 'DateTime', description: 'When the change was committed.', resolve: (c) => c.at }),
    series: t.field({ type: SeriesKey, nullable: true, description: 'The series key changed.', resolve: (c) => c }),
    submission: t.prismaField({
      type: Submission,
      nullable: true,
      description: "On an UPSERT, the key's countable version, with its observations.",
      resolve: async (query, c, _args, ctx) => {
        if (c.submissionId === null) return null;
        const s = await ctx.prisma.submission.findUnique({ ...query, where: { id: c.submissionId } });
        // The entry was written for this caller's audience; the check keeps the rule in one place all the same.
        return s && seesVersion(visibilityOf(ctx.viewer), s) ? s : null;
      },
    }),
    item: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: 'On a catalogue change, the item changed. The feed carries series changes only so far: null.',
      resolve: () => null,
    }),
  }),
});

type ChangePage = {
  edges: { cursor: string; node: FeedRow }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  after: bigint;
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
      after: t.arg.string({ description: 'The endCursor (or a sequence) read last; absent for the start.' }),
      first: t.arg.int({ description: `Page size (default ${DEFAULT_PAGE_SIZE}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const after = cursorOf(args.after);
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      const rows = await readChanges(ctx.prisma, visibilityOf(ctx.viewer), after, first + 1);
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ cursor: node.sequence.toString(), node }));
      const result: ChangePage = {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after > 0n,
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
    args: { after: t.arg.string({ description: 'The sequence (or endCursor) read last; absent for the start.' }) },
    subscribe: (_root, args, ctx) => liveChanges(ctx.app.db, visibilityOf(ctx.viewer), cursorOf(args.after)),
    resolve: (row) => row,
  }),
);
