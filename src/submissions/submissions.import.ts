// The submissions importer (CONTRACT §5 "Submissions" and §7 `importSubmissions`), shared by
// `migstat import submissions FILE` and the API, reading CSV or XLSX through the import kernel (platform/tabular).
// One transaction (see importSubmissions): validate while staging the valid rows in a temporary table, then write
// a page of submissions at a time; each submission is compared with the latest stored version of its key
// (identical → "unchanged", so a re-import adds nothing), observations are inserted in batches of
// INSERT … SELECT FROM unnest(…) (createMany held on to memory in long transactions).
// A failure anywhere rolls the whole file back; a killed process leaves an uncommitted transaction, i.e. nothing.
import type { Viewer } from '../access/tokens.js';
import type { Actor } from '../access/audit.js';
import { foreignCountryProblem, importCountryOf, reviewedStatusProblem } from '../access/focal-point.js';
import type { PrismaClient } from '../platform/db.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { ResidenceCriterion, SubmissionOrigin, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import {
  MAX_PROBLEMS,
  openTable,
  parseNumber as parseKernelNumber,
  type ColumnSpec,
  type Table,
  type TableOptions,
  type TableProblem,
  type TableSource,
} from '../platform/tabular.js';
import { ConflictError, isWriteConflict } from '../platform/errors.js';
import { garbageEvery, traceMemory } from '../platform/memory.js';
import { recordSeriesChanges } from './changes.js';

type Tx = Prisma.TransactionClient;

export const RESIDENCE_CRITERIA: readonly ResidenceCriterion[] = ['OPTION_I', 'OPTION_II', 'OTHER'];
export const IMPORT_STATUSES: readonly SubmissionStatus[] = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED'];
/** The SDMX code of a variable's total; a total cell is the same as no disaggregation. */
export const TOTAL_CODE = '_T';

const REQUIRED = ['country', 'indicator', 'reference_year', 'value'] as const;
const OPTIONAL = ['unit', 'source_type', 'data_source', 'residence_criterion', 'status', 'note'] as const;
/** A problem with the file: where (line 1 is the header; column null for the whole record; XLSX sheet and cell) and why. */
export type ImportProblem = TableProblem;

/** One submission to write: a key, its attributes and its observations (dimension key → value). */
export interface SubmissionDraft {
  countryId: number;
  indicatorId: number;
  referenceYear: number;
  sourceKey: string;
  sourceTypeId: number | null;
  dataSourceId: number | null;
  unit: string;
  residenceCriterion: ResidenceCriterion | null;
  status: SubmissionStatus;
  note: string | null;
  /** The country's own figures, or an international estimate of them (UN DESA). */
  origin: SubmissionOrigin;
  observations: Map<string, number>;
  /** Human-readable key for audit rows, e.g. "CHE/IMM_STOCK/2020/DS:CHE_STATPOP". */
  label: string;
}

export interface WriteReport {
  submissionsCreated: number;
  submissionsUnchanged: number;
  observationsCreated: number;
}

export interface SubmissionsImportReport extends WriteReport {
  rows: number;
  submissions: number;
  observations: number;
  dryRun: boolean;
  /**
   * A dry run only: what the import would write now, counted exactly as it counts (new versions and their
   * observations, submissions left unchanged). The report's own counts are what was written: none, except
   * `submissionsUnchanged`, which is the plan's (the API's `submissionsWritten` stays 0 on a dry run, CONTRACT §7).
   */
  planned?: WriteReport;
}

export type SubmissionsImportResult =
  { ok: true; report: SubmissionsImportReport } | { ok: false; problems: ImportProblem[]; rows: number };

export interface ImportOptions {
  actor: Actor;
  /** The API caller; a FOCAL_POINT may import its own country's rows only, with status DRAFT or SUBMITTED. */
  viewer?: Viewer | null;
  dryRun?: boolean;
  /** How to read the file: format, CSV separator, decimal comma, XLSX sheet (detected when absent). */
  table?: TableOptions;
  onProgress?: (phase: 'validate' | 'write', done: number, total?: number) => void;
  /**
   * Runs inside the transaction once everything is written, just before the commit. A fault-injection point: the
   * CLI pauses there when MIGSTAT_TEST_PAUSE=before-commit, so a test can kill the process at exactly that point.
   */
  beforeCommit?: () => Promise<void>;
  /** Cancels the import: it throws the signal's reason at the next batch, rolling the transaction back. */
  signal?: AbortSignal | undefined;
}

/** Observation dimensions → canonical key: variable codes sorted, totals left out ("" for the total). */
export function dimensionKey(dims: Record<string, string>): string {
  return Object.keys(dims)
    .filter((k) => dims[k] && dims[k] !== TOTAL_CODE)
    .sort()
    .map((k) => `${k}=${dims[k]}`)
    .join(';');
}

