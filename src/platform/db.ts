// The only place a PrismaClient is constructed: embedded PGlite by default, PostgreSQL when a URL is given.
// The client is handed to the API and the CLI explicitly (not a module singleton) because one process, a
// test run for instance, may hold databases of both kinds at once.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../prisma/generated/prisma/client.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';

export type { PrismaClient };
export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** The adapter factory the client uses; the schema engine needs the same one to migrate. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location (directory, "memory" or the URL without password). */
  location: string;
  /** The lock of the PGlite data directory this process owns (data-dir-lock.ts); absent in memory and on PostgreSQL. */
  lock?: DataDirLock;
  /**
   * Runs a multi-statement SQL script as one simple-protocol query, which PostgreSQL executes as a single implicit
   * transaction: all of it or none of it (the migration runner relies on this).
   */
  executeScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent, embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; "memory://" or undefined for an in-memory database. */
  dataDir?: string | undefined;
  /** A PGlite data-directory tarball (PGlite's dumpDataDir) to start an empty PGlite from, e.g. a test template. */
  loadDataDir?: Blob | undefined;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const adapterFactory = new PrismaPg({ connectionString: options.url });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return {
      kind: 'postgres',
      prisma,
      adapterFactory,
      location: redactUrl(options.url),
      async executeScript(sql) {
        const client = new pg.Client({ connectionString: options.url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      close: () => prisma.$disconnect(),
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  // Taken before PGlite touches the directory, and refused (naming the holder) when another process owns it.
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  const pglite = new PGlite({ dataDir, loadDataDir: options.loadDataDir });
  try {
    await pglite.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    kind: 'pglite',
    prisma,
    adapterFactory,
    location: dataDir ?? 'memory',
    ...(lock ? { lock } : {}),
    async executeScript(sql) {
      await pglite.exec(sql);
    },
    async close() {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
