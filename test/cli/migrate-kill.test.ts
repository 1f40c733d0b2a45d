// A `migstat migrate` killed (SIGKILL) at any moment leaves the database at the old or the new version, and the
// next migrate finishes by itself. The loop runs migrate on a fresh database with MIGSTAT_MIGRATE_PAUSE_AT=N: the
// process announces each statement the schema engine sends and stops before the N-th, where it is killed. The next
// run is both the recovery of that kill (it must get past it) and the next kill, one step further; the loop ends
// when a run finishes before its pause point. Runs killed at a random moment inside a migration script (not at a
// statement boundary) come first. At the end the schema must equal a cleanly migrated one. A second test kills
// migrate half-way through the list and starts `migstat serve` on what it left: serve finishes the migrations,
// seeds, and reads and writes as on a clean database.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Database } from '../../src/platform/db.js';
import { migrationsDir, projectRoot } from '../../src/platform/paths.js';
import { createTestDatabase, dbKind } from '../support/db.js';
import { cliEnv, cliTarget, migstatBin, runCli } from '../support/cli.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

/** An empty database (created, never migrated): a copy of the run's initdb-only PGlite directory, or a new database on
 *  the PostgreSQL server. */
const emptyTarget = () => cliTarget({ database: 'empty' });

/** How a run ended: where it was killed (and, at a pause, the statement it stopped before), or its exit code. */
type Ended = { killedAt: string | null; boundary?: string; code: number | null; stderr: string };

/**
 * Runs `migstat migrate`; kills it when it announces the pause (or `delayAfterScript` ms after it announces its
 * first migration script). Resolves with where it was killed, or its exit code when it finished first.
 */
