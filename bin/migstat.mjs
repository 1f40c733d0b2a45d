#!/usr/bin/env node
// Entry point of `npx migstat`. Runs the compiled build when NODE_ENV=production (the Docker image), and the
// TypeScript sources through tsx otherwise, so a fresh clone needs no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/src/cli/cli-main.js', import.meta.url));
if (process.env.NODE_ENV === 'production' && existsSync(dist)) {
  await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/cli-main.ts');
}
