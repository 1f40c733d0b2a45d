// The change feed's guarantee (CONTRACT §10), as a property: random imports, revisions, submissions, validations,
// rejections and publications from several concurrent clients (on PostgreSQL through two hubs with connection pools
// of their own, as two hub processes would), while portals of every kind of caller replay the feed a few entries at
// a time, resuming from their cursor between batches. Whenever the writers pause, each replayed store equals that
// caller's full download; no sequence is ever repeated or seen out of order.
// The steps come from a fixed seed and, when FEED_SEED is set, from that seed too (a failure names its seed).
import fc from 'fast-check';
import { pino } from 'pino';
import { createApi } from '../../src/http/yoga.js';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { dbKind } from '../support/db.js';
import { startHub, type Hub } from '../support/hub.js';
import { cursorAt, downloadedRows, Replayer } from './feed-support.js';

const STEPS = 200;
const CHECK_EVERY = 40;
const SEEDS = [20261126, ...(process.env.FEED_SEED ? [Number(process.env.FEED_SEED)] : [])];

let hub: Hub;
let second: Database | undefined;
type Client = Pick<Hub, 'gql' | 'api'>;
let clients: Client[];

beforeAll(async () => {
  hub = await startHub();
  clients = [hub];
  if (dbKind === 'postgres') {
    // A second hub on the same database with its own pool: writers and readers on both.
    second = await openDatabase({ url: hub.db.url });
    const api = createApi({ config: hub.config, db: second, logger: pino({ level: 'silent' }) });
    clients.push({
      api,
      async gql(doc, variables, opts = {}) {
        const res = await api.fetch('http://hub.test/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          },
          body: JSON.stringify({ query: doc, variables }),
        });
        return res.json();
      },
    } as Client);
  }
});
afterAll(async () => {
  await second?.close();
  await hub?.close();
});

const COUNTRIES = ['CHE', 'FRA', 'DEU'];
const YEARS = [2019, 2020];
const SOURCES = ['CENSUS', 'POP_REGISTER', ''];
const IMPORT_STATUSES = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED'] as const;

const keyArb = fc.record({
  country: fc.constantFrom(...COUNTRIES),
  year: fc.constantFrom(...YEARS),
  source: fc.constantFrom(...SOURCES),
});
const stepArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('import' as const),
      asFocal: fc.boolean(),
      keys: fc.uniqueArray(keyArb, {
        minLength: 1,
        maxLength: 3,
        selector: (k) => `${k.country}|${k.year}|${k.source}`,
      }),
      status: fc.constantFrom(...IMPORT_STATUSES),
      value: fc.integer({ min: 0, max: 50 }),
      female: fc.option(fc.integer({ min: 0, max: 50 })),
      note: fc.option(fc.constantFrom('revised', 'provisional')),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('submit' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('validate' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('publish' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('reject' as const), pick: fc.nat() }) },
);
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const TRANSITION = {
  submit: { mutation: 'submitSubmission', from: 'DRAFT' },
  validate: { mutation: 'validateSubmission', from: 'SUBMITTED' },
  publish: { mutation: 'publishSubmission', from: 'VALIDATED' },
  reject: { mutation: 'rejectSubmission', from: 'VALIDATED' },
} as const;

interface Tokens {
  admin: string;
  focal: string;
}

/** Runs one step; a conflict with a concurrent step (stale revision, same key) is an expected outcome. */
async function run(step: Step, client: Client, tokens: Tokens): Promise<string> {
  if (step.type === 'import') {
    // A focal point imports its own country's rows only, DRAFT or SUBMITTED.
    const focal = step.asFocal;
    const keys = focal ? step.keys.map((k) => ({ ...k, country: 'CHE' })) : step.keys;
    const status = focal && (step.status === 'VALIDATED' || step.status === 'PUBLISHED') ? 'SUBMITTED' : step.status;
    const unique = [...new Map(keys.map((k) => [`${k.country}|${k.year}|${k.source}`, k])).values()];
    const lines = ['country,indicator,reference_year,value,source_type,status,note,SEX'];
    for (const k of unique) {
      lines.push(`${k.country},IMM_STOCK,${k.year},${step.value + 60},${k.source},${status},${step.note ?? ''},`);
      if (step.female !== null) lines.push(`${k.country},IMM_STOCK,${k.year},${step.female},${k.source},,,F`);
    }
    const r = await client.gql<{ importSubmissions: { ok: boolean; problems: { message: string }[] } }, unknown>(
      `mutation($csv: String!) { importSubmissions(input: { csv: $csv }) { ok problems { message } } }`,
      { csv: lines.join('\n') },
      { token: focal ? tokens.focal : tokens.admin },
    );
    if (r.errors?.length) {
      if (r.errors.every((e) => e.extensions?.code === 'CONFLICT')) return 'import conflict';
      throw new Error(`import failed: ${JSON.stringify(r.errors)}`);
    }
    if (!r.data?.importSubmissions.ok) throw new Error(`import refused: ${JSON.stringify(r.data)}`);
    return `import ${status} ${unique.length}`;
  }
  const t = TRANSITION[step.type];
  const from = step.type === 'reject' && step.pick % 2 ? 'SUBMITTED' : t.from;
  const list = await client.gql<{ submissions: { nodes: { id: string; revision: number }[] } }, unknown>(
    `query($status: SubmissionStatus!) { submissions(first: 100, filter: { status: $status }) { nodes { id revision } } }`,
    { status: from },
    { token: tokens.admin },
  );
  const nodes = list.data?.submissions.nodes ?? [];
  if (!nodes.length) return `${step.type}: none ${from}`;
  const target = nodes[step.pick % nodes.length]!;
  const reason = step.type === 'reject' ? ', reason: "inconsistent"' : '';
  const r = await client.gql<Record<string, { __typename: string }>, unknown>(
    `mutation($id: ID!, $rev: Int!) { ${t.mutation}(input: { id: $id, expectedRevision: $rev${reason} }) { __typename } }`,
    { id: target.id, rev: target.revision },
    { token: tokens.admin },
  );
  if (r.errors?.length) throw new Error(`${t.mutation} failed: ${JSON.stringify(r.errors)}`);
  const outcome = r.data![t.mutation]!.__typename;
  // Another step moved the same version first: the typed conflict (or a state error) is the expected answer.
  if (!outcome.endsWith('SubmissionPayload') && !['ConflictError', 'ValidationError'].includes(outcome))
    throw new Error(`${t.mutation}: ${outcome}`);
  return `${step.type} ${outcome}`;
}

