// Which submission versions exist for a caller (CONTRACT §4 "visible versions", §7): the one rule every read path
// derives from, as SQL predicates, so lists, nested fields, analytics, accounts, exports and portal feeds cannot
// disagree. ADMIN and TASK_FORCE see every version; a FOCAL_POINT every version of its own country and PUBLISHED
// versions of the others; READER and anonymous callers PUBLISHED versions only.
//
// Countable (§4) is then "the most recent version of a key among the caller's visible VALIDATED or PUBLISHED
// versions": for a PUBLISHED-only caller that is the most recent PUBLISHED version, so a newer VALIDATED version it
// cannot see never hides, replaces or reveals anything.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { Viewer } from '../platform/context.js';

/** What a caller may read, reduced to the three cases the rule distinguishes. */
export type Visibility =
  | { kind: 'ALL' }
  | { kind: 'PUBLISHED' }
  /** Every version of this country, PUBLISHED versions of the others. */
  | { kind: 'OWN_COUNTRY'; countryId: number };

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

const col = (alias: string, name: string) => Prisma.raw(`${alias}."${name}"`);

/** SQL predicate: the version row `alias` is visible to the caller. */
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

/** The same rule as a Prisma `where` on Submission, for the Prisma-query paths (lists, node, relations). */
export function visibleSubmissionWhere(visibility: Visibility): Prisma.SubmissionWhereInput {
  switch (visibility.kind) {
    case 'ALL':
      return {};
    case 'PUBLISHED':
      return { status: 'PUBLISHED' };
    case 'OWN_COUNTRY':
      return { OR: [{ status: 'PUBLISHED' }, { countryId: visibility.countryId }] };
  }
}
