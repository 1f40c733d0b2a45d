// The one CSV reader of the country-data imports (CONTRACT §5: UTF-8, header row, comma-separated, RFC 4180
// quoting). It streams: records are parsed from a file stream (or a string) one at a time, so a 100 000-row file
// never sits in memory as a whole. Malformed records (a stray quote, an unclosed quote) do not stop the reader:
// they are reported with their line and the reader carries on, so an import can list every problem at once.
// Files are read as strict UTF-8 (a byte that is not UTF-8 stops the file with its line and column, never U+FFFD),
// and a cell holding NUL is refused (PostgreSQL cannot store it). csvRecord is the one CSV writer: it escapes
// formula-leading text cells against CSV injection, and readCsv undoes that escape, so exports round-trip.
import { createReadStream, readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { ValidationError } from './errors.js';

/** One data record: its cells keyed by header name, and the line it starts on (the header is line 1). */
export interface CsvRow {
  line: number;
  cells: Record<string, string>;
  /** Number of cells in the record (may differ from the header's). */
  width: number;
}

/** A problem found while reading: the record was skipped. */
export interface CsvProblem {
  line: number;
  column: string | null;
  message: string;
}

export interface CsvReader {
  /** The header's column names, trimmed (available after the first row or at the end). */
  header: string[];
  rows: AsyncIterable<CsvRow>;
  /** Problems of the file's syntax, filled while `rows` is consumed. */
  problems: CsvProblem[];
  /** Data records read so far. */
  rowsRead: number;
}

/** A CSV file, text, or a byte stream (an upload). */
export type CsvSource = { file: string } | { text: string } | { stream: Readable };

export interface CsvOptions {
  /** The separator; by default the header line's: ";" when it has more semicolons than commas (outside quotes). */
  delimiter?: ',' | ';' | undefined;
}

function sourceStream(source: CsvSource, problems: CsvProblem[]): Readable {
  if ('text' in source) return Readable.from([source.text]);
  const file = 'file' in source ? createReadStream(source.file) : source.stream;
  const checked = new Utf8Check((line, message) => {
    problems.push({ line, column: null, message });
    file.destroy();
  });
  // A missing or unreadable file fails the reader with the file system's error (ENOENT…), which callers describe.
  file.on('error', (err: Error) => checked.destroy(err));
  return file.pipe(checked);
}

/** Reads a CSV file or string; the header row names the columns. */
export function readCsv(source: CsvSource, options: CsvOptions = {}): CsvReader {
  const problems: CsvProblem[] = [];
  const reader: CsvReader = { header: [], problems, rows: rows(), rowsRead: 0 };
  async function* rows(): AsyncGenerator<CsvRow> {
    const { stream: input, delimiter } = await withDelimiter(sourceStream(source, problems), options.delimiter);
    const parser = input.pipe(
      parse({
        bom: true,
        delimiter,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        on_skip: (err) => {
          if (err)
            problems.push({
              line: Number(err.lines) || 1,
              column: null,
              message: `malformed CSV: ${shortMessage(err.message)}`,
            });
          return undefined;
        },
      }),
    );
    // pipe() does not forward errors: a missing file must fail the reader, not crash the process.
    input.on('error', (err) => parser.destroy(err));
    let first = true;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is where the record ends; quoted cells may span lines, so count back to its first line.
      const embedded = record.reduce((n, cell) => n + countNewlines(cell), 0);
      const line = info.lines - embedded;
      if (first) {
        first = false;
        reader.header = record.map((h) => h.trim().replaceAll('\u0000', '\u2400'));
        if (record.some((h) => h.includes('\u0000'))) {
          problems.push({ line, column: null, message: 'the header contains a NUL character (U+0000)' });
        }
        continue;
      }
      const nul = record.findIndex((cell) => cell.includes('\u0000'));
      if (nul >= 0) {
        problems.push({
          line,
          column: reader.header[nul] ?? `column ${nul + 1}`,
          message: 'contains a NUL character (U+0000)',
        });
        continue;
      }
      const cells: Record<string, string> = {};
      reader.header.forEach((name, i) => {
        cells[name] = unescapeFormula(record[i] ?? '');
      });
      reader.rowsRead++;
      yield { line, cells, width: record.length };
    }
  }
  return reader;
}

