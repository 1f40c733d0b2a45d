// Compiles src/ and the generated Prisma client to JavaScript for the test run, with swc (the compiler Jest already
// uses for the test files): about a second, where `tsc -p tsconfig.build.json` type-checks for half a minute.
// Type errors are `npm run typecheck`'s job; this only strips types, file by file, into tsc's outDir layout
// (<outDir>/src/…, <outDir>/prisma/generated/…), so the compiled code finds the project root, prisma/ and data/
// exactly as dist/ does.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { transformFile } from '@swc/core';

const SOURCES = ['src', join('prisma', 'generated')];

function* typescriptFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Compiles the runtime sources of `root` into `outDir`; returns the number of files written. */
export async function buildForTests(root, outDir) {
  const files = SOURCES.flatMap((dir) => [...typescriptFiles(join(root, dir))]);
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, {
        swcrc: false,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: false,
      });
      const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  return files.length;
}