export function dimensionsOf(key: string): Record<string, string> {
  const dims: Record<string, string> = {};
  if (!key) return dims;
  for (const part of key.split(';')) {
    const at = part.indexOf('=');
    dims[part.slice(0, at)] = part.slice(at + 1);
  }
  return dims;
}

export function sourceKeyOf(dataSourceCode: string | null, sourceTypeCode: string | null): string {
  if (dataSourceCode) return `DS:${dataSourceCode}`;
  if (sourceTypeCode) return `ST:${sourceTypeCode}`;
  return '';
}

export interface LookupIndicator {
  id: number;
  code: string;
  unit: string;
  /** Values may be negative (a balance such as net migration). */
  signed: boolean;
  variables: Set<string>;
}

/** The unit of counts of persons: whole numbers, never negative unless the indicator is signed (a balance). */
export const PERSONS = 'PERSONS';

/** Why a value cannot be one of the indicator's, or null. */
export function valueProblem(indicator: LookupIndicator, value: number): string | null {
  if (indicator.unit !== PERSONS) return null;
  if (!Number.isInteger(value)) return `${value} is not a whole number: ${indicator.code} counts persons`;
  if (value < 0 && !indicator.signed) return `${value} is negative: ${indicator.code} counts persons`;
  return inexactCount(value);
}

/**
 * A count of persons beyond what a number keeps exactly (2^53): it would be stored and shown as another number
 * (9007199254740993 as …992), so it is refused rather than changed. Said without the value, which is already not
 * the one written.
 */
export function inexactCount(value: number): string | null {
  return Number.isSafeInteger(value)
    ? null
    : `too large to be kept exactly: a count of persons may be at most ${Number.MAX_SAFE_INTEGER}`;
}

/** The catalogue and registry, loaded once per import, so validation needs no query per row. */
export interface Lookups {
  countries: Map<string, { id: number; m49: string; label: string }>;
  countryM49: Set<string>;
  indicators: Map<string, LookupIndicator>;
  variables: Map<string, { codelist: string | null; codes: Set<string> }>;
  sourceTypes: Map<string, number>;
  dataSources: Map<
    string,
    {
      id: number;
      countryId: number;
      sourceTypeId: number;
      sourceTypeCode: string;
      residenceCriterion: ResidenceCriterion | null;
    }
  >;
}

export async function loadLookups(prisma: PrismaClient | Tx): Promise<Lookups> {
  const [countries, indicators, variables, sourceTypes, dataSources] = await Promise.all([
    prisma.country.findMany({ select: { id: true, m49: true, iso3: true } }),
    prisma.indicator.findMany({
      select: {
        id: true,
        code: true,
        unit: true,
        signed: true,
        disaggregations: { select: { variable: { select: { code: true } } } },
      },
    }),
    prisma.variable.findMany({ select: { code: true, codelist: true, codes: { select: { code: true } } } }),
    prisma.sourceType.findMany({ select: { id: true, code: true } }),
    prisma.dataSource.findMany({
      select: {
        id: true,
        code: true,
        countryId: true,
        sourceTypeId: true,
        residenceCriterion: true,
        sourceType: { select: { code: true } },
      },
    }),
  ]);
  const lookups: Lookups = {
    countries: new Map(),
    countryM49: new Set(countries.map((c) => c.m49)),
    indicators: new Map(
      indicators.map((i) => [
        i.code,
        {
          id: i.id,
          code: i.code,
          unit: i.unit,
          signed: i.signed,
          variables: new Set(i.disaggregations.map((d) => d.variable.code)),
        },
      ]),
    ),
    variables: new Map(
      variables.map((v) => [v.code, { codelist: v.codelist, codes: new Set(v.codes.map((c) => c.code)) }]),
    ),
    sourceTypes: new Map(sourceTypes.map((s) => [s.code, s.id])),
    dataSources: new Map(
      dataSources.map((d) => [
        d.code,
        {
          id: d.id,
          countryId: d.countryId,
          sourceTypeId: d.sourceTypeId,
          sourceTypeCode: d.sourceType.code,
          residenceCriterion: d.residenceCriterion,
        },
      ]),
    ),
  };
  for (const c of countries) {
    const entry = { id: c.id, m49: c.m49, label: c.iso3 ?? c.m49 };
    lookups.countries.set(c.m49, entry);
    if (c.iso3) lookups.countries.set(c.iso3, entry);
  }
  return lookups;
}

/** A country cell: an M49 code ("756", "4") or an ISO3 code ("che"). */
export function countryByCode(lookups: Lookups, code: string) {
  const c = code.trim();
  return lookups.countries.get(/^\d{1,3}$/.test(c) ? c.padStart(3, '0') : c.toUpperCase());
}

