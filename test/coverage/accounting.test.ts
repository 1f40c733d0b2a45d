// Population accounting (CONTRACT §4) on hand-built accounts; every expected number is written here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { graphql } from '../gql/index.js';
import { cliTarget } from '../support/cli.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { accountsScenario } from '../support/scenarios.js';
import { scratchDir } from '../support/scratch.js';

const scratch = scratchDir('migstat-accounts-');
let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
  await accountsScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const AccountQuery = graphql(`
  query Account($country: String!, $year: Int!, $tolerance: Float) {
    populationAccount(country: $country, year: $year, tolerance: $tolerance) {
      country {
        iso3
      }
      year
      coherent
      missing
      groups {
        ...AccountGroupFields
      }
      total {
        ...AccountGroupFields
      }
    }
  }
  fragment AccountGroupFields on AccountGroup {
    group
    opening
    births
    deaths
    immigration
    emigration
    citizenshipAcquired
    citizenshipLost
    closing
    expectedClosing
    residual
    coherent
  }
`);

const account = async (country: string, year: number, tolerance?: number) =>
  data(await hub.gql(AccountQuery, { country, year, tolerance })).populationAccount;

test('citizenship moves between the groups of the same birthplace, both ways', async () => {
  const a = (await account('CHE', 2020))!;
  expect(a.country.iso3).toBe('CHE');
  expect(a.year).toBe(2020);
  expect(a.missing).toEqual([]);
  expect(a.coherent).toBe(true);
  const g = (
    group: string | null,
    [opening, births, deaths, immigration, emigration, citizenshipAcquired, citizenshipLost, closing]: number[],
    expectedClosing: number,
    coherent: boolean,
  ) => ({
    group,
    opening,
    births,
    deaths,
    immigration,
    emigration,
    citizenshipAcquired,
    citizenshipLost,
    closing,
    expectedClosing,
    residual: closing! - expectedClosing,
    coherent,
  });
  expect(a.groups).toEqual([
    // 1000 + 50 + 5 − 30 − 10 + 4 (acquired by NBF) − 2 (lost) = 1017; residual −1 ≤ max(1, 1.016)
    g('NATIVE_BORN_CITIZENS', [1000, 50, 30, 5, 10, 0, 2, 1016], 1017, true),
    // 100 + 8 + 0 − 1 − 3 − 4 (acquired) + 2 (lost by NBC) = 102; residual 1 ≤ max(1, 0.103): the floor of 1
    g('NATIVE_BORN_FOREIGNERS', [100, 8, 1, 0, 3, 4, 0, 103], 102, true),
    // 300 + 10 − 5 − 4 + 38 (acquired by FBF) − 1 (lost) = 338
    g('FOREIGN_BORN_CITIZENS', [300, 0, 5, 10, 4, 0, 1, 338], 338, true),
    // 2800 + 300 − 6 − 60 − 38 (acquired) + 1 (lost by FBC) = 2997; residual 3 = 0.001 × 3000: the edge
    g('FOREIGN_BORN_FOREIGNERS', [2800, 0, 6, 300, 60, 38, 0, 3000], 2997, true),
  ]);
  // The total sums the groups; citizenship moves cancel: 4200 + 58 + 315 − 42 − 77 = 4454.
  expect(a.total).toEqual(g(null, [4200, 58, 42, 315, 77, 42, 3, 4457], 4454, true));
});

test('the tolerance: |residual| ≤ max(1, tolerance × closing)', async () => {
  const tighter = (await account('CHE', 2020, 0.0009))!;
  // FBF: 3 > 0.0009 × 3000 = 2.7; NBF's residual of 1 stays within the floor of 1.
  expect(tighter.groups.map((g) => g.coherent)).toEqual([true, true, true, false]);
  expect(tighter.coherent).toBe(false);
  const none = (await account('CHE', 2020, 0))!;
  expect(none.groups.map((g) => g.coherent)).toEqual([true, true, true, false]);
  const looser = (await account('CHE', 2020, 0.01))!;
  expect(looser.coherent).toBe(true);
});

test('missing flows count as 0 and are listed; a missing stock leaves the residual null and the account incoherent', async () => {
  const a = (await account('FRA', 2020))!;
  expect(a.missing).toEqual([
    'NATIVE_BORN_FOREIGNERS:EMIGRATION',
    'FOREIGN_BORN_CITIZENS:CLOSING_STOCK',
    'FOREIGN_BORN_FOREIGNERS:EMIGRATION',
  ]);
  expect(a.coherent).toBe(false);
  expect(a.groups.map((g) => [g.group, g.emigration, g.expectedClosing, g.residual, g.coherent])).toEqual([
    ['NATIVE_BORN_CITIZENS', 5, 509, 0, true],
    ['NATIVE_BORN_FOREIGNERS', 0, 52, 0, true],
    ['FOREIGN_BORN_CITIZENS', 2, 111, null, false],
    ['FOREIGN_BORN_FOREIGNERS', 0, 219, 0, true],
  ]);
  expect(a.groups[2]?.closing).toBeNull();
  expect([a.total.closing, a.total.expectedClosing, a.total.residual, a.total.coherent]).toEqual([
    null,
    891,
    null,
    false,
  ]);

  const sparse = (await account('KEN', 2019))!;
  expect(sparse.missing).toHaveLength(25); // 26 components apply to the four groups; one is present
  expect(sparse.missing).toContain('NATIVE_BORN_FOREIGNERS:BIRTHS');
  expect(sparse.missing).not.toContain('FOREIGN_BORN_FOREIGNERS:BIRTHS'); // not applicable, so never missing
  expect(sparse.groups[3]).toMatchObject({ opening: null, closing: 10, expectedClosing: null, residual: null });
  expect(sparse.coherent).toBe(false);
});

