// importSubmissions with an uploaded file (GraphQL multipart request spec) over a real socket: a semicolon CSV with
// decimal commas and an XLSX workbook (a named sheet) are written; a workbook's problems are located by sheet and
// cell, and nothing of it is written. The CLI's importer reads a workbook file too.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { pino } from 'pino';
import { listen } from '../../src/http/server.js';
import { loadConfig } from '../../src/platform/config.js';
import { startHub, type Hub } from '../support/hub.js';
import { scratchDir } from '../support/scratch.js';
import { importers } from '../../src/cli/importers.js';

const IMPORT = `mutation ($input: ImportSubmissionsInput!) {
  importSubmissions(input: $input) {
    ok rows submissions observations submissionsWritten observationsWritten
    problems { line column message sheet cell }
  }
}`;

let hub: Hub;
let server: Server;
let base: string;
let admin: string;
const scratch = scratchDir('migstat-upload-');

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  server = await listen({ config, db: hub.db, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await hub?.close();
});

interface Result {
  data?: {
    importSubmissions: {
      ok: boolean;
      rows: number;
      submissionsWritten: number;
      observationsWritten: number;
      problems: { line: number; column: string | null; message: string; sheet: string | null; cell: string | null }[];
    };
  };
  errors?: { message: string }[];
}

/** POST /graphql as multipart/form-data: operations, map, and the file as part "0". */
async function upload(file: Blob, name: string, input: Record<string, unknown> = {}): Promise<Result> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: IMPORT, variables: { input: { file: null, ...input } } }));
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', file, name);
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
    body: form,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Result;
}

async function workbook(sheets: Record<string, (string | number)[][]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) book.addWorksheet(name).addRows(rows);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function stored(iso3: string, indicator: string, year: number) {
  return hub.db.prisma.observation.findMany({
    where: { submission: { country: { iso3 }, indicator: { code: indicator }, referenceYear: year } },
    select: { value: true, dimensionKey: true },
    orderBy: { dimensionKey: 'asc' },
  });
}

test('a semicolon CSV with decimal commas, uploaded, is written', async () => {
  const text =
    'country;indicator;reference_year;value;SEX\nCHE;MIGRANT_SHARE;2020;"29,7";_T\nCHE;MIGRANT_SHARE;2020;30,1;F\n';
  const result = await upload(new Blob([text], { type: 'text/csv' }), 'shares.csv', { decimalComma: true });
  expect(result.errors).toBeUndefined();
  expect(result.data!.importSubmissions).toMatchObject({
    ok: true,
    rows: 2,
    submissionsWritten: 1,
    observationsWritten: 2,
  });
  expect(await stored('CHE', 'MIGRANT_SHARE', 2020)).toEqual([
    { dimensionKey: '', value: 29.7 },
    { dimensionKey: 'SEX=F', value: 30.1 },
  ]);

  // Without decimalComma, "29,7" is not a number: the problem names the line and column.
  const again = await upload(new Blob([text]), 'shares.csv');
  expect(again.data!.importSubmissions.ok).toBe(false);
  expect(again.data!.importSubmissions.problems[0]).toMatchObject({
    line: 2,
    column: 'value',
    message: '"29,7" is not a number: write decimals with a point (29.7), or import the file with decimal commas',
    sheet: null,
    cell: null,
  });
});

test('an XLSX workbook is read from the named sheet (or the first) and written', async () => {
  const header = ['country', 'indicator', 'reference_year', 'value', 'SEX'];
  const bytes = await workbook({
    notes: [['this sheet is not data']],
    data: [header, ['FRA', 'IMM_STOCK', 2019, 8400000, '_T'], ['250', 'IMM_STOCK', 2019, 4400000, 'F']],
  });
  const result = await upload(new Blob([new Uint8Array(bytes)]), 'upload.bin', { sheet: 'data' });
  expect(result.errors).toBeUndefined();
  expect(result.data!.importSubmissions).toMatchObject({
    ok: true,
    rows: 2,
    submissionsWritten: 1,
    observationsWritten: 2,
  });
  expect(await stored('FRA', 'IMM_STOCK', 2019)).toEqual([
    { dimensionKey: '', value: 8400000 },
    { dimensionKey: 'SEX=F', value: 4400000 },
  ]);

  // The first sheet is not a submissions table: its header is refused, located in that sheet.
  const first = await upload(new Blob([new Uint8Array(bytes)]), 'upload.xlsx');
  expect(first.data!.importSubmissions.problems).toContainEqual(
    expect.objectContaining({ line: 1, column: 'this sheet is not data', sheet: 'notes', cell: 'A1' }),
  );
  const missing = await upload(new Blob([new Uint8Array(bytes)]), 'upload.xlsx', { sheet: 'Sheet9' });
  expect(missing.data!.importSubmissions.problems[0]!.message).toMatch(/no sheet named "Sheet9".*"notes", "data"/);
});

