// `migstat export submissions`: the import format, round-tripping through a fresh database.
import { readFileSync } from 'node:fs';
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
  // Five child processes, two of them importing 1 602 submissions: minutes when the machine is shared.
}, 180_000);

test('export refuses unknown options with a readable message', async () => {
  const status = await source.run('export', 'submissions', '--status', 'KING');
  expect(status.code).toBe(1);
  expect(status.stderr).toMatch(/--status: KING not one of DRAFT, SUBMITTED, VALIDATED, PUBLISHED, REJECTED/);
  const country = await source.run('export', 'submissions', '--country', 'XXX');
  expect(country.code).toBe(1);
  expect(country.stderr).toMatch(/--country: no country with M49 or ISO3 code "XXX"/);
});
