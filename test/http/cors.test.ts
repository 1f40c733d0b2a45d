// Cross-origin access (README "Configuration": CORS_ORIGINS) and the headers of every API answer, through the
// hub's HTTP handler. An origin not listed, "null" (a sandboxed iframe, a data: URL) included, gets no CORS header;
// the portal routes keep their own Vary beside Origin.
import { startHub, type Hub } from '../support/hub.js';

const PORTAL = 'https://portal.example';
let hub: Hub;
let single: Hub;
beforeAll(async () => {
  [hub, single] = await Promise.all([
    startHub({ env: { CORS_ORIGINS: `${PORTAL},https://other.example` } }),
    startHub({ env: { CORS_ORIGINS: PORTAL } }),
  ]);
});
afterAll(async () => {
  await Promise.all([hub?.close(), single?.close()]);
});

const query = (on: Hub, headers: Record<string, string>) =>
  on.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ indicators(first: 1) { totalCount } }' }),
  });
const varies = (res: Response) => (res.headers.get('vary') ?? '').split(/\s*,\s*/).map((v) => v.toLowerCase());

test('a listed origin is echoed, with the headers a portal reads; every answer varies by Origin', async () => {
  const res = await query(hub, { origin: PORTAL });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
  expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
  // The time an updatedAfter answer is complete through, which a browser portal sends back (README, SDMX).
  expect(res.headers.get('access-control-expose-headers')).toContain('migstat-complete-through');
  expect(varies(res)).toContain('origin');
  expect(varies(await query(hub, {}))).toContain('origin');
});

test.each([['https://evil.example'], ['null']])(
  'origin %s: no CORS header at all, whatever the list',
  async (origin) => {
    for (const on of [hub, single]) {
      const res = await query(on, { origin });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(varies(res)).toContain('origin');
      const preflight = await on.api.fetch('http://hub.test/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
  },
);

test('a preflight from a listed origin allows GET and POST with the headers asked for', async () => {
  const res = await hub.api.fetch('http://hub.test/graphql', {
    method: 'OPTIONS',
    headers: {
      origin: PORTAL,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
  expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
  expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
  expect(varies(res)).toEqual(expect.arrayContaining(['origin', 'access-control-request-headers']));
});

test('the portal routes keep their Vary (token, format, encoding) beside Origin', async () => {
  const res = await hub.api.fetch('http://hub.test/download/catalogue.json', {
    headers: { origin: PORTAL, 'accept-encoding': 'gzip' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
  expect(varies(res)).toEqual(expect.arrayContaining(['authorization', 'accept', 'accept-encoding', 'origin']));
});

test('every answer is nosniff; a GraphQL answer to a token is private and not stored', async () => {
  const token = await hub.token('READER');
  const withToken = await query(hub, { authorization: `Bearer ${token}` });
  expect(withToken.headers.get('x-content-type-options')).toBe('nosniff');
  expect(withToken.headers.get('cache-control')).toBe('private, no-store');
  const anonymous = await query(hub, {});
  expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
  expect(anonymous.headers.get('cache-control')).toBeNull();
  const unknownCode = await hub.api.fetch('http://hub.test/download/observations.csv?country=%3Csvg%3E');
  expect(unknownCode.status).toBe(404);
  expect(unknownCode.headers.get('x-content-type-options')).toBe('nosniff');
});

test('GraphiQL: never in a frame when on; when off, a browser gets a page saying so, not an empty 406', async () => {
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
  // GRAPHIQL is off outside development, so on these hubs.
  const off = await hub.api.fetch('http://hub.test/graphql', { headers: html });
  expect(off.status).toBe(404);
  expect(off.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await off.text()).toContain('GraphiQL is off on this hub');
  expect(off.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  // A GraphQL request by GET is still one.
  const get = await hub.api.fetch('http://hub.test/graphql?query=%7B__typename%7D', {
    headers: { accept: 'application/json', 'x-graphql-csrf': '1' },
  });
  await expect(get.json()).resolves.toEqual({ data: { __typename: 'Query' } });

  const on = await startHub({ env: { GRAPHIQL: 'true' } });
  try {
    const page = await on.api.fetch('http://hub.test/graphql', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  } finally {
    await on.close();
  }
});
