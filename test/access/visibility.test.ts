// CONTRACT §4 "visible versions" and §7, reproduced from issue 7: what anonymous, READER, another country's
// FOCAL_POINT, the country's own FOCAL_POINT and ADMIN callers read of the same data. Every expected number is
// written here; the walk over the whole schema is test/access/embargo.test.ts.
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { data, importCsv, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
const tokens: Record<string, string | undefined> = { anonymous: undefined };

/** Runs a query as one of the callers and returns its data (failing on errors). */
async function as<T = Record<string, never>>(who: string, query: string, variables?: Record<string, unknown>) {
  return data(await hub.gql<T, Record<string, unknown>>(query, variables, { token: tokens[who] }));
}

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const HEADER = 'country,indicator,reference_year,value,residence_criterion,status';

beforeAll(async () => {
  hub = await startHub();
  tokens.admin = await hub.token('ADMIN');
  tokens.taskForce = await hub.token('TASK_FORCE');
  tokens.reader = await hub.token('READER');
  tokens.fra = await hub.token('FOCAL_POINT', 'FRA');
  tokens.che = await hub.token('FOCAL_POINT', 'CHE');
  const importAs = (rows: string[]) => importCsv(hub, tokens.admin!, HEADER, rows);
  // The issue's report: an admin imports a VALIDATED (not yet published) value.
  await importAs([
    'DEU,IMM_STOCK,2020,99999999,OPTION_II,VALIDATED',
    'DEU,IMM_STOCK,2017,88888888,OPTION_II,VALIDATED',
    'CHE,IMM_STOCK,2020,1000,OPTION_I,PUBLISHED',
    'CHE,IMM_STOCK,2019,555,,DRAFT',
    'CHE,IMM_STOCK,2018,556,,SUBMITTED',
  ]);
  // A newer VALIDATED version over CHE's PUBLISHED one.
  await importAs(['CHE,IMM_STOCK,2020,2000,OTHER,VALIDATED']);
  // An unpublished population account of CHE (imported on the command line: default SUBMITTED).
  await importAccounts(
    hub.db.prisma,
    {
      text: csv(
        'country,year,group,component,value',
        'CHE,2021,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,4000',
        'CHE,2021,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,4100',
      ),
    },
    CLI_ACTOR,
  );
});
afterAll(() => hub?.close());

describe('analytics count the versions the caller may see', () => {
  const aggregate = (who: string, year: number) =>
    as<{ aggregate: { value: number | null; countriesIncluded: number } }>(
      who,
      `query ($year: Int!) { aggregate(indicator: "IMM_STOCK", year: $year, region: "155") { value countriesIncluded } }`,
      { year },
    ).then((d) => d.aggregate);

  test('aggregate: a VALIDATED value reaches only those who may see it', async () => {
    // Western Europe 2020: CHE v1 PUBLISHED 1000, CHE v2 VALIDATED 2000, DEU VALIDATED 99999999.
    expect(await aggregate('anonymous', 2020)).toEqual({ value: 1000, countriesIncluded: 1 });
    expect(await aggregate('reader', 2020)).toEqual({ value: 1000, countriesIncluded: 1 });
    expect(await aggregate('fra', 2020)).toEqual({ value: 1000, countriesIncluded: 1 });
    // CHE's focal point counts its own VALIDATED v2, not Germany's.
    expect(await aggregate('che', 2020)).toEqual({ value: 2000, countriesIncluded: 1 });
    expect(await aggregate('admin', 2020)).toEqual({ value: 99999999 + 2000, countriesIncluded: 2 });
  });

  test('aggregate with no country value in scope is null, never 0', async () => {
    // 2017: only Germany's VALIDATED value, which anonymous callers do not see.
    expect(await aggregate('anonymous', 2017)).toEqual({ value: null, countriesIncluded: 0 });
    expect(await aggregate('admin', 2017)).toEqual({ value: 88888888, countriesIncluded: 1 });
  });

  test('indicatorCoverage, Indicator.coverage and Region.coverage', async () => {
    const q = `{
      indicatorCoverage(indicator: "IMM_STOCK", region: "155") { reportingCountries }
      indicator(code: "IMM_STOCK") { coverage(region: "155") { reportingCountries } }
      region(code: "155") { coverage(indicator: "IMM_STOCK") { reportingCountries } }
    }`;
    const counts = async (who: string) => {
      const d = await as<{
        indicatorCoverage: { reportingCountries: number };
        indicator: { coverage: { reportingCountries: number } };
        region: { coverage: { reportingCountries: number } };
      }>(who, q);
      return [
        d.indicatorCoverage.reportingCountries,
        d.indicator.coverage.reportingCountries,
        d.region.coverage.reportingCountries,
      ];
    };
    expect(await counts('anonymous')).toEqual([1, 1, 1]); // CHE
    expect(await counts('reader')).toEqual([1, 1, 1]);
    expect(await counts('fra')).toEqual([1, 1, 1]);
    expect(await counts('admin')).toEqual([2, 2, 2]); // CHE, DEU
  });

  test('countryCoverage and Country.coverage', async () => {
    const q = `{
      countryCoverage(country: "DEU") { coreReported missingCore { code } }
      country(code: "DEU") { coverage { coreReported } }
    }`;
    const of = (who: string) =>
      as<{
        countryCoverage: { coreReported: number; missingCore: { code: string }[] };
        country: { coverage: { coreReported: number } };
      }>(who, q);
    const anonymous = await of('anonymous');
    expect(anonymous.countryCoverage.coreReported).toBe(0);
    expect(anonymous.countryCoverage.missingCore.map((i) => i.code)).toContain('IMM_STOCK');
    expect(anonymous.country.coverage.coreReported).toBe(0);
    expect((await of('reader')).countryCoverage.coreReported).toBe(0);
    expect((await of('fra')).countryCoverage.coreReported).toBe(0);
    expect((await of('admin')).countryCoverage.coreReported).toBe(1);
  });

  test('coverageMatrix: cells, years and criteria of visible countable versions', async () => {
    const q = `{ coverageMatrix(filter: { indicators: ["IMM_STOCK"], countries: ["CHE", "DEU"] }) {
      cells { country { iso3 } years latestYear residenceCriterion } } }`;
    type Cells = { coverageMatrix: { cells: unknown[] } };
    const che = { country: { iso3: 'CHE' }, years: [2020], latestYear: 2020 };
    expect((await as<Cells>('anonymous', q)).coverageMatrix.cells).toEqual([
      { ...che, residenceCriterion: 'OPTION_I' },
    ]);
    expect((await as<Cells>('reader', q)).coverageMatrix.cells).toEqual([{ ...che, residenceCriterion: 'OPTION_I' }]);
    expect((await as<Cells>('fra', q)).coverageMatrix.cells).toEqual([{ ...che, residenceCriterion: 'OPTION_I' }]);
    expect((await as<Cells>('che', q)).coverageMatrix.cells).toEqual([{ ...che, residenceCriterion: 'OTHER' }]);
    // By M49 code: DEU (276) before CHE (756).
    expect((await as<Cells>('admin', q)).coverageMatrix.cells).toEqual([
      { country: { iso3: 'DEU' }, years: [2017, 2020], latestYear: 2020, residenceCriterion: 'OPTION_II' },
      { ...che, residenceCriterion: 'OTHER' },
    ]);
  });

  test('comparability', async () => {
    const q = `{ comparability(indicator: "IMM_STOCK") { criterion countries } }`;
    const of = async (who: string) =>
      Object.fromEntries(
        (await as<{ comparability: { criterion: string; countries: number }[] }>(who, q)).comparability.map((c) => [
          c.criterion,
          c.countries,
        ]),
      );
    expect(await of('anonymous')).toEqual({ OPTION_I: 1, OPTION_II: 0, OTHER: 0 });
    expect(await of('reader')).toEqual({ OPTION_I: 1, OPTION_II: 0, OTHER: 0 });
    expect(await of('admin')).toEqual({ OPTION_I: 0, OPTION_II: 1, OTHER: 1 });
  });

  test('gaps', async () => {
    const q = `{ gaps(filter: { indicators: ["IMM_STOCK"], countries: ["DEU", "CHE"] }) { kind country { iso3 } } }`;
    type Gaps = { gaps: { kind: string; country: { iso3: string } | null }[] };
    expect((await as<Gaps>('anonymous', q)).gaps.map((g) => g.country?.iso3)).toEqual(['DEU']);
    expect((await as<Gaps>('reader', q)).gaps.map((g) => g.country?.iso3)).toEqual(['DEU']);
    expect((await as<Gaps>('admin', q)).gaps).toEqual([]);
  });
});

describe('submissions: lists, flags and nested versions', () => {
  const LIST = `query ($filter: SubmissionFilter) { submissions(filter: $filter, first: 100) { totalCount nodes {
    id referenceYear version status isCountable supersededBy { version } versions { version status }
    observations { value } } } }`;
  interface Node {
    id: string;
    referenceYear: number;
    version: number;
    status: string;
    isCountable: boolean;
    supersededBy: { version: number } | null;
    versions: { version: number; status: string }[];
    observations: { value: number }[];
  }
  const list = async (who: string, filter: Record<string, unknown>) =>
    (await as<{ submissions: { totalCount: number; nodes: Node[] } }>(who, LIST, { filter })).submissions;

  test('a hidden newer version is not revealed by isCountable, supersededBy or versions', async () => {
    for (const who of ['anonymous', 'reader', 'fra']) {
      const page = await list(who, { country: 'CHE', indicator: 'IMM_STOCK', fromYear: 2020 });
      expect(page.totalCount).toBe(1);
      expect(page.nodes.map(({ id: _id, ...n }) => n)).toEqual([
        {
          referenceYear: 2020,
          version: 1,
          status: 'PUBLISHED',
          isCountable: true,
          supersededBy: null,
          versions: [{ version: 1, status: 'PUBLISHED' }],
          observations: [{ value: 1000 }],
        },
      ]);
    }
    const admin = await list('admin', { country: 'CHE', indicator: 'IMM_STOCK', fromYear: 2020 });
    // Newest first: version 2, then the version it supersedes.
    expect(admin.nodes.map((n) => [n.version, n.isCountable, n.supersededBy?.version ?? null])).toEqual([
      [2, true, null],
      [1, false, 2],
    ]);
    expect(admin.nodes[0]!.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  test('the countable filter follows the caller', async () => {
    const countable = async (who: string) =>
      (await list(who, { country: 'CHE', countable: true })).nodes.map((n) => [n.referenceYear, n.version]);
    expect(await countable('anonymous')).toEqual([[2020, 1]]);
    expect(await countable('che')).toEqual([[2020, 2]]);
    expect(await countable('admin')).toEqual([[2020, 2]]);
    // A status filter applies to the countable answer, not before it: v1 is PUBLISHED but not countable for ADMIN.
    expect((await list('admin', { country: 'CHE', countable: true, status: 'PUBLISHED' })).nodes).toEqual([]);
  });

  test("another country's focal point reads none of CHE's unpublished versions; CHE's own reads them all", async () => {
    const statuses = async (who: string) =>
      (await list(who, { country: 'CHE' })).nodes.map((n) => `${n.referenceYear}v${n.version}:${n.status}`).sort();
    expect(await statuses('fra')).toEqual(['2020v1:PUBLISHED']);
    expect(await statuses('che')).toEqual(['2018v1:SUBMITTED', '2019v1:DRAFT', '2020v1:PUBLISHED', '2020v2:VALIDATED']);
    // …and a FRA focal point sees DEU's VALIDATED versions no more than CHE's.
    expect((await list('fra', { country: 'DEU' })).totalCount).toBe(0);
    expect((await list('admin', { country: 'DEU' })).totalCount).toBe(2);
  });

  test('node(id) and Country.submissions apply the same rule', async () => {
    const [draft] = (await list('che', { country: 'CHE', status: 'DRAFT' })).nodes;
    const q = `query ($id: ID!) { node(id: $id) { id ... on Submission { status } } submission(id: $id) { id } }`;
    for (const who of ['anonymous', 'reader', 'fra'])
      expect(await as(who, q, { id: draft!.id })).toEqual({ node: null, submission: null });
    expect(await as('che', q, { id: draft!.id })).toEqual({
      node: { id: draft!.id, status: 'DRAFT' },
      submission: { id: draft!.id },
    });
    const nested = `{ country(code: "CHE") { submissions(first: 100) { totalCount nodes { status } } } }`;
    type Nested = { country: { submissions: { totalCount: number; nodes: { status: string }[] } } };
    expect((await as<Nested>('fra', nested)).country.submissions.totalCount).toBe(1);
    expect((await as<Nested>('che', nested)).country.submissions.totalCount).toBe(4);
  });
});

describe('population accounts have a publication state', () => {
  const q = `{ populationAccount(country: "CHE", year: 2021) { total { closing } } }`;
  type Account = { populationAccount: { total: { closing: number | null } } | null };

  test('an unpublished account reaches only its own focal point, the task force and admins, until published', async () => {
    for (const who of ['anonymous', 'reader', 'fra']) expect((await as<Account>(who, q)).populationAccount).toBeNull();
    expect((await as<Account>('che', q)).populationAccount).not.toBeNull();
    expect((await as<Account>('taskForce', q)).populationAccount).not.toBeNull();

    const publish = `mutation { publishPopulationAccount(input: { country: "CHE", year: 2021 }) {
      __typename ... on PublishPopulationAccountPayload { published entries } ... on Error { message } } }`;
    const refused = await hub.gql(publish, undefined, { token: tokens.che });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await as<Account>('anonymous', q)).populationAccount).toBeNull();

    expect(await as('taskForce', publish)).toEqual({
      publishPopulationAccount: { __typename: 'PublishPopulationAccountPayload', published: 2, entries: 2 },
    });
    // The FOREIGN_BORN_FOREIGNERS group alone: the other groups' stocks are missing, so the total's closing is null.
    expect((await as<Account>('anonymous', q)).populationAccount).toEqual({ total: { closing: null } });
    const missing = `mutation { publishPopulationAccount(input: { country: "CHE", year: 1999 }) {
      __typename ... on Error { message } } }`;
    expect(await as('admin', missing)).toEqual({
      publishPopulationAccount: { __typename: 'NotFoundError', message: 'CHE has no population account for 1999' },
    });
  });

  test('a newer value pending review neither hides the published one nor shows that it exists', async () => {
    const groups = `{ populationAccount(country: "CHE", year: 2021) { groups { group opening immigration closing } missing } }`;
    type Group = { group: string; opening: number | null; immigration: number | null; closing: number | null };
    type Groups = { populationAccount: { groups: Group[]; missing: string[] } };
    const fbf = async (who: string) =>
      (await as<Groups>(who, groups)).populationAccount.groups.find((g) => g.group === 'FOREIGN_BORN_FOREIGNERS');
    const published = await as<Groups>('anonymous', groups);
    expect(await fbf('anonymous')).toMatchObject({ opening: 4000, closing: 4100 });
    // A revised closing stock and a new immigration entry, imported for review (SUBMITTED, the default).
    const revision = csv(
      'country,year,group,component,value',
      'CHE,2021,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,9999',
      'CHE,2021,FOREIGN_BORN_FOREIGNERS,IMMIGRATION,5',
    );
    await importAccounts(hub.db.prisma, { text: revision }, CLI_ACTOR);
    for (const who of ['anonymous', 'reader', 'fra']) expect(await as<Groups>(who, groups)).toEqual(published);
    for (const who of ['che', 'taskForce']) expect(await fbf(who)).toMatchObject({ immigration: 5, closing: 9999 });
    // Published, the revision is everyone's.
    const publish = `mutation { publishPopulationAccount(input: { country: "CHE", year: 2021 }) {
      ... on PublishPopulationAccountPayload { published } } }`;
    expect(await as('taskForce', publish)).toEqual({ publishPopulationAccount: { published: 2 } });
    expect(await fbf('anonymous')).toMatchObject({ opening: 4000, immigration: 5, closing: 9999 });
  });
});

test('the accounts CSV status column takes DRAFT, SUBMITTED, VALIDATED or PUBLISHED, located by line and column', async () => {
  const text = csv(
    'country,year,group,component,value,status',
    'CHE,2022,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,1,published',
    'CHE,2022,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,1,REJECTED',
  );
  await expect(importAccounts(hub.db.prisma, { text }, CLI_ACTOR)).rejects.toMatchObject({
    issues: [
      { path: ['line 3', 'status'], message: '"REJECTED" is not one of DRAFT, SUBMITTED, VALIDATED, PUBLISHED' },
    ],
  });
  expect(await hub.db.prisma.accountEntry.count({ where: { year: 2022 } })).toBe(0);
});

test('node(id) of an ADMIN-only type answers everyone else as an id that does not exist', async () => {
  type Ids = { tokens: { nodes: { id: string }[] }; auditLog: { nodes: { id: string }[] } };
  const ids = await as<Ids>('admin', '{ tokens(first: 1) { nodes { id } } auditLog(first: 1) { nodes { id } } }');
  const q = `query ($id: ID!) { node(id: $id) { __typename } nodes(ids: [$id]) { __typename } }`;
  for (const [id, type] of [
    [ids.tokens.nodes[0]!.id, 'ApiToken'],
    [ids.auditLog.nodes[0]!.id, 'AuditLog'],
  ] as const) {
    const unknown = await as('anonymous', q, { id: Buffer.from(`${type}:999999`).toString('base64') });
    expect(unknown).toEqual({ node: null, nodes: [null] });
    for (const who of ['anonymous', 'reader', 'che', 'taskForce']) expect(await as(who, q, { id })).toEqual(unknown);
    expect(await as('admin', q, { id })).toEqual({ node: { __typename: type }, nodes: [{ __typename: type }] });
  }
});

test("a published version's history shows its status changes to everyone; who made them and what they said, only to those who read the country's unpublished data", async () => {
  // CHE's focal point submits; the task force validates and publishes, with comments.
  await importCsv(hub, tokens.che!, HEADER, ['CHE,IMM_STOCK,2012,700,OPTION_I,SUBMITTED']);
  const version = await hub.db.prisma.submission.findFirstOrThrow({
    where: { country: { iso3: 'CHE' }, referenceYear: 2012 },
  });
  const id = encodeGlobalID('Submission', version.id);
  for (const [mutation, comment] of [
    ['validateSubmission', 'figures checked with the census office'],
    ['publishSubmission', 'publishing'],
  ] as const) {
    const { revision } = await hub.db.prisma.submission.findUniqueOrThrow({ where: { id: version.id } });
    const done = await as<Record<string, { __typename: string }>>(
      'taskForce',
      `mutation ($id: ID!, $rev: Int!, $comment: String) {
        ${mutation}(input: { id: $id, expectedRevision: $rev, comment: $comment }) { __typename } }`,
      { id, rev: revision, comment },
    );
    expect(done[mutation]!.__typename).not.toMatch(/Error$/);
  }
  const historyAs = async (who: string) =>
    (
      await as<{ node: { history: { toStatus: string; actor: string | null; comment: string | null }[] } }>(
        who,
        `query ($id: ID!) { node(id: $id) { ... on Submission { history { toStatus actor comment } } } }`,
        { id },
      )
    ).node.history;
  const statuses = ['SUBMITTED', 'VALIDATED', 'PUBLISHED'];
  for (const who of ['anonymous', 'reader', 'fra']) {
    expect(await historyAs(who)).toEqual(statuses.map((toStatus) => ({ toStatus, actor: null, comment: null })));
  }
  for (const who of ['che', 'taskForce', 'admin']) {
    const history = await historyAs(who);
    expect(history.map((h) => h.toStatus)).toEqual(statuses);
    expect(history.map((h) => h.comment)).toEqual(['imported', 'figures checked with the census office', 'publishing']);
    expect(history.every((h) => h.actor)).toBe(true);
  }
});

test('version numbers count the versions the caller may read: a hidden version leaves no gap', async () => {
  // CHE 2011: version 1 published, version 2 a draft, version 3 published.
  for (const [value, status] of [
    [10, 'PUBLISHED'],
    [11, 'DRAFT'],
    [12, 'PUBLISHED'],
  ] as const) {
    await importCsv(hub, tokens.admin!, HEADER, [`CHE,IMM_STOCK,2011,${value},OPTION_I,${status}`]);
  }
  const versionsAs = async (who: string) =>
    (
      await as<{ submissions: { nodes: { version: number; versions: { version: number }[] }[] } }>(
        who,
        `{ submissions(first: 10, filter: { country: "CHE", fromYear: 2011, toYear: 2011 }) {
          nodes { version versions { version } } } }`,
      )
    ).submissions.nodes;
  for (const who of ['anonymous', 'reader', 'fra']) {
    expect(await versionsAs(who)).toEqual([
      { version: 2, versions: [{ version: 1 }, { version: 2 }] },
      { version: 1, versions: [{ version: 1 }, { version: 2 }] },
    ]);
  }
  for (const who of ['che', 'taskForce']) {
    expect((await versionsAs(who)).map((n) => n.version)).toEqual([3, 2, 1]);
  }
});
