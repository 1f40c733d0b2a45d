// Per-request cost of the hub's HTTP and GraphQL layer (issue 11), for comparing builds in one run: each build named
// on the command line (`name=dir`, a directory holding a compiled `src/`, as MIGSTAT_BUILD_DIR; `name=dir=flags=node`
// adds Node flags, `:` for `=`, and another Node binary) runs as `migstat serve` on DATABASE_URL, response cache and
// rate limits off, and autocannon (50 connections) loads `{ __typename }` and query (b) of bench/peer.ts in turn
// (QUERIES=a,b,c,typename for its data reads too, on a database `BENCH_KEEP=1 npm run bench:peer` left), builds
// interleaved, for ROUNDS rounds of SECONDS each, after checking that every build gives the same answer; medians at
// the end. autocannon comes from bench/.peer (which
// `npm run bench:peer` installs) or AUTOCANNON_DIR.
//
//   npm run build && cp -a dist tmp/dist-old && (change, npm run build) &&
//   DATABASE_URL=postgres://… npx tsx bench/request-cost.ts 3 8 old=tmp/dist-old new=dist
//
// For a CPU profile, give the build flags `name=dir=--cpu-prof --cpu-prof-dir:/tmp/prof` (flags are separated by spaces,
// `:` stands for `=`); bench/cpu-profile-summary.ts sums one up.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';

interface Result {
  requests: { average: number };
  latency: { p50: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>, done: (err: Error | null, result: Result) => void) => void;

const root = join(import.meta.dirname, '..');
const require = createRequire(join(process.env.AUTOCANNON_DIR ?? join(root, 'bench', '.peer'), 'package.json'));
const autocannon = require('autocannon') as Autocannon;

const QUERIES: Record<string, string> = {
  typename: '{ __typename }',
  a: `{ submissions(first: 100, orderBy: { field: CREATED_AT, direction: ASC },
      filter: { indicator: "IMM_STOCK", status: PUBLISHED, fromYear: 2020, toYear: 2020 }) {
      nodes { referenceYear status version sourceKey country { m49 name } observations { dimensionKey value } } } }`,
  c: `{ country(code: "CHE") { m49 name submissions(first: 100, orderBy: { field: CREATED_AT, direction: ASC }) {
      nodes { referenceYear status version sourceKey indicator { code } observations { dimensionKey value } } } } }`,
  b: `{ indicators(first: 20) { nodes { code name tier buildingBlock
      candidateSourceTypes { suitability sourceType { code name } } } } }`,
};
const [rounds = '3', seconds = '8', ...builds] = process.argv.slice(2);
const queries = (process.env.QUERIES ?? 'typename,b').split(',');
if (!process.env.DATABASE_URL || builds.length === 0) {
  console.error('usage: DATABASE_URL=postgres://… tsx bench/request-cost.ts ROUNDS SECONDS name=dir[=flags[=node]] …');
  process.exit(2);
}

let nextPort = 4710;
async function start(dir: string, flags: string | undefined, node: string | undefined) {
  const port = nextPort++;
  const child: ChildProcess = spawn(
    node || process.execPath,
    [...(flags ? flags.replace(/:/g, '=').split(' ') : []), join(root, 'bin', 'migstat.mjs'), 'serve'],
    {
      env: {
        ...process.env,
        MIGSTAT_BUILD_DIR: dir,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        RATE_LIMIT_ANONYMOUS: '0',
        RATE_LIMIT_TOKEN: '0',
        RESPONSE_CACHE: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url: `http://127.0.0.1:${port}/graphql` };
}

const load = (url: string, query: string, duration: number) =>
  new Promise<Result>((resolve, reject) =>
    autocannon(
      {
        url,
        method: 'POST',
        connections: 50,
        duration,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );

const servers: Record<string, { child: ChildProcess; url: string }> = {};
for (const spec of builds) {
  const [name = '', dir = '', flags, node] = spec.split('=');
  servers[name] = await start(dir, flags, node);
}
// Every build must give the same answer, byte for byte, before its rate means anything.
const answers: Record<string, string> = {};
for (const [name, { url }] of Object.entries(servers)) {
  for (const q of queries) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERIES[q] }),
    });
    const text = await res.text();
    if (!res.ok || text.includes('"errors"')) throw new Error(`${name} ${q}: ${res.status} ${text.slice(0, 300)}`);
    if ((answers[q] ??= text) !== text) throw new Error(`${name} ${q}: a different answer from the first build's`);
    await load(url, QUERIES[q]!, 2); // warm-up
  }
}
const rates: Record<string, number[]> = {};
for (let round = 1; round <= Number(rounds); round++) {
  for (const q of queries) {
    for (const [name, { url }] of Object.entries(servers)) {
      const before = loadavg()[0]!.toFixed(1);
      const r = await load(url, QUERIES[q]!, Number(seconds));
      (rates[`${q} ${name}`] ??= []).push(r.requests.average);
      console.log(
        `round ${round} ${q} ${name}: ${r.requests.average} req/s, p50 ${r.latency.p50} ms, errors ${r.errors}, ` +
          `non-2xx ${r.non2xx}, load ${before}`,
      );
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [key, xs] of Object.entries(rates)) console.log(`median ${key}: ${median(xs)} req/s (${xs.join(', ')})`);
for (const { child } of Object.values(servers)) child.kill('SIGINT');