/** A number cell with a decimal point (the catalogue and registry files); see the kernel for decimal commas. */
export function parseNumber(text: string): number | null {
  return parseKernelNumber(text);
}

/** The submissions file's columns: the fixed ones, and one per Variable code (a disaggregation). */
function columnSpec(lookups: Lookups): ColumnSpec {
  return {
    required: REQUIRED,
    optional: OPTIONAL,
    extra: { accepts: (name) => lookups.variables.has(name), description: 'a Variable code' },
  };
}

/** One valid row, as staged in the import's temporary table. */
interface StagedRow {
  line: number;
  key: string;
  countryId: number;
  indicatorId: number;
  year: number;
  sourceKey: string;
  sourceTypeId: number | null;
  dataSourceId: number | null;
  residenceCriterion: string | null;
  status: string | null;
  note: string | null;
  dimensionKey: string;
  value: number;
}

/** Ends the import's transaction without writing (problems found, or a dry run), carrying the result out. */
class Outcome extends Error {
  constructor(readonly result: SubmissionsImportResult) {
    super('import outcome');
  }
}

/**
 * Validates a submissions file and, when every row is valid (and this is not a dry run), writes it, all in ONE
 * transaction. Memory stays flat whatever the file's size:
 *  1. each record is checked against the catalogue (loaded once) as it streams in; valid rows go in batches to a
 *     temporary table of the transaction, so no row is kept in memory;
 *  2. the checks that span rows (a duplicate observation, a submission attribute given two ways) are queries on
 *     that table; any problem ends the transaction, which drops the table: nothing was written;
 *  3. the table is read back a page of submissions at a time (its rows grouped by key), each page compared with
 *     the stored versions and written (writeSubmissions), still in the same transaction, which commits at the end.
 * Validating first and writing second keeps a bad file from writing anything even for a moment, and the stored
 * versions are only read once the whole file is known to be valid.
 */
export async function importSubmissions(
  prisma: PrismaClient,
  source: TableSource,
  options: ImportOptions,
): Promise<SubmissionsImportResult> {
  traceMemory('import');
  const lookups = await loadLookups(prisma);
  const table = await openTable(source, columnSpec(lookups), options.table);
  const focal = importCountryOf(options.viewer);
  const dryRun = !!options.dryRun;
  try {
    return await writeTransaction(prisma, async (tx) => {
      await tx.$executeRawUnsafe(STAGING_TABLE);
      const staged: StagedRow[] = [];
      const collect = garbageEvery(COLLECT_EVERY);
      for await (const record of table.records()) {
        if (table.rows % 5000 === 0) options.onProgress?.('validate', table.rows);
        if (table.rows % 20000 === 0) traceMemory(`staged ${table.rows}`);
        const row = validateRow(record.line, record.cells, table, lookups, focal);
        if (row) staged.push(row);
        if (staged.length >= STAGING_BATCH) {
          options.signal?.throwIfAborted();
          await stage(tx, staged.splice(0));
          collect(STAGING_BATCH);
        }
      }
      await stage(tx, staged.splice(0));
      traceMemory('staged');
      await crossRowProblems(tx, table);
      traceMemory('checked');
      const problems = table.problems();
      if (problems.length) throw new Outcome({ ok: false, problems, rows: table.rows });

      const [counts] = await tx.$queryRaw<{ submissions: number; observations: number }[]>`
        SELECT count(DISTINCT key)::int AS submissions, count(*)::int AS observations FROM import_rows`;
      const base = { rows: table.rows, submissions: counts!.submissions, observations: counts!.observations, dryRun };
      const written: WriteReport = { submissionsCreated: 0, submissionsUnchanged: 0, observationsCreated: 0 };
      options.onProgress?.('write', 0, base.observations);
      const planned: WriteReport = { submissionsCreated: 0, submissionsUnchanged: 0, observationsCreated: 0 };
      for await (const drafts of stagedSubmissions(tx, lookups)) {
        options.signal?.throwIfAborted();
        if (dryRun) {
          // The plan writeSubmissions would carry out: each draft a new version (with all its observations), or
          // unchanged.
          const plan = await planSubmissions(tx, drafts);
          planned.submissionsCreated += plan.create.length;
          planned.submissionsUnchanged += plan.unchanged;
          for (const d of plan.create) planned.observationsCreated += d.observations.size;
          continue;
        }
        const page = await writeSubmissions(tx, drafts, options.actor);
        written.submissionsCreated += page.submissionsCreated;
        written.submissionsUnchanged += page.submissionsUnchanged;
        written.observationsCreated += page.observationsCreated;
        collect(page.observationsCreated);
        if (written.observationsCreated % 20000 < page.observationsCreated)
          traceMemory(`written ${written.observationsCreated}`);
        options.onProgress?.('write', written.observationsCreated, base.observations);
      }
      if (dryRun) {
        const report = { ...base, ...written, submissionsUnchanged: planned.submissionsUnchanged, planned };
        throw new Outcome({ ok: true, report });
      }
      const report = { ...base, ...written };
      await options.beforeCommit?.();
      // The last moment a cancel can still undo the import.
      options.signal?.throwIfAborted();
      traceMemory('written');
      return { ok: true as const, report };
    });
  } catch (err) {
    if (err instanceof Outcome) return err.result;
    throw err;
  }
}

