// `migstat <command>` (CONTRACT §6): what each command of the tree in program.ts does. Every command but `serve`
// reads DATABASE_URL or uses the embedded PGlite directory; on a PGlite directory held by `migstat serve` it runs
// inside that server, through its control socket (control.ts). Failures end with a readable message and the exit
// code of EXIT_CODES: 1 when the command failed, 2 when the command line was wrong.
import { constants, createWriteStream, renameSync } from 'node:fs';
import { access, stat as fsStat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommanderError, type Command } from 'commander';
import type { listTokens } from '../access/tokens.js';
import { CLI_ACTOR } from '../access/audit.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import type { Database, DatabaseOptions } from '../platform/db.js';
import { DataDirBusyError, describeHolder, type LockHolder } from '../platform/data-dir-lock.js';
import { INTERRUPTED_EXIT, checkAdvice, runThroughServer, startControlServer, type RemoteIo } from './control.js';
import { ValidationError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { enableMemoryTrace, traceMemory } from '../platform/memory.js';
import type { MigrateOptions } from '../platform/migrate.js';
import type { ImporterOptions } from './importers.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import {
  buildProgram,
  EXPORT_STATUSES,
  isHelpOrVersion,
  type Actions,
  type ExportOptions,
  type ProgramOutput,
} from './program.js';

// The database, its migrations and the domain services are loaded by the commands that use them, not here: help,
// --version and a mistyped command line then cost a tenth of a second rather than a third (PGlite, Prisma's client
// and every parser are not loaded).
const database = () => import('../platform/db.js');
const migrations = () => import('../platform/migrate.js');
const tokens = () => import('../access/tokens.js');

/** A mistake in what the user asked for (a bad option value, a missing file): exit code 1, the message alone. */
export class UserError extends Error {}

