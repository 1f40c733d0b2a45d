// Catalogue reads: indicators with their links and filters, source types, and the reference lists.
import { readFileSync } from 'node:fs';
import { graphql } from '../gql/index.js';
import type { IndicatorPageQuery, IndicatorPageQueryVariables } from '../gql/graphql.js';
import { data, startHub, type Hub } from '../support/hub.js';

interface SeedIndicator {
  code: string;
  tier: string;
  buildingBlock: string | null;
  sdg?: string[];
  gcmObjectives?: number[];
}
const seed = JSON.parse(readFileSync(new URL('../../data/catalogue.json', import.meta.url), 'utf8')) as {
  indicators: SeedIndicator[];
  indicatorSources: { indicator: string; sourceType: string; suitability: string }[];
};

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub?.close());

const IndicatorPage = graphql(`
  query IndicatorPage($filter: IndicatorFilter, $first: Int, $after: String) {
    indicators(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          code
        }
      }
    }
  }
`);

async function codes(filter: IndicatorPageQueryVariables['filter']): Promise<string[]> {
  const page = data(await hub.gql(IndicatorPage, { filter, first: 100 })).indicators;
  expect(page.totalCount).toBe(page.edges.length);
  return page.edges.map((e) => e.node.code).sort();
}
const seedCodes = (keep: (i: SeedIndicator) => boolean) =>
  seed.indicators
    .filter(keep)
    .map((i) => i.code)
    .sort();

test('the seeded catalogue has 15 indicators, 22 indicator–source links and 10 source types', async () => {
  const result = data(
    await hub.gql(
      graphql(`
        query CatalogueSize {
          indicators(first: 100) {
            totalCount
            edges {
              node {
                code
                candidateSourceTypes {
                  suitability
                  sourceType {
                    code
                  }
                }
              }
            }
          }
          sourceTypes {
            code
          }
        }
      `),
    ),
  );
  expect(result.indicators.totalCount).toBe(15);
  expect(result.sourceTypes).toHaveLength(10);
  const links = result.indicators.edges.flatMap((e) =>
    e.node.candidateSourceTypes.map((l) => `${e.node.code}/${l.sourceType.code}/${l.suitability}`),
  );
  expect(links).toHaveLength(22);
  expect(links.sort()).toEqual(
    seed.indicatorSources.map((l) => `${l.indicator}/${l.sourceType}/${l.suitability}`).sort(),
  );
});

test('an indicator by code shows its fields, links and provisional fields', async () => {
  const IndicatorByCode = graphql(`
    query IndicatorByCode($code: String!) {
      indicator(code: $code) {
        id
        code
        name
        unit
        additive
        buildingBlock
        tier
        status
        isProvisional
        provisionalFields
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
        candidateSourceTypes(suitability: [PRIMARY]) {
          sourceType {
            code
          }
          note
        }
        createdAt
      }
    }
  `);
  const imm = data(await hub.gql(IndicatorByCode, { code: 'IMM_STOCK' })).indicator;
  expect(imm).toMatchObject({
    code: 'IMM_STOCK',
    unit: 'PERSONS',
    additive: true,
    buildingBlock: 'IMMIGRANT_STOCK',
    tier: 'CORE',
    status: 'ACTIVE',
    isProvisional: true,
    sdgIndicators: [{ code: '17.18' }],
    gcmObjectives: [{ number: 1 }],
  });
  expect(imm?.provisionalFields).toContain('tier');
  expect(imm?.disaggregations.map((v) => v.code)).toEqual(['SEX', 'AGE', 'COUNTRY_OF_BIRTH', 'COUNTRY_OF_CITIZENSHIP']);
  expect(imm?.disaggregations[0]?.codes.map((c) => c.code)).toEqual(expect.arrayContaining(['F', 'M', '_T']));
  expect(imm?.candidateSourceTypes.map((l) => l.sourceType.code).sort()).toEqual(
    seed.indicatorSources
      .filter((l) => l.indicator === 'IMM_STOCK' && l.suitability === 'PRIMARY')
      .map((l) => l.sourceType)
      .sort(),
  );
  const net = data(await hub.gql(IndicatorByCode, { code: 'NET_MIGRATION' })).indicator;
  expect(net?.buildingBlock).toBeNull();
  expect(data(await hub.gql(IndicatorByCode, { code: 'NOPE' })).indicator).toBeNull();
});

