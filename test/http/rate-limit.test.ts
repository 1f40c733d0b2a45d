// CONTRACT §10 limits: /graphql, /sdmx/v2 and /download count each request against its token or, without one, the
// client's address; every answer there carries RateLimit-Limit/Remaining/Reset (and RateLimit-Policy), and a spent
// budget is 429 with Retry-After. With REDIS_URL two hub processes share one budget. Limits here are small on purpose;
// every other test runs under the NODE_ENV=test defaults, which no test reaches.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createToken, type Role } from '../../src/access/tokens.js';
import { createApi } from '../../src/http/yoga.js';
import { loadConfig } from '../../src/platform/config.js';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { createTestDatabase, dbKind, type TestDatabase } from '../support/db.js';
import type { Hub } from '../support/hub.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';
import { expectValid } from '../portals/support.js';

jest.setTimeout(120_000);

const REDIS_URL = 'redis://127.0.0.1:6379';
const QUERY = JSON.stringify({ query: '{ indicators(first: 1) { totalCount } }' });

// One seeded database under every in-process hub of the file (a copy each took a PGlite of its own): the hubs differ
// in their limits, and a limiter counts in its API's memory or in Redis, never in the database.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db?.close());

type LimitedHub = Pick<Hub, 'api' | 'token' | 'close'>;

/** A hub as startHub makes it (NODE_ENV=test and `env`), over the file's database; close() leaves that open. */
function hubWith(env: Record<string, string>): LimitedHub {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const api = createApi({ config, db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return {
    api,
    token: async (role: Role, country?: string) => (await createToken(db.prisma, { role, country })).token,
    close: async () => {
      await api.dispose();
    },
  };
}

const post = (hub: LimitedHub, headers: Record<string, string> = {}) =>
  hub.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: QUERY,
  });
const get = (hub: LimitedHub, path: string, headers: Record<string, string> = {}) =>
  hub.api.fetch(`http://hub.test${path}`, { headers });

const limitHeaders = (res: Response) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
  policy: res.headers.get('ratelimit-policy'),
});
const resetOf = (res: Response) => Number(res.headers.get('ratelimit-reset'));

describe('one hub process', () => {
  let hub: LimitedHub;
  beforeAll(() => {
    hub = hubWith({ RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_TOKEN: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(() => hub?.close());

  test('anonymous callers share one budget over /graphql, /sdmx/v2 and /download; then 429 with Retry-After', async () => {
    const first = await post(hub);
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toEqual({ limit: '3', remaining: '2', policy: '3;w=60' });
    expect(resetOf(first)).toBeGreaterThanOrEqual(1);
    expect(resetOf(first)).toBeLessThanOrEqual(60);

    const sdmx = await get(hub, '/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0');
    expect(sdmx.status).toBe(200);
    expect(limitHeaders(sdmx)).toMatchObject({ limit: '3', remaining: '1' });
    const download = await get(hub, '/download/observations.csv');
    expect(download.status).toBe(200);
    expect(limitHeaders(download)).toMatchObject({ limit: '3', remaining: '0' });
    await download.text();

    for (const res of [await post(hub), await get(hub, '/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0')]) {
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limitHeaders(res)).toEqual({ limit: '3', remaining: '0', policy: '3;w=60' });
    }
    // Each route refuses in its own terms: an SDMX error message on /sdmx/v2, the JSON error on /download.
    const sdmxRefused = await get(hub, '/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/*');
    expect(sdmxRefused.status).toBe(429);
    expect(sdmxRefused.headers.get('content-type')).toBe('application/vnd.sdmx.data+json;version=2.0.0');
    const sdmxBody = await sdmxRefused.json();
    expectValid('data', sdmxBody);
    expect(sdmxBody.errors).toEqual([
      expect.objectContaining({
        code: 1429,
        title: 'Too Many Requests',
        detail: expect.stringMatching(/^Rate limit of 3 requests per 60 s spent; retry after \d+ s$/),
      }),
    ]);
    expect(Number(sdmxRefused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const downloadRefused = await get(hub, '/download/observations.csv');
    expect(downloadRefused.status).toBe(429);
    expect(await downloadRefused.json()).toEqual({
      error: expect.stringMatching(/^Rate limit of 3 requests per 60 s spent; retry after \d+ s$/),
    });
    const refused = await post(hub);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Rate limit of 3 requests per 60 s spent; retry after \d+ s$/),
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    });

    // Probes and the web app are not limited.
    expect((await get(hub, '/health')).status).toBe(200);
    expect((await get(hub, '/ready')).status).toBe(200);
    expect((await get(hub, '/health')).headers.get('ratelimit-limit')).toBeNull();
  });

  test('each token has a budget of its own, apart from the anonymous one', async () => {
    const [a, b] = [await hub.token('READER'), await hub.token('READER')];
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const answers = [await post(hub, auth(a)), await post(hub, auth(a)), await post(hub, auth(a))];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['1', '0', '0']);
    expect(answers[0]!.headers.get('ratelimit-limit')).toBe('2');
    const other = await get(hub, '/download/observations.csv', auth(b));
    expect(other.status).toBe(200);
    expect(limitHeaders(other)).toMatchObject({ limit: '2', remaining: '1' });
    await other.text();
  });

  test('requests whose token is refused count against the address, so guessing tokens gets no budget per guess', async () => {
    const guess = () => ({ authorization: `Bearer msh_${randomUUID()}` });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(hub, guess()));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(await answers[3]!.json()).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^3 refused tokens from this address in 60 s; retry after \d+ s$/),
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    });
    const download = await get(hub, '/download/observations.csv', guess());
    expect(download.status).toBe(429);
    expect(Number(download.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Until the window passes, a good token from the same address waits too: it cannot be told apart before the
    // lookup that the limit is there to spare.
    expect((await post(hub, { authorization: `Bearer ${await hub.token('READER')}` })).status).toBe(429);
  });
});

