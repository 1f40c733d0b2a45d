// The submissions importer (CONTRACT §5 "Submissions" and §7 `importSubmissions`), shared by
// `migstat import submissions FILE` and the API. Two steps:
//  1. validate: stream the CSV once, check every cell against the catalogue and keep only compact per-submission
//     data (a map dimension key → value per submission); every problem is collected with its line and column;
//  2. write: when nothing is wrong, ONE transaction compares each submission with the latest stored version of its
//     key (identical → "unchanged", so a re-import adds nothing) and inserts new versions, observations in batches of
//     INSERT … SELECT FROM unnest(…) (createMany held on to memory in long transactions).
// A failure anywhere rolls the whole file back; a killed process leaves an uncommitted transaction, i.e. nothing.
import type { Viewer } from '../access/tokens.js';
import type { Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { ResidenceCriterion, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import { readCsv, type CsvProblem, type CsvSource } from '../platform/csv.js';
import { ConflictError, isWriteConflict } from '../platform/errors.js';
import { recordSeriesChanges } from './changes.js';

type Tx = Prisma.TransactionClient;

export const RESIDENCE_CRITERIA: readonly ResidenceCriterion[] = ['OPTION_I', 'OPTION_II', 'OTHER'];
export const IMPORT_STATUSES: readonly SubmissionStatus[] = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED'];
/** The SDMX code of a variable's total; a total cell is the same as no disaggregation. */
export const TOTAL_CODE = '_T';

const REQUIRED = ['country', 'indicator', 'reference_year', 'value'] as const;
const OPTIONAL = ['unit', 'source_type', 'data_source', 'residence_criterion', 'status', 'note'] as const;
const MAX_PROBLEMS = 5000;

/** A problem with the file: where (line 1 is the header; column null for the whole record) and why. */
export type ImportProblem = CsvProblem;

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
}

export type SubmissionsImportResult =
  { ok: true; report: SubmissionsImportReport } | { ok: false; problems: ImportProblem[]; rows: number };

export interface ImportOptions {
  actor: Actor;
  /** The API caller; a FOCAL_POINT may import its own country's rows only, with status DRAFT or SUBMITTED. */
  viewer?: Viewer | null;
  dryRun?: boolean;
  onProgress?: (phase: 'validate' | 'write', done: number, total?: number) => void;
  /**
   * Runs inside the transaction once everything is written, just before the commit. A fault-injection point: the
   * CLI pauses there when MIGSTAT_TEST_PAUSE=before-commit, so a test can kill the process at exactly that point.
   */
  beforeCommit?: () => Promise<void>;
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
  return null;
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

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

interface Group extends SubmissionDraft {
  firstLine: number;
  /** First line of each observation, to name both lines of a duplicate. */
  obsLines: Map<string, number>;
  /** Line on which each attribute was first given explicitly. */
  given: Partial<Record<'residence_criterion' | 'status' | 'note', number>>;
}

/** Validates a submissions CSV; returns the submissions it describes, or every problem found. */
export async function validateSubmissionsCsv(
  prisma: PrismaClient,
  source: CsvSource,
  options: Pick<ImportOptions, 'viewer' | 'onProgress'> = {},
): Promise<{ groups: Map<string, Group>; problems: ImportProblem[]; rows: number }> {
  const lookups = await loadLookups(prisma);
  const csv = readCsv(source);
  const problems: ImportProblem[] = [];
  const groups = new Map<string, Group>();
  const focal = options.viewer?.role === 'FOCAL_POINT' ? options.viewer.countryId : null;
  let rows = 0;
  let headerChecked = false;
  let variableColumns: string[] = [];
  let headerOk = true;
  const report = (line: number, column: string | null, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, column, message });
  };

  for await (const row of csv.rows) {
    if (!headerChecked) {
      headerChecked = true;
      variableColumns = checkHeader(csv.header, lookups, report);
      headerOk = problems.length === 0;
    }
    rows++;
    if (rows % 5000 === 0) options.onProgress?.('validate', rows);
    if (!headerOk) continue;
    if (row.width !== csv.header.length) {
      report(row.line, null, `expected ${csv.header.length} cells as in the header, found ${row.width}`);
      continue;
    }
    validateRow(row.line, row.cells, variableColumns, lookups, focal, groups, report);
  }
  if (!headerChecked) {
    if (csv.header.length) checkHeader(csv.header, lookups, report);
    else report(1, null, 'the file is empty: a header row and at least one data row are required');
    if (csv.header.length && !problems.length) report(2, null, 'the file has a header but no data rows');
  }
  for (const p of csv.problems) report(p.line, p.column, p.message);
  problems.sort((a, b) => a.line - b.line);
  return { groups, problems, rows };
}

