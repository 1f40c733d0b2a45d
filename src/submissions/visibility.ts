// Which submission versions and population-account entries exist for a caller (CONTRACT §4 "visible versions", §7):
// the one rule every read path derives from, as SQL predicates, so lists, nested fields, analytics, accounts,
// exports and portal feeds cannot disagree. ADMIN and TASK_FORCE see every row; a FOCAL_POINT every row of its own
// country and PUBLISHED rows of the others; READER and anonymous callers PUBLISHED rows only.
//
// Countable (§4) is then "the most recent version of a key among the caller's visible VALIDATED or PUBLISHED
// versions": for a PUBLISHED-only caller that is the most recent PUBLISHED version, so a newer VALIDATED version it
// cannot see never hides, replaces or reveals anything. `countableStatus` and `countableVersions` below are the only
// place that rule is written; coverage, aggregates, the submission fields and the export all build on them.
//
// The predicates only name the columns "status" and "countryId", which Submission and AccountEntry share (an account
// entry carries a publication status of its own, the same SubmissionStatus values), so one rule serves both.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import type { Viewer } from '../platform/context.js';

/** What a caller may read, reduced to the three cases the rule distinguishes. */
export type Visibility =
  | { kind: 'ALL' }
  | { kind: 'PUBLISHED' }
  /** Every version of this country, PUBLISHED versions of the others. */
  | { kind: 'OWN_COUNTRY'; countryId: number };

/** What an operator on the command line reads: everything (it holds the database itself). */
export const EVERYTHING: Visibility = { kind: 'ALL' };

export function visibilityOf(viewer: Viewer | null | undefined): Visibility {
  if (!viewer) return { kind: 'PUBLISHED' };
  switch (viewer.role) {
    case 'ADMIN':
    case 'TASK_FORCE':
      return { kind: 'ALL' };
    case 'FOCAL_POINT':
      return viewer.countryId != null ? { kind: 'OWN_COUNTRY', countryId: viewer.countryId } : { kind: 'PUBLISHED' };
    default:
      return { kind: 'PUBLISHED' };
  }
}

/** Whether the caller reads unpublished data of this country (its own, or all for ADMIN/TASK_FORCE). */
export function seesUnpublished(visibility: Visibility, countryId: number): boolean {
  return visibility.kind === 'ALL' || (visibility.kind === 'OWN_COUNTRY' && visibility.countryId === countryId);
}

/**
 * Who did what and what they said (a submission's or an adoption record's actors and review comments) is internal,
 * like comments (CONTRACT §7, §9): read by those who read the country's unpublished data, not by the public.
 */
export function seesInternals(viewer: Viewer | null | undefined, countryId: number): boolean {
  return seesUnpublished(visibilityOf(viewer), countryId);
}

const col = (alias: string, name: string) => Prisma.raw(`${alias}."${name}"`);

/** SQL predicate: the row `alias` (a Submission or AccountEntry) is visible to the caller. */
export function visibleVersion(visibility: Visibility, alias = 's'): Prisma.Sql {
  switch (visibility.kind) {
    case 'ALL':
      return Prisma.sql`TRUE`;
    case 'PUBLISHED':
      return Prisma.sql`${col(alias, 'status')} = 'PUBLISHED'`;
    case 'OWN_COUNTRY':
      return Prisma.sql`(${col(alias, 'status')} = 'PUBLISHED' OR ${col(alias, 'countryId')} = ${visibility.countryId}::int)`;
  }
}

/** SQL predicate: the version row `alias` is visible to the caller and VALIDATED or PUBLISHED (may be countable). */
export function countableStatus(visibility: Visibility, alias = 's'): Prisma.Sql {
  switch (visibility.kind) {
    case 'ALL':
      return Prisma.sql`${col(alias, 'status')} IN ('VALIDATED', 'PUBLISHED')`;
    case 'PUBLISHED':
      return Prisma.sql`${col(alias, 'status')} = 'PUBLISHED'`;
    case 'OWN_COUNTRY':
      return Prisma.sql`(${col(alias, 'status')} = 'PUBLISHED' OR (${col(alias, 'status')} = 'VALIDATED' AND ${col(alias, 'countryId')} = ${visibility.countryId}::int))`;
  }
}

/**
 * The countable version of every submission key the caller sees among the rows `s` of "Submission" matching
 * `where` (an SQL condition on alias s, e.g. `s."indicatorId" = ANY(…)`; conditions must be on key columns, or the
 * answer is the countable version among a subset): all columns of Submission, or `columns` (of alias s). Served by
 * Submission_countable_idx without a sort; without heap visits when `columns` are among the index's.
 *
 * Whether a key HAS a countable version needs no DISTINCT ON: it has one exactly when one of its rows matches
 * `countableStatus` (the top such row is the countable one), which is what counting queries ask.
 */
export function countableVersions(
  visibility: Visibility,
  where: Prisma.Sql = Prisma.sql`TRUE`,
  columns: Prisma.Sql = Prisma.sql`s.*`,
): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey") ${columns}
    FROM "Submission" s
    WHERE ${countableStatus(visibility, 's')} AND ${where}
    ORDER BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey", s.version DESC`;
}

