// Nothing half-written at a first start: `migstat serve` on an empty database seeds it in two transactions, the M49
// countries and then the catalogue, before it installs its signal handlers. A first start stopped between the two
// (Ctrl-C while it seeds, an OOM kill, a container stopped) left countries without a catalogue, and the next start,
// finding the database "not empty", never seeded the catalogue. Now a start seeds whenever either part is missing
// (src/cli/seed.ts needsSeed). The stop is made deterministic on PostgreSQL: another session holds a SHARE lock on
// "Indicator" (reads pass, inserts wait), so the countries commit and the catalogue's transaction waits; the server
// gets Ctrl-C (SIGINT) there. PGlite runs the same code, where only a timed signal could hit the gap.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { serve } from '../portals/serve.js';

const onPostgres = dbKind === 'postgres' ? describe : describe.skip;

onPostgres('a first start stopped while it seeds', () => {
  let target: CliTarget;
  beforeAll(async () => (target = await cliTarget({ database: 'migrated' })));
  afterAll(() => target?.dispose());

  test('the next start holds the whole seed catalogue, not the countries alone', async () => {
    const other = new pg.Client({ connectionString: target.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE "Indicator" IN SHARE MODE');
      const first = spawn(process.execPath, [migstatBin, 'serve'], {
        env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...target.env }),
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise((resolve) => first.once('exit', resolve));
      // Until the seed's catalogue transaction waits for the lock, its countries committed.
      let waiting = 0;
      for (let i = 0; i < 1200 && !waiting; i++) {
        await new Promise((r) => setTimeout(r, 100));
        // In its transaction a session sees pg_stat_activity as at its first look unless it drops that snapshot.
        await other.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await other.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        waiting = rows[0]!.n;
      }
      expect(waiting).toBeGreaterThan(0);
      const { rows } = await other.query<{ n: number }>('SELECT count(*)::int AS n FROM "Country"');
      expect(rows[0]!.n).toBe(248);
      // Ctrl-C: during startup `serve` has no handler yet, so the signal ends it at once.
      first.kill('SIGINT');
      await exited;
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }

    const second = await serve(target);
    try {
      const res = await fetch(second.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ countries { totalCount } indicators { totalCount } sourceTypes { code } }' }),
      });
      const body = (await res.json()) as {
        data: { countries: { totalCount: number }; indicators: { totalCount: number }; sourceTypes: unknown[] };
      };
      expect({
        countries: body.data.countries.totalCount,
        indicators: body.data.indicators.totalCount,
        sourceTypes: body.data.sourceTypes.length,
      }).toEqual({ countries: 248, indicators: 15, sourceTypes: 10 });
    } finally {
      await second.stop();
    }
  }, 180_000);
});