const STAGING_BATCH = 1000;
/** A full garbage collection every this many rows staged or observations written (platform/memory.ts). */
const COLLECT_EVERY = 5_000;
/** Submissions per page when the staged rows are read back to be written. */
const WRITE_PAGE = 500;

const STAGING_TABLE = `
  CREATE TEMPORARY TABLE import_rows (
    line int NOT NULL, key text NOT NULL, country_id int NOT NULL, indicator_id int NOT NULL, year int NOT NULL,
    source_key text NOT NULL, source_type_id int, data_source_id int, residence_criterion text, status text,
    note text, dimension_key text NOT NULL, value float8 NOT NULL
  ) ON COMMIT DROP`;

async function stage(tx: Tx, rows: StagedRow[]): Promise<void> {
  if (!rows.length) return;
  const col = <K extends keyof StagedRow>(k: K) => rows.map((r) => r[k]);
  await tx.$executeRaw`
    INSERT INTO import_rows
    SELECT * FROM unnest(${col('line')}::int[], ${col('key')}::text[], ${col('countryId')}::int[],
      ${col('indicatorId')}::int[], ${col('year')}::int[], ${col('sourceKey')}::text[], ${col('sourceTypeId')}::int[],
      ${col('dataSourceId')}::int[], ${col('residenceCriterion')}::text[], ${col('status')}::text[],
      ${col('note')}::text[], ${col('dimensionKey')}::text[], ${col('value')}::float8[])`;
}

/** The checks that span rows, as queries on the staged rows: duplicates, and attributes given two ways. */
async function crossRowProblems(tx: Tx, table: Table): Promise<void> {
  // The index is built with a 4 MB sort (spilled to a temporary file beyond): on embedded PGlite the server's memory
  // is this process's and never given back, and PGlite's 16 MB (db.ts) left it 16 MB larger (60 MB resident instead
  // of 44) after a 1 000 000-row file's checks.
  await tx.$executeRawUnsafe("SET LOCAL maintenance_work_mem = '4MB'");
  await tx.$executeRawUnsafe('CREATE INDEX ON import_rows (key, line)');
  // Statistics, so the planner walks the index for pages instead of sorting the whole table each time.
  await tx.$executeRawUnsafe('ANALYZE import_rows');
  const duplicates = await tx.$queryRaw<{ line: number; dimension_key: string; first: number }[]>`
    SELECT line, dimension_key, first FROM (
      SELECT line, dimension_key, min(line) OVER (PARTITION BY key, dimension_key) AS first FROM import_rows) d
    WHERE line <> first ORDER BY line LIMIT ${MAX_PROBLEMS}`;
  for (const d of duplicates)
    table.report(
      d.line,
      null,
      `duplicate observation: same country, indicator, reference year, source and disaggregation (${d.dimension_key || 'total'}) as line ${d.first}`,
    );
  // Submission-level cells may be left blank on all but one row; two different values are a mistake.
  for (const column of ['residence_criterion', 'status', 'note'] as const) {
    const conflicts = await tx.$queryRawUnsafe<{ line: number; value: string; first: string; first_line: number }[]>(
      `SELECT line, value, first, first_line FROM (
         SELECT line, ${column} AS value, first_value(${column}) OVER w AS first, first_value(line) OVER w AS first_line
         FROM import_rows WHERE ${column} IS NOT NULL WINDOW w AS (PARTITION BY key ORDER BY line)) c
       WHERE value <> first ORDER BY line LIMIT ${MAX_PROBLEMS}`,
    );
    for (const c of conflicts)
      table.report(
        c.line,
        column,
        `"${c.value}" differs from "${c.first}" on line ${c.first_line} of the same submission`,
      );
  }
}

