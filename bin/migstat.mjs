#!/usr/bin/env node
// Entry point of `npx migstat`. Runs a compiled build when there is one to run: the one named by MIGSTAT_BUILD_DIR
// (the tests compile the sources once per run), or dist/ when NODE_ENV=production (the Docker image) or when dist/
// is newer than every source file (`npm run build` on a clone). Otherwise it runs the TypeScript sources through
// tsx, so a fresh clone needs no build step; tsx's loader costs about a second and 80 MB of memory per command,
// which a build saves. tsx is a development dependency: an install without them (npm ci --omit=dev) runs dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A command other than `serve` is one short run: V8's optimizing WebAssembly compiler (TurboFan) then spends more
// CPU and memory tiering up PGlite's 9 MB module and Prisma's query compiler in the background than it gains back.
// Without tier-up (V8's baseline compiler, still native code) `token list` on PGlite went from 2.2-2.9 s of CPU and
// 355-368 MB peak RSS to 1.6 s and 278-288 MB, a 20 000-row import from 6.2 s of CPU and 442 MB to 4.7 s and 343 MB
// (through tsx, 2026-11-26, load 9-11), a 10-row import from 308 to 196 MB on PGlite and from 179 to 126 MB on
// PostgreSQL (README, "Import memory"). Tier-up is turned off rather than Liftoff made the only compiler
// (--liftoff-only): a function Liftoff cannot compile (a CPU feature it lacks) then still gets TurboFan instead of
// failing the module. A server runs for days, so it keeps the optimizing tier. Set before anything compiles.
if (process.argv[2] !== 'serve') {
  setFlagsFromString('--no-wasm-dynamic-tiering');
  setFlagsFromString('--no-wasm-tier-up');
}

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join('src', 'cli', 'cli-main.js');
const dist = join(root, 'dist', entry);
const build = process.env.MIGSTAT_BUILD_DIR;

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

/**
 * dist/ was compiled after the last change to the sources it is compiled from (tsconfig.build.json). Where the
 * sources are absent (the Docker image holds dist/ alone), dist/ is all there is to run, whatever NODE_ENV says.
 */
function distIsCurrent() {
  if (!existsSync(dist)) return false;
  const built = statSync(dist).mtimeMs;
  return ['src', join('prisma', 'generated')].every(
    (dir) =>
      !existsSync(join(root, dir)) ||
      readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).every(
        (f) =>
          !f.isFile() || !f.name.endsWith('.ts') || statSync(join(f.parentPath ?? f.path, f.name)).mtimeMs <= built,
      ),
  );
}

if (build) {
  await import(pathToFileURL(join(build, entry)).href);
} else if ((process.env.NODE_ENV === 'production' && existsSync(dist)) || distIsCurrent()) {
  await import(pathToFileURL(dist).href);
} else {
  const api = await tsx();
  if (api) {
    api.register();
    await import('../src/cli/cli-main.ts');
  } else if (existsSync(dist)) {
    await import(pathToFileURL(dist).href);
  } else {
    console.error('migstat: nothing to run: install the development dependencies (tsx), or `npm run build`');
    process.exitCode = 1;
  }
}
