// Writes a large, valid submissions CSV (CONTRACT §5) for benchmarks and the kill test:
//   tsx scripts/gen-submissions.ts ROWS [FILE]   (default FILE: stdout)
// Each submission is one country, IMM_STOCK, one year, 15 observations (SEX × AGE, totals included).
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { dataDir } from '../src/platform/paths.js';

export function* submissionRows(rows: number, firstYear = 1900): Generator<string> {
  const countries = (
    parse(readFileSync(join(dataDir, 'countries.csv'), 'utf8'), { bom: true, columns: true }) as Record<
      string,
      string
    >[]
  )
    .map((c) => c['ISO-alpha3 Code'] || c['M49 Code'])
    .filter(Boolean) as string[];
  const sexes = ['_T', 'F', 'M'];
  const ages = ['_T', 'Y_LT15', 'Y15T24', 'Y25T64', 'Y_GE65'];
  yield 'country,indicator,reference_year,value,unit,source_type,status,note,SEX,AGE';
  let n = 0;
  for (let year = firstYear; n < rows; year++) {
    for (const country of countries) {
      for (const sex of sexes) {
        for (const age of ages) {
          if (n++ >= rows) return;
          const value = 1000 + ((n * 7919) % 100000);
          const note = sex === '_T' && age === '_T' ? '"generated, for benchmarks"' : '';
          yield `${country},IMM_STOCK,${year},${value},PERSONS,CENSUS,SUBMITTED,${note},${sex},${age}`;
        }
      }
    }
  }
}

export async function writeSubmissionsFile(rows: number, file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const line of submissionRows(rows)) {
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

if (process.argv[1]?.endsWith('gen-submissions.ts')) {
  const rows = Number(process.argv[2] ?? 100_000);
  const file = process.argv[3];
  if (file) await writeSubmissionsFile(rows, file);
  else for (const line of submissionRows(rows)) process.stdout.write(`${line}\n`);
}
