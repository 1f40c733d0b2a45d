// gzip on GraphQL answers: large JSON answers are compressed for clients that accept it and identical once inflated;
// small ones, refused codings and bodies the portal routes encode themselves are left alone.
import { gunzipSync } from 'node:zlib';
import { acceptsGzip } from '../../src/http/compression.js';
import { startHub, type Hub } from '../support/hub.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

const LARGE = '{ countries(first: 100) { nodes { m49 iso3 name ldc lldc sids } } }';

const post = (query: string, acceptEncoding?: string) =>
  hub.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
    },
    body: JSON.stringify({ query }),
  });

test('a large answer is gzipped for a client that accepts it, and inflates to the same JSON', async () => {
  const plain = await post(LARGE);
  expect(plain.headers.get('content-encoding')).toBeNull();
  const text = await plain.text();
  expect(text.length).toBeGreaterThan(5_000);

  const zipped = await post(LARGE, 'br;q=1, gzip;q=0.8, deflate');
  expect(zipped.status).toBe(200);
  expect(zipped.headers.get('content-encoding')).toBe('gzip');
  expect(zipped.headers.get('vary')).toMatch(/Accept-Encoding/i);
  const bytes = Buffer.from(await zipped.arrayBuffer());
  expect(bytes.length).toBeLessThan(text.length / 3);
  expect(JSON.parse(gunzipSync(bytes).toString('utf8'))).toEqual(JSON.parse(text));
});

test('small answers, refused gzip and clients without Accept-Encoding get the plain body', async () => {
  for (const [query, coding] of [
    ['{ __typename }', 'gzip'],
    [LARGE, 'gzip;q=0, identity'],
    [LARGE, 'br'],
    [LARGE, undefined],
  ] as const) {
    const res = await post(query, coding);
    expect({ coding, encoding: res.headers.get('content-encoding') }).toEqual({ coding, encoding: null });
    expect(JSON.parse(await res.text())).toHaveProperty('data');
  }
});

test('a download the portal routes gzip themselves is encoded once', async () => {
  const res = await hub.api.fetch('http://hub.test/download/catalogue.json', {
    headers: { 'accept-encoding': 'gzip' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-encoding')).toBe('gzip');
  const body = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8')) as object;
  expect(body).toHaveProperty('indicators');
});

test('Accept-Encoding is read as RFC 9110 has it', () => {
  expect(acceptsGzip('gzip')).toBe(true);
  expect(acceptsGzip('GZIP, br')).toBe(true);
  expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
  expect(acceptsGzip('*')).toBe(true);
  expect(acceptsGzip('gzip;q=0')).toBe(false);
  expect(acceptsGzip('gzip; q=0.0')).toBe(false);
  expect(acceptsGzip('br, deflate')).toBe(false);
  expect(acceptsGzip(null)).toBe(false);
});

describe('with the response cache on', () => {
  let cached: Hub;
  beforeAll(async () => {
    cached = await startHub({ env: { RESPONSE_CACHE: 'true' } });
  });
  afterAll(() => cached?.close());

  const send = (query: string, acceptEncoding?: string) =>
    cached.api.fetch('http://hub.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
      },
      body: JSON.stringify({ query }),
    });

  test('the gzip kept with an entry inflates to the same JSON as the plain answer, on a miss and on hits', async () => {
    const zipped = await send(LARGE, 'gzip');
    expect(zipped.headers.get('x-response-cache')).toBe('miss');
    const plain = await send(LARGE);
    expect(plain.headers.get('x-response-cache')).toBe('hit');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    const inflated = [gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')];
    for (let i = 0; i < 2; i++) {
      const hit = await send(LARGE, 'gzip');
      expect(hit.headers.get('x-response-cache')).toBe('hit');
      expect(hit.headers.get('content-encoding')).toBe('gzip');
      const bytes = Buffer.from(await hit.arrayBuffer());
      expect(hit.headers.get('content-length')).toBe(String(bytes.length));
      inflated.push(gunzipSync(bytes).toString('utf8'));
    }
    // Byte for byte: the kept JSON text is what is sent, compressed or not.
    expect(inflated).toEqual([text, text, text]);
  });
});
