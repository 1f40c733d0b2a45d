// Read-load benchmark (issue 7): the hub (`migstat serve`, a process of its own) on a loopback port, 200 concurrent readers hammering it for a
// bounded time, a /ready probe every 250 ms, and one importSubmissions sent in the middle of the load. Reports
// /ready latency (p50, p99, max, non-200 answers) and the import's duration, on embedded PGlite and PostgreSQL.
//
//   npm run bench:load
//   BENCH_READERS=200 BENCH_SECONDS=20 BENCH_IMPORT_ROWS=1000 BENCH_DBS=pglite,postgres \
//   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:load
//   BENCH_READS=catalogue BENCH_READERS=50 BENCH_CACHE=off,on BENCH_DBS=pglite npm run bench:load
//                          the catalogue pages every portal repeats, with the response cache off, then on
//
// Loopback only: the server listens on 127.0.0.1 and the readers stop after BENCH_SECONDS.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { CLI_ACTOR } from '../src/access/audit.js';
import { createToken } from '../src/access/tokens.js';
import { seed } from '../src/cli/seed.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { dataDir } from '../src/platform/paths.js';
import { importUndesaIms } from '../src/submissions/undesa.import.js';

const READERS = Number(process.env.BENCH_READERS ?? '200');
const SECONDS = Number(process.env.BENCH_SECONDS ?? '20');
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? '1000');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DBS = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',').map((s) => s.trim()) as ('pglite' | 'postgres')[];
/** RESPONSE_CACHE of the served hub, one run per value (src/http/response-cache.ts). */
const CACHE = (process.env.BENCH_CACHE ?? 'on').split(',').map((s) => s.trim()) as ('on' | 'off')[];

// Node's fetch opens as many connections to an origin as there are requests in flight: 200 readers are 200
// concurrent HTTP connections.

/** What portals read: a country page, a coverage figure, an aggregate, a page of submissions. */
const PORTAL_READS = [
  `{ countries(first: 50, region: "150") { totalCount nodes { m49 iso3 name } } }`,
  `{ indicatorCoverage(indicator: "IMM_STOCK", window: { from: 2000, to: 2020 }) { reportingCountries share byRegion { share } } }`,
  `{ aggregate(indicator: "IMM_STOCK", year: 2020, region: "002") { value countriesIncluded } }`,
  `{ submissions(first: 20, filter: { indicator: "IMM_STOCK", fromYear: 2015 }) { totalCount nodes { referenceYear isCountable observations { value } } } }`,
];
/** The catalogue pages: indicators with their source types, countries of a region, source types, concepts. */
const CATALOGUE_READS = [
  `{ indicators(first: 50) { totalCount nodes { code name tier buildingBlock candidateSourceTypes { suitability sourceType { code name } } } } }`,
  `{ countries(first: 50, region: "150") { totalCount nodes { m49 iso3 name } } }`,
  `{ sourceTypes { code name } }`,
  `{ concepts(first: 20) { totalCount nodes { term } } }`,
];
const TRACE = process.env.BENCH_TRACE === '1';
const READS = process.env.BENCH_READS === 'catalogue' ? CATALOGUE_READS : PORTAL_READS;

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

interface Figures {
  kind: string;
  cache: 'on' | 'off';
  reads: number;
  readErrors: number;
  readP50: number;
  readP99: number;
  readyP50: number;
  readyP99: number;
  readyMax: number;
  readyNot200: number;
  probes: number;
  importMs: number;
  importResult: string;
}

