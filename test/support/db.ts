// A fresh database per test file: in-memory PGlite, or a throwaway database on the TEST_DATABASE_URL server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { migrate } from '../../src/platform/migrate.js';

declare const DB_KIND: 'pglite' | 'postgres';

export const dbKind: 'pglite' | 'postgres' = typeof DB_KIND === 'string' ? DB_KIND : 'pglite';

export interface TestDatabase extends Database {
  /** The server URL of the throwaway database (postgres only), for child processes. */
  url?: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (dbKind === 'pglite') {
    const db = await openDatabase({});
    await migrate(db);
    return db;
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is required for the postgres project');
  const name = `migstat_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  await migrate(db);
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
