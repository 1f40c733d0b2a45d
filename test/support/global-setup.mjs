// Jest globalSetup and globalTeardown: the work every test file used to repeat, done once per run.
//  - Compiles the sources once (test/support/build.mjs), for the CLI child processes (bin/migstat.mjs runs the build
//    named by MIGSTAT_BUILD_DIR instead of booting tsx in every child).
//  - Builds database templates once: PGlite data directories (initdb only, made small; migrated; migrated and seeded), as
//    directories for CLI children to copy and as tarballs for in-process databases to load; and, when
//    TEST_DATABASE_URL is set, a migrated and a seeded template database on that server, which each test file copies
//    with CREATE DATABASE … TEMPLATE.
// The locations reach the test workers (started after this) through one environment variable, read by
// test/support/db.ts and cli.ts; the teardown removes them all.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { buildForTests } from './build.mjs';

export const RUN_ENV = 'MIGSTAT_TEST_RUN';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function globalSetup() {
  if (process.env[RUN_ENV]) return; // a second project of the same run
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const run = {
    dir: mkdtempSync(join(tmpdir(), 'migstat-jest-')),
    // Inside the project (tmp/ is git-ignored), because the compiled code finds prisma/ and data/ by walking up.
    build: mkdtempSync(join(root, 'tmp', 'jest-build-')),
    pglite: {},
    postgres: undefined,
  };
  // Test files' scratch directories are made inside it (scratch.ts); the replica test's PostgreSQL runs as another
  // user in one of them, so others may pass through (not list) it.
  chmodSync(run.dir, 0o711);
  // Set first, so that the teardown removes whatever was made even when a step below fails.
  process.env[RUN_ENV] = JSON.stringify(run);
  await buildForTests(root, run.build);
  const built = (path) => import(pathToFileURL(join(run.build, path)).href);
  const modules = {
    ...(await built('src/platform/db.js')),
    ...(await built('src/platform/migrate.js')),
    ...(await built('src/cli/seed.js')),
    ...(await built('src/access/audit.js')),
  };
  run.pglite = await pgliteTemplates(modules, run.dir);
  process.env[RUN_ENV] = JSON.stringify(run);
  if (process.env.TEST_DATABASE_URL) {
    await dropAbandonedTemplates(process.env.TEST_DATABASE_URL);
    run.postgres = { prefix: `migstat_tpl_${process.pid}_${randomBytes(3).toString('hex')}` };
    process.env[RUN_ENV] = JSON.stringify(run);
    Object.assign(run.postgres, await postgresTemplates(modules, process.env.TEST_DATABASE_URL, run.postgres.prefix));
    process.env[RUN_ENV] = JSON.stringify(run);
  }
}

export async function globalTeardown() {
  const raw = process.env[RUN_ENV];
  if (!raw) return;
  delete process.env[RUN_ENV];
  const run = JSON.parse(raw);
  rmSync(run.dir, { recursive: true, force: true, maxRetries: 5 });
  rmSync(run.build, { recursive: true, force: true, maxRetries: 5 });
  if (run.postgres && process.env.TEST_DATABASE_URL) {
    await withAdmin(process.env.TEST_DATABASE_URL, async (admin) => {
      const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `${run.postgres.prefix}_%`,
      ]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    });
  }
}

/**
 * One PGlite data directory taken through initdb, the migrations and the seed, copied after each step; the migrated
 * and seeded states are also dumped as tarballs, which in-process databases load into memory.
 */
async function pgliteTemplates({ openDatabase, migrate, seed, CLI_ACTOR }, dir) {
  const state = (name) => join(dir, `pglite-${name}`);
  await initdbSmall(state('empty'));
  cpSync(state('empty'), state('migrated'), { recursive: true });
  let db = await openDatabase({ dataDir: state('migrated') });
  await migrate(db);
  await db.close();
  cpSync(state('migrated'), state('seeded'), { recursive: true });
  db = await openDatabase({ dataDir: state('seeded') });
  await seed(db.prisma, CLI_ACTOR);
  await db.close();
  const out = { empty: { dir: state('empty') } };
  for (const name of ['migrated', 'seeded']) {
    const pglite = new PGlite(state(name));
    await pglite.waitReady;
    const tar = `${state(name)}.tar`;
    writeFileSync(tar, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
    await pglite.close();
    out[name] = { dir: state(name), tar };
  }
  return out;
}

/**
 * initdb, less what every copy of it would otherwise carry and never read: a 1 MB WAL segment instead of 16 MB, and
 * no template0 and template1 (read only by CREATE DATABASE, which the tests never run on PGlite). A copy is then 16 MB
 * and 600 files instead of 42 MB and 1 200, and loading one into a test file's PGlite (untarred by PGlite's
 * JavaScript, file by file) costs about 0.2 s of CPU less.
 */
async function initdbSmall(dataDir) {
  const pglite = new PGlite({ dataDir, initDbStartParams: ['--wal-segsize=1'] });
  await pglite.waitReady;
  await pglite.exec(`UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`);
  await pglite.exec('DROP DATABASE template0');
  await pglite.exec('DROP DATABASE template1');
  await pglite.close();
}

async function postgresTemplates({ openDatabase, migrate, seed, CLI_ACTOR }, serverUrl, prefix) {
  const migrated = `${prefix}_migrated`;
  const seeded = `${prefix}_seeded`;
  const urlOf = (name) => {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${migrated}`));
  let db = await openDatabase({ url: urlOf(migrated) });
  await migrate(db);
  await db.close();
  await withAdmin(serverUrl, async (admin) => {
    await disconnectAll(admin, migrated);
    await admin.query(`CREATE DATABASE ${seeded} TEMPLATE ${migrated}`);
  });
  db = await openDatabase({ url: urlOf(seeded) });
  await seed(db.prisma, CLI_ACTOR);
  await db.close();
  await withAdmin(serverUrl, (admin) => disconnectAll(admin, seeded));
  return { migrated, seeded };
}

/** A template can only be copied while no session is connected to it; the pool of a closed client may linger. */
async function disconnectAll(admin, name) {
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
}

/** Templates of runs that died before their teardown (their process is gone) would stay on the server forever. */
async function dropAbandonedTemplates(serverUrl) {
  await withAdmin(serverUrl, async (admin) => {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'migstat\\_tpl\\_%'`);
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (pid && !alive(pid)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function withAdmin(serverUrl, work) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
