// A spent rate limit on /sdmx/v2 (src/http/rate-limit.ts) is an SDMX-JSON error message of the type the path
// answers: a structure message on structure and availability paths, a data message on data paths, with Retry-After
// and the RateLimit headers kept.
import { startHub, type Hub } from '../support/hub.js';
import { expectValid } from './support.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub({ env: { RATE_LIMIT_ANONYMOUS: '1', RATE_LIMIT_WINDOW_SECONDS: '60' } });
});
afterAll(() => hub?.close());

const get = (path: string) => hub.api.fetch(`http://hub.test${path}`);

test('429 on a structure or availability path is a structure message, on a data path a data message', async () => {
  expect((await get('/sdmx/v2/structure/codelist/MIGSTAT/CL_FREQ/1.0')).status).toBe(200);
  for (const [path, kind] of [
    ['/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0', 'structure'],
    ['/sdmx/v2/availability/dataflow/MIGSTAT/DF_MIGRATION/1.0/*', 'structure'],
    ['/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/*', 'data'],
  ] as const) {
    const res = await get(path);
    expect([path, res.status]).toEqual([path, 429]);
    expect([path, res.headers.get('content-type')]).toEqual([path, `application/vnd.sdmx.${kind}+json;version=2.0.0`]);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('ratelimit-limit')).toBe('1');
    const body = await res.json();
    expectValid(kind, body);
    expect(body.meta.schema).toMatch(new RegExp(`/sdmx-json-${kind}-schema\\.json$`));
    expect(body.errors[0]).toMatchObject({ code: 1429, title: 'Too Many Requests' });
  }
});
