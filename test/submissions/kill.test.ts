// A process killed (SIGKILL) in the middle of a large import leaves the database exactly as before: the import is
// one transaction, and a transaction that never commits leaves nothing behind.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { migrate } from '../../src/platform/migrate.js';
import { projectRoot } from '../../src/platform/paths.js';
import { seed } from '../../src/cli/seed.js';
import { writeSubmissionsFile } from '../../scripts/gen-submissions.js';
import { createTestDatabase, dbKind, type TestDatabase } from '../support/db.js';

async function snapshot(db: Database) {
  const p = db.prisma;
  const [submissions, observations, events, audits, maxAudit] = await Promise.all([
    p.submission.count(),
    p.observation.count(),
    p.submissionEvent.count(),
    p.auditLog.count(),
    p.auditLog.aggregate({ _max: { id: true } }),
  ]);
  return { submissions, observations, events, audits, lastAudit: maxAudit._max.id };
}

/** Runs `migstat import submissions FILE`, kills it once it has started writing; resolves with how it ended. */
function importAndKill(file: string, env: NodeJS.ProcessEnv): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'migstat.mjs'), 'import', 'submissions', file], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killing && stderr.includes('writing')) {
        killing = true;
        // Well inside the write phase: several batches of observations are in the open transaction.
        setTimeout(() => child.kill('SIGKILL'), 1500);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

test('SIGKILL in the middle of a large submissions import leaves the database exactly as before', async () => {
  const work = mkdtempSync(join(tmpdir(), 'migstat-kill-'));
  const file = join(work, 'big.csv');
  await writeSubmissionsFile(60_000, file);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' };

  let db: TestDatabase;
  if (dbKind === 'pglite') {
    const dataDir = join(work, 'pglite');
    db = await openDatabase({ dataDir });
    await migrate(db);
    await seed(db.prisma, CLI_ACTOR);
    const before = await snapshot(db);
    // PGlite is single-process: release the directory for the child, and take it back afterwards.
    await db.close();
    delete env.DATABASE_URL;
    env.PGLITE_DATA_DIR = dataDir;
    const ended = await importAndKill(file, env);
    expect(ended.signal).toBe('SIGKILL');
    db = await openDatabase({ dataDir });
    try {
      expect(await snapshot(db)).toEqual(before);
    } finally {
      await db.close();
    }
  } else {
    db = await createTestDatabase();
    try {
      await seed(db.prisma, CLI_ACTOR);
      const before = await snapshot(db);
      env.DATABASE_URL = db.url;
      const ended = await importAndKill(file, env);
      expect(ended.signal).toBe('SIGKILL');
      expect(await snapshot(db)).toEqual(before);
    } finally {
      await db.close();
    }
  }
}, 180_000);
