// UN DESA International Migrant Stock 2020 by destination (CONTRACT §5, the layout of
// data/un_desa_ims2020_destination.csv) → PUBLISHED submissions of IMM_STOCK, one per country row and year with a
// total, each with the total and the SEX=F / SEX=M observations present. Rows whose location_code is not a country
// or area of the hub (the world, SDG and M49 regions, development and income groups, 830 Channel Islands) are
// aggregates: skipped and counted. `..` or an empty cell is a missing value, never zero. The figures are UN DESA's
// estimates (imputed or modelled where a country gave none), so their origin is INTERNATIONAL_ESTIMATE: they count
// for coverage and aggregates (CONTRACT §4, §5), not as evidence of the country's own practice (§8). Re-importing the file
// changes nothing: each submission equals the latest stored version of its key.
import type { Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ValidationError, type Issue } from '../platform/errors.js';
import { readCsv } from '../platform/csv.js';
import {
  loadLookups,
  parseNumber,
  writeTransaction,
  writeSubmissions,
  type SubmissionDraft,
  type WriteReport,
} from './submissions.import.js';

export const UNDESA_INDICATOR = 'IMM_STOCK';
export const UNDESA_YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020] as const;
const SOURCE_NOTE = 'UN DESA International Migrant Stock 2020 (POP/DB/MIG/Stock/Rev.2020)';
const DATA_TYPES: Record<string, string> = {
  B: 'foreign-born',
  C: 'citizenship',
  R: 'refugees added',
  I: 'imputed',
};

export interface UndesaReport extends WriteReport {
  rows: number;
  countries: number;
  submissions: number;
  observations: number;
  skippedAggregates: number;
  missingTotals: number;
}

function isMissing(text: string): boolean {
  const t = text.trim();
  return t === '' || t === '..';
}

/** Imports the UN DESA file; throws a ValidationError listing every bad cell (nothing is written then). */
export async function importUndesaIms(prisma: PrismaClient, file: string, actor: Actor): Promise<UndesaReport> {
  const lookups = await loadLookups(prisma);
  const indicator = lookups.indicators.get(UNDESA_INDICATOR);
  const issues: Issue[] = [];
  if (!indicator)
    issues.push({ path: ['(catalogue)'], message: `indicator ${UNDESA_INDICATOR} is not in the catalogue` });
  const columns = ['location_code', 'type_of_data'];
  for (const y of UNDESA_YEARS) columns.push(`stock_total_${y}`, `stock_male_${y}`, `stock_female_${y}`);

  const csv = readCsv({ file });
  const drafts: SubmissionDraft[] = [];
  const countries = new Set<number>();
  let rows = 0;
  let skippedAggregates = 0;
  let missingTotals = 0;
  let headerChecked = false;
  for await (const row of csv.rows) {
    if (!headerChecked) {
      headerChecked = true;
      for (const c of columns)
        if (!csv.header.includes(c)) issues.push({ path: ['line 1', c], message: 'required column is missing' });
    }
    rows++;
    if (issues.length || !indicator) continue;
    const code = row.cells.location_code!.trim();
    const country = /^\d{1,3}$/.test(code) ? lookups.countries.get(code.padStart(3, '0')) : undefined;
    if (!country) {
      skippedAggregates++;
      continue;
    }
    const typeOfData = row.cells.type_of_data!.trim();
    const note = `${SOURCE_NOTE}; type of data: ${
      typeOfData
        ? `${typeOfData} (${typeOfData
            .split(/\s+/)
            .map((t) => DATA_TYPES[t] ?? t)
            .join(', ')})`
        : 'not stated'
    }`;
    for (const year of UNDESA_YEARS) {
      const observations = new Map<string, number>();
      for (const [sex, column] of [
        ['', `stock_total_${year}`],
        ['SEX=F', `stock_female_${year}`],
        ['SEX=M', `stock_male_${year}`],
      ] as const) {
        const text = row.cells[column] ?? '';
        if (isMissing(text)) continue;
        const value = parseNumber(text);
        if (value === null || value < 0) {
          issues.push({ path: [`line ${row.line}`, column], message: `"${text}" is not a count (or .. for missing)` });
          continue;
        }
        observations.set(sex, value);
      }
      if (!observations.has('')) {
        missingTotals++;
        continue;
      }
      countries.add(country.id);
      drafts.push({
        countryId: country.id,
        indicatorId: indicator.id,
        referenceYear: year,
        sourceKey: '',
        sourceTypeId: null,
        dataSourceId: null,
        unit: indicator.unit,
        residenceCriterion: null,
        status: 'PUBLISHED',
        note,
        origin: 'INTERNATIONAL_ESTIMATE',
        observations,
        label: `${country.label}/${UNDESA_INDICATOR}/${year}`,
      });
    }
  }
  for (const p of csv.problems)
    issues.push({ path: [`line ${p.line}`, ...(p.column ? [p.column] : [])], message: p.message });
  if (!headerChecked && !issues.length) issues.push({ path: ['line 1'], message: 'the file has no data rows' });
  if (issues.length) throw ValidationError.of(issues);

  const written = await writeTransaction(prisma, (tx) => writeSubmissions(tx, drafts, actor));
  return {
    rows,
    countries: countries.size,
    submissions: drafts.length,
    observations: drafts.reduce((n, d) => n + d.observations.size, 0),
    skippedAggregates,
    missingTotals,
    ...written,
  };
}
