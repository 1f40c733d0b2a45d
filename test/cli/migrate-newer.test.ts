// A build started on a database that a newer release migrated (a downgrade: the operator rolls the image back, a
// rolling deploy restarts an old instance) refuses, naming the migrations it does not know, and changes nothing. The
// schema engine ignores applied migrations it has no folder for, so before this an old build served on the newer
// schema as if nothing had happened: the build of 2026-11-26 (cd36dad) on a database main had migrated read the
// webhook cursors main renumbers per audience as global sequences and queued every published change since again
// (1 003 duplicate deliveries for one webhook over UN DESA's 1 602 submissions).
import { spawn } from 'node:child_process';
import type { Database } from '../../src/platform/db.js';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

const NEWER = '29991231000000_from_a_newer_release';

const migrationRows = (db: Database) =>
  db.prisma.$queryRawUnsafe<{ name: string; finished: boolean; rolledBack: boolean }[]>(
    `SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack"
       FROM "_prisma_migrations" ORDER BY migration_name`,
  );

/** `migstat serve` until it exits (it must: a refusal), with its exit code and stderr. */
function serveUntilExit(env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
      env: cliEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Served instead of refusing: stop it, and let the assertions below say so.
      if (stderr.includes('"msg":"serving"')) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

let target: CliTarget;
let before: Awaited<ReturnType<typeof migrationRows>>;
beforeAll(async () => {
  target = await cliTarget();
  const db = await target.open();
  try {
    // What a newer release leaves: its own migration, applied, after every one this build has.
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ('newer', 'x', '${NEWER}', now(), now(), 1)`,
    );
    before = await migrationRows(db);
  } finally {
    await db.close();
  }
}, 60_000);
afterAll(() => target?.dispose());

const refusal = new RegExp(
  `was migrated by a newer release of migstat: it has 1 migration\\(s\\) this release does not know \\(${NEWER}\\)\\. Nothing was changed\\.`,
);

test('migrate refuses a database a newer release migrated, and leaves its migrations as they were', async () => {
  const run = await target.run('migrate', '--json');
  expect(run).toMatchObject({ code: 1, stdout: '' });
  expect(run.stderr).toMatch(refusal);
  // Every other command migrates first: it refuses as well, before doing anything.
  const list = await target.run('token', 'list');
  expect(list).toMatchObject({ code: 1, stdout: '' });
  expect(list.stderr).toMatch(refusal);
  const db = await target.open();
  try {
    expect(await migrationRows(db)).toEqual(before);
  } finally {
    await db.close();
  }
}, 60_000);

test('serve refuses it too, and exits instead of serving', async () => {
  const served = await serveUntilExit(target.env);
  expect(served.stderr).not.toContain('"msg":"serving"');
  expect(served.stderr).toMatch(refusal);
  expect(served.code).toBe(1);
}, 60_000);
