// A command run through `migstat serve`'s control socket (PGlite) stops with its CLI: Ctrl-C on a large submissions
// import cancels it in the server, whose transaction rolls back, and the CLI says so once the server confirms. A
// server that dies under a command leaves the CLI saying how to find out what was done. Nothing is timed: the
// server, run with MIGSTAT_TEST_PAUSE=before-commit, stops each import inside its transaction once every row is
// written and says so, which the CLI relays; the test interrupts there, the last moment before the commit.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { writeSubmissionsFile } from '../../scripts/gen-submissions.js';
import { openDatabase } from '../../src/platform/db.js';
import { projectRoot } from '../../src/platform/paths.js';
import { cliEnv, migstatBin, runCli } from '../support/cli.js';
import { dbKind, prepare, testRun } from '../support/db.js';
import { importFootprint } from '../support/scenarios.js';
import { scratchDir } from '../support/scratch.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

const pgliteOnly = dbKind === 'pglite' ? describe : describe.skip;
jest.setTimeout(240_000);

// 12 000 rows: 800 submissions, written in several batches inside the one transaction.
const ROWS = 12_000;

/** Starts `migstat serve`, each import pausing before its commit; resolves once it serves. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; logs: () => string }> {
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
    cwd: projectRoot,
    env: cliEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', MIGSTAT_TEST_PAUSE: 'before-commit', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
      if (logs.includes('"msg":"serving"')) resolve({ child, logs: () => logs });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${logs}`)));
  });
}

/** Runs `migstat import submissions FILE` through the server; at its pause, `act`; resolves with how it ended. */
function importAndThen(file: string, env: Record<string, string>, act: (cli: ChildProcess) => void) {
  return new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
    const cli = spawn(process.execPath, [migstatBin, 'import', 'submissions', file], {
      cwd: projectRoot,
      env: cliEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let acted = false;
    cli.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!acted && stderr.includes('paused before commit')) {
        acted = true;
        act(cli);
      }
    });
    cli.on('error', reject);
    cli.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

function stopped(child: ChildProcess, signal: NodeJS.Signals) {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

// At the top level: a describe's own afterAll does not run when -t filters out all its tests, and the folder stayed.
const work = dbKind === 'pglite' ? scratchDir('migstat-control-kill-') : '';

pgliteOnly('a command run through the server', () => {
  const env = { PGLITE_DATA_DIR: join(work, 'pglite') };
  const file = join(work, 'big.csv');
  const read = async () => {
    const db = await openDatabase({ dataDir: env.PGLITE_DATA_DIR });
    try {
      return await importFootprint(db.prisma);
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    const seeded = testRun()?.pglite.seeded?.dir;
    if (seeded) cpSync(seeded, env.PGLITE_DATA_DIR, { recursive: true });
    else await (await prepare(await openDatabase({ dataDir: env.PGLITE_DATA_DIR }), 'seeded')).close();
    await writeSubmissionsFile(ROWS, file);
  });

  test('Ctrl-C on an import cancels it in the server, which rolls it back and says so; the server carries on', async () => {
    const before = await read();
    const server = await serve(env);
    try {
      const ended = await importAndThen(file, env, (cli) => cli.kill('SIGINT'));
      expect(ended.stderr).toContain(`writing ${ROWS} observations`);
      expect(ended.stderr).toContain('migstat: interrupted; the server rolled back the command');
      expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 130, signal: null });
      expect(server.logs()).toContain('control: the CLI went away; command cancelled and rolled back');
      // The server's one connection is free again: the next command runs through it.
      const list = await runCli(['token', 'list'], env);
      expect(list).toMatchObject({ code: 0, stdout: 'no tokens\n' });
    } finally {
      expect(await stopped(server.child, 'SIGTERM')).toBe(0);
    }
    expect(await read()).toEqual(before);
  });

  test('a server killed under an import leaves the CLI saying how to find out what was done', async () => {
    const before = await read();
    const server = await serve(env);
    const ended = await importAndThen(file, env, () => server.child.kill('SIGKILL'));
    if (server.child.exitCode === null && server.child.signalCode === null) await stopped(server.child, 'SIGKILL');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(
      `migstat: the server stopped before answering whether \`migstat import submissions ${file}\` was done; an ` +
        `import is all or nothing: \`migstat import submissions ${file} --dry-run\` reports what it would still write`,
    );
    expect(ended.stderr).not.toContain('token list');
    expect(await read()).toEqual(before);
  });
});