/** The visibility rule as a Prisma `where` on a model with "status" and "countryId" (Submission, AccountEntry). */
export function visibleWhere(visibility: Visibility): {
  status?: 'PUBLISHED';
  OR?: [{ status: 'PUBLISHED' }, { countryId: number }];
} {
  switch (visibility.kind) {
    case 'ALL':
      return {};
    case 'PUBLISHED':
      return { status: 'PUBLISHED' };
    case 'OWN_COUNTRY':
      return { OR: [{ status: 'PUBLISHED' }, { countryId: visibility.countryId }] };
  }
}

/** The same rule as a Prisma `where` on Submission, for the Prisma-query paths (lists, node, relations). */
export function visibleSubmissionWhere(visibility: Visibility): Prisma.SubmissionWhereInput {
  return visibleWhere(visibility);
}

/**
 * The statuses of population-account entries sent for review: what publishing an account publishes, and so what
 * awaits publication (a DRAFT is the country's still; PUBLISHED is done).
 */
export const ACCOUNT_STATUSES_AWAITING_PUBLICATION: readonly SubmissionStatus[] = ['SUBMITTED', 'VALIDATED'];

/**
 * The population-account entries of a country a caller reads (CONTRACT §7, §4's visible versions): one who sees the
 * country's unpublished data reads each entry's latest value, anyone else its last published one, so a newer value
 * pending review neither hides the published one nor shows that it exists.
 */
export function accountEntryView(visibility: Visibility, countryId: number) {
  const latest = seesUnpublished(visibility, countryId);
  const where: Prisma.AccountEntryWhereInput = latest ? {} : { publishedValue: { not: null } };
  return {
    where,
    value: (e: { value: number; publishedValue: number | null }) => (latest ? e.value : e.publishedValue),
    /** Whether the caller reads this entry as one awaiting publication (never, for those who read published values). */
    pending: (e: { status: SubmissionStatus }) => latest && ACCOUNT_STATUSES_AWAITING_PUBLICATION.includes(e.status),
  };
}

/**
 * SQL: the value of the account entry `alias` that counts for the caller (implementation evidence): its latest value
 * when that version is visible to it, else its last published value; null when neither.
 */
export function countedAccountValue(visibility: Visibility, alias = 'ae'): Prisma.Sql {
  return Prisma.sql`CASE WHEN ${visibleVersion(visibility, alias)} THEN ${col(alias, 'value')} ELSE ${col(alias, 'publishedValue')} END`;
}

/**
 * SQL predicate: the change-feed entry `alias` (a FeedEntry) describes the caller's view of its series. Callers who
 * read every version of a key's country follow its ALL_VERSIONS entries, everyone else its PUBLISHED ones: the
 * same split as `countableStatus`, so the feed a caller replays ends where its download stands.
 */
export function visibleFeedEntry(visibility: Visibility, alias = 'f'): Prisma.Sql {
  const audience = col(alias, 'audience');
  switch (visibility.kind) {
    case 'ALL':
      return Prisma.sql`${audience} = 'ALL_VERSIONS'`;
    case 'PUBLISHED':
      return Prisma.sql`${audience} = 'PUBLISHED'`;
    case 'OWN_COUNTRY':
      return Prisma.sql`(${audience} = CASE WHEN ${col(alias, 'countryId')} = ${visibility.countryId}::int
        THEN 'ALL_VERSIONS' ELSE 'PUBLISHED' END::"FeedAudience")`;
  }
}

/**
 * The one feed audience a caller reads, whose own dense sequence (FeedEntry.audienceSequence) numbers its changes and
 * cursors: ALL_VERSIONS for ADMIN and TASK_FORCE, PUBLISHED for READER and anonymous callers. Null for a focal point,
 * who reads a mix of both (its country's ALL_VERSIONS entries, the others' PUBLISHED ones) and so is numbered by the
 * global sequence, whose gaps count the other countries' ALL_VERSIONS changes.
 */
export function feedAudienceOf(visibility: Visibility): 'ALL_VERSIONS' | 'PUBLISHED' | null {
  switch (visibility.kind) {
    case 'ALL':
      return 'ALL_VERSIONS';
    case 'PUBLISHED':
      return 'PUBLISHED';
    case 'OWN_COUNTRY':
      return null;
  }
}

/**
 * The series keys (columns countryId, indicatorId, referenceYear, sourceKey, and the entry's submissionId: the key's
 * countable version after the change, null when it has none) of the indicators `indicatorIds` (an int[]) whose
 * countable version changed for the caller after `since`, one row per entry, read from its change feed: a version that
 * became countable (new, revised, published), and one that became countable again because a newer one was rejected
 * or deleted, which that version's own updatedAt (from long before) does not show. Only the caller's audience counts,
 * so a write it may not read marks nothing as changed.
 */
export function keysChangedSince(visibility: Visibility, since: Date, indicatorIds: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT f."countryId", f."indicatorId", f."referenceYear", f."sourceKey", f."submissionId"
    FROM "FeedEntry" f
    WHERE f.at > ${since} AND f."countryId" IS NOT NULL AND f."indicatorId" = ANY(${indicatorIds})
      AND ${visibleFeedEntry(visibility, 'f')}`;
}

/** Whether the caller may read this submission version: `visibleVersion` for a row already loaded. */
export function seesVersion(visibility: Visibility, s: { status: string; countryId: number }): boolean {
  return s.status === 'PUBLISHED' || seesUnpublished(visibility, s.countryId);
}
