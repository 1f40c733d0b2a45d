// The importers of `migstat import <kind>` (program.ts names the kinds), each reading a file and writing through the
// domain's own import service as the CLI's actor. A module of its own so that commands which import nothing (help,
// --version, token commands) do not load every parser and service: cli.ts loads it when an import runs.
import { CLI_ACTOR } from '../access/audit.js';
import { importAccounts } from '../accounting/accounts.import.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries } from '../geography/countries.import.js';
import { importAdoptions } from '../implementation/adoptions.import.js';
import { readUtf8File, terminalProgress } from '../platform/csv.js';
import type { Database } from '../platform/db.js';
import { ValidationError } from '../platform/errors.js';
import { problemIssue, type TableOptions, type TableProblem } from '../platform/tabular.js';
import { importDataSources } from '../submissions/sources.import.js';
import { importSubmissions } from '../submissions/submissions.import.js';
import { importUndesaIms } from '../submissions/undesa.import.js';
import type { RemoteIo } from './control.js';
import { rehearse } from './dry-run.js';
import type { ImportKind } from './program.js';

/** Where an importer reports: lines of its result, and progress on `stderr` (this process's when absent). */
type Out = { log: (line: string) => void; stderr?: RemoteIo['stderr'] };

export interface ImporterOptions {
  /** Called inside the import's transaction, just before the commit (see MIGSTAT_TEST_PAUSE). */
  beforeCommit?: () => Promise<void>;
  /** Validate and report, write nothing. */
  dryRun?: boolean;
  /** How to read a tabular file (`--sheet`). */
  table?: TableOptions;
  /** Cancels the import (its CLI left the server's control socket); importers that take it roll back. */
  signal?: AbortSignal | undefined;
}

export interface Importer {
  (db: Database, file: string, out: Out, options?: ImporterOptions): Promise<unknown>;
}

/** An importer's problems as one ValidationError (nothing was written). */
function problemsOf(problems: TableProblem[]): ValidationError {
  return ValidationError.of(problems.map(problemIssue));
}

/**
 * An importer whose service has no dry run of its own: for --dry-run it runs whole inside a transaction that is
 * rolled back (dry-run.ts), so the report is exactly what the import would do.
 */
const rehearsable =
  (importer: Importer): Importer =>
  (db, file, out, options = {}) =>
    options.dryRun
      ? rehearse(db, (inside) => importer(inside, file, out, { ...options, dryRun: false }))
      : importer(db, file, out, options);

/** Importers by kind (one for each `import` command of program.ts); domain modules add theirs here. */
export const importersByKind = {
  catalogue: rehearsable(async (db, file) => importCatalogue(db.prisma, parseCatalogue(readUtf8File(file)), CLI_ACTOR)),
  countries: rehearsable(async (db, file, _out, options) =>
    importCountries(db.prisma, await parseCountries({ file }, options?.table), CLI_ACTOR),
  ),
  sources: rehearsable(async (db, file, _out, options) =>
    importDataSources(db.prisma, { file }, CLI_ACTOR, options?.table),
  ),
  // Submissions: the service's own dry run (the one `importSubmissions(dryRun:)` uses), which validates and plans
  // without opening a write transaction.
  submissions: async (db, file, out, options = {}) => {
    const progress = importProgress(out.stderr);
    const result = await importSubmissions(
      db.prisma,
      { file },
      {
        actor: CLI_ACTOR,
        // A dry run writes inside a transaction it rolls back (for exact counts): no "writing" line for it.
        onProgress: options.dryRun ? undefined : progress.tick,
        beforeCommit: options.beforeCommit,
        signal: options.signal,
        dryRun: options.dryRun,
        table: options.table,
      },
    );
    progress.done();
    if (!result.ok) throw problemsOf(result.problems);
    return result.report;
  },
  accounts: rehearsable(async (db, file, _out, options) =>
    importAccounts(db.prisma, { file }, CLI_ACTOR, options?.table),
  ),
  // The adoptions service's own dry run counts nothing; the rehearsal counts what would be created and updated.
  adoptions: rehearsable(async (db, file, _out, options) => {
    const result = await importAdoptions(db.prisma, { file }, { actor: CLI_ACTOR, table: options?.table });
    if (!result.ok) throw problemsOf(result.problems);
    return { adoptions: result.report };
  }),
  'undesa-ims': rehearsable(async (db, file) => importUndesaIms(db.prisma, file, CLI_ACTOR)),
} satisfies Record<ImportKind, Importer>;
export const importers: Record<string, Importer> = importersByKind;

/**
 * Progress of a long import on stderr: a redrawn bar on a terminal; elsewhere one line when writing starts, so
 * logs (and supervising processes) can tell validation from writing.
 */
function importProgress(stderr: RemoteIo['stderr'] | undefined) {
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