/**
 * The stream's separator: the given one, or the header line's (read ahead, then put back in front of the rest):
 * ";" when that line has more semicolons than commas outside quotes, as Excel writes CSV in many locales.
 */
async function withDelimiter(
  input: Readable,
  given: ',' | ';' | undefined,
): Promise<{ stream: Readable; delimiter: ',' | ';' }> {
  if (given) return { stream: input, delimiter: given };
  const chunks: Buffer[] = [];
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let ended = false;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    chunks.push(chunk);
    if (chunk.includes(0x0a)) break;
  }
  const head = Buffer.concat(chunks);
  const newline = head.indexOf(0x0a);
  const delimiter = headerDelimiter(head.subarray(0, newline < 0 ? head.length : newline).toString('utf8'));
  async function* rest() {
    yield head;
    if (ended) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { stream: Readable.from(rest(), { objectMode: false }), delimiter };
}

function headerDelimiter(line: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === ',') commas++;
    else if (!quoted && c === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * Passes a file's bytes through unchanged while checking they are UTF-8 (Unicode's well-formed sequences: no
 * overlongs, surrogates or values past U+10FFFF). At the first bad byte it reports the line and column (in
 * characters) and ends the stream after the last complete line before it, so the parser sees no broken record.
 */
class Utf8Check extends Transform {
  private tail = Buffer.alloc(0);
  private line = 1;
  private column = 1;
  private failed = false;

  constructor(private readonly onInvalid: (line: number, message: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.failed) return done();
    const data = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const { bad, complete } = !this.tail.length && isUtf8(data) ? { bad: -1, complete: data.length } : scanUtf8(data);
    if (bad >= 0) {
      const lastNewline = data.lastIndexOf(0x0a, bad);
      this.advance(data, 0, bad);
      this.fail(data[bad]!, data.subarray(0, lastNewline + 1));
      return done();
    }
    this.advance(data, 0, complete);
    this.tail = Buffer.from(data.subarray(complete));
    done(null, data.subarray(0, complete));
  }

  override _flush(done: TransformCallback): void {
    if (!this.failed && this.tail.length) this.fail(this.tail[0]!, Buffer.alloc(0), 'incomplete');
    done();
  }

  private fail(byte: number, valid: Buffer, what = 'invalid'): void {
    this.failed = true;
    // The complete lines before the bad byte were already passed on but for the current chunk's part of them.
    if (valid.length) this.push(valid);
    this.push(null);
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    this.onInvalid(
      this.line,
      `${what} UTF-8 at line ${this.line}, column ${this.column} (byte 0x${hex}): the file must be saved as UTF-8`,
    );
  }

  /** Moves the line and column over data[from, to), counting characters as non-continuation bytes. */
  private advance(data: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const b = data[i]!;
      if (b === 0x0a) {
        this.line++;
        this.column = 1;
      } else if ((b & 0xc0) !== 0x80) this.column++;
    }
  }
}

/** The first byte that cannot start or continue a well-formed UTF-8 sequence (-1 if none), and how many bytes are complete. */
export function scanUtf8(b: Buffer): { bad: number; complete: number } {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c === 0xe0) [n, lo] = [2, 0xa0];
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) n = 2;
    else if (c === 0xed) [n, hi] = [2, 0x9f];
    else if (c === 0xf0) [n, lo] = [3, 0x90];
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else if (c === 0xf4) [n, hi] = [3, 0x8f];
    else return { bad: i, complete: i };
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return { bad: -1, complete: i };
      const d = b[i + k]!;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return { bad: i, complete: i };
    }
    i += n + 1;
  }
  return { bad: -1, complete: i };
}