test('an M49 code typed as a number in a workbook (56, 4) is read with its leading zeros restored', async () => {
  // A spreadsheet drops the zeros of 056 and 004; country cells accept M49 codes of one to three digits (CONTRACT §1).
  const bytes = await workbook({
    data: [
      ['country', 'indicator', 'reference_year', 'value'],
      [56, 'IMM_STOCK', 2017, 2000000],
      [4, 'IMM_STOCK', 2017, 150000],
    ],
  });
  const result = await upload(new Blob([new Uint8Array(bytes)]), 'numbers.xlsx');
  expect(result.data!.importSubmissions).toMatchObject({ ok: true, rows: 2, submissionsWritten: 2 });
  expect(await stored('BEL', 'IMM_STOCK', 2017)).toEqual([{ dimensionKey: '', value: 2000000 }]);
  expect(await stored('AFG', 'IMM_STOCK', 2017)).toEqual([{ dimensionKey: '', value: 150000 }]);
});

test('a workbook whose sheets come before xl/workbook.xml in the zip is read too', async () => {
  // exceljs's streaming reader fails on this order (it meets a sheet before knowing the sheet names); the kernel then
  // reads the workbook whole. Spreadsheet programs may write their zip entries in any order.
  const bytes = await workbook({
    data: [
      ['country', 'indicator', 'reference_year', 'value'],
      ['DEU', 'IMM_STOCK', 2018, 13000000],
    ],
  });
  const zip = await JSZip.loadAsync(bytes);
  const paths = Object.keys(zip.files).filter((p) => !zip.files[p]!.dir);
  // Shared strings and relationships first, then the sheets, then the workbook part.
  const rank = (p: string) => (p === 'xl/workbook.xml' ? 2 : /^xl\/worksheets\/sheet/.test(p) ? 1 : 0);
  const reordered = new JSZip();
  for (const path of [...paths].sort((a, b) => rank(a) - rank(b)))
    reordered.file(path, await zip.files[path]!.async('uint8array'));
  const out = await reordered.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
  const result = await upload(new Blob([new Uint8Array(out)]), 'reordered.xlsx');
  expect(result.errors).toBeUndefined();
  expect(result.data!.importSubmissions).toMatchObject({ ok: true, rows: 1, submissionsWritten: 1 });
  expect(await stored('DEU', 'IMM_STOCK', 2018)).toEqual([{ dimensionKey: '', value: 13000000 }]);
});

test("a workbook's problems are located by sheet and cell, and nothing of it is written", async () => {
  const before = await hub.db.prisma.submission.count();
  const bytes = await workbook({
    Sheet1: [
      ['country', 'indicator', 'reference_year', 'value', 'SEX'],
      ['DEU', 'IMM_STOCK', 2018, 13000000, '_T'],
      ['XXX', 'IMM_STOCK', 2018, 6000000, 'F'],
      ['DEU', 'IMM_STOCK', 2018, -5, 'Q'],
    ],
  });
  const result = await upload(new Blob([new Uint8Array(bytes)]), 'bad.xlsx');
  expect(result.data!.importSubmissions.ok).toBe(false);
  expect(result.data!.importSubmissions.problems).toEqual([
    expect.objectContaining({ line: 3, column: 'country', sheet: 'Sheet1', cell: 'A3' }),
    expect.objectContaining({ line: 4, column: 'value', sheet: 'Sheet1', cell: 'D4' }),
    expect.objectContaining({ line: 4, column: 'SEX', sheet: 'Sheet1', cell: 'E4' }),
  ]);
  expect(await hub.db.prisma.submission.count()).toBe(before);
});

