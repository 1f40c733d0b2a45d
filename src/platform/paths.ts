// The project root (where package.json is), found from this file, so paths hold both for the TypeScript sources
// (src/…) and for the compiled build (dist/src/…).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'prisma', 'schema.prisma'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root (package.json + prisma/schema.prisma) above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const dataDir = join(projectRoot, 'data');
export const migrationsDir = join(projectRoot, 'prisma', 'migrations');
export const schemaPath = join(projectRoot, 'prisma', 'schema.prisma');
