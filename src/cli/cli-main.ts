import { describeError, main } from './cli.js';

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`migstat: ${describeError(err)}`);
  process.exitCode = 1;
});
