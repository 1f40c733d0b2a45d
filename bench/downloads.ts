// Download benchmark (issue 9): the world-scale data set of bench/run.ts (every M49 country × 200 indicators × 20
// years, ≈ 330 000 submissions, ≈ 1 000 000 observations) on PostgreSQL, then /download/observations.csv (plain and
// gzip) and .xlsx over a real socket, as an anonymous portal and as an admin. Reports rows, bytes, time,
// throughput and the process's RSS before and at its peak during each download (sampled every 50 ms), to show that
// memory does not grow with the size of the download.
//
//   node --expose-gc --import tsx bench/downloads.ts      (BENCH_SCALE=0.1 for 20 indicators)
//   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { CLI_ACTOR } from '../src/access/audit.js';
import { createToken } from '../src/access/tokens.js';
import { seed } from '../src/cli/seed.js';
import { listen } from '../src/http/server.js';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { downloadRows } from '../src/portals/downloads.service.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const INDICATORS = Math.max(1, Math.round(200 * SCALE));

async function main() {
  const name = `migstat_bench_dl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    await migrate(db);
    await seed(db.prisma, CLI_ACTOR);
    let t = performance.now();
    const counts = await generate(db.prisma);
    console.log(
      `generated ${INDICATORS} indicators: ${counts.submissions} submissions, ${counts.observations} observations ` +
        `in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    if (process.env.BENCH_EXPLAIN) {
      const { Prisma } = await import('../prisma/generated/prisma/client.js');
      const { countableVersions } = await import('../src/coverage/coverage.service.js');
      const plan = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN ANALYZE
        SELECT c.id FROM (${countableVersions(
          { kind: 'PUBLISHED' },
          Prisma.sql`(SELECT coalesce(array_agg(id), '{}'::int[]) FROM "Indicator")::int[]`,
          null,
          Prisma.sql`AND (s."indicatorId", s."countryId", s."referenceYear", s."sourceKey") > (20, 100, 2005, 'ST:CENSUS')`,
        )}) c ORDER BY c."indicatorId", c."countryId", c."referenceYear", c."sourceKey" LIMIT 1000`);
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    }
    t = performance.now();
    const cpu = process.cpuUsage();
    let direct = 0;
    for await (const page of downloadRows(db.prisma, { kind: 'PUBLISHED' }, {}, ['SEX'])) direct += page.length;
    const used = process.cpuUsage(cpu);
    console.log(
      `rows straight from the database: ${direct} in ${((performance.now() - t) / 1000).toFixed(1)} s ` +
        `(hub process CPU ${((used.user + used.system) / 1e6).toFixed(1)} s)`,
    );
    // An independent count of what anonymous callers may download: the observations of the latest PUBLISHED
    // version of every key.
    const [{ expected } = { expected: -1 }] = await db.prisma.$queryRawUnsafe<{ expected: number }[]>(`
      SELECT count(*)::int AS expected FROM "Observation" o JOIN (
        SELECT DISTINCT ON ("indicatorId", "countryId", "referenceYear", "sourceKey") id
        FROM "Submission" WHERE status = 'PUBLISHED'
        ORDER BY "indicatorId", "countryId", "referenceYear", "sourceKey", version DESC) s ON s.id = o."submissionId"`);
    console.log(
      `published countable observations by plain SQL: ${expected} (${expected === direct ? 'equal' : 'DIFFERENT'})`,
    );
    const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
    const server = await listen({ config, db, logger: pino({ level: 'silent' }) });
    const { port } = server.address() as AddressInfo;
    const token = (await createToken(db.prisma, { role: 'ADMIN' })).token;
    for (const [label, path, headers] of [
      ['CSV, anonymous', '/download/observations.csv', {}],
      ['CSV gzip, anonymous', '/download/observations.csv', { 'accept-encoding': 'gzip' }],
      ['CSV, admin', '/download/observations.csv', { authorization: `Bearer ${token}` }],
      ['XLSX, anonymous', '/download/observations.xlsx', {}],
    ] as const) {
      global.gc?.();
      const before = process.memoryUsage();
      let peak = before.rss;
      let heapPeak = before.heapUsed;
      let live = 0;
      const sampler = setInterval(() => {
        // Every second, a full collection first (with --expose-gc): the live heap, not garbage awaiting collection.
        if (global.gc && ++live % 20 === 0) global.gc();
        const now = process.memoryUsage();
        peak = Math.max(peak, now.rss);
        heapPeak = Math.max(heapPeak, now.heapUsed);
      }, 50);
      t = performance.now();
      const { bytes, lines } = await fetchAll(port, path, headers);
      const seconds = (performance.now() - t) / 1000;
      clearInterval(sampler);
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
      console.log(
        `${label.padEnd(20)} ${mb(bytes).padStart(7)} ${lines ? `${lines - 1} rows` : ''} in ${seconds.toFixed(1)} s ` +
          `(${(bytes / 1024 / 1024 / seconds).toFixed(1)} MB/s); RSS ${mb(before.rss)} before, peak ${mb(peak)} ` +
          `(+${mb(peak - before.rss)}); heap ${mb(before.heapUsed)} before, peak ${mb(heapPeak)}`,
      );
    }
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await db.close();
    const cleanup = new pg.Client({ connectionString: PG_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  }
}

/** Reads the whole body, counting bytes and (uncompressed CSV) lines without keeping it. */
function fetchAll(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
      const count = res.headers['content-type']?.startsWith('text/csv') && !res.headers['content-encoding'];
      let bytes = 0;
      let lines = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (count) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => resolve({ bytes, lines }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The world-scale data set of bench/run.ts (same statements, kept in step by hand). */
async function generate(p: Awaited<ReturnType<typeof openDatabase>>['prisma']) {
  const run = (sql: string) => p.$executeRawUnsafe(sql);
  const blocks = `(ARRAY['IMMIGRATION_FLOW','EMIGRATION_FLOW','IMMIGRANT_STOCK','EMIGRANT_STOCK'])[1 + g % 4]::"BuildingBlock"`;
  await run(`
    INSERT INTO "Indicator" (code, name, unit, additive, "buildingBlock", tier, "provisionalFields", "updatedAt")
    SELECT 'B_' || lpad(g::text, 3, '0'), 'Benchmark indicator ' || g, 'PERSONS', true, ${blocks},
      (CASE WHEN g % 5 = 0 THEN 'CORE' ELSE 'ADDITIONAL' END)::"Tier", '{}', now()
    FROM generate_series(0, ${INDICATORS - 1}) g`);
  await run(`
    INSERT INTO "IndicatorVariable" ("indicatorId", "variableId")
    SELECT i.id, v.id FROM "Indicator" i, "Variable" v WHERE i.code LIKE 'B\\_%' AND v.code = 'SEX'`);
  const types = `(SELECT array_agg(id ORDER BY id) FROM "SourceType")`;
  await run(`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", version, status,
      "residenceCriterion", unit, "countableSince", "updatedAt")
    SELECT c.id, i.id, y, t.ids[1 + (c.id + i.id) % cardinality(t.ids)],
      'ST:' || (SELECT code FROM "SourceType" WHERE id = t.ids[1 + (c.id + i.id) % cardinality(t.ids)]), 1,
      (CASE WHEN (c.id + y) % 4 = 0 THEN 'VALIDATED' ELSE 'PUBLISHED' END)::"SubmissionStatus",
      (ARRAY['OPTION_I','OPTION_II','OTHER'])[1 + (c.id * 3 + i.id + y) % 3]::"ResidenceCriterion",
      'PERSONS', timestamp '2024-01-01' + (y - 2000) * interval '1 day', now()
    FROM "Country" c CROSS JOIN "Indicator" i CROSS JOIN generate_series(2001, 2020) y, ${types} AS t(ids)
    WHERE i.code LIKE 'B\\_%' AND (c.id::bigint * 7919 + i.id::bigint * 104729 + y::bigint * 1299709) % 100 < 33`);
  await run(`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", version, status,
      "residenceCriterion", unit, "updatedAt")
    SELECT "countryId", "indicatorId", "referenceYear", "sourceTypeId", "sourceKey", 2,
      (ARRAY['DRAFT','SUBMITTED','REJECTED'])[1 + id % 3]::"SubmissionStatus", 'OTHER', unit, now()
    FROM "Submission" WHERE version = 1 AND id % 20 = 0`);
  await run(`
    INSERT INTO "Observation" ("submissionId", value, dimensions, "dimensionKey")
    SELECT s.id, round(1000 + (s.id * 7 % 100000) * d.share), d.dims::jsonb, d.key
    FROM "Submission" s
    CROSS JOIN (VALUES ('', '{}', 1.0), ('SEX=F', '{"SEX":"F"}', 0.48), ('SEX=M', '{"SEX":"M"}', 0.52))
      AS d(key, dims, share)`);
  await run('ANALYZE');
  const [counts] = await p.$queryRawUnsafe<{ submissions: number; observations: number }[]>(
    `SELECT (SELECT count(*)::int FROM "Submission") AS submissions, (SELECT count(*)::int FROM "Observation") AS observations`,
  );
  return counts!;
}

await main();