function migrateAndKill(
  env: Record<string, string>,
  opts: { pauseAt?: number; delayAfterScript?: number; atScript?: number },
) {
  return new Promise<Ended>((resolve, reject) => {
    const child = spawn(process.execPath, [migstatBin, 'migrate'], {
      cwd: projectRoot,
      env: cliEnv({
        LOG_LEVEL: 'silent',
        MIGSTAT_MIGRATE_TRACE: 'true',
        ...(opts.pauseAt ? { MIGSTAT_MIGRATE_PAUSE_AT: String(opts.pauseAt) } : {}),
        ...env,
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let killedAt: string | null = null;
    let boundary: string | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (killedAt) return;
      const paused = /migrate paused before step (\d+)/.exec(stderr);
      if (paused) {
        boundary = new RegExp(`migrate step ${paused[1]}: (.*)`).exec(stderr)?.[1];
        killedAt = `before step ${paused[1]} (${boundary?.slice(0, 40)})`;
        child.kill('SIGKILL');
      } else if (opts.atScript !== undefined) {
        // SIGKILL as the atScript-th migration script is sent: it may or may not have committed.
        const scripts = stderr.match(/migrate step \d+: script/g) ?? [];
        if (scripts.length >= opts.atScript) {
          killedAt = `as migration script ${opts.atScript} is sent`;
          child.kill('SIGKILL');
        }
      } else if (opts.delayAfterScript !== undefined && /migrate step \d+: script/.test(stderr)) {
        killedAt = `${opts.delayAfterScript} ms into a migration script`;
        setTimeout(() => child.kill('SIGKILL'), opts.delayAfterScript);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      resolve({ killedAt: signal === 'SIGKILL' ? killedAt : null, boundary, code, stderr }),
    );
  });
}

/** Tables, columns, indexes and enum values of the public schema, and the finished migrations. */
async function schemaOf(db: Database) {
  const q = <T>(sql: string) => db.prisma.$queryRawUnsafe<T[]>(sql);
  const [columns, indexes, enums, finished, unfinished] = await Promise.all([
    q<{ c: string }>(
      `SELECT table_name || '.' || column_name || ':' || data_type AS c FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY 1`,
    ),
    q<{ c: string }>(`SELECT indexname AS c FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`),
    q<{ c: string }>(
      `SELECT t.typname || '.' || e.enumlabel AS c FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY 1`,
    ),
    q<{ c: string }>(
      `SELECT migration_name AS c FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`,
    ),
    q<{ n: number }>(
      `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL`,
    ),
  ]);
  return {
    columns: columns.map((r) => r.c),
    indexes: indexes.map((r) => r.c),
    enums: enums.map((r) => r.c),
    finished: finished.map((r) => r.c),
    unfinished: unfinished[0]!.n,
  };
}

/** The schema of a cleanly migrated database (a copy of the run's template), what every recovery must arrive at. */
let expected: Awaited<ReturnType<typeof schemaOf>>;
beforeAll(async () => {
  const reference = await createTestDatabase();
  try {
    expected = await schemaOf(reference);
  } finally {
    await reference.close();
  }
});

test('migrate killed at every statement boundary and inside scripts always recovers by itself', async () => {
  const started = Date.now();
  const migrations = readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  expect(expected.finished).toEqual(migrations.map((d) => d.name).sort());

  const target = await emptyTarget();
  const kills: string[] = [];
  let recoveries = 0; // runs that found an unfinished migration of a killed run, rolled it back and applied it
  const count = (ended: Ended) => {
    if (/had been interrupted before committing; applying again/.test(ended.stderr)) recoveries++;
  };
  try {
    // Inside the first (large) migration script, at moments that differ between runs.
    for (const delay of [5, 40]) {
      const ended = await migrateAndKill(target.env, { delayAfterScript: delay });
      count(ended);
      if (ended.killedAt) kills.push(ended.killedAt);
      else expect(ended).toMatchObject({ code: 0 }); // finished before the kill: fine, but say so
    }
    // Then at each statement boundary in turn from the first that touches _prisma_migrations (1-3 only connect,
    // lock and list tables), each run recovering from the previous kill. On PostgreSQL at every boundary of every
    // migration. On PGlite at every kind of boundary (the list query, a migration's started row, its script, its two
    // updates) until one repeats, then a run to the end: past the first migration the kinds only repeat, and each
    // run costs seconds there (PGlite starts in every process). The PostgreSQL pass (CI) covers every boundary.
    const kinds = new Set<string>();
    let allKinds = false;
    for (let pauseAt = 4; ; pauseAt++) {
      const ended = await migrateAndKill(target.env, allKinds ? {} : { pauseAt });
      count(ended);
      if (!ended.killedAt) {
        // It finished before reaching its pause point (or ran without one): every migration is applied.
        expect({ code: ended.code, stderr: ended.stderr }).toMatchObject({ code: 0 });
        break;
      }
      kills.push(ended.killedAt);
      const kind = ended.boundary?.startsWith('script') ? 'script' : String(ended.boundary);
      allKinds = dbKind === 'pglite' && kinds.has(kind);
      kinds.add(kind);
      expect(pauseAt).toBeLessThan(60); // the loop terminates
    }
    const final = await runCli(['migrate'], target.env);
    expect(final).toMatchObject({ code: 0 });
    expect(final.stdout).toMatch(/is up to date/);
    const db = await target.open();
    try {
      expect(await schemaOf(db)).toEqual(expected);
    } finally {
      await db.close();
    }
  } finally {
    await target.dispose();
  }
  // The figures for a note (KILL_REPORT=1): how many kills, where, and how long the loop took.
  if (process.env.KILL_REPORT)
    process.stderr.write(
      `[${dbKind}] ${kills.length} kills (${recoveries} runs rolled back an unfinished migration), all recovered, in ${((Date.now() - started) / 1000).toFixed(1)} s:\n  ${kills.join('\n  ')}\n`,
    );
  expect(kills.length).toBeGreaterThanOrEqual(6);
  // Kills between a migration's started row and its commit happened, and were undone by the next run.
  expect(recoveries).toBeGreaterThan(0);
}, 300_000);

/** `migstat serve` on `env`; resolves with its base URL and logs once it serves. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
    env: cliEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: { msg: string; url?: string }[] = [];
  const served = new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const entry = JSON.parse(buffer.slice(0, i)) as { msg: string; url?: string };
        buffer = buffer.slice(i + 1);
        logs.push(entry);
        if (entry.msg === 'serving') resolve(String(entry.url).replace('/graphql', ''));
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${JSON.stringify(logs)}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    return exited;
  };
  return { served, logs, stop };
}

test('serve starts on a database whose migrate was killed half-way, finishes it, and reads and writes', async () => {
  const total = expected.finished.length;
  const target = await emptyTarget();
  try {
    const half = Math.ceil(total / 2);
    const killed = await migrateAndKill(target.env, { atScript: half });
    expect(killed.killedAt).toBe(`as migration script ${half} is sent`);
    let before = await target.open();
    let interrupted: number;
    try {
      // Half-way indeed: some migrations finished, not all.
      const state = await schemaOf(before);
      interrupted = state.unfinished;
      expect(state.finished.length).toBeGreaterThanOrEqual(half - 1);
      expect(state.finished.length).toBeLessThan(total);
    } finally {
      await before.close();
    }

    const hub = serve(target.env);
    try {
      const base = await hub.served;
      const messages = hub.logs.map((l) => l.msg);
      expect(messages).toContain('seeded the M49 list and the catalogue');
      // Killed before its script committed, the migration's row was left unfinished: serve rolls it back first.
      if (interrupted) expect(messages).toContain('migrations interrupted before committing; applying again');
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      // `token create` works beside a running server on both databases (through it on PGlite).
      const created = await runCli(['token', 'create', '--role', 'ADMIN'], target.env);
      expect(created).toMatchObject({ code: 0 });
      const token = created.stdout.trim();
      const gql = async (query: string, variables?: unknown) =>
        (await (
          await fetch(`${base}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      const imported = await gql(
        'mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok submissionsWritten problems { message } } }',
        { csv: 'country,indicator,reference_year,value\nCHE,IMM_STOCK,2020,123456\n' },
      );
      expect(imported).toEqual({ data: { importSubmissions: { ok: true, submissionsWritten: 1, problems: [] } } });
      const read = await gql(
        `query AfterMigrate { countries { totalCount } indicators { totalCount }
           submissions(filter: { country: "CHE" }) { nodes { referenceYear total { value } } } }`,
      );
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual({
        countries: { totalCount: 248 },
        indicators: { totalCount: 15 },
        submissions: { nodes: [{ referenceYear: 2020, total: { value: 123456 } }] },
      });
    } finally {
      expect(await hub.stop()).toBe(0);
    }
    before = await target.open();
    try {
      expect(await schemaOf(before)).toEqual(expected);
    } finally {
      await before.close();
    }
  } finally {
    await target.dispose();
  }
}, 300_000);