/** The staged rows read back as submission drafts, a page of submissions at a time, in key order. */
async function* stagedSubmissions(tx: Tx, lookups: Lookups): AsyncGenerator<SubmissionDraft[]> {
  const countryLabels = new Map([...lookups.countries.values()].map((c) => [c.id, c.label]));
  const indicators = new Map([...lookups.indicators.values()].map((i) => [i.id, i]));
  const dataSourceCriteria = new Map([...lookups.dataSources.values()].map((d) => [d.id, d.residenceCriterion]));
  let after = '';
  for (;;) {
    // The page's last key (an index-only scan), then its rows: a range of the index, however large the table.
    const [last] = await tx.$queryRaw<{ key: string }[]>`
      SELECT key FROM (SELECT DISTINCT key FROM import_rows WHERE key > ${after} ORDER BY key LIMIT ${WRITE_PAGE}) k
      ORDER BY key DESC LIMIT 1`;
    if (!last) return;
    const rows = await tx.$queryRaw<
      {
        key: string;
        country_id: number;
        indicator_id: number;
        year: number;
        source_key: string;
        source_type_id: number | null;
        data_source_id: number | null;
        residence_criterion: string | null;
        status: string | null;
        note: string | null;
        dimension_key: string;
        value: number;
      }[]
    >`
      SELECT key, country_id, indicator_id, year, source_key, source_type_id, data_source_id, residence_criterion,
        status, note, dimension_key, value
      FROM import_rows WHERE key > ${after} AND key <= ${last.key} ORDER BY key, line`;
    const drafts: SubmissionDraft[] = [];
    let draft: SubmissionDraft | undefined;
    for (const r of rows) {
      if (r.key !== after) {
        after = r.key;
        const indicator = indicators.get(r.indicator_id)!;
        draft = {
          countryId: r.country_id,
          indicatorId: r.indicator_id,
          referenceYear: r.year,
          sourceKey: r.source_key,
          sourceTypeId: r.source_type_id,
          dataSourceId: r.data_source_id,
          unit: indicator.unit,
          residenceCriterion: r.data_source_id === null ? null : (dataSourceCriteria.get(r.data_source_id) ?? null),
          status: 'SUBMITTED',
          note: null,
          origin: 'COUNTRY',
          observations: new Map(),
          label: `${countryLabels.get(r.country_id)}/${indicator.code}/${r.year}${r.source_key ? `/${r.source_key}` : ''}`,
        };
        drafts.push(draft);
      }
      // Rows of a submission that give an attribute all give the same (crossRowProblems checked).
      const d = draft!;
      if (r.residence_criterion !== null) d.residenceCriterion = r.residence_criterion as ResidenceCriterion;
      if (r.status !== null) d.status = r.status as SubmissionStatus;
      if (r.note !== null) d.note = r.note;
      d.observations.set(r.dimension_key, r.value);
    }
    yield drafts;
  }
}

