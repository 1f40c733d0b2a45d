// Scale-out on PostgreSQL with a real streaming replica: a throwaway primary and a pg_basebackup replica of it, each a
// postmaster of its own (test/support/pg-cluster.ts). Replay is paused on the replica to make lag that lasts as long
// as the test needs: a read that misses a committed write can only have come from the replica, and a read that sees
// it while replay is paused can only have come from the primary. PostgreSQL only (PGlite has no replication).
// The read-your-writes positions are also tested where they are easy to get wrong: a hub whose sessions commit
// asynchronously (synchronous_commit = off), and two mutations of one caller whose positions reach the hub out of order.
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { createToken } from '../../src/access/tokens.js';
import { databaseOptions } from '../../src/cli/cli.js';
import { READ_AFTER_HEADER, WRITTEN_HEADER } from '../../src/http/replica-routing.js';
import { createApi, type Api } from '../../src/http/yoga.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { parseLsn } from '../../src/platform/replicas.js';
import { createTestDatabase, dbKind, prepare } from '../support/db.js';
import { caughtUp, handToServers, startPrimary, startReplica, type Server } from '../support/pg-cluster.js';
import { listenInPlaceOf } from '../support/relay.js';
import { scratchDir } from '../support/scratch.js';
import { until } from '../support/until.js';

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
    // Nothing of the server's own flushes WAL while a test holds its WAL writer (a timed checkpoint, autovacuum).
    primary = await startPrimary(dir, ['autovacuum=off', 'checkpoint_timeout=1d']);
    const admin = new pg.Client({ connectionString: primary.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE migstat');
    const setup = await openDatabase({ url: primary.url('migstat') });
    await prepare(setup, 'seeded');
    await setup.close();
    // A copy whose sessions commit asynchronously, for the hub of the synchronous_commit = off test. A template may not
    // have sessions: wait until the setup's have ended (closing a client does not wait for its server process).
    await until(
      'the setup sessions gone',
      async () => !(await admin.query(`SELECT 1 FROM pg_stat_activity WHERE datname = 'migstat'`)).rowCount,
    );
    await admin.query('CREATE DATABASE migstat_async TEMPLATE migstat');
    await admin.query('ALTER DATABASE migstat_async SET synchronous_commit = off');
    await admin.end();
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

  async function post(query: string, headers: Record<string, string> = {}, hub = api) {
    const res = await hub.fetch('http://hub.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { res, body: (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
  }
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const topicName = async (code: string, headers: Record<string, string> = {}, hub = api) => {
    const { body } = await post(`{ topic(code: "${code}") { name } }`, headers, hub);
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
      // Prisma's "public"."Country" and raw SQL's "Country"
      await until(`the replica's log naming ${table}`, () => replica.log().includes(`"${table}"`));
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

  /** A second hub on the same servers (each hub remembers its callers' positions for itself). */
  async function openHub(url: string, replicaUrl: string) {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      DATABASE_REPLICA_URLS: replicaUrl,
    });
    const hubDb = await openDatabase(databaseOptions(config));
    const hub = createApi({ config, db: hubDb, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
    return {
      hub,
      db: hubDb,
      async close() {
        await hub.dispose();
        await hubDb.close();
      },
    };
  }
  const onReplicaHas = async (client: pg.Client, code: string) =>
    Boolean((await client.query(`SELECT 1 FROM "Topic" WHERE code = $1`, [code])).rowCount);
  /**
   * Flushes all the primary's WAL so far: a transaction that wrote WAL commits synchronously (the test's own sessions
   * do), flushing through its commit. One that only took a transaction id would commit asynchronously.
   */
  const flushWal = () => onPrimary.query(`SELECT pg_logical_emit_message(true, 'migstat-test', 'flush')`);
  /** Pauses replay and waits until it has paused: the replica's position stays where it is. */
  const paused = async () => {
    await pause();
    await until(
      'replay paused',
      async () =>
        (await onReplica.query<{ s: string }>('SELECT pg_get_wal_replay_pause_state() AS s')).rows[0]!.s === 'paused',
    );
  };

  describe('a hub whose sessions commit asynchronously (synchronous_commit = off)', () => {
    let hub: Awaited<ReturnType<typeof openHub>>;
    let caller: string;
    let asyncOnReplica: pg.Client;
    /** Set while a test holds the WAL writer stopped: a stopped process would keep the primary from shutting down. */
    let walWriter: { resume(): void } | undefined;

    beforeAll(async () => {
      hub = await openHub(primary.url('migstat_async'), replica.url('migstat_async'));
      caller = (await createToken(hub.db.prisma, { role: 'ADMIN' })).token;
      asyncOnReplica = new pg.Client({ connectionString: replica.url('migstat_async') });
      await asyncOnReplica.connect();
    });
    afterAll(async () => {
      walWriter?.resume();
      await hub?.close();
      await asyncOnReplica?.end().catch(() => undefined);
    });

    test('the caller reads its write, not from a replica that has replayed all the WAL written when it returned', async () => {
      // An asynchronous commit returns before its WAL is written; the WAL writer writes it within milliseconds.
      // Stopped, it leaves the commit unwritten (and unsent) for as long as the test needs.
      walWriter = await stopWalWriter(onPrimary);
      try {
        await flushWal(); // the WAL not yet written from here on is the mutation's
        const created = await post(
          `mutation { createTopic(input: { code: "RR_ASYNC", name: "Committed asynchronously", tier: CORE }) { __typename } }`,
          as(caller),
          hub.hub,
        );
        expect(created.body.errors).toBeUndefined();
        // The replica has replayed every byte of WAL the primary has written, and lacks the write.
        await caughtUp(onPrimary, onReplica);
        expect(await onReplicaHas(asyncOnReplica, 'RR_ASYNC')).toBe(false);
        expect(await topicName('RR_ASYNC', {}, hub.hub)).toBeNull(); // others read there

        // The caller, and anyone presenting the position its mutation returned, read the write.
        expect(await topicName('RR_ASYNC', as(caller), hub.hub)).toBe('Committed asynchronously');
        const written = created.res.headers.get(WRITTEN_HEADER)!;
        expect(await topicName('RR_ASYNC', { [READ_AFTER_HEADER]: written }, hub.hub)).toBe('Committed asynchronously');
      } finally {
        walWriter.resume();
        walWriter = undefined;
      }
      await until('the replica has the write', () => onReplicaHas(asyncOnReplica, 'RR_ASYNC'));
      expect(await topicName('RR_ASYNC', {}, hub.hub)).toBe('Committed asynchronously');
    });
  });

  describe('two mutations of one caller whose positions reach the hub out of order', () => {
    let relay: Awaited<ReturnType<typeof holdingRelay>>;
    let hub: Awaited<ReturnType<typeof openHub>>;
    let caller: string;

    beforeAll(async () => {
      relay = await holdingRelay(primary.url('migstat'));
      hub = await openHub(relay.url, replica.url('migstat'));
      caller = (await createToken(db.prisma, { role: 'ADMIN' })).token;
    });
    afterAll(async () => {
      await hub?.close();
      await relay?.close();
    });

    test('the next read waits for the later write, though the earlier one learnt its position last', async () => {
      // The first mutation commits and the primary answers the hub's question for its position (replicas.written());
      // the network holds that answer back.
      const hold = relay.holdAnswerTo('pg_current_wal');
      const first = post(
        `mutation { createTopic(input: { code: "RR_FIRST", name: "First", tier: CORE }) { __typename } }`,
        as(caller),
        hub.hub,
      );
      await hold.answered;
      // The replica replays past that position (WAL is sent once flushed), and stops.
      const { rows } = await onPrimary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      await flushWal();
      await until('the replica past the first position', async () => {
        const replayed = await onReplica.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
          rows[0]!.lsn,
        ]);
        return replayed.rows[0]!.ok;
      });
      await paused();
      try {
        // The second mutation of the same caller finishes first, then the first one, with the lower position.
        const second = await post(
          `mutation { createTopic(input: { code: "RR_SECOND", name: "Second", tier: CORE }) { __typename } }`,
          as(caller),
          hub.hub,
        );
        expect(second.body.errors).toBeUndefined();
        hold.release();
        const answered = await first;
        expect(answered.body.errors).toBeUndefined();
        const position = (r: typeof answered) => parseLsn(r.res.headers.get(WRITTEN_HEADER)!);
        expect(position(answered)).toBeLessThan(position(second));

        // The replica has the first write, not the second; others read there.
        expect(await onReplicaHas(onReplica, 'RR_FIRST')).toBe(true);
        expect(await onReplicaHas(onReplica, 'RR_SECOND')).toBe(false);
        expect(await topicName('RR_SECOND', {}, hub.hub)).toBeNull();
        // The caller reads both.
        expect(await topicName('RR_SECOND', as(caller), hub.hub)).toBe('Second');
        expect(await topicName('RR_FIRST', as(caller), hub.hub)).toBe('First');
      } finally {
        hold.release();
        await resume();
      }
    });
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

/**
 * Stops the primary's WAL writer (SIGSTOP) while it sleeps between rounds, holding no lock (a stop in the middle of
 * a write would block every commit that flushes); `resume()` lets it go on.
 */
async function stopWalWriter(primary: pg.Client): Promise<{ resume(): void }> {
  for (;;) {
    const { rows } = await primary.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'`,
    );
    const pid = rows[0]!.pid;
    process.kill(pid, 'SIGSTOP');
    await until('the WAL writer stopped', () => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); // "pid (comm) state …"
      return /^[Tt]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    });
    const { rows: now } = await primary.query<{ wait_event: string | null }>(
      'SELECT wait_event FROM pg_stat_activity WHERE pid = $1',
      [pid],
    );
    if (now[0]?.wait_event === 'WalWriterMain') return { resume: () => void process.kill(pid, 'SIGCONT') };
    process.kill(pid, 'SIGCONT');
  }
}

/**
 * A TCP relay to a database server that can hold back one answer, as a network that delays a packet would: armed
 * with a text, the first connection whose client then sends a statement containing it receives nothing more from the
 * server until `release()`. The statement runs on the server meanwhile; only its answer is late.
 */
async function holdingRelay(target: string) {
  const to = new URL(target);
  interface Hold {
    text: string;
    onAnswer: () => void;
    chunks?: Buffer[];
    client?: Socket;
  }
  let armed: Hold | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let hold: Hold | undefined;
    let sent = '';
    client.on('data', (chunk: Buffer) => {
      if (armed && !hold) {
        sent = (sent + chunk.toString('latin1')).slice(-65_536);
        if (sent.includes(armed.text)) {
          hold = armed;
          armed = undefined;
          hold.chunks = [];
          hold.client = client;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!hold?.chunks) return void client.write(chunk);
      hold.chunks.push(chunk);
      hold.onAnswer();
    });
  });
  return {
    url: await listenInPlaceOf(server, target),
    /** `answered` resolves once the server has answered the statement (it answers after running it). */
    holdAnswerTo(text: string) {
      let onAnswer!: () => void;
      const answered = new Promise<void>((resolve) => (onAnswer = resolve));
      const hold: Hold = { text, onAnswer };
      armed = hold;
      return {
        answered,
        release() {
          const chunks = hold.chunks ?? [];
          hold.chunks = undefined;
          for (const chunk of chunks) hold.client!.write(chunk);
        },
      };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
