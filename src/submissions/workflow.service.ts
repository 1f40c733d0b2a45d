// The review workflow of a submission version (issue 3): DRAFT → SUBMITTED → VALIDATED → PUBLISHED, or REJECTED
// with a reason. Every transition is one transaction: a conditional UPDATE … WHERE revision = expected (so of two
// concurrent calls with the same revision exactly one wins), a SubmissionEvent (who, when, comment) and an audit
// row. Role checks happen in the schema; this module enforces states and revisions.
import { audit, type Actor } from '../access/audit.js';
import { openThreadInTx } from '../comments/comments.service.js';
import type { PrismaClient } from '../platform/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { recordSeriesChanges } from './changes.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';

export interface Transition {
  action: 'submit' | 'validate' | 'publish' | 'reject';
  from: SubmissionStatus[];
  to: SubmissionStatus;
}

export const TRANSITIONS = {
  submit: { action: 'submit', from: ['DRAFT'], to: 'SUBMITTED' },
  validate: { action: 'validate', from: ['SUBMITTED'], to: 'VALIDATED' },
  publish: { action: 'publish', from: ['VALIDATED'], to: 'PUBLISHED' },
  reject: { action: 'reject', from: ['SUBMITTED', 'VALIDATED'], to: 'REJECTED' },
} as const satisfies Record<string, Transition>;

/** The stable audit key of a submission version, e.g. "CHE/IMM_STOCK/2020/DS:CHE_STATPOP/v2". */
export function submissionLabel(s: {
  country: { iso3: string | null; m49: string };
  indicator: { code: string };
  referenceYear: number;
  sourceKey: string;
  version: number;
}): string {
  return `${s.country.iso3 ?? s.country.m49}/${s.indicator.code}/${s.referenceYear}${s.sourceKey ? `/${s.sourceKey}` : ''}/v${s.version}`;
}

const LABEL_SELECT = {
  country: { select: { iso3: true, m49: true } },
  indicator: { select: { code: true } },
} as const;

export async function transitionSubmission(
  prisma: PrismaClient,
  actor: Actor,
  transition: Transition,
  input: { id: number; expectedRevision: number; comment?: string | null | undefined },
) {
  const comment = input.comment?.trim() || null;
  if (transition.to === 'REJECTED' && !comment)
    throw ValidationError.of([{ path: ['input', 'reason'], message: 'a rejection needs a reason' }]);
  return prisma.$transaction(async (tx) => {
    const current = await tx.submission.findUnique({ where: { id: input.id }, include: LABEL_SELECT });
    if (!current) throw new NotFoundError('No such submission');
    if (current.revision !== input.expectedRevision)
      throw ConflictError.staleRevision('The submission', current.revision, input.expectedRevision);
    if (!transition.from.includes(current.status))
      throw ValidationError.of([
        {
          path: ['input', 'id'],
          message: `the submission is ${current.status}; only ${transition.from.join(' or ')} submissions can be ${
            transition.to === 'SUBMITTED' ? 'submitted' : transition.to.toLowerCase()
          }`,
        },
      ]);
    const now = new Date();
    const data: Prisma.SubmissionUpdateManyMutationInput = { status: transition.to, revision: { increment: 1 } };
    if (transition.to === 'VALIDATED' || transition.to === 'PUBLISHED') data.countableSince = now;
    if (transition.to === 'REJECTED') data.rejectionReason = comment;
    // The guard is repeated in the UPDATE itself: a concurrent transition that committed first makes it match
    // nothing, and this call fails instead of overwriting.
    const { count } = await tx.submission.updateMany({
      where: { id: current.id, revision: input.expectedRevision, status: current.status },
      data,
    });
    if (count !== 1)
      throw new ConflictError('The submission was changed by another request at the same time; reload and retry');
    await tx.submissionEvent.create({
      data: {
        submissionId: current.id,
        fromStatus: current.status,
        toStatus: transition.to,
        actor: actor.name,
        tokenId: actor.tokenId,
        comment,
        createdAt: now,
      },
    });
    const updated = await tx.submission.findUniqueOrThrow({ where: { id: current.id } });
    // A rejection opens a comment thread on the version with the reason, for the focal point to answer (§9).
    if (transition.to === 'REJECTED' && comment)
      await openThreadInTx(tx, actor, {
        target: { type: 'Submission', id: current.id },
        countryId: current.countryId,
        body: `Rejected: ${comment}`,
      });
    await audit(
      tx,
      actor,
      `submission.${transition.action}`,
      'Submission',
      submissionLabel(current),
      { status: current.status, revision: current.revision },
      {
        status: updated.status,
        revision: updated.revision,
        ...(comment ? { comment } : {}),
        ...(updated.countableSince && transition.to !== 'REJECTED' ? { countableSince: updated.countableSince } : {}),
      },
    );
    // Last, so that the feed's lock is held only until the commit (changes.ts).
    await recordSeriesChanges(tx, [current]);
    return updated;
  });
}