async function open(
  kind: 'pglite' | 'postgres',
): Promise<{ db: Database; env: Record<string, string>; dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'migstat-load-'));
    const db = await openDatabase({ dataDir: join(dir, 'pglite') });
    return {
      db,
      env: { PGLITE_DATA_DIR: join(dir, 'pglite') },
      async dispose() {
        await db.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `migstat_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const config = loadConfig({ DATABASE_URL: url.toString() });
  const db = await openDatabase({
    url: url.toString(),
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  return {
    db,
    env: { DATABASE_URL: url.toString() },
    async dispose() {
      await db.close().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: PG_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A submissions CSV of `rows` new observations: countries × years of EMI_STOCK, a key no reader filters on. */
async function importFile(db: Database, rows: number): Promise<string> {
  const countries = (await db.prisma.country.findMany({ select: { m49: true }, orderBy: { m49: 'asc' } })).map(
    (c) => c.m49,
  );
  const lines = ['country,indicator,reference_year,value,status'];
  for (let i = 0; lines.length <= rows; i++) {
    lines.push(
      `${countries[i % countries.length]},EMI_STOCK,${1950 + Math.floor(i / countries.length)},${i},PUBLISHED`,
    );
  }
  return lines.join('\n');
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `migstat serve` in a child process, so that the load generator does not share the server's event loop. */
async function serve(env: Record<string, string>, cache: 'on' | 'off'): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.PGLITE_DATA_DIR;
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/migstat.mjs', 'serve'], {
    env: {
      ...base,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // 200 readers from one address: the hub's rate limits would measure themselves.
      RATE_LIMIT_ANONYMOUS: '0',
      RATE_LIMIT_TOKEN: '0',
      RESPONSE_CACHE: String(cache === 'on'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`migstat serve exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { base: url, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('migstat serve did not start within 2 minutes');
}

async function run(kind: 'pglite' | 'postgres', cache: 'on' | 'off'): Promise<Figures> {
  const { db, env, dispose } = await open(kind);
  let child: ChildProcess | undefined;
  try {
    await migrate(db);
    await seed(db.prisma, CLI_ACTOR);
    await importUndesaIms(db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR);
    const { token } = await createToken(db.prisma, { role: 'ADMIN', name: 'bench' });
    const csv = await importFile(db, IMPORT_ROWS);
    // The embedded directory has one owner at a time: release it to the server.
    await db.close();
    const server = await serve(env, cache);
    child = server.child;
    const base = server.base;
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });

    const begun = performance.now();
    const until = begun + SECONDS * 1000;
    /** BENCH_TRACE=1: [start, duration] of every read, printed as the slowest read per half second. */
    const trace: [number, number][] = [];
    const readTimes: number[] = [];
    let readErrors = 0;
    let firstError: string | undefined;
    const reader = async (n: number) => {
      for (let i = n; performance.now() < until; i++) {
        const started = performance.now();
        try {
          const res = await post({ query: READS[i % READS.length] });
          const body = (await res.json()) as { errors?: unknown };
          if (!res.ok || body.errors) {
            readErrors++;
            firstError ??= JSON.stringify(body).slice(0, 300);
          }
        } catch (err) {
          readErrors++;
          firstError ??= String(err);
        }
        readTimes.push(performance.now() - started);
        if (TRACE) trace.push([started - begun, performance.now() - started]);
      }
    };
    const readyTimes: number[] = [];
    let readyNot200 = 0;
    const prober = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          const res = await fetch(`${base}/ready`);
          await res.arrayBuffer();
          if (res.status !== 200) readyNot200++;
        } catch {
          readyNot200++;
        }
        readyTimes.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    let importMs = NaN;
    let importResult = '';
    const importer = async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(3000, (SECONDS * 1000) / 4)));
      const started = performance.now();
      const send = () =>
        post(
          {
            query: `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok submissionsWritten problems { message } } }`,
            variables: { csv },
          },
          { authorization: `Bearer ${token}` },
        );
      // A keep-alive connection the server closed as it was reused resets before the request reached the server:
      // send it once more (had the first been imported, the same rows again would be reported unchanged).
      const res = await send().catch(send);
      const body = (await res.json()) as { data?: { importSubmissions: { ok: boolean; submissionsWritten: number } } };
      importMs = performance.now() - started;
      if (TRACE) console.log(`  import sent at ${ms(started - begun)}, answered at ${ms(performance.now() - begun)}`);
      importResult = body.data?.importSubmissions.ok
        ? `${body.data.importSubmissions.submissionsWritten} submissions written`
        : JSON.stringify(body).slice(0, 200);
    };
    await Promise.all([...Array.from({ length: READERS }, (_, i) => reader(i)), prober(), importer()]);
    if (firstError) console.log(`  [${kind}] first read error: ${firstError}`);
    if (TRACE) {
      const slowest = new Map<number, [number, number]>();
      for (const [at, took] of trace) {
        const slot = Math.floor(at / 500);
        const [max, count] = slowest.get(slot) ?? [0, 0];
        slowest.set(slot, [Math.max(max, took), count + 1]);
      }
      for (const [slot, [max, count]] of [...slowest].sort((a, b) => a[0] - b[0])) {
        console.log(`  reads sent in ${(slot / 2).toFixed(1)} s +0.5: ${count}, slowest ${ms(max)}`);
      }
    }

    readTimes.sort((a, b) => a - b);
    readyTimes.sort((a, b) => a - b);
    return {
      kind,
      cache,
      reads: readTimes.length,
      readErrors,
      readP50: percentile(readTimes, 50),
      readP99: percentile(readTimes, 99),
      readyP50: percentile(readyTimes, 50),
      readyP99: percentile(readyTimes, 99),
      readyMax: readyTimes.at(-1) ?? NaN,
      readyNot200,
      probes: readyTimes.length,
      importMs,
      importResult,
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await dispose();
  }
}

console.log(
  `${READERS} concurrent readers for ${SECONDS} s, /ready every 250 ms, one importSubmissions of ${IMPORT_ROWS} rows ` +
    `after ${Math.min(3, SECONDS / 4)} s`,
);
const figures: Figures[] = [];
for (const kind of DBS) {
  for (const cache of CACHE) {
    const f = await run(kind, cache);
    figures.push(f);
    console.log(`  [${kind}, cache ${cache}] done: ${f.importResult}`);
  }
}
console.log(
  `\n${process.env.BENCH_READS === 'catalogue' ? 'Catalogue' : 'Portal'} reads; ` +
    `1-minute load average ${loadavg()[0]!.toFixed(2)} at the end; ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  '\n| database | response cache | reads (errors) | read p50 / p99 | /ready p50 / p99 / max | /ready not 200 | import during load |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const f of figures) {
  console.log(
    `| ${f.kind} | ${f.cache} | ${f.reads} (${f.readErrors}) | ${ms(f.readP50)} / ${ms(f.readP99)} | ` +
      `${ms(f.readyP50)} / ${ms(f.readyP99)} / ${ms(f.readyMax)} | ${f.readyNot200} of ${f.probes} | ${ms(f.importMs)} |`,
  );
}
