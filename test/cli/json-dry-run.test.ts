// `--dry-run` on imports (nothing written; the exit code says whether the file has problems) and `--json` output,
// through the compiled CLI, on PGlite and PostgreSQL.
import { jest } from '@jest/globals';
import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTarget, runCli, type CliTarget } from '../support/cli.js';
import { scratchDir } from '../support/scratch.js';

// A dozen CLI processes per test: generous on a busy machine.
jest.setTimeout(180_000);

let target: CliTarget;
const scratch = scratchDir('migstat-dry-run-');
const file = (name: string, lines: string[]) => {
  const path = join(scratch, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

beforeAll(async () => {
  target = await cliTarget({ database: 'seeded' });
});
afterAll(() => target?.dispose());

/** What an import may write, counted. */
async function state() {
  const db = await target.open();
  try {
    const p = db.prisma;
    const [submissions, observations, adoptions, audit, algeria] = await Promise.all([
      p.submission.count(),
      p.observation.count(),
      p.recommendationAdoption.count(),
      p.auditLog.count(),
      p.country.findUniqueOrThrow({ where: { m49: '012' }, select: { name: true } }),
    ]);
    return { submissions, observations, adoptions, audit, algeria: algeria.name };
  } finally {
    await db.close();
  }
}

const header = 'country,indicator,reference_year,value,status,note';
const good = () =>
  file('good.csv', [header, 'CHE,NET_MIGRATION,2020,-1200,DRAFT,', 'FRA,NET_MIGRATION,2020,300,DRAFT,']);

test('import submissions --dry-run validates through the service and writes nothing; exit code 0', async () => {
  const before = await state();
  const dry = await target.run('import', 'submissions', good(), '--dry-run');
  expect(dry).toMatchObject({ code: 0, stderr: '' });
  expect(dry.stdout).toContain('submissions: 2\n');
  expect(dry.stdout).toContain('dryRun: true\n');
  expect(dry.stdout).toMatch(/dry run: no problems found; nothing was written\n$/);
  expect(await state()).toEqual(before);

  const json = await target.run('import', 'submissions', good(), '-n', '--json');
  expect(json).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(json.stdout)).toEqual({
    ok: true,
    kind: 'submissions',
    file: join(scratch, 'good.csv'),
    dryRun: true,
    report: expect.objectContaining({ rows: 2, submissions: 2, observations: 2, dryRun: true }),
  });
  expect(await state()).toEqual(before);

  // Imported for real, a dry run of the same file finds every submission unchanged.
  const real = await target.run('import', 'submissions', good(), '--json');
  expect(JSON.parse(real.stdout)).toMatchObject({ ok: true, dryRun: false, report: { submissionsCreated: 2 } });
  expect((await state()).submissions).toBe(before.submissions + 2);
  const again = JSON.parse((await target.run('import', 'submissions', good(), '--dry-run', '--json')).stdout);
  expect(again.report).toMatchObject({ submissionsUnchanged: 2, submissionsCreated: 0 });
});

test('import submissions --dry-run --json reports exactly what the import then writes: created and unchanged', async () => {
  const subs = 'country,indicator,reference_year,value,SEX';
  /** `import submissions FILE --json`, a dry run first: both reports, and the counts written after each. */
  const dryThenReal = async (path: string) => {
    const before = await state();
    const dry = await target.run('import', 'submissions', path, '--dry-run', '--json');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(await state()).toEqual(before);
    const real = await target.run('import', 'submissions', path, '--json');
    expect(real.code).toBe(0);
    const after = await state();
    return {
      dry: JSON.parse(dry.stdout).report,
      real: JSON.parse(real.stdout).report,
      written: {
        submissions: after.submissions - before.submissions,
        observations: after.observations - before.observations,
      },
    };
  };

  // A new file: two submissions, three observations.
  const first = await dryThenReal(
    file('new.csv', [
      subs,
      'AUT,IMM_STOCK,2019,1700000,',
      'AUT,IMM_STOCK,2019,900000,F',
      'DEU,IMM_STOCK,2019,13000000,',
    ]),
  );
  expect(first.real).toMatchObject({ submissionsCreated: 2, submissionsUnchanged: 0, observationsCreated: 3 });
  expect(first.written).toEqual({ submissions: 2, observations: 3 });
  expect(first.dry).toEqual({ ...first.real, dryRun: true });

  // One row revised: that submission gets a new version (all its observations), the other is left unchanged.
  const second = await dryThenReal(
    file('revised.csv', [
      subs,
      'AUT,IMM_STOCK,2019,1700000,',
      'AUT,IMM_STOCK,2019,950000,F',
      'DEU,IMM_STOCK,2019,13000000,',
    ]),
  );
  expect(second.real).toMatchObject({ submissionsCreated: 1, submissionsUnchanged: 1, observationsCreated: 2 });
  expect(second.written).toEqual({ submissions: 1, observations: 2 });
  expect(second.dry).toEqual({ ...second.real, dryRun: true });

  // The terminal report says the same.
  const text = await target.run('import', 'submissions', file('one.csv', [subs, 'AUT,IMM_STOCK,2018,1,']), '-n');
  expect(text.stdout).toContain('submissionsCreated: 1\nsubmissionsUnchanged: 0\nobservationsCreated: 1\n');
});

test('MIGSTAT_MEMORY_TRACE=on adds one memory line per stage on stderr, and nothing to the report', async () => {
  const traced = await runCli(['import', 'submissions', good(), '--dry-run', '--json'], {
    ...target.env,
    MIGSTAT_MEMORY_TRACE: 'on',
  });
  expect(traced.code).toBe(0);
  expect(JSON.parse(traced.stdout)).toMatchObject({ ok: true, dryRun: true });
  const stages = [...traced.stderr.matchAll(/^memory (.+?) \+\d+\.\ds: rss=\d+ peak=\d+ /gm)].map((m) => m[1]);
  expect(stages.slice(0, 3)).toEqual(['start', 'opened', 'migrated']);
  expect(stages).toContain('import');
  // The embedded database's WebAssembly memory is reported beside the process's.
  if (!target.env.DATABASE_URL) expect(traced.stderr).toMatch(/^memory opened .* pgliteWasm=\d+/m);
  expect(traced.stderr.split('\n').filter((line) => line && !line.startsWith('memory '))).toEqual([]);
});

test('a dry run of a file with problems lists them all and exits 1; --json puts them on stdout', async () => {
  const before = await state();
  const bad = file('bad.csv', [header, 'CHE,NET_MIGRATION,2021,lots,DRAFT,', 'ATL,NET_MIGRATION,2021,5,DRAFT,']);
  const dry = await target.run('import', 'submissions', bad, '--dry-run');
  expect(dry.code).toBe(1);
  expect(dry.stdout).toBe('');
  expect(dry.stderr).toMatch(
    /^migstat: 2 problem\(s\), nothing was written:\n {2}line 2 value: .*\n {2}line 3 country: /,
  );

  const json = await target.run('import', 'submissions', bad, '--dry-run', '--json');
  expect(json).toMatchObject({ code: 1, stderr: '' });
  const answer = JSON.parse(json.stdout);
  expect(answer).toMatchObject({ ok: false, kind: 'submissions', dryRun: true });
  expect(answer.problems.map((p: { path: string[] }) => p.path)).toEqual([
    ['line 2', 'value'],
    ['line 3', 'country'],
  ]);
  expect(answer.problems[1].message).toContain('ATL');
  // The location as numbers and names too, for scripts that would otherwise parse "line 2".
  expect(answer.problems.map((p: { line: number; column: string }) => [p.line, p.column])).toEqual([
    [2, 'value'],
    [3, 'country'],
  ]);
  expect(await state()).toEqual(before);
});

test('importers without a dry run of their own are rehearsed: exact counts, nothing written, no audit', async () => {
  const before = await state();
  const countries = readFileSync('data/countries.csv', 'utf8').replace(',Algeria,012,', ',Algérie,012,');
  const dryCountries = await target.run('import', 'countries', file('countries.csv', [countries.trimEnd()]), '-n');
  expect(dryCountries).toMatchObject({ code: 0, stderr: '' });
  expect(dryCountries.stdout).toContain('Country: 0 created, 1 updated, 247 unchanged');
  expect(dryCountries.stdout).toContain('nothing was written');

  const adoptions = file('adoptions.csv', [
    'country,recommendation,status,since,note,evidence_url',
    'CHE,REC_RESIDENCE,IMPLEMENTED,2019,,',
    '250,REC_METADATA,PLANNED,,,',
  ]);
  const dryAdoptions = await target.run('import', 'adoptions', adoptions, '--dry-run', '--json');
  expect(dryAdoptions).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(dryAdoptions.stdout)).toMatchObject({
    ok: true,
    dryRun: true,
    report: { adoptions: { rows: 2, created: 2, updated: 0, unchanged: 0 } },
  });
  expect(await state()).toEqual(before);

  // The same files imported for real write what the rehearsal counted.
  expect((await target.run('import', 'adoptions', adoptions)).stdout).toContain('2 created');
  expect((await state()).adoptions).toBe(before.adoptions + 2);
});

