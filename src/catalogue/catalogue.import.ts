// Imports the catalogue JSON (CONTRACT §5, the shape of data/catalogue.json). Validation first, every problem
// reported with its JSON path; then one transaction that creates or updates by stable code. Rows equal to what is
// stored are left alone, so importing the same file twice changes nothing (not even updatedAt or the audit log).
// Items absent from the file are kept: the file adds and corrects, it does not delete. The seed imports in
// `addMissing` mode, which only creates what the hub lacks and never touches what curation has made of the rest.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import { z } from 'zod';
import { audit, auditAction, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { ValidationError, type Issue } from '../platform/errors.js';
import { catalogueCode, listCode, sdgCode, sourceReference, unitCode } from './codes.js';
import { recordItemChanges, type ItemRef, type ItemType } from '../submissions/changes.js';

// Codes follow the same rules as in the curation API (codes.ts); references to other entries are codes too.
const code = catalogueCode;
const text = z.string().trim().min(1, 'must not be empty');
const url = sourceReference.nullish();
const tier = z.enum(['CORE', 'ADDITIONAL']);
const buildingBlock = z.enum(['IMMIGRATION_FLOW', 'EMIGRATION_FLOW', 'IMMIGRANT_STOCK', 'EMIGRANT_STOCK']);

const catalogueSchema = z.object({
  about: z.string().optional(),
  concepts: z
    .array(z.object({ code, term: text, definition: text, framework: z.string().nullish(), source: url }))
    .default([]),
  topics: z
    .array(
      z.object({
        code,
        name: text,
        tier,
        description: z.string().nullish(),
        source: url,
        provisional: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  variables: z
    .array(
      z.object({
        code,
        name: text,
        source: url,
        codelist: z.enum(['M49']).nullish(),
        codes: z.array(z.object({ code: listCode, label: text })).default([]),
      }),
    )
    .default([]),
  sourceTypes: z
    .array(
      z.object({
        code,
        name: text,
        measures: z.array(z.string()).default([]),
        strengths: z.array(z.string()).default([]),
        limitations: z.array(z.string()).default([]),
        source: url,
        also: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  indicators: z
    .array(
      z.object({
        code,
        name: text,
        description: z.string().nullish(),
        unit: unitCode,
        additive: z.boolean(),
        signed: z.boolean().default(false),
        buildingBlock: buildingBlock.nullable(),
        tier,
        status: z.enum(['ACTIVE', 'RETIRED']).default('ACTIVE'),
        disaggregations: z.array(code).default([]),
        topics: z.array(code).default([]),
        sdg: z.array(sdgCode).default([]),
        gcmObjectives: z.array(z.number().int().min(1).max(23)).default([]),
        source: url,
        provisional: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  indicatorSources: z
    .array(
      z.object({
        indicator: code,
        sourceType: code,
        suitability: z.enum(['PRIMARY', 'SECONDARY', 'SUPPLEMENTARY']),
        note: z.string().nullish(),
        source: url,
      }),
    )
    .default([]),
  recommendations: z
    .array(
      z.object({
        code,
        text,
        source: url,
        area: z
          .enum(['TF1_DATA_AND_INDICATORS', 'TF2_CONCEPTS_AND_DEFINITIONS', 'TF4_DATA_SOURCES', 'CROSS_CUTTING'])
          .nullish(),
        indicators: z.array(code).default([]),
        concepts: z.array(code).default([]),
        provisional: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  sdgIndicators: z.array(z.object({ code: sdgCode, title: text, target: sdgCode })).default([]),
  gcmObjectives: z
    .array(z.object({ number: z.number().int().min(1).max(23), title: text, shortName: z.string().nullish() }))
    .default([]),
});

/** An SDG target code such as 17.18 or 10.c (indicators have three parts, 10.7.2). */
const SDG_TARGET = /^\d{1,2}\.[0-9a-z]{1,2}$/;

export type CatalogueFile = z.infer<typeof catalogueSchema>;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export type CatalogueReport = Record<string, ImportCounts>;

/**
 * How an import treats an item the hub already holds (found by its code). `update` (a deliberate import, CONTRACT
 * §5) makes it what the file says; `addMissing` (the seed) leaves it as it is, as curated, counted `unchanged`, and
 * does not bring back a link that curation removed (the audit log records the removal).
 */
export type ImportMode = 'update' | 'addMissing';

/** The kinds of item a catalogue file holds, as the report and the audit log name them. */
const CATALOGUE_KINDS = [
  'Concept',
  'Topic',
  'Variable',
  'SourceType',
  'SdgIndicator',
  'GcmObjective',
  'Indicator',
  'IndicatorSourceType',
  'Recommendation',
];

/**
 * Every string (value or key) holding NUL, by JSON path: readUtf8File refuses a raw NUL byte, but JSON's "\u0000"
 * escape decodes to one, which PostgreSQL cannot store in text.
 */
function nulCharacters(value: unknown, path: string[]): Issue[] {
  const nul = 'contains a NUL character (U+0000)';
  if (typeof value === 'string')
    return value.includes('\u0000') ? [{ path: path.length ? path : ['(file)'], message: nul }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulCharacters(v, [...path, `[${i}]`]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) =>
      key.includes('\u0000')
        ? [{ path: [...path, JSON.stringify(key)], message: `a key that ${nul}` }]
        : nulCharacters(v, [...path, key]),
    );
  }
  return [];
}

/** Parses and checks a catalogue file; throws a ValidationError listing every problem by JSON path. */
export function parseCatalogue(jsonText: string): CatalogueFile {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (err) {
    throw ValidationError.of([{ path: ['(file)'], message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const parsed = catalogueSchema.safeParse(raw);
  const problems: Issue[] = nulCharacters(raw, []);
  if (!parsed.success) {
    problems.push(
      ...parsed.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))),
        message: i.message,
      })),
    );
  }
  if (problems.length || !parsed.success) throw ValidationError.of(problems);
  const cat = parsed.data;
  const issues: Issue[] = [];
  const duplicates = (name: string, keys: (string | number)[]) => {
    const seen = new Set<string | number>();
    keys.forEach((k, i) => {
      if (seen.has(k)) issues.push({ path: [name, `[${i}]`], message: `duplicate ${String(k)}` });
      seen.add(k);
    });
  };
  for (const list of [
    'concepts',
    'topics',
    'variables',
    'sourceTypes',
    'indicators',
    'recommendations',
    'sdgIndicators',
  ] as const)
    duplicates(
      list,
      cat[list].map((c) => c.code),
    );
  duplicates(
    'gcmObjectives',
    cat.gcmObjectives.map((c) => c.number),
  );
  duplicates(
    'indicatorSources',
    cat.indicatorSources.map((l) => `${l.indicator}/${l.sourceType}`),
  );
  cat.variables.forEach((v, i) => {
    if (v.codelist && v.codes.length)
      issues.push({
        path: ['variables', `[${i}]`, 'codes'],
        message: 'a variable has either codes or a codelist, not both',
      });
    duplicates(
      `variables[${i}].codes`,
      v.codes.map((c) => c.code),
    );
  });
  if (issues.length) throw ValidationError.of(issues);
  // References must resolve within the file or, at import time, the database (checked in importCatalogue).
  return cat;
}

/** Imports a parsed catalogue in one transaction. References to items not in the file must exist in the database. */
export async function importCatalogue(
  prisma: PrismaClient,
  cat: CatalogueFile,
  actor: Actor,
  { mode = 'update' }: { mode?: ImportMode } = {},
): Promise<CatalogueReport> {
  return prisma.$transaction(async (tx) => {
    if (mode === 'addMissing') cat = await asRenamed(tx, cat);
    const report: CatalogueReport = {};
    const count = (kind: string, outcome: keyof ImportCounts) => {
      report[kind] ??= { created: 0, updated: 0, unchanged: 0 };
      report[kind][outcome] += 1;
    };
    // Items curation deleted (of the catalogue's, only links can be), as `${kind} ${key}`: audited with a before
    // and no after.
    const removed =
      mode === 'addMissing'
        ? new Set(
            (
              await tx.auditLog.findMany({
                where: {
                  entityType: { in: CATALOGUE_KINDS },
                  before: { not: Prisma.DbNull },
                  after: { equals: Prisma.DbNull },
                },
                select: { entityType: true, entityKey: true },
              })
            ).map((a) => `${a.entityType} ${a.entityKey}`),
          )
        : new Set<string>();

    // The items created or changed, for the change feed (an unchanged item is no change).
    const changed: ItemRef[] = [];
    const sync = async <Row extends { id: number }>(
      kind: string,
      key: string,
      existing: Row | null,
      data: Record<string, unknown>,
      create: () => Promise<Row>,
      update: () => Promise<Row>,
      items: (row: Row) => ItemRef[] = (row) => [{ type: kind as ItemType, id: row.id }],
    ): Promise<void> => {
      // The one place where the mode decides: the seed leaves every item the hub holds, or has removed, as it is.
      if (mode === 'addMissing' && (existing || removed.has(`${kind} ${key}`))) {
        count(kind, 'unchanged');
        return;
      }
      if (!existing) {
        const row = await create();
        await audit(tx, actor, auditAction(kind, 'create'), kind, key, null, data);
        count(kind, 'created');
        changed.push(...items(row));
        return;
      }
      const before = pick(existing, Object.keys(data));
      if (sameJson(before, data)) {
        count(kind, 'unchanged');
        return;
      }
      const row = await update();
      await audit(tx, actor, auditAction(kind, 'update'), kind, key, before, data);
      count(kind, 'updated');
      changed.push(...items(row));
    };

    for (const c of cat.concepts) {
      const data = {
        term: c.term,
        definition: c.definition,
        framework: c.framework ?? null,
        sourceUrl: c.source ?? null,
      };
      await sync(
        'Concept',
        c.code,
        await tx.concept.findUnique({ where: { code: c.code } }),
        data,
        () => tx.concept.create({ data: { code: c.code, ...data } }),
        () => tx.concept.update({ where: { code: c.code }, data }),
      );
    }
    for (const t of cat.topics) {
      const data = {
        name: t.name,
        tier: t.tier,
        description: t.description ?? null,
        sourceUrl: t.source ?? null,
        provisionalFields: t.provisional,
      };
      await sync(
        'Topic',
        t.code,
        await tx.topic.findUnique({ where: { code: t.code } }),
        data,
        () => tx.topic.create({ data: { code: t.code, ...data } }),
        () => tx.topic.update({ where: { code: t.code }, data: { ...data, revision: { increment: 1 } } }),
      );
    }
    for (const v of cat.variables) {
      const codes = v.codes.map((c, position) => ({ code: c.code, label: c.label, position }));
      const data = { name: v.name, sourceUrl: v.source ?? null, codelist: v.codelist ?? null };
      const existing = await tx.variable.findUnique({
        where: { code: v.code },
        include: { codes: { orderBy: { position: 'asc' }, select: { code: true, label: true, position: true } } },
      });
      const compare = { ...data, codes };
      await sync(
        'Variable',
        v.code,
        existing ? { ...existing, codes: existing.codes } : null,
        compare,
        () =>
          tx.variable.create({ data: { code: v.code, ...data, codes: { create: codes } }, include: { codes: true } }),
        async () => {
          await tx.variableCode.deleteMany({ where: { variable: { code: v.code } } });
          return tx.variable.update({
            where: { code: v.code },
            data: { ...data, codes: { create: codes }, revision: { increment: 1 } },
            include: { codes: true },
          });
        },
      );
    }
    for (const s of cat.sourceTypes) {
      const data = {
        name: s.name,
        measures: s.measures,
        strengths: s.strengths,
        limitations: s.limitations,
        sourceUrl: s.source ?? null,
        alsoUrls: s.also,
      };
      await sync(
        'SourceType',
        s.code,
        await tx.sourceType.findUnique({ where: { code: s.code } }),
        data,
        () => tx.sourceType.create({ data: { code: s.code, ...data } }),
        () => tx.sourceType.update({ where: { code: s.code }, data }),
      );
    }
    for (const g of cat.sdgIndicators) {
      const data = { title: g.title, target: g.target };
      await sync(
        'SdgIndicator',
        g.code,
        await tx.sdgIndicator.findUnique({ where: { code: g.code } }),
        data,
        () => tx.sdgIndicator.create({ data: { code: g.code, ...data } }),
        () => tx.sdgIndicator.update({ where: { code: g.code }, data }),
      );
    }
    for (const g of cat.gcmObjectives) {
      const data = { title: g.title, shortName: g.shortName ?? null };
      await sync(
        'GcmObjective',
        String(g.number),
        await tx.gcmObjective.findUnique({ where: { number: g.number } }),
        data,
        () => tx.gcmObjective.create({ data: { number: g.number, ...data } }),
        () => tx.gcmObjective.update({ where: { number: g.number }, data }),
      );
    }
    // An indicator may be linked to an SDG *target* ("17.18") rather than one of its indicators; such links are
    // kept, as a row whose code is the target, rather than dropped or rejected.
    const knownSdg = new Set((await tx.sdgIndicator.findMany({ select: { code: true } })).map((r) => r.code));
    const listed = new Set(cat.sdgIndicators.map((g) => g.code));
    for (const target of new Set(cat.indicators.flatMap((i) => i.sdg))) {
      if (listed.has(target) || !SDG_TARGET.test(target)) continue;
      // Kept from an earlier import: counted, as every other row the file names, so that a second import's
      // "unchanged" matches the first one's "created".
      if (knownSdg.has(target)) {
        count('SdgIndicator', 'unchanged');
        continue;
      }
      const data = { title: `SDG target ${target} (linked at target level)`, target };
      changed.push({
        type: 'SdgIndicator',
        id: (await tx.sdgIndicator.create({ data: { code: target, ...data } })).id,
      });
      await audit(tx, actor, 'sdgIndicator.create', 'SdgIndicator', target, null, data);
      count('SdgIndicator', 'created');
    }

    // Indicators and their links: resolve every reference first so that all missing ones are reported together.
    const issues: Issue[] = [];
    const ids = {
      variable: await idMap(tx.variable.findMany({ select: { id: true, code: true } }), (r) => r.code),
      topic: await idMap(tx.topic.findMany({ select: { id: true, code: true } }), (r) => r.code),
      sdg: await idMap(tx.sdgIndicator.findMany({ select: { id: true, code: true } }), (r) => r.code),
      gcm: await idMap(tx.gcmObjective.findMany({ select: { id: true, number: true } }), (r) => String(r.number)),
      sourceType: await idMap(tx.sourceType.findMany({ select: { id: true, code: true } }), (r) => r.code),
    };
    const resolve = (map: Map<string, number>, key: string, path: string[], what: string) => {
      const id = map.get(key);
      if (id === undefined) issues.push({ path, message: `unknown ${what} "${key}"` });
      return id ?? -1;
    };
    const indicatorLinks = cat.indicators.map((ind, i) => ({
      variables: ind.disaggregations.map((c, j) =>
        resolve(ids.variable, c, ['indicators', `[${i}]`, 'disaggregations', `[${j}]`], 'variable'),
      ),
      topics: ind.topics.map((c, j) => resolve(ids.topic, c, ['indicators', `[${i}]`, 'topics', `[${j}]`], 'topic')),
      sdg: ind.sdg.map((c, j) => resolve(ids.sdg, c, ['indicators', `[${i}]`, 'sdg', `[${j}]`], 'SDG indicator')),
      gcm: ind.gcmObjectives.map((n, j) =>
        resolve(ids.gcm, String(n), ['indicators', `[${i}]`, 'gcmObjectives', `[${j}]`], 'GCM objective'),
      ),
    }));
    const fileIndicators = new Set(cat.indicators.map((i) => i.code));
    const dbIndicators = await idMap(tx.indicator.findMany({ select: { id: true, code: true } }), (r) => r.code);
    cat.indicatorSources.forEach((l, i) => {
      if (!fileIndicators.has(l.indicator) && !dbIndicators.has(l.indicator))
        issues.push({
          path: ['indicatorSources', `[${i}]`, 'indicator'],
          message: `unknown indicator "${l.indicator}"`,
        });
      resolve(ids.sourceType, l.sourceType, ['indicatorSources', `[${i}]`, 'sourceType'], 'source type');
    });
    if (issues.length) throw ValidationError.of(issues);

    for (const [i, ind] of cat.indicators.entries()) {
      const links = indicatorLinks[i]!;
      const data = {
        name: ind.name,
        description: ind.description ?? null,
        unit: ind.unit,
        additive: ind.additive,
        signed: ind.signed,
        buildingBlock: ind.buildingBlock,
        tier: ind.tier,
        status: ind.status,
        provisionalFields: ind.provisional,
        sourceUrl: ind.source ?? null,
      };
      const existing = await tx.indicator.findUnique({
        where: { code: ind.code },
        include: {
          disaggregations: { orderBy: { position: 'asc' } },
          topics: true,
          sdgIndicators: true,
          gcmObjectives: true,
        },
      });
      const compare = {
        ...data,
        variables: links.variables,
        topics: [...links.topics].sort(),
        sdg: [...links.sdg].sort(),
        gcm: [...links.gcm].sort(),
      };
      const current = existing && {
        ...existing,
        variables: existing.disaggregations.map((d) => d.variableId),
        topics: existing.topics.map((t) => t.topicId).sort(),
        sdg: existing.sdgIndicators.map((s) => s.sdgIndicatorId).sort(),
        gcm: existing.gcmObjectives.map((g) => g.gcmObjectiveId).sort(),
      };
      const relations = {
        disaggregations: { create: links.variables.map((variableId, position) => ({ variableId, position })) },
        topics: { create: links.topics.map((topicId) => ({ topicId })) },
        sdgIndicators: { create: links.sdg.map((sdgIndicatorId) => ({ sdgIndicatorId })) },
        gcmObjectives: { create: links.gcm.map((gcmObjectiveId) => ({ gcmObjectiveId })) },
      };
      await sync(
        'Indicator',
        ind.code,
        current,
        compare,
        () => tx.indicator.create({ data: { code: ind.code, ...data, ...relations } }),
        async () => {
          const where = { indicatorId: existing!.id };
          await tx.indicatorVariable.deleteMany({ where });
          await tx.indicatorTopic.deleteMany({ where });
          await tx.indicatorSdg.deleteMany({ where });
          await tx.indicatorGcm.deleteMany({ where });
          return tx.indicator.update({
            where: { code: ind.code },
            data: { ...data, ...relations, revision: { increment: 1 } },
          });
        },
      );
    }

    const indicatorIds = await idMap(tx.indicator.findMany({ select: { id: true, code: true } }), (r) => r.code);
    for (const l of cat.indicatorSources) {
      const indicatorId = indicatorIds.get(l.indicator)!;
      const sourceTypeId = ids.sourceType.get(l.sourceType)!;
      const data = { suitability: l.suitability, note: l.note ?? null, sourceUrl: l.source ?? null };
      const where = { indicatorId_sourceTypeId: { indicatorId, sourceTypeId } };
      await sync(
        'IndicatorSourceType',
        `${l.indicator}/${l.sourceType}`,
        await tx.indicatorSourceType.findUnique({ where }),
        data,
        () => tx.indicatorSourceType.create({ data: { indicatorId, sourceTypeId, ...data } }),
        () => tx.indicatorSourceType.update({ where, data }),
        // A link is shown on both of its ends.
        (link) => [
          { type: 'Indicator', id: link.indicatorId },
          { type: 'SourceType', id: link.sourceTypeId },
        ],
      );
    }
    // Recommendations come after the indicators, whose ids their links need; their position is their order in
    // the file, which lists of recommendations (and the implementation rows of CONTRACT §8) follow.
    const conceptIds = await idMap(tx.concept.findMany({ select: { id: true, code: true } }), (r) => r.code);
    const recIssues: Issue[] = [];
    const recLinks = cat.recommendations.map((r, i) => ({
      indicators: r.indicators.map((c, j) => {
        const id = indicatorIds.get(c);
        if (id === undefined)
          recIssues.push({
            path: ['recommendations', `[${i}]`, 'indicators', `[${j}]`],
            message: `unknown indicator "${c}"`,
          });
        return id ?? -1;
      }),
      concepts: r.concepts.map((c, j) => {
        const id = conceptIds.get(c);
        if (id === undefined)
          recIssues.push({
            path: ['recommendations', `[${i}]`, 'concepts', `[${j}]`],
            message: `unknown concept "${c}"`,
          });
        return id ?? -1;
      }),
    }));
    if (recIssues.length) throw ValidationError.of(recIssues);
    for (const [position, r] of cat.recommendations.entries()) {
      const links = recLinks[position]!;
      const data = {
        text: r.text,
        sourceUrl: r.source ?? null,
        area: r.area ?? null,
        position,
        provisionalFields: r.provisional,
      };
      const existing = await tx.recommendation.findUnique({
        where: { code: r.code },
        include: { indicators: true, concepts: true },
      });
      const compare = { ...data, indicators: [...links.indicators].sort(), concepts: [...links.concepts].sort() };
      const current = existing && {
        ...existing,
        indicators: existing.indicators.map((l) => l.indicatorId).sort(),
        concepts: existing.concepts.map((l) => l.conceptId).sort(),
      };
      const relations = {
        indicators: { create: links.indicators.map((indicatorId) => ({ indicatorId })) },
        concepts: { create: links.concepts.map((conceptId) => ({ conceptId })) },
      };
      await sync(
        'Recommendation',
        r.code,
        current,
        compare,
        () => tx.recommendation.create({ data: { code: r.code, ...data, ...relations } }),
        async () => {
          const where = { recommendationId: existing!.id };
          await tx.recommendationIndicator.deleteMany({ where });
          await tx.recommendationConcept.deleteMany({ where });
          return tx.recommendation.update({
            where: { code: r.code },
            data: { ...data, ...relations, revision: { increment: 1 } },
          });
        },
      );
    }
    await recordItemChanges(tx, changed);
    return report;
  });
}

/**
 * The file with every code the hub has since renamed (an indicator, topic, variable or recommendation given a new
 * code through the API, audited with the old code in its before) replaced by the new one, wherever it stands. The
 * seed then finds the renamed item held and leaves it, rather than creating it again under its old code, and what it
 * does add links to the item under its new code.
 */
async function asRenamed(tx: Prisma.TransactionClient, cat: CatalogueFile): Promise<CatalogueFile> {
  const renames = await tx.$queryRaw<{ kind: string; from: string; to: string }[]>`
    SELECT "entityType" AS kind, "before"->>'code' AS "from", "entityKey" AS "to" FROM "AuditLog"
    WHERE "entityType" = ANY(${CATALOGUE_KINDS}) AND "after" IS NOT NULL AND "before"->>'code' <> "entityKey"
    ORDER BY id`;
  if (!renames.length) return cat;
  // Per kind, each code's name now, the renames followed in order: A to B then B to C makes A C; A to B then B
  // back to A makes A A again (and B no name of any item of the file).
  const now = new Map<string, Map<string, string>>();
  for (const { kind, from, to } of renames) {
    const names = now.get(kind) ?? now.set(kind, new Map()).get(kind)!;
    let followed = false;
    for (const [code, name] of names)
      if (name === from) {
        names.set(code, to);
        followed = true;
      }
    if (!followed) names.set(from, to);
  }
  const as = (kind: string) => (code: string) => now.get(kind)?.get(code) ?? code;
  const concept = as('Concept');
  const topic = as('Topic');
  const variable = as('Variable');
  const sourceType = as('SourceType');
  const indicator = as('Indicator');
  const recommendation = as('Recommendation');
  return {
    ...cat,
    concepts: cat.concepts.map((c) => ({ ...c, code: concept(c.code) })),
    topics: cat.topics.map((t) => ({ ...t, code: topic(t.code) })),
    variables: cat.variables.map((v) => ({ ...v, code: variable(v.code) })),
    sourceTypes: cat.sourceTypes.map((s) => ({ ...s, code: sourceType(s.code) })),
    indicators: cat.indicators.map((i) => ({
      ...i,
      code: indicator(i.code),
      topics: i.topics.map(topic),
      disaggregations: i.disaggregations.map(variable),
    })),
    indicatorSources: cat.indicatorSources.map((l) => ({
      ...l,
      indicator: indicator(l.indicator),
      sourceType: sourceType(l.sourceType),
    })),
    recommendations: cat.recommendations.map((r) => ({
      ...r,
      code: recommendation(r.code),
      indicators: r.indicators.map(indicator),
      concepts: r.concepts.map(concept),
    })),
  };
}

async function idMap<T extends { id: number }>(
  rows: Promise<T[]>,
  key: (row: T) => string,
): Promise<Map<string, number>> {
  return new Map((await rows).map((r) => [key(r), r.id]));
}

function pick(row: object, keys: string[]): Record<string, unknown> {
  const source = row as Record<string, unknown>;
  return Object.fromEntries(keys.map((k) => [k, source[k]]));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
