// Runs `migstat` as a child process against a test database: a PGlite directory of its own, or a throwaway
// PostgreSQL database. Children run the build the global setup compiled once (MIGSTAT_BUILD_DIR), not tsx.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createDatabase, dbKind, prepare, testRun, type DatabaseState, type TestDatabase } from './db.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliTarget {
  /** Runs `migstat ...args`. */
  run(...args: string[]): Promise<CliResult>;
  /** Opens the target database in this process (close it before the next run on PGlite: one process at a time). */
  open(): Promise<Database>;
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** The path of the `migstat` entry point (bin/migstat.mjs). */
export const migstatBin = join(projectRoot, 'bin', 'migstat.mjs');

/**
 * A database for CLI children: migrated by default; `empty` (created, never migrated) or `seeded` (catalogue and
 * M49 list loaded) on request. The same on PGlite and PostgreSQL.
 */
export async function cliTarget(options: { database?: DatabaseState } = {}): Promise<CliTarget> {
  const state = options.database ?? 'migrated';
  let server: TestDatabase | undefined;
  let dir: string | undefined;
  const env: Record<string, string> = {};
  if (dbKind === 'postgres') {
    server = await createDatabase(state);
    env.DATABASE_URL = server.url!;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'migstat-cli-'));
    env.PGLITE_DATA_DIR = join(dir, 'pglite');
    const template = testRun()?.pglite[state]?.dir;
    if (template) cpSync(template, env.PGLITE_DATA_DIR, { recursive: true });
    else if (state !== 'empty')
      await (await prepare(await openDatabase({ dataDir: env.PGLITE_DATA_DIR }), state)).close();
  }
  return {
    env,
    run: (...args) => runCli(args, env),
    open: () => (server ? openDatabase({ url: server.url }) : openDatabase({ dataDir: env.PGLITE_DATA_DIR })),
    async dispose() {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/**
 * The environment of a `migstat` child: this process's, without database settings, with the run's compiled build,
 * NODE_ENV=test and LOG_LEVEL=warn, then `env`.
 */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn' };
  delete base.DATABASE_URL;
  delete base.PGLITE_DATA_DIR;
  const build = testRun()?.build;
  if (build) base.MIGSTAT_BUILD_DIR = build;
  return { ...base, ...env };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [migstatBin, ...args],
      { cwd: projectRoot, env: cliEnv(env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
