// Streaming replicas (DATABASE_REPLICA_URLS) for read-only GraphQL operations. The hub routes whole operations, not
// single Prisma calls: a query runs on a replica client, a mutation on the primary (src/http/replica-routing.ts).
// Replication lag is handled by WAL positions, not by time: a caller who wrote is served by a replica only once that
// replica has replayed the primary's WAL up to the caller's write (pg_last_wal_replay_lsn() ≥ the primary's
// pg_current_wal_insert_lsn() read after the write: an asynchronous commit may not be written yet); otherwise the
// primary serves it. A replica that does not answer is left out until it answers again, so a dead replica costs reads
// nothing but the primary's capacity.
import type { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../prisma/generated/prisma/client.js';

/** A position in the primary's write-ahead log, as a number (PostgreSQL prints it as two hex halves, "16/B374D848"). */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text.trim());
  if (!match) throw new Error(`not a WAL position: "${text}"`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** How long a replica's replay position (and that it answers at all) is trusted before it is asked again. */
export const REPLICA_CHECK_MS = 1_000;

export interface ReplicaStatus {
  location: string;
  /** up: answering and a standby; down: not answering, or not a standby (a promoted or misconfigured server). */
  state: 'up' | 'down';
  /** The last WAL position it had replayed when asked (absent when down). */
  replayed?: string;
  /** Why it is down. */
  reason?: string;
}

export interface Replica {
  prisma: PrismaClient;
  location: string;
}

export interface Replicas {
  /**
   * A replica that answers and has replayed at least `after` (when given), in turn; undefined when none qualifies,
   * and the caller reads from the primary.
   */
  reader(after?: Lsn): Promise<Replica | undefined>;
  /** The primary's WAL position now: after a write has committed, a position at or past that write. */
  written(): Promise<Lsn>;
  /** Asks the replica now (after an error on it): true when it still answers as a standby. */
  recheck(replica: Replica): Promise<boolean>;
  status(): Promise<ReplicaStatus[]>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  /** The primary, asked for its WAL position after a write. */
  primary: PrismaClient;
  /** The adapter for a server, built as the primary's is; `onPoolError` is called when an idle connection drops. */
  adapter(url: string, onPoolError: () => void): PrismaPg;
  /** The URL as it may be shown (without password). */
  redact(url: string): string;
  connectTimeoutMs?: number | undefined;
  /** pg's Client giving up on connecting after `ms` and saying so, naming `limit` (what set that time). */
  client(ms: number, limit: string): typeof pg.Client;
}

interface State {
  replica: Replica;
  probe: pg.Pool;
  replayed: Lsn | undefined;
  reason: string | undefined;
  checkedAt: number;
  checking: Promise<void> | undefined;
}

/** How long a replica may take to accept a probe's connection before it counts as down. */
const PROBE_CONNECT_MS = 1_000;
/** How long a probe may take in all (connecting, then its one statement). */
const PROBE_DEADLINE_MS = 1_500;

export function openReplicas(urls: readonly string[], options: ReplicaOptions): Replicas {
  // The connect timeout is the explaining client's (db.ts), so that a replica that never answers is reported with the
  // server and the time allowed, not with pg-pool's "Connection terminated due to connection timeout".
  const limit = options.connectTimeoutMs;
  const Client =
    limit !== undefined && limit <= PROBE_CONNECT_MS
      ? options.client(limit, 'DATABASE_CONNECT_TIMEOUT_MS')
      : options.client(PROBE_CONNECT_MS, 'the time a replica readiness probe allows');
  const states: State[] = urls.map((url) => {
    const probe = new pg.Pool({
      connectionString: url,
      Client,
      max: 1,
      idleTimeoutMillis: 60_000,
      allowExitOnIdle: true,
    });
    probe.on('error', () => undefined);
    const state: State = {
      // An idle connection the replica closed (it stopped or restarted): ask it again before the next read.
      replica: {
        prisma: new PrismaClient({ adapter: options.adapter(url, () => (state.checkedAt = 0)) }),
        location: options.redact(url),
      },
      probe,
      replayed: undefined,
      reason: 'not checked yet',
      checkedAt: 0,
      checking: undefined,
    };
    return state;
  });
  let next = 0;

  const check = (state: State): Promise<void> => {
    state.checking ??= (async () => {
      try {
        const { rows } = await withDeadline(
          state.probe.query<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn'),
          PROBE_DEADLINE_MS,
        );
        const lsn = rows[0]?.lsn;
        state.replayed = lsn ? parseLsn(lsn) : undefined;
        state.reason = lsn ? undefined : 'not a standby (pg_last_wal_replay_lsn() is null)';
      } catch (err) {
        state.replayed = undefined;
        state.reason = (err as Error).message;
      } finally {
        state.checkedAt = Date.now();
        state.checking = undefined;
      }
    })();
    return state.checking;
  };
  const fresh = async (state: State) => {
    if (Date.now() - state.checkedAt >= REPLICA_CHECK_MS) await check(state);
  };

  return {
    async written() {
      // The insert position, not the write position (pg_current_wal_lsn): under synchronous_commit = off a commit
      // returns before its record is written, and a replica that had replayed the write position would lack it.
      const [row] = await options.primary.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_insert_lsn()::text AS lsn`;
      return parseLsn(row!.lsn);
    },
    async reader(after) {
      for (let i = 0; i < states.length; i++) {
        const state = states[(next + i) % states.length]!;
        await fresh(state);
        if (state.replayed === undefined) continue;
        // Behind the caller's write: it may have caught up since it was last asked (lag is usually milliseconds).
        if (after !== undefined && state.replayed < after) await check(state);
        if (state.replayed === undefined || (after !== undefined && state.replayed < after)) continue;
        next = (next + i + 1) % states.length;
        return state.replica;
      }
      return undefined;
    },
    async recheck(replica) {
      const state = states.find((s) => s.replica === replica);
      if (!state) return false;
      await check(state);
      return state.replayed !== undefined;
    },
    async status() {
      await Promise.all(states.map(fresh));
      return states.map((s) =>
        s.replayed === undefined
          ? { location: s.replica.location, state: 'down' as const, reason: s.reason ?? 'unknown' }
          : { location: s.replica.location, state: 'up' as const, replayed: formatLsn(s.replayed) },
      );
    },
    async close() {
      await Promise.all(
        states.map(async (s) => {
          await Promise.all([s.replica.prisma.$disconnect(), s.probe.end().catch(() => undefined)]);
        }),
      );
    },
  };
}

/** The promise's value, or a rejection once `ms` have passed (the promise itself is left to finish). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the replica did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
