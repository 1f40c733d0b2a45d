// Bad files and cells get a typed answer with their line and column, through the API and the CLI, and nothing is
// written: NUL characters, bytes that are not UTF-8, person counts that are negative or fractional, unit case,
// missing files.
import { readFileSync, writeFileSync } from 'node:fs';
import { describeError } from '../../src/cli/cli.js';
import { importers } from '../../src/cli/importers.js';
import { runCli } from '../support/cli.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { csv, ImportSubmissions, tempFile } from './support.js';

let hub: Hub;
let admin: string;
const out = { log: () => undefined };

beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
});
afterAll(() => hub?.close());

const written = () => Promise.all([hub.db.prisma.submission.count(), hub.db.prisma.observation.count()]);

async function importApi(text: string) {
  return data(await hub.gql(ImportSubmissions, { input: { csv: text } }, { token: admin })).importSubmissions;
}

async function cliFailure(kind: string, file: string): Promise<string> {
  try {
    await importers[kind]!(hub.db, file, out);
  } catch (err) {
    return describeError(err);
  }
  throw new Error(`expected import ${kind} to fail`);
}

const HEADER = 'country,indicator,reference_year,value,unit,note';

test('a NUL character in a cell is refused with its line and column, through the API and the CLI', async () => {
  const before = await written();
  const text = csv(HEADER, 'CHE,IMM_STOCK,2020,100,PERSONS,fine', 'FRA,IMM_STOCK,2020,200,PERSONS,bad\u0000note');
  const result = await importApi(text);
  expect(result.ok).toBe(false);
  expect(result.problems).toEqual([{ line: 3, column: 'note', message: 'contains a NUL character (U+0000)' }]);
  expect(await cliFailure('submissions', tempFile('nul.csv', text))).toMatch(
    /nothing was written:\n {2}line 3 note: contains a NUL character \(U\+0000\)/,
  );
  expect(
    await cliFailure(
      'sources',
      tempFile('nul.csv', csv('code,country,source_type,name', 'CHE_X,CHE,CENSUS,Cen\u0000sus')),
    ),
  ).toMatch(/line 2 name: contains a NUL character/);
  expect(await written()).toEqual(before);
});

test('a catalogue JSON whose strings decode to NUL ("\\u0000") is refused naming each field; nothing is written', async () => {
  const catalogue = JSON.parse(readFileSync('data/catalogue.json', 'utf8'));
  const code = catalogue.indicators[0].code as string;
  const snapshot = () =>
    Promise.all([
      hub.db.prisma.indicator.findUniqueOrThrow({ where: { code }, select: { name: true, updatedAt: true } }),
      hub.db.prisma.topic.count(),
      hub.db.prisma.auditLog.count(),
    ]);
  const before = await snapshot();
  catalogue.indicators[0].name = 'Immigrant\u0000 stock';
  catalogue.topics.push({ code: 'NEW_TOPIC', name: 'New', tier: 'CORE', description: 'with\u0000NUL' });
  catalogue.variables[0].codes[0]['la\u0000bel'] = 'x';
  const file = tempFile('nul-catalogue.json', JSON.stringify(catalogue));
  // JSON.stringify writes the escape, not the byte: the file itself is clean UTF-8.
  expect(readFileSync(file, 'utf8')).toContain('Immigrant\\u0000 stock');
  expect(await cliFailure('catalogue', file)).toBe(
    [
      '3 problem(s), nothing was written:',
      `  topics [${catalogue.topics.length - 1}] description: contains a NUL character (U+0000)`,
      '  variables [0] codes [0] "la\\u0000bel": a key that contains a NUL character (U+0000)',
      '  indicators [0] name: contains a NUL character (U+0000)',
    ].join('\n'),
  );
  expect(await snapshot()).toEqual(before);
});

