// Recommendations as catalogue items (issue 8 item 1): area, indicators and concepts from the seed; task-force
// create and update, checked against the revision the client saw, every problem of an input reported at once.
import { createToken } from '../../src/access/tokens.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let tokens: { taskForce: string; other: string; focal: string };
beforeAll(async () => {
  hub = await startHub();
  tokens = {
    taskForce: await hub.token('TASK_FORCE'),
    other: (await createToken(hub.db.prisma, { role: 'TASK_FORCE', name: 'tf-two' })).token,
    focal: await hub.token('FOCAL_POINT', 'CHE'),
  };
});
afterAll(() => hub?.close());

interface Rec {
  id: string;
  code: string;
  area: string | null;
  position: number;
  revision: number;
  hasEvidenceRule: boolean;
  provisionalFields: string[];
  provisional: string[];
  indicators: { code: string }[];
  concepts: { code: string }[];
}

const FIELDS =
  'id code text area position revision hasEvidenceRule provisionalFields provisional indicators { code } concepts { code }';
const recommendation = async (code: string) =>
  data(
    await hub.gql<{ recommendation: Rec }, object>(`query($c: String!) { recommendation(code: $c) { ${FIELDS} } }`, {
      c: code,
    }),
  ).recommendation;

const UPDATE = `
  mutation Update($input: UpdateRecommendationInput!) {
    updateRecommendation(input: $input) {
      __typename
      ... on UpdateRecommendationPayload { recommendation { ${FIELDS} } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
      ... on ConflictError { currentRevision }
    }
  }`;

type UpdateResult = {
  updateRecommendation: {
    __typename: string;
    message?: string;
    issues?: unknown[];
    currentRevision?: number | null;
    recommendation?: Rec;
  };
};
const update = (input: object, token?: string) => hub.gql<UpdateResult, object>(UPDATE, { input }, { token });

test('the seed gives each recommendation its area, indicators and concepts (provisional) and its rule', async () => {
  expect(await recommendation('REC_FOUR_GROUPS')).toMatchObject({
    area: 'TF2_CONCEPTS_AND_DEFINITIONS',
    position: 2,
    revision: 1,
    hasEvidenceRule: true,
    provisionalFields: ['area', 'indicators', 'concepts'],
    indicators: [{ code: 'IMM_STOCK_GROUP' }],
    concepts: [{ code: 'R21_CITIZENSHIP_AND_BIRTH' }, { code: 'R21_FOUR_GROUPS' }],
  });
  expect((await recommendation('REC_DURATION')).hasEvidenceRule).toBe(false);
  const list = data(
    await hub.gql<{ recommendations: { nodes: { code: string }[] } }, object>(`{ recommendations { nodes { code } } }`),
  ).recommendations.nodes.map((n) => n.code);
  expect(list).toHaveLength(9);
});

test('every problem of an update at once; refusals; nothing changes', async () => {
  const rec = await recommendation('REC_FOUR_GROUPS');
  const input = {
    id: rec.id,
    expectedRevision: rec.revision,
    text: ' ',
    position: -1,
    indicators: ['IMM_STOCK', 'NOPE'],
    concepts: ['ALSO_NOPE'],
  };
  expect(data(await update(input, tokens.taskForce)).updateRecommendation).toEqual({
    __typename: 'ValidationError',
    message: 'input.text: must not be empty (and 3 more)',
    issues: [
      { path: ['input', 'text'], message: 'must not be empty' },
      { path: ['input', 'position'], message: 'must be a whole number, 0 or more' },
      { path: ['input', 'indicators', '[1]'], message: 'unknown indicator "NOPE"' },
      { path: ['input', 'concepts', '[0]'], message: 'unknown concept "ALSO_NOPE"' },
    ],
  });
  expect(
    (await update({ id: rec.id, expectedRevision: 1, area: 'CROSS_CUTTING' }, tokens.focal)).errors?.[0]?.extensions,
  ).toMatchObject({
    code: 'FORBIDDEN',
  });
  expect(
    (await update({ id: rec.id, expectedRevision: 1, area: 'CROSS_CUTTING' })).errors?.[0]?.extensions,
  ).toMatchObject({
    code: 'UNAUTHENTICATED',
  });
  expect(await recommendation('REC_FOUR_GROUPS')).toEqual(rec);
});

