// `npm run docs:cli`: writes the README's command table and exit codes from the CLI's own command tree
// (src/cli/program.ts), between the two markers. `--check` only compares, and fails when the README has drifted
// (test/cli/readme.test.ts checks the same table row by row).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { commandRows, EXIT_CODES, programForDocs } from '../src/cli/program.js';
import { projectRoot } from '../src/platform/paths.js';

export const START = '<!-- migstat commands: written by `npm run docs:cli` from src/cli/program.ts -->';
export const END = '<!-- end of migstat commands -->';

const code = (text: string) => `\`${text.replaceAll('|', '\\|')}\``;

function section(): string {
  const rows = commandRows(programForDocs()).map(
    (r) => `| ${code(r.command)} | ${r.options.map(code).join(' ')} | ${r.description.replaceAll('|', '\\|')} |`,
  );
  const exits = Object.entries(EXIT_CODES).map(([n, text]) => `- \`${n}\`: ${text}`);
  return [
    START,
    '',
    '| command | options | what it does |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Exit codes:',
    '',
    ...exits,
    '',
    END,
  ].join('\n');
}

const readmePath = join(projectRoot, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} section`);
const next = await prettier.format(readme.slice(0, start) + section() + readme.slice(end + END.length), {
  ...(await prettier.resolveConfig(readmePath)),
  filepath: readmePath,
});
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md: the command table differs from the CLI; run `npm run docs:cli`');
    process.exitCode = 1;
  }
} else if (next !== readme) {
  writeFileSync(readmePath, next);
  console.log('README.md: command table rewritten');
}
