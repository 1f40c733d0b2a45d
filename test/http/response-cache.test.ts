// The response cache (src/http/response-cache.ts) and the data version it keys on (src/platform/data-version.ts):
// a repeated read is answered without touching the data (one statement: the version), a committed write is seen by
// the next read on any hub process, and one visibility class never answers another.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createToken } from '../../src/access/tokens.js';
import { RESPONSE_CACHE_HEADER } from '../../src/http/response-cache.js';
import { readDataVersion } from '../../src/platform/data-version.js';
import { serve } from '../portals/serve.js';
import { cliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { startHub, type Hub } from '../support/hub.js';
import { startQueryLog } from '../support/query-log.js';
import { scratchDir } from '../support/scratch.js';

const scratch = scratchDir();
let hub: Hub;
let admin: string;
let focalChe: string;
let reader: string;
beforeAll(async () => {
  hub = await startHub({ env: { RESPONSE_CACHE: 'true' } });
  admin = await hub.token('ADMIN');
  focalChe = await hub.token('FOCAL_POINT', 'CHE');
  reader = await hub.token('READER');
});
afterAll(() => hub?.close());

interface Answer {
  cache: string | null;
  body: { data?: Record<string, unknown>; errors?: unknown[] };
}

async function post(url: string, query: string, variables: unknown = {}, token?: string): Promise<Answer> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  };
  const res = url === 'in-process' ? await hub.api.fetch('http://hub.test/graphql', init) : await fetch(url, init);
  return { cache: res.headers.get(RESPONSE_CACHE_HEADER), body: (await res.json()) as Answer['body'] };
}
const ask = (query: string, token?: string, variables?: unknown) => post('in-process', query, variables, token);

const IMPORT = `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok problems { message } } }`;
async function importCsv(rows: string[], token = admin, url = 'in-process') {
  const csv = ['country,indicator,reference_year,value,status', ...rows].join('\n');
  const { body } = await post(url, IMPORT, { csv }, token);
  expect(body).toEqual({ data: { importSubmissions: { ok: true, problems: [] } } });
}

async function indicatorId(code: string): Promise<string> {
  const { body } = await ask(`{ indicator(code: "${code}") { id } }`);
  return (body.data as { indicator: { id: string } }).indicator.id;
}

const AGGREGATE = `{ aggregate(indicator: "IMM_STOCK", year: 2031, region: "150") { value countriesIncluded } }`;
const CHE_YEARS = `{ submissions(filter: { country: "CHE", indicator: "IMM_STOCK", fromYear: 2040, toYear: 2049 }) {
  nodes { referenceYear status total { value } } } }`;

test('a repeated read is answered from the cache: at most one statement (the data version) instead of the reads', async () => {
  await importCsv(['CHE,IMM_STOCK,2031,100,PUBLISHED', 'FRA,IMM_STOCK,2031,200,PUBLISHED']);
  const log = await startQueryLog(hub.db.adapterFactory);
  try {
    const queries = [
      AGGREGATE,
      `{ countryValues(indicator: "IMM_STOCK", year: 2031, region: "150") { value country { iso3 } } }`,
      `{ indicators(first: 5) { totalCount nodes { code name candidateSourceTypes { suitability } } } }`,
      `{ indicatorCoverage(indicator: "IMM_STOCK", window: { from: 2030, to: 2031 }) { reportingCountries share } }`,
      `{ countries(first: 10, region: "150") { totalCount nodes { iso3 name } } }`,
    ];
    for (const query of queries) {
      log.reset();
      const first = await ask(query);
      const computed = log.statements.length;
      log.reset();
      const again = await ask(query);
      expect(first.body.errors).toBeUndefined();
      expect({ first: first.cache, again: again.cache }).toEqual({ first: 'miss', again: 'hit' });
      expect(again.body).toEqual(first.body);
      // PGlite's one process learns of every commit by its notification: a hit sends no statement there.
      expect(log.statements).toEqual(dbKind === 'postgres' ? [expect.stringMatching(/FROM "DataVersion"/)] : []);
      expect(computed).toBeGreaterThan(dbKind === 'postgres' ? 1 : 0);
    }
    expect((await ask(AGGREGATE)).body).toEqual({
      data: { aggregate: { value: 300, countriesIncluded: 2 } },
    });
  } finally {
    log.stop();
  }
});

