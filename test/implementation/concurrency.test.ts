// Writes of adoption records racing each other (README "For implementation trackers": a stale write is a
// ConflictError): the loser gets the typed conflict with the record's current revision, or, for an import, CONFLICT
// telling it to import again, never "Unexpected error."; nothing of the losing write is kept. Concurrent requests race
// on both databases (PGlite serializes them, so there the later one sees the winner's row); on PostgreSQL another
// connection holding an uncommitted row makes the race certain: the hub's write waits on its lock, then loses.
import { dbKind } from '../support/db.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { racing } from '../support/race.js';

let hub: Hub;
let taskForce: string;
beforeAll(async () => {
  hub = await startHub();
  taskForce = await hub.token('TASK_FORCE');
});
afterAll(() => hub?.close());

const REPORT = `mutation ($input: ReportAdoptionInput!) {
  reportAdoption(input: $input) {
    __typename
    ... on ReportAdoptionPayload { record { revision status } }
    ... on ConflictError { message currentRevision }
  }
}`;
interface Reported {
  reportAdoption: { __typename: string; message?: string; currentRevision?: number | null };
}
const report = (input: Record<string, unknown>) => hub.gql<Reported, object>(REPORT, { input }, { token: taskForce });

const IMPORT = `mutation ($csv: String!) { importAdoptions(input: { csv: $csv }) { ok created updated unchanged } }`;
const importCsv = (csv: string) =>
  hub.gql<{ importAdoptions: { ok: boolean; created: number } }, object>(IMPORT, { csv }, { token: taskForce });
const FILE = [
  'country,recommendation,status,since,note,evidence_url',
  ...['CHE', 'FRA', 'DEU', 'ITA', 'AUT'].map((c) => `${c},REC_FOUR_GROUPS,PLANNED,,,`),
].join('\n');

const prisma = () => hub.db.prisma;
const ids = async (iso3: string, code: string) => {
  const [country, recommendation] = await Promise.all([
    prisma().country.findUniqueOrThrow({ where: { iso3 } }),
    prisma().recommendation.findUniqueOrThrow({ where: { code } }),
  ]);
  return { countryId: country.id, recommendationId: recommendation.id };
};
const historyOf = async (iso3: string, code: string) =>
  prisma().adoptionChange.count({ where: { adoption: await ids(iso3, code) } });

test('three first declarations at once: one is written, the others are ConflictErrors at revision 1', async () => {
  const results = await Promise.all(
    ['PLANNED', 'PARTIAL', 'IMPLEMENTED'].map((status) =>
      report({ country: 'CHE', recommendation: 'REC_RESIDENCE', status, expectedRevision: 0 }),
    ),
  );
  const outcomes = results.map((r) => data(r).reportAdoption);
  expect(outcomes.filter((o) => o.__typename === 'ReportAdoptionPayload')).toHaveLength(1);
  const conflicts = outcomes.filter((o) => o.__typename !== 'ReportAdoptionPayload');
  expect(conflicts).toEqual([
    {
      __typename: 'ConflictError',
      message: 'The adoption record changed meanwhile: it is at revision 1, not 0; reload and retry',
      currentRevision: 1,
    },
    {
      __typename: 'ConflictError',
      message: 'The adoption record changed meanwhile: it is at revision 1, not 0; reload and retry',
      currentRevision: 1,
    },
  ]);
  expect(await historyOf('CHE', 'REC_RESIDENCE')).toBe(1);
});

test('imports of the same new records at once: each is written whole or answers CONFLICT', async () => {
  const results = await Promise.all([importCsv(FILE), importCsv(FILE), importCsv(FILE)]);
  for (const r of results) {
    if (r.errors) expect(r.errors).toEqual([expect.objectContaining({ extensions: { code: 'CONFLICT' } })]);
    else expect(r.data?.importAdoptions.ok).toBe(true);
  }
  expect(results.reduce((n, r) => n + (r.data?.importAdoptions.created ?? 0), 0)).toBe(5);
  expect(
    await prisma().adoptionChange.count({ where: { adoption: { recommendation: { code: 'REC_FOUR_GROUPS' } } } }),
  ).toBe(5);
});

