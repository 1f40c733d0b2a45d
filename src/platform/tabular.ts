// The import kernel (CONTRACT §5): every tabular file an importer reads — CSV (comma or semicolon, detected from the
// header line or given) or an XLSX workbook (its first sheet or a named one) — comes through here as a stream of
// records keyed by the header's column names. An importer declares its columns (required, optional, and which
// other names it accepts) and checks each record with its own rules; the kernel checks the header and each
// record's width, and locates every problem: line and column for CSV, and for XLSX also the sheet and cell ("C7").
// Nothing is held but the record being read, so memory does not grow with the file.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { readCsv, type CsvSource } from './csv.js';
import type { Issue } from './errors.js';

/** Where a table comes from: a file path, text (CSV only), or an uploaded file (GraphQL multipart). */
export type TableSource = { file: string } | { text: string } | { upload: Blob & { name?: string } };

export interface TableOptions {
  /** The file's format; by default XLSX when the file starts as a zip archive (or is named .xlsx), else CSV. */
  format?: 'csv' | 'xlsx';
  /** CSV: the separator; by default the header line's (";" when it has more semicolons than commas). */
  delimiter?: ',' | ';';
  /** Numbers are written with a decimal comma ("1234,5"), as in semicolon CSV from many locales. */
  decimalComma?: boolean;
  /** XLSX: the sheet to read; by default the first. */
  sheet?: string;
}

/** A problem with a file: line 1 is the header (the sheet's row number in XLSX); column null for a whole record. */
export interface TableProblem {
  line: number;
  column: string | null;
  message: string;
  /** XLSX only: the sheet and the cell, e.g. "C7". */
  sheet?: string | null;
  cell?: string | null;
}

export interface TableRecord {
  line: number;
  cells: Record<string, string>;
  /** Number of cells in the record (may differ from the header's in CSV). */
  width: number;
}

/** An importer's columns: required and optional names, and which other names are columns too (e.g. Variable codes). */
export interface ColumnSpec {
  required: readonly string[];
  optional?: readonly string[];
  /** Accepts a further column (the Variable codes of the submissions file); describe what such a column is. */
  extra?: { accepts: (name: string) => boolean; description: string };
}

/** Stop collecting after this many problems: the first thousands say what is wrong with a file. */
export const MAX_PROBLEMS = 5000;

/**
 * A table being read: `records()` yields the data records whose width matches the header, after the header was
 * checked against the columns (a bad header yields none); `report` adds a problem located at a record's line and
 * column (with the XLSX cell); `problems()` is every problem, sorted by line, once the records were read.
 */
export interface Table {
  readonly format: 'csv' | 'xlsx';
  header: string[];
  /** Extra columns present in the header (those `spec.extra` accepted), in header order. */
  extraColumns: string[];
  records(): AsyncGenerator<TableRecord>;
  report(line: number, column: string | null, message: string): void;
  /** A number cell: null when it is not a number (decimal comma when asked). */
  number(text: string): number | null;
  /** Why a cell that number() refused is not one, with what to write instead when it looks like a number. */
  notANumber(text: string): string;
  problems(): TableProblem[];
  rows: number;
}

