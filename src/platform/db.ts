// The only place a PrismaClient is constructed: embedded PGlite by default, PostgreSQL when a URL is given.
// The client is handed to the API and the CLI explicitly (not a module singleton) because one process, a
// test run for instance, may hold databases of both kinds at once.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../prisma/generated/prisma/client.js';

export type { PrismaClient };
export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** The adapter factory the client uses; the schema engine needs the same one to migrate. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location (directory, "memory" or the URL without password). */
  location: string;
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
      close: () => prisma.$disconnect(),
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite({ dataDir, loadDataDir: options.loadDataDir });
  await pglite.waitReady;
  const adapterFactory = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    kind: 'pglite',
    prisma,
    adapterFactory,
    location: dataDir ?? 'memory',
    async close() {
      await prisma.$disconnect();
      await pglite.close();
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
