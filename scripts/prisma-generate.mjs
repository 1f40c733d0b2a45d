#!/usr/bin/env node
// `prisma generate` without network: the CLI insists on locating a native schema engine it never runs during
// generate, so point it at any existing file unless the caller already configured one.
//
// `--if-stale` (postinstall) skips it when prisma/generated was made from the same schema and the same locked
// versions: a digest of both is kept beside the output. Without it an install that changes nothing here (`npx
// migstat` in a checkout runs the package's postinstall again) rewrote the generated files, which made dist/ look
// older than its sources, so bin/migstat.mjs went back to running them through tsx.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'prisma', 'generated', '.inputs');
const inputs = () => {
  const hash = createHash('sha256');
  for (const file of ['prisma/schema.prisma', 'package-lock.json']) {
    const path = join(root, file);
    hash.update(`${file}\0${existsSync(path) ? readFileSync(path) : ''}\0`);
  }
  return hash.digest('hex');
};

const ifStale = process.argv.includes('--if-stale');
const args = process.argv.slice(2).filter((a) => a !== '--if-stale');
if (ifStale && existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs()) process.exit(0);

const require = createRequire(import.meta.url);
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
// Generators such as prisma-pothos-types are found on PATH, as under `npm run`.
env.PATH = [resolve('node_modules/.bin'), env.PATH].join(delimiter);
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate', ...args], { stdio: 'inherit', env });
if (result.status === 0) writeFileSync(stamp, inputs());
process.exit(result.status ?? 1);