/** Checks one record against the catalogue and the caller's rights; the row to stage when it is valid. */
function validateRow(
  line: number,
  cells: Record<string, string>,
  table: Table,
  lookups: Lookups,
  focal: number | null,
): StagedRow | null {
  const cell = (name: string) => (cells[name] ?? '').trim();
  let ok = true;
  const fail = (column: string, message: string) => {
    ok = false;
    table.report(line, column, message);
  };

  const countryCode = cell('country');
  const country = countryCode ? countryByCode(lookups, countryCode) : undefined;
  if (!countryCode) fail('country', 'required: an M49 or ISO3 code');
  else if (!country) fail('country', `no country with M49 or ISO3 code "${countryCode}"`);
  else {
    const foreign = foreignCountryProblem(focal, country);
    if (foreign) fail('country', foreign);
  }

  const indicatorCode = cell('indicator');
  const indicator = indicatorCode ? lookups.indicators.get(indicatorCode) : undefined;
  if (!indicatorCode) fail('indicator', 'required: an indicator code');
  else if (!indicator) fail('indicator', `no indicator with code "${indicatorCode}"`);

  const yearText = cell('reference_year');
  const year = /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
  if (!(year >= 1800 && year <= 2200))
    fail('reference_year', `"${yearText}" is not a year from 1800 to 2200 (four digits)`);

  const valueText = cell('value');
  const value = table.number(valueText);
  if (value === null)
    fail('value', valueText ? table.notANumber(valueText) : 'required: a number (leave missing values out)');
  const problem = value !== null && indicator ? valueProblem(indicator, value) : null;
  if (problem) fail('value', problem);

  // Unit codes are upper case in the catalogue; "persons" is PERSONS.
  const unitText = cell('unit');
  if (unitText && indicator && unitText.toUpperCase() !== indicator.unit)
    fail('unit', `"${unitText}" differs from the unit of ${indicator.code}, ${indicator.unit}`);

  const stCode = cell('source_type');
  const sourceTypeId = stCode ? lookups.sourceTypes.get(stCode) : undefined;
  if (stCode && sourceTypeId === undefined) fail('source_type', `no source type with code "${stCode}"`);

  const dsCode = cell('data_source');
  const dataSource = dsCode ? lookups.dataSources.get(dsCode) : undefined;
  if (dsCode && !dataSource) fail('data_source', `no data source with code "${dsCode}"`);
  else if (dataSource && country && dataSource.countryId !== country.id)
    fail('data_source', `data source "${dsCode}" belongs to another country, not ${country.label}`);
  else if (dataSource && stCode && sourceTypeId !== undefined && dataSource.sourceTypeId !== sourceTypeId)
    fail('source_type', `"${stCode}" differs from the type of data source "${dsCode}", ${dataSource.sourceTypeCode}`);

  const rcText = cell('residence_criterion');
  if (rcText && !RESIDENCE_CRITERIA.includes(rcText as ResidenceCriterion))
    fail('residence_criterion', `"${rcText}" is not one of ${RESIDENCE_CRITERIA.join(', ')}`);

  const statusText = cell('status');
  if (statusText && !IMPORT_STATUSES.includes(statusText as SubmissionStatus))
    fail('status', `"${statusText}" is not one of ${IMPORT_STATUSES.join(', ')}`);
  else {
    const reviewed = reviewedStatusProblem(focal, statusText);
    if (reviewed) fail('status', reviewed);
  }

  const dims: Record<string, string> = {};
  for (const variable of table.extraColumns) {
    const code = cell(variable);
    if (!code || code === TOTAL_CODE) continue;
    const v = lookups.variables.get(variable)!;
    if (indicator && !indicator.variables.has(variable)) {
      fail(
        variable,
        `${indicator.code} is not disaggregated by ${variable} (only by ${[...indicator.variables].join(', ') || 'nothing'})`,
      );
      continue;
    }
    if (v.codelist === 'M49') {
      const m49 = /^\d{1,3}$/.test(code) ? code.padStart(3, '0') : null;
      if (!m49 || !lookups.countryM49.has(m49)) fail(variable, `"${code}" is not the M49 code of a country or area`);
      else dims[variable] = m49;
    } else if (!v.codes.has(code)) {
      fail(
        variable,
        v.codes.size
          ? `"${code}" is not in the code list of ${variable} (${[...v.codes].join(', ')})`
          : `"${code}" is not valid: ${variable} has no code list yet`,
      );
    } else dims[variable] = code;
  }

  if (!ok || !country || !indicator || value === null) return null;
  const sourceKey = sourceKeyOf(dsCode || null, stCode || null);
  const note = cell('note');
  return {
    line,
    key: `${country.id}|${indicator.id}|${year}|${sourceKey}`,
    countryId: country.id,
    indicatorId: indicator.id,
    year,
    sourceKey,
    sourceTypeId: dataSource ? dataSource.sourceTypeId : (sourceTypeId ?? null),
    dataSourceId: dataSource?.id ?? null,
    residenceCriterion: rcText || null,
    status: statusText || null,
    note: note || null,
    dimensionKey: dimensionKey(dims),
    value,
  };
}

/**
 * Runs an importer's write transaction. Two imports of the same keys at once both plan version n+1 (or both create
 * the same new account entry); the second to commit hits the unique key (or a serialization failure): that is a
 * ConflictError saying what to do, not an internal error. Its transaction is rolled back, so nothing of its file is
 * written.
 */
export async function writeTransaction<T>(
  prisma: PrismaClient,
  write: (tx: Tx) => Promise<T>,
  what = 'submissions',
): Promise<T> {
  try {
    return await prisma.$transaction(write);
  } catch (err) {
    if (isWriteConflict(err)) {
      throw new ConflictError(
        `Another import wrote some of the same ${what} at the same time; nothing of this file was written. ` +
          `Import it again: ${what} that are now identical are left unchanged.`,
      );
    }
    throw err;
  }
}

const STATUS_RANK: Record<SubmissionStatus, number> = {
  DRAFT: 0,
  SUBMITTED: 1,
  VALIDATED: 2,
  PUBLISHED: 3,
  REJECTED: -1,
};

/**
 * Whether the stored status stands when a file brings the same figures with `imported`: a re-import never lowers a
 * status (the task force's VALIDATED or PUBLISHED is not undone by a focal point sending the same file again as
 * SUBMITTED or DRAFT), only a later one moves it on. Submissions and population accounts alike.
 */
export function statusStands(stored: SubmissionStatus, imported: SubmissionStatus): boolean {
  return STATUS_RANK[stored] >= STATUS_RANK[imported];
}

interface Existing {
  id: number;
  key: string;
  version: number;
  status: SubmissionStatus;
  sourceTypeId: number | null;
  dataSourceId: number | null;
  unit: string;
  residenceCriterion: ResidenceCriterion | null;
  note: string | null;
  origin: SubmissionOrigin;
}

