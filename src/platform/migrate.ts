// Applies prisma/migrations through Prisma's WASM schema engine, on PGlite and PostgreSQL alike. The engine keeps
// Prisma's own `_prisma_migrations` table, so `prisma migrate deploy` stays interchangeable with this.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import type { Database } from './db.js';
import { migrationsDir, schemaPath } from './paths.js';

export { migrationsDir, schemaPath };

let wasmReady: Promise<void> | undefined;

/** The package imports its .wasm as an ES module, which Node 20 refuses; instantiate it by hand, once. */
function loadEngine(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(
      dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    // The engine arms 10 s timers (lock timeouts) it never clears; unref them so a finished command can exit.
    const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
    for (const [name, fn] of Object.entries(imports)) {
      if (name.startsWith('__wbg_setTimeout') && typeof fn === 'function') {
        imports[name] = (...args: unknown[]) => {
          const timer = (fn as (...a: unknown[]) => unknown)(...args) as { unref?: () => void };
          timer?.unref?.();
          return timer;
        };
      }
    }
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': imports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return wasmReady;
}

/** Intercepts what the engine sends to the database: `executeScript` replaced, and a hook before each call. */
export interface EngineHooks {
  executeScript?: (script: string) => Promise<void>;
  /** Called before each statement or script the engine sends, with a short description (kill-test markers). */
  beforeStep?: (description: string) => Promise<void> | void;
}

export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  run: (engine: SchemaEngine) => Promise<T>,
  log: (line: string) => void = () => {},
  hooks: EngineHooks = {},
): Promise<T> {
  await loadEngine();
  // The engine never closes the connections it opens, and Prisma's migration advisory lock lives as long as the
  // session: dispose them ourselves, or the next migrate waits 10 s for the lock.
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    opened.push(adapter);
    return hooked(adapter, hooks);
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: () => track(adapterFactory.connect()),
    connectToShadowDb: () => track(adapterFactory.connectToShadowDb()),
  };
  const engine = (await bg.SchemaEngine.new(
    { datamodels: [[schemaPath, readFileSync(schemaPath, 'utf8')]] },
    (line: string) => log(line),
    bindMigrationAwareSqlAdapterFactory(tracked),
  )) as SchemaEngine;
  try {
    return await run(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((a) => a.dispose()));
  }
}

function hooked(adapter: SqlDriverAdapter, hooks: EngineHooks): SqlDriverAdapter {
  if (!hooks.executeScript && !hooks.beforeStep) return adapter;
  const step = async (what: string) => hooks.beforeStep?.(what);
  const brief = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 70);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async queryRaw(query) {
      await step(`query ${brief(query.sql)}`);
      return adapter.queryRaw(query);
    },
    async executeRaw(query) {
      await step(`execute ${brief(query.sql)}`);
      return adapter.executeRaw(query);
    },
    async executeScript(script) {
      await step(`script ${brief(script)}`);
      return hooks.executeScript ? hooks.executeScript(script) : adapter.executeScript(script);
    },
    async startTransaction(isolationLevel) {
      await step('begin');
      return adapter.startTransaction(isolationLevel);
    },
  };
}