test('indicators filter by tier, building block, SDG indicator, GCM objective, status and search', async () => {
  expect(await codes({ tier: 'CORE' })).toEqual(seedCodes((i) => i.tier === 'CORE'));
  expect(await codes({ tier: 'ADDITIONAL' })).toEqual(seedCodes((i) => i.tier === 'ADDITIONAL'));
  expect(await codes({ buildingBlock: 'IMMIGRANT_STOCK' })).toEqual(
    seedCodes((i) => i.buildingBlock === 'IMMIGRANT_STOCK'),
  );
  expect(await codes({ tier: 'CORE', buildingBlock: 'IMMIGRANT_STOCK' })).toEqual(['IMM_STOCK', 'IMM_STOCK_GROUP']);
  expect(await codes({ sdg: '10.7.4' })).toEqual(['REFUGEE_STOCK']);
  expect(await codes({ sdg: '17.18' })).toEqual(['IMM_STOCK']);
  expect(await codes({ sdg: '10.7.2' })).toEqual([]);
  expect(await codes({ sdg: '10.7' })).toEqual(['REFUGEE_STOCK']); // a target: any of its indicators
  expect(await codes({ gcmObjective: 1 })).toEqual(seedCodes((i) => (i.gcmObjectives ?? []).includes(1)));
  expect(await codes({ gcmObjective: 19 })).toEqual(['EMI_STOCK']);
  expect(await codes({ status: 'ACTIVE' })).toHaveLength(15);
  expect(await codes({ status: 'RETIRED' })).toEqual([]);
  expect(await codes({ search: 'refugee' })).toEqual(['REFUGEE_STOCK']);
  expect(await codes({ search: 'emi_' })).toEqual(['EMI_FLOW', 'EMI_STOCK']);
  expect(await codes({})).toHaveLength(15);
});

test('the topic filter follows the indicator ↔ topic links', async () => {
  // The seed links no indicator to a topic, so link two first (through the API, as the task force would).
  const token = await hub.token('TASK_FORCE');
  const ids = data(
    await hub.gql(
      graphql(`
        query IndicatorIds {
          a: indicator(code: "IMM_STOCK") {
            id
            revision
          }
          b: indicator(code: "EMI_STOCK") {
            id
            revision
          }
        }
      `),
    ),
  );
  const Link = graphql(`
    mutation LinkTopics($input: UpdateIndicatorInput!) {
      updateIndicator(input: $input) {
        __typename
      }
    }
  `);
  for (const [indicator, topics] of [
    [ids.a, ['COB', 'COC']],
    [ids.b, ['COB']],
  ] as const) {
    const input = { id: indicator?.id ?? '', expectedRevision: indicator?.revision ?? 0, topics: [...topics] };
    const result = data(await hub.gql(Link, { input }, { token }));
    expect(result.updateIndicator.__typename).toBe('UpdateIndicatorPayload');
  }
  expect(await codes({ topic: 'COB' })).toEqual(['EMI_STOCK', 'IMM_STOCK']);
  expect(await codes({ topic: 'COC' })).toEqual(['IMM_STOCK']);
  expect(await codes({ topic: 'COC', tier: 'ADDITIONAL' })).toEqual([]);
  // A topic code that names nothing is an error naming the argument, never an empty list.
  const unknown = await hub.gql(IndicatorPage, { filter: { topic: 'NOPE' }, first: 100 });
  expect(unknown.errors?.[0]).toMatchObject({
    message: 'filter.topic: no topic with code "NOPE"',
    extensions: { code: 'NOT_FOUND' },
  });
  const topic = data(
    await hub.gql(
      graphql(`
        query TopicWithIndicators {
          topic(code: "COB") {
            code
            tier
            isProvisional
            indicators {
              code
            }
          }
        }
      `),
    ),
  ).topic;
  expect(topic).toEqual({
    code: 'COB',
    tier: 'CORE',
    isProvisional: false,
    indicators: [{ code: 'EMI_STOCK' }, { code: 'IMM_STOCK' }],
  });
});