const keyOf = (s: { countryId: number; indicatorId: number; referenceYear: number; sourceKey: string }) =>
  `${s.countryId}|${s.indicatorId}|${s.referenceYear}|${s.sourceKey}`;

/**
 * Splits the drafts into new versions and "unchanged" ones. A draft is unchanged when the latest stored version of
 * its key holds the same data and is not behind it in the workflow (re-importing a file after the task force
 * published it changes nothing; a rejected version is always followed by a new one).
 */
async function planSubmissions(
  db: PrismaClient | Tx,
  drafts: Iterable<SubmissionDraft>,
): Promise<{ create: (SubmissionDraft & { version: number })[]; unchanged: number }> {
  const list = [...drafts];
  const latest = new Map<string, Existing>();
  const countryIds = [...new Set(list.map((d) => d.countryId))];
  const indicatorIds = [...new Set(list.map((d) => d.indicatorId))];
  const years = [...new Set(list.map((d) => d.referenceYear))];
  const wanted = new Set(list.map(keyOf));
  for (const ids of chunks(countryIds, 1000)) {
    const rows = await db.submission.findMany({
      where: { countryId: { in: ids }, indicatorId: { in: indicatorIds }, referenceYear: { in: years } },
      select: {
        id: true,
        countryId: true,
        indicatorId: true,
        referenceYear: true,
        sourceKey: true,
        version: true,
        status: true,
        sourceTypeId: true,
        dataSourceId: true,
        unit: true,
        residenceCriterion: true,
        note: true,
        origin: true,
      },
    });
    for (const r of rows) {
      const key = keyOf(r);
      if (!wanted.has(key)) continue;
      const prev = latest.get(key);
      if (!prev || prev.version < r.version) latest.set(key, { ...r, key });
    }
  }
  const stored = new Map<number, Map<string, number>>();
  for (const ids of chunks(
    [...latest.values()].map((e) => e.id),
    1000,
  )) {
    const obs = await db.observation.findMany({
      where: { submissionId: { in: ids } },
      select: { submissionId: true, dimensionKey: true, value: true },
    });
    for (const o of obs) {
      let m = stored.get(o.submissionId);
      if (!m) stored.set(o.submissionId, (m = new Map()));
      m.set(o.dimensionKey, o.value);
    }
  }
  const create: (SubmissionDraft & { version: number })[] = [];
  let unchanged = 0;
  for (const d of list) {
    const prev = latest.get(keyOf(d));
    if (prev && sameData(d, prev, stored.get(prev.id)) && statusStands(prev.status, d.status)) {
      unchanged++;
      continue;
    }
    create.push({ ...d, version: (prev?.version ?? 0) + 1 });
  }
  return { create, unchanged };
}

function sameData(d: SubmissionDraft, e: Existing, obs: Map<string, number> | undefined): boolean {
  if (
    e.sourceTypeId !== d.sourceTypeId ||
    e.dataSourceId !== d.dataSourceId ||
    e.unit !== d.unit ||
    e.residenceCriterion !== d.residenceCriterion ||
    e.origin !== d.origin ||
    (e.note ?? null) !== (d.note ?? null)
  )
    return false;
  if (!obs || obs.size !== d.observations.size) return false;
  for (const [k, v] of d.observations) if (obs.get(k) !== v) return false;
  return true;
}

const SUBMISSION_BATCH = 500;
const OBSERVATION_BATCH = 5000;

/**
 * Writes submission drafts inside the caller's transaction: new versions with their observations, a creation
 * event and an audit row each. Shared by every importer of submissions (CSV, UN DESA).
 */
