// Adoption records (CONTRACT §8): declarations by a country's focal point (or the task force on its behalf) and
// task-force reviews. Every change is one transaction: a conditional UPDATE … WHERE revision = current (so of two
// concurrent writers with the same revision exactly one wins), a new AdoptionChange (the record's history, one row
// per version) and an audit row. Who may write for which country is decided in the schema; this module enforces
// values and revisions.
import { auditMany, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ConflictError, isWriteConflict, NotFoundError, ValidationError, type Issue } from '../platform/errors.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { AdoptionReviewStatus, AdoptionStatus } from '../../prisma/generated/prisma/enums.js';
import { ADOPTION_STATUSES } from './implementation.service.js';

type Tx = Prisma.TransactionClient;

export interface DeclarationInput {
  countryId: number;
  recommendationId: number;
  status: AdoptionStatus;
  since?: number | null | undefined;
  note?: string | null | undefined;
  evidenceUrl?: string | null | undefined;
  /** The revision the caller last read (0: it expects no record yet); absent: the last writer wins. */
  expectedRevision?: number | null | undefined;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;
const MAX_NOTE = 4000;

/** Checks the values of a declaration; the issues' paths start with `prefix` (an input path or a CSV line). */
export function declarationIssues(
  input: { status?: string | null; since?: number | null; note?: string | null; evidenceUrl?: string | null },
  path: (field: string) => string[],
): Issue[] {
  const issues: Issue[] = [];
  if (!input.status || !ADOPTION_STATUSES.includes(input.status as AdoptionStatus))
    issues.push({ path: path('status'), message: `must be one of ${ADOPTION_STATUSES.join(', ')}` });
  if (input.since != null && (!Number.isInteger(input.since) || input.since < MIN_YEAR || input.since > MAX_YEAR))
    issues.push({ path: path('since'), message: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` });
  if (input.note != null && input.note.length > MAX_NOTE)
    issues.push({ path: path('note'), message: `must be at most ${MAX_NOTE} characters` });
  if (input.evidenceUrl != null && input.evidenceUrl.trim() !== '' && !isHttpUrl(input.evidenceUrl.trim()))
    issues.push({ path: path('evidenceUrl'), message: 'must be an http or https URL' });
  return issues;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const LABEL = {
  country: { select: { iso3: true, m49: true } },
  recommendation: { select: { code: true } },
} as const;

/** The audit key of a record, e.g. "CHE/REC_RESIDENCE". */
const labelOf = (a: { country: { iso3: string | null; m49: string }; recommendation: { code: string } }) =>
  `${a.country.iso3 ?? a.country.m49}/${a.recommendation.code}`;

type Record_ = Prisma.RecommendationAdoptionGetPayload<{ include: typeof LABEL }>;

const snapshot = (a: {
  status: AdoptionStatus;
  since: number | null;
  note: string | null;
  evidenceUrl: string | null;
  revision: number;
  reviewStatus?: AdoptionReviewStatus | null;
  reviewComment?: string | null;
}) => ({
  status: a.status,
  since: a.since,
  note: a.note,
  evidenceUrl: a.evidenceUrl,
  revision: a.revision,
  reviewStatus: a.reviewStatus ?? null,
  reviewComment: a.reviewComment ?? null,
});

export type DeclareOutcome = 'created' | 'updated' | 'unchanged';

const pairKey = (d: { countryId: number; recommendationId: number }) => `${d.countryId}:${d.recommendationId}`;

/** Declares (creates or changes) one record inside a transaction; the caller checked the country. */
export async function declareInTx(
  tx: Tx,
  actor: Actor,
  input: DeclarationInput,
): Promise<{ record: Record_; outcome: DeclareOutcome }> {
  return (await declareAllInTx(tx, actor, [input]))[0]!;
}

/**
 * Declares records inside a transaction, one per (country, recommendation) pair given; the caller checked the
 * countries and that no pair repeats. The same rule for one record (reportAdoption) and a whole file (the import),
 * in a fixed number of statements besides one UPDATE per changed record: an import of a region's 450 records was
 * 1 800 statements, five seconds on PGlite.
 */
export async function declareAllInTx(
  tx: Tx,
  actor: Actor,
  inputs: DeclarationInput[],
): Promise<{ record: Record_; outcome: DeclareOutcome }[]> {
  const found = await tx.recommendationAdoption.findMany({
    where: {
      countryId: { in: [...new Set(inputs.map((d) => d.countryId))] },
      recommendationId: { in: [...new Set(inputs.map((d) => d.recommendationId))] },
    },
    include: LABEL,
  });
  const currentOf = new Map(found.map((a) => [pairKey(a), a]));
  const now = new Date();
  // updatedAt set with reportedAt, so that without reviews the two are equal (the time shown to callers who do not
  // read reviews is reportedAt).
  const reporter = { reportedBy: actor.name, reportedByTokenId: actor.tokenId, reportedAt: now, updatedAt: now };
  const results: { record?: Record_; outcome: DeclareOutcome; before?: Record_ }[] = [];
  const creates: Prisma.RecommendationAdoptionCreateManyInput[] = [];
  for (const input of inputs) {
    const data = {
      status: input.status,
      since: input.since ?? null,
      note: input.note?.trim() || null,
      evidenceUrl: input.evidenceUrl?.trim() || null,
    };
    const current = currentOf.get(pairKey(input));
    const expected = input.expectedRevision;
    if (expected != null && (current?.revision ?? 0) !== expected)
      throw current
        ? ConflictError.staleRevision('The adoption record', current.revision, expected)
        : new ConflictError(
            `There is no adoption record yet (revision 0), not revision ${expected}; reload and retry`,
            0,
          );
    if (!current) {
      creates.push({ ...data, ...reporter, countryId: input.countryId, recommendationId: input.recommendationId });
      results.push({ outcome: 'created' });
      continue;
    }
    const same =
      current.status === data.status &&
      current.since === data.since &&
      current.note === data.note &&
      current.evidenceUrl === data.evidenceUrl;
    if (same) {
      results.push({ record: current, outcome: 'unchanged' });
      continue;
    }
    // A changed declaration is a new claim: the review of the previous one no longer applies to it.
    await bumpRevision(tx, current, {
      ...data,
      ...reporter,
      reviewStatus: null,
      reviewComment: null,
      reviewedBy: null,
      reviewedAt: null,
    });
    results.push({ outcome: 'updated', before: current });
  }
  // The records written, as stored now: the new ones in one INSERT, the changed ones read back in one SELECT.
  const created = creates.length
    ? await tx.recommendationAdoption.createManyAndReturn({ data: creates, include: LABEL })
    : [];
  const updatedIds = results.flatMap((r) => (r.before ? [r.before.id] : []));
  const written = new Map(
    [
      ...created,
      ...(updatedIds.length
        ? await tx.recommendationAdoption.findMany({ where: { id: { in: updatedIds } }, include: LABEL })
        : []),
    ].map((a) => [pairKey(a), a]),
  );
  inputs.forEach((input, i) => (results[i]!.record ??= written.get(pairKey(input))!));
  const changes = results.filter((r) => r.outcome !== 'unchanged');
  await recordChanges(
    tx,
    actor,
    changes.map((r) => ({ record: r.record!, kind: 'DECLARE', before: r.before ?? null })),
    now,
  );
  return results.map((r) => ({ record: r.record!, outcome: r.outcome }));
}

/**
 * Writes the next revision of an adoption record, only if it is still at the revision read. A concurrent writer
 * that committed first makes the UPDATE match nothing (PostgreSQL re-checks the condition on the row it waited
 * for): a ConflictError naming the revision the record is at now, read in the same transaction.
 */
async function bumpRevision(
  tx: Tx,
  current: Record_,
  data: Prisma.RecommendationAdoptionUpdateManyMutationInput,
): Promise<void> {
  const { count } = await tx.recommendationAdoption.updateMany({
    where: { id: current.id, revision: current.revision },
    data: { ...data, revision: { increment: 1 } },
  });
  if (count === 1) return;
  const now = await tx.recommendationAdoption.findUnique({ where: { id: current.id }, select: { revision: true } });
  if (!now) throw new NotFoundError('The adoption record was deleted meanwhile');
  throw ConflictError.staleRevision('The adoption record', now.revision, current.revision);
}

/**
 * A write that lost a race to a concurrent one, as the typed conflict the README documents: a unique-key violation
 * (two first declarations of one record: the loser's transaction is aborted, so the record is read afresh) or a
 * serialization failure becomes a ConflictError naming the record's current revision; a ConflictError passes.
 * Anything else is returned unchanged.
 */
async function asConflict(
  prisma: PrismaClient,
  error: unknown,
  record: { countryId: number; recommendationId: number },
  expected: number,
): Promise<unknown> {
  if (error instanceof ConflictError || !isWriteConflict(error)) return error;
  const now = await prisma.recommendationAdoption.findUnique({
    where: { recommendationId_countryId: { recommendationId: record.recommendationId, countryId: record.countryId } },
    select: { revision: true },
  });
  return now
    ? ConflictError.staleRevision('The adoption record', now.revision, expected)
    : new ConflictError('The adoption record was changed by a concurrent write; reload and retry');
}

/** Each change's row in its record's history and its audit entry (`before` null: the record was created). */
async function recordChanges(
  tx: Tx,
  actor: Actor,
  changes: { record: Record_; kind: 'DECLARE' | 'REVIEW'; before: Record_ | null }[],
  at: Date,
) {
  if (!changes.length) return;
  await tx.adoptionChange.createMany({
    data: changes.map(({ record, kind }) => ({
      adoptionId: record.id,
      revision: record.revision,
      kind,
      status: record.status,
      since: record.since,
      note: record.note,
      evidenceUrl: record.evidenceUrl,
      reviewStatus: record.reviewStatus,
      reviewComment: record.reviewComment,
      actor: actor.name,
      tokenId: actor.tokenId,
      recordedAt: at,
    })),
  });
  await auditMany(
    tx,
    actor,
    changes.map(({ record, kind, before }) => ({
      action: kind === 'DECLARE' ? 'adoption.report' : 'adoption.review',
      entityType: 'RecommendationAdoption',
      entityKey: labelOf(record),
      before: before && snapshot(before),
      after: snapshot(record),
    })),
  );
}

/** reportAdoption: validates, then declares in one transaction; a lost race is a ConflictError (asConflict). */
export async function reportAdoption(prisma: PrismaClient, actor: Actor, input: DeclarationInput) {
  const issues = declarationIssues(input, (f) => ['input', f]);
  if (issues.length) throw ValidationError.of(issues);
  try {
    return await prisma.$transaction((tx) => declareInTx(tx, actor, input));
  } catch (error) {
    // A first declaration lost to another one: the caller's write was based on no record (revision 0).
    throw await asConflict(prisma, error, input, input.expectedRevision ?? 0);
  }
}

export interface ReviewInput {
  id: number;
  status: AdoptionReviewStatus;
  comment?: string | null | undefined;
  expectedRevision?: number | null | undefined;
}

/** reviewAdoption (TASK_FORCE): CONFIRMED or DISPUTED, with a comment (required to dispute). */
export async function reviewAdoption(prisma: PrismaClient, actor: Actor, input: ReviewInput) {
  const comment = input.comment?.trim() || null;
  if (input.status === 'DISPUTED' && !comment)
    throw ValidationError.of([{ path: ['input', 'comment'], message: 'a dispute needs a comment saying why' }]);
  if (comment && comment.length > MAX_NOTE)
    throw ValidationError.of([{ path: ['input', 'comment'], message: `must be at most ${MAX_NOTE} characters` }]);
  return prisma.$transaction(async (tx) => {
    const current = await tx.recommendationAdoption.findUnique({ where: { id: input.id }, include: LABEL });
    if (!current) throw new NotFoundError('input.id: no such adoption record');
    if (input.expectedRevision != null && current.revision !== input.expectedRevision)
      throw ConflictError.staleRevision('The adoption record', current.revision, input.expectedRevision);
    const now = new Date();
    await bumpRevision(tx, current, {
      reviewStatus: input.status,
      reviewComment: comment,
      reviewedBy: actor.name,
      reviewedAt: now,
      updatedAt: now,
    });
    const record = await tx.recommendationAdoption.findUniqueOrThrow({ where: { id: current.id }, include: LABEL });
    await recordChanges(tx, actor, [{ record, kind: 'REVIEW', before: current }], now);
    return record;
  });
}
