// Adoption records (CONTRACT §8): declarations by a country's focal point (or the task force on its behalf) and
// task-force reviews. Every change is one transaction: a conditional UPDATE … WHERE revision = current (so of two
// concurrent writers with the same revision exactly one wins), a new AdoptionChange (the record's history, one row
// per version) and an audit row. Who may write for which country is decided in the schema; this module enforces
// values and revisions.
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ConflictError, fromPrismaError, NotFoundError, ValidationError, type Issue } from '../platform/errors.js';
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

/** Declares (creates or changes) one record inside a transaction; the caller checked the country. */
export async function declareInTx(
  tx: Tx,
  actor: Actor,
  input: DeclarationInput,
): Promise<{ record: Record_; outcome: DeclareOutcome }> {
  const data = {
    status: input.status,
    since: input.since ?? null,
    note: input.note?.trim() || null,
    evidenceUrl: input.evidenceUrl?.trim() || null,
  };
  const current = await tx.recommendationAdoption.findUnique({
    where: {
      recommendationId_countryId: { recommendationId: input.recommendationId, countryId: input.countryId },
    },
    include: LABEL,
  });
  const expected = input.expectedRevision;
  if (expected != null && (current?.revision ?? 0) !== expected)
    throw current
      ? ConflictError.staleRevision('The adoption record', current.revision, expected)
      : new ConflictError(
          `There is no adoption record yet (revision 0), not revision ${expected}; reload and retry`,
          0,
        );
  const now = new Date();
  const reporter = { reportedBy: actor.name, reportedByTokenId: actor.tokenId, reportedAt: now };
  if (!current) {
    const record = await tx.recommendationAdoption.create({
      data: { ...data, ...reporter, countryId: input.countryId, recommendationId: input.recommendationId },
      include: LABEL,
    });
    await recordChange(tx, actor, record, 'DECLARE', now);
    await audit(tx, actor, 'adoption.report', 'RecommendationAdoption', labelOf(record), null, snapshot(record));
    return { record, outcome: 'created' };
  }
  const same =
    current.status === data.status &&
    current.since === data.since &&
    current.note === data.note &&
    current.evidenceUrl === data.evidenceUrl;
  if (same) return { record: current, outcome: 'unchanged' };
  // A changed declaration is a new claim: the review of the previous one no longer applies to it.
  const record = await writeRevision(tx, actor, current, 'DECLARE', now, {
    ...data,
    ...reporter,
    reviewStatus: null,
    reviewComment: null,
    reviewedBy: null,
    reviewedAt: null,
  });
  return { record, outcome: 'updated' };
}

/**
 * Writes the next revision of an adoption record, only if it is still at the revision read (a concurrent writer
 * gets a ConflictError), then keeps its history and the audit entry.
 */
async function writeRevision(
  tx: Tx,
  actor: Actor,
  current: Record_,
  kind: 'DECLARE' | 'REVIEW',
  at: Date,
  data: Prisma.RecommendationAdoptionUpdateManyMutationInput,
): Promise<Record_> {
  const { count } = await tx.recommendationAdoption.updateMany({
    where: { id: current.id, revision: current.revision },
    data: { ...data, revision: { increment: 1 } },
  });
  if (count !== 1)
    throw new ConflictError('The adoption record was changed by another request at the same time; reload and retry');
  const record = await tx.recommendationAdoption.findUniqueOrThrow({ where: { id: current.id }, include: LABEL });
  await recordChange(tx, actor, record, kind, at);
  const action = kind === 'DECLARE' ? 'adoption.report' : 'adoption.review';
  await audit(tx, actor, action, 'RecommendationAdoption', labelOf(record), snapshot(current), snapshot(record));
  return record;
}

async function recordChange(tx: Tx, actor: Actor, record: Record_, kind: 'DECLARE' | 'REVIEW', at: Date) {
  await tx.adoptionChange.create({
    data: {
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
    },
  });
}

/** reportAdoption: validates, then declares in one transaction. */
export async function reportAdoption(prisma: PrismaClient, actor: Actor, input: DeclarationInput) {
  const issues = declarationIssues(input, (f) => ['input', f]);
  if (issues.length) throw ValidationError.of(issues);
  // Two first declarations racing for the same country and recommendation: the unique key decides, the loser
  // gets a ConflictError like any other stale writer.
  return prisma
    .$transaction((tx) => declareInTx(tx, actor, input))
    .catch((error: unknown) => {
      throw fromPrismaError(error, 'The adoption record');
    });
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
    if (!current) throw new NotFoundError('No such adoption record');
    if (input.expectedRevision != null && current.revision !== input.expectedRevision)
      throw ConflictError.staleRevision('The adoption record', current.revision, input.expectedRevision);
    const now = new Date();
    return writeRevision(tx, actor, current, 'REVIEW', now, {
      reviewStatus: input.status,
      reviewComment: comment,
      reviewedBy: actor.name,
      reviewedAt: now,
    });
  });
}
