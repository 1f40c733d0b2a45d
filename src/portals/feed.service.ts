// The read side of the change feed (CONTRACT §10): the entries a caller may see, in sequence order, after a cursor;
// and the live stream the subscription serves, woken by NOTIFY from any hub process on the same database. Entries are
// written by src/submissions/changes.ts, in commit order, so reading "sequence > cursor" never skips or repeats a
// committed change.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { FeedAudience, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import type { Database, PrismaClient } from '../platform/db.js';
import { FEED_CHANNEL } from '../submissions/changes.js';
import { visibleFeedEntry, type Visibility } from '../submissions/visibility.js';

export interface FeedRow {
  sequence: bigint;
  audience: FeedAudience;
  /** The series key; null on an item change. */
  countryId: number | null;
  indicatorId: number | null;
  referenceYear: number | null;
  sourceKey: string | null;
  /** The key's countable version for the caller after the change; null for a DELETE (and an item change). */
  submissionId: number | null;
  status: SubmissionStatus | null;
  /** The catalogue item changed (its GraphQL type and id); null on a series change. */
  itemType: string | null;
  itemId: number | null;
  at: Date;
}

/**
 * The source type of a series whose source key is `key` (an SQL expression): "ST:<code>" names it, "DS:<code>"
 * names a data source, whose type it is; null for "" (no source). The one rule behind the feed's
 * SeriesKey.sourceType and the webhook body's series.sourceType.
 */
export function sourceTypeIdOfKey(key: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`coalesce(
    (SELECT st.id FROM "SourceType" st WHERE ${key} = 'ST:' || st.code),
    (SELECT ds."sourceTypeId" FROM "DataSource" ds WHERE ${key} = 'DS:' || ds.code))`;
}

/** A cursor is the sequence of the last entry read, in decimal; absent for the start of the feed. */
export function parseCursor(after: string | null | undefined): bigint | null {
  if (after == null || after === '') return 0n;
  return /^\d{1,19}$/.test(after) ? BigInt(after) : null;
}

/** The caller's entries after `after`, oldest first, at most `limit`. */
export function readChanges(prisma: PrismaClient, visibility: Visibility, after: bigint, limit: number) {
  return prisma.$queryRaw<FeedRow[]>(Prisma.sql`
    SELECT f.* FROM "FeedEntry" f
    WHERE f.sequence > ${after}::bigint AND ${visibleFeedEntry(visibility, 'f')}
    ORDER BY f.sequence
    LIMIT ${limit}`);
}

/** How many entries the caller may see after `after`. */
export async function countChanges(prisma: PrismaClient, visibility: Visibility, after: bigint): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>(Prisma.sql`
    SELECT count(*)::int AS n FROM "FeedEntry" f
    WHERE f.sequence > ${after}::bigint AND ${visibleFeedEntry(visibility, 'f')}`);
  return row?.n ?? 0;
}

/**
 * A live subscriber waits at most this long for a notification before it reads the feed anyway: a safety net for a
 * notification lost while the LISTEN connection was being reopened, and the bound on how long a generator whose
 * client went away lingers.
 */
const POLL_MS = 10_000;
const LIVE_PAGE = 100;

/**
 * Counts the NOTIFYs of one database (one LISTEN per hub process, shared by every subscriber) and lets subscribers
 * wait for the next one. A counter rather than an event: a subscriber reads the count before reading the feed and
 * waits for it to move past that value, so a commit that lands between its read and its wait still wakes it.
 */
class FeedBus {
  private count = 0;
  private waiters = new Set<() => void>();
  private listening: Promise<() => Promise<void>> | undefined;
  closed = false;

  constructor(private readonly db: Database) {}

  /** Resolves once this process listens (at once after the first call). */
  async start(): Promise<void> {
    this.listening ??= this.db.listen(FEED_CHANNEL, () => {
      this.count++;
      for (const wake of this.waiters) wake();
    });
    await this.listening;
  }

  get version(): number {
    return this.count;
  }

  /** Resolves when a notification after `seen` arrives, the bus closes, or POLL_MS pass. */
  next(seen: number): Promise<void> {
    if (this.count > seen || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, POLL_MS);
      this.waiters.add(wake);
    });
  }

  /** Ends every live stream (at shutdown: an open stream would otherwise hold the server open). */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters) wake();
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
  }
}

const buses = new WeakMap<Database, FeedBus>();

function busOf(db: Database): FeedBus {
  let bus = buses.get(db);
  if (!bus) buses.set(db, (bus = new FeedBus(db)));
  return bus;
}

/** Ends the live change streams of this database (`migstat serve` calls it on shutdown). */
export async function closeChangeStreams(db: Database): Promise<void> {
  await buses.get(db)?.close();
}

/**
 * The caller's entries after `after`, then every new one as it is committed by any hub process: the replay and the
 * live part are the same query from the same cursor, so nothing is skipped or repeated at the seam.
 */
export async function* liveChanges(db: Database, visibility: Visibility, after: bigint): AsyncGenerator<FeedRow> {
  const bus = busOf(db);
  await bus.start();
  let cursor = after;
  while (!bus.closed) {
    const seen = bus.version;
    const rows = await readChanges(db.prisma, visibility, cursor, LIVE_PAGE);
    for (const row of rows) {
      yield row;
      cursor = row.sequence;
    }
    if (rows.length < LIVE_PAGE) await bus.next(seen);
  }
}
