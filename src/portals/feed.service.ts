// The read side of the change feed (CONTRACT §10): the entries a caller may see, in sequence order, after a cursor;
// and the live stream the subscription serves, woken by NOTIFY from any hub process on the same database. Entries are
// written by src/submissions/changes.ts, in commit order, so reading "sequence > cursor" never skips or repeats a
// committed change.
//
// Numbering. A caller who reads one audience (anonymous and READER: PUBLISHED; ADMIN and TASK_FORCE: ALL_VERSIONS) is
// shown that audience's own sequence, dense (1, 2, 3…), so the number of changes it may not read made meanwhile shows
// nowhere; a focal point, who reads its country's ALL_VERSIONS entries and the others' PUBLISHED ones, is shown the
// global sequence (its gaps count other countries' ALL_VERSIONS changes: the one trace left, see the README). Cursors
// say which numbering they are in: "p:<n>" (PUBLISHED), "a:<n>" (ALL_VERSIONS), "g:<n>" (global). A plain decimal is
// a cursor from before per-audience numbering, a global sequence: a focal point resumes exactly there; any other caller
// is refused, since "sequence > n" for every n would tell it the global number of each of its entries, the gaps again.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { FeedAudience, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import type { Database, PrismaClient } from '../platform/db.js';
import { FEED_CHANNEL } from '../submissions/changes.js';
import { feedAudienceOf, visibleFeedEntry, type Visibility } from '../submissions/visibility.js';

export interface FeedRow {
  /** Global, over both audiences. */
  sequence: bigint;
  audience: FeedAudience;
  /** Dense within `audience`. */
  audienceSequence: bigint;
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

/** A position in the feed: after the entry numbered `after` in the audience's own numbering or the global one. */
export interface FeedPosition {
  by: 'audience' | 'global';
  after: bigint;
}

/** The start of the feed. */
const START: FeedPosition = { by: 'global', after: 0n };

type CursorKind = 'p' | 'a' | 'g';
const KIND_OF_AUDIENCE = { PUBLISHED: 'p', ALL_VERSIONS: 'a' } as const;
const KIND_NAMES: Record<CursorKind, string> = {
  p: 'the published feed (anonymous and READER callers)',
  a: 'the feed of every version (ADMIN and TASK_FORCE)',
  g: "the global sequence (a focal point's feed)",
};

/** The cursor kind of the caller's numbering. */
function kindOf(visibility: Visibility): CursorKind {
  const audience = feedAudienceOf(visibility);
  return audience ? KIND_OF_AUDIENCE[audience] : 'g';
}

/** The number the caller is shown for an entry (Change.sequence): its audience's own, or the global one. */
export function sequenceOf(row: FeedRow, visibility: Visibility): bigint {
  return positionAfter(row, visibility).after;
}

/** The position just after this entry, in the caller's numbering (where its next read resumes). */
function positionAfter(row: FeedRow, visibility: Visibility): FeedPosition {
  return feedAudienceOf(visibility)
    ? { by: 'audience', after: row.audienceSequence }
    : { by: 'global', after: row.sequence };
}

/** The cursor that resumes the caller after this entry: "p:<n>", "a:<n>" or "g:<n>". */
export function cursorOf(row: FeedRow, visibility: Visibility): string {
  return `${kindOf(visibility)}:${sequenceOf(row, visibility)}`;
}

const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * Reads a cursor for this caller: absent or "" is the start; "<kind>:<n>" must be of the caller's own kind; a plain
 * decimal (a cursor from before per-audience numbering) is a global sequence, valid for a focal point only (see the
 * top of this file), and "0" (the start) for everyone. Returns the position, or why the cursor is refused.
 */
export function parseCursor(after: string | null | undefined, visibility: Visibility): FeedPosition | string {
  if (after == null || after === '') return START;
  const match = /^(?:([pag]):)?(\d{1,19})$/.exec(after);
  const n = match ? BigInt(match[2]!) : -1n;
  if (!match || n > MAX_BIGINT)
    return `"after" must be a cursor the feed returned (pageInfo.endCursor or Change.cursor), got "${after}"`;
  const kind = match[1] as CursorKind | undefined;
  const own = kindOf(visibility);
  if (kind === undefined) {
    // "0" is the start in every numbering, so it tells nothing.
    if (own === 'g' || n === 0n) return { by: 'global', after: n };
    return (
      `"after" is a cursor from before the feed numbered ${KIND_NAMES[own]} on its own; resume from the start ` +
      `(a replay from the start ends in the same store) and keep the cursors "${own}:…" it gives`
    );
  }
  if (kind !== own)
    return (
      `"after" is a cursor of ${KIND_NAMES[kind]}, not of this caller's (${KIND_NAMES[own]}, cursors "${own}:…"): ` +
      `resume from a cursor this caller was given, or from the start`
    );
  return { by: kind === 'g' ? 'global' : 'audience', after: n };
}

/** SQL: the caller's entries after `position`, and the column they are ordered by. */
function after(visibility: Visibility, position: FeedPosition) {
  // Within one audience the two numberings run in the same order; the column the cursor names is the one indexed.
  const column = Prisma.raw(position.by === 'audience' ? 'f."audienceSequence"' : 'f.sequence');
  return {
    where: Prisma.sql`${column} > ${position.after}::bigint AND ${visibleFeedEntry(visibility, 'f')}`,
    order: column,
  };
}

/** The caller's entries after `position`, oldest first, at most `limit`. */
export function readChanges(prisma: PrismaClient, visibility: Visibility, position: FeedPosition, limit: number) {
  const { where, order } = after(visibility, position);
  return prisma.$queryRaw<FeedRow[]>(Prisma.sql`
    SELECT f.* FROM "FeedEntry" f
    WHERE ${where}
    ORDER BY ${order}
    LIMIT ${limit}`);
}

/** How many entries the caller may see after `position`. */
export async function countChanges(
  prisma: PrismaClient,
  visibility: Visibility,
  position: FeedPosition,
): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>(Prisma.sql`
    SELECT count(*)::int AS n FROM "FeedEntry" f WHERE ${after(visibility, position).where}`);
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
 *
 * `authorize`, given for a caller with a token, throws once the token no longer stands for it (revoked or expired
 * while the stream is open), which ends the stream with that error. It runs after each read and before its rows are
 * sent, so nothing committed after a revocation reaches the stream; and at each wake without rows, so a lapsed
 * token's stream ends within POLL_MS even when nothing is written.
 */
export async function* liveChanges(
  db: Database,
  visibility: Visibility,
  position: FeedPosition,
  authorize?: () => Promise<void>,
): AsyncGenerator<FeedRow> {
  const bus = busOf(db);
  await bus.start();
  let cursor = position;
  while (!bus.closed) {
    const seen = bus.version;
    const rows = await readChanges(db.prisma, visibility, cursor, LIVE_PAGE);
    await authorize?.();
    for (const row of rows) {
      yield row;
      cursor = positionAfter(row, visibility);
    }
    if (rows.length < LIVE_PAGE) await bus.next(seen);
  }
}
