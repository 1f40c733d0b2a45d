// The `migstat` command tree (commander): names, arguments, options, help texts and examples, and nothing else. The
// actions are passed in, so the same tree runs a command in this process, in a server (through its control socket),
// and is walked by `npm run docs:cli` for the README's command table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { projectRoot } from '../platform/paths.js';

/** Import kinds with the one-line description of their command. */
export const IMPORT_KINDS = {
  catalogue: 'import the indicator catalogue (JSON, like data/catalogue.json)',
  countries: 'import the M49 country and region list (CSV or XLSX, like data/countries.csv)',
  sources: 'import national data sources (CSV or XLSX, CONTRACT §5)',
  submissions: 'import submissions and their observations (CSV or XLSX, CONTRACT §5)',
  accounts: 'import population accounts (CSV or XLSX, CONTRACT §5)',
  adoptions: 'import adoption records (CSV or XLSX: country,recommendation,status,since,note,evidence_url)',
  'undesa-ims': 'import UN DESA International Migrant Stock 2020 (by destination)',
} as const;
export type ImportKind = keyof typeof IMPORT_KINDS;

/** The kinds read through the import kernel (src/platform/tabular.ts): CSV or an XLSX workbook. */
const TABLE_KINDS: ReadonlySet<ImportKind> = new Set(['countries', 'sources', 'submissions', 'accounts', 'adoptions']);
/** The kinds whose files hold figures, which may be written with decimal commas (`--decimal-comma`). */
const FIGURE_KINDS: ReadonlySet<ImportKind> = new Set(['submissions', 'accounts']);

export const EXPORT_STATUSES = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED', 'REJECTED'] as const;

export interface JsonOption {
  json?: boolean;
}
export interface ImportOptions extends JsonOption {
  dryRun?: boolean;
  /** XLSX: the sheet to read (CONTRACT §5: the first unless one is named). */
  sheet?: string;
  /** Numbers are written with a decimal comma ("6,5"), as the API's `decimalComma: true`. */
  decimalComma?: boolean;
}
export interface ExportOptions {
  status: string;
  indicator?: string;
  country?: string;
  out?: string;
}
export interface TokenCreateOptions extends JsonOption {
  role: string;
  country?: string;
  name?: string;
  expires?: string;
}

/** What each command does; `buildProgram` only declares them. */
export interface Actions {
  serve(): Promise<void>;
  migrate(options: JsonOption): Promise<void>;
  seed(options: JsonOption): Promise<void>;
  import(kind: ImportKind, file: string, options: ImportOptions): Promise<void>;
  exportSubmissions(options: ExportOptions): Promise<void>;
  tokenCreate(options: TokenCreateOptions): Promise<void>;
  tokenList(options: JsonOption & { all?: boolean }): Promise<void>;
  tokenRevoke(target: string, options: JsonOption): Promise<void>;
}

/** Where commander writes help and parse errors. */
export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** Exit codes, for the help and the README. */
export const EXIT_CODES = {
  0: 'success; for --dry-run, the file has no problems',
  1: 'failure: problems in a file (nothing was written), a bad option value, a missing file, no database',
  2: 'usage error: unknown command or option, missing argument (nothing was run)',
} as const;

export const VERSION = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

const ENVIRONMENT = `Environment:
  DATABASE_URL      a PostgreSQL database (postgres://…); without it, the embedded PGlite directory
  PGLITE_DATA_DIR   the PGlite directory (default ./.data/pglite). While \`migstat serve\` holds it, the other
                    commands run inside that server.`;

const exitCodesHelp = () =>
  `Exit codes:\n${Object.entries(EXIT_CODES)
    .map(([code, text]) => `  ${code}  ${text}`)
    .join('\n')}`;

