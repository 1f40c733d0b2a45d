// Comment threads (CONTRACT §9): the Comment node, the comments query (newest first), addComment, resolveComment,
// reopenComment, and a `comments` connection on every commentable type. Comments are internal: anonymous and READER
// callers see none; a FOCAL_POINT sees and writes its own country's and the catalogue's; TASK_FORCE and ADMIN all.
import { GraphQLError } from 'graphql';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { actorOf } from '../access/audit.js';
import { isAuthor, type Context } from '../platform/context.js';
import { countryKey } from '../geography/m49.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { connectionOf, orderBy, pageOfReadable, wherePerField } from '../schema/connections.js';
import { localId } from '../schema/global-id.js';
import { Indicator } from '../catalogue/indicator.schema.js';
import { DataSource } from '../submissions/data-source.schema.js';
import { Submission } from '../submissions/submission.schema.js';
import { visibilityOf, visibleSubmissionWhere } from '../submissions/visibility.js';
import { AdoptionRecord } from '../implementation/implementation.schema.js';
import {
  addComment,
  editComment,
  mayComment,
  parseTarget,
  setCommentStatus,
  targetCountry,
  TARGET_TYPES,
  visibleCommentWhere,
  type TargetType,
} from './comments.service.js';

export const CommentStatus = builder.enumType('CommentStatus', {
  description: 'Whether a comment still needs attention.',
  values: {
    OPEN: { description: 'Awaiting an answer or an action.' },
    RESOLVED: { description: 'Settled; can be reopened.' },
  } as const,
});

const KIND = Symbol('commentTargetKind');
type Branded = { [KIND]: TargetType };

const CommentTarget = builder.unionType('CommentTarget', {
  description: 'What a comment is about.',
  types: [Indicator, Submission, DataSource, AdoptionRecord],
  resolveType: (value) => (value as unknown as Branded)[KIND],
});

const brand = <T extends object>(row: T | null, kind: TargetType) =>
  row ? Object.assign(row, { [KIND]: kind } as Branded) : null;

export const Comment = builder.prismaNode('Comment', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), AND: [visibleCommentWhere(ctx.viewer)] }),
  description: 'A comment in a thread on an indicator, a submission, a data source or an adoption record.',
  fields: (t) => ({
    body: t.exposeString('body'),
    author: t.exposeString('author', { description: "The author's token name." }),
    status: t.expose('status', { type: CommentStatus }),
    dueDate: t.expose('dueDate', { type: 'DateTime', nullable: true, description: 'When an answer is due.' }),
    overdue: t.boolean({
      description: 'OPEN with a due date in the past.',
      resolve: (c) => c.status === 'OPEN' && c.dueDate !== null && c.dueDate.getTime() < Date.now(),
    }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    resolvedBy: t.exposeString('resolvedBy', { nullable: true }),
    country: t.relation('country', {
      nullable: true,
      description: 'The country of the target; null for catalogue items (indicators).',
    }),
    target: t.field({
      type: CommentTarget,
      nullable: true,
      description: 'The commented item (null if the caller may not read it).',
      resolve: async (c, _args, ctx) => {
        if (c.indicatorId != null)
          return brand(await ctx.prisma.indicator.findUnique({ where: { id: c.indicatorId } }), 'Indicator');
        if (c.submissionId != null)
          return brand(
            await ctx.prisma.submission.findFirst({
              where: { id: c.submissionId, ...visibleSubmissionWhere(visibilityOf(ctx.viewer)) },
            }),
            'Submission',
          );
        if (c.dataSourceId != null)
          return brand(await ctx.prisma.dataSource.findUnique({ where: { id: c.dataSourceId } }), 'DataSource');
        if (c.adoptionId != null)
          return brand(
            await ctx.prisma.recommendationAdoption.findUnique({ where: { id: c.adoptionId } }),
            'AdoptionRecord',
          );
        return null;
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    lastEditedAt: t.expose('lastEditedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its author last changed its text or due date; null if never (editComment).',
    }),
    viewerCanUpdate: t.boolean({
      description: 'Whether the caller may edit it: only the token that wrote it may (editComment).',
      resolve: (c, _args, ctx) => isAuthor(ctx.viewer, c.authorTokenId),
    }),
  }),
});

export const CommentConnection = connectionOf(Comment, 'Comment');

const CommentFilter = builder.inputType('CommentFilter', {
  description: 'Narrows a list of comments; all given conditions apply.',
  fields: (t) => ({
    status: t.field({ type: CommentStatus, description: 'Only OPEN or only RESOLVED comments.' }),
    target: t.id({ description: 'The global id of the commented item.' }),
    country: t.string({ description: 'M49 or ISO3 code: comments on that country’s items.' }),
    dueBefore: t.field({ type: 'DateTime', description: 'Only comments due before this time (overdue: now).' }),
  }),
});

const commentOrder = orderBy('CommentOrder', {
  items: 'comments',
  fields: {
    CREATED_AT: { description: 'When the comment was written.', keys: () => [] },
    DUE_DATE: {
      description: 'When it is due; a comment without a due date counts as due last.',
      keys: (d) => [{ dueDate: d }],
    },
  },
  default: { field: 'CREATED_AT', direction: 'DESC' },
  defaultIs: 'newest first',
});

/** The comments a filter selects, built once for the page and its totalCount (wherePerField). */
const commentWhere = wherePerField(
  async (
    _root: unknown,
    { filter }: { filter?: typeof CommentFilter.$inferInput | null },
    ctx: Context,
  ): Promise<Prisma.CommentWhereInput> => {
    const and: Prisma.CommentWhereInput[] = [visibleCommentWhere(ctx.viewer)];
    if (filter?.status) and.push({ status: filter.status });
    if (filter?.target != null) {
      const target = parseTarget(String(filter.target), ['filter', 'target']);
      and.push({ [TARGET_TYPES[target.type]]: target.id });
    }
    if (filter?.country) {
      const country = await requireCode('filter.country', 'country', filter.country, (code) =>
        ctx.prisma.country.findUnique({ where: countryKey(code), select: { id: true } }),
      );
      and.push({ countryId: country.id });
    }
    if (filter?.dueBefore) and.push({ dueDate: { lt: filter.dueBefore } });
    return { AND: and };
  },
);

const badInput = (e: unknown) =>
  e instanceof ValidationError ? new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }) : e;

