// A process killed (SIGKILL) in the middle of a large submissions import leaves the database exactly as before: the
// import is one transaction, and a transaction that never commits leaves nothing behind. The kill is not timed: the
// importer, run with MIGSTAT_TEST_PAUSE=before-commit, stops inside its transaction once every row is written, says
// so on stderr and waits; the test kills it there, at the last moment before the commit.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { writeSubmissionsFile } from '../../scripts/gen-submissions.js';
import { cliEnv, cliTarget, migstatBin, runCli } from '../support/cli.js';
import { importFootprint } from '../support/scenarios.js';
import { scratchDir } from '../support/scratch.js';

const scratch = scratchDir('migstat-kill-');
// 12 000 rows: 800 submissions in two write batches, 12 000 observations in three, all in the open transaction.
const ROWS = 12_000;

/** Runs `migstat import submissions FILE` paused before its commit, kills it there; resolves with how it ended. */
function importAndKill(file: string, env: Record<string, string>): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [migstatBin, 'import', 'submissions', file], {
      cwd: projectRoot,
      env: cliEnv({ ...env, LOG_LEVEL: 'silent', MIGSTAT_TEST_PAUSE: 'before-commit' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('paused before commit')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

test('SIGKILL just before the commit of a large submissions import leaves the database exactly as before', async () => {
  const file = join(scratch, 'big.csv');
  await writeSubmissionsFile(ROWS, file);
  const target = await cliTarget({ database: 'seeded' });
  try {
    // PGlite is single-process: the snapshot's connection is closed before the child opens the directory.
    const read = async () => {
      const db = await target.open();
      try {
        return await importFootprint(db.prisma);
      } finally {
        await db.close();
      }
    };
    const before = await read();
    const ended = await importAndKill(file, target.env);
    expect(ended.stderr).toContain(`writing ${ROWS} observations`);
    expect(ended.stderr).toContain('paused before commit');
    expect(ended.signal).toBe('SIGKILL');
    expect(await read()).toEqual(before);
  } finally {
    await target.dispose();
  }
}, 180_000);

test('the pause is a test fault point: refused outside NODE_ENV=test', async () => {
  const refused = await runCli(['migrate'], { NODE_ENV: 'production', MIGSTAT_TEST_PAUSE: 'before-commit' });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('MIGSTAT_TEST_PAUSE: a test fault point, allowed only with NODE_ENV=test');
});