test('a write between two reads is seen by the second; mutations and errors are never cached', async () => {
  const before = await ask(AGGREGATE);
  expect((await ask(AGGREGATE)).cache).toBe('hit');
  await importCsv(['DEU,IMM_STOCK,2031,50,PUBLISHED']);
  const after = await ask(AGGREGATE);
  expect(after.cache).toBe('miss');
  expect(after.body.data!.aggregate).toEqual({
    value: (before.body.data!.aggregate as { value: number }).value + 50,
    countriesIncluded: 3,
  });
  // A mutation is executed each time; an answer with errors is not kept.
  expect((await post('in-process', IMPORT, { csv: 'country' }, admin)).cache).toBeNull();
  const bad = `{ aggregate(indicator: "NO_SUCH", year: 2031) { value } }`;
  expect((await ask(bad)).body.errors).toBeDefined();
  expect((await ask(bad)).cache).toBeNull();
  // So is a read that depends on the caller's token or the clock.
  expect((await ask(`{ viewer { name } }`, reader)).cache).toBeNull();
});

test('unpublished data never enters another class: a focal point read does not answer anonymous or READER', async () => {
  await importCsv(['CHE,IMM_STOCK,2040,1,PUBLISHED']);
  await importCsv(['CHE,IMM_STOCK,2041,987654321,DRAFT'], focalChe);
  const focal = await ask(CHE_YEARS, focalChe);
  expect(JSON.stringify(focal.body)).toContain('987654321');
  expect((await ask(CHE_YEARS, focalChe)).cache).toBe('hit');
  for (const token of [undefined, reader]) {
    const first = await ask(CHE_YEARS, token);
    expect(first.cache).toBe('miss');
    const again = await ask(CHE_YEARS, token);
    expect(again.cache).toBe('hit');
    for (const answer of [first, again]) {
      expect(answer.body).toEqual({
        data: { submissions: { nodes: [{ referenceYear: 2040, status: 'PUBLISHED', total: { value: 1 } }] } },
      });
    }
  }
});

test("what depends on the caller's own token is not kept for its class: viewerCanUpdate for two task-force tokens", async () => {
  const [author, colleague] = [await hub.token('TASK_FORCE'), await hub.token('TASK_FORCE')];
  const added = await ask(
    `mutation { addComment(input: { target: "${await indicatorId('IMM_STOCK')}", body: "Whose is it?" }) { __typename } }`,
    author,
  );
  expect(added.body).toEqual({ data: { addComment: { __typename: 'AddCommentPayload' } } });
  const MINE = `{ comments(first: 1) { nodes { body viewerCanUpdate } } }`;
  const answers = [await ask(MINE, author), await ask(MINE, colleague), await ask(MINE, author)];
  expect(answers.map((a) => a.body.data)).toEqual(
    [true, false, true].map((mine) => ({ comments: { nodes: [{ body: 'Whose is it?', viewerCanUpdate: mine }] } })),
  );
  expect(answers.map((a) => a.cache)).toEqual([null, null, null]);
});