test('no entries for the year: null; unknown country: NOT_FOUND', async () => {
  expect(await account('CHE', 1999)).toBeNull();
  const unknown = await hub.gql(AccountQuery, { country: 'XXX', year: 2020 });
  expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

test('`migstat import accounts` rejects births on foreign-born groups and writes nothing', async () => {
  const target = await cliTarget({ database: 'seeded' });
  try {
    const file = join(scratch, 'accounts.csv');
    writeFileSync(
      file,
      [
        'country,year,group,component,value',
        'CHE,2020,NATIVE_BORN_FOREIGNERS,BIRTHS,8',
        'CHE,2020,FOREIGN_BORN_FOREIGNERS,BIRTHS,3',
        'CHE,2020,FOREIGN_BORN_CITIZENS,BIRTHS,2',
        'CHE,2020,NATIVE_BORN_CITIZENS,CITIZENSHIP_ACQUIRED,1',
      ].join('\n'),
    );
    const result = await target.run('import', 'accounts', file);
    expect(result.code).not.toBe(0);
    const output = result.stderr + result.stdout;
    expect(output).toMatch(/line 3.*BIRTHS/s);
    expect(output).toMatch(/FOREIGN_BORN_FOREIGNERS/);
    expect(output).toMatch(/line 4/);
    expect(output).toMatch(/line 5/);
    const db = await target.open();
    try {
      expect(await db.prisma.accountEntry.count()).toBe(0);
    } finally {
      await db.close();
    }
  } finally {
    await target.dispose();
  }
});

test('continuity: each group opens where it closed the year before, as the caller reads that year', async () => {
  const groups = ['NATIVE_BORN_CITIZENS', 'NATIVE_BORN_FOREIGNERS', 'FOREIGN_BORN_CITIZENS', 'FOREIGN_BORN_FOREIGNERS'];
  const rows = (country: string, year: number, component: string, values: number[], status: string) =>
    groups.map((g, i) => `${country},${year},${g},${component},${values[i]},${status}`);
  const csv = [
    'country,year,group,component,value,status',
    ...rows('AUT', 2019, 'CLOSING_STOCK', [7000, 300, 900, 1500], 'PUBLISHED'),
    // 2020 opens where 2019 closed, except the foreign-born foreigners (5 more): no continuity.
    ...rows('AUT', 2020, 'OPENING_STOCK', [7000, 300, 900, 1505], 'PUBLISHED'),
    ...rows('AUT', 2020, 'CLOSING_STOCK', [7010, 305, 910, 1520], 'PUBLISHED'),
    // Belgium's 2019 closing stocks are not published: anonymous callers cannot compare.
    ...rows('BEL', 2019, 'CLOSING_STOCK', [9000, 400, 1200, 1300], 'SUBMITTED'),
    ...rows('BEL', 2020, 'OPENING_STOCK', [9000, 400, 1200, 1300], 'PUBLISHED'),
  ].join('\n');
  await importAccounts(hub.db.prisma, { text: `${csv}\n` }, CLI_ACTOR);
  const CONTINUITY = `query($country: String!, $year: Int!) { populationAccount(country: $country, year: $year) {
    continuous groups { group previousClosing openingGap } total { previousClosing openingGap } } }`;
  type Continuity = {
    populationAccount: {
      continuous: boolean | null;
      groups: { group: string; previousClosing: number | null; openingGap: number | null }[];
      total: { previousClosing: number | null; openingGap: number | null };
    };
  };
  const read = async (country: string, year: number, token?: string) =>
    data(await hub.gql<Continuity, object>(CONTINUITY, { country, year }, { token })).populationAccount;

  const aut = await read('AUT', 2020);
  expect(aut.continuous).toBe(false);
  expect(aut.groups.map((g) => [g.previousClosing, g.openingGap])).toEqual([
    [7000, 0],
    [300, 0],
    [900, 0],
    [1500, 5],
  ]);
  expect(aut.total).toEqual({ previousClosing: 9700, openingGap: 5 });
  // No account for 2018: unknown, not continuous.
  expect((await read('AUT', 2019)).continuous).toBeNull();
  // Within the tolerance, as coherence is: 5 ≤ 0.01 × 1505.
  const looser = data(
    await hub.gql<{ populationAccount: { continuous: boolean } }, object>(
      `{ populationAccount(country: "AUT", year: 2020, tolerance: 0.01) { continuous } }`,
      {},
    ),
  ).populationAccount;
  expect(looser.continuous).toBe(true);

  const anonymous = await read('BEL', 2020);
  expect(anonymous.continuous).toBeNull();
  expect(anonymous.groups.map((g) => g.previousClosing)).toEqual([null, null, null, null]);
  const admin = await read('BEL', 2020, await hub.token('ADMIN'));
  expect(admin.continuous).toBe(true);
  expect(admin.groups.map((g) => g.openingGap)).toEqual([0, 0, 0, 0]);
});
