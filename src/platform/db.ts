// The only place a PrismaClient is constructed: embedded PGlite by default, PostgreSQL when a URL is given.
// The client is handed to the API and the CLI explicitly (not a module singleton) because one process, a
// test run for instance, may hold databases of both kinds at once.
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../prisma/generated/prisma/client.js';
import { DataDirUnusableError, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { openReplicas, type Replicas } from './replicas.js';
import { registerMemoryProbe } from './memory.js';

export type { PrismaClient };
export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** The adapter factory the client uses; the schema engine needs the same one to migrate. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location (directory, "memory" or the URL without password). */
  location: string;
  /** PostgreSQL with DATABASE_REPLICA_URLS: streaming replicas for read-only operations (replicas.ts). */
  replicas?: Replicas;
  /** The lock of the PGlite data directory this process owns (data-dir-lock.ts); absent in memory and on PostgreSQL. */
  lock?: DataDirLock;
  /**
   * Runs a multi-statement SQL script as one simple-protocol query, which PostgreSQL executes as a single implicit
   * transaction: all of it or none of it (the migration runner relies on this).
   */
  executeScript(sql: string): Promise<void>;
  /**
   * Resolves when the database answers within `deadlineMs`, without waiting behind the application's queries:
   * PostgreSQL is asked over a connection of its own; PGlite's single connection is busy under load, so a query
   * that completed in the last few seconds is the answer, and only an idle or stalled PGlite is asked SELECT 1.
   */
  ping(deadlineMs: number): Promise<void>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel`, i.e. for every committed transaction of any process on this
   * database that notified it; resolves once listening, with a function that stops. On PostgreSQL this is a
   * connection of its own, reopened when it drops (`onNotify` is then called once: notifications may have been
   * missed meanwhile, and there is no payload). PGlite has one process by design, and delivers its own
   * notifications. `payload` is the notification's payload.
   */
  listen(channel: string, onNotify: (payload?: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent, embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; "memory://" or undefined for an in-memory database. */
  dataDir?: string | undefined;
  /** A PGlite data-directory tarball (PGlite's dumpDataDir) to start an empty PGlite from, e.g. a test template. */
  loadDataDir?: Blob | undefined;
  /** PostgreSQL: give up connecting after this many milliseconds (default: wait as long as the OS does). */
  connectTimeoutMs?: number | undefined;
  /** PostgreSQL: the server cancels a statement running longer than this; 0 or absent for no limit. */
  statementTimeoutMs?: number | undefined;
  /** PostgreSQL: postgres:// URLs of streaming replicas of `url` (replicas.ts). */
  replicaUrls?: readonly string[] | undefined;
}

/**
 * PGlite's PostgreSQL runs inside this process, in WebAssembly memory that is never given back: every buffer it
 * touches stays resident. initdb sizes a server (shared_buffers 128 MB, touched whole at start, state for 100
 * connections, 64 MB per index build); an embedded database has one session, and the operating system's page cache
 * holds its files anyway. These settings took 120 MB off every process that opens PGlite.
 */
const PGLITE_SETTINGS = { shared_buffers: '16MB', max_connections: '10', maintenance_work_mem: '16MB' };
const PGLITE_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

/**
 * The limits of every interactive transaction, set once on the client: callers pass none. Prisma's defaults (2 s to
 * start, 5 s to run) failed writes of a hub that was merely busy with an untyped P2028, masked as "Unexpected error.":
 * a transaction waits for its turn like any statement (on PGlite behind everything queued before it, a whole import
 * transaction included; on PostgreSQL for a free pool connection), and on a loaded machine a short write runs for
 * seconds. So a write waits and succeeds. The bounds are there only for a transaction that never ends: the wait stays
 * under the HTTP request timeout (server.ts), and the run fits the longest import.
 */
const TRANSACTION_LIMITS = { maxWait: 60_000, timeout: 60 * 60_000 };

/** A PGlite query completed this recently means PGlite is answering. */
const PGLITE_FRESH_MS = 5_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const statementTimeout = options.statementTimeoutMs || undefined;
    // Every connection of this database's (the pools, the probe, scripts) gives up and explains after the same time.
    const Client = clientWithConnectTimeout(options.connectTimeoutMs);
    const adapter = (url: string, onPoolError?: () => void) =>
      new PrismaPg(
        {
          connectionString: url,
          // Not the pool's connectionTimeoutMillis: pg-pool also applies it to waiting for a free connection, so
          // under load queued queries would fail after it instead of waiting their turn. Each new connection gets it.
          Client,
          // statement_timeout is enforced by the server; query_timeout, a little later, by the client, for a server
          // that stopped answering altogether.
          statement_timeout: statementTimeout,
          query_timeout: statementTimeout && statementTimeout + 5_000,
        },
        onPoolError && { onPoolError },
      );
    const adapterFactory = adapter(options.url);
    const prisma = new PrismaClient({ adapter: adapterFactory, transactionOptions: TRANSACTION_LIMITS });
    const replicas = options.replicaUrls?.length
      ? openReplicas(options.replicaUrls, {
          primary: prisma,
          adapter,
          redact: redactUrl,
          connectTimeoutMs: options.connectTimeoutMs,
          client: clientWithConnectTimeout,
        })
      : undefined;
    // The readiness probe's own connection: never queued behind the application's pool. Its connect timeout is the
    // client's (not the pool's, whose wording would hide that the server never answered).
    const probe = new pg.Pool({
      connectionString: options.url,
      Client,
      max: 1,
      idleTimeoutMillis: 60_000,
      allowExitOnIdle: true,
    });
    probe.on('error', () => undefined); // an idle probe connection that drops is simply reopened
    const listeners = new Set<() => Promise<void>>();
    return {
      kind: 'postgres',
      prisma,
      adapterFactory,
      location: redactUrl(options.url),
      ...(replicas ? { replicas } : {}),
      async executeScript(sql) {
        const client = new Client({ connectionString: options.url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      ping: (deadlineMs) => withDeadline(probe.query('SELECT 1'), deadlineMs),
      async listen(channel, onNotify) {
        const stop = await listenPostgres(options, channel, onNotify);
        const remove = async () => {
          listeners.delete(remove);
          await stop();
        };
        listeners.add(remove);
        return remove;
      },
      async close() {
        await Promise.all([
          prisma.$disconnect(),
          probe.end().catch(() => undefined),
          replicas?.close(),
          ...[...listeners].map((stop) => stop()),
        ]);
      },
    };
  }
  // In memory only when asked for ("memory://", or no directory at all as the tests open theirs): an empty name is a
  // setting that went wrong (config.ts reads an empty PGLITE_DATA_DIR as unset), never a request to lose every write.
  if (options.dataDir !== undefined && !options.dataDir.trim()) {
    throw new Error('the PGlite data directory is an empty name; give a directory, or "memory://" for in-memory');
  }
  const dataDir = options.dataDir === 'memory://' ? undefined : options.dataDir;
  // Taken before PGlite touches the directory, and refused (naming the holder) when another process owns it.
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  const pglite = new PGlite({ dataDir, loadDataDir: options.loadDataDir, startParams: PGLITE_START_PARAMS });
  try {
    await pglite.waitReady;
  } catch (err) {
    lock?.release();
    // PGlite says only "failed to initialize properly": name the directory and what it most likely is.
    if (!dataDir) throw err;
    throw new DataDirUnusableError(
      dataDir,
      `could not be opened as a PGlite data directory (${(err as Error).message}): it may be incomplete (a first ` +
        'start stopped while creating it) or damaged (restore it from a backup)',
      { cause: err },
    );
  }
  // Its WebAssembly memory, for MIGSTAT_MEMORY_TRACE (weakly: the probe must not keep a closed PGlite alive).
  const wasm = new WeakRef(pglite as unknown as { mod?: { HEAPU8?: Uint8Array } });
  registerMemoryProbe('pgliteWasm', () => wasm.deref()?.mod?.HEAPU8?.byteLength ?? 0);
  // When PGlite last answered a statement, for ping. Noted by the queue rather than by Prisma's query events, which
  // serialize every statement's parameters (an import's arrays of a thousand rows) for a listener that needs none.
  let answeredAt = 0;
  const adapterFactory = new PrismaPGlite(
    takingTurns(pglite, () => {
      answeredAt = Date.now();
    }),
  );
  const prisma = new PrismaClient({ adapter: adapterFactory, transactionOptions: TRANSACTION_LIMITS });
  return {
    kind: 'pglite',
    prisma,
    adapterFactory,
    location: dataDir ?? 'memory',
    ...(lock ? { lock } : {}),
    async executeScript(sql) {
      await pglite.exec(sql);
    },
    async ping(deadlineMs) {
      if (pglite.closed) throw new Error('PGlite is closed');
      if (Date.now() - answeredAt < PGLITE_FRESH_MS) return;
      await withDeadline(prisma.$queryRawUnsafe('SELECT 1'), deadlineMs);
    },
    async listen(channel, onNotify) {
      return pglite.listen(channel, (payload) => onNotify(payload));
    },
    async close() {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * PGlite runs each statement synchronously on the main thread, and a queue of waiting statements drains through
 * promise callbacks alone, so no HTTP request (not even /ready) is read until the whole queue is done. Statements
 * (and whole transactions, whose statements run on their own handle) therefore take turns: one at a time, in
 * arrival order, each after a turn of the event loop, so between two statements Node reads the sockets. Yielding
 * before each call without the queue is not enough: two hundred callers' setImmediate callbacks all run in one
 * check phase, and their statements run back to back before the next poll.
 */
function takingTurns(pglite: PGlite, answered: () => void): PGlite {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  let last: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(job: () => Promise<T>): Promise<T> => {
    const result = last.then(turn).then(job).finally(answered);
    last = result.catch(() => undefined);
    return result;
  };
  return new Proxy(pglite, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (property === 'query' || property === 'exec') {
        return (...args: unknown[]) => inTurn(() => method.apply(target, args));
      }
      if (property === 'transaction') {
        return (callback: (tx: Transaction) => Promise<unknown>) =>
          inTurn(() => method.call(target, (tx: Transaction) => callback(yielding(tx, turn, answered))));
      }
      return method.bind(target);
    },
  });
}

/** A transaction's statements also yield a turn each: a long import must not hold the event loop to its end. */
function yielding(tx: Transaction, turn: () => Promise<void>, answered: () => void): Transaction {
  return new Proxy(tx, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (property === 'query' || property === 'exec' || property === 'sql') {
        return async (...args: unknown[]) => {
          await turn();
          return (method.apply(target, args) as Promise<unknown>).finally(answered);
        };
      }
      return method.bind(target);
    },
  });
}

/** How long a dropped LISTEN connection waits before it is reopened. */
const RELISTEN_MS = 1_000;

/** LISTEN on a connection of its own, reopened (and `onNotify` called once) whenever it drops. */
async function listenPostgres(
  options: DatabaseOptions,
  channel: string,
  onNotify: (payload?: string) => void,
): Promise<() => Promise<void>> {
  const Client = clientWithConnectTimeout(options.connectTimeoutMs);
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reopen = () => {
    if (stopped) return;
    client = undefined;
    retry = setTimeout(() => {
      connect().then(() => onNotify(), reopen);
    }, RELISTEN_MS);
  };
  const connect = async () => {
    const c = new Client({ connectionString: options.url });
    c.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload);
    });
    c.on('error', () => undefined); // 'end' follows and reopens
    try {
      await c.connect();
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    c.once('end', reopen);
    if (stopped) await c.end();
    else client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

/**
 * pg's Client, giving up on connecting after `ms` (pg.Client honours connectionTimeoutMillis on its own), and saying
 * why a connection failed: pg reports its own timeout as "timeout expired" (pg-pool's as "Connection terminated due
 * to connection timeout"), and a peer that hangs up mid-handshake (a proxy, a service other than PostgreSQL on that
 * port) as "Connection terminated unexpectedly"; none names the server, the limit or its setting.
 */
function clientWithConnectTimeout(ms: number | undefined, limit = 'DATABASE_CONNECT_TIMEOUT_MS'): typeof pg.Client {
  class ConnectingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...inUtc(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: ms,
      });
    }
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error, ...rest: unknown[]) => void): void;
    override connect(callback?: (err: Error, ...rest: unknown[]) => void): Promise<pg.Client> | void {
      // Set before pg's own timer of the same length, so it has fired by the time pg's fails the connection.
      let timedOut = false;
      const timer = ms ? setTimeout(() => (timedOut = true), ms) : undefined;
      timer?.unref();
      const explain = (err: Error) => {
        clearTimeout(timer);
        return err && connectError(err, this.host, this.port, timedOut ? { ms: ms!, limit } : undefined);
      };
      if (callback)
        return super.connect(((err: Error, ...rest: unknown[]) => callback(explain(err), ...rest)) as never);
      return super.connect().then(
        (client) => {
          clearTimeout(timer);
          return client;
        },
        (err: Error) => {
          throw explain(err);
        },
      );
    }
  }
  return ConnectingClient;
}

/**
 * Every session in UTC, whatever time zone the server or the database is set to: the columns are `timestamp` without
 * a zone, which Prisma writes and reads as UTC from Node's clock, while the database's own times (`now()`,
 * `clock_timestamp()`, column defaults: the change feed's stamps, webhook retry times) are in the session's zone. On a
 * server in another zone the two disagreed by its offset (webhook retries due at once or hours late, stamps of changes
 * and `migstat-complete-through` off by hours) and, across a daylight-saving change, the feed's stamps went back an
 * hour. A startup option, so it costs no statement; one in the URL's own `options` is kept beside it.
 */
function inUtc(config: pg.ClientConfig | undefined): pg.ClientConfig {
  const utc = '-c TimeZone=UTC';
  const url = config?.connectionString;
  // pg takes the URL's parameters over the config's: an `options` there gets the zone appended instead.
  if (url && /[?&]options=/.test(url)) {
    const parsed = new URL(url);
    parsed.searchParams.set('options', `${parsed.searchParams.get('options')} ${utc}`);
    return { ...config, connectionString: parsed.toString() };
  }
  return { ...config, options: config?.options ? `${config.options} ${utc}` : utc };
}

/**
 * A failed connection's error, saying what happened: no answer within the time allowed (and what set it), or a peer
 * that hung up.
 */
function connectError(
  err: Error,
  host: string,
  port: number,
  timedOut: { ms: number; limit: string } | undefined,
): Error {
  const server = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (timedOut) {
    return new Error(`the database server at ${server} did not answer within ${timedOut.ms} ms (${timedOut.limit})`, {
      cause: err,
    });
  }
  if (err.message === 'Connection terminated unexpectedly') {
    return new Error(
      `the server at ${server} closed the connection before the PostgreSQL handshake finished (is a PostgreSQL ` +
        'server listening on that host and port?)',
      { cause: err },
    );
  }
  return err;
}

/** The promise's outcome, or a rejection once `ms` have passed (the promise itself is left to finish). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).then(
    () => clearTimeout(timer),
    (err: unknown) => {
      clearTimeout(timer);
      throw err;
    },
  );
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