function checkHeader(
  header: string[],
  lookups: Lookups,
  report: (line: number, column: string | null, message: string) => void,
): string[] {
  const seen = new Set<string>();
  const variableColumns: string[] = [];
  for (const name of header) {
    if (seen.has(name)) report(1, name, 'column appears twice in the header');
    seen.add(name);
    if ((REQUIRED as readonly string[]).includes(name) || (OPTIONAL as readonly string[]).includes(name)) continue;
    if (lookups.variables.has(name)) variableColumns.push(name);
    else
      report(
        1,
        name || '(empty)',
        `unknown column: not one of ${[...REQUIRED, ...OPTIONAL].join(', ')} and not a Variable code`,
      );
  }
  for (const name of REQUIRED) if (!seen.has(name)) report(1, name, 'required column is missing');
  return variableColumns;
}

function validateRow(
  line: number,
  cells: Record<string, string>,
  variableColumns: string[],
  lookups: Lookups,
  focal: number | null,
  groups: Map<string, Group>,
  report: (line: number, column: string | null, message: string) => void,
): void {
  const cell = (name: string) => (cells[name] ?? '').trim();
  let ok = true;
  const fail = (column: string, message: string) => {
    ok = false;
    report(line, column, message);
  };

  const countryCode = cell('country');
  const country = countryCode ? countryByCode(lookups, countryCode) : undefined;
  if (!countryCode) fail('country', 'required: an M49 or ISO3 code');
  else if (!country) fail('country', `no country with M49 or ISO3 code "${countryCode}"`);
  else if (focal !== null && country.id !== focal)
    fail('country', `a focal point may only import rows of its own country, not ${country.label}`);

  const indicatorCode = cell('indicator');
  const indicator = indicatorCode ? lookups.indicators.get(indicatorCode) : undefined;
  if (!indicatorCode) fail('indicator', 'required: an indicator code');
  else if (!indicator) fail('indicator', `no indicator with code "${indicatorCode}"`);

  const yearText = cell('reference_year');
  const year = /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
  if (!(year >= 1800 && year <= 2200)) fail('reference_year', `"${yearText}" is not a year (four digits)`);

  const valueText = cell('value');
  const value = parseNumber(valueText);
  if (value === null)
    fail('value', valueText ? `"${valueText}" is not a number` : 'required: a number (leave missing values out)');
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
  else if (focal !== null && (statusText === 'VALIDATED' || statusText === 'PUBLISHED'))
    fail('status', `a focal point may not import a status beyond SUBMITTED (got ${statusText})`);

  const dims: Record<string, string> = {};
  for (const variable of variableColumns) {
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

  if (!ok || !country || !indicator || value === null) return;
  const sourceKey = sourceKeyOf(dsCode || null, stCode || null);
  const key = `${country.id}|${indicator.id}|${year}|${sourceKey}`;
  let group = groups.get(key);
  if (!group) {
    group = {
      countryId: country.id,
      indicatorId: indicator.id,
      referenceYear: year,
      sourceKey,
      sourceTypeId: dataSource ? dataSource.sourceTypeId : (sourceTypeId ?? null),
      dataSourceId: dataSource?.id ?? null,
      unit: indicator.unit,
      residenceCriterion: dataSource?.residenceCriterion ?? null,
      status: 'SUBMITTED',
      note: null,
      observations: new Map(),
      label: `${country.label}/${indicator.code}/${year}${sourceKey ? `/${sourceKey}` : ''}`,
      firstLine: line,
      obsLines: new Map(),
      given: {},
    };
    groups.set(key, group);
  }
  // Submission-level cells may be left blank on all but one row; two different values are a mistake.
  const attribute = (
    column: 'residence_criterion' | 'status' | 'note',
    text: string,
    apply: () => void,
    current: string | null,
  ) => {
    if (!text) return;
    const first = group.given[column];
    if (first === undefined) {
      group.given[column] = line;
      apply();
    } else if (current !== text) {
      report(line, column, `"${text}" differs from "${current ?? ''}" on line ${first} of the same submission`);
    }
  };
  attribute(
    'residence_criterion',
    rcText,
    () => (group.residenceCriterion = rcText as ResidenceCriterion),
    group.residenceCriterion,
  );
  attribute('status', statusText, () => (group.status = statusText as SubmissionStatus), group.status);
  attribute('note', cell('note'), () => (group.note = cell('note')), group.note);

  const dimKey = dimensionKey(dims);
  const earlier = group.obsLines.get(dimKey);
  if (earlier !== undefined) {
    report(
      line,
      null,
      `duplicate observation: same country, indicator, reference year, source and disaggregation (${dimKey || 'total'}) as line ${earlier}`,
    );
    return;
  }
  group.obsLines.set(dimKey, line);
  group.observations.set(dimKey, value);
}

/** Validates and, when the whole file is valid, writes it in one transaction. */
export async function importSubmissions(
  prisma: PrismaClient,
  source: CsvSource,
  options: ImportOptions,
): Promise<SubmissionsImportResult> {
  const { groups, problems, rows } = await validateSubmissionsCsv(prisma, source, options);
  if (problems.length) return { ok: false, problems, rows };
  let observations = 0;
  for (const g of groups.values()) observations += g.observations.size;
  const base = { rows, submissions: groups.size, observations, dryRun: !!options.dryRun };
  if (options.dryRun) {
    const plan = await planSubmissions(prisma, groups.values());
    return {
      ok: true,
      report: { ...base, submissionsCreated: 0, observationsCreated: 0, submissionsUnchanged: plan.unchanged },
    };
  }
  const written = await writeTransaction(prisma, async (tx) => {
    const report = await writeSubmissions(tx, groups.values(), options.actor, options.onProgress);
    await options.beforeCommit?.();
    return report;
  });
  return { ok: true, report: { ...base, ...written } };
}

/**
 * Runs an importer's write transaction. Two imports of the same keys at once both plan version n+1; the second to
 * commit hits the unique key (or a serialization failure): that is a ConflictError saying what to do, not an
 * internal error. Its transaction is rolled back, so nothing of its file is written.
 */
export async function writeTransaction<T>(prisma: PrismaClient, write: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await prisma.$transaction(write, TRANSACTION_OPTIONS);
  } catch (err) {
    if (isWriteConflict(err)) {
      throw new ConflictError(
        'Another import wrote some of the same submissions at the same time; nothing of this file was written. ' +
          'Import it again: submissions that are now identical are left unchanged.',
      );
    }
    throw err;
  }
}

