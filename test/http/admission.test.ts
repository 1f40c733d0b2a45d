// Admission control (src/http/admission.ts): at most MAX_CONCURRENT_OPERATIONS GraphQL operations execute at once,
// waiting writes go ahead of waiting reads, and beyond MAX_WAITING_OPERATIONS the hub answers 503 with Retry-After
// instead of queueing without end. /ready is answered before admission, so a full queue never delays the probe.
import { startHub, type Hub } from '../support/hub.js';

const READ = '{ countries(first: 100) { totalCount nodes { iso3 name } } }';
const WRITE = `mutation { importSubmissions(input: { csv: "country,indicator,reference_year,value\\nFRA,IMM_STOCK,2019,5\\n" }) { ok } }`;

const post = async (hub: Hub, query: string, token?: string): Promise<Response> =>
  hub.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });

describe('one operation at a time, none waiting', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({ env: { MAX_CONCURRENT_OPERATIONS: '1', MAX_WAITING_OPERATIONS: '0' } });
  });
  afterAll(() => hub?.close());

  test('operations beyond the slot are refused with 503 and Retry-After; /ready is not', async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => post(hub, READ)),
      hub.api.fetch('http://hub.test/ready'),
    ]);
    const ready = answers.pop()!;
    expect(ready.status).toBe(200);
    const bodies = await Promise.all(answers.map(async (res) => ({ res, body: await res.json() })));
    const refused = bodies.filter(({ res }) => res.status === 503);
    const served = bodies.filter(({ res }) => res.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(served.length + refused.length).toBe(8);
    for (const { res, body } of refused) {
      expect(res.headers.get('retry-after')).toBe('1');
      expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(body.data).toBeUndefined();
    }
    for (const { body } of served) expect(body.data.countries.totalCount).toBeGreaterThan(200);
    // Once the slot is free the next operation is served.
    expect((await post(hub, READ)).status).toBe(200);
  });
});

describe('one operation at a time, the rest waiting', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({ env: { MAX_CONCURRENT_OPERATIONS: '1' } });
  });
  afterAll(() => hub?.close());

  test('every waiting operation is served, and a write sent after thirty reads overtakes those still waiting', async () => {
    const admin = await hub.token('ADMIN');
    const finished: string[] = [];
    const track = (name: string, res: Promise<Response>) =>
      res.then(async (r) => {
        const body = await r.json();
        finished.push(name);
        return { status: r.status, body };
      });
    const reads = Array.from({ length: 30 }, (_, i) => track(`read${i}`, post(hub, READ)));
    const write = track('write', post(hub, WRITE, admin));
    const results = await Promise.all([...reads, write]);
    for (const { status, body } of results) {
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    expect((await write).body.data.importSubmissions.ok).toBe(true);
    // In arrival order it would finish last; admitted ahead of the reads still waiting, it finishes well before.
    expect(finished.indexOf('write')).toBeLessThan(20);
  });
});
