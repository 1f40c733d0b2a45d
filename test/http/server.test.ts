// The real HTTP server on a loopback port: conformance audits, health, limits, CSRF, masking, GraphiQL.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import { serverAudits } from 'graphql-http';
import { pino } from 'pino';
import { loadConfig } from '../../src/platform/config.js';
import { listen } from '../../src/http/server.js';
import { CSRF_HEADERS, LIMITS } from '../../src/http/yoga.js';
import { DATABASE_UNAVAILABLE } from '../../src/platform/errors.js';
import { createTestDatabase, dbKind, type TestDatabase } from '../support/db.js';

const MAX_BODY = 20_000;
let db: TestDatabase;
let server: Server;
let base: string;

async function start(env: Record<string, string>): Promise<{ server: Server; base: string }> {
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const s = await listen({ config, db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return { server: s, base: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  ({ server, base } = await start({ MAX_BODY_BYTES: String(MAX_BODY), GRAPHIQL: 'true' }));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });

describe('GraphQL over HTTP conformance (graphql-http audits)', () => {
  // Non-browser clients send a CSRF header on GET (see CSRF test below); the audits run as such a client.
  const fetchFn = (input: RequestInfo, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-graphql-csrf': '1' } });
  const audits = serverAudits({ url: () => `${base}/graphql`, fetchFn });
  const required = audits.filter((a) => a.name.startsWith('MUST') || a.name.startsWith('SHOULD'));

  test('the audit list has MUST and SHOULD entries', () => {
    expect(required.length).toBeGreaterThan(20);
  });
  test.each(required.map((a) => [a.name, a] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect({ name: audit.name, status: result.status, reason: result.status === 'ok' ? '' : result.reason }).toEqual({
      name: audit.name,
      status: 'ok',
      reason: '',
    });
  });
});

test('/health answers without touching the database; /ready checks it', async () => {
  expect((await fetch(`${base}/health`)).status).toBe(200);
  const ready = await fetch(`${base}/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', database: db.kind });
});

test('a two-hop Relay connection query passes the limits', async () => {
  const res = await post({
    query: `{ countries(first: 3, region: "150") { totalCount edges { cursor node { m49 regions { code countries(first: 2) { totalCount edges { node { iso3 } } } } } } } }`,
  });
  const body = await res.json();
  expect(body.errors).toBeUndefined();
  expect(body.data.countries.edges).toHaveLength(3);
  expect(body.data.countries.edges[0].node.regions[0].countries.totalCount).toBe(248);
});

test('a 30-deep query fails with a clear error naming the limit', async () => {
  const deep = 'parent { '.repeat(29) + 'code' + ' }'.repeat(29);
  const res = await post({ query: `{ region(code: "150") { ${deep} } }` });
  const body = await res.json();
  expect(body.data ?? null).toBeNull();
  const messages = body.errors.map((e: { message: string }) => e.message).join('\n');
  expect(messages).toMatch(new RegExp(`the depth limit is ${LIMITS.maxDepth}\\.`));
});

test('too many aliases are refused', async () => {
  const aliases = Array.from({ length: LIMITS.maxAliases + 5 }, (_, i) => `a${i}: country(code: "CHE") { m49 }`).join(
    ' ',
  );
  const body = await (await post({ query: `{ ${aliases} }` })).json();
  expect(body.errors[0].message).toMatch(/aliases/i);
});

test('page sizes above 100 are an error naming the argument', async () => {
  const body = await (await post({ query: '{ countries(first: 500) { totalCount } }' })).json();
  expect(body.errors[0].message).toMatch(/"first" on countries must be between 0 and 100/);
  expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
});

test('CSRF: a simple GET without a preflight-forcing header is refused', async () => {
  const url = `${base}/graphql?query=${encodeURIComponent('{ __typename }')}`;
  expect((await fetch(url)).status).toBe(403);
  for (const header of CSRF_HEADERS) {
    const res = await fetch(url, { headers: { [header]: header === 'authorization' ? 'Bearer x' : '1' } });
    // A bad bearer token is refused too, but by authentication (401), not by the CSRF guard.
    expect(res.status).toBe(header === 'authorization' ? 401 : 200);
  }
});

test('bodies over the cap are refused with 413, and bodies of unknown length with 411 (on SDMX paths, 405)', async () => {
  const big = await post({ query: '{ __typename }', variables: { pad: 'x'.repeat(MAX_BODY) } });
  expect(big.status).toBe(413);
  const chunked = (path: string) =>
    new Promise<{ status: number; allow?: string; type?: string }>((resolve, reject) => {
      const req = httpRequest(
        `${base}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, type: res.headers['content-type'] });
        },
      );
      req.on('error', reject);
      req.write('{"query":"{ __typename }"}'); // chunked: no Content-Length
      req.end();
    });
  expect((await chunked('/graphql')).status).toBe(411);
  // SDMX paths take no POST at all: the SDMX 405 a POST with a length gets, of the path's message type.
  expect(await chunked('/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/*')).toEqual({
    status: 405,
    allow: 'GET, HEAD',
    type: 'application/vnd.sdmx.data+json;version=2.0.0',
  });
  expect((await chunked('/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0')).type).toBe(
    'application/vnd.sdmx.structure+json;version=2.0.0',
  );
});

test('a bad bearer token is UNAUTHENTICATED, not silently anonymous', async () => {
  const res = await post({ query: '{ viewer { name } }' }, { authorization: 'Bearer msh_not-a-token' });
  expect(res.status).toBe(401);
  expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

test('GraphiQL is served only when configured', async () => {
  const html = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
  expect(html.status).toBe(200);
  expect(await html.text()).toMatch(/graphiql/i);
  const prod = await start({ NODE_ENV: 'production' });
  try {
    const res = await fetch(`${prod.base}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(page).toContain('GraphiQL is off on this hub');
    expect(page).not.toMatch(/<script/i);
  } finally {
    await new Promise((resolve) => prod.server.close(resolve));
  }
});

test('unexpected errors are masked and the database outage shows on /ready', async () => {
  const broken = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' });
  const s = await listen({ config, db: broken, logger: pino({ level: 'silent' }) });
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  try {
    await broken.close();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ countries { totalCount } }' }),
    });
    const body = await res.json();
    // PGlite: a closed database, an unexpected error. PostgreSQL: closing drops the test database, and a database
    // that does not exist (3D000) is the database being unavailable, as in an outage; masked either way.
    expect([body.errors[0].message, body.errors[0].extensions.code]).toEqual(
      dbKind === 'postgres'
        ? [DATABASE_UNAVAILABLE, 'SERVICE_UNAVAILABLE']
        : ['Unexpected error.', 'INTERNAL_SERVER_ERROR'],
    );
    expect(JSON.stringify(body)).not.toMatch(/prisma|pglite|postgres|ECONN|closed/i);
    expect((await fetch(`${url}/ready`)).status).toBe(503);
  } finally {
    await new Promise((resolve) => s.close(resolve));
  }
});
