// The layering rule of eslint.config.js: imports only run downward (platform → schema → domains → http, cli).
// Each case lints a one-line file at a path inside src/ with the project's own ESLint configuration.
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function messages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('upward imports fail lint', () => {
  it.each([
    ['src/platform/fixture.ts', "import { schema } from '../http/schema.js';", 'platform/ is the bottom layer'],
    ['src/platform/fixture.ts', "import { builder } from '../schema/builder.js';", 'platform/ is the bottom layer'],
    ['src/schema/fixture.ts', "import { createToken } from '../access/tokens.js';", 'schema/ (the builder'],
    ['src/coverage/fixture.ts', "import { yoga } from '../http/yoga.js';", 'domains import platform/'],
    ['src/catalogue/fixture.ts', "import { main } from '../cli/cli.js';", 'domains import platform/'],
    ['src/http/fixture.ts', "import { main } from '../cli/cli.js';", 'http/ does not import cli/'],
  ])('%s: %s', async (file, code, reason) => {
    const found = await messages(file, `${code}\nexport const x = 1;\n`);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(reason);
  });
});

describe('downward and lateral imports pass', () => {
  it.each([
    ['src/platform/fixture.ts', "import { Prisma } from '../../prisma/generated/prisma/client.js';"],
    ['src/platform/fixture.ts', "import { config } from './config.js';"],
    ['src/schema/fixture.ts', "import { loadConfig } from '../platform/config.js';"],
    ['src/coverage/fixture.ts', "import { builder } from '../schema/builder.js';"],
    ['src/coverage/fixture.ts', "import { countryKey } from '../geography/m49.js';"],
    ['src/http/fixture.ts', "import { schema } from '../coverage/coverage.schema.js';"],
    ['src/cli/fixture.ts', "import { yoga } from '../http/yoga.js';"],
  ])('%s: %s', async (file, code) => {
    expect(await messages(file, `${code}\nexport const x = 1;\n`)).toEqual([]);
  });
});
