// `migstat import adoptions FILE` as a child process: the same CSV and rules as importAdoptions, all-or-nothing,
// problems by line and column on stderr with a non-zero exit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliTarget, type CliTarget } from '../support/cli.js';
import { scratchDir } from '../support/scratch.js';

let target: CliTarget;
const scratch = scratchDir('migstat-adoptions-');
const file = (name: string, lines: string[]) => {
  const path = join(scratch, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};

beforeAll(async () => {
  target = await cliTarget();
  expect((await target.run('seed')).code).toBe(0);
});
afterAll(() => target?.dispose());

async function adoptions() {
  const db = await target.open();
  try {
    const rows = await db.prisma.recommendationAdoption.findMany({
      select: { status: true, since: true, reportedBy: true, country: { select: { iso3: true } } },
      orderBy: { id: 'asc' },
    });
    const audit = await db.prisma.auditLog.count({ where: { action: 'adoption.report', actor: 'cli' } });
    return { rows: rows.map((r) => `${r.country.iso3} ${r.status} ${r.since ?? '-'} ${r.reportedBy}`), audit };
  } finally {
    await db.close();
  }
}

test('a bad file is refused with every problem located, and nothing is written', async () => {
  const bad = await target.run(
    'import',
    'adoptions',
    file('bad.csv', [
      'country,recommendation,status,since,note,evidence_url',
      'CHE,REC_RESIDENCE,IMPLEMENTED,2019,,',
      'CHE,REC_RESIDENCE,SOMEDAY,,,',
      'ATL,REC_METADATA,PLANNED,,,',
    ]),
  );
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain(
    'line 3 status: must be one of NOT_STARTED, PLANNED, PARTIAL, IMPLEMENTED, NOT_APPLICABLE',
  );
  expect(bad.stderr).toContain('line 3 recommendation: CHE / REC_RESIDENCE already appears on line 2');
  expect(bad.stderr).toContain('line 4 country: no country with M49 or ISO3 code "ATL"');
  expect(await adoptions()).toEqual({ rows: [], audit: 0 });
});

test('a good file is imported, audited as cli, and a re-import changes nothing', async () => {
  const good = file('good.csv', [
    'country,recommendation,status,since,note,evidence_url',
    'CHE,REC_RESIDENCE,IMPLEMENTED,2019,,https://www.bfs.admin.ch/',
    '250,REC_METADATA,PLANNED,,"to do, soon",',
  ]);
  const first = await target.run('import', 'adoptions', good);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('adoptions: 2 rows, 2 created, 0 updated, 0 unchanged');
  expect(await adoptions()).toEqual({ rows: ['CHE IMPLEMENTED 2019 cli', 'FRA PLANNED - cli'], audit: 2 });
  const second = await target.run('import', 'adoptions', good);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('adoptions: 2 rows, 0 created, 0 updated, 2 unchanged');
  expect(await adoptions()).toEqual({ rows: ['CHE IMPLEMENTED 2019 cli', 'FRA PLANNED - cli'], audit: 2 });
});
