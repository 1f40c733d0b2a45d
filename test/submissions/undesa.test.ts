// UN DESA International Migrant Stock 2020 → published IMM_STOCK submissions (CONTRACT §5, issue 3 "done when").
import { join } from 'node:path';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { dataDir } from '../../src/platform/paths.js';
import { importUndesaIms } from '../../src/submissions/undesa.import.js';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

const FILE = join(dataDir, 'un_desa_ims2020_destination.csv');

const Stock = graphql(`
  query UndesaStock($filter: SubmissionFilter, $after: String) {
    submissions(filter: $filter, first: 100, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        status
        referenceYear
        note
        sourceType {
          code
        }
        country {
          m49
        }
        observations {
          dimensionKey
          value
        }
      }
    }
  }
`);

test('the UN DESA file gives 1 602 published submissions for 231 countries; re-import changes nothing', async () => {
  const report = await importUndesaIms(hub.db.prisma, FILE, CLI_ACTOR);
  expect(report).toMatchObject({
    rows: 282,
    countries: 231,
    submissions: 1602,
    submissionsCreated: 1602,
    skippedAggregates: 49,
  });

  // Anonymous callers read them: they are published.
  const all = data(await hub.gql(Stock, { filter: { indicator: 'IMM_STOCK', status: 'PUBLISHED' } })).submissions;
  expect(all.totalCount).toBe(1602);
  expect(
    data(await hub.gql(Stock, { filter: { indicator: 'IMM_STOCK', fromYear: 2020, toYear: 2020 } })).submissions
      .totalCount,
  ).toBeGreaterThan(225);

  const swiss = data(await hub.gql(Stock, { filter: { country: 'CHE', fromYear: 2020, toYear: 2020 } })).submissions
    .nodes;
  expect(swiss).toHaveLength(1);
  expect(swiss[0]).toMatchObject({
    status: 'PUBLISHED',
    sourceType: null,
    note: expect.stringMatching(/UN DESA.*2020/),
  });
  const values = Object.fromEntries(swiss[0]!.observations.map((o) => [o.dimensionKey, o.value]));
  expect(values['']).toBe(values['SEX=F']! + values['SEX=M']!);

  // Bonaire, Sint Eustatius and Saba: totals, but no sex split; Taiwan Province of China: no data at all.
  const bes = data(await hub.gql(Stock, { filter: { country: '535', fromYear: 2020, toYear: 2020 } })).submissions
    .nodes;
  expect(bes[0]!.observations.map((o) => o.dimensionKey)).toEqual(['']);
  // (it is not an M49 country of the hub either, so asking for its submissions names an unknown code: NOT_FOUND)
  const taiwan = await hub.gql(Stock, { filter: { country: '158' } });
  expect(taiwan.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', argument: 'filter.country' } });
  expect(await hub.db.prisma.submission.count({ where: { country: { m49: '158' } } })).toBe(0);
  // 830 Channel Islands is an aggregate, not a hub country.
  expect(await hub.db.prisma.country.findUnique({ where: { m49: '830' } })).toBeNull();

  const observations = await hub.db.prisma.observation.count();
  expect(observations).toBe(report.observations);
  const countries = await hub.db.prisma.submission.groupBy({ by: ['countryId'] });
  expect(countries).toHaveLength(231);
  expect(await hub.db.prisma.observation.count({ where: { dimensionKey: '' } })).toBe(1602);
  expect(await hub.db.prisma.observation.count({ where: { dimensionKey: 'SEX=F' } })).toBe(
    await hub.db.prisma.observation.count({ where: { dimensionKey: 'SEX=M' } }),
  );

  const audits = await hub.db.prisma.auditLog.count();
  const again = await importUndesaIms(hub.db.prisma, FILE, CLI_ACTOR);
  expect(again).toMatchObject({ submissionsCreated: 0, submissionsUnchanged: 1602, observationsCreated: 0 });
  expect(await hub.db.prisma.submission.count()).toBe(1602);
  expect(await hub.db.prisma.auditLog.count()).toBe(audits);
});
