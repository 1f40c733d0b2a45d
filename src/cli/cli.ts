// `migstat <command>` (CONTRACT §6). Every command reads DATABASE_URL or uses the embedded PGlite directory, and
// exits non-zero with a readable message on failure.
import { createWriteStream, renameSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createToken, findCountry, type Role } from '../access/tokens.js';
import { CLI_ACTOR } from '../access/audit.js';
import { ConfigError, loadConfig, type Config } from '../platform/config.js';
import { openDatabase, type Database, type DatabaseOptions } from '../platform/db.js';
import { ValidationError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { migrate } from '../platform/migrate.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries } from '../geography/countries.import.js';
import { isEmpty, seed } from './seed.js';
import { importAccounts } from '../accounting/accounts.import.js';
import { readUtf8File, terminalProgress } from '../platform/csv.js';
import { importDataSources } from '../submissions/sources.import.js';
import { importSubmissions } from '../submissions/submissions.import.js';
import { importUndesaIms } from '../submissions/undesa.import.js';
import { exportSubmissionsCsv } from '../submissions/submissions.export.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';

const USAGE = `usage: migstat <command>
  serve                               start the GraphQL server (migrates, and seeds an empty database)
  migrate                             apply pending migrations
  seed                                load data/catalogue.json and data/countries.csv (idempotent)
  import catalogue|countries FILE     import a file (all-or-nothing)
  import sources|submissions|accounts FILE
                                      import country data (CSV, CONTRACT §5; all-or-nothing)
  import undesa-ims FILE              import UN DESA International Migrant Stock 2020 (by destination)
  export submissions [--status S,…] [--indicator CODE] [--country CODE] [--out FILE]
                                      write submissions CSV (the import format; default: PUBLISHED, latest
                                      version of each submission) to FILE or standard output
  token create --role ROLE [--country CODE] [--name TEXT]
                                      create an API token; prints it once
Environment: DATABASE_URL (postgres://…) or PGLITE_DATA_DIR (default ./.data/pglite).`;

export class UsageError extends Error {}

type Out = { log: (line: string) => void };

export interface Importer {
  (db: Database, file: string, out: Out): Promise<unknown>;
}

/** Importers by kind; domain modules add theirs here. */
export const importers: Record<string, Importer> = {
  catalogue: async (db, file) => importCatalogue(db.prisma, parseCatalogue(readUtf8File(file)), CLI_ACTOR),
  countries: async (db, file) => importCountries(db.prisma, parseCountries(readUtf8File(file)), CLI_ACTOR),
  sources: async (db, file) => importDataSources(db.prisma, { file }, CLI_ACTOR),
  submissions: async (db, file) => {
    const progress = importProgress();
    const result = await importSubmissions(db.prisma, { file }, { actor: CLI_ACTOR, onProgress: progress.tick });
    progress.done();
    if (!result.ok) {
      throw ValidationError.of(
        result.problems.map((p) => ({ path: [`line ${p.line}`, ...(p.column ? [p.column] : [])], message: p.message })),
      );
    }
    return result.report;
  },
  accounts: async (db, file) => importAccounts(db.prisma, { file }, CLI_ACTOR),
  'undesa-ims': async (db, file) => importUndesaIms(db.prisma, file, CLI_ACTOR),
};

/**
 * Progress of a long import on stderr: a redrawn bar on a terminal; elsewhere one line when writing starts, so
 * logs (and supervising processes) can tell validation from writing.
 */
function importProgress() {
  const bar = { validate: terminalProgress('validating rows'), write: terminalProgress('writing observations') };
  let phase: 'validate' | 'write' | null = null;
  return {
    tick: (next: 'validate' | 'write', done: number, total?: number) => {
      if (phase !== next) {
        if (phase) bar[phase].done();
        phase = next;
        if (next === 'write' && !process.stderr.isTTY) process.stderr.write(`writing ${total ?? 0} observations\n`);
      }
      bar[next].tick(done, total);
    },
    done: () => {
      if (phase) bar[phase].done();
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

async function withDatabase<T>(config: Config, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await openConfigured(config);
  try {
    await migrate(db);
    return await run(db);
  } finally {
    await db.close();
  }
}

export async function main(argv: string[], out: Out = { log: (l) => console.log(l) }): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate': {
      const db = await openConfigured(config);
      try {
        const applied = await migrate(db);
        out.log(applied.length ? `Applied ${applied.join(', ')} to ${db.location}` : `${db.location} is up to date`);
      } finally {
        await db.close();
      }
      return;
    }
    case 'seed':
      return withDatabase(config, async (db) => out.log(formatReport(await seed(db.prisma, CLI_ACTOR))));
    case 'import': {
      const [kind, file, ...extra] = rest;
      const importer = kind ? importers[kind] : undefined;
      if (!importer || !file || extra.length) {
        throw new UsageError(`usage: migstat import ${Object.keys(importers).join('|')} FILE`);
      }
      return withDatabase(config, async (db) => out.log(formatReport(await importer(db, file, out))));
    }
    case 'export':
      return exportCommand(config, rest);
    case 'token': {
      const { positionals, values } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { role: { type: 'string' }, country: { type: 'string' }, name: { type: 'string' } },
      });
      if (positionals[0] !== 'create' || positionals.length > 1 || !values.role) {
        throw new UsageError(
          'usage: migstat token create --role ADMIN|TASK_FORCE|FOCAL_POINT|READER [--country CODE] [--name TEXT]',
        );
      }
      return withDatabase(config, async (db) => {
        const { token } = await createToken(db.prisma, {
          role: values.role!.toUpperCase() as Role,
          country: values.country,
          name: values.name,
        });
        out.log(token);
      });
    }
    case undefined:
    case 'help':
    case '--help':
      out.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

const STATUSES: readonly SubmissionStatus[] = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED', 'REJECTED'];

async function exportCommand(config: Config, args: string[]): Promise<void> {
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
  await withDatabase(config, async (db) => {
    let countryId: number | undefined;
    if (values.country) {
      const country = await findCountry(db.prisma, values.country);
      if (!country) throw new UsageError(`--country: no country with M49 or ISO3 code "${values.country}"`);
      countryId = country.id;
    }
    if (values.indicator && !(await db.prisma.indicator.findUnique({ where: { code: values.indicator } }))) {
      throw new UsageError(`--indicator: no indicator with code "${values.indicator}"`);
    }
    const lines = exportSubmissionsCsv(db.prisma, {
      statuses: statuses as SubmissionStatus[],
      indicator: values.indicator,
      countryId,
    });
    // Written to a temporary name and renamed, so a failed export never leaves a partial file behind.
    const target = values.out ? `${values.out}.partial` : undefined;
    await pipeline(Readable.from(lines), target ? createWriteStream(target) : process.stdout);
    if (target && values.out) renameSync(target, values.out);
  });
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  const db = await openConfigured(config);
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'applied migrations');
  if (await isEmpty(db.prisma)) {
    logger.info({ report: await seed(db.prisma, CLI_ACTOR) }, 'seeded an empty database');
  }
  const { listen } = await import('../http/server.js');
  const server = await listen({ config, db, logger });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ url: `http://localhost:${port}/graphql`, database: db.kind, location: db.location }, 'serving');
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => void db.close().finally(() => process.exit(0)));
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
