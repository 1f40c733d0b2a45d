// `migstat` on the command line: seed, catalogue and country imports (idempotent, all-or-nothing), tokens.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTarget, runCli, type CliTarget } from '../support/cli.js';
import { scratchDir } from '../support/scratch.js';

let target: CliTarget;
const scratch = scratchDir('migstat-files-');

beforeAll(async () => {
  // Migrated, not seeded: the first test seeds it through the CLI.
  target = await cliTarget({ database: 'migrated' });
});
afterAll(() => target?.dispose());

async function counts() {
  const db = await target.open();
  try {
    const p = db.prisma;
    const [indicators, links, sourceTypes, countries, regions, audit] = await Promise.all([
      p.indicator.count(),
      p.indicatorSourceType.count(),
      p.sourceType.count(),
      p.country.count(),
      p.region.count(),
      p.auditLog.count(),
    ]);
    return { indicators, links, sourceTypes, countries, regions, audit };
  } finally {
    await db.close();
  }
}

test('seed loads the catalogue and M49 list; a second seed changes nothing', async () => {
  const first = await target.run('seed');
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('Country: 248 created, 0 updated, 0 unchanged');
  expect(first.stdout).toContain('Indicator: 15 created, 0 updated, 0 unchanged');
  expect(first.stdout).toContain('IndicatorSourceType: 22 created, 0 updated, 0 unchanged');
  const after = await counts();
  expect(after).toMatchObject({ indicators: 15, links: 22, sourceTypes: 10, countries: 248, regions: 30 });
  // The imports audit in the API's vocabulary: `<entity>.<verb>` in camelCase, as indicator.create from the API.
  const db = await target.open();
  try {
    const actions = (await db.prisma.auditLog.findMany({ distinct: ['action'], select: { action: true } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['country.create', 'region.create', 'indicator.create']));
    expect(actions.filter((a) => !/^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/.test(a))).toEqual([]);
  } finally {
    await db.close();
  }

  const second = await target.run('seed');
  expect(second.code).toBe(0);
  expect(second.stdout).not.toMatch(/[1-9]\d* (created|updated)/);
  expect(second.stdout).toContain('Country: 0 created, 0 updated, 248 unchanged');
  // Every row the first seed created, the second counts unchanged (the SDG target-level rows among them).
  const created = [...first.stdout.matchAll(/^(\w+): (\d+) created/gm)].map(([, type, n]) => `${type}: ${n}`);
  const unchanged = [...second.stdout.matchAll(/^(\w+): 0 created, 0 updated, (\d+) unchanged/gm)].map(
    ([, type, n]) => `${type}: ${n}`,
  );
  expect(unchanged).toEqual(created);
  expect(await counts()).toEqual(after);

  const migrate = await target.run('migrate');
  expect(migrate.code).toBe(0);
  expect(migrate.stdout).toMatch(/up to date/);
  // Three CLI processes and three openings of the database: on PGlite each opening alone takes 5–10 s on a busy
  // machine, so the run's 60 s hang guard is too tight for this one test.
}, 180_000);

test('a bad catalogue file is rejected with every problem located, and nothing is written', async () => {
  const before = await counts();
  const catalogue = JSON.parse(readFileSync('data/catalogue.json', 'utf8'));
  catalogue.indicators.push({ ...catalogue.indicators[0], code: 'NEW_ONE', name: 'Would be new' });
  catalogue.indicators[1].tier = 'MAYBE';
  catalogue.indicators[2].disaggregations = ['SEX', 'NO_SUCH_VARIABLE'];
  const file = join(scratch, 'bad-catalogue.json');
  writeFileSync(file, JSON.stringify(catalogue));
  const tierOnly = await target.run('import', 'catalogue', file);
  expect(tierOnly.code).toBe(1);
  expect(tierOnly.stderr).toMatch(/indicators \[1\] tier: /);

  catalogue.indicators[1].tier = 'CORE';
  writeFileSync(file, JSON.stringify(catalogue));
  const refs = await target.run('import', 'catalogue', file);
  expect(refs.code).toBe(1);
  expect(refs.stderr).toContain('indicators [2] disaggregations [1]: unknown variable "NO_SUCH_VARIABLE"');
  expect(refs.stderr).toContain('nothing was written');

  // A code given twice in one list (each list checked alike): refused, naming the second place.
  catalogue.indicators[2].disaggregations = ['SEX'];
  catalogue.topics.push(catalogue.topics[0]);
  catalogue.gcmObjectives.push(catalogue.gcmObjectives[0]);
  writeFileSync(file, JSON.stringify(catalogue));
  const twice = await target.run('import', 'catalogue', file);
  expect(twice.code).toBe(1);
  expect(twice.stderr).toContain(`topics [${catalogue.topics.length - 1}]: duplicate ${catalogue.topics[0].code}`);
  expect(twice.stderr).toContain(
    `gcmObjectives [${catalogue.gcmObjectives.length - 1}]: duplicate ${catalogue.gcmObjectives[0].number}`,
  );
  expect(await counts()).toEqual(before);
});

test('a bad countries file is rejected by line and column, and nothing is written', async () => {
  const before = await counts();
  const lines = readFileSync('data/countries.csv', 'utf8').trimEnd().split('\n');
  lines[3] = lines[3]!.replace(',LBY,', ',L1Y,');
  lines.push(lines[5]!); // duplicate M49 code
  const file = join(scratch, 'bad-countries.csv');
  writeFileSync(file, lines.join('\n'));
  const result = await target.run('import', 'countries', file);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('line 4 ISO-alpha3 Code: "L1Y" is not an ISO alpha-3 code');
  expect(result.stderr).toMatch(new RegExp(`line ${lines.length} M49 Code: duplicate of line 6`));
  expect(await counts()).toEqual(before);
});

test('token create prints a token once and stores only its hash', async () => {
  const missingCountry = await target.run('token', 'create', '--role', 'FOCAL_POINT');
  expect(missingCountry.code).toBe(1);
  expect(missingCountry.stderr).toContain('--country is required for a FOCAL_POINT token');
  const badRole = await target.run('token', 'create', '--role', 'KING');
  expect(badRole.code).toBe(1);
  expect(badRole.stderr).toMatch(/--role must be one of ADMIN, TASK_FORCE, FOCAL_POINT, READER/);

  const created = await target.run(
    'token',
    'create',
    '--role',
    'FOCAL_POINT',
    '--country',
    'CHE',
    '--name',
    'Swiss FSO',
  );
  expect(created.code).toBe(0);
  const token = created.stdout.trim();
  expect(token).toMatch(/^msh_[\w-]{20,}$/);
  const db = await target.open();
  try {
    const row = await db.prisma.apiToken.findFirstOrThrow({ where: { name: 'Swiss FSO' }, include: { country: true } });
    expect(row.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row).toMatchObject({ role: 'FOCAL_POINT', country: { iso3: 'CHE' } });
  } finally {
    await db.close();
  }
});

test('usage errors exit non-zero with a readable message', async () => {
  // A command line that cannot be parsed is a usage error (2); a command that fails is 1.
  const unknown = await target.run('frobnicate');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  const missing = await target.run('import', 'catalogue', join(scratch, 'nope.json'));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/file not found/);
});

