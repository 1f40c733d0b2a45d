// Creates a migration from the difference between prisma/migrations and prisma/schema.prisma, using an in-memory
// PGlite as the shadow database (the CLI's `migrate dev` needs a native engine this machine cannot download).
//   npm run migration -- <name>     write prisma/migrations/<timestamp>_<name>/migration.sql
//   npm run migration -- --check    exit 1 if schema.prisma has changes no migration holds
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../src/platform/db.js';
import { migrationsDir, noFilters, readMigrations, schemaPath, withSchemaEngine } from '../src/platform/migrate.js';

const arg = process.argv[2];
if (!arg) {
  console.error('usage: npm run migration -- <name> | --check');
  process.exit(2);
}
const db = await openDatabase({});
try {
  const result = await withSchemaEngine(db.adapterFactory, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...readMigrations() },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: readFileSync(schemaPath, 'utf8') }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    }),
  );
  const sql = (result.stdout ?? '').trim();
  const empty = sql === '' || sql === '-- This is an empty migration.';
  if (arg === '--check') {
    if (!empty) {
      console.error(
        'prisma/schema.prisma has changes that no migration holds; run `npm run migration -- <name>`:\n' + sql,
      );
      process.exitCode = 1;
    } else console.log('migrations match prisma/schema.prisma');
  } else if (empty) {
    console.log('No changes: nothing to write.');
  } else {
    if (!/^[a-z0-9_]+$/.test(arg)) throw new Error('migration name: lower-case letters, digits and _ only');
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = join(migrationsDir, `${stamp}_${arg}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'migration.sql'), sql + '\n');
    console.log(`Wrote ${dir}/migration.sql`);
  }
} finally {
  await db.close();
}
