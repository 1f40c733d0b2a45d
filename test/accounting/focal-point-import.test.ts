// A country's focal point imports its own population accounts through the API (CONTRACT §7: it creates and submits its
// country's data only), as it does submissions: rows of another country, or a status past SUBMITTED, are refused by
// line and column with nothing written; a READER or an anonymous caller may not import at all. What the focal point
// imported is not public until the task force publishes it, and the account counts what awaits publication for
// those who read it (pendingEntries).
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let tokens: { che: string; fra: string; reader: string };
beforeAll(async () => {
  hub = await startHub();
  tokens = {
    che: await hub.token('FOCAL_POINT', 'CHE'),
    fra: await hub.token('FOCAL_POINT', 'FRA'),
    reader: await hub.token('READER'),
  };
});
afterAll(() => hub?.close());

const IMPORT = `mutation($csv: String!, $dryRun: Boolean) {
  importPopulationAccounts(input: { csv: $csv, dryRun: $dryRun }) {
    ok created updated unchanged problems { line column message } } }`;
type Imported = {
  importPopulationAccounts: {
    ok: boolean;
    created: number;
    updated: number;
    unchanged: number;
    problems: { line: number; column: string | null; message: string }[];
  };
};
const HEADER = 'country,year,group,component,value,status';
const send = (rows: string[], token?: string, dryRun = false) =>
  hub.gql<Imported, object>(IMPORT, { csv: [HEADER, ...rows].join('\n'), dryRun }, { token });
const written = async () => ({
  entries: await hub.db.prisma.accountEntry.count(),
  audit: await hub.db.prisma.auditLog.count({ where: { entityType: 'AccountEntry' } }),
});

test("a focal point imports its own country's entries, DRAFT or SUBMITTED, under its own name", async () => {
  const rows = [
    'CHE,2020,NATIVE_BORN_CITIZENS,OPENING_STOCK,5000,',
    '756,2020,NATIVE_BORN_CITIZENS,BIRTHS,80,SUBMITTED',
    'CHE,2020,NATIVE_BORN_CITIZENS,DEATHS,40,draft',
  ];
  expect(data(await send(rows, tokens.che, true)).importPopulationAccounts).toMatchObject({ ok: true, created: 0 });
  expect(await written()).toEqual({ entries: 0, audit: 0 });
  expect(data(await send(rows, tokens.che)).importPopulationAccounts).toEqual({
    ok: true,
    created: 3,
    updated: 0,
    unchanged: 0,
    problems: [],
  });
  const stored = await hub.db.prisma.accountEntry.findMany({ orderBy: { id: 'asc' }, select: { status: true } });
  expect(stored.map((e) => e.status)).toEqual(['SUBMITTED', 'SUBMITTED', 'DRAFT']);
  const actors = await hub.db.prisma.auditLog.findMany({
    where: { entityType: 'AccountEntry' },
    select: { actor: true },
  });
  expect(new Set(actors.map((a) => a.actor))).toEqual(new Set(['focal_point-CHE']));
});

test('another country or a reviewed status is refused by line and column, and nothing is written', async () => {
  const before = await written();
  const refused = data(
    await send(
      [
        'CHE,2021,NATIVE_BORN_CITIZENS,OPENING_STOCK,5100,',
        'CHE,2021,NATIVE_BORN_CITIZENS,BIRTHS,82,PUBLISHED',
        'FRA,2021,NATIVE_BORN_CITIZENS,BIRTHS,700,',
        'CHE,2021,NATIVE_BORN_CITIZENS,DEATHS,41,VALIDATED',
      ],
      tokens.che,
    ),
  ).importPopulationAccounts;
  const beyond = (status: string) =>
    `a focal point may not import a status beyond SUBMITTED (got ${status}); for a file downloaded from the hub, ` +
    'set the status column to SUBMITTED or DRAFT, or remove it';
  expect(refused).toEqual({
    ok: false,
    created: 0,
    updated: 0,
    unchanged: 0,
    problems: [
      { line: 3, column: 'status', message: beyond('PUBLISHED') },
      { line: 4, column: 'country', message: 'a focal point may only import rows of its own country, not FRA' },
      { line: 5, column: 'status', message: beyond('VALIDATED') },
    ],
  });
  expect(await written()).toEqual(before);
});