test('a date typed into a workbook cell is read as the date the spreadsheet shows, not its serial number', async () => {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('data');
  sheet.addRows([
    ['country', 'indicator', 'reference_year', 'value'],
    ['DEU', 'IMM_STOCK', new Date(Date.UTC(2020, 0, 1)), 13000000],
  ]);
  sheet.getCell('C2').numFmt = 'yyyy-mm-dd';
  const bytes = Buffer.from(await book.xlsx.writeBuffer());
  const result = await upload(new Blob([new Uint8Array(bytes)]), 'dates.xlsx');
  expect(result.data!.importSubmissions.problems).toEqual([
    {
      line: 2,
      column: 'reference_year',
      message: '"2020-01-01" is not a year from 1800 to 2200 (four digits)',
      sheet: 'data',
      cell: 'C2',
    },
  ]);
});

test('numbers in a workbook are read as the spreadsheet shows them: a percent cell as its percentage, 15 digits', async () => {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('data');
  sheet.addRows([
    ['country', 'indicator', 'reference_year', 'value', 'SEX'],
    ['LIE', 'MIGRANT_SHARE', 2021, 0.125, '_T'], // shown 12.5%
    ['LIE', 'MIGRANT_SHARE', 2021, 0.1 + 0.2, 'F'], // computed: stored 0.30000000000000004, shown 0.3
    ['LIE', 'MIGRANT_SHARE', 2021, 0.5, 'M'], // a literal "%" in the format is text, not a percentage
  ]);
  sheet.getCell('D2').numFmt = '0.0%';
  sheet.getCell('D4').numFmt = '0.0"%"';
  const bytes = Buffer.from(await book.xlsx.writeBuffer());
  const result = await upload(new Blob([new Uint8Array(bytes)]), 'shares.xlsx');
  expect(result.data!.importSubmissions).toMatchObject({ ok: true, problems: [] });
  expect(await stored('LIE', 'MIGRANT_SHARE', 2021)).toEqual([
    { dimensionKey: '', value: 12.5 },
    { dimensionKey: 'SEX=F', value: 0.3 },
    { dimensionKey: 'SEX=M', value: 0.5 },
  ]);
});

test('a count of persons a number cannot keep exactly is refused, not changed', async () => {
  const csv = 'country,indicator,reference_year,value\nCHE,EMI_STOCK,2015,9007199254740993\nCHE,EMI_STOCK,2016,1e20\n';
  const result = await upload(new Blob([csv]), 'huge.csv');
  const message = 'too large to be kept exactly: a count of persons may be at most 9007199254740991';
  expect(result.data!.importSubmissions.problems).toEqual([
    expect.objectContaining({ line: 2, column: 'value', message }),
    expect.objectContaining({ line: 3, column: 'value', message }),
  ]);
  expect(await stored('CHE', 'EMI_STOCK', 2015)).toEqual([]);
});

test('csv and file together are refused', async () => {
  const both = await upload(new Blob(['x']), 'a.csv', { csv: 'country' });
  expect(both.errors?.[0]).toMatchObject({
    message: 'input: give exactly one of csv and file',
    extensions: { code: 'BAD_USER_INPUT' },
  });
});

test('the CLI imports a workbook file too', async () => {
  const file = join(scratch, 'italy.xlsx');
  const bytes = await workbook({
    Sheet1: [
      ['country', 'indicator', 'reference_year', 'value'],
      ['ITA', 'IMM_STOCK', 2017, 6000000],
    ],
  });
  (await import('node:fs')).writeFileSync(file, bytes);
  const report = await importers.submissions!(hub.db, file, {
    log: () => undefined,
    stderr: { write: () => true, isTTY: false },
  });
  expect(report).toMatchObject({ rows: 1, submissionsCreated: 1 });
  expect(await stored('ITA', 'IMM_STOCK', 2017)).toEqual([{ dimensionKey: '', value: 6000000 }]);
});
