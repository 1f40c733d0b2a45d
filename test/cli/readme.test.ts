// The README's command table and exit codes say what the CLI does: every command of the commander tree with its
// arguments, options and one-line description, row by row, and each description is the one the compiled CLI's
// help prints. `npm run docs:cli` rewrites the section; this test fails when someone forgets.
import { readFileSync } from 'node:fs';
import { commandRows, EXIT_CODES, leafCommands, programForDocs } from '../../src/cli/program.js';
import { runCli } from '../support/cli.js';

const readme = readFileSync('README.md', 'utf8');
const section = /<!-- migstat commands:[^\n]*-->\n([\s\S]*?)<!-- end of migstat commands -->/.exec(readme)?.[1] ?? '';

/** The table's rows as written: cells split on unescaped pipes, code spans unwrapped. */
function tableRows() {
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replaceAll('\\|', '|'));
      const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return { command: spans(cells[0]!)[0], options: spans(cells[1]!), description: cells[2] };
    });
}

test('the README lists every command with its arguments, options and description, and nothing else', () => {
  expect(section).not.toBe('');
  expect(tableRows()).toEqual(commandRows(programForDocs()));
});

test('the README lists the exit codes the help prints', () => {
  const listed = [...section.matchAll(/^- `(\d)`: (.*)$/gm)].map((m) => [m[1], m[2]]);
  expect(listed).toEqual(Object.entries(EXIT_CODES));
});

test("each description is the one the compiled CLI's help prints for its command", async () => {
  // One help page per command group (the top level, import, export, token) lists its commands' descriptions.
  const pages = new Map<string, string>();
  for (const { path, command } of leafCommands(programForDocs())) {
    const group = path.slice(0, -1);
    const key = group.join(' ');
    if (!pages.has(key)) {
      const help = await runCli([...group, '--help'], {});
      expect(help.code).toBe(0);
      // Commander wraps descriptions to the terminal's width.
      pages.set(key, help.stdout.replace(/\s+/g, ' '));
    }
    expect(pages.get(key)).toContain(` ${path.at(-1)} `);
    expect(pages.get(key)).toContain(command.description());
  }
  expect([...pages.keys()].sort()).toEqual(['', 'export', 'import', 'token']);
});