builder.queryField('comments', (t) =>
  t.prismaConnection(
    {
      type: 'Comment',
      cursor: 'id',
      description:
        'Comments the caller may read, newest first (none without a token or with READER; a FOCAL_POINT its own ' +
        "country's and the catalogue's).",
      args: {
        filter: t.arg({
          type: CommentFilter,
          required: false,
          description: 'Which comments; all the caller may read when omitted.',
        }),
        ...commentOrder.args,
      },
      resolve: async (query, root, args, ctx) => {
        const where = await commentWhere(root, args, ctx).catch((e) => Promise.reject(badInput(e)));
        const paged = await pageOfReadable(query, where, async (id) =>
          Boolean(await ctx.prisma.comment.count({ where: { id, AND: [visibleCommentWhere(ctx.viewer)] } })),
        );
        return paged
          ? ctx.prisma.comment.findMany({ ...paged, orderBy: commentOrder.prismaOrderBy(args.orderBy) })
          : [];
      },
      totalCount: async (root, args, ctx) => {
        const where = await commentWhere(root, args, ctx).catch((e) => Promise.reject(badInput(e)));
        return ctx.prisma.comment.count({ where });
      },
    },
    CommentConnection,
  ),
);

const ItemCommentFilter = builder.inputType('ItemCommentFilter', {
  description: "Narrows one item's comments.",
  fields: (t) => ({
    status: t.field({ type: CommentStatus, description: 'Only OPEN or only RESOLVED comments.' }),
  }),
});

for (const owner of [Indicator, Submission, DataSource, AdoptionRecord] as const) {
  builder.prismaObjectField(owner as typeof Indicator, 'comments', (t) =>
    t.relatedConnection(
      'comments',
      {
        cursor: 'id',
        totalCount: true,
        description:
          'Comments on this item the caller may read, newest first unless ordered otherwise; ' +
          '`comments(filter: { status: OPEN }) { totalCount }` is what still waits for an answer.',
        args: {
          filter: t.arg({
            type: ItemCommentFilter,
            required: false,
            description: 'Which of its comments; all the caller may read when omitted.',
          }),
          ...commentOrder.args,
        },
        query: ({ filter, orderBy }, ctx) => ({
          where: filter?.status
            ? { AND: [visibleCommentWhere(ctx.viewer), { status: filter.status }] }
            : visibleCommentWhere(ctx.viewer),
          orderBy: commentOrder.prismaOrderBy(orderBy),
        }),
      },
      CommentConnection,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const AddCommentInput = builder.inputType('AddCommentInput', {
  description: 'A new comment on an indicator, a submission, a data source or an adoption record.',
  fields: (t) => ({
    target: t.id({ required: true, description: 'The global id of the commented item.' }),
    body: t.string({ required: true, description: 'The text of the comment.' }),
    dueDate: t.field({ type: 'DateTime', description: 'When an answer is due.' }),
  }),
});

const CommentIdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ id: t.id({ required: true, description: "The comment's global id." }) }),
  });
const ResolveCommentInput = CommentIdInput('ResolveCommentInput', 'Marks a comment RESOLVED.');
const ReopenCommentInput = CommentIdInput('ReopenCommentInput', 'Marks a RESOLVED comment OPEN again.');

