// Temporary files of a test file, removed after its tests: nothing of a test run stays in the temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new directory under the system temp directory, removed after the test file's tests (afterAll). Call it at the
 * top level of a test file or of a module the test file imports, not inside a test nor a describe (whose afterAll
 * does not run when -t filters out all its tests).
 */
export function scratchDir(prefix = 'migstat-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}