export async function writeSubmissions(
  tx: Tx,
  drafts: Iterable<SubmissionDraft>,
  actor: Actor,
  onProgress?: ImportOptions['onProgress'],
): Promise<WriteReport> {
  const { create, unchanged } = await planSubmissions(tx, drafts);
  const totalObservations = create.reduce((n, d) => n + d.observations.size, 0);
  const now = new Date();
  let observationsCreated = 0;
  onProgress?.('write', 0, totalObservations);
  for (const batch of chunks(create, SUBMISSION_BATCH)) {
    const created = await insertSubmissions(tx, batch, now);
    const ids = new Map(created.map((c) => [keyOf(c), c.id]));
    const batchRows: ObservationColumns = { submissionId: [], value: [], dimensionKey: [], dimensions: [] };
    const flush = async () => {
      if (!batchRows.submissionId.length) return;
      await insertObservations(tx, batchRows);
      for (const column of Object.values(batchRows)) column.length = 0;
    };
    for (const d of batch) {
      const submissionId = ids.get(keyOf(d))!;
      for (const [dimKey, value] of d.observations) {
        batchRows.submissionId.push(submissionId);
        batchRows.value.push(value);
        batchRows.dimensionKey.push(dimKey);
        batchRows.dimensions.push(JSON.stringify(dimensionsOf(dimKey)));
        observationsCreated++;
        if (batchRows.submissionId.length >= OBSERVATION_BATCH) {
          await flush();
          onProgress?.('write', observationsCreated, totalObservations);
        }
      }
    }
    await flush();
    const submissionIds = batch.map((d) => ids.get(keyOf(d))!);
    await tx.$executeRaw`
      INSERT INTO "SubmissionEvent" ("submissionId", "toStatus", actor, "tokenId", comment)
      SELECT id, status::"SubmissionStatus", ${actor.name}, ${actor.tokenId ?? null}::int, comment
      FROM unnest(${submissionIds}::int[], ${batch.map((d) => d.status)}::text[],
        ${batch.map((d) => (d.version > 1 ? `imported as version ${d.version}` : 'imported'))}::text[])
        AS t(id, status, comment)`;
    const after = batch.map((d, i) =>
      JSON.stringify({
        id: submissionIds[i],
        version: d.version,
        status: d.status,
        unit: d.unit,
        residenceCriterion: d.residenceCriterion,
        note: d.note,
        origin: d.origin,
        observations: d.observations.size,
      }),
    );
    await tx.$executeRaw`
      INSERT INTO "AuditLog" (actor, "tokenId", action, "entityType", "entityKey", after)
      SELECT ${actor.name}, ${actor.tokenId ?? null}::int, 'submission.import', 'Submission', key, after
      FROM unnest(${batch.map((d) => `${d.label}/v${d.version}`)}::text[], ${after}::jsonb[]) AS t(key, after)`;
    onProgress?.('write', observationsCreated, totalObservations);
  }
  // Last, so that the feed's lock is held only until the commit (changes.ts).
  await recordSeriesChanges(tx, create);
  return { submissionsCreated: create.length, submissionsUnchanged: unchanged, observationsCreated };
}

/**
 * Inserts a batch of new submission versions as column arrays (one statement), for the reason given at
 * insertObservations; createdAt is the column's default and updatedAt and countableSince are `now`, in UTC.
 */
async function insertSubmissions(
  tx: Tx,
  batch: (SubmissionDraft & { version: number })[],
  now: Date,
): Promise<{ id: number; countryId: number; indicatorId: number; referenceYear: number; sourceKey: string }[]> {
  const col = <T>(f: (d: SubmissionDraft & { version: number }) => T) => batch.map(f);
  const at = now.toISOString().replace('Z', '');
  return tx.$queryRaw`
    INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceKey", "sourceTypeId", "dataSourceId",
      version, status, unit, "residenceCriterion", note, origin, "countableSince", "updatedAt")
    SELECT c, i, y, sk, st, ds, v, s::"SubmissionStatus", u, rc::"ResidenceCriterion", n, o::"SubmissionOrigin",
      CASE WHEN s IN ('VALIDATED', 'PUBLISHED') THEN ${at}::timestamp END, ${at}::timestamp
    FROM unnest(${col((d) => d.countryId)}::int[], ${col((d) => d.indicatorId)}::int[],
      ${col((d) => d.referenceYear)}::int[], ${col((d) => d.sourceKey)}::text[], ${col((d) => d.sourceTypeId)}::int[],
      ${col((d) => d.dataSourceId)}::int[], ${col((d) => d.version)}::int[], ${col((d) => d.status)}::text[],
      ${col((d) => d.unit)}::text[], ${col((d) => d.residenceCriterion)}::text[], ${col((d) => d.note)}::text[],
      ${col((d) => d.origin)}::text[])
      AS t(c, i, y, sk, st, ds, v, s, u, rc, n, o)
    RETURNING id, "countryId", "indicatorId", "referenceYear", "sourceKey"`;
}

interface ObservationColumns {
  submissionId: number[];
  value: number[];
  dimensionKey: string[];
  dimensions: string[];
}

/**
 * Inserts a batch of observations as four arrays (one statement, four parameters). Prisma's createMany would do
 * the same work, but it keeps every distinct batch's compiled query around: memory grew by gigabytes over a
 * 100 000-row import, where this stays flat.
 */
async function insertObservations(tx: Tx, rows: ObservationColumns): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Observation" ("submissionId", "value", "dimensionKey", "dimensions")
    SELECT * FROM unnest(${rows.submissionId}::int[], ${rows.value}::float8[], ${rows.dimensionKey}::text[], ${rows.dimensions}::jsonb[])`;
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
