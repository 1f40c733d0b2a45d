// Implementation tracking (CONTRACT §8): recommendations as catalogue items with their area, indicators and
// concepts; countries' adoption records with history and review; evidence from data; the per-country rows, the
// regional summary and the time series; reportAdoption, reviewAdoption and importAdoptions.
import { createContextCache, type InputFieldBuilder } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { actorOf } from '../access/audit.js';
import type { Context } from '../platform/context.js';
import { countryKey, m49Code } from '../geography/m49.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { builder, type BuilderTypes } from '../schema/builder.js';
import { requireCode, unknownCodesMessage } from '../schema/codes.js';
import { connectionOf, orderBy, pageOf, wherePerField } from '../schema/connections.js';
import { badInput, EXPECTED_REVISION_DESCRIPTION } from '../schema/errors.js';
import { localId } from '../schema/global-id.js';
import { targetDescriptions, targetId } from '../schema/target.js';
import { countryDataImportScopes, fileFields, tableOf } from '../schema/upload.js';
import { Concept, Recommendation } from '../catalogue/catalogue.schema.js';
import { Indicator } from '../catalogue/indicator.schema.js';
import { provisionalFieldsOf, RECOMMENDATION_FIELDS } from '../catalogue/catalogue.service.js';
import { Country, regionIdFor } from '../geography/country.schema.js';
import { checkWindow, regionId, YearWindow } from '../coverage/coverage.schema.js';
import type { Scope, YearWindow as Window } from '../coverage/coverage.service.js';
import { ImportProblemRef } from '../submissions/submission.schema.js';
import type { ImportProblem } from '../submissions/submissions.import.js';
import { seesInternals, visibilityOf } from '../submissions/visibility.js';
import * as implementation from './implementation.service.js';
import { reportAdoption, reviewAdoption } from './adoptions.service.js';
import { importAdoptions } from './adoptions.import.js';
import { createRecommendation, updateRecommendation } from './recommendations.service.js';

export const AdoptionStatus = builder.enumType('AdoptionStatus', {
  description: 'How far a country has implemented a recommendation (CONTRACT §8); null means unknown (no record).',
  values: {
    NOT_STARTED: { description: 'Nothing done yet.' },
    PLANNED: { description: 'Planned, not yet in production.' },
    PARTIAL: { description: 'Partly implemented.' },
    IMPLEMENTED: { description: 'Implemented.' },
    NOT_APPLICABLE: { description: 'Does not apply to the country.' },
  } as const,
});

export const AdoptionReviewStatus = builder.enumType('AdoptionReviewStatus', {
  description: "A task-force member's verdict on a country's declaration.",
  values: {
    CONFIRMED: { description: 'The declaration matches what the task force knows.' },
    DISPUTED: { description: 'The task force disagrees (the comment says why).' },
  } as const,
});

export const FrameworkArea = builder.enumType('FrameworkArea', {
  description: 'The area of the revised Recommendations a recommendation belongs to (the task force that owns it).',
  values: {
    TF1_DATA_AND_INDICATORS: { description: 'TF1: the data and indicators framework.' },
    TF2_CONCEPTS_AND_DEFINITIONS: { description: 'TF2: concepts and definitions.' },
    TF4_DATA_SOURCES: { description: 'TF4: data sources.' },
    CROSS_CUTTING: { description: 'Across the framework (metadata, dissemination).' },
  } as const,
});

export const Discrepancy = builder.enumType('Discrepancy', {
  description: "Where a country's declaration and its own data disagree (CONTRACT §8).",
  values: {
    DECLARED_NOT_EVIDENCED: { description: 'Declared IMPLEMENTED, but the evidence rule is not met.' },
    EVIDENCED_NOT_DECLARED: {
      description: 'The evidence rule is met, but the status is unknown, NOT_STARTED or PLANNED.',
    },
  } as const,
});

// ---------------------------------------------------------------------------------------------------------------
// Recommendations as catalogue items

/** The recommendation fields that may await confirmation; the values are the names stored in provisional marks. */
export const RecommendationField = builder.enumType('RecommendationField', {
  description: 'A field of a recommendation, as named in provisional marks.',
  values: {
    TEXT: { value: 'text', description: 'The recommendation text.' },
    SOURCE_URL: { value: 'sourceUrl', description: 'Where it was stated.' },
    AREA: { value: 'area', description: 'The framework area.' },
    POSITION: { value: 'position', description: 'The position in the catalogue.' },
    INDICATORS: { value: 'indicators', description: 'The indicators it concerns.' },
    CONCEPTS: { value: 'concepts', description: 'The concepts it concerns.' },
  } as const,
});

