// `migstat --help`, per-command help with examples, `--version`, and usage errors (exit code 2) through the compiled
// CLI. None of these open a database.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { cliEnv, migstatBin, runCli } from '../support/cli.js';
import { testRun } from '../support/db.js';
import { scratchDir } from '../support/scratch.js';

const image = scratchDir('migstat-image-');

const run = (...args: string[]) => runCli(args, {});
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

test('migstat --help lists every command, the environment and the exit codes', async () => {
  // Independent processes, none opening a database: run at once.
  const [help, bare, asHelp] = await Promise.all([run('--help'), run(), run('help')]);
  expect(help).toMatchObject({ code: 0, stderr: '' });
  for (const command of ['serve', 'migrate', 'seed', 'import', 'export', 'token', 'help [command]']) {
    expect(help.stdout).toMatch(new RegExp(`^  ${command.replace(/[[\]]/g, '\\$&')} `, 'm'));
  }
  expect(help.stdout).toContain('DATABASE_URL');
  expect(help.stdout).toMatch(/^Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 {2}usage error/m);
  // Without arguments, and as `help`: the same text.
  expect(bare.stdout).toBe(help.stdout);
  expect(asHelp.stdout).toBe(help.stdout);
});

test('import --help and token create --help describe their arguments, options and examples', async () => {
  const [imports, submissions, create, helpCreate] = await Promise.all([
    run('import', '--help'),
    run('import', 'submissions', '--help'),
    run('token', 'create', '--help'),
    run('token', 'help', 'create'),
  ]);
  expect(imports).toMatchObject({ code: 0, stderr: '' });
  for (const kind of ['catalogue', 'countries', 'sources', 'submissions', 'accounts', 'adoptions', 'undesa-ims']) {
    expect(imports.stdout).toMatch(new RegExp(`^  ${kind} \\[options\\] <file>`, 'm'));
  }
  expect(imports.stdout).toContain('$ migstat import submissions data.csv --dry-run');

  expect(submissions.code).toBe(0);
  expect(submissions.stdout).toMatch(/^Usage: migstat import submissions \[options\] <file>/);
  expect(submissions.stdout).toMatch(/-n, --dry-run +validate the file/);
  expect(submissions.stdout).toMatch(/--json +print the result as one JSON document/);

  expect(create).toMatchObject({ code: 0, stderr: '' });
  expect(create.stdout).toMatch(/^Usage: migstat token create \[options\]/);
  for (const option of ['--role <role>', '--country <code>', '--name <text>', '--expires <when>', '--json']) {
    expect(create.stdout).toContain(option);
  }
  expect(create.stdout).toContain('$ migstat token create --role FOCAL_POINT --country CHE --expires 90d');
  expect(helpCreate.stdout).toBe(create.stdout);
});

test('--version prints the version of package.json', async () => {
  const runs = await Promise.all(['--version', '-V'].map((flag) => run(flag)));
  expect(runs).toEqual(Array(2).fill({ code: 0, stdout: `${version}\n`, stderr: '' }));
});

test('laid out as the Docker image (dist/ without the sources), it runs dist/ whatever NODE_ENV says', async () => {
  const build = testRun()?.build;
  expect(build).toBeDefined();
  mkdirSync(join(image, 'bin'));
  copyFileSync(migstatBin, join(image, 'bin', 'migstat.mjs'));
  copyFileSync('package.json', join(image, 'package.json'));
  symlinkSync(build!, join(image, 'dist'));
  const runs = await Promise.all(
    ['development', 'test', ''].map(
      (NODE_ENV) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          const env: NodeJS.ProcessEnv = { ...cliEnv(), NODE_ENV };
          delete env.MIGSTAT_BUILD_DIR;
          execFile(process.execPath, [join(image, 'bin', 'migstat.mjs'), '--version'], { env }, (err, stdout, stderr) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
          );
        }),
    ),
  );
  expect(runs).toEqual(Array(3).fill({ code: 0, stdout: `${version}\n`, stderr: '' }));
});

test('unknown commands and options, missing arguments: a clear message and exit code 2, nothing run', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /^migstat: error: unknown command 'frobnicate'\n/],
    [['improt', 'sources', 'x.csv'], /unknown command 'improt'\n\(Did you mean import\?\)/],
    [['import', 'sightings', 'x.csv'], /unknown command 'sightings'/],
    [['token', 'create', '--rol', 'ADMIN'], /unknown option '--rol'\n\(Did you mean --role\?\)/],
    [['token', 'create'], /required option '--role <role>' not specified/],
    [['import', 'submissions'], /missing required argument 'file'/],
    [['token', 'revoke', '1', '2'], /too many arguments for 'revoke'/],
    [['export', 'submissions', '--format', 'xlsx'], /unknown option '--format'/],
    // Help for a command that does not exist names it, rather than printing the whole help.
    [['help', 'frobnicate'], /^migstat: error: unknown command 'frobnicate'\n/],
    [['token', 'help', 'creat'], /unknown command 'creat'\n\(Did you mean create\?\)/],
  ];
  const [results, token] = await Promise.all([Promise.all(cases.map(([args]) => run(...args))), run('token')]);
  for (const [i, [args, message]] of cases.entries()) {
    const result = results[i]!;
    expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('(run with --help for usage)');
  }
  // A command group without its subcommand: its help, on stderr, as a usage error.
  expect(token.code).toBe(2);
  expect(token.stderr).toMatch(/^Usage: migstat token \[options\] \[command\]/);
});

test('a reader that closes the pipe early (| head) ends the command quietly, not with an EPIPE stack trace', async () => {
  const child = spawn(process.execPath, [migstatBin, 'import', '--help'], { cwd: projectRoot, env: cliEnv() });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // What `| head` does once it has read enough: the read end is closed, here before the help is written.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
});