async function property(seed: number) {
  const [steps] = fc.sample(fc.array(stepArb, { minLength: STEPS, maxLength: STEPS }), { seed, numRuns: 1 });
  const rounds = fc.sample(fc.integer({ min: 1, max: 4 }), { seed: seed + 1, numRuns: STEPS });
  const batches = fc.sample(fc.integer({ min: 1, max: 6 }), { seed: seed + 2, numRuns: STEPS * 8 });
  const tokens: Tokens = { admin: await hub.token('ADMIN'), focal: await hub.token('FOCAL_POINT', 'CHE') };
  const readers = [
    new Replayer('anonymous', undefined),
    new Replayer('reader', await hub.token('READER')),
    new Replayer('admin', tokens.admin),
    new Replayer('task force', await hub.token('TASK_FORCE')),
    new Replayer('focal point CHE', tokens.focal),
    new Replayer('focal point FRA', await hub.token('FOCAL_POINT', 'FRA')),
  ];
  // The replays start after the seed's catalogue changes, before the first series change (a previous seed's).
  const [head] = await hub.db.prisma.$queryRaw<{ head: bigint }[]>`
    SELECT coalesce((SELECT min(sequence) - 1 FROM "FeedEntry" WHERE "itemType" IS NULL), max(sequence), 0) AS head
    FROM "FeedEntry"`;
  for (const r of readers) r.cursor = await cursorAt(hub, r.token, head!.head);
  const client = (i: number) => clients[i % clients.length]!;
  const outcomes = new Map<string, number>();
  let done = 0;
  let round = 0;
  let batch = 0;
  let checked = 0;
  const check = async () => {
    for (const r of readers) {
      await r.drain(client(round + readers.indexOf(r)));
      expect({ reader: r.name, seed, step: done, rows: r.rows() }).toEqual({
        reader: r.name,
        seed,
        step: done,
        rows: await downloadedRows(client(round), r.token),
      });
    }
    checked++;
  };
  while (done < STEPS) {
    const writes = steps!.slice(done, done + rounds[round]!);
    // Writers and replaying readers at once: readers read while entries of concurrent transactions commit.
    const results = await Promise.all([
      ...writes.map((s, i) => run(s, client(round + i), tokens)),
      ...readers.map((r, i) => r.step(client(round + i + 1), batches[batch++ % batches.length]!).then(() => '')),
    ]);
    for (const outcome of results.filter(Boolean)) outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const before = Math.floor(done / CHECK_EVERY);
    done += writes.length;
    round++;
    if (Math.floor(done / CHECK_EVERY) > before || done >= STEPS) await check();
  }
  return { outcomes, checked, readers };
}

test.each(SEEDS)(
  `${STEPS} random steps from concurrent clients: every replayed feed equals the caller's download (seed %i)`,
  async (seed) => {
    const { outcomes, checked, readers } = await property(seed);
    expect(checked).toBeGreaterThanOrEqual(STEPS / CHECK_EVERY);
    // The run exercised what it claims: publications, rejections that remove keys, and data everyone sees.
    const count = (prefix: string) =>
      [...outcomes].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    expect(count('publish PublishSubmissionPayload')).toBeGreaterThan(5);
    expect(count('reject RejectSubmissionPayload')).toBeGreaterThan(5);
    expect(count('validate ValidateSubmissionPayload')).toBeGreaterThan(5);
    expect(count('import')).toBeGreaterThan(STEPS / 3);
    expect(readers.every((r) => r.store.size > 0)).toBe(true);
  },
  120_000,
);
