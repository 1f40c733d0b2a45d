// `migstat export submissions`: the import format, round-tripping through a fresh database.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTarget, type CliTarget } from '../support/cli.js';
import { scratchDir } from '../support/scratch.js';

let source: CliTarget;
let copy: CliTarget;
const scratch = scratchDir('migstat-export-');

beforeAll(async () => {
  // Both seeded (the catalogue and M49 list that `migstat seed` loads), as copies of the run's template.
  [source, copy] = await Promise.all([cliTarget({ database: 'seeded' }), cliTarget({ database: 'seeded' })]);
});
afterAll(async () => {
  await source?.dispose();
  await copy?.dispose();
});

test('the published UN DESA data exports in the import format and round-trips unchanged', async () => {
  expect((await source.run('import', 'undesa-ims', 'data/un_desa_ims2020_destination.csv')).code).toBe(0);

  const first = join(scratch, 'first.csv');
  const exported = await source.run('export', 'submissions', '--out', first);
  expect(exported.stderr).toBe('');
  expect(exported.code).toBe(0);
  const lines = readFileSync(first, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    'country,indicator,reference_year,value,unit,source_type,data_source,residence_criterion,status,note,SEX',
  );
  expect(lines).toHaveLength(1 + 4792); // one row per observation: totals and F/M where present
  // Switzerland 2020 (the CSV's stock_total_2020 and stock_female_2020): the total has a blank SEX cell.
  const swiss2020 = lines.filter((l) => l.startsWith('756,IMM_STOCK,2020,'));
  expect(swiss2020).toHaveLength(3);
  expect(swiss2020.find((l) => l.endsWith(','))).toMatch(/^756,IMM_STOCK,2020,2491249,PERSONS,,,,PUBLISHED,.*UN DESA/);
  expect(swiss2020.find((l) => l.endsWith(',F'))).toMatch(/^756,IMM_STOCK,2020,1269047,/);

  const imported = await copy.run('import', 'submissions', first);
  expect(imported.code).toBe(0);
  expect(imported.stdout).toMatch(/submissionsCreated: 1602/);
  const second = join(scratch, 'second.csv');
  expect((await copy.run('export', 'submissions', '--out', second)).code).toBe(0);
  expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));

  const swiss = await source.run('export', 'submissions', '--country', 'CHE', '--indicator', 'IMM_STOCK');
  expect(swiss.code).toBe(0);
  expect(swiss.stdout.trimEnd().split('\r\n')).toHaveLength(1 + 7 * 3);
  // Child processes, two of them importing 1 602 submissions: minutes when the machine is shared.
}, 300_000);

test('export refuses unknown options with a readable message', async () => {
  const status = await source.run('export', 'submissions', '--status', 'KING');
  expect(status.code).toBe(1);
  expect(status.stderr).toMatch(/--status: KING not one of DRAFT, SUBMITTED, VALIDATED, PUBLISHED, REJECTED/);
  const country = await source.run('export', 'submissions', '--country', 'XXX');
  expect(country.code).toBe(1);
  expect(country.stderr).toMatch(/--country: no country with M49 or ISO3 code "XXX"/);
  // A missing directory is named as such, not as the temporary .partial file.
  const out = join(scratch, 'no-such-dir', 'x.csv');
  const nowhere = await source.run('export', 'submissions', '--out', out);
  expect(nowhere.code).toBe(1);
  expect(nowhere.stderr).toBe(`migstat: --out: no directory ${join(scratch, 'no-such-dir')} to write ${out} in\n`);
});

test('text cells a spreadsheet would run as formulas are escaped, numbers stay numbers, and the file round-trips', async () => {
  const notes = ['=HYPERLINK("http://evil.example","click")', '+41 22 917 12 34', '@SUM(A1)', "'=two", '-minus text'];
  const file = join(scratch, 'formulas.csv');
  writeFileSync(
    file,
    [
      'country,indicator,reference_year,value,status,note',
      `CHE,NET_MIGRATION,2020,-1200,PUBLISHED,"=HYPERLINK(""http://evil.example"",""click"")"`,
      'FRA,NET_MIGRATION,2020,300,PUBLISHED,+41 22 917 12 34',
      'DEU,NET_MIGRATION,2020,-5,PUBLISHED,@SUM(A1)',
      "ITA,NET_MIGRATION,2020,7,PUBLISHED,''=two",
      'AUT,NET_MIGRATION,2020,8,PUBLISHED,-minus text',
    ].join('\n'),
  );
  expect((await source.run('import', 'submissions', file)).code).toBe(0);
  const stored = async (target: CliTarget) => {
    const db = await target.open();
    try {
      const rows = await db.prisma.submission.findMany({
        where: { indicator: { code: 'NET_MIGRATION' } },
        select: { note: true, observations: { select: { value: true } } },
        orderBy: { note: 'asc' },
      });
      return rows.map((r) => [r.note, r.observations[0]?.value]);
    } finally {
      await db.close();
    }
  };
  expect((await stored(source)).map(([note]) => note)).toEqual([...notes].sort());

  const first = join(scratch, 'formulas-out.csv');
  expect((await source.run('export', 'submissions', '--indicator', 'NET_MIGRATION', '--out', first)).code).toBe(0);
  const lines = readFileSync(first, 'utf8').trimEnd().split('\r\n').slice(1);
  expect(lines.sort()).toEqual(
    [
      `040,NET_MIGRATION,2020,8,PERSONS,,,,PUBLISHED,'-minus text`,
      `276,NET_MIGRATION,2020,-5,PERSONS,,,,PUBLISHED,'@SUM(A1)`,
      `250,NET_MIGRATION,2020,300,PERSONS,,,,PUBLISHED,'+41 22 917 12 34`,
      `380,NET_MIGRATION,2020,7,PERSONS,,,,PUBLISHED,''=two`,
      `756,NET_MIGRATION,2020,-1200,PERSONS,,,,PUBLISHED,"'=HYPERLINK(""http://evil.example"",""click"")"`,
    ].sort(),
  );

  expect((await copy.run('import', 'submissions', first)).code).toBe(0);
  expect(await stored(copy)).toEqual(await stored(source));
  const second = join(scratch, 'formulas-again.csv');
  expect((await copy.run('export', 'submissions', '--indicator', 'NET_MIGRATION', '--out', second)).code).toBe(0);
  expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));
}, 300_000);