builder.prismaObjectFields(Recommendation, (t) => ({
  area: t.expose('area', {
    type: FrameworkArea,
    nullable: true,
    description: 'The framework area (task force) it belongs to.',
  }),
  position: t.exposeInt('position', { description: 'Position in the catalogue; lists follow it.' }),
  revision: t.exposeInt('revision', {
    description: 'Optimistic-concurrency token: pass it as expectedRevision to updateRecommendation.',
  }),
  provisionalFields: t.exposeStringList('provisionalFields', {
    description:
      'Fields whose values were assigned for the seed and await task-force confirmation, as stored (each named ' +
      'first, a remark may follow).',
  }),
  provisional: t.field({
    type: [RecommendationField],
    description: 'The fields of provisionalFields, as enum values (remarks left out), in the same order.',
    resolve: (r) => provisionalFieldsOf(r.provisionalFields, RECOMMENDATION_FIELDS),
  }),
  hasEvidenceRule: t.boolean({
    description: "Whether the hub checks the recommendation against countries' data (CONTRACT §8).",
    resolve: (r) => implementation.hasRule(r.code),
  }),
  indicators: t.field({
    type: [Indicator],
    description: 'Indicators it concerns, by code.',
    select: (_args, _ctx, nested) => ({
      indicators: { orderBy: { indicator: { code: 'asc' } }, select: { indicator: nested(true) } },
    }),
    resolve: (r) => r.indicators.map((l) => l.indicator),
  }),
  concepts: t.field({
    type: [Concept],
    description: 'Concepts it concerns, by code.',
    select: (_args, _ctx, nested) => ({
      concepts: { orderBy: { concept: { code: 'asc' } }, select: { concept: nested(true) } },
    }),
    resolve: (r) => r.concepts.map((l) => l.concept),
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Adoption records

// Who declared, who reviewed and what they said: internal (visibility.ts seesInternals).

export const AdoptionReview = builder
  .objectRef<{
    status: 'CONFIRMED' | 'DISPUTED';
    comment: string | null;
    reviewedBy: string | null;
    reviewedAt: Date | null;
  }>('AdoptionReview')
  .implement({
    description: "A task-force member's review of the current declaration.",
    fields: (t) => ({
      status: t.field({ type: AdoptionReviewStatus, description: 'The verdict.', resolve: (r) => r.status }),
      comment: t.exposeString('comment', { nullable: true, description: "The reviewer's comment, if any." }),
      reviewedBy: t.exposeString('reviewedBy', { nullable: true, description: "The reviewer's token name." }),
      reviewedAt: t.expose('reviewedAt', { type: 'DateTime', nullable: true, description: 'When it was reviewed.' }),
    }),
  });

type ReviewFields = {
  countryId: number;
  reviewStatus: 'CONFIRMED' | 'DISPUTED' | null;
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
};

/**
 * Reviews are internal (README "For implementation trackers"): read by the task force and the country, the callers
 * that read its internals (visibility.ts seesInternals). The one rule for the review itself and for every trace of
 * it: REVIEW entries in the history, the revisions they took, the time they changed the record.
 */
const seesReviews = (ctx: Context, countryId: number) => seesInternals(ctx.viewer, countryId);

const reviewOf = (r: ReviewFields, ctx: Context) =>
  r.reviewStatus && seesReviews(ctx, r.countryId)
    ? { status: r.reviewStatus, comment: r.reviewComment, reviewedBy: r.reviewedBy, reviewedAt: r.reviewedAt }
    : null;

type ChangeRow = Prisma.AdoptionChangeGetPayload<object> & { countryId: number };

export const AdoptionChange = builder.objectRef<ChangeRow>('AdoptionChange').implement({
  description: 'One version of an adoption record: the state after one change (a declaration or a review).',
  fields: (t) => ({
    revision: t.exposeInt('revision', { description: "The record's revision after the change." }),
    kind: t.exposeString('kind', { description: 'DECLARE or REVIEW.' }),
    status: t.field({
      type: AdoptionStatus,
      description: 'The declared status after the change.',
      resolve: (c) => c.status,
    }),
    since: t.exposeInt('since', { nullable: true, description: 'Year since which the status holds.' }),
    note: t.exposeString('note', { nullable: true, description: "The declaration's note." }),
    evidenceUrl: t.exposeString('evidenceUrl', { nullable: true, description: 'URL of public evidence.' }),
    reviewStatus: t.field({
      type: AdoptionReviewStatus,
      nullable: true,
      description: 'The review in force after the change (task force and the country only).',
      resolve: (c, _args, ctx) => (seesReviews(ctx, c.countryId) ? c.reviewStatus : null),
    }),
    reviewComment: t.string({
      nullable: true,
      description: 'Its comment (task force and the country only).',
      resolve: (c, _args, ctx) => (seesReviews(ctx, c.countryId) ? c.reviewComment : null),
    }),
    actor: t.string({
      nullable: true,
      description: "Who made the change (the token's name): task force and the country only.",
      resolve: (c, _args, ctx) => (seesInternals(ctx.viewer, c.countryId) ? c.actor : null),
    }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When the change was made.' }),
  }),
});

/**
 * The history of many records in one statement, as the caller may read it: a caller who does not see the record's
 * reviews reads its declarations only, numbered 1, 2, 3… as if no review had ever taken a revision.
 */
async function changesOf(ctx: Context, adoptionIds: readonly number[]): Promise<ChangeRow[][]> {
  const rows = await ctx.prisma.adoptionChange.findMany({
    where: { adoptionId: { in: [...adoptionIds] } },
    include: { adoption: { select: { countryId: true } } },
    orderBy: [{ adoptionId: 'asc' }, { revision: 'asc' }],
  });
  const byRecord = new Map<number, ChangeRow[]>();
  for (const { adoption, ...row } of rows) {
    if (row.kind === 'REVIEW' && !seesReviews(ctx, adoption.countryId)) continue;
    const list = byRecord.get(row.adoptionId) ?? [];
    const revision = seesReviews(ctx, adoption.countryId) ? row.revision : list.length + 1;
    list.push({ ...row, revision, countryId: adoption.countryId });
    byRecord.set(row.adoptionId, list);
  }
  return adoptionIds.map((id) => byRecord.get(id) ?? []);
}

// Per request (keyed by the context, so nothing crosses callers): every history field and hidden revision of a
// request in one batch.
const historyLoaders = createContextCache(
  (ctx: Context) => new DataLoader((ids: readonly number[]) => changesOf(ctx, ids)),
);
const historyOf = (ctx: Context, adoptionId: number): Promise<ChangeRow[]> => historyLoaders(ctx).load(adoptionId);

export const AdoptionRecord = builder.prismaNode('RecommendationAdoption', {
  name: 'AdoptionRecord',
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description:
    "A country's declaration about one recommendation (CONTRACT §8), with its review and the history of every change.",
  fields: (t) => ({
    country: t.relation('country'),
    recommendation: t.relation('recommendation'),
    status: t.expose('status', { type: AdoptionStatus }),
    since: t.exposeInt('since', {
      nullable: true,
      description: 'Year since which the status holds, as the current declaration gives it (null: it gives none).',
    }),
    note: t.exposeString('note', { nullable: true, description: "The current declaration's note (null: none)." }),
    evidenceUrl: t.exposeString('evidenceUrl', {
      nullable: true,
      description: 'URL of public evidence, as the current declaration gives it (null: none).',
    }),
    reportedBy: t.string({
      nullable: true,
      description: "Who declared the current status (the token's name): task force and the country only.",
      resolve: (a, _args, ctx) => (seesInternals(ctx.viewer, a.countryId) ? a.reportedBy : null),
    }),
    reportedAt: t.expose('reportedAt', { type: 'DateTime' }),
    revision: t.int({
      description:
        'Optimistic-concurrency token: pass it as expectedRevision to reportAdoption and reviewAdoption. Callers ' +
        'who do not read reviews read the number of declarations (the last revision of their history).',
      resolve: async (a, _args, ctx) =>
        seesReviews(ctx, a.countryId) ? a.revision : ((await historyOf(ctx, a.id)).at(-1)?.revision ?? a.revision),
    }),
    review: t.field({
      type: AdoptionReview,
      nullable: true,
      description: 'The review of the current declaration, if any (task force and the country only).',
      resolve: (a, _args, ctx) => reviewOf(a, ctx),
    }),
    history: t.field({
      type: [AdoptionChange],
      description:
        'Every version of the record, oldest first (the current one last); its reviews for the task force and the ' +
        'country only.',
      resolve: (a, _args, ctx) => historyOf(ctx, a.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When the record last changed; for callers who do not read reviews, when it was last declared.',
      resolve: (a, _args, ctx) => (seesReviews(ctx, a.countryId) ? a.updatedAt : a.reportedAt),
    }),
  }),
});

export const AdoptionRecordConnection = connectionOf(AdoptionRecord, 'AdoptionRecord');

const AdoptionFilter = builder.inputType('AdoptionFilter', {
  description: 'Conditions an adoption record must all meet.',
  fields: (t) => ({
    status: t.field({ type: [AdoptionStatus], required: false, description: 'Only records of these statuses.' }),
    region: t.string({ required: false, description: 'M49 region code: countries inside it at any depth.' }),
  }),
});

const adoptionOrder = orderBy('AdoptionRecordOrder', {
  items: 'adoption records',
  fields: {
    COUNTRY: { description: "The country's M49 code.", keys: (d) => [{ country: { m49: d } }] },
    UPDATED_AT: {
      description: 'When the record last changed (for callers who do not read every review: last declared).',
      keys: (d) => [{ updatedAt: d }],
    },
  },
  default: { field: 'COUNTRY', direction: 'ASC' },
  defaultIs: 'by country M49 code',
});

/** The records of one recommendation the filter selects; NOT_FOUND for a region code that names nothing. */
const adoptionWhere = wherePerField(
  async (
    recommendation: { id: number },
    { filter }: { filter?: typeof AdoptionFilter.$inferInput | null },
    ctx: Context,
  ): Promise<Prisma.RecommendationAdoptionWhereInput> => {
    const where: Prisma.RecommendationAdoptionWhereInput = { recommendationId: recommendation.id };
    if (filter?.status?.length) where.status = { in: filter.status };
    if (filter?.region != null) {
      where.country = {
        regions: { some: { regionId: await regionIdFor(ctx.prisma, filter.region, 'filter.region') } },
      };
    }
    return where;
  },
);

/**
 * The order of a caller's records: by UPDATED_AT, a caller who does not read every country's reviews gets the time
 * of the last declaration, so that a review does not move a record it cannot see.
 */
function adoptionOrderFor(ctx: Context, order: Parameters<typeof adoptionOrder.prismaOrderBy>[0]) {
  const keys = adoptionOrder.prismaOrderBy(order);
  if (visibilityOf(ctx.viewer).kind === 'ALL') return keys;
  return keys.map((k) => ('updatedAt' in k ? { reportedAt: k.updatedAt } : k));
}

builder.prismaObjectField(Recommendation, 'adoptions', (t) =>
  t.prismaConnection(
    {
      type: 'RecommendationAdoption',
      cursor: 'id',
      description: "Countries' adoption records matching the filter, by country M49 code unless ordered otherwise.",
      args: {
        filter: t.arg({ type: AdoptionFilter, required: false, description: 'Which records; all when omitted.' }),
        ...adoptionOrder.args,
      },
      resolve: async (query, recommendation, args, ctx) =>
        ctx.prisma.recommendationAdoption.findMany({
          ...pageOf(query, await adoptionWhere(recommendation, args, ctx)),
          orderBy: adoptionOrderFor(ctx, args.orderBy),
        }),
      totalCount: async (recommendation, args, ctx) =>
        ctx.prisma.recommendationAdoption.count({ where: await adoptionWhere(recommendation, args, ctx) }),
    },
    AdoptionRecordConnection,
  ),
);

// ---------------------------------------------------------------------------------------------------------------
// Rows, summaries, time series

const Evidence = builder.objectRef<implementation.Evidence>('Evidence').implement({
  description: "What the country's own data (the caller's visible countable versions) say about a recommendation.",
  fields: (t) => ({
    met: t.exposeBoolean('met', { description: 'Whether the rule of CONTRACT §8 is met.' }),
    detail: t.exposeString('detail', { description: 'Why, in words.' }),
  }),
});

type RecordRow = Prisma.RecommendationAdoptionGetPayload<object>;
type RowShape = implementation.AdoptionRowResult<RecordRow> & {
  recommendationRow: RecommendationShape;
  countryRow: Prisma.CountryGetPayload<object>;
};
type RecommendationShape = Prisma.RecommendationGetPayload<object>;

const AdoptionRow = builder.objectRef<RowShape>('AdoptionRow').implement({
  description:
    'One recommendation for one country (CONTRACT §8): the declaration (null fields when unknown), the evidence ' +
    'from data and the discrepancy between the two.',
  fields: (t) => ({
    recommendation: t.field({
      type: Recommendation,
      description: 'The recommendation.',
      resolve: (r) => r.recommendationRow,
    }),
    country: t.field({ type: Country, description: 'The country.', resolve: (r) => r.countryRow }),
    record: t.field({
      type: AdoptionRecord,
      nullable: true,
      description: 'The adoption record; null when the country has declared nothing.',
      resolve: (r) => r.record,
    }),
    status: t.field({
      type: AdoptionStatus,
      nullable: true,
      description: 'Null: unknown.',
      resolve: (r) => r.record?.status ?? null,
    }),
    since: t.int({
      nullable: true,
      description: 'Year since which the status holds; null when not given or unknown.',
      resolve: (r) => r.record?.since ?? null,
    }),
    note: t.string({ nullable: true, description: "The declaration's note.", resolve: (r) => r.record?.note ?? null }),
    evidenceUrl: t.string({
      nullable: true,
      description: 'URL of public evidence, if given.',
      resolve: (r) => r.record?.evidenceUrl ?? null,
    }),
    review: t.field({
      type: AdoptionReview,
      nullable: true,
      description: 'The review of the declaration, if any (task force and the country only).',
      resolve: (r, _args, ctx) => (r.record ? reviewOf(r.record, ctx) : null),
    }),
    evidence: t.field({
      type: Evidence,
      nullable: true,
      description: 'Null when the recommendation has no evidence rule (declared only).',
      resolve: (r) => r.evidence,
    }),
    discrepancy: t.field({
      type: Discrepancy,
      nullable: true,
      description: 'Where declaration and evidence disagree; null when they do not (or there is no rule).',
      resolve: (r) => r.discrepancy,
    }),
    history: t.field({
      type: [AdoptionChange],
      description:
        'Every version of the record, oldest first; empty when there is no record. Its reviews for the task force ' +
        'and the country only.',
      resolve: (r, _args, ctx) => (r.record ? historyOf(ctx, r.record.id) : []),
    }),
  }),
});

const StatusCount = builder
  .objectRef<{ status: implementation.RecommendationSummaryResult['byStatus'][number]['status']; countries: number }>(
    'AdoptionStatusCount',
  )
  .implement({
    description: 'How many countries in scope are at a status (null: unknown, no record).',
    fields: (t) => ({
      status: t.field({
        type: AdoptionStatus,
        nullable: true,
        description: 'The status; null for countries with no record.',
        resolve: (c) => c.status,
      }),
      countries: t.exposeInt('countries', { description: 'Countries in scope at that status.' }),
    }),
  });

type SummaryShape = implementation.RecommendationSummaryResult & { recommendationRow: RecommendationShape };

const RecommendationSummary = builder.objectRef<SummaryShape>('RecommendationSummary').implement({
  description: 'One recommendation over the countries in scope (CONTRACT §8).',
  fields: (t) => ({
    countriesInScope: t.exposeInt('countriesInScope', { description: 'Countries of the region (or all countries).' }),
    byStatus: t.field({
      type: [StatusCount],
      description: 'Countries per status, every status listed (zeros included), unknown (null) first.',
      resolve: (s) => s.byStatus,
    }),
    unknown: t.int({
      description: 'Countries with no record (status null).',
      resolve: (s) => s.byStatus.find((b) => b.status === null)?.countries ?? 0,
    }),
    evidenceMet: t.exposeInt('evidenceMet', {
      nullable: true,
      description: 'Countries whose data meet the rule; null when the recommendation has no rule.',
    }),
    discrepancies: t.exposeInt('discrepancies', { description: 'Countries with a discrepancy of either kind.' }),
    declaredNotEvidenced: t.exposeInt('declaredNotEvidenced', {
      description: 'Countries with the discrepancy DECLARED_NOT_EVIDENCED.',
    }),
    evidencedNotDeclared: t.exposeInt('evidencedNotDeclared', {
      description: 'Countries with the discrepancy EVIDENCED_NOT_DECLARED.',
    }),
  }),
});

const TimelinePoint = builder
  .objectRef<{ year: number; implemented: number; countriesWithRecord: number }>('ImplementationYear')
  .implement({
    description: 'The state at the end of one year.',
    fields: (t) => ({
      year: t.exposeInt('year', { description: 'The year.' }),
      implemented: t.exposeInt('implemented', {
        description: 'Countries whose record in force on 31 December said IMPLEMENTED (since that year or earlier).',
      }),
      countriesWithRecord: t.exposeInt('countriesWithRecord', { description: 'Countries with any record by then.' }),
    }),
  });

type TimelineShape = implementation.TimelineResult & { recommendationRow: RecommendationShape };

const RecommendationTimeline = builder.objectRef<TimelineShape>('RecommendationTimeline').implement({
  description: 'How many countries had implemented a recommendation at the end of each year, from the history.',
  fields: (t) => ({
    years: t.field({
      type: [TimelinePoint],
      description: 'One point per year, from `from` to `to`.',
      resolve: (s) => s.years,
    }),
  }),
});

// Both carry the row of the recommendation they were computed for (withRecommendationRows).
for (const ref of [RecommendationSummary, RecommendationTimeline] as const) {
  builder.objectField(ref as typeof RecommendationSummary, 'recommendation', (t) =>
    t.field({ type: Recommendation, description: 'The recommendation.', resolve: (s) => s.recommendationRow }),
  );
}

const recommendationsInOrder = (ctx: Context) =>
  ctx.prisma.recommendation.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] });

/** Per-recommendation results with the recommendation row each was computed for (their `recommendation` field). */
function withRecommendationRows<T extends { recommendationId: number }>(rows: RecommendationShape[], results: T[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return results.map((s) => ({ ...s, recommendationRow: byId.get(s.recommendationId)! }));
}

/** The `window:` argument of the fields that check evidence. */
const evidenceWindow = builder.args((t) => ({
  window: t.field({
    type: YearWindow,
    required: false,
    description: 'Reference years of the evidence; all when omitted.',
  }),
}));

/** The rows of several countries at once: three statements whatever their number. */
async function rowsFor(ctx: Context, countryIds: readonly number[], window: Window | null): Promise<RowShape[][]> {
  const [recommendations, countries, records, facts] = await Promise.all([
    recommendationsInOrder(ctx),
    ctx.prisma.country.findMany({ where: { id: { in: [...countryIds] } } }),
    ctx.prisma.recommendationAdoption.findMany({ where: { countryId: { in: [...countryIds] } } }),
    implementation.evidenceFacts(ctx.prisma, { countryIds, window }, visibilityOf(ctx.viewer)),
  ]);
  const factsOf = new Map(facts.map((f) => [f.countryId, f]));
  const recById = new Map(recommendations.map((r) => [r.id, r]));
  const countryById = new Map(countries.map((c) => [c.id, c]));
  return countryIds.map((countryId) =>
    implementation
      .adoptionRows(
        recommendations,
        countryId,
        records.filter((r) => r.countryId === countryId),
        factsOf.get(countryId)!,
      )
      .map((row) => ({
        ...row,
        recommendationRow: recById.get(row.recommendationId)!,
        countryRow: countryById.get(countryId)!,
      })),
  );
}

builder.queryFields((t) => ({
  implementation: t.field({
    type: [AdoptionRow],
    description:
      'One row per recommendation, in catalogue order, for one country (M49 or ISO3 code): its declaration, the ' +
      "evidence from its data (the caller's visible countable versions in the window; default all years) and the " +
      'discrepancy.',
    args: { country: t.arg.string({ required: true, description: 'M49 or ISO3 code.' }), ...evidenceWindow },
    resolve: async (_root, args, ctx) => {
      const window = checkWindow(args.window);
      const country = await requireCode('country', 'country', args.country, (code) =>
        ctx.prisma.country.findUnique({ where: countryKey(code), select: { id: true } }),
      );
      return (await rowsFor(ctx, [country.id], window))[0]!;
    },
  }),
  implementationSummary: t.field({
    type: [RecommendationSummary],
    description:
      'Per recommendation, in catalogue order, over the countries of a region (M49 code, any depth; default all): ' +
      'how many are at each status (unknown included), meet the evidence rule, and show a discrepancy.',
    args: {
      region: t.arg.string({ required: false, description: 'M49 region code; every country when omitted.' }),
      ...evidenceWindow,
    },
    resolve: async (_root, args, ctx) => {
      const window = checkWindow(args.window);
      const scope: Scope = { window, regionCode: args.region == null ? null : m49Code(args.region) };
      const [, recommendations] = await Promise.all([regionId(ctx, args.region), recommendationsInOrder(ctx)]);
      const summary = await implementation.implementationSummary(
        ctx.prisma,
        scope,
        visibilityOf(ctx.viewer),
        recommendations,
      );
      return withRecommendationRows(recommendations, summary);
    },
  }),
  implementationTimeline: t.field({
    type: [RecommendationTimeline],
    description:
      'Per recommendation, in catalogue order: how many countries of a region (default all) had implemented it at ' +
      'the end of each year from `from` to `to`, read from the records’ history.',
    args: {
      region: t.arg.string({ required: false, description: 'M49 region code; every country when omitted.' }),
      from: t.arg.int({ required: true, description: 'First year (inclusive).' }),
      to: t.arg.int({ required: true, description: 'Last year (inclusive); at most 200 years after `from`.' }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.from > args.to) throw badInput(`from (${args.from}) is after to (${args.to})`);
      if (args.to - args.from > 200) throw badInput('at most 200 years at once');
      const scope: Scope = { regionCode: args.region == null ? null : m49Code(args.region) };
      const [, recommendations, timeline] = await Promise.all([
        regionId(ctx, args.region),
        recommendationsInOrder(ctx),
        implementation.implementationTimeline(ctx.prisma, scope, args.from, args.to),
      ]);
      return withRecommendationRows(recommendations, timeline);
    },
  }),
}));

builder.prismaObjectField(Country, 'implementation', (t) =>
  t.loadableList({
    type: AdoptionRow,
    byPath: true,
    description: 'The implementation rows of the country (as the implementation query), batched over a page.',
    args: evidenceWindow,
    // Async, so that a bad window rejects the batch (BAD_USER_INPUT) rather than throwing out of DataLoader's call.
    load: async (ids: number[], ctx: Context, args) => rowsFor(ctx, ids, checkWindow(args.window)),
    resolve: (country) => country.id,
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations

const ReportAdoptionInput = builder.inputType('ReportAdoptionInput', {
  description:
    "A country's whole declaration about one recommendation (CONTRACT §8). It replaces the stored one, as a row of " +
    'the adoptions CSV does: since, note and evidenceUrl left out (or null) are cleared, not kept; the previous ' +
    'values stay in the history. To change only the status, send the other fields as read.',
  fields: (t) => ({
    country: t.string({ required: true, description: 'M49 or ISO3 code.' }),
    recommendation: t.string({ required: true, description: 'Recommendation code, e.g. "REC_RESIDENCE".' }),
    status: t.field({ type: AdoptionStatus, required: true, description: 'The declared status.' }),
    since: t.int({
      description: 'Year since which the status holds. Left out or null: none (a stored year is cleared).',
    }),
    note: t.string({
      description:
        'Free text: what was done, what is planned. Left out, null or blank: none (a stored note is cleared).',
    }),
    evidenceUrl: t.string({
      description:
        'An http(s) URL of public evidence (a law, a methodology note). Left out, null or blank: none (a stored URL ' +
        'is cleared).',
    }),
    expectedRevision: t.int({
      description:
        'The revision the caller last read (0 when it saw no record); a stale one fails with ConflictError and ' +
        'changes nothing. Absent: the declaration replaces whatever is there (still kept in the history).',
    }),
  }),
});

const ReportAdoptionPayload = builder
  .objectRef<{ record: RecordRow; changed: boolean }>('ReportAdoptionPayload')
  .implement({
    description: 'The adoption record after the declaration.',
    fields: (t) => ({
      record: t.field({ type: AdoptionRecord, description: 'The record.', resolve: (p) => p.record }),
      changed: t.exposeBoolean('changed', { description: 'False when the declaration equalled the stored one.' }),
    }),
  });

const ReviewAdoptionInput = builder.inputType('ReviewAdoptionInput', {
  description: "A task-force member's verdict on an adoption record.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The adoption record's global id." }),
    status: t.field({ type: AdoptionReviewStatus, required: true, description: 'The verdict.' }),
    comment: t.string({ description: 'Why; required to dispute.' }),
    expectedRevision: t.int({
      description: 'The revision the caller last read; a stale one fails with ConflictError.',
    }),
  }),
});

const ReviewAdoptionPayload = builder.objectRef<{ record: RecordRow }>('ReviewAdoptionPayload').implement({
  description: 'The adoption record after the review.',
  fields: (t) => ({
    record: t.field({ type: AdoptionRecord, description: 'The record.', resolve: (p) => p.record }),
  }),
});

const ImportAdoptionsInput = builder.inputType('ImportAdoptionsInput', {
  description:
    'An adoptions file (country,recommendation,status,since,note,evidence_url; CONTRACT §8): the CSV as text, or ' +
    'an uploaded CSV or XLSX file; exactly one.',
  fields: (t) => ({
    ...fileFields(t),
    dryRun: t.boolean({ description: 'Validate only; write nothing.' }),
  }),
});

const ImportAdoptionsResult = builder
  .objectRef<{
    ok: boolean;
    dryRun: boolean;
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    problems: ImportProblem[];
  }>('ImportAdoptionsResult')
  .implement({
    description: 'The outcome of importAdoptions: every problem (nothing written), or the counts (none on a dry run).',
    fields: (t) => ({
      ok: t.exposeBoolean('ok', { description: 'True when the file is valid (and, unless dryRun, was written).' }),
      dryRun: t.exposeBoolean('dryRun', { description: 'Whether this was a dry run (nothing written).' }),
      rows: t.exposeInt('rows', { description: 'Data rows read.' }),
      created: t.exposeInt('created', { description: 'Records created.' }),
      updated: t.exposeInt('updated', { description: 'Records whose declaration changed.' }),
      unchanged: t.exposeInt('unchanged', { description: 'Rows equal to the stored record, left alone.' }),
      problems: t.field({
        type: [ImportProblemRef],
        description: 'Every problem, by line and column; empty when ok.',
        resolve: (r) => r.problems,
      }),
    }),
  });

builder.mutationFields((t) => ({
  reportAdoption: t.field({
    type: ReportAdoptionPayload,
    description:
      "Declares a country's status for a recommendation: that country's FOCAL_POINT, or TASK_FORCE/ADMIN on its " +
      'behalf. The declaration replaces the stored one whole (fields left out are cleared). Every change is kept ' +
      'in the history and audited.',
    authScopes: async (_root, { input }, ctx) => {
      const country = await ctx.prisma.country.findUnique({ where: countryKey(input.country), select: { id: true } });
      return { countryWriter: country?.id ?? -1 };
    },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: ReportAdoptionInput, required: true, description: 'The declaration.' }) },
    resolve: async (_root, { input }, ctx) => {
      const [country, recommendation] = await Promise.all([
        ctx.prisma.country.findUnique({ where: countryKey(input.country), select: { id: true } }),
        ctx.prisma.recommendation.findUnique({ where: { code: input.recommendation.trim() }, select: { id: true } }),
      ]);
      // Every unknown code at once, worded as everywhere (README "Unknown codes").
      const unknown = [
        ...(country ? [] : [unknownCodesMessage('input.country', 'country', [input.country])]),
        ...(recommendation
          ? []
          : [unknownCodesMessage('input.recommendation', 'recommendation', [input.recommendation])]),
      ];
      if (!country || !recommendation) throw new NotFoundError(unknown.join('; '));
      const { record, outcome } = await reportAdoption(ctx.prisma, actorOf(ctx.viewer), {
        countryId: country.id,
        recommendationId: recommendation.id,
        status: input.status,
        since: input.since,
        note: input.note,
        evidenceUrl: input.evidenceUrl,
        expectedRevision: input.expectedRevision,
      });
      return { record, changed: outcome !== 'unchanged' };
    },
  }),
  reviewAdoption: t.field({
    type: ReviewAdoptionPayload,
    description: 'Reviews an adoption record as CONFIRMED or DISPUTED with a comment (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: ReviewAdoptionInput, required: true, description: 'The record and the verdict.' }) },
    resolve: async (_root, { input }, ctx) => ({
      record: await reviewAdoption(ctx.prisma, actorOf(ctx.viewer), {
        id: localId(input.id, 'AdoptionRecord'),
        status: input.status,
        comment: input.comment,
        expectedRevision: input.expectedRevision,
      }),
    }),
  }),
  importAdoptions: t.field({
    type: ImportAdoptionsResult,
    description:
      'Imports an adoptions file (CSV or XLSX), all-or-nothing, every problem by line and column (sheet and cell in ' +
      'a workbook). A FOCAL_POINT may import its own ' +
      "country's rows only; TASK_FORCE and ADMIN any.",
    authScopes: countryDataImportScopes,
    args: {
      input: t.arg({ type: ImportAdoptionsInput, required: true, description: 'The file and whether to write it.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      const dryRun = !!input.dryRun;
      const { source, table } = tableOf(input);
      const result = await importAdoptions(ctx.prisma, source, {
        actor: actorOf(ctx.viewer),
        viewer: ctx.viewer,
        dryRun,
        table,
      });
      return result.ok
        ? { ok: true, dryRun, problems: [], ...result.report }
        : { ok: false, dryRun, rows: result.rows, created: 0, updated: 0, unchanged: 0, problems: result.problems };
    },
  }),
}));

// ---------------------------------------------------------------------------------------------------------------
// Recommendation curation (TASK_FORCE and ADMIN)

/** The fields a recommendation's create and update inputs share, described once. */
const recommendationFields = (t: InputFieldBuilder<BuilderTypes, 'InputObject'>) => ({
  sourceUrl: t.string({ description: 'Where it was stated (a URL or a citation).' }),
  area: t.field({ type: FrameworkArea, description: 'The framework area (task force) it belongs to.' }),
  position: t.int({ description: 'Position in the catalogue (lists follow it); default: last.' }),
  indicators: t.stringList({ description: 'Codes of the indicators it concerns; replaces the list.' }),
  concepts: t.stringList({ description: 'Codes of the concepts it concerns; replaces the list.' }),
});
const RECOMMENDATION_TEXT = 'The recommendation text.';

const CreateRecommendationInput = builder.inputType('CreateRecommendationInput', {
  description: 'A new recommendation.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'Stable code: upper-case letters, digits and _.' }),
    text: t.string({ required: true, description: RECOMMENDATION_TEXT }),
    ...recommendationFields(t),
    provisionalFields: t.field({
      type: [RecommendationField],
      description: 'Fields whose values await task-force confirmation.',
    }),
  }),
});

const recommendationIs = targetDescriptions('recommendation', 'id', 'recommendation', 'REC_RESIDENCE');

const UpdateRecommendationInput = builder.inputType('UpdateRecommendationInput', {
  description:
    'Changes to a recommendation (its code is stable). Absent fields are left alone; null clears an optional one. ' +
    'Every problem of the input is reported at once.',
  fields: (t) => ({
    id: t.id({ description: recommendationIs.id }),
    recommendation: t.string({ description: recommendationIs.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    text: t.string({ description: RECOMMENDATION_TEXT }),
    ...recommendationFields(t),
    provisionalFields: t.field({
      type: [RecommendationField],
      description: 'Fields awaiting confirmation. When absent, every field the update sets is confirmed.',
    }),
  }),
});

const recommendationPayload = (name: string, description: string) =>
  builder.objectRef<{ recommendation: RecommendationShape }>(name).implement({
    description,
    fields: (t) => ({
      recommendation: t.field({
        type: Recommendation,
        description: 'The recommendation.',
        resolve: (p) => p.recommendation,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createRecommendation: t.field({
    type: recommendationPayload('CreateRecommendationPayload', 'The recommendation created.'),
    description: 'Adds a recommendation (TASK_FORCE or ADMIN); audited.',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, ConflictError] },
    args: {
      input: t.arg({ type: CreateRecommendationInput, required: true, description: 'The recommendation to add.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      recommendation: await createRecommendation(ctx.prisma, actorOf(ctx.viewer), input),
    }),
  }),
  updateRecommendation: t.field({
    type: recommendationPayload('UpdateRecommendationPayload', 'The recommendation as updated.'),
    description:
      'Changes a recommendation (TASK_FORCE or ADMIN), checked against the revision the client saw; audited.',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({
        type: UpdateRecommendationInput,
        required: true,
        description: 'The recommendation, its revision and the changes.',
      }),
    },
    resolve: async (_root, { input: { id, recommendation, expectedRevision, ...changes } }, ctx) => ({
      recommendation: await updateRecommendation(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId(
          { id, recommendation },
          {
            typename: 'Recommendation',
            what: 'recommendation',
            idField: 'id',
            codeField: 'recommendation',
            find: (code) => ctx.prisma.recommendation.findUnique({ where: { code }, select: { id: true } }),
          },
        ),
        expectedRevision,
        changes,
      ),
    }),
  }),
}));
