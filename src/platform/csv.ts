// The one CSV reader of the country-data imports (CONTRACT §5: UTF-8, header row, comma-separated, RFC 4180
// quoting). It streams: records are parsed from a file stream (or a string) one at a time, so a 100 000-row file
// never sits in memory as a whole. Malformed records (a stray quote, an unclosed quote) do not stop the reader:
// they are reported with their line and the reader carries on, so an import can list every problem at once.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

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
}

export type CsvSource = { file: string } | { text: string };

function sourceStream(source: CsvSource): Readable {
  return 'file' in source ? createReadStream(source.file) : Readable.from([source.text]);
}

/** Reads a CSV file or string; the header row names the columns. */
export function readCsv(source: CsvSource): CsvReader {
  const problems: CsvProblem[] = [];
  const reader: CsvReader = { header: [], problems, rows: rows() };
  async function* rows(): AsyncGenerator<CsvRow> {
    const parser = sourceStream(source).pipe(
      parse({
        bom: true,
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
    let first = true;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // info.lines is where the record ends; quoted cells may span lines, so count back to its first line.
      const embedded = record.reduce((n, cell) => n + countNewlines(cell), 0);
      const line = info.lines - embedded;
      if (first) {
        first = false;
        reader.header = record.map((h) => h.trim());
        continue;
      }
      const cells: Record<string, string> = {};
      reader.header.forEach((name, i) => {
        cells[name] = record[i] ?? '';
      });
      yield { line, cells, width: record.length };
    }
  }
  return reader;
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

/** Reports long-running progress on a terminal: a single redrawn line on stderr, nothing elsewhere. */
export function terminalProgress(label: string): { tick(done: number, total?: number): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    tick(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = 30;
      const bar =
        total && total > 0
          ? `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, '.')}] ${Math.floor((done / total) * 100)}%`
          : '';
      process.stderr.write(
        `\r${label} ${bar} ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''}   `,
      );
    },
    done() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}