const insertRecord = `INSERT INTO "RecommendationAdoption"
  ("recommendationId", "countryId", status, "reportedBy", "updatedAt") VALUES ($1, $2, 'PLANNED', 'other', now())`;

const onPostgres = dbKind === 'postgres' ? test : test.skip;

onPostgres('a first declaration that loses the unique key: ConflictError at the revision now stored', async () => {
  const { countryId, recommendationId } = await ids('NOR', 'REC_RESIDENCE');
  for (const expectedRevision of [0, undefined]) {
    await prisma().recommendationAdoption.deleteMany({ where: { countryId, recommendationId } });
    const lost = data(
      await racing(hub.db.url, insertRecord, [recommendationId, countryId], () =>
        report({ country: 'NOR', recommendation: 'REC_RESIDENCE', status: 'IMPLEMENTED', expectedRevision }),
      ),
    ).reportAdoption;
    expect(lost).toEqual({
      __typename: 'ConflictError',
      message: 'The adoption record changed meanwhile: it is at revision 1, not 0; reload and retry',
      currentRevision: 1,
    });
    // Only the other writer's row; no history or audit entry of the losing write.
    expect(await prisma().recommendationAdoption.findMany({ where: { countryId, recommendationId } })).toEqual([
      expect.objectContaining({ status: 'PLANNED', reportedBy: 'other', revision: 1 }),
    ]);
    expect(await historyOf('NOR', 'REC_RESIDENCE')).toBe(0);
  }
});

onPostgres('a change that loses to a concurrent one: ConflictError at the revision now stored', async () => {
  const record = data(
    await report({ country: 'NOR', recommendation: 'REC_METADATA', status: 'PLANNED', expectedRevision: 0 }),
  );
  expect(record.reportAdoption.__typename).toBe('ReportAdoptionPayload');
  const { countryId, recommendationId } = await ids('NOR', 'REC_METADATA');
  const lost = data(
    await racing(
      hub.db.url,
      `UPDATE "RecommendationAdoption" SET revision = revision + 1, status = 'PARTIAL'
       WHERE "countryId" = $1 AND "recommendationId" = $2`,
      [countryId, recommendationId],
      () => report({ country: 'NOR', recommendation: 'REC_METADATA', status: 'IMPLEMENTED', expectedRevision: 1 }),
    ),
  ).reportAdoption;
  expect(lost).toEqual({
    __typename: 'ConflictError',
    message: 'The adoption record changed meanwhile: it is at revision 2, not 1; reload and retry',
    currentRevision: 2,
  });
  expect(
    await prisma().recommendationAdoption.findFirstOrThrow({ where: { countryId, recommendationId } }),
  ).toMatchObject({ status: 'PARTIAL', revision: 2 });
  expect(await historyOf('NOR', 'REC_METADATA')).toBe(1);
});

onPostgres(
  'an import that loses the unique key answers CONFLICT and writes nothing; importing again works',
  async () => {
    const { countryId, recommendationId } = await ids('CHE', 'REC_ACCOUNTING');
    const file = [
      'country,recommendation,status,since,note,evidence_url',
      'FRA,REC_ACCOUNTING,PLANNED,,,',
      'CHE,REC_ACCOUNTING,IMPLEMENTED,2020,,',
    ].join('\n');
    const lost = await racing(hub.db.url, insertRecord, [recommendationId, countryId], () => importCsv(file));
    expect(lost.data).toBeNull();
    expect(lost.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Another import or declaration wrote some of the same adoption records/),
        extensions: { code: 'CONFLICT' },
        path: ['importAdoptions'],
      }),
    ]);
    expect(await prisma().recommendationAdoption.count({ where: { recommendationId } })).toBe(1);
    expect(data(await importCsv(file)).importAdoptions).toMatchObject({ ok: true, created: 1, updated: 1 });
  },
);
