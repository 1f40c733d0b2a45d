// Scale-out on PostgreSQL with a real streaming replica: a throwaway primary and a pg_basebackup replica of it, each a
// postmaster of its own (test/support/pg-cluster.ts). Replay is paused on the replica to make lag that lasts as long
// as the test needs: a read that misses a committed write can only have come from the replica, and a read that sees
// it while replay is paused can only have come from the primary. PostgreSQL only (PGlite has no replication).
import { createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { createToken } from '../../src/access/tokens.js';
import { databaseOptions } from '../../src/cli/cli.js';
import { READ_AFTER_HEADER, WRITTEN_HEADER } from '../../src/http/replica-routing.js';
import { createApi, type Api } from '../../src/http/yoga.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { createTestDatabase, dbKind, prepare } from '../support/db.js';
import { caughtUp, handToServers, startPrimary, startReplica, type Server } from '../support/pg-cluster.js';
import { scratchDir } from '../support/scratch.js';

const onPostgres = dbKind === 'postgres' ? describe : describe.skip;

test('DATABASE_REPLICA_URLS is a comma-separated list of postgres:// URLs, only next to DATABASE_URL', () => {
  const primary = 'postgresql://postgres@db-1:5432/migstat';
  expect(loadConfig({}).databaseReplicaUrls).toEqual([]);
  const two = loadConfig({
    DATABASE_URL: primary,
    DATABASE_REPLICA_URLS: ' postgres://r1/migstat, postgresql://r2/m ',
  });
  expect(two.databaseReplicaUrls).toEqual(['postgres://r1/migstat', 'postgresql://r2/m']);
  expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'mysql://r1/m' })).toThrow(
    /DATABASE_REPLICA_URLS.*postgres:\/\//,
  );
  expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/m' })).toThrow(ConfigError);
  expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r1/m' })).toThrow(/DATABASE_REPLICA_URLS.*DATABASE_URL/);
  // The response cache keys answers by the primary's version: with replicas it is off, and cannot be turned on.
  expect(two.responseCache.enabled).toBe(false);
  expect(loadConfig({ DATABASE_URL: primary }).responseCache.enabled).toBe(true);
  expect(() =>
    loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://r1/m', RESPONSE_CACHE: 'true' }),
  ).toThrow(/RESPONSE_CACHE.*replica/);
});

// At the top level: a describe's own afterAll does not run when -t filters out all its tests, and the folder stayed.
const dir = dbKind === 'postgres' ? scratchDir('migstat-replica-') : '';

