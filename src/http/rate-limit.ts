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
import { isSdmxPath, sdmxErrorResponse } from '../portals/portals.http.js';
import { SdmxError } from '../portals/sdmx.data.js';
import type { Logger } from '../platform/logger.js';

/** The paths that are limited; static files, /health and /ready are not. */
export function isLimitedPath(path: string): boolean {
  return path === '/graphql' || isSdmxPath(path) || path.startsWith('/download/');
}

/** Headers a browser script may read on a cross-origin answer (CORS). */
export const RATE_LIMIT_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
];

// `refused`: requests from an address whose bearer token was refused (401), so that guessing tokens, each of which
// would otherwise get a fresh budget of its own, is limited per address like anonymous traffic.
type CallerKind = 'token' | 'anonymous' | 'refused';

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
    refused: wrap(limiter(anonymous, 'refused'), anonymous),
  };
  const counted = new WeakMap<Request, Counted>();
  const tokenFrom = new WeakMap<Request, string>();

  /** The 429 answer: on /graphql as a GraphQL error, on /sdmx/v2 as an SDMX error message, else a JSON error. */
  const tooMany = (
    fetchAPI: { Response: typeof Response },
    path: string,
    res: RateLimiterRes,
    message: (retryAfter: string) => string,
  ) => {
    const retryAfter = String(seconds(res.msBeforeNext));
    const error = message(retryAfter);
    if (isSdmxPath(path)) {
      // SDMX reserves error codes from 1000 for the service's own: 1429 mirrors the HTTP status.
      const err = new SdmxError(429, 1429, 'Too Many Requests', error);
      return sdmxErrorResponse(fetchAPI, err, { 'retry-after': retryAfter });
    }
    const body =
      path === '/graphql' ? { errors: [{ message: error, extensions: { code: 'RATE_LIMITED' } }] } : { error };
    return fetchAPI.Response.json(body, { status: 429, headers: { 'retry-after': retryAfter } });
  };

  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (request.method === 'OPTIONS' || !isLimitedPath(url.pathname)) return;
      const req = (serverContext as { req?: IncomingMessage }).req;
      const caller = callerOf(request, req, trustProxy);
      if (caller.kind === 'token' && limiters.refused) {
        const address = addressOf(request, req, trustProxy);
        tokenFrom.set(request, address);
        const refusals = await limiters.refused.limiter.get(address).catch(() => null);
        if (refusals && refusals.consumedPoints >= limiters.refused.limit) {
          const entry = { limit: limiters.refused.limit, res: refusals };
          counted.set(request, entry);
          const message = (after: string) =>
            `${entry.limit} refused tokens from this address in ${windowSeconds} s; retry after ${after} s`;
          return endResponse(tooMany(fetchAPI, url.pathname, refusals, message));
        }
      }
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
      const message = (after: string) =>
        `Rate limit of ${entry.limit} requests per ${windowSeconds} s spent; retry after ${after} s`;
      endResponse(tooMany(fetchAPI, url.pathname, res, message));
    },
    async onResponse({ request, response }) {
      const address = tokenFrom.get(request);
      if (address && response.status === 401) await limiters.refused?.limiter.consume(address).catch(() => undefined);
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
  return { kind: 'anonymous', key: addressOf(request, req, trustProxy) };
}

/** The client's address: the socket's, or behind `trustProxy` proxies that many entries from the right. */
function addressOf(request: Request, req: IncomingMessage | undefined, trustProxy: number): string {
  const socket = req?.socket.remoteAddress ?? 'local';
  if (trustProxy === 0) return socket;
  const chain = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  chain.push(socket);
  return chain[Math.max(0, chain.length - 1 - trustProxy)]!;
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
