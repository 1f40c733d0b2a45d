// CONTRACT §6: one process owns an embedded PGlite data directory. A second `migstat serve` is refused naming the
// holder; a holder killed with SIGKILL leaves nothing stuck; while `serve` runs, the other commands run inside it
// (token create first of all: its token authenticates against the running server at once), and a directory held by
// another command is refused with what to do. PGlite only: PostgreSQL serves any number of processes.
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/platform/db.js';
import { DataDirBusyError } from '../../src/platform/data-dir-lock.js';
import { projectRoot } from '../../src/platform/paths.js';
import { cliEnv, runCli } from '../support/cli.js';
import { dbKind, testRun } from '../support/db.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

const pgliteOnly = dbKind === 'pglite' ? describe : describe.skip;
// Each test starts or stops a server or runs CLI commands against it: slow on a busy machine.
jest.setTimeout(180_000);

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

// Made only where the tests run: Jest runs no afterAll in a file whose tests are all skipped (PostgreSQL).
const work =
  dbKind === 'pglite' ? mkdtempSync(join(tmpdir(), 'migstat-owner-')) : join(tmpdir(), 'migstat-owner-unused');
const dataDir = join(work, 'pglite');
const env = { PGLITE_DATA_DIR: dataDir };
afterAll(() => rmSync(work, { recursive: true, force: true }));
// A copy of the run's seeded directory (test/support/db.ts): what is tested is who owns it, not how it was made.
const seeded = testRun()?.pglite.seeded?.dir;
if (dbKind === 'pglite' && seeded) cpSync(seeded, dataDir, { recursive: true });

/** Starts `migstat serve`; resolves once it serves, or with its exit code and stderr when it exits first. */
function serve(): Promise<Served | { code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, join(projectRoot, 'bin', 'migstat.mjs'), 'serve'], {
    cwd: projectRoot,
    env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const serving = /"msg":"serving"/.test(stderr) && /"url":"([^"]+)"/.exec(stderr);
      if (serving) resolve({ child, url: serving[1]!, stderr: () => stderr });
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

async function viewer(url: string, token: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { name role } }' }),
  });
  return (await res.json()) as { data?: { viewer: { name: string; role: string } }; errors?: unknown[] };
}

function stop(served: Served, signal: NodeJS.Signals = 'SIGTERM') {
  const exited = new Promise<number | null>((resolve) => served.child.once('exit', (code) => resolve(code)));
  served.child.kill(signal);
  return exited;
}