const EditCommentInput = builder.inputType('EditCommentInput', {
  description: "Its author's correction of a comment; what is not given stays as it is.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The comment's global id." }),
    body: t.string({ description: 'The new text.' }),
    dueDate: t.field({ type: 'DateTime', description: 'The new due date; null clears it.' }),
  }),
});

const payload = (name: string, description: string) =>
  builder.objectRef<{ comment: typeof Comment.$inferType }>(name).implement({
    description,
    fields: (t) => ({
      comment: t.field({ type: Comment, description: 'The comment.', resolve: (p) => p.comment }),
    }),
  });

/** The country whose items a target belongs to, for the auth check: -1 (nobody but TF/ADMIN) when unknown. */
async function writerScope(ctx: Context, countryId: number | null | undefined) {
  if (countryId === undefined) return { countryWriter: -1 };
  // A catalogue item: any focal point may comment, so its own country stands in.
  if (countryId === null)
    return { countryWriter: ctx.viewer?.role === 'FOCAL_POINT' ? (ctx.viewer.countryId ?? -1) : -1 };
  return { countryWriter: countryId };
}

/** The comment a mutation names, for its auth check: undefined when there is none by that id. */
async function commentOf(ctx: Context, globalId: string | number) {
  let id: number;
  try {
    id = localId(globalId, 'Comment');
  } catch {
    return undefined;
  }
  return (
    (await ctx.prisma.comment.findUnique({ where: { id }, select: { countryId: true, authorTokenId: true } })) ??
    undefined
  );
}

const commentCountry = async (ctx: Context, globalId: string | number) => (await commentOf(ctx, globalId))?.countryId;

builder.mutationFields((t) => ({
  addComment: t.field({
    type: payload('AddCommentPayload', 'The comment added.'),
    description:
      "Adds a comment (TASK_FORCE, ADMIN, or a FOCAL_POINT on its own country's items and on catalogue items).",
    authScopes: async (_root, { input }, ctx) => {
      let countryId: number | null | undefined;
      try {
        countryId = await targetCountry(ctx.prisma, parseTarget(String(input.target)));
      } catch {
        countryId = undefined;
      }
      return writerScope(ctx, countryId);
    },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: AddCommentInput, required: true, description: 'The comment and what it is about.' }) },
    resolve: async (_root, { input }, ctx) => ({
      comment: await addComment(ctx.prisma, actorOf(ctx.viewer), {
        target: parseTarget(String(input.target)),
        body: input.body,
        dueDate: input.dueDate ?? null,
      }),
    }),
  }),
  resolveComment: t.field({
    type: payload('ResolveCommentPayload', 'The comment, RESOLVED.'),
    description: 'Resolves a comment (whoever may write on its item).',
    authScopes: async (_root, { input }, ctx) => writerScope(ctx, await commentCountry(ctx, input.id)),
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: ResolveCommentInput, required: true, description: 'The comment to resolve.' }) },
    resolve: async (_root, { input }, ctx) => ({
      comment: await setCommentStatus(ctx.prisma, actorOf(ctx.viewer), localId(input.id, 'Comment'), 'RESOLVED'),
    }),
  }),
  editComment: t.field({
    type: payload('EditCommentPayload', 'The comment as corrected.'),
    description:
      'Changes the text or due date of a comment (only the token that wrote it); the audit log keeps the text before.',
    // A comment no one has (or one this caller may not see) is left to the resolver's NotFoundError for a token that
    // may write comments at all; anonymous and READER callers are refused first.
    authScopes: async (_root, { input }, ctx) => {
      const comment = await commentOf(ctx, input.id);
      if (comment && mayComment(ctx.viewer, comment.countryId)) return { author: comment.authorTokenId };
      return mayComment(ctx.viewer, null) ? { authenticated: true } : { countryWriter: -1 };
    },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: EditCommentInput, required: true, description: 'The comment and its changes.' }) },
    resolve: async (_root, { input }, ctx) => ({
      comment: await editComment(ctx.prisma, ctx.viewer, localId(input.id, 'Comment'), {
        body: input.body,
        dueDate: input.dueDate,
      }),
    }),
  }),
  reopenComment: t.field({
    type: payload('ReopenCommentPayload', 'The comment, OPEN again.'),
    description: 'Reopens a resolved comment (whoever may write on its item).',
    authScopes: async (_root, { input }, ctx) => writerScope(ctx, await commentCountry(ctx, input.id)),
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: ReopenCommentInput, required: true, description: 'The comment to reopen.' }) },
    resolve: async (_root, { input }, ctx) => ({
      comment: await setCommentStatus(ctx.prisma, actorOf(ctx.viewer), localId(input.id, 'Comment'), 'OPEN'),
    }),
  }),
}));
