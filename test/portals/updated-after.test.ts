// A portal that keeps a copy in sync with `updatedAfter` (CONTRACT §10), as the data-access page tells it, passing
// the time of its last read as the next `updatedAfter`. A change is stamped (FeedEntry.at) a moment before its
// transaction commits; when the commit takes a while (here: another writer's commit holds the data version's row), a
// read in between used not to see the change yet, and the next read, after that read's time, did not see it either:
// the change was skipped for good. Now such a read waits for the commits of the changes stamped before it
// (settledFeedTime, src/submissions/changes.ts). PostgreSQL only: PGlite runs one transaction at a time, so no read
// falls between a stamp and its commit.
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { dbKind } from '../support/db.js';
import { data, startHubAsAdmin, type Hub } from '../support/hub.js';

const onPostgres = dbKind === 'postgres' ? describe : describe.skip;
const FLOW = '/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0';

let hub: Hub;
let admin: string;

interface DataMessage {
  meta: { prepared: string };
  data: {
    structures: {
      dimensions: {
        series: { id: string; values: { id: string }[] }[];
        observation: { values: { value: string }[] }[];
      };
    }[];
    dataSets: { series?: Record<string, { observations: Record<string, unknown[]> }> }[];
  };
}

/**
 * CHE's IMM_STOCK (M49 756) observations changed after `since`, by year; the time of this read as a client notes it
 * (the moment it sent the request: a 204, "nothing changed", has no meta.prepared to take instead), and the
 * message's `prepared` time.
 */
async function changedSince(
  since: string,
): Promise<{ readAt: string; through: string | null; prepared?: string; years: string[] }> {
  const readAt = new Date().toISOString();
  const res = await hub.api.fetch(
    `http://hub.test${FLOW}/A.756.IMM_STOCK.*?updatedAfter=${encodeURIComponent(since)}&format=sdmx-json`,
    { method: 'GET' },
  );
  // The time the answer is complete through, on every answer (a 204 too).
  const through = res.headers.get('migstat-complete-through');
  if (res.status === 204) return { readAt, through, years: [] };
  expect(res.status).toBe(200);
  const message = (await res.json()) as DataMessage;
  const structure = message.data.structures[0];
  const years = new Set<string>();
  for (const s of Object.values(message.data.dataSets[0]?.series ?? {}))
    for (const t of Object.keys(s.observations))
      years.add(structure!.dimensions.observation[0]!.values[Number(t)]!.value);
  return { readAt, through, prepared: message.meta.prepared, years: [...years].sort() };
}

/** Until `n` sessions of the database wait for a lock (seen from `other`, inside its transaction). */
async function waitForLocks(other: pg.Client, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    // In its transaction a session sees pg_stat_activity as at its first look unless it drops that snapshot.
    await other.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await other.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${n} sessions waited for a lock within 30 s`);
}

const IMPORT = `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok submissionsWritten } }`;
const publish = (year: number, value: number) =>
  hub.gql<{ importSubmissions: { ok: boolean; submissionsWritten: number } }, { csv: string }>(
    IMPORT,
    {
      csv: `country,indicator,reference_year,value,source_type,status\nCHE,IMM_STOCK,${year},${value},CENSUS,PUBLISHED\n`,
    },
    { token: admin },
  );

onPostgres('SDMX updatedAfter under a commit that takes a moment', () => {
  beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
  afterAll(() => hub?.close());

  test('a portal polling with the time of its last read never skips a published change', async () => {
    expect(data(await publish(2019, 100)).importSubmissions.ok).toBe(true);
    const first = await changedSince('2000-01-01T00:00:00Z');
    expect(first.years).toEqual(['2019']);

    // Another writer is committing: it holds the data version's row, which every writer's commit updates last.
    const other = new pg.Client({ connectionString: hub.db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('UPDATE "DataVersion" SET version = version WHERE id = 1');
      const importing = publish(2020, 200);
      // The import has stamped its change and waits in its commit.
      await waitForLocks(other, 1);
      // The portal reads meanwhile (the SDMX data query and the download): each waits for the commit under way, as
      // a second session waiting on a lock shows, rather than answer without the change it has stamped.
      const during = changedSince(first.readAt);
      const downloaded = (async () => {
        const url = `http://hub.test/download/observations.csv?indicator=IMM_STOCK&country=CHE&updatedAfter=${first.readAt}`;
        const res = await hub.api.fetch(url);
        return { text: await res.text(), through: res.headers.get('migstat-complete-through') };
      })();
      await waitForLocks(other, 3);
      await other.query('COMMIT');
      expect(data(await importing).importSubmissions).toEqual({ ok: true, submissionsWritten: 1 });
      const read = await during;
      expect(read.years).toEqual(['2020']);
      const download = await downloaded;
      const rows = parse(download.text, { columns: true }) as { indicator: string; reference_year: string }[];
      expect(rows.map((r) => `${r.indicator} ${r.reference_year}`)).toEqual(['IMM_STOCK 2020']);

      const [entry] = (
        await other.query<{ at: Date }>(
          `SELECT f.at FROM "FeedEntry" f JOIN "Submission" s ON s.id = f."submissionId"
           WHERE f.audience = 'PUBLISHED' AND s."referenceYear" = 2020 ORDER BY f.sequence DESC LIMIT 1`,
        )
      ).rows;
      // The message is complete through its `prepared` time, which is after the change's stamp: a portal may send it
      // back as its next updatedAfter, and then gets nothing more (a 204, which says its time in a header).
      expect(Date.parse(read.prepared!)).toBeGreaterThan(entry!.at.getTime());
      expect(read.through).toBe(read.prepared);
      expect(Date.parse(download.through!)).toBeGreaterThan(entry!.at.getTime());
      const quiet = await changedSince(read.prepared!);
      expect(quiet.years).toEqual([]);
      expect(Date.parse(quiet.through!)).toBeGreaterThanOrEqual(Date.parse(read.prepared!));
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  }, 120_000);
});