test('forward pagination walks every indicator exactly once', async () => {
  const seen: string[] = [];
  let after: string | null | undefined = null;
  for (let page = 0; page < 20; page++) {
    const conn: IndicatorPageQuery['indicators'] = data(await hub.gql(IndicatorPage, { first: 4, after })).indicators;
    expect(conn.totalCount).toBe(15);
    seen.push(...conn.edges.map((e) => e.node.code));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  expect(seen).toHaveLength(15);
  expect(new Set(seen)).toEqual(new Set(seed.indicators.map((i) => i.code)));
});

test('reference lists: topics, variables with codes, concepts, recommendations, SDG indicators, GCM objectives', async () => {
  const lists = data(
    await hub.gql(
      graphql(`
        query ReferenceLists {
          topics(first: 100) {
            totalCount
          }
          coreTopics: topics(filter: { tier: CORE }, first: 100) {
            totalCount
          }
          variables(first: 100) {
            totalCount
            edges {
              node {
                code
                codelist
                codes {
                  code
                  label
                }
              }
            }
          }
          variable(code: "SEX") {
            codes {
              code
              label
              position
            }
            indicators {
              code
            }
          }
          concepts(first: 100) {
            totalCount
          }
          concept(code: "R98_MIGRANT") {
            term
            definition
          }
          recommendations(first: 100) {
            totalCount
          }
          recommendation(code: "REC_RESIDENCE") {
            text
          }
          sdgIndicators {
            code
            target
          }
          sdgIndicator(code: "10.7.4") {
            indicators {
              code
            }
          }
          gcmObjectives {
            number
            shortName
          }
          gcmObjective(number: 19) {
            indicators {
              code
            }
          }
          sourceType(code: "CENSUS") {
            name
            indicators {
              suitability
              indicator {
                code
              }
            }
          }
        }
      `),
    ),
  );
  expect(lists.topics.totalCount).toBe(8);
  expect(lists.coreTopics.totalCount).toBeGreaterThan(0);
  expect(lists.coreTopics.totalCount).toBeLessThan(8);
  expect(lists.variables.totalCount).toBe(19);
  expect(lists.variables.edges.find((e) => e.node.code === 'COUNTRY_OF_BIRTH')?.node).toEqual({
    code: 'COUNTRY_OF_BIRTH',
    codelist: 'M49',
    codes: [],
  });
  expect(lists.variable?.codes.map((c) => c.position)).toEqual([0, 1, 2]);
  expect(lists.variable?.indicators.map((i) => i.code)).toContain('IMM_STOCK');
  expect(lists.concepts.totalCount).toBe(16);
  expect(lists.concept?.term).toBeTruthy();
  expect(lists.recommendations.totalCount).toBe(9);
  expect(lists.recommendation?.text).toBeTruthy();
  expect(lists.sdgIndicators.map((s) => s.code)).toEqual(expect.arrayContaining(['10.7.2', '17.18']));
  expect(lists.sdgIndicator?.indicators).toEqual([{ code: 'REFUGEE_STOCK' }]);
  expect(lists.gcmObjectives.map((g) => g.number)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  expect(lists.gcmObjective?.indicators).toEqual([{ code: 'EMI_STOCK' }]);
  expect(lists.sourceType?.indicators.map((l) => l.indicator.code)).toContain('IMM_STOCK');
});
