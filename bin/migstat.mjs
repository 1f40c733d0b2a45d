#!/usr/bin/env node
// Entry point of `npx migstat`. Runs a compiled build when there is one to run: the one named by MIGSTAT_BUILD_DIR
// (the tests compile the sources once per run), or dist/ when NODE_ENV=production (the Docker image). Otherwise it
// runs the TypeScript sources through tsx, so a fresh clone needs no build step. tsx is a development dependency:
// an install without them (npm ci --omit=dev) runs dist/, which `npm run build` writes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join('src', 'cli', 'cli-main.js');
const dist = fileURLToPath(new URL(`../dist/${entry}`, import.meta.url));
const build = process.env.MIGSTAT_BUILD_DIR;

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

if (build) {
  await import(pathToFileURL(join(build, entry)).href);
} else if (process.env.NODE_ENV === 'production' && existsSync(dist)) {
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
