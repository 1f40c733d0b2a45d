// Population accounts (CONTRACT §5 "Population accounts": country, year, group, component, value; §4 rules):
// BIRTHS only on native-born groups, CITIZENSHIP_ACQUIRED only on foreigner groups, CITIZENSHIP_LOST only on
// citizen groups. Read through the import kernel (CSV with comma or semicolon, or XLSX). Upserted by (country, year,
// group, component), all-or-nothing, every bad cell reported by line and column (sheet and cell in a workbook);
// unchanged entries are left alone. An optional `status` column sets the entries' publication state (as the
// submissions CSV does; default SUBMITTED): only PUBLISHED entries reach anonymous and READER callers (§7). A focal
// point imports its own country's entries only, DRAFT or SUBMITTED (src/access/focal-point.ts), as for submissions.
import { auditMany, type Actor, type AuditEntry } from '../access/audit.js';
import { foreignCountryProblem, importCountryOf, reviewedStatusProblem } from '../access/focal-point.js';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { ValidationError } from '../platform/errors.js';
import type { AccountComponent, PopulationGroup, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import {
  openTable,
  problemIssue,
  type TableOptions,
  type TableProblem,
  type TableSource,
} from '../platform/tabular.js';
import type { ImportCounts } from '../catalogue/catalogue.import.js';
import {
  countryByCode,
  inexactCount,
  loadLookups,
  statusStands,
  writeTransaction,
} from '../submissions/submissions.import.js';

export const POPULATION_GROUPS: readonly PopulationGroup[] = [
  'NATIVE_BORN_CITIZENS',
  'NATIVE_BORN_FOREIGNERS',
  'FOREIGN_BORN_CITIZENS',
  'FOREIGN_BORN_FOREIGNERS',
];
export const ACCOUNT_COMPONENTS: readonly AccountComponent[] = [
  'OPENING_STOCK',
  'BIRTHS',
  'DEATHS',
  'IMMIGRATION',
  'EMIGRATION',
  'CITIZENSHIP_ACQUIRED',
  'CITIZENSHIP_LOST',
  'CLOSING_STOCK',
];
const COLUMNS = ['country', 'year', 'group', 'component', 'value'] as const;
const OPTIONAL_COLUMNS = ['status'] as const;
/** The publication states an imported entry may take (accounts are not reviewed version by version: no REJECTED). */
export const ACCOUNT_STATUSES: readonly SubmissionStatus[] = ['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED'];
const DEFAULT_STATUS: SubmissionStatus = 'SUBMITTED';

/** Why a component may not be recorded on a group, or null when it may (CONTRACT §4). */
export function componentRule(group: PopulationGroup, component: AccountComponent): string | null {
  if (component === 'BIRTHS' && group.startsWith('FOREIGN_BORN'))
    return `BIRTHS is only valid on native-born groups, not ${group}`;
  if (component === 'CITIZENSHIP_ACQUIRED' && group.endsWith('_CITIZENS'))
    return `CITIZENSHIP_ACQUIRED is recorded on the foreigner group (people who naturalised), not ${group}`;
  if (component === 'CITIZENSHIP_LOST' && group.endsWith('_FOREIGNERS'))
    return `CITIZENSHIP_LOST is recorded on the citizen group, not ${group}`;
  return null;
}

interface Entry {
  countryId: number;
  year: number;
  group: PopulationGroup;
  component: AccountComponent;
  value: number;
  status: SubmissionStatus;
  label: string;
}

/** `migstat import accounts`: every problem as a ValidationError, else the counts. */
export async function importAccounts(
  prisma: PrismaClient,
  source: TableSource,
  actor: Actor,
  table?: TableOptions,
): Promise<{ accountEntries: ImportCounts }> {
  const result = await importAccountsFile(prisma, source, { actor, table });
  if (!result.ok) throw ValidationError.of(result.problems.map(problemIssue));
  return { accountEntries: result.report };
}

export type AccountImportResult =
  { ok: true; report: ImportCounts } | { ok: false; rows: number; problems: TableProblem[] };

/** Reads and checks the whole file, then writes it all-or-nothing (unless `dryRun`); problems are returned. */
export async function importAccountsFile(
  prisma: PrismaClient,
  source: TableSource,
  options: {
    actor: Actor;
    dryRun?: boolean;
    table?: TableOptions;
    /** The API caller; none for the CLI. A FOCAL_POINT imports its own country's entries only. */
    viewer?: Viewer | null;
  },
): Promise<AccountImportResult> {
  const { actor } = options;
  const focal = importCountryOf(options.viewer);
  const lookups = await loadLookups(prisma);
  // The import kernel checks the header and each record's width, and locates problems (CSV or XLSX).
  const table = await openTable(source, { required: COLUMNS, optional: OPTIONAL_COLUMNS }, options.table);
  let rows = 0;
  const entries: Entry[] = [];
  const seen = new Map<string, number>();
  const fail = table.report;
  for await (const row of table.records()) {
    rows++;
    const cell = (name: string) => (row.cells[name] ?? '').trim();
    const before = table.problems().length;
    const country = cell('country') ? countryByCode(lookups, cell('country')) : undefined;
    if (!country) fail(row.line, 'country', `no country with M49 or ISO3 code "${cell('country')}"`);
    else {
      const foreign = foreignCountryProblem(focal, country);
      if (foreign) fail(row.line, 'country', foreign);
    }
    const year = /^\d{4}$/.test(cell('year')) ? Number(cell('year')) : NaN;
    if (!(year >= 1800 && year <= 2200))
      fail(row.line, 'year', `"${cell('year')}" is not a year from 1800 to 2200 (four digits)`);
    const group = cell('group') as PopulationGroup;
    const groupOk = POPULATION_GROUPS.includes(group);
    if (!groupOk) fail(row.line, 'group', `"${group}" is not one of ${POPULATION_GROUPS.join(', ')}`);
    const component = cell('component') as AccountComponent;
    const componentOk = ACCOUNT_COMPONENTS.includes(component);
    if (!componentOk) fail(row.line, 'component', `"${component}" is not one of ${ACCOUNT_COMPONENTS.join(', ')}`);
    if (groupOk && componentOk) {
      const broken = componentRule(group, component);
      if (broken) fail(row.line, 'component', broken);
    }
    const value = table.number(cell('value'));
    if (value === null) fail(row.line, 'value', table.notANumber(cell('value')));
    else if (value < 0) fail(row.line, 'value', `${value} is negative: components count persons`);
    else if (!Number.isInteger(value))
      fail(row.line, 'value', `${value} is not a whole number: components count persons`);
    else {
      const inexact = inexactCount(value);
      if (inexact) fail(row.line, 'value', inexact);
    }
    const status = (cell('status').toUpperCase() || DEFAULT_STATUS) as SubmissionStatus;
    if (!ACCOUNT_STATUSES.includes(status))
      fail(row.line, 'status', `"${cell('status')}" is not one of ${ACCOUNT_STATUSES.join(', ')}`);
    else {
      const reviewed = reviewedStatusProblem(focal, status);
      if (reviewed) fail(row.line, 'status', reviewed);
    }
    if (table.problems().length > before || !country || value === null) continue;
    const key = `${country.id}|${year}|${group}|${component}`;
    if (seen.has(key)) {
      fail(row.line, null, `duplicate entry: same country, year, group and component as line ${seen.get(key)}`);
      continue;
    }
    seen.set(key, row.line);
    entries.push({
      countryId: country.id,
      year,
      group,
      component,
      value,
      status,
      label: `${country.label}/${year}/${group}/${component}`,
    });
  }
  const problems = table.problems();
  if (problems.length) return { ok: false, rows, problems };
  if (options.dryRun) return { ok: true, report: { created: 0, updated: 0, unchanged: 0 } };

  const report = await writeTransaction(
    prisma,
    async (tx) => {
      const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
      const countryIds = [...new Set(entries.map((e) => e.countryId))];
      const existing = new Map(
        (await tx.accountEntry.findMany({ where: { countryId: { in: countryIds } } })).map((e) => [
          `${e.countryId}|${e.year}|${e.group}|${e.component}`,
          e,
        ]),
      );
      // New entries in one INSERT and every audit row in another, in the file's order; a changed entry is its own
      // UPDATE (each has its own values).
      const created: (Omit<Entry, 'label'> & { publishedValue?: number })[] = [];
      const audits: AuditEntry[] = [];
      for (const { label, ...entry } of entries) {
        const old = existing.get(`${entry.countryId}|${entry.year}|${entry.group}|${entry.component}`);
        const after = { value: entry.value, status: entry.status };
        // A value imported as PUBLISHED is the published one; any other leaves the published value as it was.
        const published = entry.status === 'PUBLISHED' ? { publishedValue: entry.value } : {};
        if (!old) {
          created.push({ ...entry, ...published });
          audits.push({
            action: 'accountEntry.create',
            entityType: 'AccountEntry',
            entityKey: label,
            before: null,
            after,
          });
          counts.created++;
        } else if (old.value !== entry.value || !statusStands(old.status, entry.status)) {
          await tx.accountEntry.update({ where: { id: old.id }, data: { ...after, ...published } });
          const before = { value: old.value, status: old.status };
          audits.push({ action: 'accountEntry.update', entityType: 'AccountEntry', entityKey: label, before, after });
          counts.updated++;
        } else counts.unchanged++;
      }
      if (created.length) await tx.accountEntry.createMany({ data: created });
      await auditMany(tx, actor, audits);
      return counts;
    },
    'population-account entries',
  );
  return { ok: true, report };
}