/**
 * A whole text file (catalogue JSON, the M49 list) as strict UTF-8 without NUL characters; a ValidationError naming
 * the line and column otherwise.
 */
export function readUtf8File(file: string): string {
  const bytes = readFileSync(file);
  const { bad } = isUtf8(bytes) ? { bad: -1 } : scanUtf8(bytes);
  const nul = bad < 0 ? bytes.indexOf(0) : -1;
  const at = bad >= 0 ? bad : nul;
  if (at < 0) return bytes.toString('utf8').replace(/^\uFEFF/, '');
  const before = bytes.subarray(0, at);
  const line = before.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1);
  const start = before.lastIndexOf(0x0a) + 1;
  const column = before.subarray(start).reduce((n, b) => n + ((b & 0xc0) !== 0x80 ? 1 : 0), 1);
  const message =
    bad >= 0
      ? `invalid UTF-8 (byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')}): the file must be saved as UTF-8`
      : 'contains a NUL character (U+0000)';
  throw ValidationError.of([{ path: [`line ${line}`, `column ${column}`], message }]);
}

/** Text a spreadsheet would run as a formula (OWASP CSV injection): =, +, -, @, tab, carriage return. */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * One CSV record (RFC 4180 quoting, CRLF). Numbers are written as numbers; a text cell that a spreadsheet would
 * evaluate (=HYPERLINK(…), +1, -2, @SUM…) gets a leading apostrophe, as does text that already starts with
 * apostrophes before such a character, so that readCsv's unescape gives back exactly the text written.
 */
export function csvRecord(cells: readonly (string | number | null | undefined)[]): string {
  return (
    cells
      .map((cell) => {
        if (cell === null || cell === undefined) return '';
        if (typeof cell === 'number') return String(cell);
        const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(',') + '\r\n'
  );
}

/** Undoes csvRecord's escape of a formula-leading text cell. */
function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}

function countNewlines(cell: string): number {
  let n = 0;
  for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  return n;
}

function shortMessage(message: string): string {
  // csv-parse appends its internal option names after "instead of …"; the first sentence is what a user needs.
  return message.replace(/\s+instead of .*$/s, '').replace(/ at line \d+/, '');
}

/** Where progress goes: a stream's write, and whether a terminal shows it (a redrawn line needs one). */
export interface ProgressSink {
  write(chunk: string): unknown;
  isTTY: boolean;
}

/** This process's stderr, as a progress sink. */
export const processStderr = (): ProgressSink => ({
  write: (chunk) => process.stderr.write(chunk),
  isTTY: Boolean(process.stderr.isTTY),
});

/**
 * Reports long-running progress on a terminal: a single line redrawn on `sink` (this process's stderr by default) at
 * most every 100 ms, and drawn once more at the end with the last count, so the bar never stops short of where the
 * work ended; nothing when the sink is not a terminal.
 */
export function terminalProgress(
  label: string,
  sink: ProgressSink = processStderr(),
): { tick(done: number, total?: number): void; done(): void } {
  const tty = sink.isTTY;
  let last = 0;
  // The latest count not drawn yet (throttled), drawn by done().
  let pending: { done: number; total: number | undefined } | null = null;
  const draw = (done: number, total: number | undefined) => {
    const width = 30;
    const bar =
      total && total > 0
        ? `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, '.')}] ${Math.floor((done / total) * 100)}%`
        : '';
    sink.write(`\r${label} ${bar} ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}   `);
  };
  return {
    tick(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) {
        pending = { done, total };
        return;
      }
      last = now;
      pending = null;
      draw(done, total);
    },
    done() {
      if (!tty) return;
      if (pending) {
        draw(pending.done, pending.total);
        pending = null;
      }
      if (last) sink.write('\n');
      last = 0;
    },
  };
}
