// CONTRACT §6 "Long imports show progress": `migstat import submissions FILE` redraws a bar on a terminal and prints
// one line when writing starts elsewhere (a pipe, a log). The terminal is a pseudo-terminal made by util-linux
// `script`; the importer's own progress is also checked through the sink it is given, as a command run for a CLI
// through a server's control socket gets that CLI's stderr.
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { importers } from '../../src/cli/importers.js';
import { projectRoot } from '../../src/platform/paths.js';
import { submissionRows } from '../../scripts/gen-submissions.js';
import { serve } from '../portals/serve.js';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { scratchDir } from '../support/scratch.js';

jest.setTimeout(180_000);

const scratch = scratchDir('migstat-progress-');
let target: CliTarget;
beforeAll(async () => {
  target = await cliTarget({ database: 'seeded' });
});
afterAll(() => target?.dispose());

/** A valid submissions file of `rows` rows (15 observations a submission), its years from `firstYear`. */
async function submissionsFile(name: string, rows: number, firstYear: number): Promise<string> {
  const path = join(scratch, name);
  const out = createWriteStream(path);
  for (const line of submissionRows(rows, firstYear)) {
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return path;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `migstat ...args` with stdout and stderr on a pseudo-terminal: `script -q` (no banner) `-e` (the command's
 * exit code) `-c COMMAND /dev/null` (no typescript file); what the terminal showed comes out on script's stdout.
 */
function runOnTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, migstatBin, ...args].map(quote).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: projectRoot,
      env: cliEnv({ ...env, SHELL: '/bin/sh' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

test('on a terminal, a long import redraws a progress bar: rows validated, then observations written', async () => {
  const rows = 12_000;
  const file = await submissionsFile('big.csv', rows, 1900);
  const { code, screen } = await runOnTerminal(['import', 'submissions', file], target.env);
  expect({ code, tail: screen.slice(-400) }).toMatchObject({ code: 0 });
  // Validation ticks every 5 000 rows (no total yet); the bar ends drawn full, at the last count.
  expect(screen).toMatch(/\rvalidating rows +5,000 /);
  expect(screen).toMatch(/\rwriting observations \[#{30}\] 100% 12,000\/12,000 /);
  // The line for logs is not printed on a terminal; the report follows the bar.
  expect(screen).not.toContain(`writing ${rows} observations`);
  expect(screen).toMatch(/submissionsCreated: 800\r?\n/);
});

// PGlite only: there a running server owns the directory and the CLI's command runs in it (PostgreSQL has no
// control socket; the CLI runs there on its own, as in the test above).
(dbKind === 'pglite' ? test : test.skip)(
  "through a server that holds the directory, the bar is drawn on the CLI's terminal, not the server's",
  async () => {
    const server = await serve(target);
    try {
      const file = await submissionsFile('through-server.csv', 6_000, 2100);
      const { code, screen } = await runOnTerminal(['import', 'submissions', file], target.env);
      expect({ code, tail: screen.slice(-400) }).toMatchObject({ code: 0 });
      expect(screen).toMatch(/\rwriting observations \[#{30}\] 100% 6,000\/6,000 /);
      expect(screen).not.toContain('writing 6000 observations');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  },
);

test("the importer's progress goes through the stderr it is given: a bar on a terminal, else one line", async () => {
  const rows = 6_000;
  const db = await target.open();
  try {
    const terminal: string[] = [];
    const onTerminal = {
      log: () => undefined,
      stderr: { write: (chunk: string) => void terminal.push(chunk), isTTY: true },
    };
    await importers.submissions!(db, await submissionsFile('terminal.csv', rows, 1960), onTerminal);
    const drawn = terminal.join('');
    expect(drawn).toMatch(/\rvalidating rows +5,000 /);
    expect(drawn).toMatch(/\rwriting observations \[[#.]{30}\] +\d+% [\d,]+\/6,000 /);
    expect(drawn).toMatch(/\rwriting observations \[#{30}\] 100% 6,000\/6,000 +\n$/);
    expect(drawn).not.toContain(`writing ${rows} observations`);

    // A dry run validates (with its bar) and writes nothing: no writing bar.
    terminal.length = 0;
    await importers.submissions!(db, await submissionsFile('terminal-dry.csv', rows, 1970), onTerminal, {
      dryRun: true,
    });
    expect(terminal.join('')).toMatch(/\rvalidating rows +5,000 [^]*\n$/);
    expect(terminal.join('')).not.toContain('writing');

    // Not a terminal (a pipe, a log, a server's stderr): exactly one line, when writing starts.
    const lines: string[] = [];
    const elsewhere = {
      log: () => undefined,
      stderr: { write: (chunk: string) => void lines.push(chunk), isTTY: false },
    };
    await importers.submissions!(db, await submissionsFile('piped.csv', rows, 1980), elsewhere);
    expect(lines).toEqual([`writing ${rows} observations\n`]);
    lines.length = 0;
    await importers.submissions!(db, await submissionsFile('piped-dry.csv', rows, 2000), elsewhere, { dryRun: true });
    expect(lines).toEqual([]);
  } finally {
    await db.close();
  }
});
