// The file of an import mutation (importSubmissions, importAdoptions, importPopulationAccounts): the CSV as text or
// an uploaded CSV or XLSX file (GraphQL multipart request), exactly one, with how to read it. One set of input
// fields and one rule for every import, all read by the import kernel (src/platform/tabular.ts); and who may call one.
import type { InputFieldBuilder } from '@pothos/core';
import type { Context } from '../platform/context.js';
import { ValidationError } from '../platform/errors.js';
import type { TableOptions, TableSource } from '../platform/tabular.js';
import { builder, type BuilderTypes } from './builder.js';

export const CsvDelimiter = builder.enumType('CsvDelimiter', {
  description: 'The separator of a CSV file.',
  values: {
    COMMA: { value: ',', description: 'Comma-separated (the default of CONTRACT §5).' },
    SEMICOLON: {
      value: ';',
      description: 'Semicolon-separated, as spreadsheets write CSV where the decimal mark is a comma.',
    },
  } as const,
});

/** The input fields naming the file and how to read it; spread into an import mutation's input type. */
export function fileFields(t: InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    csv: t.string({ description: 'The file content: UTF-8, header row, RFC 4180 quoting.' }),
    file: t.field({
      type: 'File',
      description: 'The file as an upload (GraphQL multipart request): CSV, or an XLSX workbook (told by its content).',
    }),
    delimiter: t.field({
      type: CsvDelimiter,
      description: "CSV: the separator; by default the header line's (semicolon when it has more of them).",
    }),
    decimalComma: t.boolean({ description: 'Numbers are written with a decimal comma (1234,5).' }),
    sheet: t.string({ description: 'XLSX: the sheet to read; by default the first.' }),
  };
}

export interface FileInput {
  csv?: string | null;
  file?: File | null;
  delimiter?: ',' | ';' | null;
  decimalComma?: boolean | null;
  sheet?: string | null;
}

/** The table to read: exactly one of csv and file (a ValidationError naming the input otherwise), and its options. */
export function tableOf(input: FileInput): { source: TableSource; table: TableOptions } {
  if ((input.csv == null) === (input.file == null))
    throw ValidationError.of([{ path: ['input'], message: 'give exactly one of csv and file' }]);
  return {
    source: input.file ? { upload: input.file } : { text: input.csv! },
    table: {
      delimiter: input.delimiter ?? undefined,
      decimalComma: input.decimalComma ?? undefined,
      sheet: input.sheet ?? undefined,
      // Text is always CSV; an upload is told by its content.
      ...(input.csv != null ? { format: 'csv' as const } : {}),
    },
  };
}

/**
 * Who may call an import of country data: a FOCAL_POINT (the importer refuses rows of other countries and reviewed
 * statuses, src/access/focal-point.ts), the task force and ADMIN.
 */
export const countryDataImportScopes = (_root: unknown, _args: unknown, ctx: Context) =>
  ctx.viewer?.role === 'FOCAL_POINT' ? { authenticated: true } : { taskForce: true };
