// Scale-out demonstration (issue 11, item 6): a throwaway PostgreSQL primary and a real streaming replica of it on
// this machine (initdb, pg_basebackup -R -X stream, two postmasters on free loopback ports, both logging every
// statement), the hub in-process with DATABASE_REPLICA_URLS, then: where anonymous reads ran, how far the replica
// lagged behind each write, whether the writer's read right after its write saw it, and reads with the replica
// stopped. Everything is removed afterwards.
//
//   npm run bench:replica
//   BENCH_WRITES=50 BENCH_READS=200 npm run bench:replica
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { CLI_ACTOR } from '../src/access/audit.js';
import { createToken } from '../src/access/tokens.js';
import { seed } from '../src/cli/seed.js';
import { WRITTEN_HEADER } from '../src/http/replica-routing.js';
import { createApi } from '../src/http/yoga.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { handToServers, startPrimary, startReplica, type Server } from '../test/support/pg-cluster.js';

const WRITES = Number(process.env.BENCH_WRITES ?? '50');
const READS = Number(process.env.BENCH_READS ?? '200');

const ms = (t: number) => `${t.toFixed(1)} ms`;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
/** Statements a server has logged (log_statement=all) that touch the Topic table. */
const topicStatements = (server: Server) =>
  server
    .log()
    .split('\n')
    .filter((l) => l.includes('"public"."Topic"')).length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 200)); // the servers' stderr reaches us through a pipe

async function main() {
  console.log(
    `${new Date().toISOString()} · ${cpus().length} cores · load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'migstat-replica-bench-'));
  handToServers(dir);
  const servers: Server[] = [];
  try {
    let t = performance.now();
    const primary = await startPrimary(dir, ['log_statement=all']);
    servers.push(primary);
    console.log(`primary: initdb and start ${ms(performance.now() - t)} (port ${primary.port})`);
    const admin = new pg.Client({ connectionString: primary.url() });
    admin.on('error', (err) => console.error('admin connection:', err.message));
    await admin.connect();
    await admin.query('CREATE DATABASE migstat');
    t = performance.now();
    const setup = await openDatabase({ url: primary.url('migstat') });
    await migrate(setup);
    await seed(setup.prisma, CLI_ACTOR);
    await setup.close();
    const { rows: size } = await admin.query<{ size: string }>(
      'SELECT pg_size_pretty(sum(pg_database_size(datname))) AS size FROM pg_database',
    );
    await admin.end();
    console.log(`primary: migrate and seed ${ms(performance.now() - t)}; cluster size ${size[0]!.size}`);

    const replica = await startReplica(dir, primary);
    servers.push(replica);
    console.log(`replica: pg_basebackup -R -X stream ${ms(replica.basebackupMs)} (port ${replica.port})`);

    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: primary.url('migstat'),
      DATABASE_REPLICA_URLS: replica.url('migstat'),
    });
    const db = await openDatabase({ url: config.databaseUrl, replicaUrls: config.databaseReplicaUrls });
    const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
    const writer = (await createToken(db.prisma, { role: 'ADMIN' })).token;
    const post = async (query: string, token?: string) => {
      const res = await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return { res, data: body.data! };
    };
    const onReplica = new pg.Client({ connectionString: replica.url('migstat') });
    onReplica.on('error', () => undefined); // stopped on purpose below
    await onReplica.connect();

    // 1. Anonymous reads: which server ran their statements.
    await settle();
    let before = [topicStatements(primary), topicStatements(replica)];
    for (let i = 0; i < READS; i++) await post('{ topics { nodes { code name } } }');
    await settle();
    console.log(
      `${READS} anonymous reads: Topic statements on the primary ${topicStatements(primary) - before[0]!}, on the replica ${topicStatements(replica) - before[1]!}`,
    );

    // 2. Replication lag: from a mutation's response until the replica has replayed its position.
    const lags: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      const { res } = await post(
        `mutation { createTopic(input: { code: "BENCH_LAG_${i}", name: "n", tier: CORE }) { __typename } }`,
        writer,
      );
      const written = res.headers.get(WRITTEN_HEADER)!;
      const start = performance.now();
      for (;;) {
        const r = await onReplica.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
          written,
        ]);
        if (r.rows[0]!.ok) break;
      }
      lags.push(performance.now() - start);
    }
    console.log(
      `replay lag after ${WRITES} writes (polled on the replica): p50 ${ms(quantile(lags, 0.5))}, p99 ${ms(quantile(lags, 0.99))}, max ${ms(Math.max(...lags))}`,
    );

    // 3. Read-your-writes: the writer reads right after each write.
    let seen = 0;
    await settle();
    before = [topicStatements(primary), topicStatements(replica)];
    for (let i = 0; i < WRITES; i++) {
      const code = `BENCH_RYW_${i}`;
      await post(`mutation { createTopic(input: { code: "${code}", name: "n", tier: CORE }) { __typename } }`, writer);
      const { data } = await post(`{ topic(code: "${code}") { code } }`, writer);
      if (data.topic) seen++;
    }
    await settle();
    console.log(
      `${WRITES} writes each followed at once by the writer's read: ${seen}/${WRITES} saw the write; Topic statements (writes and reads) on the primary ${topicStatements(primary) - before[0]!}, on the replica ${topicStatements(replica) - before[1]!}`,
    );

    // 4. The replica stopped: reads go on, on the primary.
    await onReplica.end();
    await replica.stop();
    await settle();
    before = [topicStatements(primary)];
    let failed = 0;
    for (let i = 0; i < 20; i++) await post('{ topics { nodes { code } } }').catch(() => failed++);
    const ready = await api.fetch('http://hub.test/ready');
    await settle();
    console.log(
      `replica stopped: 20 reads, ${failed} failed, Topic statements on the primary ${topicStatements(primary) - before[0]!}; /ready ${ready.status} ${JSON.stringify(await ready.json())}`,
    );
    await api.dispose();
    await db.close();
  } catch (err) {
    console.error(err);
    for (const s of servers) console.error(`--- log of the server on port ${s.port}:\n${s.log().slice(-3000)}`);
    throw err;
  } finally {
    for (const s of servers.reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