test('a READER or an anonymous caller may not import accounts; nothing is written', async () => {
  const before = await written();
  const row = ['CHE,2022,NATIVE_BORN_CITIZENS,OPENING_STOCK,5200,'];
  expect((await send(row, tokens.reader)).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  expect((await send(row)).errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  expect(await written()).toEqual(before);
});

test("what a focal point imported is its country's and the task force's to read, not the public's", async () => {
  const ACCOUNT = `{ populationAccount(country: "CHE", year: 2020) { groups { group opening births deaths } } }`;
  type Account = {
    populationAccount: { groups: { group: string; opening: number | null; births: number; deaths: number }[] } | null;
  };
  const read = async (token?: string) =>
    data(await hub.gql<Account, object>(ACCOUNT, {}, { token })).populationAccount?.groups.find(
      (g) => g.group === 'NATIVE_BORN_CITIZENS',
    ) ?? null;
  const taskForce = await hub.token('TASK_FORCE');
  expect(await read(tokens.che)).toEqual({ group: 'NATIVE_BORN_CITIZENS', opening: 5000, births: 80, deaths: 40 });
  expect(await read(taskForce)).toEqual({ group: 'NATIVE_BORN_CITIZENS', opening: 5000, births: 80, deaths: 40 });
  expect(await read(tokens.fra)).toBeNull();
  expect(await read(tokens.reader)).toBeNull();
  expect(await read()).toBeNull();
});

test('what awaits publication is counted for those who read it; published (drafts aside), the account is public, a re-import does not undo it, and a later value waits again', async () => {
  const PENDING = `{ populationAccount(country: "CHE", year: 2020) {
    pendingEntries groups { group opening } } }`;
  type Pending = {
    populationAccount: { pendingEntries: number; groups: { group: string; opening: number | null }[] } | null;
  };
  const read = async (token?: string) => {
    const account = data(await hub.gql<Pending, object>(PENDING, {}, { token })).populationAccount;
    return (
      account && {
        pending: account.pendingEntries,
        opening: account.groups.find((g) => g.group === 'NATIVE_BORN_CITIZENS')!.opening,
      }
    );
  };
  const taskForce = await hub.token('TASK_FORCE');
  // Three entries, one of them a DRAFT: two await publication.
  expect(await read(tokens.che)).toEqual({ pending: 2, opening: 5000 });
  expect(await read(taskForce)).toEqual({ pending: 2, opening: 5000 });
  expect(await read()).toBeNull();

  const PUBLISH = `mutation { publishPopulationAccount(input: { country: "CHE", year: 2020 }) {
    __typename ... on PublishPopulationAccountPayload { published entries drafts } } }`;
  expect((await hub.gql(PUBLISH, {}, { token: tokens.che })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  // The two SUBMITTED entries are published; the DRAFT one, which the country has not sent, stays a draft.
  expect(data(await hub.gql(PUBLISH, {}, { token: taskForce }))).toEqual({
    publishPopulationAccount: { __typename: 'PublishPopulationAccountPayload', published: 2, entries: 3, drafts: 1 },
  });
  const deaths = { where: { component: 'DEATHS' as const }, select: { status: true, publishedValue: true } };
  expect(await hub.db.prisma.accountEntry.findFirstOrThrow(deaths)).toEqual({ status: 'DRAFT', publishedValue: null });
  for (const token of [tokens.che, taskForce, tokens.reader, undefined])
    expect(await read(token)).toEqual({ pending: 0, opening: 5000 });

  // The same file sent again (no status: SUBMITTED) leaves the published entries as they are: a re-import does not
  // undo the task force's review.
  expect(
    data(await send(['CHE,2020,NATIVE_BORN_CITIZENS,OPENING_STOCK,5000,'], tokens.che)).importPopulationAccounts,
  ).toMatchObject({ ok: true, updated: 0, unchanged: 1 });
  const opening = { where: { component: 'OPENING_STOCK' as const }, select: { status: true } };
  expect(await hub.db.prisma.accountEntry.findFirstOrThrow(opening)).toEqual({ status: 'PUBLISHED' });

  // A corrected opening stock from the focal point: pending for it and the task force, the published one for others.
  expect(
    data(await send(['CHE,2020,NATIVE_BORN_CITIZENS,OPENING_STOCK,5050,'], tokens.che)).importPopulationAccounts,
  ).toMatchObject({ ok: true, updated: 1 });
  expect(await read(tokens.che)).toEqual({ pending: 1, opening: 5050 });
  expect(await read(taskForce)).toEqual({ pending: 1, opening: 5050 });
  expect(await read(tokens.fra)).toEqual({ pending: 0, opening: 5000 });
  expect(await read()).toEqual({ pending: 0, opening: 5000 });
});
