import { describeError, exitCodeOf, main } from './cli.js';

main(process.argv.slice(2)).catch((err: unknown) => {
  // Usage errors (printed by commander) and failures reported by a server or as --json output carry no message here.
  const message = describeError(err);
  if (message) console.error(`migstat: ${message}`);
  process.exitCode = exitCodeOf(err);
});
