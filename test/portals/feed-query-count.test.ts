// N+1 guard for the change feed: the series key's country, indicator, data source and source type, and a catalogue
// change's item, are loaded per request in batches, so a page of 100 changes costs the same SQL statements as a
// page of 1.
import { CLI_ACTOR } from '../../src/access/audit.js';
import { createDataSource, updateDataSource } from '../../src/submissions/data-sources.service.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { startQueryLog, type QueryLog } from '../support/query-log.js';
import { cursorAt } from './feed-support.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

let hub: Hub;
let log: QueryLog;
let admin: string;
let after: bigint;
let afterSeries: bigint;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  // 120 published keys over 40 countries: two thirds named by a registered data source, a third by a source type.
  const countries = (await hub.db.prisma.country.findMany({ orderBy: { id: 'asc' }, take: 40 })).map((c) => c.m49);
  for (const m49 of countries)
    await createDataSource(hub.db.prisma, CLI_ACTOR, {
      code: `DS_${m49}`,
      country: m49,
      sourceType: 'CENSUS',
      name: `Census ${m49}`,
    });
  // The page starts after the data sources' own (catalogue) changes.
  after = await feedHead();
  // Keys sort by indicator, country, year and source, "DS:…" before "ST:…": every page starts with a data source.
  const rows = countries.flatMap((c) => [
    `${c},IMM_STOCK,2018,1,,DS_${c},PUBLISHED`,
    `${c},IMM_STOCK,2018,1,CENSUS,,PUBLISHED`,
    `${c},EMI_STOCK,2019,1,,DS_${c},PUBLISHED`,
  ]);
  await importSubmissionsCsv(
    hub.db.prisma,
    ['country,indicator,reference_year,value,source_type,data_source,status', ...rows].join('\n'),
  );
  // Then each data source renamed: 40 catalogue changes.
  afterSeries = await feedHead();
  for (const ds of await hub.db.prisma.dataSource.findMany({ orderBy: { id: 'asc' } }))
    await updateDataSource(hub.db.prisma, CLI_ACTOR, ds.id, { name: `${ds.name} (renamed)` });
  log = await startQueryLog(hub.db.adapterFactory);
});
async function feedHead(): Promise<bigint> {
  const [head] = await hub.db.prisma.$queryRaw<{ head: bigint }[]>`
    SELECT coalesce(max(sequence), 0) AS head FROM "FeedEntry"`;
  return head!.head;
}

afterAll(async () => {
  log?.stop();
  await hub?.close();
});

const PAGE = `
  query FeedPage($after: String, $first: Int) {
    changes(after: $after, first: $first) {
      edges {
        node {
          sequence
          series {
            country { m49 name region { code } }
            indicator { code name }
            referenceYear
            dataSource { code country { m49 } sourceType { code } }
            sourceType { code name }
          }
          submission { version observations { value } }
          item { id __typename ... on DataSource { code name country { m49 } sourceType { code } } }
        }
      }
    }
  }`;

interface Page {
  changes: {
    edges: {
      node: {
        series: {
          country: { m49: string; region: { code: string } | null };
          dataSource: { code: string; country: { m49: string }; sourceType: { code: string } } | null;
          sourceType: { code: string } | null;
        } | null;
        item: { id: string } | null;
      };
    }[];
  };
}

test.each([
  ['ADMIN', true],
  ['anonymous', false],
] as const)('a page of 100 changes costs the same statements as a page of 1 (%s)', async (_who, asAdmin) => {
  const token = asAdmin ? admin : undefined;
  const cursor = await cursorAt(hub, token, after);
  const byN: Record<number, number> = {};
  for (const first of [1, 10, 100]) {
    let page: Page['changes']['edges'] = [];
    byN[first] = await log.count(async () => {
      page = data(await hub.gql<Page, unknown>(PAGE, { after: cursor, first }, { token })).changes.edges;
    });
    expect(page).toHaveLength(first);
    for (const { node } of page) {
      const s = node.series!;
      expect(s.country.region).not.toBeNull();
      if (s.dataSource) {
        expect(s.dataSource.code).toBe(`DS_${s.country.m49}`);
        expect(s.dataSource.country.m49).toBe(s.country.m49);
        expect(s.sourceType?.code).toBe('CENSUS');
      }
    }
  }
  expect(byN[10]).toBe(byN[1]);
  expect(byN[100]).toBe(byN[1]);
});

test('a page of 40 catalogue changes costs the same statements as a page of 1', async () => {
  type Items = { changes: { edges: { node: { item: { code: string; name: string; country: { m49: string } } } }[] } };
  const cursor = await cursorAt(hub, undefined, afterSeries);
  const byN: Record<number, number> = {};
  for (const first of [1, 10, 40]) {
    let page: Items['changes']['edges'] = [];
    byN[first] = await log.count(async () => {
      page = data(await hub.gql<Items, unknown>(PAGE, { after: cursor, first })).changes.edges;
    });
    expect(page).toHaveLength(first);
    for (const { node } of page) {
      expect(node.item.name).toMatch(/ \(renamed\)$/);
      expect(node.item.code).toBe(`DS_${node.item.country.m49}`);
    }
  }
  expect(byN[10]).toBe(byN[1]);
  expect(byN[40]).toBe(byN[1]);
});