/** Where the database is and how long to wait for it, from the configuration. */
export function databaseOptions(config: Config): DatabaseOptions {
  return {
    url: config.databaseUrl,
    replicaUrls: config.databaseReplicaUrls,
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
  const db = await (await database()).openDatabase(databaseOptions(config));
  try {
    await db.ping(config.databaseConnectTimeoutMs + 1_000);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new UserError(`cannot reach the database at ${db.location}: ${(err as Error).message}`);
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

/** Commander's help and parse errors go where the command's output goes. */
const outputOf = (io: Io): ProgramOutput => ({
  writeOut: (text) => void io.stdout.write(text),
  writeErr: (text) => void io.stderr.write(text),
});

/** Runs a command against the database, or hands it to the server that holds it. */
type WithDatabase = (
  run: (db: Database, config: Config | undefined) => Promise<void>,
  options?: { migrateFirst?: boolean },
) => Promise<void>;

/** Runs `migstat …argv` in this process (bin/migstat.mjs). Help and --version are successes. */
export async function main(argv: string[], io: Io = processIo()): Promise<void> {
  const withDatabase: WithDatabase = async (run, { migrateFirst = true } = {}) => {
    const config = loadConfig();
    enableMemoryTrace(config.memoryTrace);
    traceMemory('start');
    const opened = await openForCommand(config, io);
    traceMemory('opened');
    if ('control' in opened) {
      // The command line was valid here; the server parses it again and runs it on its own connection.
      const code = await relayInterrupt(argv, io, (interrupt) =>
        runThroughServer(opened.control, { argv, cwd: io.cwd, stderrIsTTY: io.stderr.isTTY }, io, interrupt),
      );
      if (code !== 0) throw new ReportedError(code);
      return;
    }
    const db = opened.db;
    try {
      if (migrateFirst) await (await migrations()).migrate(db, migrateOptions(config, io));
      traceMemory('migrated');
      await run(db, config);
      traceMemory('done');
    } finally {
      await db.close();
      traceMemory('closed');
    }
  };
  const program = buildProgram(
    commandActions(io, withDatabase, () => serve(loadConfig())),
    outputOf(io),
  );
  if (!argv.length) {
    program.outputHelp();
    return;
  }
  await parse(program, argv);
}

/**
 * Ctrl-C on a command running in the server: the first asks the server to cancel it and waits for its answer (a
 * cancelled import has rolled back), saying which; a second stops waiting, its outcome unknown.
 */
async function relayInterrupt(
  argv: string[],
  io: Io,
  run: (interrupt: AbortSignal) => Promise<{ exit: number; cancelled: boolean }>,
): Promise<number> {
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) {
      io.stderr.write(
        `migstat: interrupted again; not waiting for the server, which may still finish the command or roll it ` +
          `back; ${checkAdvice(argv)}\n`,
      );
      process.exit(INTERRUPTED_EXIT);
    }
    io.stderr.write('migstat: interrupted; asking the server to cancel the command (Ctrl-C again to stop waiting)\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const end = await run(interrupt.signal);
    if (!interrupt.signal.aborted) return end.exit;
    if (end.cancelled) io.stderr.write('migstat: interrupted; the server rolled back the command\n');
    else if (end.exit === 0)
      io.stderr.write('migstat: interrupted, but the server had already completed the command\n');
    return end.cancelled ? INTERRUPTED_EXIT : end.exit;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Runs a command line sent through the control socket, in the server, on its open database. */
export async function execute(argv: string[], db: Database, io: Io, config?: Config): Promise<void> {
  const serveAgain = async () => {
    throw new UserError('this directory is already being served');
  };
  await parse(
    buildProgram(
      commandActions(io, (run) => run(db, config), serveAgain),
      outputOf(io),
    ),
    argv,
  );
}

async function parse(program: ReturnType<typeof buildProgram>, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(withoutHelpOfUnknown(program, argv), { from: 'user' });
  } catch (err) {
    if (!isHelpOrVersion(err)) throw err;
  }
}

/**
 * `help X` where X is no command there: commander prints the whole help as a usage error without naming X. Parsed
 * as `X` alone it says "unknown command 'X'", with the nearest command, as for any unknown command.
 */
function withoutHelpOfUnknown(program: Command, argv: string[]): string[] {
  const named = (word: string) => (c: Command) => c.name() === word || c.aliases().includes(word);
  let command = program;
  for (const [i, word] of argv.entries()) {
    const sub = command.commands.find(named(word));
    if (sub) {
      command = sub;
      continue;
    }
    const target = argv[i + 1];
    const unknown = target !== undefined && !target.startsWith('-') && !command.commands.some(named(target));
    return word === 'help' && command.commands.length && unknown ? argv.toSpliced(i, 1) : argv;
  }
  return argv;
}

/** The exit code for a failure (EXIT_CODES in program.ts). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof ReportedError) return err.exitCode;
  if (err instanceof CommanderError) return isHelpOrVersion(err) ? 0 : 2;
  return 1;
}

/** A failure already reported to the user: by the server through the control channel, or as --json output. */
export class ReportedError extends Error {
  constructor(readonly exitCode: number) {
    super('');
  }
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

function commandActions(io: Io, withDatabase: WithDatabase, serveAction: () => Promise<void>): Actions {
  return {
    serve: serveAction,
    migrate: (options) =>
      withDatabase(
        async (db, config) => {
          const applied = await (await migrations()).migrate(db, migrateOptions(config, io));
          if (options.json) io.log(json({ location: db.location, applied }));
          else
            io.log(applied.length ? `Applied ${applied.join(', ')} to ${db.location}` : `${db.location} is up to date`);
        },
        { migrateFirst: false },
      ),
    seed: (options) =>
      withDatabase(async (db) => {
        const { seed } = await import('./seed.js');
        const report = await seed(db.prisma, CLI_ACTOR);
        io.log(options.json ? json(report) : formatReport(report));
      }),
    import: (kind, file, options) =>
      withDatabase(async (db, config) => {
        const path = resolvePath(io.cwd, file);
        // Checked up front: in a server (commands given through its control socket) a read stream's error must not
        // go unhandled, and the user gets "file not found: PATH" rather than a stack trace.
        const stat = await fsStat(path);
        if (!stat.isFile()) throw new UserError(`${path} is not a file`);
        await access(path, constants.R_OK);
        const dryRun = Boolean(options.dryRun);
        let report: unknown;
        try {
          const table = { sheet: options.sheet, decimalComma: options.decimalComma };
          const { importersByKind } = await import('./importers.js');
          report = await importersByKind[kind](db, path, io, {
            ...pauseForTest(config, io),
            dryRun,
            table,
            signal: io.signal,
          });
        } catch (err) {
          if (!(options.json && err instanceof ValidationError)) throw err;
          io.log(json({ ok: false, kind, file: path, dryRun, problems: err.issues }));
          throw new ReportedError(1);
        }
        if (options.json) io.log(json({ ok: true, kind, file: path, dryRun, report }));
        else {
          io.log(formatReport(report));
          if (dryRun) io.log('dry run: no problems found; nothing was written');
        }
      }),
    exportSubmissions: (options) => {
      // Checked before the database is opened (or a PGlite directory made): a mistyped status costs nothing.
      const statuses = exportStatuses(options.status);
      return withDatabase((db) => exportSubmissions(db, { ...options, statuses }, io));
    },
    tokenCreate: (options) =>
      asOptionErrors(async () => {
        const { checkRole, createToken, parseExpiry } = await tokens();
        // What needs no database is checked before opening it, as for export's --status.
        const role = checkRole(options.role.toUpperCase());
        const expiresAt = parseExpiry(options.expires);
        await withDatabase(async (db) => {
          const created = await createToken(db.prisma, {
            role,
            country: options.country,
            name: options.name,
            expiresAt,
          });
          io.log(options.json ? json(created) : created.token);
        });
      }),
    tokenList: (options) =>
      withDatabase(async (db) => {
        const rows = await (await tokens()).listTokens(db.prisma, { includeRevoked: options.all });
        io.log(options.json ? json(rows.map((r) => tokenRow(r))) : formatTokens(rows));
      }),
    tokenRevoke: (target, options) =>
      withDatabase((db) =>
        asOptionErrors(
          async () => {
            const { revokeTokens, revokeTargetOf } = await tokens();
            const ids = await revokeTokens(db.prisma, revokeTargetOf(target), CLI_ACTOR);
            io.log(
              options.json ? json({ revoked: ids }) : `revoked token${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`,
            );
          },
          { token: '<token>' },
        ),
      ),
  };
}

/**
 * The token service names input fields; on the command line they are options (`--expires`), or the positional
 * arguments `positionals` names as the help prints them (`<token>` of `token revoke`).
 */
async function asOptionErrors(run: () => Promise<void>, positionals: Record<string, string> = {}): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof (await tokens()).AccessError) {
      const name = positionals[err.field] ?? `--${err.field}`;
      throw new UserError(`${name} ${err.issues[0]?.message ?? err.message}`);
    }
    throw err;
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

/**
 * MIGSTAT_TEST_PAUSE: says where it stopped (on stderr), then waits there until the process is killed or, in a
 * server, the command is cancelled.
 */
function pauseForTest(config: Config | undefined, io: Io): ImporterOptions {
  if (config?.testPause !== 'before-commit') return {};
  return {
    beforeCommit: () => {
      io.stderr.write('paused before commit (MIGSTAT_TEST_PAUSE)\n');
      return new Promise<never>((_resolve, reject) => {
        const timer = setInterval(() => undefined, 60_000);
        const cancelled = () => {
          clearInterval(timer);
          reject(io.signal!.reason);
        };
        if (io.signal?.aborted) cancelled();
        else io.signal?.addEventListener('abort', cancelled, { once: true });
      });
    },
  };
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

type TokenRow = Awaited<ReturnType<typeof listTokens>>[number];

/** A token as `token list` shows it (never its secret: the service does not read it). */
function tokenRow(r: TokenRow, now = Date.now()) {
  return {
    id: r.id,
    prefix: r.prefix,
    role: r.role,
    country: r.country?.iso3 ?? r.country?.m49 ?? null,
    name: r.name,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    state: r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : 'active',
  };
}

function formatTokens(rows: TokenRow[]): string {
  if (!rows.length) return 'no tokens';
  const header = ['id', 'prefix', 'role', 'country', 'name', 'created', 'expires', 'state'];
  const seconds = (iso: string) => iso.slice(0, 19) + 'Z';
  const lines = rows
    .map((r) => tokenRow(r))
    .map((r) => [
      String(r.id),
      r.prefix,
      r.role,
      r.country ?? '',
      r.name,
      seconds(r.createdAt),
      r.expiresAt ? seconds(r.expiresAt) : 'never',
      r.state,
    ]);
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

/** `export --status`: comma-separated statuses, each one of EXPORT_STATUSES (any case). */
function exportStatuses(list: string): SubmissionStatus[] {
  const statuses = list.split(',').map((st) => st.trim().toUpperCase());
  const unknown = statuses.filter((st) => !(EXPORT_STATUSES as readonly string[]).includes(st));
  if (unknown.length) throw new UserError(`--status: ${unknown.join(', ')} not one of ${EXPORT_STATUSES.join(', ')}`);
  return statuses as SubmissionStatus[];
}

async function exportSubmissions(
  db: Database,
  options: ExportOptions & { statuses: SubmissionStatus[] },
  io: Io,
): Promise<void> {
  const { statuses } = options;
  let countryId: number | undefined;
  if (options.country) {
    const country = await (await tokens()).findCountry(db.prisma, options.country);
    if (!country) throw new UserError(`--country: no country with M49 or ISO3 code "${options.country}"`);
    countryId = country.id;
  }
  if (options.indicator && !(await db.prisma.indicator.findUnique({ where: { code: options.indicator } }))) {
    throw new UserError(`--indicator: no indicator with code "${options.indicator}"`);
  }
  // The operator holds the database, so reads as ADMIN would; --status (default PUBLISHED) chooses the versions.
  const [{ exportSubmissionsCsv }, { EVERYTHING }] = await Promise.all([
    import('../submissions/submissions.export.js'),
    import('../submissions/visibility.js'),
  ]);
  const lines = exportSubmissionsCsv(db.prisma, {
    visibility: EVERYTHING,
    statuses,
    indicator: options.indicator,
    countryId,
  });
  // Written to a temporary name and renamed, so a failed export never leaves a partial file behind.
  const out = options.out ? resolvePath(io.cwd, options.out) : undefined;
  const target = out ? `${out}.partial` : undefined;
  if (
    out &&
    !(await fsStat(dirname(out)).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    throw new UserError(`--out: no directory ${dirname(out)} to write ${out} in`);
  }
  await pipeline(Readable.from(lines), target ? createWriteStream(target) : io.stdout, { end: Boolean(target) });
  if (target && out) renameSync(target, out);
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  const db = await openConfigured(config);
  const [{ migrate }, { needsSeed, seed }] = await Promise.all([migrations(), import('./seed.js')]);
  try {
    const applied = await migrate(db, {
      onRecovered: (names) =>
        logger.warn({ migrations: names }, 'migrations interrupted before committing; applying again'),
    });
    if (applied.length) logger.info({ applied }, 'applied migrations');
    if (await needsSeed(db.prisma)) {
      logger.info({ report: await seed(db.prisma, CLI_ACTOR) }, 'seeded the M49 list and the catalogue');
    }
  } catch (err) {
    // Nothing will be served: close the database now, or its idle connections (pg's pool) keep the refused process
    // alive for another 10 s.
    await db.close();
    throw err;
  }
  // On PGlite the server owns the data directory; other `migstat` commands run in it through this socket.
  const control = db.lock
    ? await startControlServer(
        db.lock.dataDir,
        ({ argv, cwd }, io) => execute(argv, db, { ...io, cwd }, config),
        (err) => ({ message: describeError(err), exitCode: exitCodeOf(err) }),
        logger,
      )
    : undefined;
  if (control) db.lock?.update({ control: control.path });
  // Loaded here, not at the top: the other commands do without the server's modules (webhooks.service.ts alone
  // brings in GraphQL through Pothos, 8 MB of memory).
  const [{ listen }, { startWebhookWorker }, { closeChangeStreams }] = await Promise.all([
    import('../http/server.js'),
    import('../portals/webhooks.service.js'),
    import('../portals/feed.service.js'),
  ]);
  const server = await listen({ config, db, logger }).catch(async (err: NodeJS.ErrnoException) => {
    // Nothing is served: let go of the directory (its lock and control socket) and the database, and say why.
    await control?.close();
    await db.close();
    const where = `${config.host}:${config.port}`;
    if (err.code === 'EADDRINUSE') {
      throw new UserError(`cannot listen on ${where}: the port is in use by another process; set PORT to another one`);
    }
    if (err.code === 'EACCES') throw new UserError(`cannot listen on ${where}: not allowed (${err.message})`);
    throw err;
  });
  // What was bound, not what HOST said (a name resolves to one address); a wildcard listens on every interface, of
  // which localhost is the one sure to reach it.
  const bound = server.address();
  const host = typeof bound === 'object' && bound ? bound.address : config.host;
  const port = typeof bound === 'object' && bound ? bound.port : config.port;
  const allInterfaces = host === '0.0.0.0' || host === '::';
  const urlHost = allInterfaces ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  // Webhook deliveries: every serving process takes part (they coordinate through the database).
  const webhooks = startWebhookWorker({ config, db, logger });
  logger.info(
    {
      url: `http://${urlHost}:${port}/graphql`,
      // The web app, where a person starts (the README's first step).
      web: `http://${urlHost}:${port}/`,
      host,
      allInterfaces,
      database: db.kind,
      location: db.location,
    },
    'serving',
  );
  // What did not finish is abandoned: an import's transaction is never committed, a download or an answer is cut
  // off. Said in the log, so an operator knows what to run again.
  const abandon = (why: string) => {
    logger.warn(
      { commands: control?.running() ?? [], requests: server.inFlight() },
      `${why}; abandoning what still runs`,
    );
    process.exit(1);
  };
  let stopping = false;
  const stop = (signal: string) => {
    // A second signal (Ctrl-C again) stops waiting.
    if (stopping) return abandon(`${signal} while shutting down`);
    stopping = true;
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
    setTimeout(() => abandon('shutdown timed out'), config.shutdownTimeoutMs).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
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

/**
 * The problems a terminal shows: a file wrong in every line (a wrong delimiter, an unknown country code throughout)
 * would otherwise print hundreds of lines of the same few mistakes. `--json` and the API list them all.
 */
const PROBLEMS_SHOWN = 50;

/** Readable text for any failure; a ValidationError's issues, the first PROBLEMS_SHOWN of them. */
export function describeError(err: unknown): string {
  // Commander has printed its own message (and usage); a ReportedError's output has been printed too.
  if (err instanceof ReportedError || err instanceof CommanderError) return '';
  if (err instanceof DataDirBusyError) {
    const advice = isServer(err.holder)
      ? 'Stop that server first (Ctrl-C or SIGTERM), or serve another directory with PGLITE_DATA_DIR or a ' +
        'PostgreSQL database with DATABASE_URL. The other migstat commands work while it runs: they run inside it.'
      : 'Wait for it to finish (or stop it), then run this command again.';
    return `${err.message}.\n${advice}`;
  }
  if (err instanceof ValidationError) {
    const lines = err.issues.slice(0, PROBLEMS_SHOWN).map((i) => `  ${i.path.join(' ')}: ${i.message}`);
    const more = err.issues.length - PROBLEMS_SHOWN;
    if (more > 0) lines.push(`  … and ${more} more (--json lists every problem)`);
    return `${err.issues.length} problem(s), nothing was written:\n${lines.join('\n')}`;
  }
  if (err instanceof UserError || err instanceof ConfigError) return err.message;
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOENT') return `file not found: ${e.message?.split("'")[1] ?? ''}`;
  if (e?.code === 'ECONNREFUSED') return `cannot reach the database (${e.message})`;
  return (err as Error)?.message ?? String(err);
}
