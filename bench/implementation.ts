// Implementation-tracking timings (issue 8) on the world-scale bench data: run `BENCH_KEEP=1 npm run bench` (keeps
// the PostgreSQL database and prints its URL), then
//   BENCH_DB_URL=postgresql://…/migstat_bench_… npx tsx bench/implementation.ts
// It adds one adoption record per country and recommendation (statuses spread by a hash), then times
// implementationSummary (Asia and the world), implementation (one country) and Country.implementation (a page of
// 50) through the GraphQL API, anonymous and as a task-force member. Medians of BENCH_RUNS runs after a warm-up.
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createToken } from '../src/access/tokens.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db.js';
import { createApi } from '../src/http/yoga.js';

const url = process.env.BENCH_DB_URL;
if (!url) throw new Error('BENCH_DB_URL: the URL of a database kept by BENCH_KEEP=1 npm run bench');
const RUNS = Number(process.env.BENCH_RUNS ?? '5');

const db = await openDatabase({ url });
const p = db.prisma;
await p.$executeRawUnsafe(`DELETE FROM "RecommendationAdoption"`);
await p.$executeRawUnsafe(`
  INSERT INTO "RecommendationAdoption" ("recommendationId", "countryId", status, since, "reportedBy", "updatedAt")
  SELECT r.id, c.id,
    (ARRAY['NOT_STARTED','PLANNED','PARTIAL','IMPLEMENTED','NOT_APPLICABLE'])[1 + (c.id * 7 + r.id * 3) % 5]::"AdoptionStatus",
    2010 + (c.id + r.id) % 15, 'bench', now()
  FROM "Country" c CROSS JOIN "Recommendation" r WHERE (c.id + r.id) % 6 <> 0`);
await p.$executeRawUnsafe(`
  INSERT INTO "AdoptionChange" ("adoptionId", revision, kind, status, since, actor, "recordedAt")
  SELECT id, 1, 'DECLARE', status, since, 'bench', timestamp '2015-01-01' + (id % 3000) * interval '1 day'
  FROM "RecommendationAdoption"`);
await p.$executeRawUnsafe('ANALYZE');
const records = await p.recommendationAdoption.count();
const api = createApi({
  config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
  db,
  logger: pino({ level: 'silent' }),
});
const taskForce = (await createToken(p, { role: 'TASK_FORCE', name: 'bench-tf' })).token;

const operations = {
  'implementationSummary (Asia, 50 countries, 2011–2020)': `{ implementationSummary(region: "142", window: { from: 2011, to: 2020 }) { recommendation { code } countriesInScope byStatus { status countries } evidenceMet discrepancies } }`,
  'implementationSummary (world, 248 countries, all years)': `{ implementationSummary { recommendation { code } countriesInScope byStatus { status countries } evidenceMet discrepancies } }`,
  'implementation (one country, all years)': `{ implementation(country: "CHE") { recommendation { code } status evidence { met detail } discrepancy history { revision } } }`,
  'countries(first: 50, Asia) { implementation }': `{ countries(first: 50, region: "142") { nodes { implementation(window: { from: 2011, to: 2020 }) { status evidence { met } discrepancy } } } }`,
  'implementationTimeline (world, 2010–2025)': `{ implementationTimeline(from: 2010, to: 2025) { recommendation { code } years { year implemented } } }`,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${records} adoption records; medians of ${RUNS} runs (ms)`);
for (const [name, query] of Object.entries(operations)) {
  const row: string[] = [];
  for (const [who, token] of [
    ['anonymous', undefined],
    ['task force', taskForce],
  ] as const) {
    const call = async () => {
      const res = await api.fetch('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
    };
    await call();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    row.push(`${who} ${median(times).toFixed(1)}`);
  }
  console.log(`${name}: ${row.join(', ')}`);
}
await db.close();
