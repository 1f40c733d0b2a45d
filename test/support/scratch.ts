// Temporary files of a test file, removed after its tests: nothing of a test run stays in the temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new directory, removed after the test file's tests (afterAll). Call it at the top level of a test file or of a
 * module the test file imports, not inside a test nor a describe (whose afterAll does not run when -t filters out
 * all its tests). Made inside the run's own temporary directory (global-setup.mjs), which the global teardown
 * removes whole: a file whose tests are all skipped (filtered with -t, or of the other database only) runs no
 * afterAll, and its directory went on lying in /tmp.
 */
export function scratchDir(prefix = 'migstat-test-'): string {
  const run = process.env.MIGSTAT_TEST_RUN;
  const parent = run ? (JSON.parse(run) as { dir: string }).dir : tmpdir();
  const dir = mkdtempSync(join(parent, prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}
