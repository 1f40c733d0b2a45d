// What the command line says when the platform under a command is wrong: a workbook without the sheet asked for is
// one problem (naming the sheets it has), not also an "empty file"; a database server that never answers is named
// with the limit that ran out and its setting, and one that hangs up is told apart from it; a PGLITE_DATA_DIR that
// holds someone's files is refused with nothing written into it, while an empty, new or hub-only folder is used; one
// PGlite cannot open is named as such.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { cliEnv, cliTarget, migstatBin, type CliResult, type CliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { scratchDir } from '../support/scratch.js';

// Commands start PGlite or wait out a connect timeout, several per test: slow on a busy machine.
jest.setTimeout(180_000);

const scratch = scratchDir('migstat-platform-');
// The tests that use no database of the run's need not run twice (PostgreSQL project).
const once = dbKind === 'pglite' ? test : test.skip;

/** `migstat ...args` in `cwd`, killed after `timeoutMs` (a `serve` that wrongly starts would run forever). */
function run(args: string[], env: Record<string, string>, cwd = scratch, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [migstatBin, ...args],
      { cwd, env: cliEnv(env), timeout: timeoutMs },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('import --sheet naming no sheet of the workbook', () => {
  // Two copies of the database, so that the --json and the text run (each a PGlite process, one per directory) run
  // at once.
  let targets: CliTarget[] = [];
  let book: string;
  beforeAll(async () => {
    targets = await Promise.all([cliTarget(), cliTarget()]);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').addRow(['see the sheet Data']);
    workbook.addWorksheet('Data').addRows([['country', 'recommendation', 'status', 'since']]);
    book = join(scratch, 'book.xlsx');
    await workbook.xlsx.writeFile(book);
  });
  afterAll(() => Promise.all(targets.map((t) => t.dispose())));

  test.each(['adoptions', 'submissions'])(
    'import %s: one problem, naming the sheet and the sheets there are',
    async (kind) => {
      const [json, text] = await Promise.all([
        targets[0]!.run('import', kind, book, '--sheet', 'nope', '--json'),
        targets[1]!.run('import', kind, book, '--sheet', 'nope'),
      ]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).problems).toEqual([
        {
          path: ['sheet nope', 'line 1'],
          message: 'the workbook has no sheet named "nope" (it has "Notes", "Data")',
          line: 1,
          column: null,
          sheet: 'nope',
        },
      ]);
      expect(text.code).toBe(1);
      expect(text.stderr).toBe(
        'migstat: 1 problem(s), nothing was written:\n' +
          '  sheet nope line 1: the workbook has no sheet named "nope" (it has "Notes", "Data")\n',
      );
    },
  );
});

