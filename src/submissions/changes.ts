// The write side of the change feed (CONTRACT §10), called by every writer of submissions and publication state
// (imports, the review workflow) and of catalogue items (the catalogue, countries and regions, data sources,
// recommendations) as the last step of its transaction. The read side is src/portals/feed.service.ts.
//
// An entry says "after this change, the countable version of series key K for audience A is S (or none)". Every
// caller's view of a key is one of two (visibility.ts): every version of the key's country, or PUBLISHED versions
// only; so each touched key is compared, per audience, with its last feed entry, and an entry is appended only where
// the caller-visible state changed (a new countable version, a status change of it, or none left: a DELETE).
//
// Commit order. A sequence value drawn from a plain SEQUENCE is taken when the row is inserted, not when its
// transaction commits: transaction A could take 11, B take 12 and commit first, and a reader who already read past 12
// would never see 11. So every feed writer first takes one transaction-scoped advisory lock and draws its values
// while holding it, until its commit: of two writers the second waits for the first to commit (or roll back) before
// it draws any value, so sequence order is commit order, on one PostgreSQL or across many hub processes, and a
// reader who has seen sequence n has seen every committed entry below n. The lock is taken as the last step, after
// the data are written, so it is held only for the comparison and the commit (milliseconds), not for an import's
// validation or inserts. Read committed gives the statement after the lock a snapshot that includes the previous
// writer's entries, so each comparison is with the true last state. (Exposing only the entries below the oldest
// in-flight one would let writers run in parallel, but needs txid bookkeeping on every read; the writes here are
// rare and short, so the lock is the simpler guarantee.) PGlite runs one transaction at a time anyway.
//
// Two numberings, both drawn in the same INSERT under that lock: `sequence`, global over both audiences, and
// `audienceSequence`, dense within the entry's audience (the audience's last number plus the entry's rank among the
// statement's rows of that audience, in the statement's order). A caller who reads one audience is shown the second,
// so the gaps of the first (which count the other audience's changes, unpublished ones included) never reach it.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { PrismaClient } from '../platform/db.js';
import { countableVersions, EVERYTHING } from './visibility.js';

type Tx = Prisma.TransactionClient;

/** The key of the advisory lock that orders feed writers ("feed" in ASCII). */
const FEED_LOCK = 0x66656564;

/** SQL (a CTE body): each audience with the last audienceSequence it drew (0 before its first entry). */
const AUDIENCE_HEADS = Prisma.sql`
  SELECT a.audience, coalesce((SELECT max(h."audienceSequence") FROM "FeedEntry" h WHERE h.audience = a.audience), 0)
    AS head
  FROM (VALUES ('ALL_VERSIONS'::"FeedAudience"), ('PUBLISHED'::"FeedAudience")) AS a(audience)`;

/**
 * The database's time once every feed writer that has stamped its entries has committed (or rolled back), for the
 * reads of what changed after a time (SDMX and the downloads' `updatedAfter`), which call it before reading anything,
 * the response cache's data version and an ETag's included. An entry is stamped (`at`) a moment before its writer
 * commits, while the writer holds FEED_LOCK; a shared hold of the lock waits for that writer, and no writer can stamp
 * while it is held. So a read that starts after this time sees every entry stamped before it. Without the wait, a
 * change stamped before a read and committed after it was missed by that read and, being older than the read, by the
 * next one from the read's time too: skipped for good. The time is a millisecond before the current millisecond:
 * stamps are stored to the millisecond, rounded, so one made a moment after the returned time may be stored as its
 * millisecond, which a read of what changed after it (`>`) would not take.
 */
export async function settledFeedTime(prisma: PrismaClient): Promise<Date> {
  const [row] = await prisma.$queryRaw<{ at: Date }[]>`
    WITH settled AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(${FEED_LOCK}::bigint))
    SELECT date_trunc('milliseconds', clock_timestamp()) - interval '1 millisecond' AS at FROM settled`;
  return row!.at;
}

/** The NOTIFY channel that tells every hub process a feed entry was committed. */
export const FEED_CHANNEL = 'migstat_feed';

export interface SeriesKey {
  countryId: number;
  indicatorId: number;
  referenceYear: number;
  sourceKey: string;
}

/**
 * Appends the feed entries of the touched keys, inside the writer's transaction and as its last statement (so the
 * lock is held only until the commit right after). Returns how many entries were written.
 */