export function readMigrations(dir = migrationsDir): MigrationList {
  const lockPath = join(dir, 'migration_lock.toml');
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: readFileSync(join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

export const noFilters = { externalTables: [], externalEnums: [] };

/** Prisma's migration advisory lock key (the schema engine takes it for the whole of applyMigrations). */
const PRISMA_MIGRATION_LOCK = 72707369;

export interface MigrateOptions {
  /** Called before each statement the engine sends (numbered from 1); the kill-loop test pauses here. */
  beforeStep?: (step: number, description: string) => Promise<void> | void;
  /** Told about migrations an earlier, interrupted run left unfinished (rolled back and applied again now). */
  onRecovered?: (names: string[]) => void;
}

/**
 * Applies every pending migration; returns the names applied now (empty when up to date).
 *
 * A migrate killed at any moment leaves the database at the old or the new version, and the next run finishes by
 * itself. The schema engine records a migration in three steps (insert a started row, run the script, set
 * finished_at) and, through the driver adapters, runs the script statement by statement (adapter-pg splits it on
 * ";"), so a kill in between left a half-applied schema or an unfinished row that fails every later run (P3009).
 * Here each migration script runs as one simple-protocol query together with its own `finished_at` bookkeeping:
 * PostgreSQL (and PGlite) execute such a query as one implicit transaction, DDL included, so the script and its
 * "finished" mark commit together or not at all. An unfinished row can then only mean "never committed", and is
 * marked rolled back (what `prisma migrate resolve --rolled-back` does) under Prisma's migration lock before the
 * engine runs, which applies the migration again. Migration scripts must therefore be transactional (no
 * CREATE INDEX CONCURRENTLY), which Prisma's generated migrations are.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  const migrationsList = readMigrations();
  // Every command migrates first; loading the schema engine (a large WebAssembly module) costs about a second and
  // tens of megabytes, so it is loaded only when something is pending.
  const applied = await appliedRows(db);
  if (isUpToDate(applied, migrationsList)) return [];
  const unknown = appliedElsewhere(applied, migrationsList);
  if (unknown.length) throw new NewerDatabaseError(db.location, unknown);
  const byScript = new Map<string, string>();
  for (const m of migrationsList.migrationDirectories) {
    if (m.migrationFile.content.tag === 'ok') byScript.set(m.migrationFile.content.value, m.path);
  }
  const recovered = await recoverInterrupted(db);
  if (recovered.length) options.onRecovered?.(recovered);
  let step = 0;
  const out = await withSchemaEngine(
    db.adapterFactory,
    (engine) => engine.applyMigrations({ migrationsList, filters: noFilters }),
    () => {},
    {
      beforeStep: options.beforeStep ? (what) => options.beforeStep!(++step, what) : undefined,
      executeScript: async (script) => {
        const name = byScript.get(script);
        if (name === undefined) return db.executeScript(script);
        await db.executeScript(
          `${script}\n;\nUPDATE "_prisma_migrations" SET "finished_at" = now() WHERE "migration_name" = '${name.replace(/'/g, "''")}' AND "finished_at" IS NULL AND "rolled_back_at" IS NULL;`,
        );
      },
    },
  );
  return out.appliedMigrationNames;
}

interface AppliedRow {
  name: string;
  checksum: string;
  finished: boolean;
}

/** The rows of `_prisma_migrations` not rolled back; none when the table does not exist yet. */
async function appliedRows(db: Database): Promise<AppliedRow[]> {
  const [table] = await db.prisma.$queryRawUnsafe<{ exists: boolean }[]>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`,
  );
  if (!table?.exists) return [];
  return db.prisma.$queryRawUnsafe<AppliedRow[]>(
    `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished
       FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
  );
}

/**
 * True when the rows record every migration folder, and nothing else, as finished, with the checksum of the script it
 * holds now. Anything else (no table, a pending migration, an unfinished row that an interrupted run left, an edited
 * script) is the schema engine's to deal with, as before; a finished row without a folder is refused
 * (appliedElsewhere).
 */
function isUpToDate(rows: AppliedRow[], list: MigrationList): boolean {
  const wanted = new Map<string, string>();
  for (const m of list.migrationDirectories) {
    if (m.migrationFile.content.tag !== 'ok') return false;
    wanted.set(m.path, createHash('sha256').update(m.migrationFile.content.value).digest('hex'));
  }
  return rows.length === wanted.size && rows.every((r) => r.finished && wanted.get(r.name) === r.checksum);
}

/**
 * The database was migrated by a newer release of the hub: it records as applied migrations this build has no
 * folder for. This build's code would misread what they changed (a renumbered cursor, a new NOT NULL column it does
 * not write), so it refuses to run on it rather than serve or write wrong data.
 */
export class NewerDatabaseError extends Error {
  constructor(
    location: string,
    readonly migrations: string[],
  ) {
    super(
      `the database at ${location} was migrated by a newer release of migstat: it has ${migrations.length} ` +
        `migration(s) this release does not know (${migrations.join(', ')}). Nothing was changed. Run the newer ` +
        'release on it, or restore the backup taken before the upgrade to go back to this one.',
    );
  }
}

/**
 * Names of the migrations `_prisma_migrations` records as applied (finished, not rolled back) that have no folder
 * here. The schema engine applies what is pending and ignores such rows, so an older build started on a database a
 * newer one migrated would run as if nothing had happened. (An unfinished row of an unknown migration never committed
 * anything: recoverInterrupted marks it rolled back, as any other.)
 */
function appliedElsewhere(rows: AppliedRow[], list: MigrationList): string[] {
  const known = new Set(list.migrationDirectories.map((m) => m.path));
  return [...new Set(rows.filter((r) => r.finished && !known.has(r.name)).map((r) => r.name))].sort();
}

/**
 * Marks the unfinished `_prisma_migrations` rows of interrupted runs as rolled back, so the engine applies those
 * migrations again; under Prisma's advisory lock, so a migration that another process is applying right now is
 * left alone. Returns their names.
 */
async function recoverInterrupted(db: Database): Promise<string[]> {
  return db.prisma.$transaction(async (tx) => {
    const [table] = await tx.$queryRawUnsafe<{ exists: boolean }[]>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`,
    );
    if (!table?.exists) return [];
    await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${PRISMA_MIGRATION_LOCK})::text`);
    const rows = await tx.$queryRawUnsafe<{ migration_name: string }[]>(
      `UPDATE "_prisma_migrations"
          SET "rolled_back_at" = now(),
              "logs" = coalesce("logs", '') || 'migstat: interrupted before its script committed; applied again by the next migrate'
        WHERE "finished_at" IS NULL AND "rolled_back_at" IS NULL
        RETURNING "migration_name"`,
    );
    return rows.map((r) => r.migration_name);
  });
}
