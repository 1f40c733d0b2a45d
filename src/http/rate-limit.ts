// Rate limits on the data routes (CONTRACT §10): /graphql, /sdmx/v2 and /download. A request with a bearer token
// counts against that token, any other against the client's address, in fixed windows (rate-limiter-flexible).
// Every answer on those routes carries RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds until the
// window resets) and RateLimit-Policy (IETF draft "RateLimit header fields for HTTP"); a spent budget is 429 with
// Retry-After. With REDIS_URL the counters live in Redis, so every hub process shares them; without it, or while
// Redis is unreachable, each process counts in memory.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';

/** The paths that are limited; static files, /health and /ready are not. */
export function isLimitedPath(path: string): boolean {
  return path === '/graphql' || path === '/sdmx/v2' || path.startsWith('/sdmx/v2/') || path.startsWith('/download/');
}

/** Headers a browser script may read on a cross-origin answer (CORS). */
export const RATE_LIMIT_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
];

type CallerKind = 'token' | 'anonymous';

interface Counted {
  limit: number;
  res: RateLimiterRes;
}

export function rateLimits(config: Config, logger: Logger): Plugin {
  const { anonymous, token, windowSeconds, redisUrl, redisKeyPrefix, trustProxy } = config.rateLimit;
  const redis = redisUrl ? connectRedis(redisUrl, logger) : undefined;
  const limiter = (points: number, kind: CallerKind): RateLimiterAbstract | undefined => {
    if (points === 0) return undefined;
    const options = { points, duration: windowSeconds, keyPrefix: `${redisKeyPrefix}:rate:${kind}` };
    if (!redis) return new RateLimiterMemory(options);
    // While Redis is down each process counts on its own instead of refusing or failing every request.
    return new RateLimiterRedis({
      ...options,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
  const limiters: Record<CallerKind, { limiter: RateLimiterAbstract; limit: number } | undefined> = {
    token: wrap(limiter(token, 'token'), token),
    anonymous: wrap(limiter(anonymous, 'anonymous'), anonymous),
  };
  const counted = new WeakMap<Request, Counted>();

  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (request.method === 'OPTIONS' || !isLimitedPath(url.pathname)) return;
      const caller = callerOf(request, (serverContext as { req?: IncomingMessage }).req, trustProxy);
      const entry = limiters[caller.kind];
      if (!entry) return;
      let res: RateLimiterRes;
      let spent = false;
      try {
        res = await entry.limiter.consume(caller.key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) {
          // Neither Redis nor the in-memory insurance answered: serve rather than fail every request.
          logger.error({ err }, 'rate limiter failed');
          return;
        }
        res = err;
        spent = true;
      }
      counted.set(request, { limit: entry.limit, res });
      if (!spent) return;
      const retryAfter = String(seconds(res.msBeforeNext));
      const message = `Rate limit of ${entry.limit} requests per ${windowSeconds} s spent; retry after ${retryAfter} s`;
      const body =
        url.pathname === '/graphql'
          ? { errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] }
          : { error: message };
      endResponse(fetchAPI.Response.json(body, { status: 429, headers: { 'retry-after': retryAfter } }));
    },
    onResponse({ request, response }) {
      const entry = counted.get(request);
      if (!entry) return;
      const { limit, res } = entry;
      response.headers.set('RateLimit-Limit', String(limit));
      response.headers.set('RateLimit-Remaining', String(Math.max(0, res.remainingPoints)));
      response.headers.set('RateLimit-Reset', String(seconds(res.msBeforeNext)));
      response.headers.set('RateLimit-Policy', `${limit};w=${windowSeconds}`);
    },
    async onDispose() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}

const wrap = (limiter: RateLimiterAbstract | undefined, limit: number) => (limiter ? { limiter, limit } : undefined);

/** Whole seconds, rounded up, at least 1: a client told 0 would retry at once. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The bucket a request counts against: its bearer token (hashed, so no secret is kept in Redis or memory) or the
 * client's address. Behind `trustProxy` proxies the address is that many entries from the right of
 * X-Forwarded-For; in-process calls without a socket (tests) share one bucket.
 */
export function callerOf(
  request: Request,
  req: IncomingMessage | undefined,
  trustProxy: number,
): { kind: CallerKind; key: string } {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer) return { kind: 'token', key: createHash('sha256').update(bearer).digest('base64url') };
  const socket = req?.socket.remoteAddress ?? 'local';
  if (trustProxy === 0) return { kind: 'anonymous', key: socket };
  const chain = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  chain.push(socket);
  return { kind: 'anonymous', key: chain[Math.max(0, chain.length - 1 - trustProxy)]! };
}

function connectRedis(url: string, logger: Logger): Redis {
  // No offline queue: a command while disconnected fails at once and the in-memory insurance counts instead.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let down = false;
  redis.on('ready', () => {
    down = false;
    logger.info({ redis: redactedUrl(url) }, 'rate limits shared through Redis');
  });
  redis.on('error', (err: Error) => {
    // ioredis reports every reconnection attempt; one warning per outage is enough.
    if (down) return;
    down = true;
    logger.warn({ err: err.message, redis: redactedUrl(url) }, 'Redis unreachable; rate limits counted per process');
  });
  return redis;
}

function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis';
  }
}
