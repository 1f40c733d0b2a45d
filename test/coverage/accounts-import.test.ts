// Population accounts come through the import kernel: the same entries as an XLSX workbook (numbers as number
// cells) or a semicolon CSV import exactly as the comma CSV (nothing changes, no audit row), and a bad cell in a
// workbook is located by sheet and cell, with nothing written. New entries cost the same statements however many.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { ValidationError } from '../../src/platform/errors.js';
import { startHub, type Hub } from '../support/hub.js';
import { startQueryLog } from '../support/query-log.js';

let hub: Hub;
let scratch: string;
beforeAll(async () => {
  hub = await startHub();
  scratch = mkdtempSync(join(tmpdir(), 'accounts-import-'));
});
afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const HEADER = ['country', 'year', 'group', 'component', 'value', 'status'];
const ROWS: (string | number)[][] = [
  ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'BIRTHS', 70000, 'PUBLISHED'],
  ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'CITIZENSHIP_ACQUIRED', 30000, ''],
  ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'CITIZENSHIP_LOST', 100, 'draft'],
  ['756', 2021, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', 2000000, 'VALIDATED'],
];
const text = (rows: (string | number)[][], delimiter: string) =>
  [HEADER, ...rows].map((r) => r.join(delimiter)).join('\n');

async function workbook(rows: (string | number)[][]): Promise<string> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Accounts').addRows([HEADER, ...rows]);
  const file = join(scratch, `accounts-${Math.random().toString(36).slice(2)}.xlsx`);
  writeFileSync(file, Buffer.from(await book.xlsx.writeBuffer()));
  return file;
}

const state = async () => ({
  entries: await hub.db.prisma.accountEntry.findMany({ orderBy: { id: 'asc' } }),
  audit: await hub.db.prisma.auditLog.count(),
});

test('the entries as XLSX or semicolon CSV import as the comma CSV: nothing changes, no audit row', async () => {
  expect(await importAccounts(hub.db.prisma, { text: text(ROWS, ',') }, CLI_ACTOR)).toEqual({
    accountEntries: { created: 4, updated: 0, unchanged: 0 },
  });
  const before = await state();
  expect(before.entries.map((e) => [e.value, e.status])).toEqual([
    [70000, 'PUBLISHED'],
    [30000, 'SUBMITTED'],
    [100, 'DRAFT'],
    [2000000, 'VALIDATED'],
  ]);
  const unchanged = { accountEntries: { created: 0, updated: 0, unchanged: 4 } };
  expect(await importAccounts(hub.db.prisma, { file: await workbook(ROWS) }, CLI_ACTOR)).toEqual(unchanged);
  expect(await importAccounts(hub.db.prisma, { text: text(ROWS, ';') }, CLI_ACTOR)).toEqual(unchanged);
  expect(await state()).toEqual(before);

  // A change in a workbook is written and audited as one in the CSV.
  const changed = ROWS.map((r, i) => (i === 3 ? r.map((c) => (c === 2000000 ? 2000001 : c)) : r));
  expect(await importAccounts(hub.db.prisma, { file: await workbook(changed) }, CLI_ACTOR)).toEqual({
    accountEntries: { created: 0, updated: 1, unchanged: 3 },
  });
  const audit = await hub.db.prisma.auditLog.findFirst({ orderBy: { id: 'desc' } });
  expect(audit).toMatchObject({ action: 'accountEntry.update', entityType: 'AccountEntry', actor: 'cli' });
});

test('a bad cell in a workbook is located by sheet and cell, and nothing is written', async () => {
  const before = await state();
  const bad = ROWS.map((r) => [...r]);
  bad[1]![4] = 'many'; // value (column E) on sheet row 3
  bad.push(['CHE', 2022, 'FOREIGN_BORN_FOREIGNERS', 'BIRTHS', 3, '']); // component (D) on row 6
  const error = await importAccounts(hub.db.prisma, { file: await workbook(bad) }, CLI_ACTOR).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues).toEqual([
    {
      path: ['sheet Accounts', 'cell E3', 'line 3', 'value'],
      message: '"many" is not a number',
      sheet: 'Accounts',
      cell: 'E3',
      line: 3,
      column: 'value',
    },
    {
      path: ['sheet Accounts', 'cell D6', 'line 6', 'component'],
      message: 'BIRTHS is only valid on native-born groups, not FOREIGN_BORN_FOREIGNERS',
      sheet: 'Accounts',
      cell: 'D6',
      line: 6,
      column: 'component',
    },
  ]);
  expect(await state()).toEqual(before);
});

test('a count a number cannot keep exactly is refused, not changed', async () => {
  const huge = [['CHE', 2023, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', '9007199254740993', 'SUBMITTED']];
  const error = await importAccounts(hub.db.prisma, { text: text(huge, ',') }, CLI_ACTOR).catch((e: unknown) => e);
  expect((error as ValidationError).issues).toEqual([
    expect.objectContaining({
      line: 2,
      column: 'value',
      message: 'too large to be kept exactly: a count of persons may be at most 9007199254740991',
    }),
  ]);
});

test('new entries cost the same statements however many, each with its audit row', async () => {
  const log = await startQueryLog(hub.db.adapterFactory);
  const rows = (from: number, years: number) =>
    Array.from({ length: years }, (_, i) => [
      ['FRA', from + i, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', 1000 + i, 'PUBLISHED'],
      ['FRA', from + i, 'FOREIGN_BORN_FOREIGNERS', 'CLOSING_STOCK', 2000 + i, 'PUBLISHED'],
    ]).flat();
  const audits = await hub.db.prisma.auditLog.count({ where: { action: 'accountEntry.create' } });
  const few = await log.count(() => importAccounts(hub.db.prisma, { text: text(rows(1950, 2), ',') }, CLI_ACTOR));
  const many = await log.count(() => importAccounts(hub.db.prisma, { text: text(rows(1960, 20), ',') }, CLI_ACTOR));
  log.stop();
  expect(many).toBe(few);
  expect(await hub.db.prisma.auditLog.count({ where: { action: 'accountEntry.create' } })).toBe(audits + 44);
  expect(await hub.db.prisma.accountEntry.count({ where: { country: { iso3: 'FRA' } } })).toBe(44);
});