onPostgres('DATABASE_REPLICA_URLS with a streaming replica', () => {
  let primary: Server;
  let replica: Server;
  let db: Database;
  let api: Api;
  let onPrimary: pg.Client;
  let onReplica: pg.Client;
  let writer: string;
  let other: string;

  beforeAll(async () => {
    handToServers(dir);
    primary = await startPrimary(dir);
    const admin = new pg.Client({ connectionString: primary.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE migstat');
    await admin.end();
    const setup = await openDatabase({ url: primary.url('migstat') });
    await prepare(setup, 'seeded');
    await setup.close();
    replica = await startReplica(dir, primary);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: primary.url('migstat'),
      DATABASE_REPLICA_URLS: replica.url('migstat'),
    });
    db = await openDatabase(databaseOptions(config)); // as `migstat serve` opens it
    api = createApi({ config, db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
    writer = (await createToken(db.prisma, { role: 'ADMIN' })).token;
    other = (await createToken(db.prisma, { role: 'ADMIN' })).token;
    onPrimary = new pg.Client({ connectionString: primary.url('migstat') });
    onReplica = new pg.Client({ connectionString: replica.url('migstat') });
    await Promise.all([onPrimary.connect(), onReplica.connect()]);
    await caughtUp(onPrimary, onReplica);
  }, 180_000);

  afterAll(async () => {
    await api?.dispose();
    await db?.close();
    await onPrimary?.end().catch(() => undefined);
    await onReplica?.end().catch(() => undefined);
    await replica?.stop();
    await primary?.stop();
  });

  async function post(query: string, headers: Record<string, string> = {}) {
    const res = await api.fetch('http://hub.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { res, body: (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
  }
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const topicName = async (code: string, headers: Record<string, string> = {}) => {
    const { body } = await post(`{ topic(code: "${code}") { name } }`, headers);
    expect(body.errors).toBeUndefined();
    return (body.data?.topic as { name: string } | null)?.name ?? null;
  };
  const pause = () => onReplica.query('SELECT pg_wal_replay_pause()');
  const resume = async () => {
    await onReplica.query('SELECT pg_wal_replay_resume()');
    await caughtUp(onPrimary, onReplica);
  };

  test('queries read from the replica; the caller who wrote reads its write from the primary while the replica lags', async () => {
    await pause();
    const created = await post(
      `mutation { createTopic(input: { code: "RR_ONE", name: "Written", tier: CORE }) { __typename } }`,
      as(writer),
    );
    // The replica is read-only: a mutation that succeeds ran on the primary.
    expect(created.body).toEqual({ data: { createTopic: { __typename: 'CreateTopicPayload' } } });
    const written = created.res.headers.get(WRITTEN_HEADER);
    expect(written).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);

    // Committed on the primary, not replayed on the replica: missing it means the replica answered.
    expect(await topicName('RR_ONE')).toBeNull();
    expect(await topicName('RR_ONE', as(other))).toBeNull();
    expect(replica.log()).toMatch(/SELECT .*"public"\."Topic"/);
    // The writer, and anyone presenting the writer's position, are not served older data than that write.
    expect(await topicName('RR_ONE', as(writer))).toBe('Written');
    expect(await topicName('RR_ONE', { [READ_AFTER_HEADER]: written! })).toBe('Written');

    await resume();
    expect(await topicName('RR_ONE')).toBe('Written');
  });

  test('the read API runs on the replica: catalogue, coverage, aggregates, submissions, the change feed', async () => {
    const reads = [
      `{ countries(first: 50, region: "150") { totalCount nodes { m49 iso3 name } } }`,
      `{ indicators(first: 5) { nodes { code topics { code } } } }`,
      `{ indicatorCoverage(indicator: "IMM_STOCK", window: { from: 2000, to: 2020 }) { reportingCountries share } }`,
      `{ aggregate(indicator: "IMM_STOCK", year: 2020, region: "002") { value countriesIncluded } }`,
      `{ coverageMatrix { indicators { code } countries { m49 } cells { years } } }`,
      `{ submissions(first: 20, filter: { indicator: "IMM_STOCK" }) { totalCount nodes { referenceYear } } }`,
      `{ changes(first: 10) { nodes { sequence } } }`,
    ];
    for (const query of reads) expect((await post(query)).body.errors).toBeUndefined();
    // The replica logs every statement it runs; its log reaches this process through a pipe, so wait for it.
    for (const table of ['Country', 'Indicator', 'Submission', 'FeedEntry']) {
      await until(() => replica.log().includes(`"${table}"`)); // Prisma's "public"."Country" and raw SQL's "Country"
    }
  });

  test('once the replica has replayed the write, the writer reads from the replica again', async () => {
    await pause();
    await onPrimary.query(`UPDATE "Topic" SET name = 'Changed behind the hub' WHERE code = 'RR_ONE'`);
    // The writer's own write is replayed, this later one is not: the replica's older answer proves where it read.
    expect(await topicName('RR_ONE', as(writer))).toBe('Written');
    await resume();
    expect(await topicName('RR_ONE', as(writer))).toBe('Changed behind the hub');
  });

  test('a malformed read-after position is refused, naming the header', async () => {
    const { res, body } = await post('{ topic(code: "RR_ONE") { name } }', { [READ_AFTER_HEADER]: 'yesterday' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(body.errors)).toContain(READ_AFTER_HEADER);
  });

  test('a stopped replica: reads fall back to the primary, /ready and /health stay 200 and list it down', async () => {
    await pause();
    await onPrimary.query(`UPDATE "Topic" SET name = 'Only on the primary' WHERE code = 'RR_ONE'`);
    await onReplica.end();
    await replica.stop();

    expect(await topicName('RR_ONE')).toBe('Only on the primary');
    expect(await topicName('RR_ONE', as(other))).toBe('Only on the primary');
    const ready = await api.fetch('http://hub.test/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      database: 'postgres',
      replicas: [{ location: replica.url('migstat'), state: 'down' }],
    });
    expect((await api.fetch('http://hub.test/health')).status).toBe(200);
    const created = await post(
      `mutation { createTopic(input: { code: "RR_TWO", name: "Still writable", tier: CORE }) { __typename } }`,
      as(writer),
    );
    expect(created.body.errors).toBeUndefined();
    expect(await topicName('RR_TWO', as(writer))).toBe('Still writable');
  });
});

onPostgres('a replica that accepts connections and never answers (a blackholed host)', () => {
  test('is listed down with the server and the time allowed, whichever limit applied', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const primary = await createTestDatabase();
    const replicaUrl = `postgresql://postgres@127.0.0.1:${port}/migstat`;
    try {
      for (const [connectTimeoutMs, within] of [
        [300, '300 ms (DATABASE_CONNECT_TIMEOUT_MS)'],
        [10_000, '1000 ms (the time a replica readiness probe allows)'],
      ] as const) {
        const db = await openDatabase({ url: primary.url, replicaUrls: [replicaUrl], connectTimeoutMs });
        try {
          expect(await db.replicas!.status()).toEqual([
            {
              location: replicaUrl,
              state: 'down',
              reason: `the database server at 127.0.0.1:${port} did not answer within ${within}`,
            },
          ]);
        } finally {
          await db.close();
        }
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await primary.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
