#!/usr/bin/env node
// Builds the web app (web/ → web/dist, served by `migstat serve` at /): typed GraphQL documents from schema.graphql
// (graphql-codegen), then Vite. Run by `npm install` (postinstall) and before `npm start`, so a fresh clone serves
// the app with no extra step; `--if-stale` skips the build when web/dist is newer than every input.
// Skips quietly where the app cannot or need not be built: no web/ sources (the Docker image's dependency layer) or
// no Vite (a production-only install, which gets web/dist from the build stage).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');
const require = createRequire(join(root, 'package.json'));

function resolveBin(pkg, bin) {
  try {
    const manifest = require.resolve(`${pkg}/package.json`);
    const { bin: bins } = require(manifest);
    return join(dirname(manifest), typeof bins === 'string' ? bins : bins[bin]);
  } catch {
    return null;
  }
}

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) {
    if (name === 'gql' || name.startsWith('dist') || name === 'node_modules') continue;
    t = Math.max(t, newest(join(path, name)));
  }
  return t;
}

if (!existsSync(join(web, 'index.html'))) {
  console.log('build-web: no web/ sources here; skipped');
  process.exit(0);
}
const vite = resolveBin('vite', 'vite');
const codegen = resolveBin('@graphql-codegen/cli', 'graphql-codegen');
if (!vite || !codegen) {
  console.log('build-web: Vite or graphql-codegen is not installed (production install?); skipped');
  process.exit(0);
}
if (process.argv.includes('--if-stale') && existsSync(built)) {
  const inputs = [web, join(root, 'schema.graphql'), join(root, 'codegen.yml'), join(root, 'package-lock.json')];
  const builtAt = statSync(built).mtimeMs;
  if (inputs.every((p) => !existsSync(p) || newest(p) <= builtAt)) process.exit(0);
}

const run = (file, args) => {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build-web: ${args[0] ?? file} failed`);
    process.exit(r.status ?? 1);
  }
};
run(codegen, ['--config', 'codegen.yml', '--silent']);
// Built beside web/dist and swapped in, so that a server or a second build running meanwhile never sees it half
// written.
const staging = `dist.tmp-${process.pid}`;
run(vite, ['build', 'web', '--logLevel', 'warn', '--outDir', staging, '--emptyOutDir']);
const old = join(web, `dist.old-${process.pid}`);
if (existsSync(join(web, 'dist'))) renameSync(join(web, 'dist'), old);
renameSync(join(web, staging), join(web, 'dist'));
rmSync(old, { recursive: true, force: true });
console.log('build-web: web/dist built');
