// Import memory benchmark (issue 9 item 4): peak RSS of `migstat import submissions FILE` for a generated file of
// BENCH_IMPORT_ROWS rows (default 100 000 and 1 000 000), on embedded PGlite and on PostgreSQL. Each import runs
// in its own process (the CLI, as a user runs it) under /usr/bin/time, whose "maximum resident set size" is the
// figure reported; the database is fresh (migrated and seeded) for each run.
//
//   npm run bench:import
//   BENCH_IMPORT_ROWS=100000 BENCH_DBS=pglite npm run bench:import
//   BENCH_IMPORT_FORMAT=xlsx npm run bench:import      the same rows as an XLSX workbook
//   BENCH_IMPORT_RUNNER=tsx npm run bench:import       the sources through tsx, as on a clone without a build
//
// By default the CLI runs compiled, as deployed (dist/ in the Docker image, or after `npm run build`): the sources
// are compiled once into a temporary directory (the tests' swc build) and run through MIGSTAT_BUILD_DIR.
//
// The file: six PERSONS indicators disaggregated by SEX × every country × as many years as needed (from 1800) ×
// the total, F and M; one row per observation, so 1 000 000 rows are ≈ 333 000 submissions.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../src/access/audit.js';
import { openDatabase } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { seed } from '../src/cli/seed.js';
import { parseCountries } from '../src/geography/countries.import.js';
import { dataDir, projectRoot } from '../src/platform/paths.js';
// @ts-expect-error: a JavaScript module without types (the tests' build step)
import { buildForTests } from '../test/support/build.mjs';

const SIZES = (process.env.BENCH_IMPORT_ROWS ?? '100000,1000000').split(',').map(Number);
const DBS = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',').map((s) => s.trim());
const PG_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const FORMAT = process.env.BENCH_IMPORT_FORMAT === 'xlsx' ? 'xlsx' : 'csv';
const RUNNER = process.env.BENCH_IMPORT_RUNNER === 'tsx' ? 'tsx' : 'build';
const INDICATORS = ['IMM_STOCK', 'IMM_STOCK_GROUP', 'IMM_FLOW', 'EMI_FLOW', 'EMI_STOCK', 'EMIGRANTS_CENSUS_5Y'];
const HEADER = ['country', 'indicator', 'reference_year', 'value', 'source_type', 'status', 'SEX'];

function* rows(countries: string[], total: number): Generator<(string | number)[]> {
  let n = 0;
  for (let year = 1800; ; year++)
    for (const country of countries)
      for (const indicator of INDICATORS) {
        const base = 1000 + ((year * 7919 + Number(country) * 31 + indicator.length) % 100_000);
        for (const [sex, value] of [
          ['_T', base * 2],
          ['F', base],
          ['M', base],
        ] as const) {
          if (n++ === total) return;
          yield [country, indicator, year, value, 'CENSUS', 'SUBMITTED', sex];
        }
      }
}

async function writeFile(path: string, countries: string[], total: number): Promise<void> {
  if (FORMAT === 'xlsx') {
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false });
    const sheet = book.addWorksheet('submissions');
    sheet.addRow(HEADER).commit();
    for (const row of rows(countries, total)) sheet.addRow(row).commit();
    sheet.commit();
    await book.commit();
    return;
  }
  const out = createWriteStream(path);
  out.write(HEADER.join(',') + '\n');
  for (const row of rows(countries, total)) {
    if (!out.write(row.join(',') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Runs the CLI import under /usr/bin/time; its peak RSS in MB and wall time in seconds. */
async function runImport(
  file: string,
  env: Record<string, string>,
  build: string | undefined,
): Promise<{ rssMb: number; seconds: number }> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.PGLITE_DATA_DIR;
  delete base.MIGSTAT_BUILD_DIR;
  const cli = build ? ['bin/migstat.mjs'] : ['--import', 'tsx', 'src/cli/cli-main.ts'];
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, ...cli, 'import', 'submissions', file], {
    env: { ...base, LOG_LEVEL: 'warn', ...env, ...(build ? { MIGSTAT_BUILD_DIR: build } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`import failed (${code}): ${stderr.slice(-2000)}`);
  const kb = Number(/MAXRSS (\d+)/.exec(stderr)?.[1]);
  if (!/observations/.test(stdout)) throw new Error(`unexpected import output: ${stdout}`);
  return { rssMb: kb / 1024, seconds };
}

async function prepare(
  dbKind: string,
  dir: string,
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (dbKind === 'pglite') {
    const dataDir = join(dir, 'pglite');
    const db = await openDatabase({ dataDir });
    await migrate(db);
    await seed(db.prisma, CLI_ACTOR);
    await db.close();
    return { env: { PGLITE_DATA_DIR: dataDir }, cleanup: async () => {} };
  }
  const name = `migstat_bench_import_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.href });
  await migrate(db);
  await seed(db.prisma, CLI_ACTOR);
  await db.close();
  return {
    env: { DATABASE_URL: url.href },
    cleanup: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'migstat-bench-import-'));
// Inside the project (tmp/ is git-ignored): the compiled code finds prisma/ and data/ by walking up.
mkdirSync(join(projectRoot, 'tmp'), { recursive: true });
const build = RUNNER === 'build' ? mkdtempSync(join(projectRoot, 'tmp', 'bench-build-')) : undefined;
try {
  if (build) await buildForTests(projectRoot, build);
  const m49s = await countryCodes();
  for (const size of SIZES) {
    const file = join(dir, `submissions-${size}.${FORMAT}`);
    await writeFile(file, m49s, size);
    const mb = statSync(file).size / 1024 / 1024;
    for (const dbKind of DBS) {
      const { env, cleanup } = await prepare(dbKind, join(dir, `${dbKind}-${size}`));
      try {
        const { rssMb, seconds } = await runImport(file, env, build);
        console.log(
          `${dbKind.padEnd(8)} ${String(size).padStart(8)} rows (${FORMAT}, ${mb.toFixed(0)} MB, ${RUNNER}): ` +
            `peak RSS ${rssMb.toFixed(0)} MB, ${seconds.toFixed(1)} s (${Math.round(size / seconds)} rows/s)`,
        );
      } finally {
        await cleanup();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (build) rmSync(build, { recursive: true, force: true });
}

/** The M49 codes of the seeded country list. */
async function countryCodes(): Promise<string[]> {
  return (await parseCountries({ file: join(dataDir, 'countries.csv') })).countries.map((c) => c.m49);
}
