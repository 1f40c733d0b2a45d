// The response cache under concurrency (src/http/response-cache.ts, src/http/admission.ts): a hit is answered without
// entering the admission queue, even a full one, and concurrent identical misses run the operation once, per
// visibility class, the others getting the same answer. Concurrency is made deterministic by a table lock held in a
// transaction of the test's own: reads of that table cannot finish until it is released (on PGlite, whose one
// connection the transaction holds, no statement can).
import { RESPONSE_CACHE_HEADER } from '../../src/http/response-cache.js';
import { startHub, type Hub } from '../support/hub.js';
import { startQueryLog } from '../support/query-log.js';

interface Answer {
  status: number;
  cache: string | null;
  body: { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
}

async function ask(hub: Hub, query: string, token?: string, variables: unknown = {}): Promise<Answer> {
  const res = await hub.api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, cache: res.headers.get(RESPONSE_CACHE_HEADER), body: (await res.json()) as never };
}

/** Locks `table` in a transaction of its own; resolves, once it is locked, with the function that commits it. */
async function lock(hub: Hub, table: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const tx = hub.db.prisma.$transaction(
    async (t) => {
      await t.$executeRawUnsafe(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      locked();
      await released;
    },
    { maxWait: 120_000, timeout: 120_000 },
  );
  await Promise.race([isLocked, tx]);
  return async () => {
    release();
    await tx;
  };
}

/** Lets every request sent so far run up to where it waits (for the lock, a slot, or another request's answer). */
async function settle(hub: Hub): Promise<void> {
  // Requests are handled in the order they were sent; a cheap one sent last has passed every step before it.
  for (let i = 0; i < 3; i++) expect((await hub.api.fetch('http://hub.test/health')).status).toBe(200);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('one slot, none waiting', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({
      env: { RESPONSE_CACHE: 'true', MAX_CONCURRENT_OPERATIONS: '1', MAX_WAITING_OPERATIONS: '0' },
    });
  });
  afterAll(() => hub?.close());

  test('a cache hit is answered while the admission queue is full', async () => {
    const CACHED = '{ sourceTypes { code name } }';
    const first = await ask(hub, CACHED);
    expect(first.cache).toBe('miss');
    const release = await lock(hub, 'Country');
    const pending: Promise<Answer>[] = [];
    try {
      // Two reads of the locked table: one holds the slot until the lock is released, the other is refused.
      pending.push(...[1, 2].map((n) => ask(hub, `{ countries(first: ${n}) { totalCount } }`)));
      const refused = await Promise.race(pending);
      expect(refused.status).toBe(503);
      expect(refused.body.errors![0]!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
      // The queue is full, and the hit is answered all the same.
      const hit = await ask(hub, CACHED);
      expect({ status: hit.status, cache: hit.cache }).toEqual({ status: 200, cache: 'hit' });
      expect(hit.body).toEqual(first.body);
    } finally {
      await release();
    }
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 503]);
  });
});

describe('concurrent misses', () => {
  let hub: Hub;
  let admin: string;
  let focalChe: string;
  beforeAll(async () => {
    hub = await startHub({ env: { RESPONSE_CACHE: 'true', MAX_CONCURRENT_OPERATIONS: '4' } });
    admin = await hub.token('ADMIN');
    focalChe = await hub.token('FOCAL_POINT', 'CHE');
  });
  afterAll(() => hub?.close());

  const importCsv = async (rows: string[], token: string) => {
    const csv = ['country,indicator,reference_year,value,status', ...rows].join('\n');
    const { body } = await ask(
      hub,
      `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok problems { message } } }`,
      token,
      { csv },
    );
    expect(body).toEqual({ data: { importSubmissions: { ok: true, problems: [] } } });
  };
  /** Statements other than data-version reads (shared between requests, absent on PGlite) and the lock's COMMIT. */
  const dataStatements = (statements: string[]) =>
    statements.filter((s) => !/FROM "DataVersion"|^\s*(BEGIN|COMMIT)\b/.test(s));

  test('twelve identical anonymous misses run the operation once; all get the same answer', async () => {
    const query = (first: number) => `{ countries(first: ${first}, region: "150") { totalCount nodes { iso3 name } } }`;
    const log = await startQueryLog(hub.db.adapterFactory);
    try {
      // What one computation costs (the same query with another page size).
      const once = dataStatements(await statementsOf(log, () => ask(hub, query(8)))).length;
      expect(once).toBeGreaterThan(0);
      const release = await lock(hub, 'Country');
      log.reset();
      let answers: Answer[];
      try {
        const sent = Array.from({ length: 12 }, () => ask(hub, query(7)));
        await settle(hub);
        await release();
        answers = await Promise.all(sent);
      } finally {
        await release();
      }
      expect(dataStatements(log.statements)).toHaveLength(once);
      expect(answers.map((a) => a.cache).sort()).toEqual([...Array(11).fill('hit'), 'miss']);
      expect(answers[0]!.body.errors).toBeUndefined();
      for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    } finally {
      log.stop();
    }
  });

  test('each visibility class computes its own answer once; an answer with errors is not shared', async () => {
    await importCsv(['CHE,IMM_STOCK,2060,1,PUBLISHED'], admin);
    await importCsv(['CHE,IMM_STOCK,2061,987654323,DRAFT'], focalChe);
    const CHE_YEARS = `{ submissions(filter: { country: "CHE", indicator: "IMM_STOCK", fromYear: 2060, toYear: 2069 }) {
      nodes { referenceYear status total { value } } } }`;
    const BAD = `{ aggregate(indicator: "NO_SUCH_INDICATOR", year: 2060) { value } }`;
    const release = await lock(hub, 'Submission');
    let anonymous: Answer[], focal: Answer[], bad: Answer[];
    try {
      const sending = {
        anonymous: Array.from({ length: 4 }, () => ask(hub, CHE_YEARS)),
        focal: Array.from({ length: 4 }, () => ask(hub, CHE_YEARS, focalChe)),
        bad: Array.from({ length: 3 }, () => ask(hub, BAD)),
      };
      await settle(hub);
      await release();
      [anonymous, focal, bad] = await Promise.all([
        Promise.all(sending.anonymous),
        Promise.all(sending.focal),
        Promise.all(sending.bad),
      ]);
    } finally {
      await release();
    }
    for (const answer of anonymous) {
      expect(answer.body).toEqual({
        data: { submissions: { nodes: [{ referenceYear: 2060, status: 'PUBLISHED', total: { value: 1 } }] } },
      });
    }
    for (const answer of focal) expect(JSON.stringify(answer.body)).toContain('987654323');
    expect(anonymous.map((a) => a.cache).sort()).toEqual(['hit', 'hit', 'hit', 'miss']);
    expect(focal.map((a) => a.cache).sort()).toEqual(['hit', 'hit', 'hit', 'miss']);
    for (const answer of bad) {
      expect(answer.body.errors).toBeDefined();
      expect(answer.cache).toBeNull();
    }
  });
});

async function statementsOf(log: Awaited<ReturnType<typeof startQueryLog>>, fn: () => Promise<unknown>) {
  log.reset();
  await fn();
  return [...log.statements];
}
