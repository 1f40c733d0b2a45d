// The only reader of process.env. Parsed once, failing fast with every problem listed.
import { z } from 'zod';

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A whole number written in decimal digits. Not z.coerce.number: Number('') and Number(' ') are 0, and 'abc' would
 * be reported as "received NaN" without the text that was given.
 */
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be ${min} or more`).max(max, `must be ${max} or less`));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: integer(0, 65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /// Comma-separated postgres:// URLs of streaming replicas of DATABASE_URL: GraphQL queries read there
  /// (src/platform/replicas.ts).
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each must be a postgres:// or postgresql:// URL')))
    .optional(),
  PGLITE_DATA_DIR: z.string().default('./.data/pglite'),
  /// PostgreSQL: give up connecting after this long, so an unreachable server fails fast instead of hanging.
  DATABASE_CONNECT_TIMEOUT_MS: integer(1).default(5_000),
  /// PostgreSQL: cancel a statement that runs longer (0: no limit).
  DATABASE_STATEMENT_TIMEOUT_MS: integer(0).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: boolean.optional(),
  MAX_BODY_BYTES: integer(1).default(10 * 1024 * 1024),
  /// Comma-separated origins allowed to call the API from browsers; empty allows none but same-origin tools.
  CORS_ORIGINS: z.string().default(''),
  /// The hub's address as clients reach it (behind a proxy, the public one), for the links in SDMX messages; without
  /// it, each request's own Host, which a client chooses.
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+\/?$/, 'must be an http(s) origin such as https://hub.example.org')
    .optional(),
  /// Requests per window on /graphql, /sdmx/v2 and /download: per client address without a token, per token with one
  /// (0: unlimited). Tests (NODE_ENV=test) default to limits no test reaches.
  RATE_LIMIT_ANONYMOUS: integer(0).optional(),
  RATE_LIMIT_TOKEN: integer(0).optional(),
  RATE_LIMIT_WINDOW_SECONDS: integer(1).default(60),
  /// How many reverse proxies stand in front: the client address is that many entries from the right of
  /// X-Forwarded-For (0: the socket's address).
  TRUST_PROXY: integer(0).default(0),
  /// Redis shared by every hub process for rate limits; without it each process counts on its own.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /// Prefix of the hub's Redis keys, for several deployments on one Redis.
  REDIS_KEY_PREFIX: z.string().min(1).default('migstat'),
  /// Webhooks may POST to private, loopback and link-local addresses (off: a registered URL cannot reach the
  /// hub's own network, SSRF).
  WEBHOOK_ALLOW_PRIVATE: boolean.optional(),
  /// First retry delay of a webhook delivery; doubled after each failed attempt, up to WEBHOOK_RETRY_MAX_MS.
  WEBHOOK_RETRY_BASE_MS: integer(1).default(5_000),
  WEBHOOK_RETRY_MAX_MS: integer(1).default(60 * 60_000),
  /// How long a webhook receiver may take to answer before the attempt counts as failed; a delivery is leased to
  /// the process sending it for 5 s longer, which is also how long a process killed mid-request delays it.
  WEBHOOK_TIMEOUT_MS: integer(1).default(10_000),
  /// GraphQL operations executing at once (0: no limit); the others wait, writes ahead of reads. Default 4 on
  /// PGlite (one connection, statements on the main thread), 64 on PostgreSQL.
  MAX_CONCURRENT_OPERATIONS: integer(0).optional(),
  /// Operations allowed to wait for a slot; one more is answered 503 with Retry-After.
  MAX_WAITING_OPERATIONS: integer(0).default(1_000),
  /// `migstat serve` on SIGTERM/SIGINT: how long requests, CLI commands and webhook deliveries may take to finish;
  /// then it logs what still runs and exits 1.
  SHUTDOWN_TIMEOUT_MS: integer(1).default(10_000),
  /// Cache the answers of read queries in each hub process, keyed by the data version (src/http/response-cache.ts):
  /// on by default, off under NODE_ENV=test unless set (query-count tests count every statement) and with replicas.
  RESPONSE_CACHE: boolean.optional(),
  /// The most each process's response cache holds, in MB of JSON; least recently used answers go first.
  RESPONSE_CACHE_MAX_MB: integer(1).default(64),
  /// Test hooks of `migstat migrate`: print a marker before each engine statement; stop (wait) before step N.
  MIGSTAT_MIGRATE_TRACE: boolean.optional(),
  MIGSTAT_MIGRATE_PAUSE_AT: integer(1).optional(),
  /// Diagnostics: `on` prints the process's memory on stderr at each stage of a CLI command (and the highest since
  /// the last line); `maps` adds its largest resident mappings (src/platform/memory.ts).
  MIGSTAT_MEMORY_TRACE: z.enum(['on', 'maps']).optional(),
  /// Test-only fault point (NODE_ENV=test): `before-commit` makes `migstat import submissions` stop inside its
  /// transaction once everything is written, say so on stderr, and wait there to be killed.
  MIGSTAT_TEST_PAUSE: z.enum(['before-commit']).optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  databaseReplicaUrls: string[];
  pgliteDataDir: string;
  databaseConnectTimeoutMs: number;
  databaseStatementTimeoutMs: number;
  logLevel: string;
  graphiql: boolean;
  maxBodyBytes: number;
  corsOrigins: string[];
  /** PUBLIC_URL without a trailing slash; undefined: each request's own origin. */
  publicUrl: string | undefined;
  rateLimit: RateLimitConfig;
  webhooks: { allowPrivate: boolean; retryBaseMs: number; retryMaxMs: number; timeoutMs: number };
  /** Admission control of GraphQL operations (src/http/admission.ts). */
  admission: { concurrency: number; maxWaiting: number };
  responseCache: { enabled: boolean; maxBytes: number };
  /** How long `migstat serve` waits for what runs to finish when stopped. */
  shutdownTimeoutMs: number;
  /** Test hooks for the kill-loop test of migrations (see src/cli/cli.ts). */
  migrateTrace: boolean;
  migratePauseAt: number | undefined;
  /** MIGSTAT_TEST_PAUSE: where a test wants the CLI to stop and wait to be killed. */
  testPause: 'before-commit' | undefined;
  /** MIGSTAT_MEMORY_TRACE: memory lines on stderr (memory.ts traceMemory). */
  memoryTrace: 'on' | 'maps' | undefined;
}

export interface RateLimitConfig {
  /** Requests per window per client address (no token); 0: unlimited. */
  anonymous: number;
  /** Requests per window per token; 0: unlimited. */
  token: number;
  windowSeconds: number;
  trustProxy: number;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
}

/** Limits per window of 60 s: a portal syncing page by page stays well inside them. */
export const RATE_LIMIT_DEFAULTS = { anonymous: 300, token: 1200 };
/** Under NODE_ENV=test: high enough that no test but the limiter's own ever meets them. */
const TEST_RATE_LIMIT = 1_000_000;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value means the variable is unset, so its default applies: `PORT=` in a compose file (`PORT=${PORT}` with
  // PORT unset) or a .env file is how those tools leave a variable out, as dotenv does.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const value = given[String(i.path[0])];
        return `  ${i.path.join('.')}: ${i.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
      })
      .join('\n');
    throw new ConfigError(`Invalid environment:\n${problems}`);
  }
  const e = parsed.data;
  if (e.DATABASE_REPLICA_URLS?.length && !e.DATABASE_URL) {
    throw new ConfigError('Invalid environment:\n  DATABASE_REPLICA_URLS: replicas need their primary in DATABASE_URL');
  }
  // The cache keys answers by the primary's data version; an answer computed on a replica that has not replayed that
  // version yet would be kept under it, stale. Until a miss waits for replay, the two are alternatives.
  if (e.DATABASE_REPLICA_URLS?.length && e.RESPONSE_CACHE === true) {
    throw new ConfigError(
      'Invalid environment:\n  RESPONSE_CACHE: not with DATABASE_REPLICA_URLS (an answer read on a lagging replica would be cached as current)',
    );
  }
  if (e.MIGSTAT_TEST_PAUSE && e.NODE_ENV !== 'test') {
    throw new ConfigError(
      'Invalid environment:\n  MIGSTAT_TEST_PAUSE: a test fault point, allowed only with NODE_ENV=test',
    );
  }
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databaseReplicaUrls: e.DATABASE_REPLICA_URLS ?? [],
    pgliteDataDir: e.PGLITE_DATA_DIR,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL ?? e.NODE_ENV === 'development',
    maxBodyBytes: e.MAX_BODY_BYTES,
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    rateLimit: {
      anonymous: e.RATE_LIMIT_ANONYMOUS ?? (e.NODE_ENV === 'test' ? TEST_RATE_LIMIT : RATE_LIMIT_DEFAULTS.anonymous),
      token: e.RATE_LIMIT_TOKEN ?? (e.NODE_ENV === 'test' ? TEST_RATE_LIMIT : RATE_LIMIT_DEFAULTS.token),
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      trustProxy: e.TRUST_PROXY,
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
    },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? false,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: e.WEBHOOK_RETRY_MAX_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    },
    admission: {
      concurrency: e.MAX_CONCURRENT_OPERATIONS ?? (e.DATABASE_URL ? 64 : 4),
      maxWaiting: e.MAX_WAITING_OPERATIONS,
    },
    responseCache: {
      enabled: e.RESPONSE_CACHE ?? (e.NODE_ENV !== 'test' && !e.DATABASE_REPLICA_URLS?.length),
      maxBytes: e.RESPONSE_CACHE_MAX_MB * 1024 * 1024,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    migrateTrace: e.MIGSTAT_MIGRATE_TRACE ?? false,
    migratePauseAt: e.MIGSTAT_MIGRATE_PAUSE_AT,
    testPause: e.MIGSTAT_TEST_PAUSE,
    memoryTrace: e.MIGSTAT_MEMORY_TRACE,
  };
}