export async function openTable(source: TableSource, spec: ColumnSpec, options: TableOptions = {}): Promise<Table> {
  const format = options.format ?? (await detectFormat(source));
  const problems: TableProblem[] = [];
  let sheetName: string | null = null;
  let header: string[] = [];
  const add = (p: TableProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const locate = (line: number, column: string | null): Pick<TableProblem, 'sheet' | 'cell'> => {
    if (format !== 'xlsx') return {};
    const index = column === null ? -1 : header.indexOf(column);
    return { sheet: sheetName, cell: index >= 0 ? `${columnLetters(index)}${line}` : null };
  };
  const table: Table = {
    format,
    header,
    extraColumns: [],
    rows: 0,
    report: (line, column, message) => add({ line, column, message, ...locate(line, column) }),
    number: (text) => parseNumber(text, !!options.decimalComma),
    notANumber: (text) => notANumber(text, !!options.decimalComma),
    problems: () => problems.sort((a, b) => a.line - b.line),
    async *records() {
      const raw =
        format === 'xlsx'
          ? readXlsx(source, options.sheet, (name) => (sheetName = name), add)
          : readCsvRecords(source, options.delimiter, add);
      let headerOk = false;
      let sawHeader = false;
      // A reader that stops says why itself (no such sheet, not a workbook, a byte that is not UTF-8): "empty" or "no
      // data rows" would be a second, wrong problem.
      const readerProblems = problems.length;
      // The importer's own column names for a header written with other capitals or spaces ("Country",
      // " Reference_Year", as spreadsheets write them); other names (Variable codes such as SEX) stay as written.
      let renamed: Map<string, string> | null = null;
      for await (const record of raw) {
        if (!sawHeader) {
          sawHeader = true;
          const known = new Map([...spec.required, ...(spec.optional ?? [])].map((name) => [name.toLowerCase(), name]));
          header = table.header = record.header.map((name) => known.get(name.trim().toLowerCase()) ?? name);
          if (header.some((name, i) => name !== record.header[i]))
            renamed = new Map(record.header.map((name, i) => [name, header[i]!]));
          headerOk = checkHeader(table, spec);
          continue;
        }
        // A row with no value in any cell (",,,," that spreadsheets leave below the data) is no record: skipped,
        // not reported as a row missing everything.
        if (record.width <= header.length && Object.values(record.cells).every((cell) => cell.trim() === '')) continue;
        table.rows++;
        if (!headerOk) continue;
        // A CSV record has as many cells as the header; a sheet's row may leave trailing cells blank.
        if (record.width > header.length || (format === 'csv' && record.width !== header.length)) {
          table.report(record.line, null, `expected ${header.length} cells as in the header, found ${record.width}`);
          continue;
        }
        const cells = renamed
          ? Object.fromEntries(Object.entries(record.cells).map(([name, cell]) => [renamed!.get(name) ?? name, cell]))
          : record.cells;
        yield { line: record.line, cells, width: record.width };
      }
      if (!sawHeader) {
        if (problems.length === readerProblems)
          table.report(1, null, 'the file is empty: a header row and at least one data row are required');
      } else if (headerOk && table.rows === 0 && problems.length === readerProblems)
        table.report(2, null, 'the file has a header but no data rows');
    },
  };
  return table;
}

function checkHeader(table: Table, spec: ColumnSpec): boolean {
  const before = table.problems().length;
  const known = [...spec.required, ...(spec.optional ?? [])];
  const seen = new Set<string>();
  for (const name of table.header) {
    if (seen.has(name)) table.report(1, name, 'column appears twice in the header');
    seen.add(name);
    if (known.includes(name)) continue;
    if (spec.extra?.accepts(name)) table.extraColumns.push(name);
    else
      table.report(
        1,
        name || '(empty)',
        `unknown column: not one of ${known.join(', ')}${spec.extra ? ` and not ${spec.extra.description}` : ''}`,
      );
  }
  for (const name of spec.required) if (!seen.has(name)) table.report(1, name, 'required column is missing');
  return table.problems().length === before;
}

/** A problem as a ValidationError issue (the CLI's report): path "line N", the column, and the sheet and cell. */
export function problemIssue(p: TableProblem): Issue {
  const where = p.sheet ? [`sheet ${p.sheet}`, ...(p.cell ? [`cell ${p.cell}`] : [])] : [];
  return {
    path: [...where, `line ${p.line}`, ...(p.column ? [p.column] : [])],
    message: p.message,
    line: p.line,
    column: p.column,
    ...(p.sheet ? { sheet: p.sheet } : {}),
    ...(p.cell ? { cell: p.cell } : {}),
  };
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const DECIMAL_COMMA = /^[-+]?(\d+(,\d*)?|,\d+)([eE][-+]?\d+)?$/;

/** A number as written in a cell ("1234.5", or "1234,5" with a decimal comma); null when it is not one. */
export function parseNumber(text: string, decimalComma = false): number | null {
  const t = text.trim();
  if (!(decimalComma ? DECIMAL_COMMA : NUMBER).test(t)) return null;
  const n = Number(decimalComma ? t.replace(',', '.') : t);
  return Number.isFinite(n) ? n : null;
}

/**
 * Why `text` is not a number. Spreadsheets set to a European locale write thousands separators ("1 245 000",
 * "2'000", "167,200") and decimal commas ("6,5"): say what to write instead, rather than only that it is wrong.
 */
function notANumber(text: string, decimalComma: boolean): string {
  const t = text.trim();
  const refused = `"${text}" is not a number`;
  if (/^[-+]?\d{1,3}([,.'\u00a0\u202f ]\d{3})+([.,]\d+)?$/.test(t))
    return `${refused}: write it without thousands separators (${t.replace(/[,.'\u00a0\u202f ](?=\d{3}\b)/g, '')})`;
  if (!decimalComma && /^[-+]?\d*,\d+$/.test(t))
    return `${refused}: write decimals with a point (${t.replace(',', '.')}), or import the file with decimal commas`;
  if (decimalComma && /^[-+]?\d*\.\d+$/.test(t))
    return `${refused}: this file is read with decimal commas (${t.replace('.', ',')})`;
  return refused;
}

/** Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

interface RawRecord {
  header: string[];
  line: number;
  cells: Record<string, string>;
  width: number;
}

async function detectFormat(source: TableSource): Promise<'csv' | 'xlsx'> {
  if ('text' in source) return 'csv';
  if ('file' in source) {
    if (/\.xlsx$/i.test(source.file)) return 'xlsx';
    const head = Buffer.alloc(4);
    let fd: number | undefined;
    try {
      fd = openSync(source.file, 'r');
      readSync(fd, head, 0, 4, 0);
    } catch {
      return 'csv'; // the CSV reader reports the file system's error
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return isZip(head) ? 'xlsx' : 'csv';
  }
  if (source.upload.name && /\.xlsx$/i.test(source.upload.name)) return 'xlsx';
  // Read the upload's first chunk (fetch ponyfills' Blob has no slice()).
  const reader = source.upload.stream().getReader();
  try {
    const first = await reader.read();
    return !first.done && isZip(Buffer.from(first.value.subarray(0, 4))) ? 'xlsx' : 'csv';
  } finally {
    await reader.cancel();
  }
}

const isZip = (head: Buffer) => head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;

function byteStream(source: Exclude<TableSource, { text: string }>): Readable {
  return 'file' in source ? createReadStream(source.file) : Readable.from(blobChunks(source.upload));
}

/** An upload's bytes, chunk by chunk (its stream may be a fetch ponyfill's, which Readable.fromWeb refuses). */
async function* blobChunks(blob: Blob): AsyncGenerator<Buffer> {
  const reader = blob.stream().getReader();
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) yield Buffer.from(next.value);
  } finally {
    reader.releaseLock();
  }
}

async function* readCsvRecords(
  source: TableSource,
  delimiter: ',' | ';' | undefined,
  add: (p: TableProblem) => void,
): AsyncGenerator<RawRecord> {
  const csvSource: CsvSource = 'upload' in source ? { stream: byteStream(source) } : source;
  const csv = readCsv(csvSource, { delimiter });
  // The header comes first as a record of its own, as from an XLSX sheet (also when no data row follows it).
  let sentHeader = false;
  for await (const row of csv.rows) {
    if (!sentHeader) yield { header: csv.header, line: 1, cells: {}, width: csv.header.length };
    sentHeader = true;
    yield { header: csv.header, ...row };
  }
  if (!sentHeader && csv.header.length) yield { header: csv.header, line: 1, cells: {}, width: csv.header.length };
  for (const p of csv.problems) add(p);
}

/** exceljs, loaded with the first workbook: it takes half a second and 20 MB, which a CSV import need not pay. */
async function loadExcelJs(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

interface XlsxSheet {
  name: string;
  rows: AsyncIterable<ExcelJS.Row>;
}

/** The sheets of a workbook as exceljs's streaming reader gives them: rows are read as the file arrives. */
async function* streamedSheets(source: Exclude<TableSource, { text: string }>): AsyncGenerator<XlsxSheet> {
  const { stream } = await loadExcelJs();
  const reader = new stream.xlsx.WorkbookReader(byteStream(source), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    // Number formats tell a date from a number: without them a date cell is its serial number (43831 for 2020-01-01),
    // which the user never sees in the spreadsheet.
    styles: 'cache',
    entries: 'ignore',
  });
  for await (const worksheet of reader) {
    const sheet = worksheet as typeof worksheet & { name: string };
    yield { name: sheet.name, rows: sheet as unknown as AsyncIterable<ExcelJS.Row> };
  }
}

/** The sheets of a workbook loaded whole into memory. */
async function* loadedSheets(source: Exclude<TableSource, { text: string }>): AsyncGenerator<XlsxSheet> {
  const book = new (await loadExcelJs()).Workbook();
  await book.xlsx.read(byteStream(source));
  for (const ws of book.worksheets) {
    yield {
      name: ws.name,
      rows: (async function* () {
        for (let i = 1; i <= ws.rowCount; i++) yield ws.getRow(i);
      })(),
    };
  }
}

async function* readXlsx(
  source: TableSource,
  wanted: string | undefined,
  onSheet: (name: string) => void,
  add: (p: TableProblem) => void,
): AsyncGenerator<RawRecord> {
  if ('text' in source) throw new Error('an XLSX workbook cannot be given as text');
  let names: string[] = [];
  let found = false;
  let yielded = false;
  async function* records(sheets: AsyncIterable<XlsxSheet>): AsyncGenerator<RawRecord> {
    for await (const sheet of sheets) {
      names.push(sheet.name);
      if (found || (wanted !== undefined && sheet.name !== wanted)) {
        for await (const _ of sheet.rows) void _; // a sheet's rows must be read for the next sheet to arrive
        continue;
      }
      found = true;
      onSheet(sheet.name);
      let header: string[] | null = null;
      for await (const row of sheet.rows) {
        const values = row.values as unknown[];
        const texts: string[] = [];
        for (let i = 1; i < values.length; i++) {
          texts[i - 1] = values[i] === undefined ? '' : cellText(values[i], row.getCell(i).numFmt);
        }
        if (!texts.some((t) => t !== '')) continue; // an empty row, as skip_empty_lines in CSV
        yielded = true;
        if (!header) {
          header = Array.from(texts, (t) => (t ?? '').trim());
          while (header.length && header[header.length - 1] === '') header.pop();
          yield { header, line: row.number, cells: {}, width: header.length };
          continue;
        }
        let width = texts.length;
        while (width > 0 && !texts[width - 1]) width--;
        const cells: Record<string, string> = {};
        header.forEach((name, i) => (cells[name] = texts[i] ?? ''));
        yield { header, line: row.number, cells, width };
      }
    }
  }
  const unreadable = (err: unknown) =>
    add({ line: 1, column: null, message: `not a readable XLSX workbook: ${(err as Error).message}` });
  try {
    yield* records(streamedSheets(source));
  } catch (err) {
    if (yielded) return unreadable(err);
    // exceljs's streaming reader fails on a workbook whose sheets come before xl/workbook.xml in the zip (it then
    // knows no sheet names); such a workbook is read whole instead.
    names = [];
    found = false;
    try {
      yield* records(loadedSheets(source));
    } catch (again) {
      return unreadable(again);
    }
  }
  if (!found) {
    add({
      line: 1,
      column: null,
      message:
        wanted !== undefined
          ? `the workbook has no sheet named "${wanted}" (it has ${names.map((n) => `"${n}"`).join(', ') || 'none'})`
          : 'the workbook has no sheet',
      sheet: wanted ?? null,
    });
  }
}

/**
 * The text of an XLSX cell as a CSV would hold it: numbers as the spreadsheet shows them, dates as ISO dates, formulas
 * by their result.
 */
function cellText(value: unknown, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value, numFmt);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result, numFmt);
    if (v.text !== undefined) return cellText(v.text, numFmt);
    if (v.error) return v.error;
  }
  return String(value);
}

/**
 * A number cell as the spreadsheet shows it. A cell formatted as a percentage holds a hundredth of what it shows
 * (12.5% is stored 0.125): the figure meant is the one shown, so it is read as 12.5. And a spreadsheet shows at most
 * 15 significant digits: 0.1 + 0.2 computed in a cell shows 0.3, not the 0.30000000000000004 it stores.
 */
function numberText(value: number, numFmt: string | undefined): string {
  // A % in the format scales the number, unless quoted ("%") or escaped (\%) as literal text.
  const percent = numFmt !== undefined && /%/.test(numFmt.replace(/"[^"]*"|\\./g, ''));
  const shown = percent ? value * 100 : value;
  return String(Number.isFinite(shown) ? Number(shown.toPrecision(15)) : shown);
}
