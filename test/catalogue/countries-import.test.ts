// The M49 list comes through the import kernel: the same list as an XLSX workbook or a semicolon CSV imports exactly
// as the comma CSV it was made from (nothing changes, no audit row), and a bad cell in a workbook is located by
// sheet and cell, with nothing written.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importCountries, parseCountries } from '../../src/geography/countries.import.js';
import { ValidationError } from '../../src/platform/errors.js';
import { startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let scratch: string;
beforeAll(async () => {
  hub = await startHub();
  scratch = mkdtempSync(join(tmpdir(), 'countries-import-'));
});
afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

// The hub was seeded from this file.
const rows = parse(readFileSync('data/countries.csv', 'utf8'), { bom: true, skip_empty_lines: true }) as string[][];

async function workbook(data: string[][]): Promise<string> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('M49').addRows(data);
  const file = join(scratch, `countries-${Math.random().toString(36).slice(2)}.xlsx`);
  writeFileSync(file, Buffer.from(await book.xlsx.writeBuffer()));
  return file;
}

const state = async () => ({
  countries: await hub.db.prisma.country.findMany({ orderBy: { m49: 'asc' }, include: { regions: true } }),
  regions: await hub.db.prisma.region.findMany({ orderBy: { code: 'asc' } }),
  audit: await hub.db.prisma.auditLog.count(),
});

const ALL_UNCHANGED = {
  Region: { created: 0, updated: 0, unchanged: 30 },
  Country: { created: 0, updated: 0, unchanged: 248 },
};

test('the list as XLSX or semicolon CSV imports as the comma CSV: nothing changes, no audit row', async () => {
  const before = await state();
  const comma = await parseCountries({ file: 'data/countries.csv' });
  expect(await importCountries(hub.db.prisma, comma, CLI_ACTOR)).toEqual(ALL_UNCHANGED);

  const xlsx = await parseCountries({ file: await workbook(rows) });
  expect(xlsx).toEqual(comma);
  expect(await importCountries(hub.db.prisma, xlsx, CLI_ACTOR)).toEqual(ALL_UNCHANGED);

  const semicolon = await parseCountries({ text: stringify(rows, { delimiter: ';' }) });
  expect(semicolon).toEqual(comma);
  expect(await importCountries(hub.db.prisma, semicolon, CLI_ACTOR)).toEqual(ALL_UNCHANGED);
  expect(await state()).toEqual(before);
});

test('a change in a workbook is imported and audited like one in the CSV', async () => {
  const renamed = rows.map((r) =>
    r[9] === '756' ? r.map((c) => (c === 'Switzerland' ? 'Swiss Confederation' : c)) : r,
  );
  const report = await importCountries(
    hub.db.prisma,
    await parseCountries({ file: await workbook(renamed) }),
    CLI_ACTOR,
  );
  expect(report.Country).toEqual({ created: 0, updated: 1, unchanged: 247 });
  const audit = await hub.db.prisma.auditLog.findFirst({ where: { entityKey: '756' }, orderBy: { id: 'desc' } });
  expect(audit).toMatchObject({ action: 'country.update', entityType: 'Country', actor: 'cli' });
  await importCountries(hub.db.prisma, await parseCountries({ file: 'data/countries.csv' }), CLI_ACTOR);
});

test('a bad cell in a workbook is located by sheet and cell, and nothing is written', async () => {
  const before = await state();
  const bad = rows.map((r) => [...r]);
  bad[3]![11] = 'L1Y'; // ISO-alpha3 Code is column L; row 4 of the sheet
  bad.push([...bad[5]!]); // a duplicate M49 code (column J) and ISO3 code (L) on the last row
  const error = await parseCountries({ file: await workbook(bad) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).issues).toEqual([
    {
      path: ['sheet M49', 'cell L4', 'line 4', 'ISO-alpha3 Code'],
      message: '"L1Y" is not an ISO alpha-3 code',
      sheet: 'M49',
      cell: 'L4',
      line: 4,
      column: 'ISO-alpha3 Code',
    },
    {
      path: ['sheet M49', `cell J${bad.length}`, `line ${bad.length}`, 'M49 Code'],
      message: 'duplicate of line 6',
      sheet: 'M49',
      cell: `J${bad.length}`,
      line: bad.length,
      column: 'M49 Code',
    },
    {
      path: ['sheet M49', `cell L${bad.length}`, `line ${bad.length}`, 'ISO-alpha3 Code'],
      message: 'duplicate of line 6',
      sheet: 'M49',
      cell: `L${bad.length}`,
      line: bad.length,
      column: 'ISO-alpha3 Code',
    },
  ]);
  expect(await state()).toEqual(before);
});
