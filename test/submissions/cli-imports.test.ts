// The CLI's importers (the same code `migstat import sources|accounts|submissions FILE` runs), over a test database:
// data sources, population accounts with the CONTRACT §4 validity rules, submissions, and their error reports.
import { describeError } from '../../src/cli/cli.js';
import { importers } from '../../src/cli/importers.js';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { csv, tempFile } from './support.js';

let hub: Hub;
// The report and the progress lines ("writing 2 observations") are the CLI's output, not the test's.
const out = { log: () => undefined, stderr: { write: () => true, isTTY: false } };
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

async function failure(kind: string, file: string): Promise<string> {
  try {
    await importers[kind]!(hub.db, file, out);
  } catch (err) {
    return describeError(err);
  }
  throw new Error('expected the import to fail');
}

const Sources = graphql(`
  query CountrySources($code: String!) {
    country(code: $code) {
      dataSources {
        totalCount
        nodes {
          code
          name
          agency
          latestYear
          residenceCriterion
          sourceType {
            code
          }
        }
      }
    }
    dataSources(filter: { sourceType: "CENSUS" }) {
      totalCount
    }
  }
`);

test('data sources: import, re-import unchanged, and every bad cell named', async () => {
  const file = tempFile(
    'sources.csv',
    csv(
      'code,country,source_type,name,agency,periodicity,latest_year,residence_criterion',
      'CHE_STATPOP,CHE,POP_REGISTER,Population and households statistics,FSO,annual,2023,OPTION_II',
      'CHE_CENSUS2000,756,CENSUS,"Census 2000, full count",FSO,,2000,',
    ),
  );
  expect(await importers.sources!(hub.db, file, out)).toEqual({
    dataSources: { created: 2, updated: 0, unchanged: 0 },
  });
  expect(await importers.sources!(hub.db, file, out)).toEqual({
    dataSources: { created: 0, updated: 0, unchanged: 2 },
  });
  const che = data(await hub.gql(Sources, { code: 'CHE' }));
  expect(che.country?.dataSources.totalCount).toBe(2);
  expect(che.country?.dataSources.nodes[1]).toMatchObject({
    code: 'CHE_STATPOP',
    latestYear: 2023,
    residenceCriterion: 'OPTION_II',
    sourceType: { code: 'POP_REGISTER' },
  });
  expect(che.dataSources.totalCount).toBe(1);

  const bad = tempFile(
    'bad-sources.csv',
    csv('code,country,source_type,name,latest_year,residence_criterion', 'X Y,XXX,NOPE,,20,OPTION_X'),
  );
  const message = await failure('sources', bad);
  for (const column of ['code', 'country', 'source_type', 'name', 'latest_year', 'residence_criterion'])
    expect(message).toContain(`line 2 ${column}:`);
});

test('population accounts: validity rules enforced at import with line and column', async () => {
  const bad = tempFile(
    'accounts-bad.csv',
    csv(
      'country,year,group,component,value',
      'CHE,2020,FOREIGN_BORN_FOREIGNERS,BIRTHS,10',
      'CHE,2020,NATIVE_BORN_CITIZENS,CITIZENSHIP_ACQUIRED,10',
      'CHE,2020,FOREIGN_BORN_FOREIGNERS,CITIZENSHIP_LOST,10',
      'CHE,2020,SOMEONE,DEATHS,x',
    ),
  );
  const message = await failure('accounts', bad);
  expect(message).toMatch(/line 2 component: BIRTHS is only valid on native-born groups/);
  expect(message).toMatch(/line 3 component: CITIZENSHIP_ACQUIRED is recorded on the foreigner group/);
  expect(message).toMatch(/line 4 component: CITIZENSHIP_LOST is recorded on the citizen group/);
  expect(message).toMatch(/line 5 group:/);
  expect(message).toMatch(/line 5 value:/);
  expect(await hub.db.prisma.accountEntry.count()).toBe(0);

  const good = tempFile(
    'accounts.csv',
    csv(
      'country,year,group,component,value',
      'CHE,2020,NATIVE_BORN_CITIZENS,BIRTHS,70000',
      'CHE,2020,FOREIGN_BORN_FOREIGNERS,CITIZENSHIP_ACQUIRED,30000',
      'CHE,2020,FOREIGN_BORN_CITIZENS,CITIZENSHIP_LOST,100',
      'CHE,2020,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,2000000',
    ),
  );
  expect(await importers.accounts!(hub.db, good, out)).toEqual({
    accountEntries: { created: 4, updated: 0, unchanged: 0 },
  });
  const changed = tempFile(
    'accounts2.csv',
    csv('country,year,group,component,value', 'CHE,2020,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,2000001'),
  );
  expect(await importers.accounts!(hub.db, changed, out)).toEqual({
    accountEntries: { created: 0, updated: 1, unchanged: 0 },
  });
  expect(await hub.db.prisma.accountEntry.count()).toBe(4);
});

test('submissions from the command line: written once, errors listed by line and column', async () => {
  const file = tempFile(
    'subs.csv',
    csv('country,indicator,reference_year,value,SEX', 'AUT,IMM_STOCK,2020,1700000,', 'AUT,IMM_STOCK,2020,900000,F'),
  );
  expect(await importers.submissions!(hub.db, file, out)).toMatchObject({
    submissionsCreated: 1,
    observationsCreated: 2,
  });
  expect(await importers.submissions!(hub.db, file, out)).toMatchObject({
    submissionsCreated: 0,
    submissionsUnchanged: 1,
  });
  const bad = tempFile('subs-bad.csv', csv('country,indicator,reference_year,value,SEX', 'AUT,IMM_STOCK,2020,1,Q'));
  expect(await failure('submissions', bad)).toMatch(/line 2 SEX: "Q" is not in the code list of SEX/);
});
