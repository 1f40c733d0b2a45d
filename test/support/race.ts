// A write racing another transaction on PostgreSQL, deterministically: the other connection writes first and holds
// its transaction open until the write under test waits on its lock (or has already given up on it), then commits.
import pg from 'pg';

/** Runs `write` while another connection holds `sql` uncommitted; commits once `write` waits for its lock. */
export async function racing<T>(
  url: string | undefined,
  sql: string,
  params: unknown[],
  write: () => Promise<T>,
): Promise<T> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query(sql, params);
    const pending = write();
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 600 && !settled; i++) {
      // Inside its transaction a connection sees pg_stat_activity as at its first look unless it drops that snapshot.
      await other.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await other.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await other.query('COMMIT');
    return await pending;
  } finally {
    await other.end();
  }
}
