// Indicators of the TF1 framework: the Indicator node with its topics, disaggregations, SDG/GCM links and candidate
// source types; the indicator queries; and the catalogue mutations on indicators and their source-type links.
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { actorOf } from '../access/audit.js';
import * as catalogue from './catalogue.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { Context } from '../platform/context.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { GcmObjective, SdgIndicator, Topic, Variable } from './catalogue.schema.js';
import { likeText } from '../schema/search.js';
import { connectionOf, orderBy, wherePerField } from '../schema/connections.js';
import { BuildingBlock, IndicatorStatus, Suitability, Tier } from '../schema/enums.js';
import { EXPECTED_REVISION_DESCRIPTION } from '../schema/errors.js';
import { targetDescriptions, targetId } from '../schema/target.js';
import type { PrismaClient } from '../platform/db.js';
import { SourceType, sourceTypeTarget } from './source-type.schema.js';

/**
 * The indicator fields that may await task-force confirmation (CONTRACT leaves them open; issue 12 closes them). The
 * values are the names the service and the catalogue file use, so stored entries need no migration; a stored entry
 * is "name" or "name (remark)", and the seed's short names "sdg" and "gcm" name the two link lists.
 */
export const IndicatorField = builder.enumType('IndicatorField', {
  description: 'A field of an indicator, as named in provisional marks and confirmations.',
  values: {
    NAME: { value: 'name', description: 'The display name.' },
    DESCRIPTION: { value: 'description', description: 'The definition.' },
    UNIT: { value: 'unit', description: 'The unit of measure.' },
    ADDITIVE: { value: 'additive', description: 'Whether country values may be summed.' },
    SIGNED: { value: 'signed', description: 'Whether values may be negative.' },
    BUILDING_BLOCK: { value: 'buildingBlock', description: 'The building block.' },
    TIER: { value: 'tier', description: 'The tier (CORE or ADDITIONAL).' },
    CORE: { value: 'core', description: "The seed's remark that the indicator belongs to the core set." },
    SOURCE_URL: { value: 'sourceUrl', description: 'The public source.' },
    TOPICS: { value: 'topics', description: 'The topic links.' },
    DISAGGREGATIONS: { value: 'disaggregations', description: 'The disaggregation variables.' },
    SDG_INDICATORS: { value: 'sdgIndicators', description: 'The SDG indicator links.' },
    GCM_OBJECTIVES: { value: 'gcmObjectives', description: 'The GCM objective links.' },
  } as const,
});

