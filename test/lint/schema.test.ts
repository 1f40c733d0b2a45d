// The GraphQL lint of eslint.config.js (@graphql-eslint): the schema the code prints is described throughout and
// named by the rules, and the rules do catch what they are there for.
import { ESLint } from 'eslint';
import { printedSchema } from '../../src/http/print-schema.js';

const eslint = new ESLint();

async function problems(sdl: string): Promise<string[]> {
  const [result] = await eslint.lintText(sdl, { filePath: 'schema.graphql' });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('the schema printed from the code passes every rule', async () => {
  expect(await problems(printedSchema())).toEqual([]);
});

// Fixtures are linted alone; the schema-aware rules (reachability) read the committed schema.graphql, so only the
// rule under test is looked at.
const only = (found: string[], rule: string) =>
  found.map((p) => p.replace('@graphql-eslint/', '')).filter((p) => p.startsWith(`${rule}:`));

test.each([
  [
    'a field without a description',
    'require-description',
    '"""A thing."""\ntype Thing {\n  """Its code."""\n  code: String!\n  name: String!\n}',
    ['require-description: Description is required for field "name" in type "Thing"'],
  ],
  [
    'an enum value without a description',
    'require-description',
    '"""A kind."""\nenum Kind {\n  """One."""\n  ONE\n  TWO\n}',
    ['require-description: Description is required for enum value "TWO" in enum "Kind"'],
  ],
  [
    'an input type and field without descriptions',
    'require-description',
    'input ThingInput {\n  flag: Boolean\n}',
    [
      'require-description: Description is required for input "ThingInput"',
      'require-description: Description is required for input value "flag" in input "ThingInput"',
    ],
  ],
  [
    'an enum value not in UPPER_CASE',
    'naming-convention',
    '"""A kind."""\nenum Kind {\n  """One."""\n  one\n}',
    ['naming-convention: Enum value "one" should be in UPPER_CASE format'],
  ],
  [
    'an object type with a Type suffix other than the pinned SourceType',
    'naming-convention',
    '"""A thing."""\ntype ThingType {\n  """Its code."""\n  code: String!\n}',
    ['naming-convention: Type "ThingType" should not have "Type" suffix'],
  ],
  [
    'an input type without an Input, Filter or Order suffix',
    'naming-convention',
    '"""Options."""\ninput Options {\n  """A flag."""\n  flag: Boolean\n}',
    ['naming-convention: Input "Options" should have one of the following suffixes: Input, Filter, or Order'],
  ],
])('%s fails lint', async (_name, rule, sdl, expected) => {
  expect(only(await problems(`${sdl}\n`), rule)).toEqual(expected);
});
