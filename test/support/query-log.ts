// Counts the SQL statements the hub sends to its database, to guard against N+1 queries.
//
// How: Prisma 7 with driver adapters has no `$on('query')` event, and a `$extends({ query })` hook counts Prisma
// operations rather than SQL (one findMany with nested includes is several statements). So this wraps the driver
// adapter itself: every statement Prisma runs goes through the adapter's `queryRaw` or `executeRaw`. Both
// adapters (PGlite and pg) define them on one shared "queryable" base class, used by the client's connection and by
// its transactions alike; the log patches that class's prototype, found from a probe connection of the hub's own
// adapter factory. The patch lasts until `stop()`, and Jest's per-file module registry keeps it inside one file.
import type { SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';

export interface QueryLog {
  /** SQL text of every statement since the last reset. */
  readonly statements: string[];
  /** The same statements with their arguments, as the driver adapter received them (to EXPLAIN them). */
  readonly queries: SqlQuery[];
  reset(): void;
  /** Runs `fn` and returns how many statements it sent. */
  count(fn: () => Promise<unknown>): Promise<number>;
  stop(): void;
}

type Queryable = Record<'queryRaw' | 'executeRaw', (this: unknown, query: SqlQuery) => Promise<unknown>>;

export async function startQueryLog(factory: SqlDriverAdapterFactory): Promise<QueryLog> {
  const probe = await factory.connect();
  let proto: object | null = Object.getPrototypeOf(probe) as object | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'queryRaw')) proto = Object.getPrototypeOf(proto);
  await probe.dispose();
  if (!proto) throw new Error('the driver adapter has no queryRaw method to wrap');
  const target = proto as Queryable;
  const original = { queryRaw: target.queryRaw, executeRaw: target.executeRaw };
  const statements: string[] = [];
  const queries: SqlQuery[] = [];
  for (const method of ['queryRaw', 'executeRaw'] as const) {
    target[method] = function (this: unknown, query: SqlQuery) {
      statements.push(query.sql);
      queries.push(query);
      return original[method].call(this, query);
    };
  }
  return {
    statements,
    queries,
    reset: () => {
      statements.splice(0);
      queries.splice(0);
    },
    async count(fn) {
      const start = statements.length;
      await fn();
      return statements.length - start;
    },
    stop() {
      target.queryRaw = original.queryRaw;
      target.executeRaw = original.executeRaw;
    },
  };
}

/**
 * The plan PostgreSQL (or PGlite) chooses for a statement the hub sent, with the same arguments and argument types:
 * EXPLAIN's text lines. Used by the tests that guard an index the hub's access paths rely on.
 */
export async function explain(factory: SqlDriverAdapterFactory, query: SqlQuery, options = ''): Promise<string[]> {
  const adapter = await factory.connect();
  try {
    const result = await adapter.queryRaw({ ...query, sql: `EXPLAIN ${options ? `(${options}) ` : ''}${query.sql}` });
    return result.rows.map((row) => String(row[0]));
  } finally {
    await adapter.dispose();
  }
}
