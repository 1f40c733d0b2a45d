// Import timings (issue 3): the UN DESA file and a generated submissions file, on PGlite and on PostgreSQL.
//   tsx scripts/bench-imports.ts [ROWS] [POSTGRES_SERVER_URL]
// PGlite runs in a temporary directory; PostgreSQL on a throwaway database created on the given server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CLI_ACTOR } from '../src/access/audit.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { dataDir } from '../src/platform/paths.js';
import { seed } from '../src/cli/seed.js';
import { importSubmissions } from '../src/submissions/submissions.import.js';
import { importUndesaIms } from '../src/submissions/undesa.import.js';
import { writeSubmissionsFile } from './gen-submissions.js';

const rows = Number(process.argv[2] ?? 100_000);
const serverUrl = process.argv[3];
const work = mkdtempSync(join(tmpdir(), 'migstat-bench-'));
const file = join(work, `submissions-${rows}.csv`);
await writeSubmissionsFile(rows, file);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function time<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  console.log(`  ${label}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return result;
}

async function bench(kind: string, db: Database) {
  console.log(`${kind} (${db.location})`);
  await migrate(db);
  await seed(db.prisma, CLI_ACTOR);
  await time('UN DESA IMS 2020 import', () =>
    importUndesaIms(db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR),
  );
  await time('UN DESA IMS 2020 re-import (unchanged)', () =>
    importUndesaIms(db.prisma, join(dataDir, 'un_desa_ims2020_destination.csv'), CLI_ACTOR),
  );
  const first = await time(`${rows} rows submissions import`, () =>
    importSubmissions(db.prisma, { file }, { actor: CLI_ACTOR }),
  );
  if (!first.ok) throw new Error(JSON.stringify(first.problems.slice(0, 5)));
  console.log(`    ${first.report.submissionsCreated} submissions, ${first.report.observationsCreated} observations`);
  const again = await time(`${rows} rows re-import (unchanged)`, () =>
    importSubmissions(db.prisma, { file }, { actor: CLI_ACTOR }),
  );
  if (again.ok) console.log(`    ${again.report.submissionsUnchanged} unchanged`);
  console.log(`  peak RSS so far: ${Math.round(peakRss / 1e6)} MB`);
}

const pgliteDir = join(work, 'pglite');
const lite = await openDatabase({ dataDir: pgliteDir });
try {
  await bench('PGlite', lite);
} finally {
  await lite.close();
}

if (serverUrl) {
  const name = `migstat_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    await bench('PostgreSQL', db);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
clearInterval(sampler);
rmSync(work, { recursive: true, force: true });
