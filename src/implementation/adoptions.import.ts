// Adoption records from CSV (CONTRACT §8: country,recommendation,status,since,note,evidence_url), for
// `migstat import adoptions FILE` and the importAdoptions mutation alike. All-or-nothing: every problem is reported
// by line and column and nothing is written; otherwise one transaction declares each row (rows equal to the stored
// record are left alone, so a re-import changes nothing), each change kept in the record's history and audited.
import type { Actor } from '../access/audit.js';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { readCsv, type CsvSource } from '../platform/csv.js';
import type { AdoptionStatus } from '../../prisma/generated/prisma/enums.js';
import { countryKey } from '../geography/m49.js';
import { declarationIssues, declareInTx, type DeclarationInput } from './adoptions.service.js';

const REQUIRED = ['country', 'recommendation', 'status'] as const;
const OPTIONAL = ['since', 'note', 'evidence_url'] as const;
const COLUMN: Record<string, string> = { evidenceUrl: 'evidence_url' };
const MAX_PROBLEMS = 1000;

export interface ImportProblem {
  line: number;
  column: string | null;
  message: string;
}

export interface AdoptionImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

export type AdoptionImportResult =
  { ok: true; report: AdoptionImportReport } | { ok: false; rows: number; problems: ImportProblem[] };

export async function importAdoptions(
  prisma: PrismaClient,
  source: CsvSource,
  options: { actor: Actor; viewer?: Viewer | null; dryRun?: boolean },
): Promise<AdoptionImportResult> {
  const [countries, recommendations] = await Promise.all([
    prisma.country.findMany({ select: { id: true, m49: true, iso3: true } }),
    prisma.recommendation.findMany({ select: { id: true, code: true } }),
  ]);
  const countryIds = new Map<string, number>();
  for (const c of countries) {
    countryIds.set(c.m49, c.id);
    if (c.iso3) countryIds.set(c.iso3, c.id);
  }
  const recommendationIds = new Map(recommendations.map((r) => [r.code, r.id]));
  const focal = options.viewer?.role === 'FOCAL_POINT' ? options.viewer.countryId : null;

  const csv = readCsv(source);
  const problems: ImportProblem[] = [];
  const report = (line: number, column: string | null, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, column, message });
  };
  const declarations: DeclarationInput[] = [];
  const seen = new Map<string, number>();
  let rows = 0;
  let headerChecked = false;
  let headerOk = true;
  for await (const row of csv.rows) {
    if (!headerChecked) {
      headerChecked = true;
      checkHeader(csv.header, report);
      headerOk = problems.length === 0;
    }
    rows++;
    if (!headerOk) continue;
    if (row.width !== csv.header.length) {
      report(row.line, null, `expected ${csv.header.length} cells as in the header, found ${row.width}`);
      continue;
    }
    const cell = (name: string) => (row.cells[name] ?? '').trim();
    const before = problems.length;
    const countryCode = cell('country');
    const countryId = countryCode ? countryIds.get(Object.values(countryKey(countryCode))[0]!) : undefined;
    if (countryId === undefined) report(row.line, 'country', `no country with M49 or ISO3 code "${countryCode}"`);
    else if (focal !== null && countryId !== focal)
      report(row.line, 'country', 'a focal point may only report its own country');
    const recCode = cell('recommendation');
    const recommendationId = recommendationIds.get(recCode);
    if (recommendationId === undefined) report(row.line, 'recommendation', `no recommendation with code "${recCode}"`);
    const sinceText = cell('since');
    const since = sinceText === '' ? null : /^\d{4}$/.test(sinceText) ? Number(sinceText) : NaN;
    if (Number.isNaN(since)) report(row.line, 'since', `"${sinceText}" is not a year (four digits)`);
    const values = {
      status: cell('status'),
      since: Number.isNaN(since) ? null : since,
      note: cell('note') || null,
      evidenceUrl: cell('evidence_url') || null,
    };
    for (const issue of declarationIssues(values, (f) => [f]))
      report(row.line, COLUMN[issue.path[0]!] ?? issue.path[0]!, issue.message);
    if (countryId !== undefined && recommendationId !== undefined) {
      const key = `${countryId}:${recommendationId}`;
      const first = seen.get(key);
      if (first !== undefined)
        report(row.line, 'recommendation', `${countryCode} / ${recCode} already appears on line ${first}`);
      else seen.set(key, row.line);
    }
    if (problems.length > before || countryId === undefined || recommendationId === undefined) continue;
    declarations.push({ countryId, recommendationId, ...values, status: values.status as AdoptionStatus });
  }
  if (!headerChecked) {
    if (csv.header.length) checkHeader(csv.header, report);
    else report(1, null, 'the file is empty: a header row and at least one data row are required');
    if (csv.header.length && !problems.length) report(2, null, 'the file has a header but no data rows');
  }
  for (const p of csv.problems) report(p.line, p.column, p.message);
  if (problems.length) return { ok: false, rows, problems: problems.sort((a, b) => a.line - b.line) };

  const counts: AdoptionImportReport = { rows, created: 0, updated: 0, unchanged: 0 };
  if (options.dryRun) return { ok: true, report: counts };
  await prisma.$transaction(
    async (tx) => {
      for (const d of declarations) counts[(await declareInTx(tx, options.actor, d)).outcome]++;
    },
    { maxWait: 60_000, timeout: 10 * 60_000 },
  );
  return { ok: true, report: counts };
}

function checkHeader(header: string[], report: (line: number, column: string | null, message: string) => void) {
  for (const c of REQUIRED) if (!header.includes(c)) report(1, c, 'required column is missing');
  for (const c of header)
    if (!(REQUIRED as readonly string[]).includes(c) && !(OPTIONAL as readonly string[]).includes(c))
      report(1, c || '(empty)', `unknown column: not one of ${[...REQUIRED, ...OPTIONAL].join(', ')}`);
}
