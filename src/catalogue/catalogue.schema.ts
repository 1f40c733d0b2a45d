// The catalogue's reference lists: topics, disaggregation variables with their code lists, concepts,
// recommendations, SDG indicators and GCM objectives. Their links to indicators are declared in indicator.ts.
import { actorOf } from '../access/audit.js';
import * as catalogue from './catalogue.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { likeText } from '../schema/search.js';
import { connectionOf, orderBy } from '../schema/connections.js';
import { Tier } from '../schema/enums.js';
import { EXPECTED_REVISION_DESCRIPTION } from '../schema/errors.js';
import { targetDescriptions, targetId } from '../schema/target.js';
import type { PrismaClient } from '../platform/db.js';

/** The topic fields that may await task-force confirmation; the values are the names stored in provisional marks. */
export const TopicField = builder.enumType('TopicField', {
  description: 'A field of a topic, as named in provisional marks.',
  values: {
    NAME: { value: 'name', description: 'The display name.' },
    DESCRIPTION: { value: 'description', description: 'What the topic covers.' },
    TIER: { value: 'tier', description: 'The tier (CORE or ADDITIONAL).' },
    SOURCE_URL: { value: 'sourceUrl', description: 'The public source.' },
  } as const,
});

export const Topic = builder.prismaNode('Topic', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A topic of the TF1 framework (country of birth, citizenship, arrival…).',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "COB".' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    tier: t.expose('tier', { type: Tier }),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    provisionalFields: t.exposeStringList('provisionalFields', {
      description:
        'Fields whose values were assigned for the seed and await task-force confirmation, as stored (each named ' +
        'first, a remark may follow).',
    }),
    provisional: t.field({
      type: [TopicField],
      description: 'The fields of provisionalFields, as enum values (remarks left out), in the same order.',
      resolve: (topic) => catalogue.provisionalFieldsOf(topic.provisionalFields, catalogue.TOPIC_FIELDS),
    }),
    isProvisional: t.boolean({
      description: 'Whether any field still awaits task-force confirmation.',
      resolve: (topic) => topic.provisionalFields.length > 0,
    }),
    revision: t.exposeInt('revision', {
      description: 'Optimistic-concurrency token: pass it as expectedRevision to updateTopic.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const VariableCode = builder.prismaObject('VariableCode', {
  description: 'One code of a variable\'s code list (SDMX style; "_T" is the total).',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The code, e.g. "F" or "Y15T24".' }),
    label: t.exposeString('label'),
    position: t.exposeInt('position', { description: 'Position in the list.' }),
  }),
});

export const Variable = builder.prismaNode('Variable', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A disaggregation variable with its code list; its code names a column of submission CSV files.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "SEX".' }),
    name: t.exposeString('name'),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    codelist: t.exposeString('codelist', {
      nullable: true,
      description: 'A named external code list whose codes are valid values (e.g. "M49"), instead of `codes`.',
    }),
    revision: t.exposeInt('revision', {
      description: 'Optimistic-concurrency token: pass it as expectedRevision to updateVariable.',
    }),
    codes: t.relation('codes', {
      description: "The variable's own codes, in list order.",
      query: { orderBy: [{ position: 'asc' }, { code: 'asc' }] },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const Concept = builder.prismaNode('Concept', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A defined term of the 1998 Recommendations or of their revision.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "R21_MIGRANT".' }),
    term: t.exposeString('term'),
    definition: t.exposeString('definition'),
    framework: t.exposeString('framework', { nullable: true }),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const Recommendation = builder.prismaNode('Recommendation', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A recommendation whose implementation is tracked per country.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "REC_RESIDENCE".' }),
    text: t.exposeString('text'),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const SdgIndicator = builder.prismaNode('SdgIndicator', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'An SDG indicator (e.g. 10.7.2), or an SDG target that hub indicators serve as a whole (e.g. 17.18).',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Official code, e.g. "10.7.2".' }),
    title: t.exposeString('title'),
    target: t.exposeString('target', { description: 'The SDG target, e.g. "10.7".' }),
  }),
});

export const GcmObjective = builder.prismaNode('GcmObjective', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'An objective of the Global Compact for Safe, Orderly and Regular Migration.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Objective number, 1–23 (its stable code).' }),
    title: t.exposeString('title'),
    shortName: t.exposeString('shortName', { nullable: true }),
  }),
});