/** An "Examples:" block, after a blank line. */
const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`;

const jsonOption = () => new Option('--json', 'print the result as one JSON document on stdout, for scripts');

/** True for the commander "errors" that are help or version output (`--help`, `help CMD`, `--version`). */
export function isHelpOrVersion(err: unknown): boolean {
  return err instanceof CommanderError && err.exitCode === 0;
}

export function buildProgram(actions: Actions, output?: ProgramOutput): Command {
  const program = new Command('migstat')
    .description('Migration Statistics Hub: serve the GraphQL API, migrate, seed, import, export, manage tokens.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print help for the command')
    .helpCommand('help [command]', 'print help for a command')
    // Errors are thrown (CommanderError), never process.exit: the caller maps them to exit code 2 and a server
    // running a command for a CLI must not exit.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `\n${ENVIRONMENT}\n\n${exitCodesHelp()}\n` +
        examples(
          'migstat serve',
          'migstat import submissions data/submissions.csv --dry-run',
          'migstat token create --role ADMIN --name "first admin"',
          'migstat import --help',
        ),
    );
  if (output) program.configureOutput({ ...output, outputError: (text, write) => write(`migstat: ${text}`) });

  program
    .command('serve')
    .description('migrate, seed an empty database, and serve the GraphQL API and the web app')
    .addHelpText(
      'after',
      `\nListens on PORT (default 4000); stops on SIGINT or SIGTERM.\n${examples('PORT=8080 migstat serve')}`,
    )
    .action(() => actions.serve());

  program
    .command('migrate')
    .description('apply pending migrations (serve does this too)')
    .addOption(jsonOption())
    .addHelpText('after', examples('migstat migrate', 'DATABASE_URL=postgresql://… migstat migrate --json'))
    .action((options: JsonOption) => actions.migrate(options));

  program
    .command('seed')
    .description('add what the hub lacks of data/catalogue.json and data/countries.csv; never changes what it holds')
    .addOption(jsonOption())
    .addHelpText('after', examples('migstat seed'))
    .action((options: JsonOption) => actions.seed(options));

  const importCommand = program
    .command('import')
    .description('import a file: validated whole, written all-or-nothing, every problem reported by location')
    .addHelpText(
      'after',
      '\nA file with problems is refused as a whole (exit code 1), each problem named by line and column (or by ' +
        'path in a\nJSON file). --dry-run validates without writing; its exit code says whether problems were found.\n' +
        examples(
          'migstat import submissions data.csv --dry-run',
          'migstat import adoptions adoptions.csv --json',
          'migstat import undesa-ims data/un_desa_ims2020_destination.csv',
        ),
    );
  for (const [kind, description] of Object.entries(IMPORT_KINDS) as [ImportKind, string][]) {
    const table = TABLE_KINDS.has(kind);
    const command = importCommand
      .command(kind)
      .description(description)
      .argument('<file>', 'the file to import (resolved in the current directory)')
      .option('-n, --dry-run', 'validate the file and report what would be imported; write nothing');
    if (table) command.option('--sheet <name>', 'XLSX: the sheet to read (by default the first)');
    const figures = FIGURE_KINDS.has(kind);
    if (figures) {
      command.option('--decimal-comma', 'numbers are written with a decimal comma ("6,5"), as from many locales');
    }
    command
      .addOption(jsonOption())
      .addHelpText(
        'after',
        examples(
          `migstat import ${kind} FILE --dry-run`,
          `migstat import ${kind} FILE`,
          ...(table ? [`migstat import ${kind} book.xlsx --sheet Data`] : []),
          ...(figures ? [`migstat import ${kind} FILE --decimal-comma`] : []),
        ),
      )
      .action((file: string, options: ImportOptions) => actions.import(kind, file, options));
  }

  program
    .command('export')
    .description('export data in the import format')
    .command('submissions')
    .description('write submissions as CSV in the import format, to --out FILE or stdout')
    .addOption(
      new Option('--status <list>', `comma-separated statuses: ${EXPORT_STATUSES.join(', ')}`).default('PUBLISHED'),
    )
    .option('--indicator <code>', 'only this indicator')
    .option('--country <code>', 'only this country (M49 or ISO3 code)')
    .option('--out <file>', 'write here (atomically: never a partial file) instead of stdout')
    .addHelpText(
      'after',
      '\nThe latest version of each submission with one of the statuses; the file imports back unchanged.\n' +
        examples(
          'migstat export submissions --out published.csv',
          'migstat export submissions --status DRAFT,SUBMITTED --country CHE',
        ),
    )
    .action((options: ExportOptions) => actions.exportSubmissions(options));

  const token = program.command('token').description('create, list and revoke API tokens');
  token
    .command('create')
    .description('create an API token and print it once (only its SHA-256 is stored)')
    .option('--role <role>', 'required: ADMIN, TASK_FORCE, FOCAL_POINT or READER')
    .option('--country <code>', 'the country of a FOCAL_POINT token (M49 or ISO3 code)')
    .option('--name <text>', 'a name to recognise the token by (default: role and country)')
    .option('--expires <when>', 'expiry: a date (2027-01-01) or a duration from now (90d, 12h); default: never')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'migstat token create --role ADMIN --name "first admin"',
        'migstat token create --role FOCAL_POINT --country CHE --expires 90d',
      ),
    )
    // Checked here rather than with requiredOption, which commander checks before unknown options: `--rol X`
    // must say that --rol is unknown.
    .action((options: Partial<TokenCreateOptions>, command: Command) =>
      options.role
        ? actions.tokenCreate({ ...options, role: options.role })
        : command.error("error: required option '--role <role>' not specified", {
            code: 'commander.missingMandatoryOptionValue',
            exitCode: 2,
          }),
    );
  token
    .command('list')
    .description('list live tokens: id, prefix, role, country, name, created, expiry, state; never secrets')
    .option('--all', 'include revoked tokens')
    .addOption(jsonOption())
    .addHelpText('after', examples('migstat token list', 'migstat token list --all --json'))
    .action((options: JsonOption & { all?: boolean }) => actions.tokenList(options));
  token
    .command('revoke')
    .description('revoke a token by id or by the prefix printed at creation (msh_ and 6 characters)')
    .argument('<token>', 'the token id, or its prefix')
    .addOption(jsonOption())
    .addHelpText('after', examples('migstat token revoke 12', 'migstat token revoke msh_AbCdEf'))
    .action((target: string, options: JsonOption) => actions.tokenRevoke(target, options));

  return program;
}

/** The commands that run something (leaves of the tree), with their full names. */
export function leafCommands(command: Command, prefix: string[] = []): { path: string[]; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return sub.commands.length ? leafCommands(sub, path) : [{ path, command: sub }];
  });
}

/** A row of the README's command table (`npm run docs:cli` writes it; test/cli/readme.test.ts checks it). */
export interface CommandRow {
  /** `migstat import submissions <file>` */
  command: string;
  /** The options' flags, help left out: `-n, --dry-run`, `--json`. */
  options: string[];
  description: string;
}

export function commandRows(program: Command): CommandRow[] {
  return leafCommands(program).map(({ path, command }) => ({
    command: [
      'migstat',
      ...path,
      ...command.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)),
    ].join(' '),
    options: command.options.filter((o) => o.long !== '--help').map((o) => o.flags),
    description: command.description(),
  }));
}

/** The tree alone, its actions never run: for the README table and its check. */
export function programForDocs(): Command {
  const none = async () => undefined;
  return buildProgram({
    serve: none,
    migrate: none,
    seed: none,
    import: none,
    exportSubmissions: none,
    tokenCreate: none,
    tokenList: none,
    tokenRevoke: none,
  });
}
