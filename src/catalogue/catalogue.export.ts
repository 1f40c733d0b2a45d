// The whole catalogue in the catalogue import format (CONTRACT §5, the shape of data/catalogue.json), so that an
// export re-imports unchanged (0 created, 0 updated). Items in catalogue (insertion) order, keys as the file has
// them; optional fields left out when empty.
import type { PrismaClient } from '../platform/db.js';

const orderById = { orderBy: { id: 'asc' as const } };

/** Drops null and undefined fields, as a hand-written catalogue file would leave them out. */
function compact<T extends Record<string, unknown>>(item: T): Partial<T> {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export async function exportCatalogue(prisma: PrismaClient) {
  const [concepts, topics, variables, sourceTypes, indicators, links, recommendations, sdgs, gcms] = await Promise.all([
    prisma.concept.findMany(orderById),
    prisma.topic.findMany(orderById),
    prisma.variable.findMany({ ...orderById, include: { codes: { orderBy: { position: 'asc' } } } }),
    prisma.sourceType.findMany(orderById),
    prisma.indicator.findMany({
      ...orderById,
      include: {
        disaggregations: { orderBy: { position: 'asc' }, include: { variable: { select: { code: true } } } },
        topics: { include: { topic: { select: { code: true } } } },
        sdgIndicators: { include: { sdgIndicator: { select: { code: true } } } },
        gcmObjectives: { include: { gcmObjective: { select: { number: true } } } },
      },
    }),
    prisma.indicatorSourceType.findMany({
      ...orderById,
      include: { indicator: { select: { code: true } }, sourceType: { select: { code: true } } },
    }),
    // Their position is their order in the file (CONTRACT §8 lists follow it).
    prisma.recommendation.findMany({
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
      include: {
        indicators: { include: { indicator: { select: { code: true } } } },
        concepts: { include: { concept: { select: { code: true } } } },
      },
    }),
    prisma.sdgIndicator.findMany(orderById),
    prisma.gcmObjective.findMany({ orderBy: { number: 'asc' } }),
  ]);
  return {
    about: 'Catalogue of the Migration Statistics Hub, exported in the catalogue import format.',
    concepts: concepts.map((c) =>
      compact({ code: c.code, term: c.term, definition: c.definition, framework: c.framework, source: c.sourceUrl }),
    ),
    topics: topics.map((t) =>
      compact({
        code: t.code,
        name: t.name,
        tier: t.tier,
        description: t.description,
        source: t.sourceUrl,
        provisional: t.provisionalFields,
      }),
    ),
    variables: variables.map((v) =>
      compact({
        code: v.code,
        name: v.name,
        source: v.sourceUrl,
        codelist: v.codelist,
        codes: v.codes.length ? v.codes.map((c) => ({ code: c.code, label: c.label })) : undefined,
      }),
    ),
    sourceTypes: sourceTypes.map((s) =>
      compact({
        code: s.code,
        name: s.name,
        measures: s.measures,
        strengths: s.strengths,
        limitations: s.limitations,
        source: s.sourceUrl,
        also: s.alsoUrls,
      }),
    ),
    indicators: indicators.map((i) => ({
      ...compact({
        code: i.code,
        name: i.name,
        description: i.description,
        unit: i.unit,
        additive: i.additive,
        // Only where it departs from the default (a count that may be negative, such as net migration).
        signed: i.signed || undefined,
        buildingBlock: i.buildingBlock,
        tier: i.tier,
        status: i.status,
        disaggregations: i.disaggregations.map((d) => d.variable.code),
        topics: i.topics.map((t) => t.topic.code).sort(),
        sdg: i.sdgIndicators.map((s) => s.sdgIndicator.code).sort(),
        gcmObjectives: i.gcmObjectives.map((g) => g.gcmObjective.number).sort((a, b) => a - b),
        source: i.sourceUrl,
        provisional: i.provisionalFields,
      }),
      // Required by the format even when null (an indicator outside the four building blocks).
      buildingBlock: i.buildingBlock,
    })),
    indicatorSources: links.map((l) =>
      compact({
        indicator: l.indicator.code,
        sourceType: l.sourceType.code,
        suitability: l.suitability,
        note: l.note,
        source: l.sourceUrl,
      }),
    ),
    recommendations: recommendations.map((r) =>
      compact({
        code: r.code,
        text: r.text,
        source: r.sourceUrl,
        area: r.area,
        indicators: r.indicators.map((l) => l.indicator.code),
        concepts: r.concepts.map((l) => l.concept.code),
        provisional: r.provisionalFields,
      }),
    ),
    sdgIndicators: sdgs.map((s) => ({ code: s.code, title: s.title, target: s.target })),
    gcmObjectives: gcms.map((g) => compact({ number: g.number, title: g.title, shortName: g.shortName })),
  };
}
