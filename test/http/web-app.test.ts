// The web app's files as the hub serves them (src/http/static.ts), through the real Yoga handler.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createYoga } from 'graphql-yoga';
import { ensureWebBuilt } from '../support/browser.js';
import { startHub, type Hub } from '../support/hub.js';
import { APP_PAGE, webApp, WEB_DIST } from '../../src/http/static.js';

let hub: Hub;
beforeAll(async () => {
  ensureWebBuilt();
  hub = await startHub({ seed: false });
}, 120_000);
afterAll(() => hub?.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  hub.api.fetch(`http://hub.test${path}`, { headers });

test.each([
  '/',
  '/coverage',
  '/coverage?from=2000&to=2020&region=150',
  '/countries/CHE',
  '/indicators/IMM_STOCK',
  '/gaps',
  '/sign-in',
  '/data?indicator=IMM_STOCK&country=756',
])('%s is the app page, with a same-origin Content-Security-Policy', async (path) => {
  const res = await get(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  expect(await res.text()).toBe(readFileSync(join(WEB_DIST, 'index.html'), 'utf8'));
});

test('every script and stylesheet the page names is served from /assets/, cacheable for a year, gzipped on request', async () => {
  const html = await (await get('/')).text();
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((r) => !r.startsWith('data:'));
  expect(refs.length).toBeGreaterThanOrEqual(2);
  for (const ref of refs) {
    expect(ref).toMatch(/^\/assets\//); // nothing from another host
    const plain = await get(ref);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = Buffer.from(await plain.arrayBuffer());
    expect(body.equals(readFileSync(join(WEB_DIST, ref)))).toBe(true);
    const gz = await get(ref, { 'accept-encoding': 'gzip' });
    if (gz.headers.get('content-encoding') === 'gzip') {
      expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(body)).toBe(true);
    }
    const again = await get(ref, { 'if-none-match': plain.headers.get('etag')! });
    expect(again.status).toBe(304);
  }
});

test('scripts and stylesheets go as Brotli to a browser that accepts it (the build writes it), else gzip', async () => {
  const html = await (await get('/')).text();
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  expect(refs.length).toBeGreaterThanOrEqual(2);
  for (const ref of refs) {
    const body = readFileSync(join(WEB_DIST, ref));
    const br = await get(ref, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect([ref, br.headers.get('content-encoding')]).toEqual([ref, 'br']);
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const compressed = Buffer.from(await br.arrayBuffer());
    expect(Number(br.headers.get('content-length'))).toBe(compressed.length);
    expect(brotliDecompressSync(compressed).equals(body)).toBe(true);
    // Refused by q=0: gzip instead.
    const gz = await get(ref, { 'accept-encoding': 'br;q=0, gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(body)).toBe(true);
  }
  // The .br files are the hub's to send, not assets of their own.
  expect((await get(`${refs[0]!}.br`)).status).toBe(404);
});

test('unknown assets are 404, paths outside the app fall through to the API', async () => {
  expect((await get('/assets/nope.js')).status).toBe(404);
  expect((await get('/assets/../package.json')).status).toBe(404);
  expect((await get('/health')).status).toBe(200);
  expect((await get('/no-such-page')).status).toBe(404);
  expect(APP_PAGE.test('/graphql')).toBe(false);
  const res = await hub.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
});

test('a browser asking for an unknown page gets the app page with status 404; missing files and hub paths do not', async () => {
  const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
  const index = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  for (const path of ['/foo/bar', '/country/CHE', '/countries/CHE/x', '/implementation/CHE/x']) {
    const res = await get(path, html);
    expect([path, res.status]).toEqual([path, 404]);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toBe(index);
  }
  // Real missing files stay a plain 404, and the hub's own paths are not the app's.
  for (const path of ['/assets/nope.js', '/download/nope.csv', '/sdmx/nope', '/health/x', '/ready/x']) {
    const res = await get(path, html);
    expect([path, res.status]).toEqual([path, 404]);
    expect(await res.text()).not.toBe(index);
  }
  expect((await get('/health', html)).status).toBe(200);
  // Not a browser asking for a page: no HTML.
  const api = await get('/foo/bar', { accept: 'application/json' });
  expect(api.status).toBe(404);
  expect(await api.text()).not.toBe(index);
});

test('before the app is built, its pages answer 503 saying how to build it', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'migstat-web-'));
  try {
    const yoga = createYoga({ plugins: [webApp({ dir: empty })], logging: false });
    const res = await yoga.fetch('http://hub.test/coverage');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:web/);
    expect(readdirSync(empty)).toEqual([]);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