test('two task-force members edit the same recommendation: one wins, the other gets a ConflictError', async () => {
  const rec = await recommendation('REC_FOUR_GROUPS');
  const first = data(
    await update(
      {
        id: rec.id,
        expectedRevision: rec.revision,
        area: 'TF1_DATA_AND_INDICATORS',
        indicators: ['IMM_STOCK_GROUP', 'IMM_FLOW'],
      },
      tokens.taskForce,
    ),
  ).updateRecommendation;
  expect(first.recommendation).toMatchObject({
    area: 'TF1_DATA_AND_INDICATORS',
    revision: rec.revision + 1,
    indicators: [{ code: 'IMM_FLOW' }, { code: 'IMM_STOCK_GROUP' }],
    // The fields the update set are confirmed; the concepts still await confirmation.
    provisionalFields: ['concepts'],
    provisional: ['CONCEPTS'],
  });
  const second = data(
    await update({ id: rec.id, expectedRevision: rec.revision, area: 'CROSS_CUTTING' }, tokens.other),
  ).updateRecommendation;
  expect(second).toEqual({
    __typename: 'ConflictError',
    message: `The recommendation changed meanwhile: it is at revision ${rec.revision + 1}, not ${rec.revision}; reload and retry`,
    currentRevision: rec.revision + 1,
  });
  expect((await recommendation('REC_FOUR_GROUPS')).area).toBe('TF1_DATA_AND_INDICATORS');
  const log = await hub.db.prisma.auditLog.findMany({
    where: { entityType: 'Recommendation', action: 'recommendation.update' },
  });
  expect(log).toHaveLength(1);
  expect(log[0]!.before).toMatchObject({ area: 'TF2_CONCEPTS_AND_DEFINITIONS', revision: 1 });
  expect(log[0]!.after).toMatchObject({
    area: 'TF1_DATA_AND_INDICATORS',
    indicators: ['IMM_FLOW', 'IMM_STOCK_GROUP'],
    revision: 2,
  });
});

test('a new recommendation comes last in the catalogue and in every country’s rows', async () => {
  const CREATE = `mutation($input: CreateRecommendationInput!) { createRecommendation(input: $input) {
    __typename ... on CreateRecommendationPayload { recommendation { code position area } } ... on Error { message } } }`;
  const created = data(
    await hub.gql<{ createRecommendation: unknown }, object>(
      CREATE,
      { input: { code: 'REC_DISAGGREGATION', text: 'Disaggregate by sex and age', area: 'TF1_DATA_AND_INDICATORS' } },
      { token: tokens.taskForce },
    ),
  ).createRecommendation;
  expect(created).toEqual({
    __typename: 'CreateRecommendationPayload',
    recommendation: { code: 'REC_DISAGGREGATION', position: 9, area: 'TF1_DATA_AND_INDICATORS' },
  });
  const again = data(
    await hub.gql<{ createRecommendation: unknown }, object>(
      CREATE,
      { input: { code: 'REC_DISAGGREGATION', text: 'Again' } },
      { token: tokens.taskForce },
    ),
  ).createRecommendation;
  expect(again).toEqual({
    __typename: 'ConflictError',
    message: 'A recommendation with code REC_DISAGGREGATION already exists',
  });
  const rows = data(
    await hub.gql<{ implementation: { recommendation: { code: string }; evidence: unknown }[] }, object>(
      `{ implementation(country: "CHE") { recommendation { code } evidence { met } } }`,
    ),
  ).implementation;
  expect(rows).toHaveLength(10);
  expect(rows[9]).toEqual({ recommendation: { code: 'REC_DISAGGREGATION' }, evidence: null });
});