describe('bytes that are not UTF-8', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  test('a submissions file is refused with the line and column of the first bad byte (CLI)', async () => {
    const before = await written();
    const file = tempFile('latin1.csv', '');
    // "Zürich" saved as Latin-1: 0xFC is not UTF-8. Line 3, column 26 is the ü.
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(csv(HEADER, 'CHE,IMM_STOCK,2020,100,PERSONS,ok')),
        latin1('FRA,IMM_STOCK,2020,200,,Zürich\n'),
        Buffer.from('DEU,IMM_STOCK,2020,300,,\n'),
      ]),
    );
    const message = await cliFailure('submissions', file);
    expect(message).toMatch(
      /line 3: invalid UTF-8 at line 3, column 26 \(byte 0xFC\): the file must be saved as UTF-8/,
    );
    expect(message).not.toMatch(/\uFFFD/);
    // The bad byte in the first data line: that one problem, not also "a header but no data rows".
    const first = tempFile('latin1-first.csv', '');
    writeFileSync(first, Buffer.concat([Buffer.from(`${HEADER}\n`), latin1('CHE,IMM_STOCK,2020,1,,Zürich office\n')]));
    expect(await cliFailure('submissions', first)).toBe(
      '1 problem(s), nothing was written:\n  line 2: invalid UTF-8 at line 2, column 24 (byte 0xFC): the file must be saved as UTF-8',
    );
    expect(await written()).toEqual(before);
  });

  test('a bad byte deep in a large file, past the first read chunk, is located exactly', async () => {
    const countries = [
      'CHE',
      'FRA',
      'DEU',
      'ITA',
      'AUT',
      'BEL',
      'NLD',
      'ESP',
      'PRT',
      'POL',
      'SWE',
      'NOR',
      'FIN',
      'DNK',
      'IRL',
    ];
    const rows = Array.from(
      { length: 3000 },
      (_, i) => `${countries[i % 15]},IMM_STOCK,${1900 + Math.floor(i / 15)},${i},,`,
    );
    const file = tempFile('big.csv', '');
    const head = Buffer.from(csv(HEADER, ...rows));
    // A truncated 3-byte sequence (€ is E2 82 AC) at the end of line 3002.
    writeFileSync(
      file,
      Buffer.concat([head, Buffer.from('CHE,IMM_STOCK,2020,1,,price €'.slice(0, -1)), Buffer.from([0xe2, 0x82, 0x0a])]),
    );
    expect(await cliFailure('submissions', file)).toBe(
      '1 problem(s), nothing was written:\n  line 3002: invalid UTF-8 at line 3002, column 29 (byte 0xE2): the file must be saved as UTF-8',
    );
  });

  test('other importers reading files get the same check: accounts, catalogue and M49 list', async () => {
    const accounts = tempFile('accounts.csv', '');
    writeFileSync(
      accounts,
      Buffer.concat([Buffer.from('country,year,group,component,value\n'), latin1('CHE,2020,é\n')]),
    );
    expect(await cliFailure('accounts', accounts)).toMatch(/invalid UTF-8 at line 2, column 10 \(byte 0xE9\)/);
    const catalogue = tempFile('catalogue.json', '');
    writeFileSync(catalogue, Buffer.concat([Buffer.from('{\n  "about": "'), latin1('Genève'), Buffer.from('"\n}\n')]));
    expect(await cliFailure('catalogue', catalogue)).toMatch(
      /line 2 column 16: invalid UTF-8 \(byte 0xE8\): the file must be saved as UTF-8/,
    );
    const countries = tempFile('countries.csv', '');
    writeFileSync(countries, Buffer.from('Global Code,Global Name\n001,Wor\u0000ld\n'));
    expect(await cliFailure('countries', countries)).toMatch(/line 2 Global Name: contains a NUL character/);
  });

  test('through the API, a request body that is not UTF-8 is refused with 400, never decoded to U+FFFD', async () => {
    const query = 'mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok } }';
    const body = Buffer.concat([
      Buffer.from(`{"query":${JSON.stringify(query)},"variables":{"csv":"country,note\\nCHE,`),
      latin1('Zürich'),
      Buffer.from('"}}'),
    ]);
    const res = await hub.api.fetch('http://hub.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body,
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(json.errors[0]).toEqual({
      message: expect.stringMatching(/^The request body is not UTF-8 \(byte \d+ is 0xFC\)$/),
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

test('person counts are whole numbers and never negative, unless the indicator is a balance', async () => {
  const before = await written();
  const result = await importApi(
    csv(
      HEADER,
      'CHE,IMM_STOCK,2020,-5,,',
      'FRA,IMM_STOCK,2020,12.5,,',
      'DEU,EMI_FLOW,2020,-0.5,,',
      'ITA,MIGRANT_SHARE,2020,-1.5,,',
      'AUT,NET_MIGRATION,2020,-1200,,',
      'BEL,NET_MIGRATION,2020,0.5,,',
    ),
  );
  expect(result.ok).toBe(false);
  expect(result.problems).toEqual([
    { line: 2, column: 'value', message: '-5 is negative: IMM_STOCK counts persons' },
    { line: 3, column: 'value', message: '12.5 is not a whole number: IMM_STOCK counts persons' },
    { line: 4, column: 'value', message: '-0.5 is not a whole number: EMI_FLOW counts persons' },
    { line: 7, column: 'value', message: '0.5 is not a whole number: NET_MIGRATION counts persons' },
  ]);
  expect(await written()).toEqual(before);
  // Net migration (signed in the catalogue) may be negative, and a percentage may be fractional or negative.
  const ok = await importApi(csv(HEADER, 'AUT,NET_MIGRATION,2020,-1200,,', 'ITA,STOCK_GROWTH,2020,-1.5,,'));
  expect(ok).toMatchObject({ ok: true, submissionsWritten: 2 });
  const accounts = tempFile(
    'accounts.csv',
    csv('country,year,group,component,value', 'CHE,2020,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,10.5'),
  );
  expect(await cliFailure('accounts', accounts)).toMatch(/line 2 value: 10.5 is not a whole number/);
});

test('on a terminal a file wrong in every line shows its first 50 problems and how many more', async () => {
  const lines = Array.from({ length: 120 }, (_, i) => `CHE,IMM_STOCK,${1900 + i},-${i + 1},,`);
  const text = await cliFailure('submissions', tempFile('negative.csv', csv(HEADER, ...lines)));
  const shown = text.split('\n');
  expect(shown[0]).toBe('120 problem(s), nothing was written:');
  expect(shown.slice(1, -1)).toHaveLength(50);
  expect(shown[50]).toBe('  line 51 value: -50 is negative: IMM_STOCK counts persons');
  expect(shown.at(-1)).toBe('  … and 70 more (--json lists every problem)');
  // The API answers every one.
  expect((await importApi(csv(HEADER, ...lines))).problems).toHaveLength(120);
});

test('a number written with thousands separators is refused saying what to write instead', async () => {
  const result = await importApi(
    csv(
      HEADER,
      `CHE,IMM_STOCK,2020,2'000,,`,
      'FRA,IMM_STOCK,2020,"1 245 000",,',
      'DEU,IMM_STOCK,2020,"167,200",,',
      'ITA,IMM_STOCK,2020,many,,',
      'AUT,IMM_STOCK,3000,5,,',
    ),
  );
  expect(result.problems).toEqual([
    { line: 2, column: 'value', message: `"2'000" is not a number: write it without thousands separators (2000)` },
    {
      line: 3,
      column: 'value',
      message: '"1 245 000" is not a number: write it without thousands separators (1245000)',
    },
    { line: 4, column: 'value', message: '"167,200" is not a number: write it without thousands separators (167200)' },
    { line: 5, column: 'value', message: '"many" is not a number' },
    { line: 6, column: 'reference_year', message: '"3000" is not a year from 1800 to 2200 (four digits)' },
  ]);
});

test('rows with no value in any cell, as a spreadsheet leaves below the data, are skipped, not refused', async () => {
  const result = await importApi(
    csv(HEADER, 'LIE,IMM_STOCK,2020,100,,', ',,,,,', ' , ,,,,', 'LIE,IMM_STOCK,2021,110,,'),
  );
  expect(result).toMatchObject({ ok: true, problems: [], submissionsWritten: 2 });
});

test('column names are read whatever their capitals or surrounding spaces, as spreadsheets write them', async () => {
  const result = await importApi(csv('Country, Indicator ,Reference_Year,VALUE,Unit,Note', 'LIE,IMM_STOCK,2019,90,,'));
  expect(result).toMatchObject({ ok: true, problems: [], submissionsWritten: 1 });
  // Twice under two spellings is still twice.
  const twice = await importApi(csv('country,Country,indicator,reference_year,value', 'LIE,LIE,IMM_STOCK,2018,80'));
  expect(twice.problems).toEqual([{ line: 1, column: 'country', message: 'column appears twice in the header' }]);
});

test('the unit is compared without regard to case', async () => {
  const result = await importApi(csv(HEADER, 'CHE,IMM_STOCK,2021,100,persons,', 'FRA,IMM_STOCK,2021,100,Percent,'));
  expect(result.problems).toEqual([
    { line: 3, column: 'unit', message: '"Percent" differs from the unit of IMM_STOCK, PERSONS' },
  ]);
  expect(await importApi(csv(HEADER, 'CHE,IMM_STOCK,2021,100,persons,'))).toMatchObject({
    ok: true,
    submissionsWritten: 1,
  });
  const stored = await hub.db.prisma.submission.findFirstOrThrow({ where: { referenceYear: 2021 } });
  expect(stored.unit).toBe('PERSONS');
});

test('a missing file: every import kind answers with a readable message, in process and from the command line', async () => {
  for (const kind of Object.keys(importers)) {
    expect(await cliFailure(kind, '/nonexistent/missing.csv')).toBe('file not found: /nonexistent/missing.csv');
  }
  const env: Record<string, string> = hub.db.url
    ? { DATABASE_URL: hub.db.url }
    : { PGLITE_DATA_DIR: tempFile('x', '') + '.pglite' };
  for (const kind of ['submissions', 'catalogue']) {
    const run = await runCli(['import', kind, '/nonexistent/missing.csv'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^migstat: file not found: \/nonexistent\/missing.csv\n$/m);
    expect(run.stderr).not.toMatch(/ at |node:events|ENOENT/);
  }
});
