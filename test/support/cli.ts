// Runs `migstat` as a child process against a test database: a PGlite directory of its own, or the throwaway
// PostgreSQL database of the postgres project.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { createTestDatabase, dbKind, type TestDatabase } from './db.js';

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

export async function cliTarget(): Promise<CliTarget> {
  let server: TestDatabase | undefined;
  let dir: string | undefined;
  const env: Record<string, string> = {};
  if (dbKind === 'postgres') {
    server = await createTestDatabase();
    env.DATABASE_URL = server.url!;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'migstat-cli-'));
    env.PGLITE_DATA_DIR = join(dir, 'pglite');
  }
  return {
    env,
    run: (...args) => runCli(args, env),
    open: () => (server ? openDatabase({ url: server.url }) : openDatabase({ dataDir: env.PGLITE_DATA_DIR })),
    async dispose() {
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.PGLITE_DATA_DIR;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/migstat.mjs', ...args],
      { env: { ...base, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