export const TopicConnection = connectionOf(Topic, 'Topic');

/** A topic named in a mutation input by global id or by code (`topic`), src/schema/target.ts. */
const topicTarget = (prisma: PrismaClient) => ({
  typename: 'Topic',
  what: 'topic',
  idField: 'id' as const,
  codeField: 'topic' as const,
  find: (code: string) => prisma.topic.findUnique({ where: { code }, select: { id: true } }),
});

/** A variable named in a mutation input by global id or by code (`variable`), src/schema/target.ts. */
const variableTarget = (prisma: PrismaClient) => ({
  typename: 'Variable',
  what: 'variable',
  idField: 'id' as const,
  codeField: 'variable' as const,
  find: (code: string) => prisma.variable.findUnique({ where: { code }, select: { id: true } }),
});

const topicIs = targetDescriptions('topic', 'id', 'topic', 'COB');
const variableIs = targetDescriptions('variable', 'id', 'variable', 'SEX');
export const VariableConnection = connectionOf(Variable, 'Variable');
export const ConceptConnection = connectionOf(Concept, 'Concept');
export const RecommendationConnection = connectionOf(Recommendation, 'Recommendation');

// Filters and orders of the catalogue lists (one orderBy helper, src/schema/connections.ts). Each list is in creation
// (catalogue) order unless told otherwise; `search` is a case-insensitive part of the code or the words.

const TopicFilter = builder.inputType('TopicFilter', {
  description: 'Conditions a topic must all meet.',
  fields: (t) => ({
    tier: t.field({ type: Tier, required: false, description: 'Only topics of this tier.' }),
    search: t.string({ required: false, description: 'Part of the code, name or description (case-insensitive).' }),
  }),
});

const VariableFilter = builder.inputType('VariableFilter', {
  description: 'Conditions a variable must all meet.',
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the code or name (case-insensitive).' }),
  }),
});

const ConceptFilter = builder.inputType('ConceptFilter', {
  description: 'Conditions a concept must all meet.',
  fields: (t) => ({
    search: t.string({
      required: false,
      description: 'Text found in the term or definition (case-insensitive), or the exact code.',
    }),
    framework: t.string({
      required: false,
      description: 'Only concepts of this framework, exactly as named, e.g. "1998 Rev.1".',
    }),
  }),
});

const RecommendationFilter = builder.inputType('RecommendationFilter', {
  description: 'Conditions a recommendation must all meet.',
  fields: (t) => ({
    search: t.string({ required: false, description: 'Part of the code or text (case-insensitive).' }),
  }),
});

const byCreation = (what: string) => ({ description: `When the ${what} was added (catalogue order).`, keys: () => [] });
const byCode = (what: string) => ({
  description: `The ${what} code.`,
  keys: (d: 'asc' | 'desc') => [{ code: d }],
});
const byName = { description: 'The display name.', keys: (d: 'asc' | 'desc') => [{ name: d }] };

const topicOrder = orderBy('TopicOrder', {
  items: 'topics',
  fields: { CREATED_AT: byCreation('topic'), CODE: byCode('topic'), NAME: byName },
  default: { field: 'CREATED_AT', direction: 'ASC' },
  defaultIs: 'in creation order',
});
const variableOrder = orderBy('VariableOrder', {
  items: 'variables',
  fields: { CREATED_AT: byCreation('variable'), CODE: byCode('variable'), NAME: byName },
  default: { field: 'CREATED_AT', direction: 'ASC' },
  defaultIs: 'in creation order',
});
const conceptOrder = orderBy('ConceptOrder', {
  items: 'concepts',
  fields: {
    CREATED_AT: byCreation('concept'),
    CODE: byCode('concept'),
    TERM: { description: 'The term.', keys: (d) => [{ term: d }] },
  },
  default: { field: 'CREATED_AT', direction: 'ASC' },
  defaultIs: 'in creation order',
});
const recommendationOrder = orderBy('RecommendationOrder', {
  items: 'recommendations',
  fields: {
    POSITION: { description: 'The position in the catalogue.', keys: (d) => [{ position: d }] },
    CODE: byCode('recommendation'),
  },
  default: { field: 'POSITION', direction: 'ASC' },
  defaultIs: 'in catalogue order',
});

