// A fresh database per test file: in-memory PGlite, or a throwaway database on the TEST_DATABASE_URL server. Both
// start as copies of the templates that test/support/global-setup.mjs migrated (and seeded) once for the whole run;
// without them (a run that bypassed the global setup) each database is migrated and seeded here, as before.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { seed } from '../../src/cli/seed.js';
import { openDatabase, type Database } from '../../src/platform/db.js';
import { migrate } from '../../src/platform/migrate.js';

declare const DB_KIND: 'pglite' | 'postgres';

export const dbKind: 'pglite' | 'postgres' = typeof DB_KIND === 'string' ? DB_KIND : 'pglite';

export interface TestDatabase extends Database {
  /** The server URL of the throwaway database (postgres only), for child processes. */
  url?: string;
}

/** How far a new database is set up: created only, migrated, or migrated and seeded (catalogue and M49 list). */
export type DatabaseState = 'empty' | 'migrated' | 'seeded';

/** What the global setup built for this run (see global-setup.mjs). */
export interface TestRun {
  dir: string;
  build: string;
  pglite: Partial<Record<DatabaseState, { dir: string; tar?: string }>>;
  postgres?: { prefix: string; migrated?: string; seeded?: string };
}

export function testRun(): TestRun | undefined {
  const raw = process.env.MIGSTAT_TEST_RUN;
  return raw ? (JSON.parse(raw) as TestRun) : undefined;
}

/** A migrated database; with `seed: true`, also seeded (as `migstat seed` would). */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  return createDatabase(options.seed ? 'seeded' : 'migrated');
}

export async function createDatabase(state: DatabaseState): Promise<TestDatabase> {
  if (dbKind === 'pglite') {
    const tar = testRun()?.pglite[state]?.tar;
    if (tar) return openDatabase({ loadDataDir: new Blob([readFileSync(tar)]) });
    return prepare(await openDatabase({}), state);
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is required for the postgres project');
  const template = state === 'empty' ? undefined : testRun()?.postgres?.[state];
  const name = `migstat_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => createFrom(admin, name, template));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  if (!template) await prepare(db, state);
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** Migrates (and seeds) a database the long way, without a template. */
export async function prepare<D extends Database>(db: D, state: DatabaseState): Promise<D> {
  if (state !== 'empty') await migrate(db);
  if (state === 'seeded') await seed(db.prisma, CLI_ACTOR);
  return db;
}

/**
 * CREATE DATABASE, from a template when given. PostgreSQL refuses to copy a template while another session is
 * connected to it ("source database … is being accessed by other users"); nothing connects to the run's templates
 * after the global setup, so that can only be a closing session of the setup: try again briefly.
 */
async function createFrom(admin: pg.Client, name: string, template: string | undefined) {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function withAdmin<T>(serverUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
