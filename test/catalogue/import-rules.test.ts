// The catalogue file import checks codes with the curation API's own rules (src/catalogue/codes.ts): a code the
// API refuses is refused in a file too, with its JSON path, and nothing of that file is written.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../src/cli/cli.js';
import { importers } from '../../src/cli/importers.js';
import { dataDir } from '../../src/platform/paths.js';
import { startHub, type Hub } from '../support/hub.js';

let hub: Hub;
const scratch = mkdtempSync(join(tmpdir(), 'migstat-catalogue-rules-'));
const out = { log: () => undefined, stderr: { write: () => true, isTTY: false } };
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** What `migstat import catalogue` says of a file it refuses ("" when it takes it). */
async function refusalOf(file: string): Promise<string> {
  try {
    await importers.catalogue!(hub.db, file, out);
    return '';
  } catch (err) {
    return describeError(err);
  }
}

const CREATE = `mutation ($input: CreateIndicatorInput!) {
  createIndicator(input: $input) { __typename ... on ValidationError { issues { path message } } }
}`;

test.each([
  ['a lower-case indicator code', 'imm_returns'],
  ['a code with a space', 'IMM RETURNS'],
  ['a code starting with a digit', '1_RETURNS'],
])('%s is refused by the API and by the catalogue import alike', async (_what, code) => {
  const token = await hub.token('ADMIN');
  const api = (await hub.gql(
    CREATE,
    {
      input: {
        code,
        name: 'Returns',
        unit: 'PERSONS',
        additive: true,
        tier: 'ADDITIONAL',
        topics: [],
        disaggregations: [],
        sdgIndicators: [],
        gcmObjectives: [],
        provisionalFields: [],
      },
    },
    { token },
  )) as { data: { createIndicator: { __typename: string; issues: { path: string[]; message: string }[] } } };
  expect(api.data.createIndicator.__typename).toBe('ValidationError');
  const apiMessage = api.data.createIndicator.issues.find((i) => i.path.join('.') === 'input.code')!.message;

  const catalogue = JSON.parse(readFileSync(join(dataDir, 'catalogue.json'), 'utf8')) as {
    indicators: { code: string; name: string }[];
  };
  catalogue.indicators.push({ ...catalogue.indicators[0]!, code, name: 'Returns' });
  const file = join(scratch, 'catalogue.json');
  writeFileSync(file, JSON.stringify(catalogue));
  const before = await hub.db.prisma.indicator.count();
  const message = await refusalOf(file);
  expect(message).toContain(`indicators [${catalogue.indicators.length - 1}] code: ${apiMessage}`);
  expect(await hub.db.prisma.indicator.count()).toBe(before);
});

test("a variable's list code and an SDG code follow the API's rules in a file too", async () => {
  const catalogue = JSON.parse(readFileSync(join(dataDir, 'catalogue.json'), 'utf8')) as {
    variables: { codes: { code: string; label: string }[] }[];
    sdgIndicators: { code: string }[];
  };
  catalogue.variables[0]!.codes.push({ code: 'two words', label: 'Bad' });
  catalogue.sdgIndicators[0]!.code = 'ten.seven';
  const file = join(scratch, 'catalogue-codes.json');
  writeFileSync(file, JSON.stringify(catalogue));
  const message = await refusalOf(file);
  expect(message).toMatch(/variables \[0\] codes \[\d+\] code: must be 1–32 letters/);
  expect(message).toMatch(/sdgIndicators \[0\] code: must be an SDG indicator or target code/);
});

test('a source is an http(s) URL or a citation, never a script or data URL: in a file and through the API', async () => {
  const catalogue = JSON.parse(readFileSync(join(dataDir, 'catalogue.json'), 'utf8')) as {
    indicators: { source?: string }[];
    concepts: { source?: string }[];
  };
  catalogue.indicators[1]!.source = 'javascript:alert(document.domain)';
  catalogue.concepts[0]!.source = ' Java\tScript:alert(1)';
  catalogue.indicators[2]!.source = 'data:text/html,<script>alert(1)</script>';
  const file = join(scratch, 'catalogue-sources.json');
  writeFileSync(file, JSON.stringify(catalogue));
  const message = await refusalOf(file);
  const refusal = 'must be an http(s) URL or a citation, not a javascript:, data: or file: URL';
  for (const path of ['indicators [1] source', 'concepts [0] source', 'indicators [2] source'])
    expect(message).toContain(`${path}: ${refusal}`);

  const token = await hub.token('TASK_FORCE');
  const CREATE = `mutation($input: CreateRecommendationInput!) { createRecommendation(input: $input) {
    __typename ... on ValidationError { issues { path message } } ... on CreateRecommendationPayload { recommendation { sourceUrl } } } }`;
  const create = async (code: string, sourceUrl: string) =>
    (
      (await hub.gql(CREATE, { input: { code, text: 'Publish metadata', sourceUrl } }, { token })) as {
        data: { createRecommendation: unknown };
      }
    ).data.createRecommendation;
  expect(await create('REC_SCRIPT', 'javascript:alert(document.domain)')).toEqual({
    __typename: 'ValidationError',
    issues: [{ path: ['input', 'sourceUrl'], message: refusal }],
  });
  expect(await create('REC_CITED', 'EGM on International Migration Statistics, June 2020, para 9')).toEqual({
    __typename: 'CreateRecommendationPayload',
    recommendation: { sourceUrl: 'EGM on International Migration Statistics, June 2020, para 9' },
  });
});