export async function recordSeriesChanges(tx: Tx, keys: readonly SeriesKey[]): Promise<number> {
  if (!keys.length) return 0;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK}::bigint)`;
  const inKeys = Prisma.sql`(s."countryId", s."indicatorId", s."referenceYear", s."sourceKey") IN (SELECT * FROM k)`;
  const sameKey = (a: string, b: string) =>
    Prisma.raw(
      ['countryId', 'indicatorId', 'referenceYear', 'sourceKey'].map((c) => `${a}."${c}" = ${b}."${c}"`).join(' AND '),
    );
  // clock_timestamp(): the moment just before the commit, not the transaction's start (an import may run minutes).
  const written = await tx.$executeRaw(Prisma.sql`
    WITH k AS (
      SELECT DISTINCT * FROM unnest(${keys.map((k) => k.countryId)}::int[], ${keys.map((k) => k.indicatorId)}::int[],
        ${keys.map((k) => k.referenceYear)}::int[], ${keys.map((k) => k.sourceKey)}::text[])
        AS k("countryId", "indicatorId", "referenceYear", "sourceKey")
    ),
    everything AS (${countableVersions(EVERYTHING, inKeys)}),
    published AS (${countableVersions({ kind: 'PUBLISHED' }, inKeys)}),
    now AS (
      SELECT k.*, 'ALL_VERSIONS'::"FeedAudience" AS audience, e.id AS "submissionId", e.status
      FROM k LEFT JOIN everything e ON ${sameKey('e', 'k')}
      UNION ALL
      SELECT k.*, 'PUBLISHED'::"FeedAudience", p.id, p.status
      FROM k LEFT JOIN published p ON ${sameKey('p', 'k')}
    ),
    last AS (
      SELECT DISTINCT ON (f."countryId", f."indicatorId", f."referenceYear", f."sourceKey", f.audience) f.*
      FROM "FeedEntry" f JOIN k ON ${sameKey('f', 'k')}
      ORDER BY f."countryId", f."indicatorId", f."referenceYear", f."sourceKey", f.audience, f.sequence DESC
    ),
    heads AS (${AUDIENCE_HEADS})
    INSERT INTO "FeedEntry" ("audience", "audienceSequence", "countryId", "indicatorId", "referenceYear",
      "sourceKey", "submissionId", "status", "at")
    -- The rank within the audience follows the ORDER BY below (the order the global sequence is drawn in).
    SELECT n.audience,
      h.head + row_number() OVER (PARTITION BY n.audience
        ORDER BY n."indicatorId", n."countryId", n."referenceYear", n."sourceKey"),
      n."countryId", n."indicatorId", n."referenceYear", n."sourceKey", n."submissionId", n.status,
      clock_timestamp()
    FROM now n LEFT JOIN last l ON ${sameKey('l', 'n')} AND l.audience = n.audience
    JOIN heads h ON h.audience = n.audience
    WHERE (n."submissionId", n.status) IS DISTINCT FROM (l."submissionId", l.status)
      -- a key that never had a visible version has nothing to delete
      AND NOT (n."submissionId" IS NULL AND l.sequence IS NULL)
    ORDER BY n."indicatorId", n."countryId", n."referenceYear", n."sourceKey", n.audience`);
  // Delivered by PostgreSQL when (and only if) the transaction commits, to every hub process listening.
  if (written) await tx.$executeRaw`SELECT pg_notify(${FEED_CHANNEL}, '')`;
  return written;
}

/**
 * The items a catalogue change names: the GraphQL Node types the catalogue, geography and data-source writers write.
 * None of them is ever deleted (an indicator is retired, not removed), so an item change is always an UPSERT.
 */
export type ItemType =
  | 'Concept'
  | 'Topic'
  | 'Variable'
  | 'SourceType'
  | 'SdgIndicator'
  | 'GcmObjective'
  | 'Indicator'
  | 'Recommendation'
  | 'Region'
  | 'Country'
  | 'DataSource';

export interface ItemRef {
  type: ItemType;
  id: number;
}

/**
 * Appends an UPSERT entry for each item created or changed, in the order given (each item once), inside the writer's
 * transaction and as its last statement, under the same lock as series changes. Items are public (every caller
 * reads the catalogue), yet each entry is written for both audiences, so that the visibility rule of the feed
 * (visibility.ts) stays one rule and every caller reads each item change exactly once. A link names the item that
 * owns it (an indicator for its topics, variables, SDG and GCM links; a recommendation for its indicators and
 * concepts); a link between an indicator and a source type names both, as both show it.
 */
export async function recordItemChanges(tx: Tx, items: readonly ItemRef[]): Promise<number> {
  const seen = new Set<string>();
  const unique = items.filter((i) => !seen.has(`${i.type}:${i.id}`) && seen.add(`${i.type}:${i.id}`));
  if (!unique.length) return 0;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK}::bigint)`;
  const written = await tx.$executeRaw(Prisma.sql`
    WITH heads AS (${AUDIENCE_HEADS})
    INSERT INTO "FeedEntry" ("audience", "audienceSequence", "itemType", "itemId", "at")
    SELECT a.audience, a.head + x.n, x."itemType", x."itemId", clock_timestamp()
    FROM unnest(${unique.map((i) => i.type)}::text[], ${unique.map((i) => i.id)}::int[]) WITH ORDINALITY
      AS x("itemType", "itemId", n)
    CROSS JOIN heads a
    ORDER BY x.n, a.audience`);
  await tx.$executeRaw`SELECT pg_notify(${FEED_CHANNEL}, '')`;
  return written;
}