test('behind TRUST_PROXY proxies the address is read from X-Forwarded-For; otherwise the header is ignored', async () => {
  const proxied = hubWith({ RATE_LIMIT_ANONYMOUS: '1', TRUST_PROXY: '1' });
  const direct = hubWith({ RATE_LIMIT_ANONYMOUS: '1' });
  const from = async (hub: LimitedHub, chain: string) => (await post(hub, { 'x-forwarded-for': chain })).status;
  try {
    expect(await from(proxied, '203.0.113.1')).toBe(200);
    expect(await from(proxied, '203.0.113.1')).toBe(429);
    expect(await from(proxied, '203.0.113.2')).toBe(200);
    // The proxy appends the address it saw; what the client wrote before it is not trusted.
    expect(await from(proxied, '203.0.113.9, 203.0.113.2')).toBe(429);
    expect(await from(direct, '203.0.113.1')).toBe(200);
    expect(await from(direct, '203.0.113.2')).toBe(429);
  } finally {
    await Promise.all([proxied.close(), direct.close()]);
  }
});

test('a spent budget comes back once the window has passed', async () => {
  const hub = hubWith({ RATE_LIMIT_ANONYMOUS: '1', RATE_LIMIT_WINDOW_SECONDS: '1' });
  try {
    expect((await post(hub)).status).toBe(200);
    const refused = await post(hub);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50));
    const again = await post(hub);
    expect(again.status).toBe(200);
    expect(limitHeaders(again)).toMatchObject({ limit: '1', remaining: '0' });
  } finally {
    await hub.close();
  }
});

test('defaults: 300 per address and 1200 per token a minute; tests run under limits none of them reaches', () => {
  expect(loadConfig({ NODE_ENV: 'production' }).rateLimit).toEqual({
    anonymous: 300,
    token: 1200,
    windowSeconds: 60,
    trustProxy: 0,
    redisUrl: undefined,
    redisKeyPrefix: 'migstat',
  });
  expect(loadConfig({ NODE_ENV: 'test' }).rateLimit).toMatchObject({ anonymous: 1_000_000, token: 1_000_000 });
  expect(loadConfig({ NODE_ENV: 'production', RATE_LIMIT_ANONYMOUS: '0' }).rateLimit.anonymous).toBe(0);
  expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: must be a redis:\/\//);
  expect(() => loadConfig({ RATE_LIMIT_TOKEN: '-1' })).toThrow(/RATE_LIMIT_TOKEN/);
});

test('0 turns a limit off: no headers, no refusal', async () => {
  const hub = hubWith({ RATE_LIMIT_ANONYMOUS: '0' });
  try {
    for (let i = 0; i < 3; i++) {
      const res = await post(hub);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
  } finally {
    await hub.close();
  }
});

test('with Redis unreachable each process still counts on its own', async () => {
  // Port 1: nothing listens, so ioredis fails to connect and the in-memory insurance counts.
  const hub = hubWith({ RATE_LIMIT_ANONYMOUS: '2', REDIS_URL: 'redis://127.0.0.1:1' });
  try {
    expect((await Promise.all([post(hub), post(hub), post(hub)])).map((r) => r.status).sort()).toEqual([200, 200, 429]);
  } finally {
    await hub.close();
  }
});

describe('two hub processes with REDIS_URL', () => {
  const targets: CliTarget[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    await Promise.all(targets.map((t) => t.dispose()));
  });

  /** `migstat serve`; resolves with its URL once it serves and its limiter has reached Redis. */
  function serve(env: Record<string, string>): Promise<string> {
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
      env: cliEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    return new Promise((resolve, reject) => {
      let buffer = '';
      let url: string | undefined;
      let shared = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          lines.push(line);
          if (!line.startsWith('{')) continue; // a CLI message; shown if serve exits
          const entry = JSON.parse(line) as { msg: string; url?: string };
          if (entry.msg === 'serving') url = String(entry.url).replace('/graphql', '');
          if (entry.msg === 'rate limits shared through Redis') shared = true;
          if (url && shared) resolve(url);
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${lines.join('\n')}`)));
    });
  }

  test('share one budget: what one spends, the other refuses', async () => {
    // PostgreSQL: one database for both. PGlite: one owner per directory, so one each; the budget is the address's.
    // Seeded: two processes starting at once on an empty database would both seed it.
    const first = await cliTarget({ database: 'seeded' });
    targets.push(first);
    const second = dbKind === 'postgres' ? first : await cliTarget({ database: 'seeded' });
    if (second !== first) targets.push(second);
    // A prefix of this run's own, so that no other run's counters (or leftovers) share the budget.
    const shared = { REDIS_URL, REDIS_KEY_PREFIX: `migstat-test-${randomUUID()}`, RATE_LIMIT_ANONYMOUS: '4' };
    const [a, b] = await Promise.all([serve({ ...first.env, ...shared }), serve({ ...second.env, ...shared })]);
    const ask = (base: string) =>
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY });
    const answers: Response[] = [];
    for (const base of [a, b, a, b, b, a]) answers.push(await ask(base));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['3', '2', '1', '0', '0', '0']);
    expect(answers[4]!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
