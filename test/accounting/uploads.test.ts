// importPopulationAccounts and importAdoptions take the file as importSubmissions does (one rule, src/schema/upload.ts):
// the CSV as text, or an upload (GraphQL multipart request) of a CSV, comma or semicolon, or an XLSX workbook. Over a
// real socket: an XLSX and a semicolon CSV import exactly as the comma CSV; a bad workbook cell is located by sheet
// and cell and nothing is written; csv and file together (or neither) are refused naming the input.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { pino } from 'pino';
import { listen } from '../../src/http/server.js';
import { loadConfig } from '../../src/platform/config.js';
import { startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let server: Server;
let base: string;
let admin: string;

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  server = await listen({ config, db: hub.db, logger: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await hub?.close();
});

interface Problem {
  line: number;
  column: string | null;
  sheet: string | null;
  cell: string | null;
  message: string;
}
type Outcome = { ok: boolean; created: number; problems: Problem[] };

const kinds = {
  accounts: {
    mutation: 'importPopulationAccounts',
    input: 'ImportPopulationAccountsInput',
    rows: [
      ['country', 'year', 'group', 'component', 'value', 'status'],
      ['CHE', '2020', 'NATIVE_BORN_CITIZENS', 'OPENING_STOCK', '5000', 'PUBLISHED'],
      ['CHE', '2020', 'NATIVE_BORN_CITIZENS', 'BIRTHS', '80', 'PUBLISHED'],
      ['756', '2021', 'FOREIGN_BORN_FOREIGNERS', 'IMMIGRATION', '120', ''],
    ],
    // value (column E) on row 3
    bad: { row: 2, column: 4, value: 'many', cell: 'E3', field: 'value' },
    stored: () =>
      hub.db.prisma.accountEntry.findMany({
        select: {
          country: { select: { m49: true } },
          year: true,
          group: true,
          component: true,
          value: true,
          status: true,
        },
        orderBy: [{ year: 'asc' }, { group: 'asc' }, { component: 'asc' }],
      }),
    clear: () => hub.db.prisma.accountEntry.deleteMany(),
  },
  adoptions: {
    mutation: 'importAdoptions',
    input: 'ImportAdoptionsInput',
    rows: [
      ['country', 'recommendation', 'status', 'since', 'note', 'evidence_url'],
      ['FRA', 'REC_METADATA', 'IMPLEMENTED', '2020', 'a note; with a semicolon', 'https://insee.fr/'],
      ['CHE', 'REC_RESIDENCE', 'PLANNED', '', '', ''],
    ],
    // recommendation (column B) on row 2
    bad: { row: 1, column: 1, value: 'REC_NONE', cell: 'B2', field: 'recommendation' },
    stored: () =>
      hub.db.prisma.recommendationAdoption.findMany({
        select: {
          country: { select: { m49: true } },
          recommendation: { select: { code: true } },
          status: true,
          since: true,
          note: true,
          evidenceUrl: true,
        },
        orderBy: { countryId: 'asc' },
      }),
    clear: () => hub.db.prisma.recommendationAdoption.deleteMany(),
  },
} as const;

const csv = (rows: readonly (readonly string[])[], separator: string) =>
  rows
    .map((r) =>
      r.map((c) => (c.includes(separator) || c.includes('"') ? `"${c.replace(/"/g, '""')}"` : c)).join(separator),
    )
    .join('\n');

async function post(body: BodyInit, json: boolean): Promise<{ data?: Record<string, Outcome>; errors?: unknown[] }> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { data?: Record<string, Outcome>; errors?: unknown[] };
}

const query = (kind: keyof typeof kinds) =>
  `mutation ($input: ${kinds[kind].input}!) { ${kinds[kind].mutation}(input: $input) {
    ok created problems { line column sheet cell message } } }`;

async function importText(kind: keyof typeof kinds, text: string): Promise<Outcome> {
  const result = await post(JSON.stringify({ query: query(kind), variables: { input: { csv: text } } }), true);
  expect(result.errors).toBeUndefined();
  return result.data![kinds[kind].mutation]!;
}

/** POST /graphql as multipart/form-data: operations, map, and the file as part "0". */
async function upload(kind: keyof typeof kinds, file: Blob, name: string, input: Record<string, unknown> = {}) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: query(kind), variables: { input: { file: null, ...input } } }));
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', file, name);
  const result = await post(form, false);
  expect(result.errors).toBeUndefined();
  return result.data![kinds[kind].mutation]!;
}

async function workbook(rows: readonly (readonly (string | number)[])[]): Promise<Blob> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('data').addRows(rows.map((r) => [...r]));
  return new Blob([new Uint8Array(await book.xlsx.writeBuffer())]);
}

describe.each(Object.keys(kinds) as (keyof typeof kinds)[])('%s', (kind) => {
  const { rows, bad, stored, clear } = kinds[kind];

  test('an XLSX and a semicolon CSV upload import exactly as the comma CSV', async () => {
    await clear();
    const comma = await importText(kind, csv(rows, ','));
    expect(comma).toMatchObject({ ok: true, created: rows.length - 1, problems: [] });
    const expected = await stored();
    expect(expected).toHaveLength(rows.length - 1);

    for (const [name, file, input] of [
      ['upload.xlsx', await workbook(rows), {}],
      ['upload.csv', new Blob([csv(rows, ';')], { type: 'text/csv' }), {}],
      ['upload.csv', new Blob([csv(rows, ';')], { type: 'text/csv' }), { delimiter: 'SEMICOLON' }],
    ] as const) {
      await clear();
      expect(await upload(kind, file, name, input)).toEqual(comma);
      expect(await stored()).toEqual(expected);
    }
  });

  test('a bad workbook cell is located by sheet and cell, and nothing is written', async () => {
    await clear();
    const broken: string[][] = rows.map((r) => [...r]);
    broken[bad.row]![bad.column] = bad.value;
    const result = await upload(kind, await workbook(broken), 'broken.xlsx');
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: bad.row + 1, column: bad.field, sheet: 'data', cell: bad.cell }),
    ]);
    expect(await stored()).toEqual([]);
  });

  test('exactly one of csv and file', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: query(kind), variables: { input: { file: null, csv: csv(rows, ',') } } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.append('0', new Blob([csv(rows, ',')]), 'both.csv');
    const both = await post(form, false);
    const neither = await post(JSON.stringify({ query: query(kind), variables: { input: {} } }), true);
    for (const r of [both, neither]) expect(JSON.stringify(r.errors)).toMatch(/give exactly one of csv and file/);
  });
});
