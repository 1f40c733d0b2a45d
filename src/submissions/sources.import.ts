// Country data sources (CONTRACT §5 "Data sources": code, country, source_type, name, optional agency,
// periodicity, latest_year, residence_criterion). Created or updated by code, all-or-nothing, every bad cell
// reported by line and column; rows equal to what is stored are left alone, so a re-import changes nothing.
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ValidationError } from '../platform/errors.js';
import type { ResidenceCriterion } from '../../prisma/generated/prisma/enums.js';
import { openTable, problemIssue, type TableOptions, type TableSource } from '../platform/tabular.js';
import type { ImportCounts } from '../catalogue/catalogue.import.js';
import { countryByCode, loadLookups, RESIDENCE_CRITERIA } from './submissions.import.js';
import { recordItemChanges, type ItemRef } from './changes.js';

const REQUIRED = ['code', 'country', 'source_type', 'name'] as const;
const OPTIONAL = ['agency', 'periodicity', 'latest_year', 'residence_criterion'] as const;

export interface DataSourceData {
  code: string;
  countryId: number;
  sourceTypeId: number;
  name: string;
  agency: string | null;
  periodicity: string | null;
  latestYear: number | null;
  residenceCriterion: ResidenceCriterion | null;
}

export const DATA_SOURCE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export async function importDataSources(
  prisma: PrismaClient,
  source: TableSource,
  actor: Actor,
  tableOptions?: TableOptions,
): Promise<{ dataSources: ImportCounts }> {
  const lookups = await loadLookups(prisma);
  // The import kernel checks the header and each record's width, and locates problems (CSV or XLSX).
  const table = await openTable(source, { required: REQUIRED, optional: OPTIONAL }, tableOptions);
  const rows: DataSourceData[] = [];
  const seen = new Map<string, number>();
  const fail = table.report;
  for await (const row of table.records()) {
    const cell = (name: string) => (row.cells[name] ?? '').trim();
    const before = table.problems().length;
    const code = cell('code');
    if (!DATA_SOURCE_CODE.test(code)) fail(row.line, 'code', `"${code}" is not a code (letters, digits, _ . -)`);
    else if (seen.has(code)) fail(row.line, 'code', `"${code}" already appears on line ${seen.get(code)}`);
    else seen.set(code, row.line);
    const country = cell('country') ? countryByCode(lookups, cell('country')) : undefined;
    if (!country) fail(row.line, 'country', `no country with M49 or ISO3 code "${cell('country')}"`);
    const sourceTypeId = lookups.sourceTypes.get(cell('source_type'));
    if (sourceTypeId === undefined) fail(row.line, 'source_type', `no source type with code "${cell('source_type')}"`);
    const name = cell('name');
    if (!name) fail(row.line, 'name', 'required');
    const yearText = cell('latest_year');
    const latestYear = yearText ? (/^\d{4}$/.test(yearText) ? Number(yearText) : NaN) : null;
    if (latestYear !== null && !(latestYear >= 1800 && latestYear <= 2200))
      fail(row.line, 'latest_year', `"${yearText}" is not a year (four digits)`);
    const rc = cell('residence_criterion');
    if (rc && !RESIDENCE_CRITERIA.includes(rc as ResidenceCriterion))
      fail(row.line, 'residence_criterion', `"${rc}" is not one of ${RESIDENCE_CRITERIA.join(', ')}`);
    if (table.problems().length > before || !country || sourceTypeId === undefined) continue;
    rows.push({
      code,
      countryId: country.id,
      sourceTypeId,
      name,
      agency: cell('agency') || null,
      periodicity: cell('periodicity') || null,
      latestYear,
      residenceCriterion: (rc as ResidenceCriterion) || null,
    });
  }
  const problems = table.problems();
  if (problems.length) throw ValidationError.of(problems.map(problemIssue));

  return prisma.$transaction(async (tx) => {
    const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
    const changed: ItemRef[] = [];
    const existing = new Map((await tx.dataSource.findMany()).map((d) => [d.code, d]));
    for (const row of rows) {
      const old = existing.get(row.code);
      if (!old) {
        const created = await tx.dataSource.create({ data: row });
        await audit(tx, actor, 'dataSource.create', 'DataSource', row.code, null, snapshot(created));
        changed.push({ type: 'DataSource', id: created.id });
        counts.created++;
      } else if (Object.entries(row).some(([k, v]) => old[k as keyof typeof old] !== v)) {
        const updated = await tx.dataSource.update({ where: { id: old.id }, data: row });
        await audit(tx, actor, 'dataSource.update', 'DataSource', row.code, snapshot(old), snapshot(updated));
        changed.push({ type: 'DataSource', id: updated.id });
        counts.updated++;
      } else counts.unchanged++;
    }
    await recordItemChanges(tx, changed);
    return { dataSources: counts };
  });
}

/** The audited fields of a data source. */
export function snapshot(d: DataSourceData & { id?: number }) {
  return {
    code: d.code,
    countryId: d.countryId,
    sourceTypeId: d.sourceTypeId,
    name: d.name,
    agency: d.agency,
    periodicity: d.periodicity,
    latestYear: d.latestYear,
    residenceCriterion: d.residenceCriterion,
  };
}
