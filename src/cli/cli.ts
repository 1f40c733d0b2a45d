// `migstat <command>` (CONTRACT §6). Every command reads DATABASE_URL or uses the embedded PGlite directory, and
// exits non-zero with a readable message on failure.
import { constants, createWriteStream, renameSync } from 'node:fs';
import { access, stat as fsStat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  AccessError,
  createToken,
  findCountry,
  listTokens,
  parseExpiry,
  revokeTargetOf,
  revokeTokens,
  type Role,
} from '../access/tokens.js';
import { CLI_ACTOR } from '../access/audit.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { openDatabase, type Database, type DatabaseOptions } from '../platform/db.js';
import { DataDirBusyError, describeHolder, type LockHolder } from '../platform/data-dir-lock.js';
import { runThroughServer, startControlServer, type RemoteIo } from './control.js';
import { ValidationError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { migrate, type MigrateOptions } from '../platform/migrate.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries } from '../geography/countries.import.js';
import { isEmpty, seed } from './seed.js';
import { importAccounts } from '../accounting/accounts.import.js';
import { readUtf8File, terminalProgress } from '../platform/csv.js';
import { importDataSources } from '../submissions/sources.import.js';
import { importAdoptions } from '../implementation/adoptions.import.js';
import { importSubmissions } from '../submissions/submissions.import.js';
import { importUndesaIms } from '../submissions/undesa.import.js';
import { exportSubmissionsCsv } from '../submissions/submissions.export.js';
import { EVERYTHING } from '../submissions/visibility.js';
import { closeChangeStreams } from '../portals/feed.service.js';
import { startWebhookWorker } from '../portals/webhooks.service.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';

const USAGE = `usage: migstat <command>
  serve                               start the GraphQL server (migrates, and seeds an empty database)
  migrate                             apply pending migrations
  seed                                load data/catalogue.json and data/countries.csv (idempotent)
  import catalogue|countries FILE     import a file (all-or-nothing)
  import sources|submissions|accounts FILE
                                      import country data (CSV, CONTRACT §5; all-or-nothing)
  import adoptions FILE               import adoption records (country,recommendation,status,since,note,
                                      evidence_url; all-or-nothing)
  import undesa-ims FILE              import UN DESA International Migrant Stock 2020 (by destination)
  export submissions [--status S,…] [--indicator CODE] [--country CODE] [--out FILE]
                                      write submissions CSV (the import format; default: PUBLISHED, latest
                                      version of each submission) to FILE or standard output
  token create --role ROLE [--country CODE] [--name TEXT] [--expires 2027-01-01|90d]
                                      create an API token; prints it once
  token list [--all]                  list live tokens (--all: revoked ones too); never their secrets
  token revoke ID|PREFIX              revoke a token by id or by the prefix printed at creation
Environment: DATABASE_URL (postgres://…) or PGLITE_DATA_DIR (default ./.data/pglite).
On a PGlite directory served by \`migstat serve\`, the other commands run inside that server.`;

export class UsageError extends Error {}

/** Where an importer reports: lines of its result, and progress on `stderr` (this process's when absent). */
type Out = { log: (line: string) => void; stderr?: Io['stderr'] };

export interface ImporterOptions {
  /** Called inside the import's transaction, just before the commit (see MIGSTAT_TEST_PAUSE). */
  beforeCommit?: () => Promise<void>;
}

export interface Importer {
  (db: Database, file: string, out: Out, options?: ImporterOptions): Promise<unknown>;
}

/** Importers by kind; domain modules add theirs here. */
export const importers: Record<string, Importer> = {
  catalogue: async (db, file) => importCatalogue(db.prisma, parseCatalogue(readUtf8File(file)), CLI_ACTOR),
  countries: async (db, file) => importCountries(db.prisma, parseCountries(readUtf8File(file)), CLI_ACTOR),
  sources: async (db, file) => importDataSources(db.prisma, { file }, CLI_ACTOR),
  submissions: async (db, file, out, options = {}) => {
    const progress = importProgress(out.stderr);
    const result = await importSubmissions(
      db.prisma,
      { file },
      { actor: CLI_ACTOR, onProgress: progress.tick, beforeCommit: options.beforeCommit },
    );
    progress.done();
    if (!result.ok) {
      throw ValidationError.of(
        result.problems.map((p) => ({ path: [`line ${p.line}`, ...(p.column ? [p.column] : [])], message: p.message })),
      );
    }
    return result.report;
  },
  accounts: async (db, file) => importAccounts(db.prisma, { file }, CLI_ACTOR),
  adoptions: async (db, file) => {
    const result = await importAdoptions(db.prisma, { file }, { actor: CLI_ACTOR });
    if (!result.ok) {
      throw ValidationError.of(
        result.problems.map((p) => ({ path: [`line ${p.line}`, ...(p.column ? [p.column] : [])], message: p.message })),
      );
    }
    return { adoptions: result.report };
  },
  'undesa-ims': async (db, file) => importUndesaIms(db.prisma, file, CLI_ACTOR),
};

/**
 * Progress of a long import on stderr: a redrawn bar on a terminal; elsewhere one line when writing starts, so
 * logs (and supervising processes) can tell validation from writing.
 */
function importProgress(stderr: Io['stderr'] | undefined) {
  // The bar is drawn on this process's own terminal only (not on a server's, for a CLI on its control socket).
  const sink = stderr ?? {
    write: (chunk: string) => process.stderr.write(chunk),
    isTTY: Boolean(process.stderr.isTTY),
  };
  const bar = stderr
    ? null
    : { validate: terminalProgress('validating rows'), write: terminalProgress('writing observations') };
  let phase: 'validate' | 'write' | null = null;
  return {
    tick: (next: 'validate' | 'write', done: number, total?: number) => {
      if (phase !== next) {
        if (phase) bar?.[phase].done();
        phase = next;
        if (next === 'write' && !sink.isTTY) sink.write(`writing ${total ?? 0} observations\n`);
      }
      bar?.[next].tick(done, total);
    },
    done: () => {
      if (phase) bar?.[phase].done();
    },
  };
}

/** Where the database is and how long to wait for it, from the configuration. */
export function databaseOptions(config: Config): DatabaseOptions {
  return {
    url: config.databaseUrl,
    dataDir: config.pgliteDataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  };
}

/**
 * Opens the configured database and checks that it answers, so that an unreachable server is one readable line
 * (the schema engine would report it as "External error") after the connect timeout, not a hang.
 */
async function openConfigured(config: Config): Promise<Database> {
  const db = await openDatabase(databaseOptions(config));
  try {
    await db.ping(config.databaseConnectTimeoutMs + 1_000);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new UsageError(`cannot reach the database at ${db.location}: ${(err as Error).message}`);
  }
  return db;
}

/** Where a command writes: this process's terminal, or a CLI on the other end of the control socket. */
export type Io = RemoteIo;

const processIo = (): Io => ({
  log: (line) => console.log(line),
  stdout: process.stdout,
  stderr: { write: (chunk) => process.stderr.write(chunk), isTTY: Boolean(process.stderr.isTTY) },
  cwd: process.cwd(),
});

/** Commands that open the database (all but serve and help); on a served PGlite directory they run in the server. */
const DATABASE_COMMANDS = new Set(['migrate', 'seed', 'import', 'export', 'token']);

export async function main(argv: string[], io: Io = processIo()): Promise<void> {
  const [command] = argv;
  const config = loadConfig();
  if (command === 'serve') return serve(config);
  if (command === undefined || command === 'help' || command === '--help') {
    io.log(USAGE);
    return;
  }
  if (!DATABASE_COMMANDS.has(command)) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  const opened = await openForCommand(config, io);
  if ('control' in opened) {
    const code = await runThroughServer(opened.control, { argv, cwd: io.cwd }, io);
    if (code !== 0) throw new ReportedError(code);
    return;
  }
  const db = opened.db;
  try {
    if (command !== 'migrate') await migrate(db, migrateOptions(config, io));
    await execute(argv, db, io, config);
  } finally {
    await db.close();
  }
}

/** A failure already reported to the user (by the server, through the control channel). */
export class ReportedError extends Error {
  constructor(readonly exitCode: number) {
    super('');
  }
}

/**
 * Opens the database for a command. On a PGlite directory owned by a running `migstat serve`, returns the server's
 * control socket instead (waiting while the server starts); owned by any other command, refuses naming it.
 */
async function openForCommand(config: Config, io: Io): Promise<{ db: Database } | { control: string }> {
  if (config.databaseUrl) return { db: await openConfigured(config) };
  const deadline = Date.now() + 120_000;
  let waiting = false;
  for (;;) {
    try {
      return { db: await openConfigured(config) };
    } catch (err) {
      if (!(err instanceof DataDirBusyError)) throw err;
      if (err.holder?.control) return { control: err.holder.control };
      if (!isServer(err.holder) || Date.now() > deadline) throw err;
      if (!waiting) {
        waiting = true;
        io.stderr.write(`migstat: waiting for the server ${describeHolder(err.holder)} to finish starting\n`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function isServer(holder: LockHolder | null): boolean {
  return Boolean(holder && (holder.control || /^migstat serve\b/.test(holder.command)));
}

/** Runs one database command on an open database: in this process, or in the server for a CLI. */
/** MIGSTAT_TEST_PAUSE: says where it stopped (on stderr), then waits there until the process is killed. */
function pauseForTest(config: Config | undefined, io: Io): ImporterOptions {
  if (config?.testPause !== 'before-commit') return {};
  return {
    beforeCommit: () => {
      io.stderr.write('paused before commit (MIGSTAT_TEST_PAUSE)\n');
      return new Promise<never>(() => setInterval(() => undefined, 60_000));
    },
  };
}

export async function execute(argv: string[], db: Database, io: Io, config?: Config): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate': {
      const applied = await migrate(db, migrateOptions(config, io));
      io.log(applied.length ? `Applied ${applied.join(', ')} to ${db.location}` : `${db.location} is up to date`);
      return;
    }
    case 'seed':
      io.log(formatReport(await seed(db.prisma, CLI_ACTOR)));
      return;
    case 'import': {
      const [kind, file, ...extra] = rest;
      const importer = kind ? importers[kind] : undefined;
      if (!importer || !file || extra.length) {
        throw new UsageError(`usage: migstat import ${Object.keys(importers).join('|')} FILE`);
      }
      const path = resolvePath(io.cwd, file);
      // Checked up front: in a server (commands given through its control socket) a read stream's error must not
      // go unhandled, and the user gets "file not found: PATH" rather than a stack trace.
      const stat = await fsStat(path);
      if (!stat.isFile()) throw new UsageError(`${path} is not a file`);
      await access(path, constants.R_OK);
      io.log(formatReport(await importer(db, path, io, pauseForTest(config, io))));
      return;
    }
    case 'export':
      return exportCommand(db, rest, io);
    case 'token':
      return tokenCommand(db, rest, io);
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

/**
 * Reports migrations recovered from an interrupted run and, for the kill-loop test (MIGSTAT_MIGRATE_TRACE,
 * MIGSTAT_MIGRATE_PAUSE_AT), announces each engine statement on stderr and stops before the chosen one.
 */
function migrateOptions(config: Config | undefined, io: Io): MigrateOptions {
  return {
    onRecovered: (names) =>
      io.stderr.write(`migstat: ${names.join(', ')} had been interrupted before committing; applying again\n`),
    beforeStep: async (step, what) => {
      if (config?.migrateTrace) io.stderr.write(`migrate step ${step}: ${what}\n`);
      if (step === config?.migratePauseAt) {
        io.stderr.write(`migrate paused before step ${step}\n`);
        setInterval(() => {}, 1 << 30);
        await new Promise(() => {});
      }
    },
  };
}

const TOKEN_USAGE = `usage: migstat token create --role ADMIN|TASK_FORCE|FOCAL_POINT|READER [--country CODE] [--name TEXT]
                          [--expires 2027-01-01|90d]
       migstat token list [--all]
       migstat token revoke ID|PREFIX`;

async function tokenCommand(db: Database, args: string[], io: Io): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      country: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      all: { type: 'boolean' },
    },
  });
  const [sub, ...more] = positionals;
  try {
    if (sub === 'create' && !more.length && values.role) {
      const { token } = await createToken(db.prisma, {
        role: values.role.toUpperCase() as Role,
        country: values.country,
        name: values.name,
        expiresAt: parseExpiry(values.expires),
      });
      io.log(token);
      return;
    }
    if (sub === 'list' && !more.length) {
      const rows = await listTokens(db.prisma, { includeRevoked: values.all });
      io.log(formatTokens(rows));
      return;
    }
    if (sub === 'revoke' && more.length === 1) {
      const ids = await revokeTokens(db.prisma, revokeTargetOf(more[0]!), CLI_ACTOR);
      io.log(`revoked token${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`);
      return;
    }
  } catch (err) {
    // The service names input fields; on the command line they are options.
    if (err instanceof AccessError) throw new UsageError(`--${err.field} ${err.issues[0]?.message ?? err.message}`);
    throw err;
  }
  throw new UsageError(TOKEN_USAGE);
}

function formatTokens(rows: Awaited<ReturnType<typeof listTokens>>): string {
  const now = Date.now();
  const header = ['id', 'prefix', 'role', 'country', 'name', 'created', 'expires', 'state'];
  const lines = rows.map((r) => [
    String(r.id),
    r.prefix,
    r.role,
    r.country?.iso3 ?? r.country?.m49 ?? '',
    r.name,
    r.createdAt.toISOString().slice(0, 19) + 'Z',
    r.expiresAt ? r.expiresAt.toISOString().slice(0, 19) + 'Z' : 'never',
    r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : 'active',
  ]);
  if (!lines.length) return 'no tokens';
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const STATUSES: readonly SubmissionStatus[] = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED', 'REJECTED'];

async function exportCommand(db: Database, args: string[], io: Io): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      status: { type: 'string', default: 'PUBLISHED' },
      indicator: { type: 'string' },
      country: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (positionals[0] !== 'submissions' || positionals.length > 1) {
    throw new UsageError(
      'usage: migstat export submissions [--status S,…] [--indicator CODE] [--country CODE] [--out FILE]',
    );
  }
  const statuses = values.status.split(',').map((st) => st.trim().toUpperCase());
  const unknown = statuses.filter((st) => !STATUSES.includes(st as SubmissionStatus));
  if (unknown.length) throw new UsageError(`--status: ${unknown.join(', ')} not one of ${STATUSES.join(', ')}`);
  {
    let countryId: number | undefined;
    if (values.country) {
      const country = await findCountry(db.prisma, values.country);
      if (!country) throw new UsageError(`--country: no country with M49 or ISO3 code "${values.country}"`);
      countryId = country.id;
    }
    if (values.indicator && !(await db.prisma.indicator.findUnique({ where: { code: values.indicator } }))) {
      throw new UsageError(`--indicator: no indicator with code "${values.indicator}"`);
    }
    // The operator holds the database, so reads as ADMIN would; --status (default PUBLISHED) chooses the versions.
    const lines = exportSubmissionsCsv(db.prisma, {
      visibility: EVERYTHING,
      statuses: statuses as SubmissionStatus[],
      indicator: values.indicator,
      countryId,
    });
    // Written to a temporary name and renamed, so a failed export never leaves a partial file behind.
    const out = values.out ? resolvePath(io.cwd, values.out) : undefined;
    const target = out ? `${out}.partial` : undefined;
    await pipeline(Readable.from(lines), target ? createWriteStream(target) : io.stdout, { end: Boolean(target) });
    if (target && out) renameSync(target, out);
  }
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  const db = await openConfigured(config);
  const applied = await migrate(db, {
    onRecovered: (names) =>
      logger.warn({ migrations: names }, 'migrations interrupted before committing; applying again'),
  });
  if (applied.length) logger.info({ applied }, 'applied migrations');
  if (await isEmpty(db.prisma)) {
    logger.info({ report: await seed(db.prisma, CLI_ACTOR) }, 'seeded an empty database');
  }
  // On PGlite the server owns the data directory; other `migstat` commands run in it through this socket.
  const control = db.lock
    ? await startControlServer(
        db.lock.dataDir,
        ({ argv, cwd }, io) => execute(argv, db, { ...io, cwd }),
        describeError,
        logger,
      )
    : undefined;
  if (control) db.lock?.update({ control: control.path });
  const { listen } = await import('../http/server.js');
  const server = await listen({ config, db, logger });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Webhook deliveries: every serving process takes part (they coordinate through the database).
  const webhooks = startWebhookWorker({ config, db, logger });
  logger.info({ url: `http://localhost:${port}/graphql`, database: db.kind, location: db.location }, 'serving');
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    // Live change streams end first: an open SSE response would keep server.close waiting.
    void closeChangeStreams(db);
    server.close(
      () =>
        void Promise.resolve(control?.close())
          .then(() => webhooks.stop())
          .then(() => db.close())
          .finally(() => process.exit(0)),
    );
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

export function formatReport(report: unknown): string {
  if (!report || typeof report !== 'object') return String(report ?? 'done');
  return Object.entries(report as Record<string, unknown>)
    .map(([k, v]) =>
      v && typeof v === 'object'
        ? `${k}: ${Object.entries(v as Record<string, unknown>)
            .map(([a, b]) => `${b} ${a}`)
            .join(', ')}`
        : `${k}: ${String(v)}`,
    )
    .join('\n');
}

/** Readable text for any failure; ValidationErrors list every issue. */
export function describeError(err: unknown): string {
  if (err instanceof DataDirBusyError) {
    const advice = isServer(err.holder)
      ? 'Stop that server first (Ctrl-C or SIGTERM), or serve another directory with PGLITE_DATA_DIR or a ' +
        'PostgreSQL database with DATABASE_URL. The other migstat commands work while it runs: they run inside it.'
      : 'Wait for it to finish (or stop it), then run this command again.';
    return `${err.message}.\n${advice}`;
  }
  if (err instanceof ValidationError) {
    const lines = err.issues.map((i) => `  ${i.path.join(' ')}: ${i.message}`);
    return `${err.issues.length} problem(s), nothing was written:\n${lines.join('\n')}`;
  }
  if (err instanceof UsageError || err instanceof ConfigError) return err.message;
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOENT') return `file not found: ${e.message?.split("'")[1] ?? ''}`;
  if (e?.code === 'ECONNREFUSED') return `cannot reach the database (${e.message})`;
  return (err as Error)?.message ?? String(err);
}
