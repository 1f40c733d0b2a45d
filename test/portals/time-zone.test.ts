// A PostgreSQL server (or database) set to a time zone other than UTC. The columns are `timestamp` without a zone:
// Prisma writes and reads them as UTC from Node's clock, while the database's own times (the change feed's stamps,
// column defaults, webhook retry times compared with now()) follow the session's zone, so every session runs in UTC
// (src/platform/db.ts). Here the database is set to UTC+3 before a real `migstat serve` connects to it; the times the
// hub gives out must still be the true time, not three hours off.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cliTarget, type CliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { serve, type Serve } from './serve.js';

const onPostgres = dbKind === 'postgres' ? describe : describe.skip;
const HOUR = 3_600_000;

onPostgres('a database in another time zone (UTC+3)', () => {
  let target: CliTarget;
  let hub: Serve;
  let scratch: string;
  beforeAll(async () => {
    target = await cliTarget({ database: 'seeded' });
    const admin = new pg.Client({ connectionString: target.env.DATABASE_URL });
    await admin.connect();
    try {
      const name = decodeURIComponent(new URL(target.env.DATABASE_URL!).pathname.slice(1));
      // Etc/GMT-3 is UTC+3 (POSIX signs are inverted).
      await admin.query(`ALTER DATABASE "${name}" SET TimeZone = 'Etc/GMT-3'`);
      const probe = new pg.Client({ connectionString: target.env.DATABASE_URL });
      await probe.connect();
      // A session of its own without the hub's setting would be in UTC+3: the test would show nothing otherwise.
      expect((await probe.query<{ TimeZone: string }>('SHOW TimeZone')).rows[0]!.TimeZone).toBe('Etc/GMT-3');
      await probe.end();
    } finally {
      await admin.end();
    }
    scratch = mkdtempSync(join(tmpdir(), 'migstat-tz-'));
    hub = await serve(target);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    await target?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('a published change is stamped with the true time, and updatedAfter answers are complete through it', async () => {
    const file = join(scratch, 'published.csv');
    writeFileSync(
      file,
      'country,indicator,reference_year,value,source_type,status\nCHE,IMM_STOCK,2021,123,CENSUS,PUBLISHED\n',
    );
    const before = Date.now();
    const imported = await target.run('import', 'submissions', file);
    expect(imported.code).toBe(0);
    const after = Date.now();

    // The feed from its start (the seed's catalogue entries first), page after page, to the import's change.
    type Page = {
      nodes: { at: string; submission: { referenceYear: number } | null }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    let change: Page['nodes'][number] | undefined;
    for (let after: string | null = null, more = true; more && !change;) {
      const res: Response = await fetch(hub.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query($after: String) { changes(first: 100, after: $after) {
            nodes { at submission { referenceYear } } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
        }),
      });
      const page: Page = ((await res.json()) as { data: { changes: Page } }).data.changes;
      change = page.nodes.find((n) => n.submission?.referenceYear === 2021);
      ({ hasNextPage: more, endCursor: after } = page.pageInfo);
    }
    // Stamped during the import (a second's slack for the clocks' resolution), not three hours ahead.
    expect(Date.parse(change!.at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(change!.at)).toBeLessThanOrEqual(after + 1_000);

    const sdmx = await fetch(
      `${new URL(hub.url).origin}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?updatedAfter=${new Date(before - HOUR).toISOString()}`,
    );
    expect(sdmx.status).toBe(200);
    const through = Date.parse(sdmx.headers.get('migstat-complete-through')!);
    expect(Math.abs(through - Date.now())).toBeLessThan(60_000);
    // The change lies before the time the answer is complete through: a portal sending that back does not get it
    // again, and got it in this answer.
    expect(through).toBeGreaterThan(Date.parse(change!.at));
    const next = await fetch(
      `${new URL(hub.url).origin}/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?updatedAfter=${new Date(through).toISOString()}`,
    );
    expect(next.status).toBe(204);
  }, 120_000);
});
