// The importers of `migstat import <kind>` (program.ts names the kinds), each reading a file and writing through the
// domain's own import service as the CLI's actor. A module of its own so that commands which import nothing (help,
// --version, token commands) do not load every parser and service: cli.ts loads it when an import runs.
import { CLI_ACTOR } from '../access/audit.js';
import { importAccounts } from '../accounting/accounts.import.js';
import { importCatalogue, parseCatalogue } from '../catalogue/catalogue.import.js';
import { importCountries, parseCountries } from '../geography/countries.import.js';
import { importAdoptions } from '../implementation/adoptions.import.js';
import { processStderr, readUtf8File, terminalProgress, type ProgressSink } from '../platform/csv.js';
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
  /** How to read a tabular file (`--sheet`, `--decimal-comma`). */
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
  // Submissions: the service's own dry run (the one `importSubmissions(dryRun:)` uses), which validates the file
  // and plans it against the stored versions in a transaction it rolls back; the CLI reports the plan as its counts
  // (what the import would create and leave unchanged), as the rehearsed kinds do.
  submissions: async (db, file, out, options = {}) => {
    const progress = importProgress(out.stderr);
    const result = await importSubmissions(
      db.prisma,
      { file },
      {
        actor: CLI_ACTOR,
        // A dry run shows its validation, and no "writing" line: it writes nothing.
        onProgress: options.dryRun ? progress.validationOnly : progress.tick,
        beforeCommit: options.beforeCommit,
        signal: options.signal,
        dryRun: options.dryRun,
        table: options.table,
      },
    );
    progress.done();
    if (!result.ok) throw problemsOf(result.problems);
    const { planned, ...report } = result.report;
    return planned ? { ...report, ...planned } : report;
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
 * Progress of a long import on `stderr` (this process's when absent): a redrawn bar when it is a terminal; elsewhere
 * one line when writing starts, so logs (and supervising processes) can tell validation from writing. The bar goes
 * through the sink given, so a command run for a CLI through a server's control socket draws on that CLI's terminal
 * (when the sink says it is one), never on the server's own stderr.
 */
function importProgress(stderr: ProgressSink | undefined) {
  const sink = stderr ?? processStderr();
  const bar = sink.isTTY
    ? { validate: terminalProgress('validating rows', sink), write: terminalProgress('writing observations', sink) }
    : null;
  let phase: 'validate' | 'write' | null = null;
  const tick = (next: 'validate' | 'write', done: number, total?: number) => {
    if (phase !== next) {
      if (phase) bar?.[phase].done();
      phase = next;
      if (next === 'write' && !bar) sink.write(`writing ${total ?? 0} observations\n`);
    }
    bar?.[next].tick(done, total);
  };
  return {
    tick,
    /** The validation phase's ticks only (a dry run, which writes nothing). */
    validationOnly: (next: 'validate' | 'write', done: number, total?: number) => {
      if (next === 'validate') tick(next, done, total);
    },
    done: () => {
      if (phase) bar?.[phase].done();
      phase = null;
    },
  };
}