test('SDMX answers are kept under the data version and per visibility, like GraphQL answers', async () => {
  const flow = 'http://hub.test/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?format=csv';
  const sdmx = async (token?: string) => {
    const res = await hub.api.fetch(flow, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect(res.status).toBe(200);
    return res.text();
  };
  await importCsv(['CHE,IMM_STOCK,2050,11,PUBLISHED']);
  // VALIDATED: countable for CHE's focal point (SDMX shows countable versions), unpublished for anyone else.
  await importCsv(['CHE,IMM_STOCK,2051,987654322,VALIDATED']);
  expect(await sdmx(focalChe)).toContain('987654322');
  const log = await startQueryLog(hub.db.adapterFactory);
  try {
    const first = await sdmx();
    expect(first).not.toContain('987654322');
    log.reset();
    expect(await sdmx()).toBe(first);
    expect(log.statements).toEqual([expect.stringMatching(/FROM "DataVersion"/)]);
  } finally {
    log.stop();
  }
  await importCsv(['CHE,IMM_STOCK,2052,12,PUBLISHED']);
  expect(await sdmx()).toMatch(/2052.*12/);
});

test('every write path raises the data version in its own transaction; a refused write does not', async () => {
  const version = () => readDataVersion(hub.db.prisma);
  const raises = async (what: string, write: () => Promise<unknown>) => {
    const before = await version();
    await write();
    expect({ what, raised: (await version()) > before }).toEqual({ what, raised: true });
  };
  await raises('an import through the API', () => importCsv(['CHE,IMM_STOCK,2042,5,SUBMITTED'], focalChe));
  await raises('a catalogue edit', async () => {
    const { body } = await ask(`{ indicator(code: "IMM_STOCK") { id revision } }`);
    const { id, revision } = body.data!.indicator as { id: string; revision: number };
    const { body: edited } = await post(
      'in-process',
      `mutation ($id: ID!, $rev: Int!) {
        updateIndicator(input: { id: $id, expectedRevision: $rev, name: "Immigrant stock (edited)" }) { __typename } }`,
      { id, rev: revision },
      admin,
    );
    expect(edited).toEqual({ data: { updateIndicator: { __typename: 'UpdateIndicatorPayload' } } });
  });
  await raises('a workflow transition', async () => {
    const { body } = await ask(
      `{ submissions(filter: { country: "CHE", fromYear: 2042, toYear: 2042 }) { nodes { id revision } } }`,
      admin,
    );
    const [node] = (body.data!.submissions as { nodes: { id: string; revision: number }[] }).nodes;
    const { body: done } = await post(
      'in-process',
      `mutation ($id: ID!, $rev: Int!) { validateSubmission(input: { id: $id, expectedRevision: $rev }) { __typename } }`,
      { id: node!.id, rev: node!.revision },
      admin,
    );
    expect(done).toEqual({ data: { validateSubmission: { __typename: 'ValidateSubmissionPayload' } } });
  });
  await raises('a comment', async () => {
    const { body } = await ask(`{ indicator(code: "IMM_STOCK") { id } }`);
    const target = (body.data!.indicator as { id: string }).id;
    const { body: added } = await post(
      'in-process',
      `mutation ($target: ID!) { addComment(input: { target: $target, body: "Check the 2042 figure" }) { __typename } }`,
      { target },
      admin,
    );
    expect(added).toEqual({ data: { addComment: { __typename: 'AddCommentPayload' } } });
  });
  await raises('a token', () => createToken(hub.db.prisma, { role: 'READER', name: 'another reader' }));

  const before = await version();
  const { body } = await post(
    'in-process',
    IMPORT,
    { csv: 'country,indicator,reference_year,value\nCHE,IMM_STOCK,2043,1\nXXX,IMM_STOCK,2043,1' },
    admin,
  );
  expect(body.data!.importSubmissions).toMatchObject({ ok: false });
  expect(await version()).toBe(before);
});

test('every table a read can show has the version trigger', async () => {
  const rows = await hub.db.prisma.$queryRaw<{ table: string }[]>`
    SELECT c.relname AS table FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'data_version')
    ORDER BY 1`;
  // Add a table created by a later migration with the same CREATE TRIGGER as migration 20261126073814_data_version.
  expect(rows.map((r) => r.table)).toEqual([
    'DataVersion',
    'DataVersionBump',
    'DeliveryAttempt',
    'Webhook',
    'WebhookDelivery',
    '_prisma_migrations',
  ]);
});

test('CLI imports (submissions, accounts) raise the version; a second hub process then answers afresh', async () => {
  const target = await cliTarget({ database: 'seeded' });
  const hubs: Awaited<ReturnType<typeof serve>>[] = [];
  try {
    let db = await target.open();
    const token = (await createToken(db.prisma, { role: 'ADMIN', name: 'cache test' })).token;
    const start = await readDataVersion(db.prisma);
    // On PGlite the directory has one owner at a time: the CLI writes while no hub runs.
    if (dbKind === 'pglite') await db.close();
    const file = join(scratch, 'submissions.csv');
    writeFileSync(file, 'country,indicator,reference_year,value,status\nCHE,IMM_STOCK,2031,7,PUBLISHED\n');
    expect((await target.run('import', 'submissions', file)).code).toBe(0);
    const accounts = join(scratch, 'accounts.csv');
    writeFileSync(
      accounts,
      'country,year,group,component,value,status\nCHE,2020,NATIVE_BORN_CITIZENS,BIRTHS,8,PUBLISHED\n',
    );
    const imported = await target.run('import', 'accounts', accounts);
    expect(imported.stderr).toBe('');
    if (dbKind === 'pglite') db = await target.open();
    expect(await readDataVersion(db.prisma)).toBe(start + 2n);
    await db.close();

    // Two hub processes on one PostgreSQL database (one on PGlite): a write through the first is seen by a read
    // of the second that had the old answer cached.
    hubs.push(await serve(target, { RATE_LIMIT_ANONYMOUS: '0' }));
    if (dbKind === 'postgres') hubs.push(await serve(target, { RATE_LIMIT_ANONYMOUS: '0' }));
    const [writer, reading] = [hubs[0]!, hubs.at(-1)!];
    const read = `{ aggregate(indicator: "IMM_STOCK", year: 2031) { value } }`;
    const endpoint = (h: { url: string }) => `${h.url}/graphql`;
    expect((await post(endpoint(reading), read)).body).toEqual({ data: { aggregate: { value: 7 } } });
    expect((await post(endpoint(reading), read)).cache).toBe('hit');
    await importCsv(['FRA,IMM_STOCK,2031,8,PUBLISHED'], token, endpoint(writer));
    const after = await post(endpoint(reading), read);
    expect(after).toEqual({ cache: 'miss', body: { data: { aggregate: { value: 15 } } } });
  } finally {
    await Promise.all(hubs.map((h) => h.stop()));
    await target.dispose();
  }
}, 240_000);
