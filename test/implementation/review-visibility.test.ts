// Reviews of adoption records are internal (README "For implementation trackers"): the task force and the country
// read them; anonymous, READER and other countries' focal points read the declarations only. For those callers every
// answer must be what it would be had no review ever happened: no REVIEW entry in a history, no revision number or
// count that skips one, no time or order moved by one. Checked as the embargo walk checks unpublished rows: the
// answers with the reviews, then over the same database with the reviews taken out, must be identical.
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let tokens: { taskForce: string; reader: string; focalChe: string; focalFra: string };
beforeAll(async () => {
  hub = await startHub();
  tokens = {
    taskForce: await hub.token('TASK_FORCE'),
    reader: await hub.token('READER'),
    focalChe: await hub.token('FOCAL_POINT', 'CHE'),
    focalFra: await hub.token('FOCAL_POINT', 'FRA'),
  };
});
afterAll(() => hub?.close());

const REPORT = `mutation ($input: ReportAdoptionInput!) {
  reportAdoption(input: $input) { __typename ... on ReportAdoptionPayload { record { id revision } } }
}`;
const REVIEW = `mutation ($input: ReviewAdoptionInput!) {
  reviewAdoption(input: $input) { __typename ... on ReviewAdoptionPayload { record { revision } } }
}`;

async function declare(country: string, recommendation: string, status: string) {
  const result = data(
    await hub.gql<{ reportAdoption: { record: { id: string; revision: number } } }, object>(
      REPORT,
      { input: { country, recommendation, status } },
      { token: tokens.taskForce },
    ),
  );
  return result.reportAdoption.record;
}

async function review(record: { id: string; revision: number }) {
  const result = data(
    await hub.gql<{ reviewAdoption: { __typename: string } }, object>(
      REVIEW,
      { input: { id: record.id, status: 'DISPUTED', comment: 'not what we see', expectedRevision: record.revision } },
      { token: tokens.taskForce },
    ),
  );
  expect(result.reviewAdoption.__typename).toBe('ReviewAdoptionPayload');
}

const RECORD_FIELDS = 'id status revision updatedAt reportedAt review { status } history { revision kind status }';
const READS = [
  `{ implementation(country: "CHE") { recommendation { code } status review { status comment }
      history { revision kind status reviewStatus reviewComment actor } record { ${RECORD_FIELDS} } } }`,
  `{ country(code: "CHE") { implementation { recommendation { code } history { revision kind } record { revision } } } }`,
  ...['REC_RESIDENCE', 'REC_METADATA'].map(
    (code) => `{ recommendation(code: "${code}") {
      byUpdate: adoptions(orderBy: { field: UPDATED_AT, direction: DESC }) { totalCount nodes { country { iso3 } ${RECORD_FIELDS} } }
      byCountry: adoptions { nodes { country { iso3 } revision updatedAt } } } }`,
  ),
];

async function answers(token: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const query of READS) out.push(JSON.stringify(await hub.gql(query, {}, { token })));
  return out;
}

test('anonymous, READER and another focal point read every answer as if no review had happened', async () => {
  // CHE/REC_METADATA: declared, reviewed, declared again (revisions 1, 2 REVIEW, 3).
  const metadata = await declare('CHE', 'REC_METADATA', 'PLANNED');
  await review(metadata);
  await declare('CHE', 'REC_METADATA', 'IMPLEMENTED');
  // REC_RESIDENCE: CHE declared before DEU, then CHE reviewed (its last change, so far as the task force knows).
  const residence = await declare('CHE', 'REC_RESIDENCE', 'IMPLEMENTED');
  await declare('DEU', 'REC_RESIDENCE', 'PARTIAL');
  await review(residence);

  // The control: the task force and CHE's focal point read the reviews.
  for (const token of [tokens.taskForce, tokens.focalChe]) {
    const [rows] = await answers(token);
    expect(rows).toContain('"kind":"REVIEW"');
    expect(rows).toContain('"review":{"status":"DISPUTED","comment":"not what we see"}');
  }

  const callers = { anonymous: undefined, reader: tokens.reader, fra: tokens.focalFra };
  const withReviews = new Map<string, string[]>();
  for (const [who, token] of Object.entries(callers)) withReviews.set(who, await answers(token));

  // The same database as if the reviews had never been written: no REVIEW entries, review fields empty, each
  // record's revisions numbered again without them, and its last change the last declaration.
  const prisma = hub.db.prisma;
  await prisma.adoptionChange.deleteMany({ where: { kind: 'REVIEW' } });
  await prisma.$executeRaw`
    UPDATE "AdoptionChange" c SET revision = -r.n
    FROM (SELECT id, row_number() OVER (PARTITION BY "adoptionId" ORDER BY revision) AS n FROM "AdoptionChange") r
    WHERE r.id = c.id`;
  await prisma.$executeRaw`UPDATE "AdoptionChange" SET revision = -revision`;
  await prisma.$executeRaw`
    UPDATE "RecommendationAdoption" a
    SET "reviewStatus" = NULL, "reviewComment" = NULL, "reviewedBy" = NULL, "reviewedAt" = NULL,
      "updatedAt" = a."reportedAt",
      revision = (SELECT count(*) FROM "AdoptionChange" c WHERE c."adoptionId" = a.id)`;

  for (const [who, token] of Object.entries(callers)) {
    const without = await answers(token);
    withReviews.get(who)!.forEach((body, i) => expect(`${who}: ${body}`).toBe(`${who}: ${without[i]}`));
  }
  // And what they read is the declarations' own history.
  const [rows] = withReviews.get('anonymous')!;
  const metadataRow = (
    JSON.parse(rows!) as {
      data: { implementation: { recommendation: { code: string }; history: { revision: number; kind: string }[] }[] };
    }
  ).data.implementation.find((r) => r.recommendation.code === 'REC_METADATA')!;
  expect(metadataRow.history.map((h) => [h.revision, h.kind])).toEqual([
    [1, 'DECLARE'],
    [2, 'DECLARE'],
  ]);
});
