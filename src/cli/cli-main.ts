import { describeError, exitCodeOf, main } from './cli.js';

// A reader that stops early (`migstat export submissions | head`, `migstat import --help | less` quit) closes the
// pipe: stop quietly, as Unix tools do, rather than die of EPIPE with a stack trace on the terminal.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err: unknown) => {
  // Usage errors (printed by commander) and failures reported by a server or as --json output carry no message here.
  const message = describeError(err);
  if (message) console.error(`migstat: ${message}`);
  process.exitCode = exitCodeOf(err);
});
