// Two imports of the same submissions at once: the one that loses the race gets a CONFLICT error telling it to
// import again, never "Unexpected error.", and nothing of its file is written.
import { dbKind } from '../support/db.js';
import { startHubAsAdmin, type Hub } from '../support/hub.js';
import { racing } from '../support/race.js';
import { csv, ImportSubmissions } from './support.js';

let hub: Hub;
let admin: string;
beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
afterAll(() => hub?.close());

const FILE = csv(
  'country,indicator,reference_year,value',
  ...['CHE', 'FRA', 'DEU', 'ITA', 'AUT'].flatMap((c) => [2018, 2019, 2020].map((y) => `${c},IMM_STOCK,${y},${y}`)),
);

const importFile = () => hub.gql(ImportSubmissions, { input: { csv: FILE } }, { token: admin });

const versionsPerKey = async () =>
  (
    await hub.db.prisma.submission.groupBy({
      by: ['countryId', 'indicatorId', 'referenceYear', 'sourceKey'],
      _count: { _all: true },
    })
  ).map((g) => g._count._all);

test('imports of the same keys racing each other: each is written whole or answers CONFLICT', async () => {
  const results = await Promise.all([importFile(), importFile(), importFile()]);
  const outcomes = results.map((r) =>
    r.errors ? String(r.errors[0]?.extensions?.code) : r.data?.importSubmissions.ok ? 'ok' : 'problems',
  );
  expect(outcomes.every((o) => o === 'ok' || o === 'CONFLICT')).toBe(true);
  // Whoever won wrote every submission once; the others wrote nothing or found them unchanged.
  expect((await versionsPerKey()).sort()).toEqual(Array(15).fill(1));
  const written = results.map((r) => r.data?.importSubmissions.submissionsWritten ?? 0);
  expect(written.reduce((a, b) => a + b, 0)).toBe(15);
});

(dbKind === 'postgres' ? test : test.skip)(
  'the loser of a unique-key race on PostgreSQL gets CONFLICT and writes nothing; importing again works',
  async () => {
    await hub.db.prisma.submission.deleteMany({});
    const [che, imm] = await Promise.all([
      hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } }),
      hub.db.prisma.indicator.findUniqueOrThrow({ where: { code: 'IMM_STOCK' } }),
    ]);
    // Another writer holds version 1 of one key of the file, uncommitted: the import plans version 1 too and waits.
    const lost = await racing(
      hub.db.url,
      `INSERT INTO "Submission" ("countryId", "indicatorId", "referenceYear", "sourceKey", version, status, unit, "updatedAt")
       VALUES ($1, $2, 2020, '', 1, 'SUBMITTED', 'PERSONS', now())`,
      [che.id, imm.id],
      importFile,
    );
    expect(lost.data).toBeNull();
    expect(lost.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Another import wrote some of the same submissions at the same time/),
        extensions: { code: 'CONFLICT' },
        path: ['importSubmissions'],
      }),
    ]);
    // Nothing of the file was written: only the other writer's row exists.
    expect(await hub.db.prisma.submission.count()).toBe(1);
    expect(await hub.db.prisma.observation.count()).toBe(0);
    const again = await importFile();
    expect(again.data?.importSubmissions).toMatchObject({ ok: true, submissionsWritten: 15 });
  },
);

(dbKind === 'postgres' ? test : test.skip)(
  'population accounts too: the loser of a race to create the same entry gets CONFLICT, not an internal error',
  async () => {
    const che = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } });
    const ACCOUNTS = `mutation($csv: String!) { importPopulationAccounts(input: { csv: $csv }) { ok created } }`;
    // Another writer creates the entry, uncommitted: the import plans to create it too, and waits on the key.
    const lost = await racing(
      hub.db.url,
      `INSERT INTO "AccountEntry" ("countryId", year, "group", component, value, status, "updatedAt")
       VALUES ($1, 2000, 'FOREIGN_BORN_FOREIGNERS', 'DEATHS', 1, 'SUBMITTED', now())`,
      [che.id],
      () =>
        hub.gql(
          ACCOUNTS,
          { csv: 'country,year,group,component,value\nCHE,2000,FOREIGN_BORN_FOREIGNERS,DEATHS,2\n' },
          { token: admin },
        ),
    );
    expect(lost.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Another import wrote some of the same population-account entries/),
        extensions: { code: 'CONFLICT' },
      }),
    ]);
    const entry = await hub.db.prisma.accountEntry.findFirstOrThrow({ where: { countryId: che.id, year: 2000 } });
    expect(entry.value).toBe(1);
  },
);
