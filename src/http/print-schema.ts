// Writes schema.graphql from the code (npm run schema); `--check` fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { projectRoot } from '../platform/paths.js';
import { schema } from './schema.js';

export const schemaFile = join(projectRoot, 'schema.graphql');
export const printedSchema = () => printSchema(schema) + '\n';

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const printed = printedSchema();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(schemaFile, 'utf8');
    } catch {
      /* missing file counts as stale */
    }
    if (committed !== printed) {
      console.error('schema.graphql is stale: run `npm run schema` and commit it');
      process.exit(1);
    }
    console.log('schema.graphql is up to date');
  } else {
    writeFileSync(schemaFile, printed);
    console.log('wrote schema.graphql');
  }
}
