// Things a person may want to look at after a run (screenshots of the pages, page timings, feed latencies) are
// written under tmp/ (git-ignored) only when TEST_ARTIFACTS=1: an ordinary run leaves no file behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

const keepArtifacts = Boolean(process.env.TEST_ARTIFACTS && process.env.TEST_ARTIFACTS !== '0');

/** The path of an artifact under tmp/ (its folder created), or undefined when artifacts are not kept. */
export function artifactPath(relative: string): string | undefined {
  if (!keepArtifacts) return undefined;
  const path = join(projectRoot, 'tmp', relative);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** Writes a JSON artifact under tmp/ when artifacts are kept. */
export function writeArtifact(relative: string, value: unknown): void {
  const path = artifactPath(relative);
  if (path) writeFileSync(path, JSON.stringify(value, null, 2));
}
