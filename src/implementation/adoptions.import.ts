// Adoption records (CONTRACT §8: country,recommendation,status,since,note,evidence_url) from CSV (comma or
// semicolon) or XLSX through the import kernel, for `migstat import adoptions FILE` and the importAdoptions
// mutation alike. All-or-nothing: every problem is reported
// by line and column and nothing is written; otherwise one transaction declares each row (rows equal to the stored
// record are left alone, so a re-import changes nothing), each change kept in the record's history and audited.
import type { Actor } from '../access/audit.js';
import { importCountryOf } from '../access/focal-point.js';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { ConflictError, isWriteConflict } from '../platform/errors.js';
import { openTable, type TableProblem, type TableOptions, type TableSource } from '../platform/tabular.js';
import type { AdoptionStatus } from '../../prisma/generated/prisma/enums.js';
import { countryKey } from '../geography/m49.js';
import { declarationIssues, declareAllInTx, type DeclarationInput } from './adoptions.service.js';

const REQUIRED = ['country', 'recommendation', 'status'] as const;
const OPTIONAL = ['since', 'note', 'evidence_url'] as const;
const COLUMN: Record<string, string> = { evidenceUrl: 'evidence_url' };

/** A problem by line and column (and, in a workbook, sheet and cell). */
export type ImportProblem = TableProblem;

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
  source: TableSource,
  options: { actor: Actor; viewer?: Viewer | null; dryRun?: boolean; table?: TableOptions },
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
  const focal = importCountryOf(options.viewer);

  // The import kernel checks the header and each record's width, and locates problems (CSV or XLSX).
  const table = await openTable(source, { required: REQUIRED, optional: OPTIONAL }, options.table);
  const report = table.report;
  const declarations: DeclarationInput[] = [];
  const seen = new Map<string, number>();
  for await (const row of table.records()) {
    const cell = (name: string) => (row.cells[name] ?? '').trim();
    const before = table.problems().length;
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
    if (table.problems().length > before || countryId === undefined || recommendationId === undefined) continue;
    declarations.push({ countryId, recommendationId, ...values, status: values.status as AdoptionStatus });
  }
  const problems = table.problems();
  if (problems.length) return { ok: false, rows: table.rows, problems };

  const counts: AdoptionImportReport = { rows: table.rows, created: 0, updated: 0, unchanged: 0 };
  if (options.dryRun) return { ok: true, report: counts };
  try {
    await prisma.$transaction(async (tx) => {
      for (const { outcome } of await declareAllInTx(tx, options.actor, declarations)) counts[outcome]++;
    });
  } catch (error) {
    // Another import or declaration wrote some of the same records first (a unique key, a revision moved): the
    // typed conflict importSubmissions answers too (CONFLICT; the CLI prints it), never the database's text.
    if (error instanceof ConflictError || isWriteConflict(error))
      throw new ConflictError(
        'Another import or declaration wrote some of the same adoption records at the same time; nothing of this ' +
          'file was written. Import it again: records that are now identical are left unchanged.',
      );
    throw error;
  }
  return { ok: true, report: counts };
}