test('--json on migrate, seed and the token commands', async () => {
  const migrate = JSON.parse((await target.run('migrate', '--json')).stdout);
  expect(migrate).toEqual({ location: expect.any(String), applied: [] });
  const seed = JSON.parse((await target.run('seed', '--json')).stdout);
  expect(seed.Country).toEqual({ created: 0, updated: 0, unchanged: 248 });

  const created = await target.run('token', 'create', '--role', 'FOCAL_POINT', '--country', 'CHE', '--json');
  expect(created).toMatchObject({ code: 0, stderr: '' });
  const { id, token } = JSON.parse(created.stdout) as { id: number; token: string };
  expect(token).toMatch(/^msh_/);

  const list = JSON.parse((await target.run('token', 'list', '--json')).stdout);
  expect(list).toContainEqual({
    id,
    prefix: token.slice(0, 10),
    role: 'FOCAL_POINT',
    country: 'CHE',
    name: 'focal_point-CHE',
    createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    expiresAt: null,
    state: 'active',
  });
  expect(JSON.stringify(list)).not.toContain(token);

  const revoked = await target.run('token', 'revoke', String(id), '--json');
  expect(JSON.parse(revoked.stdout)).toEqual({ revoked: [id] });
  const all = JSON.parse((await target.run('token', 'list', '--all', '--json')).stdout);
  expect(all.find((t: { id: number }) => t.id === id).state).toBe('revoked');
  // A failing command prints nothing on stdout, its message on stderr.
  const again = await target.run('token', 'revoke', String(id), '--json');
  expect(again).toMatchObject({ code: 1, stdout: '' });
  expect(again.stderr).toContain(`No live token with id ${id}`);
});

test('import --sheet reads the named sheet of a workbook; without it, the first (CONTRACT §5)', async () => {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('Notes').addRow(['Submissions for 2019, see the sheet Data']);
  const data = book.addWorksheet('Data');
  data.addRow(header.split(','));
  data.addRow(['DEU', 'NET_MIGRATION', 2019, 500, 'DRAFT', '']);
  const path = join(scratch, 'book.xlsx');
  await book.xlsx.writeFile(path);

  const named = await target.run('import', 'submissions', path, '--sheet', 'Data', '--dry-run', '--json');
  expect(named).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(named.stdout)).toMatchObject({ ok: true, report: { rows: 1, submissions: 1, dryRun: true } });
  const first = await target.run('import', 'submissions', path, '--dry-run', '--json');
  expect(first.code).toBe(1);
  const problems = JSON.parse(first.stdout).problems as { path: string[] }[];
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.every((p) => p.path.includes('sheet Notes'))).toBe(true);
  expect(problems[0]).toMatchObject({ sheet: 'Notes', line: 1, cell: expect.stringMatching(/^[A-Z]+1$/) });
});
