// N+1 guard: a nested catalogue query runs the same number of SQL statements whatever the page size.
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { startQueryLog, type QueryLog } from '../support/query-log.js';

let hub: Hub;
let log: QueryLog;
beforeAll(async () => {
  hub = await startHub();
  log = await startQueryLog(hub.db.adapterFactory);
});
afterAll(async () => {
  log?.stop();
  await hub?.close();
});

const NestedIndicators = graphql(`
  query NestedIndicators($first: Int!) {
    indicators(first: $first) {
      totalCount
      edges {
        node {
          code
          topics {
            code
          }
          disaggregations {
            code
            codes {
              code
            }
          }
          sdgIndicators {
            code
          }
          gcmObjectives {
            number
          }
          candidateSourceTypes {
            suitability
            sourceType {
              code
            }
          }
        }
      }
    }
  }
`);

test('a nested indicators query runs as many SQL statements for 5 indicators as for 15', async () => {
  const counts: Record<number, number> = {};
  for (const first of [1, 5, 15]) {
    let edges = 0;
    counts[first] = await log.count(async () => {
      edges = data(await hub.gql(NestedIndicators, { first })).indicators.edges.length;
    });
    expect(edges).toBe(first);
  }
  expect(counts[5]).toBe(counts[15]);
  expect(counts[1]).toBe(counts[15]);
  // One statement per level (indicators, count, and each relation), never one per row.
  expect(counts[15]).toBeLessThan(15);
});

test('the same holds for a topic → indicators → source types walk', async () => {
  const doc = `query { sourceTypes { code indicators { suitability indicator { code disaggregations { code } } } } }`;
  const statements = await log.count(async () => {
    data(await hub.gql(doc));
  });
  expect(statements).toBeLessThan(10);
});

test('a page of indicators with their source-type links is one SQL statement (relation joins)', async () => {
  let indicators = 0;
  const statements = await log.count(async () => {
    const doc = `{ indicators(first: 20) { nodes { code name candidateSourceTypes { suitability sourceType { code name } } } } }`;
    indicators = data(await hub.gql<{ indicators: { nodes: unknown[] } }, never>(doc)).indicators.nodes.length;
  });
  expect(indicators).toBe(15);
  expect(statements).toBe(1);
});