describe('a PostgreSQL server that does not answer', () => {
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  /** A local TCP server: `silent` accepts and never answers (as a blackholed host), else it hangs up at once. */
  async function listen(behaviour: 'silent' | 'hang up'): Promise<number> {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      if (behaviour === 'hang up') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  once(
    'token list and serve say it did not answer within the connect timeout, naming the server and the setting',
    async () => {
      const port = await listen('silent');
      // A short limit: the server never answers, so any limit runs out, and the message must name the one set.
      const env = { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/hub`, DATABASE_CONNECT_TIMEOUT_MS: '300' };
      const message =
        `migstat: cannot reach the database at postgresql://postgres@127.0.0.1:${port}/hub: the database server at ` +
        `127.0.0.1:${port} did not answer within 300 ms (DATABASE_CONNECT_TIMEOUT_MS)\n`;
      const [list, serve] = await Promise.all([
        run(['token', 'list'], env),
        run(['serve'], { ...env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0' }),
      ]);
      expect(list).toEqual({ code: 1, stdout: '', stderr: message });
      expect(serve).toMatchObject({ code: 1, stderr: message });
    },
  );

  once('a server that hangs up before the handshake is told apart from one that does not answer', async () => {
    const port = await listen('hang up');
    const env = { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/hub`, DATABASE_CONNECT_TIMEOUT_MS: '5000' };
    const result = await run(['token', 'list'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `migstat: cannot reach the database at postgresql://postgres@127.0.0.1:${port}/hub: the server at ` +
        `127.0.0.1:${port} closed the connection before the PostgreSQL handshake finished (is a PostgreSQL server ` +
        'listening on that host and port?)\n',
    );
  });
});

describe('PGLITE_DATA_DIR', () => {
  /** Every entry under `dir` with its size, mode, time of change and, for a file, its content. */
  function snapshot(dir: string): Record<string, string> {
    const entries: Record<string, string> = {};
    for (const name of readdirSync(dir, { recursive: true }) as string[]) {
      const path = join(dir, name);
      const s = statSync(path);
      entries[name] = `${s.mode} ${s.size} ${s.mtimeMs} ${s.isFile() ? readFileSync(path, 'utf8') : ''}`;
    }
    return entries;
  }

  /** A folder of someone's files: a note and a folder of photos. */
  function usersFolder(name: string): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'photos'), { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    writeFileSync(join(dir, 'photos', 'beach.jpg'), 'not really a photo');
    return dir;
  }

  once('a folder of other files is refused, token list and serve alike, and nothing is written into it', async () => {
    const dir = usersFolder('documents');
    // The hub's own lock file, left by a start that stopped before initdb, makes the folder no more the hub's.
    const locked = usersFolder('documents-locked');
    writeFileSync(join(locked, 'migstat.lock'), '');
    // The four commands at once: each is refused before it writes, so none can see another's files.
    const folders = [dir, locked];
    const before = folders.map(snapshot);
    const serveEnv = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0' };
    const [listed, served] = await Promise.all([
      Promise.all(folders.map((folder) => run(['token', 'list'], { PGLITE_DATA_DIR: folder }))),
      Promise.all(folders.map((folder) => run(['serve'], { PGLITE_DATA_DIR: folder, ...serveEnv }, scratch, 60_000))),
    ]);
    folders.forEach((folder, i) => {
      const message =
        `migstat: PGLITE_DATA_DIR ${folder} is not empty and is not a PGlite data directory (no PG_VERSION; it holds ` +
        'notes.txt, photos); point PGLITE_DATA_DIR at an empty or new folder\n';
      expect(listed[i]).toEqual({ code: 1, stdout: '', stderr: message });
      expect(served[i]).toMatchObject({ code: 1, stderr: message });
      expect(snapshot(folder)).toEqual(before[i]);
    });
  });

  once('a file is refused as one', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'text');
    expect(await run(['token', 'list'], { PGLITE_DATA_DIR: file })).toEqual({
      code: 1,
      stdout: '',
      stderr: `migstat: PGLITE_DATA_DIR ${file} is a file, not a folder; point PGLITE_DATA_DIR at an empty or new folder\n`,
    });
    expect(readFileSync(file, 'utf8')).toBe('text');
  });

  once(
    'a data directory PGlite cannot open (a first start stopped after PG_VERSION) is named, with what to do',
    async () => {
      const half = join(scratch, 'half-made');
      mkdirSync(half);
      writeFileSync(join(half, 'PG_VERSION'), '17\n');
      const result = await run(['token', 'list'], { PGLITE_DATA_DIR: half });
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe(
        `migstat: PGLITE_DATA_DIR ${half} could not be opened as a PGlite data directory (PGlite failed to initialize ` +
          'properly): it may be incomplete (a first start stopped while creating it) or damaged (restore it from a ' +
          'backup); point PGLITE_DATA_DIR at an empty or new folder\n',
      );
    },
  );

  once(
    'an empty folder, one holding only the lock file, and a missing default ./.data/pglite are made a database',
    async () => {
      const empty = join(scratch, 'empty');
      mkdirSync(empty);
      const lockOnly = join(scratch, 'lock-only');
      mkdirSync(lockOnly);
      writeFileSync(join(lockOnly, 'migstat.lock'), '');
      const project = join(scratch, 'project');
      mkdirSync(project);
      // Three databases made from nothing (initdb and every migration, seconds each), in three folders: at once.
      const results = await Promise.all([
        run(['token', 'list'], { PGLITE_DATA_DIR: empty }),
        run(['token', 'list'], { PGLITE_DATA_DIR: lockOnly }),
        run(['token', 'list'], { PGLITE_DATA_DIR: '' }, project),
      ]);
      expect(results).toEqual(Array(3).fill({ code: 0, stdout: 'no tokens\n', stderr: '' }));
      for (const folder of [empty, lockOnly, join(project, '.data', 'pglite')])
        expect(readdirSync(folder)).toContain('PG_VERSION');
    },
  );
});