test('import --decimal-comma reads "6,5" as 6.5, as the API does with decimalComma; without it the value is refused', async () => {
  const file = join(scratch, 'decimal-comma.csv');
  writeFileSync(file, 'country;indicator;reference_year;value;status\nCHE;NET_MIGRATION_RATE;2019;6,5;DRAFT\n');
  const refused = await target.run('import', 'submissions', file);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    'line 2 value: "6,5" is not a number: write decimals with a point (6.5), or import the file with decimal commas',
  );
  const imported = await target.run('import', 'submissions', file, '--decimal-comma', '--json');
  expect(imported.code).toBe(0);
  expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, report: { observationsCreated: 1 } });
  const db = await target.open();
  try {
    const stored = await db.prisma.observation.findMany({
      where: {
        submission: { referenceYear: 2019, indicator: { code: 'NET_MIGRATION_RATE' }, country: { iso3: 'CHE' } },
      },
      select: { value: true },
    });
    expect(stored.map((o) => Number(o.value))).toEqual([6.5]);
  } finally {
    await db.close();
  }
});

test('option values that need no database are refused before one is opened: no PGlite directory is made', async () => {
  const never = join(scratch, 'never-made');
  const runs = await Promise.all(
    [
      ['token', 'create', '--role', 'BOSS'],
      ['token', 'create', '--role', 'READER', '--expires', '0d'],
      ['export', 'submissions', '--status', 'KING'],
    ].map((args) => runCli(args, { PGLITE_DATA_DIR: never })),
  );
  expect(runs.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
    [1, '', 'migstat: --role must be one of ADMIN, TASK_FORCE, FOCAL_POINT, READER\n'],
    [1, '', 'migstat: --expires "0d" is not a positive duration\n'],
    [1, '', 'migstat: --status: KING not one of DRAFT, SUBMITTED, VALIDATED, PUBLISHED, REJECTED\n'],
  ]);
  expect(existsSync(never)).toBe(false);
});