export const Indicator = builder.prismaNode('Indicator', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'An indicator of the TF1 framework.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "IMM_STOCK".' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    unit: t.exposeString('unit', { description: 'Unit of measure, e.g. "PERSONS"; submissions must use it.' }),
    additive: t.exposeBoolean('additive', {
      description: 'Whether country values may be summed over regions (counts of persons).',
    }),
    signed: t.exposeBoolean('signed', {
      description:
        'Whether values may be negative (a balance such as net migration). Values of a PERSONS indicator that is ' +
        'not signed are counts: whole numbers, never below zero.',
    }),
    buildingBlock: t.expose('buildingBlock', {
      type: BuildingBlock,
      nullable: true,
      description: 'Building block, or null for cross-cutting indicators.',
    }),
    tier: t.expose('tier', { type: Tier }),
    status: t.expose('status', { type: IndicatorStatus }),
    revision: t.exposeInt('revision', {
      description: 'Optimistic-concurrency token: pass it as expectedRevision to the indicator mutations.',
    }),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    provisionalFields: t.exposeStringList('provisionalFields', {
      description:
        'Fields whose values were assigned for the seed and await task-force confirmation, each named first ' +
        '(e.g. "tier", or "sdg (link via 17.18 …)" with a remark).',
    }),
    provisional: t.field({
      type: [IndicatorField],
      description: 'The fields of provisionalFields, as enum values (remarks left out), in the same order.',
      resolve: (indicator) => catalogue.provisionalFieldsOf(indicator.provisionalFields),
    }),
    isProvisional: t.boolean({
      description: 'Whether any field still awaits task-force confirmation.',
      resolve: (indicator) => indicator.provisionalFields.length > 0,
    }),
    topics: t.field({
      type: [Topic],
      description: 'Topics the indicator belongs to, by code.',
      select: (_args, _ctx, nestedSelection) => ({
        topics: { orderBy: { topic: { code: 'asc' } }, select: { topic: nestedSelection(true) } },
      }),
      resolve: (indicator) => indicator.topics.map((link) => link.topic),
    }),
    disaggregations: t.field({
      type: [Variable],
      description: 'Variables the indicator may be disaggregated by, in the catalogue order.',
      select: (_args, _ctx, nestedSelection) => ({
        disaggregations: {
          orderBy: [{ position: 'asc' }, { variableId: 'asc' }],
          select: { variable: nestedSelection(true) },
        },
      }),
      resolve: (indicator) => indicator.disaggregations.map((link) => link.variable),
    }),
    sdgIndicators: t.field({
      type: [SdgIndicator],
      description: 'SDG indicators (or targets) the indicator serves, by code.',
      select: (_args, _ctx, nestedSelection) => ({
        sdgIndicators: {
          orderBy: { sdgIndicator: { code: 'asc' } },
          select: { sdgIndicator: nestedSelection(true) },
        },
      }),
      resolve: (indicator) => indicator.sdgIndicators.map((link) => link.sdgIndicator),
    }),
    gcmObjectives: t.field({
      type: [GcmObjective],
      description: 'GCM objectives the indicator serves, by number.',
      select: (_args, _ctx, nestedSelection) => ({
        gcmObjectives: {
          orderBy: { gcmObjective: { number: 'asc' } },
          select: { gcmObjective: nestedSelection(true) },
        },
      }),
      resolve: (indicator) => indicator.gcmObjectives.map((link) => link.gcmObjective),
    }),
    candidateSourceTypes: t.relation('sourceTypes', {
      description: 'Source types that can produce the indicator, best suited first.',
      args: {
        suitability: t.arg({
          type: [Suitability],
          required: false,
          description: 'Only links of these suitabilities.',
        }),
      },
      query: ({ suitability }) => ({
        where: suitability?.length ? { suitability: { in: suitability } } : {},
        orderBy: [{ suitability: 'asc' }, { sourceType: { code: 'asc' } }],
      }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const IndicatorSourceLink = builder.prismaObject('IndicatorSourceType', {
  name: 'IndicatorSourceLink',
  description: 'A source type that can produce an indicator, and how well (TF1–TF4 interlinkage).',
  fields: (t) => ({
    indicator: t.relation('indicator'),
    sourceType: t.relation('sourceType'),
    suitability: t.expose('suitability', { type: Suitability }),
    note: t.exposeString('note', { nullable: true, description: 'Why, in words.' }),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
  }),
});

export const IndicatorConnection = connectionOf(Indicator, 'Indicator');

/** An indicator named in a mutation input by global id (`idField`) or by code (`indicator`), src/schema/target.ts. */
export const indicatorTarget = <Id extends string>(prisma: PrismaClient, idField: Id) => ({
  typename: 'Indicator',
  what: 'indicator',
  idField,
  codeField: 'indicator' as const,
  find: (code: string) => prisma.indicator.findUnique({ where: { code }, select: { id: true } }),
});

const target = targetDescriptions('indicator', 'id', 'indicator', 'IMM_STOCK');
const linkIndicator = targetDescriptions('indicator', 'indicatorId', 'indicator', 'IMM_STOCK');
const linkSourceType = targetDescriptions('source type', 'sourceTypeId', 'sourceType', 'CENSUS');

// Reverse links, declared here so that catalogue.ts and source-type.ts need not import the Indicator type.
builder.prismaObjectField(SourceType, 'indicators', (t) =>
  t.relation('indicators', {
    description: 'Indicators this source type can produce, with the suitability of each link.',
    query: { orderBy: [{ suitability: 'asc' }, { indicator: { code: 'asc' } }] },
  }),
);
builder.prismaObjectField(Topic, 'indicators', (t) =>
  t.field({
    type: [Indicator],
    description: 'Indicators under this topic, by code.',
    select: (_args, _ctx, nestedSelection) => ({
      indicators: { orderBy: { indicator: { code: 'asc' } }, select: { indicator: nestedSelection(true) } },
    }),
    resolve: (topic) => topic.indicators.map((link) => link.indicator),
  }),
);
builder.prismaObjectField(Variable, 'indicators', (t) =>
  t.field({
    type: [Indicator],
    description: 'Indicators that may be disaggregated by this variable, by code.',
    select: (_args, _ctx, nestedSelection) => ({
      indicators: { orderBy: { indicator: { code: 'asc' } }, select: { indicator: nestedSelection(true) } },
    }),
    resolve: (variable) => variable.indicators.map((link) => link.indicator),
  }),
);
builder.prismaObjectField(SdgIndicator, 'indicators', (t) =>
  t.field({
    type: [Indicator],
    description: 'Hub indicators linked to this SDG indicator, by code.',
    select: (_args, _ctx, nestedSelection) => ({
      indicators: { orderBy: { indicator: { code: 'asc' } }, select: { indicator: nestedSelection(true) } },
    }),
    resolve: (sdg) => sdg.indicators.map((link) => link.indicator),
  }),
);
builder.prismaObjectField(GcmObjective, 'indicators', (t) =>
  t.field({
    type: [Indicator],
    description: 'Hub indicators linked to this objective, by code.',
    select: (_args, _ctx, nestedSelection) => ({
      indicators: { orderBy: { indicator: { code: 'asc' } }, select: { indicator: nestedSelection(true) } },
    }),
    resolve: (gcm) => gcm.indicators.map((link) => link.indicator),
  }),
);

export const IndicatorFilter = builder.inputType('IndicatorFilter', {
  description: 'Conditions an indicator must all meet.',
  fields: (t) => ({
    tier: t.field({ type: Tier, required: false, description: 'Only indicators of this tier.' }),
    buildingBlock: t.field({
      type: BuildingBlock,
      required: false,
      description: 'Only indicators of this building block.',
    }),
    status: t.field({ type: IndicatorStatus, required: false, description: 'ACTIVE or RETIRED; both when absent.' }),
    topic: t.string({ required: false, description: 'A topic code, e.g. "COB".' }),
    sdg: t.string({
      required: false,
      description: 'An SDG indicator code, e.g. "10.7.2", or a target code ("10.7") for any of its indicators.',
    }),
    gcmObjective: t.int({ required: false, description: 'A GCM objective number, 1–23.' }),
    search: t.string({ required: false, description: 'Part of the code, name or description.' }),
  }),
});

type IndicatorFilterInput = typeof IndicatorFilter.$inferInput;

const indicatorOrder = orderBy('IndicatorOrder', {
  items: 'indicators',
  fields: {
    CATALOGUE: { description: 'Catalogue order (the order indicators were added).', keys: () => [] },
    CODE: { description: 'The indicator code.', keys: (d) => [{ code: d }] },
    NAME: { description: 'The display name.', keys: (d) => [{ name: d }] },
  },
  default: { field: 'CATALOGUE', direction: 'ASC' },
  defaultIs: 'in catalogue order',
});

/**
 * The where of the root list: NOT_FOUND when the filter names a topic or SDG code that does not exist (README
 * "Unknown codes"); checked once for the page and its totalCount (wherePerField).
 */
const rootIndicatorWhere = wherePerField(
  async (_root: unknown, { filter }: { filter?: IndicatorFilterInput | null }, ctx: Context) => {
    if (filter?.topic) {
      await requireCode('filter.topic', 'topic', filter.topic, (code) =>
        ctx.prisma.topic.findUnique({ where: { code: code.trim() }, select: { id: true } }),
      );
    }
    if (filter?.sdg) {
      await requireCode('filter.sdg', 'SDG indicator or target', filter.sdg, (code) =>
        ctx.prisma.sdgIndicator.findFirst({
          where: { OR: [{ code: code.trim() }, { target: code.trim() }] },
          select: { id: true },
        }),
      );
    }
    return indicatorWhere(filter);
  },
);

/** The Prisma condition for an indicators filter. */
export function indicatorWhere(filter: IndicatorFilterInput | null | undefined): Prisma.IndicatorWhereInput {
  const and: Prisma.IndicatorWhereInput[] = [];
  if (filter?.tier) and.push({ tier: filter.tier });
  if (filter?.buildingBlock) and.push({ buildingBlock: filter.buildingBlock });
  if (filter?.status) and.push({ status: filter.status });
  if (filter?.topic) and.push({ topics: { some: { topic: { code: filter.topic.trim() } } } });
  if (filter?.sdg) {
    // A target code ("10.7") also finds indicators linked to any SDG indicator of that target.
    const sdg = filter.sdg.trim();
    and.push({ sdgIndicators: { some: { sdgIndicator: { OR: [{ code: sdg }, { target: sdg }] } } } });
  }
  if (filter?.gcmObjective != null)
    and.push({ gcmObjectives: { some: { gcmObjective: { number: filter.gcmObjective } } } });
  const s = likeText(filter?.search);
  if (s) {
    and.push({
      OR: [
        { code: { contains: s, mode: 'insensitive' } },
        { name: { contains: s, mode: 'insensitive' } },
        { description: { contains: s, mode: 'insensitive' } },
      ],
    });
  }
  return and.length ? { AND: and } : {};
}

builder.queryFields((t) => ({
  indicator: t.prismaField({
    type: 'Indicator',
    nullable: true,
    description: 'An indicator by code, e.g. "IMM_STOCK".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.indicator.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  indicators: t.prismaConnection(
    {
      type: 'Indicator',
      cursor: 'id',
      description: 'Catalogue indicators matching every condition of the filter, in catalogue order.',
      args: {
        filter: t.arg({ type: IndicatorFilter, required: false, description: 'Which indicators; all when omitted.' }),
        ...indicatorOrder.args,
      },
      resolve: async (query, root, args, ctx) =>
        ctx.prisma.indicator.findMany({
          ...query,
          where: await rootIndicatorWhere(root, args, ctx),
          orderBy: indicatorOrder.prismaOrderBy(args.orderBy),
        }),
      totalCount: async (root, args, ctx) =>
        ctx.prisma.indicator.count({ where: await rootIndicatorWhere(root, args, ctx) }),
    },
    IndicatorConnection,
  ),
}));

// ---------------------------------------------------------------------------------------------------------------
// Mutations (TASK_FORCE and ADMIN). Each takes one input, writes in one audited transaction and answers with its
// payload or a typed user error.

const IndicatorPayload = (name: string, description: string) =>
  builder.objectRef<{ indicator: typeof Indicator.$inferType }>(name).implement({
    description,
    fields: (t) => ({
      indicator: t.field({ type: Indicator, description: 'The indicator.', resolve: (p) => p.indicator }),
    }),
  });

const CreateIndicatorPayload = IndicatorPayload('CreateIndicatorPayload', 'The indicator created.');
const UpdateIndicatorPayload = IndicatorPayload('UpdateIndicatorPayload', 'The indicator as updated.');
const RetireIndicatorPayload = IndicatorPayload('RetireIndicatorPayload', 'The indicator, now retired.');
const UnretireIndicatorPayload = IndicatorPayload('UnretireIndicatorPayload', 'The indicator, active again.');

const ConfirmIndicatorFieldsPayload = IndicatorPayload(
  'ConfirmIndicatorFieldsPayload',
  'The indicator with the confirmed fields no longer provisional.',
);

const provisionalFieldsDescription =
  'Fields whose values await task-force confirmation. In an update, when absent, every field the update sets ' +
  'is confirmed (dropped from the list).';

export const CreateIndicatorInput = builder.inputType('CreateIndicatorInput', {
  description: 'A new catalogue indicator. Link lists name topics, variables and SDG indicators by code.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'Stable code: upper-case letters, digits and _.' }),
    name: t.string({ required: true, description: 'Display name.' }),
    description: t.string({ description: 'Definition.' }),
    unit: t.string({ required: true, description: 'Unit code, e.g. PERSONS or PERCENT.' }),
    additive: t.boolean({ required: true, description: 'Whether country values may be summed over regions.' }),
    signed: t.boolean({ description: 'Whether values may be negative (a balance); false when absent.' }),
    buildingBlock: t.field({ type: BuildingBlock, description: 'None for a cross-cutting indicator.' }),
    tier: t.field({ type: Tier, required: true, description: 'Core or additional.' }),
    status: t.field({ type: IndicatorStatus, description: 'ACTIVE when absent.' }),
    sourceUrl: t.string({ description: 'Public source (URL).' }),
    topics: t.stringList({ description: 'Topic codes.' }),
    disaggregations: t.stringList({ description: 'Variable codes, in display order.' }),
    sdgIndicators: t.stringList({ description: 'SDG indicator or target codes, e.g. "10.7.2".' }),
    gcmObjectives: t.intList({ description: 'GCM objective numbers, 1–23.' }),
    provisionalFields: t.field({
      type: [IndicatorField],
      description: 'Fields whose values await task-force confirmation.',
    }),
  }),
});

export const UpdateIndicatorInput = builder.inputType('UpdateIndicatorInput', {
  description:
    'Changes to an indicator. Absent fields are left alone; null clears an optional field; a given list replaces ' +
    'the current one.',
  fields: (t) => ({
    id: t.id({ description: target.id }),
    indicator: t.string({ description: target.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    code: t.string({ description: 'A new stable code (a rename); to name the indicator by code, use `indicator`.' }),
    name: t.string({ description: 'A new display name.' }),
    description: t.string({ description: 'A new definition; null clears it.' }),
    unit: t.string({ description: 'A new unit code, e.g. PERSONS or PERCENT.' }),
    additive: t.boolean({ description: 'Whether country values may be summed over regions.' }),
    signed: t.boolean({ description: 'Whether values may be negative (a balance).' }),
    buildingBlock: t.field({ type: BuildingBlock, description: 'A new building block; null for cross-cutting.' }),
    tier: t.field({ type: Tier, description: 'A new tier.' }),
    status: t.field({
      type: IndicatorStatus,
      description: 'Only the current status is accepted: use retireIndicator and unretireIndicator to change it.',
    }),
    sourceUrl: t.string({ description: 'Public source (URL); null clears it.' }),
    topics: t.stringList({ description: 'Topic codes.' }),
    disaggregations: t.stringList({ description: 'Variable codes, in display order.' }),
    sdgIndicators: t.stringList({ description: 'SDG indicator or target codes.' }),
    gcmObjectives: t.intList({ description: 'GCM objective numbers, 1–23.' }),
    provisionalFields: t.field({ type: [IndicatorField], description: provisionalFieldsDescription }),
  }),
});

export const RetireIndicatorInput = builder.inputType('RetireIndicatorInput', {
  description: 'An indicator to retire: it stays readable but leaves coverage and gap counts.',
  fields: (t) => ({
    id: t.id({ description: target.id }),
    indicator: t.string({ description: target.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    reason: t.string({ description: 'Why, for the audit log.' }),
  }),
});

export const UnretireIndicatorInput = builder.inputType('UnretireIndicatorInput', {
  description: 'A retired indicator to bring back into coverage and gap counts (an explicit decision).',
  fields: (t) => ({
    id: t.id({ description: target.id }),
    indicator: t.string({ description: target.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    reason: t.string({ description: 'Why, for the audit log.' }),
  }),
});

export const ConfirmIndicatorFieldsInput = builder.inputType('ConfirmIndicatorFieldsInput', {
  description: 'Provisional fields of an indicator that the task force confirms as they are.',
  fields: (t) => ({
    id: t.id({ description: target.id }),
    indicator: t.string({ description: target.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    fields: t.field({
      type: [IndicatorField],
      description: 'The fields to confirm, e.g. [TIER, SDG_INDICATORS]; every provisional field when absent.',
    }),
  }),
});

export const LinkIndicatorSourceTypeInput = builder.inputType('LinkIndicatorSourceTypeInput', {
  description: 'A source type that can produce an indicator; an existing link is updated.',
  fields: (t) => ({
    indicatorId: t.id({ description: linkIndicator.id }),
    indicator: t.string({ description: linkIndicator.code }),
    sourceTypeId: t.id({ description: linkSourceType.id }),
    sourceType: t.string({ description: linkSourceType.code }),
    suitability: t.field({
      type: Suitability,
      required: true,
      description: 'How well the source type can produce it.',
    }),
    note: t.string({ description: 'Why, in words. Left alone on an existing link when absent; null clears it.' }),
    sourceUrl: t.string({ description: 'Public source. Left alone on an existing link when absent.' }),
  }),
});

export const UnlinkIndicatorSourceTypeInput = builder.inputType('UnlinkIndicatorSourceTypeInput', {
  description: 'An indicator ↔ source type link to remove.',
  fields: (t) => ({
    indicatorId: t.id({ description: linkIndicator.id }),
    indicator: t.string({ description: linkIndicator.code }),
    sourceTypeId: t.id({ description: linkSourceType.id }),
    sourceType: t.string({ description: linkSourceType.code }),
  }),
});

const LinkIndicatorSourceTypePayload = builder
  .objectRef<{ link: typeof IndicatorSourceLink.$inferType; created: boolean }>('LinkIndicatorSourceTypePayload')
  .implement({
    description: 'The link as it now stands.',
    fields: (t) => ({
      link: t.field({ type: IndicatorSourceLink, description: 'The link.', resolve: (p) => p.link }),
      created: t.exposeBoolean('created', { description: 'True when the link is new, false when it was updated.' }),
    }),
  });

const UnlinkIndicatorSourceTypePayload = builder
  .objectRef<{ indicator: typeof Indicator.$inferType; sourceType: typeof SourceType.$inferType }>(
    'UnlinkIndicatorSourceTypePayload',
  )
  .implement({
    description: 'The two ends of the removed link.',
    fields: (t) => ({
      indicator: t.field({ type: Indicator, description: 'The indicator.', resolve: (p) => p.indicator }),
      sourceType: t.field({ type: SourceType, description: 'The source type.', resolve: (p) => p.sourceType }),
    }),
  });

type LinkEndsInput = {
  indicatorId?: string | number | null;
  indicator?: string | null;
  sourceTypeId?: string | number | null;
  sourceType?: string | null;
};

/** Both ends of a link, each by global id or by code; every problem with either end reported at once. */
async function linkEnds(ctx: Context, input: LinkEndsInput): Promise<catalogue.LinkEnds> {
  const [indicator, sourceType] = await Promise.allSettled([
    targetId(input, indicatorTarget(ctx.prisma, 'indicatorId')),
    targetId(input, sourceTypeTarget(ctx.prisma, 'sourceTypeId')),
  ]);
  if (indicator.status === 'rejected' || sourceType.status === 'rejected') {
    const failures = [indicator, sourceType].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const invalid = failures.filter((e): e is ValidationError => e instanceof ValidationError);
    if (invalid.length) throw ValidationError.of(invalid.flatMap((e) => e.issues));
    throw failures[0];
  }
  return { indicatorId: indicator.value, sourceTypeId: sourceType.value };
}

builder.mutationFields((t) => ({
  createIndicator: t.field({
    type: CreateIndicatorPayload,
    description: 'Adds an indicator to the catalogue (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateIndicatorInput, required: true, description: 'The indicator to add.' }) },
    resolve: async (_root, { input }, ctx) => ({
      indicator: await catalogue.createIndicator(ctx.prisma, actorOf(ctx.viewer), input),
    }),
  }),
  updateIndicator: t.field({
    type: UpdateIndicatorPayload,
    description: 'Changes an indicator and its links (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({
        type: UpdateIndicatorInput,
        required: true,
        description: 'The indicator, its revision and the changes.',
      }),
    },
    resolve: async (_root, { input: { id, indicator, expectedRevision, ...changes } }, ctx) => ({
      indicator: await catalogue.updateIndicator(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId({ id, indicator }, indicatorTarget(ctx.prisma, 'id')),
        changes,
        expectedRevision,
      ),
    }),
  }),
  retireIndicator: t.field({
    type: RetireIndicatorPayload,
    description: 'Retires an indicator (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: { input: t.arg({ type: RetireIndicatorInput, required: true, description: 'The indicator to retire.' }) },
    resolve: async (_root, { input }, ctx) => ({
      indicator: await catalogue.retireIndicator(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId(input, indicatorTarget(ctx.prisma, 'id')),
        input.expectedRevision,
        input.reason,
      ),
    }),
  }),
  unretireIndicator: t.field({
    type: UnretireIndicatorPayload,
    description: 'Brings a retired indicator back (TASK_FORCE or ADMIN); audited with its reason.',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({
        type: UnretireIndicatorInput,
        required: true,
        description: 'The indicator to make active again.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      indicator: await catalogue.unretireIndicator(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId(input, indicatorTarget(ctx.prisma, 'id')),
        input.expectedRevision,
        input.reason,
      ),
    }),
  }),
  confirmIndicatorFields: t.field({
    type: ConfirmIndicatorFieldsPayload,
    description: 'Confirms provisional fields of an indicator as they are (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({
        type: ConfirmIndicatorFieldsInput,
        required: true,
        description: 'The indicator and the fields to confirm.',
      }),
    },
    resolve: async (_root, { input }, ctx) => ({
      indicator: await catalogue.confirmIndicatorFields(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId(input, indicatorTarget(ctx.prisma, 'id')),
        input.expectedRevision,
        input.fields,
      ),
    }),
  }),
  linkIndicatorSourceType: t.field({
    type: LinkIndicatorSourceTypePayload,
    description: 'Links a source type to an indicator with a suitability, or updates the link (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      input: t.arg({ type: LinkIndicatorSourceTypeInput, required: true, description: 'The link to make or update.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      catalogue.linkIndicatorSourceType(ctx.prisma, actorOf(ctx.viewer), { ...input, ...(await linkEnds(ctx, input)) }),
  }),
  unlinkIndicatorSourceType: t.field({
    type: UnlinkIndicatorSourceTypePayload,
    description: 'Removes the link between an indicator and a source type (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      input: t.arg({ type: UnlinkIndicatorSourceTypeInput, required: true, description: 'The link to remove.' }),
    },
    resolve: async (_root, { input }, ctx) =>
      catalogue.unlinkIndicatorSourceType(ctx.prisma, actorOf(ctx.viewer), await linkEnds(ctx, input)),
  }),
}));
