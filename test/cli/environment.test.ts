// Environment variables given empty (`PGLITE_DATA_DIR=` in a compose file whose `${VAR}` is unset, or a .env file)
// are unset: their defaults apply, as in Docker, compose and dotenv. A number that is not one is refused naming the
// variable and quoting what was given. In-memory PGlite is only ever chosen by name.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { openDatabase } from '../../src/platform/db.js';
import { cliEnv, migstatBin, runCli, type CliResult } from '../support/cli.js';
import { dbKind, testRun } from '../support/db.js';
import { scratchDir } from '../support/scratch.js';

jest.setTimeout(180_000);

const scratch = scratchDir('migstat-env-');

/** `migstat ...args` run in `cwd`, so that the default ./.data/pglite is a directory of this test's. */
function runIn(cwd: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [migstatBin, ...args], { cwd, env: cliEnv(env) }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

(dbKind === 'pglite' ? test : test.skip)(
  'PGLITE_DATA_DIR= is the default directory: a token created there is listed by the next command',
  async () => {
    const cwd = join(scratch, 'project');
    mkdirSync(cwd);
    const template = testRun()?.pglite.migrated?.dir;
    if (template) cpSync(template, join(cwd, '.data', 'pglite'), { recursive: true });
    const empty = { PGLITE_DATA_DIR: '' };
    const created = await runIn(cwd, ['token', 'create', '--role', 'ADMIN', '--name', 'ghost'], empty);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(cwd, '.data', 'pglite', 'PG_VERSION'))).toBe(true);
    const listed = await runIn(cwd, ['token', 'list'], empty);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${created.stdout.trim().slice(0, 10)}\\s+ADMIN\\s+ghost`));
  },
);

test('an empty value is the default for every variable; empty GRAPHIQL and LOG_LEVEL are not refused', () => {
  const defaults = loadConfig({ NODE_ENV: 'production' });
  const variables = [
    'HOST',
    'PORT',
    'DATABASE_URL',
    'DATABASE_REPLICA_URLS',
    'PGLITE_DATA_DIR',
    'DATABASE_CONNECT_TIMEOUT_MS',
    'DATABASE_STATEMENT_TIMEOUT_MS',
    'LOG_LEVEL',
    'GRAPHIQL',
    'MAX_BODY_BYTES',
    'CORS_ORIGINS',
    'PUBLIC_URL',
    'RATE_LIMIT_ANONYMOUS',
    'RATE_LIMIT_TOKEN',
    'RATE_LIMIT_WINDOW_SECONDS',
    'TRUST_PROXY',
    'REDIS_URL',
    'REDIS_KEY_PREFIX',
    'WEBHOOK_ALLOW_PRIVATE',
    'WEBHOOK_RETRY_BASE_MS',
    'WEBHOOK_RETRY_MAX_MS',
    'WEBHOOK_TIMEOUT_MS',
    'MAX_CONCURRENT_OPERATIONS',
    'MAX_WAITING_OPERATIONS',
    'SHUTDOWN_TIMEOUT_MS',
    'RESPONSE_CACHE',
    'RESPONSE_CACHE_MAX_MB',
    'MIGSTAT_MEMORY_TRACE',
  ];
  for (const name of variables) {
    expect({ name, config: loadConfig({ NODE_ENV: 'production', [name]: '' }) }).toEqual({ name, config: defaults });
  }
  // The ones that went wrong before, by value: a random port, rate limiting and admission control off.
  const empty = loadConfig(Object.fromEntries(variables.map((name) => [name, ''])));
  expect(empty).toMatchObject({
    port: 4000,
    pgliteDataDir: './.data/pglite',
    logLevel: 'info',
    rateLimit: { anonymous: 300, token: 1200, trustProxy: 0 },
    admission: { concurrency: 4, maxWaiting: 1000 },
    databaseStatementTimeoutMs: 30_000,
  });
});

test('a number that is not one is refused naming the variable and quoting the value', () => {
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`${JSON.stringify(env)} was accepted`);
  };
  expect(problem({ PORT: 'abc' })).toContain('PORT: must be a whole number (got "abc")');
  expect(problem({ PORT: ' ' })).toContain('PORT: must be a whole number (got " ")');
  expect(problem({ PORT: '70000' })).toContain('PORT: must be 65535 or less (got "70000")');
  expect(problem({ RATE_LIMIT_TOKEN: '-1' })).toContain('RATE_LIMIT_TOKEN: must be 0 or more (got "-1")');
  expect(problem({ TRUST_PROXY: '1.5' })).toContain('TRUST_PROXY: must be a whole number (got "1.5")');
  expect(problem({ LOG_LEVEL: 'loud' })).toMatch(/LOG_LEVEL: .* \(got "loud"\)/);
  expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
});

test('the CLI says which variable is wrong and what it was given', async () => {
  const refused = await runCli(['token', 'list'], { PORT: 'abc' });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('PORT: must be a whole number (got "abc")');
});

test('in-memory PGlite is only chosen by name ("memory://"): an empty data directory is refused', async () => {
  await expect(openDatabase({ dataDir: '' })).rejects.toThrow(/empty name.*memory:\/\//);
});