pgliteOnly('one owner per PGlite data directory', () => {
  let first: Served;
  let adminToken: string;

  test('a second serve on the same directory is refused, naming the holder; the first keeps serving', async () => {
    const started = await serve();
    if (!('child' in started)) throw new Error(`serve exited: ${started.stderr}`);
    first = started;
    const holder = JSON.parse(readFileSync(join(dataDir, 'migstat.lock'), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(first.child.pid);

    const second = await serve();
    if ('child' in second) {
      await stop(second);
      throw new Error('a second serve started on the same data directory');
    }
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by "migstat serve" (pid ${first.child.pid}, since `);
    expect(second.stderr).toContain('Stop that server first');
    // In this process too: the directory cannot be opened a second time.
    const opened = openDatabase({ dataDir }).then(
      (db) => db.close().then(() => null),
      (err: unknown) => err,
    );
    const err = await opened;
    expect(err).toBeInstanceOf(DataDirBusyError);
    expect((err as DataDirBusyError).holder?.pid).toBe(first.child.pid);
    // The first server still answers.
    expect((await fetch(first.url.replace('/graphql', '/ready'))).status).toBe(200);
  });

  test('token create while serving runs in the server; the token authenticates against it at once', async () => {
    const created = await runCli(['token', 'create', '--role', 'ADMIN', '--name', 'first admin'], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    adminToken = created.stdout.trim();
    expect(adminToken).toMatch(/^msh_/);
    expect((await viewer(first.url, adminToken)).data?.viewer).toEqual({ name: 'first admin', role: 'ADMIN' });
    // The server logged that it ran a command for the CLI.
    expect(first.stderr()).toContain('control: running a command for the CLI');

    // A usage error comes back as one, with a non-zero exit.
    const bad = await runCli(['token', 'create', '--role', 'KING'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--role must be one of ADMIN, TASK_FORCE, FOCAL_POINT, READER/);

    const list = await runCli(['token', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${adminToken.slice(0, 10)}\\s+ADMIN\\s+first admin`));
  });

  test('the other commands run through the server too: import, export, seed, migrate, revoke', async () => {
    const file = join(work, 'sources.csv');
    writeFileSync(file, 'code,country,source_type,name\nCHE_OWNER_TEST,CHE,POP_REGISTER,Test register\n');
    const imported = await runCli(['import', 'sources', file], env);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    const res = await fetch(first.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: '{ country(code: "CHE") { dataSources { edges { node { code } } } } }' }),
    });
    expect(JSON.stringify(await res.json())).toContain('CHE_OWNER_TEST');

    // Independent commands, all at once: the server runs each for its own CLI (the control socket takes several).
    const out = join(work, 'out.csv');
    const bad = join(work, 'bad-sources.csv');
    writeFileSync(bad, 'code,country,source_type,name\nCHE_DRY_RUN,ATL,POP_REGISTER,Nowhere\n');
    const [exported, written, seeded, migrated, missing, dry, rehearsed, usage] = await Promise.all([
      runCli(['export', 'submissions', '--status', 'DRAFT'], env),
      runCli(['export', 'submissions', '--out', out], env),
      runCli(['seed'], env),
      runCli(['migrate'], env),
      runCli(['import', 'sources', join(work, 'nope.csv')], env),
      runCli(['import', 'sources', bad, '--dry-run', '--json'], env),
      runCli(['import', 'sources', file, '--dry-run'], env),
      runCli(['import', 'sources', file, '--dryrun'], env),
    ]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout.split('\r\n')[0]).toMatch(/^country,indicator,reference_year,value/);
    expect(written).toMatchObject({ code: 0 });
    expect(readFileSync(out, 'utf8')).toMatch(/^country,indicator/);

    expect(seeded.stdout).toContain('Country: 0 created');
    expect(migrated.stdout).toMatch(/is up to date/);

    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv/);

    // A dry run in the server: its problems and exit code come back as they would alone, --json output included.
    expect(dry).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(dry.stdout)).toMatchObject({
      ok: false,
      dryRun: true,
      problems: [{ path: ['line 2', 'country'] }],
    });
    expect(rehearsed).toMatchObject({ code: 0, stderr: '' });
    expect(rehearsed.stdout).toContain('dataSources: 0 created, 0 updated, 1 unchanged');
    // A usage error never reaches the server.
    expect(usage).toMatchObject({ code: 2, stdout: '' });

    const reader = (await runCli(['token', 'create', '--role', 'READER', '--expires', '30d'], env)).stdout.trim();
    expect((await viewer(first.url, reader)).data?.viewer.role).toBe('READER');
    expect(await runCli(['token', 'revoke', reader.slice(0, 10)], env)).toMatchObject({ code: 0 });
    expect((await viewer(first.url, reader)).errors).toBeDefined();
  });

  test('a server killed with SIGKILL leaves nothing stuck: a new serve starts and has every write', async () => {
    expect(await stop(first, 'SIGKILL')).toBeNull();
    const again = await serve();
    if (!('child' in again)) throw new Error(`serve after SIGKILL exited ${again.code}: ${again.stderr}`);
    try {
      expect((await viewer(again.url, adminToken)).data?.viewer.name).toBe('first admin');
    } finally {
      expect(await stop(again)).toBe(0);
    }
  });

  test('a directory held by another command (not a server) is refused with what to do', async () => {
    const db = await openDatabase({ dataDir });
    try {
      const refused = await runCli(['token', 'list'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is in use by "`);
      expect(refused.stderr).toContain(`(pid ${process.pid}, since `);
      expect(refused.stderr).toContain('Wait for it to finish (or stop it), then run this command again.');
    } finally {
      await db.close();
    }
    // Released: the command works again.
    expect(await runCli(['token', 'list'], env)).toMatchObject({ code: 0 });
  });
});
