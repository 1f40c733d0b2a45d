/**
 * Node flags for the `migstat serve` children of tests. bin/migstat.mjs keeps V8's optimizing WebAssembly tier for
 * `serve` (a server runs for days) and turns it off for every other command; a test's server lives seconds, and
 * tiering PGlite's module up cost each start 1-1.9 s of CPU (2.8-3.6 s to serve and idle 5 s, 1.7 s without). How V8
 * compiles, not what the hub does: the test run's own processes (npm test) run with the same flags.
 */
export const SERVE_NODE_FLAGS = ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'];
