// Adoption records come through the import kernel: the same declarations as an XLSX workbook or a semicolon CSV
// import exactly as the comma CSV (every row unchanged, no audit row), and a bad cell in a workbook is located by
// sheet and cell, with nothing written; a sheet the workbook lacks is the one problem, naming the sheets it has.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAdoptions } from '../../src/implementation/adoptions.import.js';
import { startHub, type Hub } from '../support/hub.js';
import { scratchDir } from '../support/scratch.js';
import { DECLARATIONS, implementationScenario } from './scenario.js';

let hub: Hub;
const scratch = scratchDir('migstat-adoptions-');
beforeAll(async () => {
  hub = await startHub();
  await implementationScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const rows = parse(DECLARATIONS, { skip_empty_lines: true }) as string[][];

async function workbook(data: string[][]): Promise<string> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Adoptions').addRows(data);
  const file = join(scratch, `adoptions-${Math.random().toString(36).slice(2)}.xlsx`);
  writeFileSync(file, Buffer.from(await book.xlsx.writeBuffer()));
  return file;
}

const state = async () => ({
  adoptions: await hub.db.prisma.recommendationAdoption.findMany({ orderBy: { id: 'asc' } }),
  changes: await hub.db.prisma.adoptionChange.count(),
  audit: await hub.db.prisma.auditLog.count(),
});

test('the declarations as XLSX or semicolon CSV import as the comma CSV: nothing changes, no audit row', async () => {
  const created = await importAdoptions(hub.db.prisma, { text: DECLARATIONS }, { actor: CLI_ACTOR });
  expect(created).toEqual({ ok: true, report: { rows: 9, created: 9, updated: 0, unchanged: 0 } });
  const before = await state();
  const unchanged = { ok: true, report: { rows: 9, created: 0, updated: 0, unchanged: 9 } };
  expect(await importAdoptions(hub.db.prisma, { file: await workbook(rows) }, { actor: CLI_ACTOR })).toEqual(unchanged);
  const semicolon = stringify(rows, { delimiter: ';' });
  expect(await importAdoptions(hub.db.prisma, { text: semicolon }, { actor: CLI_ACTOR })).toEqual(unchanged);
  expect(await state()).toEqual(before);
});

test('a bad cell in a workbook is located by sheet and cell, and nothing is written', async () => {
  const before = await state();
  const bad = rows.map((r) => [...r]);
  bad[2]![3] = 'soon'; // since (column D) on sheet row 3
  bad[4]![1] = 'REC_NONE'; // recommendation (column B) on row 5
  const result = await importAdoptions(hub.db.prisma, { file: await workbook(bad) }, { actor: CLI_ACTOR });
  expect(result).toEqual({
    ok: false,
    rows: 9,
    problems: [
      { line: 3, column: 'since', message: '"soon" is not a year (four digits)', sheet: 'Adoptions', cell: 'D3' },
      {
        line: 5,
        column: 'recommendation',
        message: 'no recommendation with code "REC_NONE"',
        sheet: 'Adoptions',
        cell: 'B5',
      },
    ],
  });
  expect(await state()).toEqual(before);
});

test('a sheet the workbook lacks is one problem, naming the sheets it has (not also an empty file)', async () => {
  const before = await state();
  const file = await workbook(rows);
  const result = await importAdoptions(hub.db.prisma, { file }, { actor: CLI_ACTOR, table: { sheet: 'nope' } });
  expect(result).toEqual({
    ok: false,
    rows: 0,
    problems: [
      {
        line: 1,
        column: null,
        message: 'the workbook has no sheet named "nope" (it has "Adoptions")',
        sheet: 'nope',
      },
    ],
  });
  expect(await state()).toEqual(before);
});
