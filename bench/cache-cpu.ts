// What the response cache costs in CPU time, not wall time, so that it can be compared on a loaded, shared machine
// (bench/read-load.ts measures latency, which there is mostly waiting for a CPU): the hub in-process on embedded
// PGlite (yoga.fetch, no sockets), the four catalogue pages of `BENCH_READS=catalogue`, gzip accepted.
//  - CPU per hit: 3 rounds of 2 000 hits, 50 at a time;
//  - after a commit outdated every entry, 50 concurrent reads of the four pages: statements sent, misses, CPU.
//
//   npm run bench:cache-cpu
import { pino } from 'pino';
import { CLI_ACTOR } from '../src/access/audit.js';
import { seed } from '../src/cli/seed.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { createApi } from '../src/http/yoga.js';
import { startQueryLog } from '../test/support/query-log.js';

const db = await openDatabase({});
await migrate(db);
await seed(db.prisma, CLI_ACTOR);
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  RESPONSE_CACHE: 'true',
  RATE_LIMIT_ANONYMOUS: '0',
  RATE_LIMIT_TOKEN: '0',
});
const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
const READS = [
  `{ indicators(first: 50) { totalCount nodes { code name tier buildingBlock candidateSourceTypes { suitability sourceType { code name } } } } }`,
  `{ countries(first: 50, region: "150") { totalCount nodes { m49 iso3 name } } }`,
  `{ sourceTypes { code name } }`,
  `{ concepts(first: 20) { totalCount nodes { term } } }`,
];
const ask = async (q: string) => {
  const res = await api.fetch('http://hub.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip, deflate' },
    body: JSON.stringify({ query: q }),
  });
  const buf = await res.arrayBuffer();
  return [res.headers.get('x-response-cache'), res.headers.get('content-encoding'), buf.byteLength];
};
for (const q of READS) console.log(await ask(q));
for (let round = 0; round < 3; round++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const N = 2000;
  for (let i = 0; i < N; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => ask(READS[(i + j) % 4]!)));
  const c = process.cpuUsage(c0);
  console.log(
    `round ${round}: ${((c.user + c.system) / 1000 / N).toFixed(3)} ms CPU per hit, wall ${((performance.now() - t0) / N).toFixed(3)} ms`,
  );
}
// Every statement sent through the driver adapter, as the query-count tests count them.
const log = await startQueryLog(db.adapterFactory);
for (let round = 0; round < 3; round++) {
  // A commit outdates every entry; then 50 readers ask the four pages at once.
  await db.prisma.$executeRawUnsafe('UPDATE "Country" SET name = name WHERE id = (SELECT min(id) FROM "Country")');
  await new Promise((r) => setTimeout(r, 50));
  log.reset();
  const c0 = process.cpuUsage();
  const answers = await Promise.all(Array.from({ length: 50 }, (_, j) => ask(READS[j % 4]!)));
  const c = process.cpuUsage(c0);
  const misses = answers.filter((a) => a[0] === 'miss').length;
  console.log(
    `after a commit, 50 concurrent reads: ${log.statements.length} statements, ${misses} misses, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU`,
  );
}
log.stop();
await api.dispose();
await db.close();
