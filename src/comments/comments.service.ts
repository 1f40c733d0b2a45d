// Comment threads (CONTRACT §9) on indicators, submissions, data sources and adoption records. A comment carries the
// country of its target (null for catalogue items), which decides who sees and writes it: nobody without a token or
// with READER; a FOCAL_POINT its own country's items and catalogue items; TASK_FORCE and ADMIN everything.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { actorOf, audit, type Actor } from '../access/audit.js';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { NotFoundError, ValidationError, withArticle } from '../platform/errors.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { CommentStatus } from '../../prisma/generated/prisma/enums.js';

type Tx = Prisma.TransactionClient;

/** The GraphQL type names a comment may target, and the Comment column that holds each. */
export const TARGET_TYPES = {
  Indicator: 'indicatorId',
  Submission: 'submissionId',
  DataSource: 'dataSourceId',
  AdoptionRecord: 'adoptionId',
} as const;
export type TargetType = keyof typeof TARGET_TYPES;

export interface Target {
  type: TargetType;
  id: number;
}

export const MAX_BODY = 10_000;

/** Decodes a target's global id; a ValidationError naming `path` for anything else. */
export function parseTarget(globalId: string, path: string[] = ['input', 'target']): Target {
  let decoded: { typename: string; id: string } | null;
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    decoded = null;
  }
  const id = decoded ? Number(decoded.id) : NaN;
  if (!decoded || !(decoded.typename in TARGET_TYPES) || !Number.isSafeInteger(id))
    throw ValidationError.of([
      {
        path,
        message: `must be the id of ${new Intl.ListFormat('en', { type: 'disjunction' }).format(Object.keys(TARGET_TYPES).map(withArticle))}`,
      },
    ]);
  return { type: decoded.typename as TargetType, id };
}

/**
 * The country a target belongs to (null for an indicator), or undefined when the target does not exist.
 * One indexed lookup.
 */
export async function targetCountry(prisma: PrismaClient | Tx, target: Target): Promise<number | null | undefined> {
  const where = { where: { id: target.id }, select: { countryId: true } } as const;
  switch (target.type) {
    case 'Indicator':
      return (await prisma.indicator.findUnique({ where: { id: target.id }, select: { id: true } })) ? null : undefined;
    case 'Submission':
      return (await prisma.submission.findUnique(where))?.countryId;
    case 'DataSource':
      return (await prisma.dataSource.findUnique(where))?.countryId;
    case 'AdoptionRecord':
      return (await prisma.recommendationAdoption.findUnique(where))?.countryId;
  }
}

/** Whether the caller may read and write comments on items of this country (null: a catalogue item). */
export function mayComment(viewer: Viewer | null, countryId: number | null): boolean {
  if (!viewer) return false;
  if (viewer.role === 'ADMIN' || viewer.role === 'TASK_FORCE') return true;
  if (viewer.role === 'FOCAL_POINT') return countryId === null || countryId === viewer.countryId;
  return false;
}

/** The comments a caller may read, as a Prisma condition (none for anonymous and READER callers). */
export function visibleCommentWhere(viewer: Viewer | null): Prisma.CommentWhereInput {
  if (viewer?.role === 'ADMIN' || viewer?.role === 'TASK_FORCE') return {};
  if (viewer?.role === 'FOCAL_POINT' && viewer.countryId != null)
    return { OR: [{ countryId: null }, { countryId: viewer.countryId }] };
  return { id: -1 };
}

function checkBody(body: string, path: string[]): string {
  const text = body.trim();
  if (!text) throw ValidationError.of([{ path, message: 'must not be empty' }]);
  if (text.length > MAX_BODY) throw ValidationError.of([{ path, message: `must be at most ${MAX_BODY} characters` }]);
  return text;
}

const commentLabel = (c: { id: number }) => `comment/${c.id}`;
const snapshot = (c: { status: CommentStatus; body: string; dueDate: Date | null; countryId: number | null }) => ({
  status: c.status,
  body: c.body,
  dueDate: c.dueDate,
  countryId: c.countryId,
});

/** Opens a thread (one comment) inside a transaction, audited; used by addComment and by a submission's rejection. */
export async function openThreadInTx(
  tx: Tx,
  actor: Actor,
  input: { target: Target; countryId: number | null; body: string; dueDate?: Date | null },
) {
  const comment = await tx.comment.create({
    data: {
      [TARGET_TYPES[input.target.type]]: input.target.id,
      countryId: input.countryId,
      author: actor.name,
      authorTokenId: actor.tokenId,
      body: input.body,
      dueDate: input.dueDate ?? null,
    },
  });
  await audit(tx, actor, 'comment.add', 'Comment', commentLabel(comment), null, {
    ...snapshot(comment),
    target: `${input.target.type}:${input.target.id}`,
  });
  return comment;
}

export async function addComment(
  prisma: PrismaClient,
  actor: Actor,
  input: { target: Target; body: string; dueDate?: Date | null },
) {
  const body = checkBody(input.body, ['input', 'body']);
  return prisma.$transaction(async (tx) => {
    const countryId = await targetCountry(tx, input.target);
    if (countryId === undefined) throw new NotFoundError(`No ${input.target.type} with that id`);
    return openThreadInTx(tx, actor, { target: input.target, countryId, body, dueDate: input.dueDate ?? null });
  });
}

/** Sets a comment OPEN or RESOLVED (idempotent: a comment already in that state is returned unchanged). */
export async function setCommentStatus(prisma: PrismaClient, actor: Actor, id: number, status: CommentStatus) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.comment.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('No such comment');
    if (current.status === status) return current;
    const updated = await tx.comment.update({
      where: { id },
      data:
        status === 'RESOLVED'
          ? { status, resolvedAt: new Date(), resolvedBy: actor.name }
          : { status, resolvedAt: null, resolvedBy: null },
    });
    await audit(
      tx,
      actor,
      status === 'RESOLVED' ? 'comment.resolve' : 'comment.reopen',
      'Comment',
      commentLabel(current),
      snapshot(current),
      snapshot(updated),
    );
    return updated;
  });
}

/**
 * Its author's correction of a comment's text or due date (a due date of null clears it); what is not given stays.
 * Audited with the text before, so an edit never hides what was first written from those who read the audit log.
 */
export async function editComment(
  prisma: PrismaClient,
  viewer: Viewer | null,
  id: number,
  input: { body?: string | null; dueDate?: Date | null },
) {
  const body = input.body === undefined ? undefined : checkBody(input.body ?? '', ['input', 'body']);
  return prisma.$transaction(async (tx) => {
    // One the caller may not read is as if it did not exist.
    const current = await tx.comment.findFirst({ where: { id, AND: [visibleCommentWhere(viewer)] } });
    if (!current) throw new NotFoundError('No such comment');
    const data = {
      ...(body !== undefined && body !== current.body && { body }),
      ...(input.dueDate !== undefined &&
        input.dueDate?.getTime() !== current.dueDate?.getTime() && { dueDate: input.dueDate }),
    };
    if (!Object.keys(data).length) return current;
    const updated = await tx.comment.update({ where: { id }, data: { ...data, lastEditedAt: new Date() } });
    await audit(
      tx,
      actorOf(viewer),
      'comment.edit',
      'Comment',
      commentLabel(current),
      snapshot(current),
      snapshot(updated),
    );
    return updated;
  });
}
