import { describeError, main, ReportedError } from './cli.js';

main(process.argv.slice(2)).catch((err: unknown) => {
  // A command run by a server through its control socket has had its failure printed already.
  if (err instanceof ReportedError) {
    process.exitCode = err.exitCode;
    return;
  }
  console.error(`migstat: ${describeError(err)}`);
  process.exitCode = 1;
});
