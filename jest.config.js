import { availableParallelism } from 'node:os';

// Every suite runs on embedded PGlite; when TEST_DATABASE_URL names a PostgreSQL server, the same suites run a
// second time, each file on a throwaway database created on that server. The global setup compiles the sources and
// migrates and seeds template databases once per run; each test file starts from a copy (test/support/db.ts).
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' }, sourceMaps: 'inline' },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
};

const projects = [{ ...base, displayName: 'pglite', globals: { DB_KIND: 'pglite' } }];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ ...base, displayName: 'postgres', globals: { DB_KIND: 'postgres' } });
}

export default {
  projects,
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Longest files first (durations from Jest's cache, or the figures in sequencer.mjs on a clean clone).
  testSequencer: '<rootDir>/test/support/sequencer.mjs',
  testTimeout: 60_000,
  // Half the cores, but at least two: on a 2-core machine "50%" meant one worker, running the files one after
  // another and idle whenever a file waits for its CLI children, Chromium or a server.
  maxWorkers: Math.max(2, Math.floor(availableParallelism() / 2)),
  // A worker's heap grows by 30-40 MB with every test file and is not given back; after a whole run's files (about
  // 40 per worker, 3 GB) a worker could not exit in time, and Jest said it had "failed to exit gracefully". A worker
  // past 1 GB after a file is replaced (every 20-25 files); no slower over 33 files (jest --logHeapUsage).
  workerIdleMemoryLimit: '1GB',
  // A worker ends once its event loop is empty; freeing what its files loaded (a PGlite WebAssembly instance each)
  // took longer than Jest's 500 ms on this 2-core machine, so it was killed with a "failed to exit gracefully" line
  // though nothing was left open (no handle but its IPC pipe). A handle truly left open still trips this bound.
  workerGracefulExitTimeout: 5_000,
};
