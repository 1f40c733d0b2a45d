import { readFileSync } from 'node:fs';
import { printedSchema, schemaFile } from '../src/http/print-schema.js';

test('the committed schema.graphql is the schema printed from the code', () => {
  expect(readFileSync(schemaFile, 'utf8')).toBe(printedSchema());
});