/** Long imports hold one transaction for as long as they need. */
export const TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 60 * 60_000 };

const STATUS_RANK: Record<SubmissionStatus, number> = {
  DRAFT: 0,
  SUBMITTED: 1,
  VALIDATED: 2,
  PUBLISHED: 3,
  REJECTED: -1,
};

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
    if (prev && sameData(d, prev, stored.get(prev.id)) && STATUS_RANK[prev.status] >= STATUS_RANK[d.status]) {
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
    const created = await tx.submission.createManyAndReturn({
      data: batch.map((d) => ({
        countryId: d.countryId,
        indicatorId: d.indicatorId,
        referenceYear: d.referenceYear,
        sourceKey: d.sourceKey,
        sourceTypeId: d.sourceTypeId,
        dataSourceId: d.dataSourceId,
        version: d.version,
        status: d.status,
        unit: d.unit,
        residenceCriterion: d.residenceCriterion,
        note: d.note,
        countableSince: d.status === 'VALIDATED' || d.status === 'PUBLISHED' ? now : null,
      })),
      select: { id: true, countryId: true, indicatorId: true, referenceYear: true, sourceKey: true },
    });
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
    await tx.submissionEvent.createMany({
      data: batch.map((d) => ({
        submissionId: ids.get(keyOf(d))!,
        fromStatus: null,
        toStatus: d.status,
        actor: actor.name,
        tokenId: actor.tokenId,
        comment: d.version > 1 ? `imported as version ${d.version}` : 'imported',
      })),
    });
    await tx.auditLog.createMany({
      data: batch.map((d) => ({
        actor: actor.name,
        tokenId: actor.tokenId,
        action: 'submission.import',
        entityType: 'Submission',
        entityKey: `${d.label}/v${d.version}`,
        after: {
          id: ids.get(keyOf(d)),
          version: d.version,
          status: d.status,
          unit: d.unit,
          residenceCriterion: d.residenceCriterion,
          note: d.note,
          observations: d.observations.size,
        },
      })),
    });
    onProgress?.('write', observationsCreated, totalObservations);
  }
  // Last, so that the feed's lock is held only until the commit (changes.ts).
  await recordSeriesChanges(tx, create);
  return { submissionsCreated: create.length, submissionsUnchanged: unchanged, observationsCreated };
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
