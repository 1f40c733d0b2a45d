// N+1 guard for the version fields of submissions: isCountable, supersededBy and versions are batched per request
// (src/submissions/versions.service.ts) and the count of open comments joins the page's statement, so a page of 100
// submissions costs the same SQL statements as a page of 1, for a caller who sees every version and for one who sees
// PUBLISHED ones only.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { startQueryLog, type QueryLog } from '../support/query-log.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

let hub: Hub;
let log: QueryLog;
let admin: string;
let commented: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  // 60 keys (20 countries × 3 years), each a PUBLISHED v1 and a VALIDATED v2: 120 versions, 60 of each status.
  const countries = (await hub.db.prisma.country.findMany({ orderBy: { id: 'asc' }, take: 20 })).map((c) => c.m49);
  const rows = (status: string, value: number) =>
    countries.flatMap((c) => [2018, 2019, 2020].map((y) => `${c},IMM_STOCK,${y},${value},${status}`));
  await importSubmissionsCsv(
    hub.db.prisma,
    ['country,indicator,reference_year,value,status', ...rows('PUBLISHED', 1)].join('\n'),
  );
  await importSubmissionsCsv(
    hub.db.prisma,
    ['country,indicator,reference_year,value,status', ...rows('VALIDATED', 2)].join('\n'),
  );
  const first = await hub.db.prisma.submission.findFirstOrThrow({ orderBy: { id: 'asc' } });
  commented = encodeGlobalID('Submission', first.id);
  await hub.db.prisma.comment.create({
    data: { submissionId: first.id, countryId: first.countryId, body: 'Which census?', author: 'task_force' },
  });
  log = await startQueryLog(hub.db.adapterFactory);
});
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

// Oldest first, so that even a page of 1 holds a superseded v1 and loads what supersededBy points at.
const VersionFields = graphql(`
  query SubmissionVersionFields($first: Int!) {
    submissions(first: $first, orderBy: { field: CREATED_AT, direction: ASC }) {
      nodes {
        id
        version
        isCountable
        supersededBy {
          id
          version
          country {
            m49
          }
        }
        versions {
          id
          version
          status
        }
        openComments: comments(filter: { status: OPEN }) {
          totalCount
        }
      }
    }
  }
`);

test.each([
  ['ADMIN', true],
  ['anonymous', false],
] as const)('a page of 100 costs the same statements as a page of 1 (%s)', async (who, seesAll) => {
  const token = seesAll ? admin : undefined;
  const byN: Record<number, number> = {};
  for (const first of [1, 10, 100]) {
    let nodes: {
      id: string;
      version: number;
      isCountable: boolean;
      supersededBy: { version: number; country: { m49: string } } | null;
      versions: { version: number; status: string }[];
      openComments: { totalCount: number };
    }[] = [];
    byN[first] = await log.count(async () => {
      nodes = data(await hub.gql(VersionFields, { first }, { token })).submissions.nodes;
    });
    expect(nodes).toHaveLength(seesAll ? first : Math.min(first, 60));
    for (const n of nodes) {
      // The first version of the first key has an open comment, which only a caller who sees comments counts.
      expect(n.openComments.totalCount).toBe(seesAll && n.id === commented ? 1 : 0);
      if (seesAll) {
        // v1 is superseded by the VALIDATED v2, which counts.
        expect(n.isCountable).toBe(n.version === 2);
        expect(n.supersededBy?.version ?? null).toBe(n.version === 1 ? 2 : null);
        expect(n.versions.map((v) => v.status)).toEqual(['PUBLISHED', 'VALIDATED']);
      } else {
        // The VALIDATED v2 does not exist for an anonymous caller.
        expect([n.version, n.isCountable, n.supersededBy]).toEqual([1, true, null]);
        expect(n.versions.map((v) => v.status)).toEqual(['PUBLISHED']);
      }
    }
  }
  expect(byN[10]).toBe(byN[1]);
  expect(byN[100]).toBe(byN[1]);
  expect(byN[100]).toBeLessThanOrEqual(8);
});