type Search = { search?: string | null };
const insensitive = (s: string) => ({ contains: s, mode: 'insensitive' as const });

function topicWhere(filter: (Search & { tier?: 'CORE' | 'ADDITIONAL' | null }) | null | undefined) {
  const s = likeText(filter?.search);
  return {
    ...(filter?.tier ? { tier: filter.tier } : {}),
    ...(s ? { OR: [{ code: insensitive(s) }, { name: insensitive(s) }, { description: insensitive(s) }] } : {}),
  };
}

function variableWhere(filter: Search | null | undefined) {
  const s = likeText(filter?.search);
  return s ? { OR: [{ code: insensitive(s) }, { name: insensitive(s) }] } : {};
}

function recommendationWhere(filter: Search | null | undefined) {
  const s = likeText(filter?.search);
  return s ? { OR: [{ code: insensitive(s) }, { text: insensitive(s) }] } : {};
}

builder.queryFields((t) => ({
  topic: t.prismaField({
    type: 'Topic',
    nullable: true,
    description: 'A topic by code, e.g. "COB".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) => ctx.prisma.topic.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  topics: t.prismaConnection(
    {
      type: 'Topic',
      cursor: 'id',
      description: 'Topics matching every condition of the filter, in creation order unless ordered otherwise.',
      args: {
        filter: t.arg({ type: TopicFilter, required: false, description: 'Which topics; all when omitted.' }),
        ...topicOrder.args,
      },
      resolve: (query, _root, { filter, orderBy }, ctx) =>
        ctx.prisma.topic.findMany({ ...query, where: topicWhere(filter), orderBy: topicOrder.prismaOrderBy(orderBy) }),
      totalCount: (_root, { filter }, ctx) => ctx.prisma.topic.count({ where: topicWhere(filter) }),
    },
    TopicConnection,
  ),
  variable: t.prismaField({
    type: 'Variable',
    nullable: true,
    description: 'A disaggregation variable by code, e.g. "SEX".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.variable.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  variables: t.prismaConnection(
    {
      type: 'Variable',
      cursor: 'id',
      description: 'Disaggregation variables matching the filter, in creation order unless ordered otherwise.',
      args: {
        filter: t.arg({ type: VariableFilter, required: false, description: 'Which variables; all when omitted.' }),
        ...variableOrder.args,
      },
      resolve: (query, _root, { filter, orderBy }, ctx) =>
        ctx.prisma.variable.findMany({
          ...query,
          where: variableWhere(filter),
          orderBy: variableOrder.prismaOrderBy(orderBy),
        }),
      totalCount: (_root, { filter }, ctx) => ctx.prisma.variable.count({ where: variableWhere(filter) }),
    },
    VariableConnection,
  ),
  concept: t.prismaField({
    type: 'Concept',
    nullable: true,
    description: 'A concept by code, e.g. "R98_MIGRANT".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) => ctx.prisma.concept.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  concepts: t.prismaConnection(
    {
      type: 'Concept',
      cursor: 'id',
      description: 'Concepts matching every condition of the filter, in creation order unless ordered otherwise.',
      args: {
        filter: t.arg({ type: ConceptFilter, required: false, description: 'Which concepts; all when omitted.' }),
        ...conceptOrder.args,
      },
      resolve: (query, _root, { filter, orderBy }, ctx) =>
        ctx.prisma.concept.findMany({
          ...query,
          where: conceptWhere(filter),
          orderBy: conceptOrder.prismaOrderBy(orderBy),
        }),
      totalCount: (_root, { filter }, ctx) => ctx.prisma.concept.count({ where: conceptWhere(filter) }),
    },
    ConceptConnection,
  ),
  recommendation: t.prismaField({
    type: 'Recommendation',
    nullable: true,
    description: 'A recommendation by code, e.g. "REC_RESIDENCE".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.recommendation.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  recommendations: t.prismaConnection(
    {
      type: 'Recommendation',
      cursor: 'id',
      description: 'Recommendations matching the filter, in catalogue order unless ordered otherwise.',
      args: {
        filter: t.arg({
          type: RecommendationFilter,
          required: false,
          description: 'Which recommendations; all when omitted.',
        }),
        ...recommendationOrder.args,
      },
      resolve: (query, _root, { filter, orderBy }, ctx) =>
        ctx.prisma.recommendation.findMany({
          ...query,
          where: recommendationWhere(filter),
          orderBy: recommendationOrder.prismaOrderBy(orderBy),
        }),
      totalCount: (_root, { filter }, ctx) => ctx.prisma.recommendation.count({ where: recommendationWhere(filter) }),
    },
    RecommendationConnection,
  ),
  sdgIndicator: t.prismaField({
    type: 'SdgIndicator',
    nullable: true,
    description: 'An SDG indicator or target by code, e.g. "10.7.2".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.sdgIndicator.findUnique({ ...query, where: { code: code.trim() } }),
  }),
  sdgIndicators: t.prismaField({
    type: ['SdgIndicator'],
    description: 'The SDG indicators and targets the catalogue refers to (a fixed global list), ordered by code.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.sdgIndicator.findMany({ ...query, orderBy: { code: 'asc' } }),
  }),
  gcmObjective: t.prismaField({
    type: 'GcmObjective',
    nullable: true,
    description: 'A GCM objective by number, 1–23.',
    args: { number: t.arg.int({ required: true, description: 'The objective number, 1–23.' }) },
    resolve: (query, _root, { number }, ctx) => ctx.prisma.gcmObjective.findUnique({ ...query, where: { number } }),
  }),
  gcmObjectives: t.prismaField({
    type: ['GcmObjective'],
    description: 'The 23 objectives of the Global Compact for Migration, by number.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.gcmObjective.findMany({ ...query, orderBy: { number: 'asc' } }),
  }),
}));

/** The Prisma condition for a concepts filter: a search matches the words, or the code exactly (any case). */
function conceptWhere(filter: (Search & { framework?: string | null }) | null | undefined) {
  const s = likeText(filter?.search);
  return {
    ...(filter?.framework != null ? { framework: filter.framework } : {}),
    ...(s
      ? {
          OR: [
            { term: insensitive(s) },
            { definition: insensitive(s) },
            { code: { equals: filter?.search?.trim().toUpperCase() } },
          ],
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Topic and variable mutations (TASK_FORCE and ADMIN), each one audited transaction.

const TopicPayload = (name: string, description: string) =>
  builder.objectRef<{ topic: typeof Topic.$inferType }>(name).implement({
    description,
    fields: (t) => ({ topic: t.field({ type: Topic, description: 'The topic.', resolve: (p) => p.topic }) }),
  });
const VariablePayload = (name: string, description: string) =>
  builder.objectRef<{ variable: typeof Variable.$inferType }>(name).implement({
    description,
    fields: (t) => ({
      variable: t.field({ type: Variable, description: 'The variable.', resolve: (p) => p.variable }),
    }),
  });

const CreateTopicPayload = TopicPayload('CreateTopicPayload', 'The topic created.');
const UpdateTopicPayload = TopicPayload('UpdateTopicPayload', 'The topic as updated.');
const CreateVariablePayload = VariablePayload('CreateVariablePayload', 'The variable created.');
const UpdateVariablePayload = VariablePayload('UpdateVariablePayload', 'The variable as updated.');

export const CreateTopicInput = builder.inputType('CreateTopicInput', {
  description: 'A new topic of the TF1 framework.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'Stable code: upper-case letters, digits and _.' }),
    name: t.string({ required: true, description: 'Display name.' }),
    tier: t.field({ type: Tier, required: true, description: 'Core or additional.' }),
    description: t.string({ description: 'What the topic covers.' }),
    sourceUrl: t.string({ description: 'Public source (URL).' }),
    provisionalFields: t.field({
      type: [TopicField],
      description: 'Fields whose values await task-force confirmation.',
    }),
  }),
});

export const UpdateTopicInput = builder.inputType('UpdateTopicInput', {
  description: 'Changes to a topic. Absent fields are left alone; null clears an optional field.',
  fields: (t) => ({
    id: t.id({ description: topicIs.id }),
    topic: t.string({ description: topicIs.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    code: t.string({ description: 'A new stable code (a rename); to name the topic by code, use `topic`.' }),
    name: t.string({ description: 'A new display name.' }),
    tier: t.field({ type: Tier, description: 'A new tier.' }),
    description: t.string({ description: 'What the topic covers; null clears it.' }),
    sourceUrl: t.string({ description: 'Public source (URL); null clears it.' }),
    provisionalFields: t.field({
      type: [TopicField],
      description: 'Fields awaiting confirmation. When absent, every field the update sets is confirmed.',
    }),
  }),
});

export const VariableCodeInput = builder.inputType('VariableCodeInput', {
  description: "One code of a variable's code list.",
  fields: (t) => ({
    code: t.string({ required: true, description: 'SDMX-style code, e.g. "F", "_T" or "Y15T24".' }),
    label: t.string({ required: true, description: 'Its label, e.g. "Female".' }),
  }),
});

export const CreateVariableInput = builder.inputType('CreateVariableInput', {
  description: 'A new disaggregation variable, with its own code list or a named external one.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'Stable code, also a submission CSV column name, e.g. "SEX".' }),
    name: t.string({ required: true, description: 'Display name.' }),
    sourceUrl: t.string({ description: 'Public source (URL).' }),
    codelist: t.string({ description: 'A named external code list ("M49") instead of `codes`.' }),
    codes: t.field({ type: [VariableCodeInput], description: 'The code list, in display order.' }),
  }),
});

export const UpdateVariableInput = builder.inputType('UpdateVariableInput', {
  description:
    'Changes to a variable. Absent fields are left alone; a given `codes` list replaces the code list. Codes used ' +
    'by observations cannot be removed, nor can the variable code change once observations use it.',
  fields: (t) => ({
    id: t.id({ description: variableIs.id }),
    variable: t.string({ description: variableIs.code }),
    expectedRevision: t.int({ required: true, description: EXPECTED_REVISION_DESCRIPTION }),
    code: t.string({ description: 'A new stable code (a rename); to name the variable by code, use `variable`.' }),
    name: t.string({ description: 'A new display name.' }),
    sourceUrl: t.string({ description: 'Public source (URL); null clears it.' }),
    codelist: t.string({ description: 'A named external code list ("M49"); null removes it.' }),
    codes: t.field({ type: [VariableCodeInput], description: 'The whole new code list, in display order.' }),
  }),
});

builder.mutationFields((t) => ({
  createTopic: t.field({
    type: CreateTopicPayload,
    description: 'Adds a topic (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateTopicInput, required: true, description: 'The topic to add.' }) },
    resolve: async (_root, { input }, ctx) => ({
      topic: await catalogue.createTopic(ctx.prisma, actorOf(ctx.viewer), input),
    }),
  }),
  updateTopic: t.field({
    type: UpdateTopicPayload,
    description: 'Changes a topic (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({ type: UpdateTopicInput, required: true, description: 'The topic, its revision and the changes.' }),
    },
    resolve: async (_root, { input: { id, topic, expectedRevision, ...changes } }, ctx) => ({
      topic: await catalogue.updateTopic(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId({ id, topic }, topicTarget(ctx.prisma)),
        changes,
        expectedRevision,
      ),
    }),
  }),
  createVariable: t.field({
    type: CreateVariablePayload,
    description: 'Adds a disaggregation variable with its code list (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, ConflictError] },
    args: { input: t.arg({ type: CreateVariableInput, required: true, description: 'The variable to add.' }) },
    resolve: async (_root, { input }, ctx) => ({
      variable: await catalogue.createVariable(ctx.prisma, actorOf(ctx.viewer), input),
    }),
  }),
  updateVariable: t.field({
    type: UpdateVariablePayload,
    description: 'Changes a variable or replaces its code list (TASK_FORCE or ADMIN).',
    authScopes: { taskForce: true },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      input: t.arg({
        type: UpdateVariableInput,
        required: true,
        description: 'The variable, its revision and the changes.',
      }),
    },
    resolve: async (_root, { input: { id, variable, expectedRevision, ...changes } }, ctx) => ({
      variable: await catalogue.updateVariable(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId({ id, variable }, variableTarget(ctx.prisma)),
        changes,
        expectedRevision,
      ),
    }),
  }),
}));
