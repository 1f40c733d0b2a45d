// `migstat token create|list|revoke` (CONTRACT §6/§7) as child processes, on PGlite and PostgreSQL: expiry as a
// date or a duration, a list that never shows secrets, revocation by prefix or id, every change audited.
import { jest } from '@jest/globals';
import { cliTarget, type CliTarget } from '../support/cli.js';

// A dozen CLI processes per test: generous on a busy machine.
jest.setTimeout(180_000);

let target: CliTarget;
beforeAll(async () => {
  // Focal-point tokens name a country: the M49 list, loaded as `migstat seed` does (a copy of the run's seeded
  // template; a seed run of its own took a CLI process and seconds).
  target = await cliTarget({ database: 'seeded' });
});
afterAll(() => target?.dispose());

async function rows() {
  const db = await target.open();
  try {
    return await db.prisma.apiToken.findMany({ orderBy: { id: 'asc' } });
  } finally {
    await db.close();
  }
}

test('token create --expires takes a date or a duration; bad values are refused naming the option', async () => {
  const dated = await target.run('token', 'create', '--role', 'READER', '--name', 'portal', '--expires', '2099-01-01');
  expect(dated).toMatchObject({ code: 0, stderr: '' });
  const days = await target.run('token', 'create', '--role', 'TASK_FORCE', '--name', 'tf', '--expires', '90d');
  expect(days.code).toBe(0);
  const forever = await target.run('token', 'create', '--role', 'ADMIN', '--name', 'root');
  expect(forever.code).toBe(0);

  const [portal, tf, root] = await rows();
  expect(portal).toMatchObject({ name: 'portal', expiresAt: new Date('2099-01-01T00:00:00Z') });
  const in90 = Date.now() + 90 * 86_400_000;
  expect(Math.abs(tf!.expiresAt!.getTime() - in90)).toBeLessThan(120_000);
  expect(root!.expiresAt).toBeNull();

  for (const [value, message] of [
    ['yesterday', /--expires "yesterday" is neither a date \(2027-01-01\) nor a duration \(90d, 12h\)/],
    ['2001-01-01', /--expires 2001-01-01T00:00:00.000Z is in the past/],
    ['0d', /--expires "0d" is not a positive duration/],
  ] as const) {
    const bad = await target.run('token', 'create', '--role', 'READER', '--expires', value);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(message);
  }
  expect(await rows()).toHaveLength(3);
});

test('token list shows prefix, role, expiry and state, never a secret; revoke by prefix or id', async () => {
  const secret = (await target.run('token', 'create', '--role', 'FOCAL_POINT', '--country', 'CHE')).stdout.trim();
  const list = await target.run('token', 'list');
  expect(list.code).toBe(0);
  const lines = list.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^id\s+prefix\s+role\s+country\s+name\s+created\s+expires\s+state$/);
  expect(list.stdout).toMatch(new RegExp(`${secret.slice(0, 10)}\\s+FOCAL_POINT\\s+CHE\\s+focal_point-CHE`));
  expect(list.stdout).toMatch(/portal\s+\S+\s+2099-01-01T00:00:00Z\s+active/);
  expect(list.stdout).not.toContain(secret);

  const byPrefix = await target.run('token', 'revoke', secret.slice(0, 10));
  expect(byPrefix).toMatchObject({ code: 0 });
  const root = (await rows()).find((r) => r.name === 'root')!;
  const byId = await target.run('token', 'revoke', String(root.id));
  expect(byId).toMatchObject({ code: 0, stdout: `revoked token ${root.id}\n` });
  const again = await target.run('token', 'revoke', String(root.id));
  expect(again.code).toBe(1);
  expect(again.stderr).toContain(`No live token with id ${root.id}`);
  const nonsense = await target.run('token', 'revoke', 'hello');
  expect(nonsense.code).toBe(1);
  expect(nonsense.stderr).toContain('<token> "hello" is neither a token id nor a token prefix');
  // A prefix too short: named as the positional argument the help prints, not as an option the command lacks.
  const short = await target.run('token', 'revoke', 'msh_xwb');
  expect([short.code, short.stderr]).toEqual([
    1,
    expect.stringContaining('<token> "msh_xwb" is neither a token id nor a token prefix (msh_ and 6 more characters)'),
  ]);
  expect(short.stderr).not.toContain('--token');

  const live = await target.run('token', 'list');
  expect(live.stdout).not.toContain('root');
  expect(live.stdout).not.toContain(secret.slice(0, 10));
  const all = await target.run('token', 'list', '--all');
  expect(all.stdout).toMatch(/root\s+\S+\s+never\s+revoked/);

  const db = await target.open();
  try {
    const audits = await db.prisma.auditLog.findMany({
      where: { entityType: 'ApiToken' },
      orderBy: { id: 'asc' },
      select: { actor: true, action: true },
    });
    expect(audits.filter((a) => a.action === 'token.create')).toHaveLength(4);
    expect(audits.filter((a) => a.action === 'token.revoke')).toEqual([
      { actor: 'cli', action: 'token.revoke' },
      { actor: 'cli', action: 'token.revoke' },
    ]);
  } finally {
    await db.close();
  }
});
