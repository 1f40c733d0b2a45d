// Catalogue curation by the task force: indicators, their source-type links, topics and variables. Each write
// validates its whole input first (every problem, with its input path), then runs in one transaction with its audit
// record, so a refused or failed call leaves nothing behind. No GraphQL here: callers pass plain values.
import { z } from 'zod';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { audit, type Actor } from '../access/audit.js';
import type { PrismaClient } from '../platform/db.js';
import { recordItemChanges } from '../submissions/changes.js';
import { catalogueCode, listCode, sdgCode, unitCode } from './codes.js';
import { ConflictError, fromPrismaError, NotFoundError, ValidationError, type Issue } from '../platform/errors.js';

type Tx = Prisma.TransactionClient;
type Maybe<T> = T | null | undefined;

const TIERS = ['CORE', 'ADDITIONAL'] as const;
const BUILDING_BLOCKS = ['IMMIGRATION_FLOW', 'EMIGRATION_FLOW', 'IMMIGRANT_STOCK', 'EMIGRANT_STOCK'] as const;
const STATUSES = ['ACTIVE', 'RETIRED'] as const;
const SUITABILITIES = ['PRIMARY', 'SECONDARY', 'SUPPLEMENTARY'] as const;

const code = catalogueCode;
const text = z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters');
/** Optional text: blank means none. */
const note = z
  .string()
  .trim()
  .max(4000, 'must be at most 4000 characters')
  .transform((s) => (s === '' ? null : s));
const url = z
  .string()
  .trim()
  .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
  .or(z.literal('').transform(() => null));
const unit = unitCode;
const gcmNumber = z.number().int('must be a whole number').min(1, 'must be 1–23').max(23, 'must be 1–23');
const indicatorFields = {
  code,
  name: text,
  description: note.nullish(),
  unit,
  additive: z.boolean(),
  signed: z.boolean().nullish(),
  buildingBlock: z.enum(BUILDING_BLOCKS).nullish(),
  tier: z.enum(TIERS),
  status: z.enum(STATUSES),
  sourceUrl: url.nullish(),
  topics: z.array(code),
  disaggregations: z.array(code),
  sdgIndicators: z.array(sdgCode),
  gcmObjectives: z.array(gcmNumber),
  provisionalFields: z.array(text),
};

const createIndicatorSchema = z.object({
  ...indicatorFields,
  status: indicatorFields.status.nullish(),
  topics: indicatorFields.topics.nullish(),
  disaggregations: indicatorFields.disaggregations.nullish(),
  sdgIndicators: indicatorFields.sdgIndicators.nullish(),
  gcmObjectives: indicatorFields.gcmObjectives.nullish(),
  provisionalFields: indicatorFields.provisionalFields.nullish(),
});

// In an update an absent field is left alone; null clears a field that may be empty and is refused elsewhere.
const updateIndicatorSchema = z.object({
  code: code.optional(),
  name: text.optional(),
  description: note.nullish(),
  unit: unit.optional(),
  additive: z.boolean().optional(),
  signed: z.boolean().optional(),
  buildingBlock: z.enum(BUILDING_BLOCKS).nullish(),
  tier: z.enum(TIERS).optional(),
  status: z.enum(STATUSES).optional(),
  sourceUrl: url.nullish(),
  topics: indicatorFields.topics.optional(),
  disaggregations: indicatorFields.disaggregations.optional(),
  sdgIndicators: indicatorFields.sdgIndicators.optional(),
  gcmObjectives: indicatorFields.gcmObjectives.optional(),
  provisionalFields: indicatorFields.provisionalFields.optional(),
});

const topicSchema = z.object({
  code,
  name: text,
  tier: z.enum(TIERS),
  description: note.nullish(),
  sourceUrl: url.nullish(),
  provisionalFields: z.array(text).nullish(),
});

const updateTopicSchema = z.object({
  code: code.optional(),
  name: text.optional(),
  tier: z.enum(TIERS).optional(),
  description: note.nullish(),
  sourceUrl: url.nullish(),
  provisionalFields: z.array(text).optional(),
});

const variableCodes = z.array(z.object({ code: listCode, label: text }));

const variableSchema = z.object({
  code,
  name: text,
  sourceUrl: url.nullish(),
  codelist: z.enum(['M49']).nullish(),
  codes: variableCodes.nullish(),
});

const updateVariableSchema = z.object({
  code: code.optional(),
  name: text.optional(),
  sourceUrl: url.nullish(),
  codelist: z.enum(['M49']).nullish(),
  codes: variableCodes.optional(),
});

const linkSchema = z.object({
  suitability: z.enum(SUITABILITIES),
  note: note.nullish(),
  sourceUrl: url.nullish(),
});

/** Validates an input against its schema; every problem becomes an issue at ["input", …]. */
function parse<S extends z.ZodType>(schema: S, input: unknown, extra?: (value: z.output<S>) => Issue[]): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw ValidationError.of(
      result.error.issues.map((i) => ({
        path: ['input', ...i.path.map(String)],
        message: i.code === 'invalid_type' && / received null$/.test(i.message) ? 'must not be null' : i.message,
      })),
    );
  }
  const issues = extra?.(result.data) ?? [];
  if (issues.length) throw ValidationError.of(issues);
  return result.data;
}

/** The input's format problems as issues at ["input", …] (none when it parses). */
function formatIssues<S extends z.ZodType>(schema: S, input: unknown) {
  const result = schema.safeParse(input);
  const issues: Issue[] = result.success
    ? []
    : result.error.issues.map((i) => ({
        path: ['input', ...i.path.map(String)],
        message: i.code === 'invalid_type' && / received null$/.test(i.message) ? 'must not be null' : i.message,
      }));
  return { value: result.success ? result.data : undefined, issues };
}

/**
 * Unknown codes in an indicator input's link lists, one issue per entry ("input.topics.2: unknown topic NOPE"), so
 * that they are reported together with the format problems. Entries that are malformed are left to the format
 * check (one problem per entry).
 */
async function unknownReferenceIssues(
  tx: Tx,
  input: {
    topics?: Maybe<string[]>;
    disaggregations?: Maybe<string[]>;
    sdgIndicators?: Maybe<string[]>;
    gcmObjectives?: Maybe<number[]>;
  },
): Promise<Issue[]> {
  const issues: Issue[] = [];
  const check = async <K extends string | number>(
    field: string,
    values: Maybe<K[]>,
    format: z.ZodType,
    what: string,
    known: (keys: K[]) => Promise<K[]>,
  ) => {
    if (!values?.length) return;
    const wellFormed = values.filter((v) => format.safeParse(v).success);
    const normalise = (v: K) => (typeof v === 'string' ? (v.trim() as K) : v);
    const found = new Set(wellFormed.length ? await known(wellFormed.map(normalise)) : []);
    values.forEach((v, i) => {
      if (format.safeParse(v).success && !found.has(normalise(v)))
        issues.push({ path: ['input', field, String(i)], message: `unknown ${what} ${String(v)}` });
    });
  };
  await check('topics', input.topics, code, 'topic', async (keys) =>
    (await tx.topic.findMany({ where: { code: { in: keys } }, select: { code: true } })).map((r) => r.code),
  );
  await check('disaggregations', input.disaggregations, code, 'variable', async (keys) =>
    (await tx.variable.findMany({ where: { code: { in: keys } }, select: { code: true } })).map((r) => r.code),
  );
  await check('sdgIndicators', input.sdgIndicators, sdgCode, 'SDG indicator', async (keys) =>
    (await tx.sdgIndicator.findMany({ where: { code: { in: keys } }, select: { code: true } })).map((r) => r.code),
  );
  await check('gcmObjectives', input.gcmObjectives, gcmNumber, 'GCM objective', async (keys) =>
    (await tx.gcmObjective.findMany({ where: { number: { in: keys } }, select: { number: true } })).map(
      (r) => r.number,
    ),
  );
  return issues;
}

/** Every problem of an indicator input at once: format, duplicates in lists and unknown codes. */
async function checkIndicatorInput<S extends z.ZodType>(tx: Tx, schema: S, input: UpdateIndicatorInput) {
  const { value, issues } = formatIssues(schema, input);
  issues.push(...indicatorListIssues(input), ...(await unknownReferenceIssues(tx, input)));
  if (issues.length) throw ValidationError.of(issues);
  return value as z.output<S>;
}

/**
 * Every edit of an existing catalogue item names the revision the client read: a stale one (someone changed the item
 * since) is a ConflictError carrying the current revision, and nothing is written. The UPDATE repeats the guard
 * (`where: { revision }`) so that of two concurrent writers with the same revision exactly one wins.
 */
function checkRevision(what: string, current: { revision: number }, expected: number) {
  if (current.revision !== expected) throw ConflictError.staleRevision(what, current.revision, expected);
}

/** Maps "no row matched the revision-guarded update" (a concurrent writer won) to a ConflictError. */
async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if ((err as { code?: unknown })?.code === 'P2025')
      throw new ConflictError(`${what} was changed by another request at the same time; reload and retry`);
    throw fromPrismaError(err, what);
  }
}

function duplicates<T>(field: string, values: Maybe<T[]>, key: (v: T) => string | number = (v) => String(v)): Issue[] {
  const seen = new Set<string | number>();
  const issues: Issue[] = [];
  (values ?? []).forEach((value, i) => {
    const k = key(value);
    if (seen.has(k)) issues.push({ path: ['input', field, String(i)], message: `duplicate ${String(k)}` });
    seen.add(k);
  });
  return issues;
}

function indicatorListIssues(v: {
  topics?: Maybe<string[]>;
  disaggregations?: Maybe<string[]>;
  sdgIndicators?: Maybe<string[]>;
  gcmObjectives?: Maybe<number[]>;
}): Issue[] {
  return [
    ...duplicates('topics', v.topics),
    ...duplicates('disaggregations', v.disaggregations),
    ...duplicates('sdgIndicators', v.sdgIndicators),
    ...duplicates('gcmObjectives', v.gcmObjectives),
  ];
}

function variableIssues(v: { codelist?: Maybe<string>; codes?: Maybe<{ code: string }[]> }): Issue[] {
  const issues = duplicates('codes', v.codes, (c) => c.code);
  if (v.codelist && v.codes?.length)
    issues.push({ path: ['input', 'codes'], message: 'a variable has either codes or a codelist, not both' });
  return issues;
}

/** Ids for codes in the given order; a NotFoundError names every unknown code and the input field. */
function idsFor<K extends string | number>(
  rows: { id: number; key: K }[],
  wanted: K[],
  what: string,
  field: string,
): number[] {
  const ids = new Map(rows.map((r) => [r.key, r.id]));
  const missing = wanted.filter((k) => !ids.has(k));
  if (missing.length) throw new NotFoundError(`input.${field}: no ${what} ${missing.map((k) => String(k)).join(', ')}`);
  return wanted.map((k) => ids.get(k) as number);
}

interface IndicatorLinks {
  topics?: number[];
  variables?: number[];
  sdg?: number[];
  gcm?: number[];
}

async function resolveIndicatorLinks(
  tx: Tx,
  v: {
    topics?: Maybe<string[]>;
    disaggregations?: Maybe<string[]>;
    sdgIndicators?: Maybe<string[]>;
    gcmObjectives?: Maybe<number[]>;
  },
): Promise<IndicatorLinks> {
  const links: IndicatorLinks = {};
  if (v.topics) {
    const rows = await tx.topic.findMany({ where: { code: { in: v.topics } }, select: { id: true, code: true } });
    links.topics = idsFor(
      rows.map((r) => ({ id: r.id, key: r.code })),
      v.topics,
      'topic',
      'topics',
    );
  }
  if (v.disaggregations) {
    const rows = await tx.variable.findMany({
      where: { code: { in: v.disaggregations } },
      select: { id: true, code: true },
    });
    links.variables = idsFor(
      rows.map((r) => ({ id: r.id, key: r.code })),
      v.disaggregations,
      'variable',
      'disaggregations',
    );
  }
  if (v.sdgIndicators) {
    const rows = await tx.sdgIndicator.findMany({
      where: { code: { in: v.sdgIndicators } },
      select: { id: true, code: true },
    });
    links.sdg = idsFor(
      rows.map((r) => ({ id: r.id, key: r.code })),
      v.sdgIndicators,
      'SDG indicator',
      'sdgIndicators',
    );
  }
  if (v.gcmObjectives) {
    const rows = await tx.gcmObjective.findMany({
      where: { number: { in: v.gcmObjectives } },
      select: { id: true, number: true },
    });
    links.gcm = idsFor(
      rows.map((r) => ({ id: r.id, key: r.number })),
      v.gcmObjectives,
      'GCM objective',
      'gcmObjectives',
    );
  }
  return links;
}

function linkWrites(links: IndicatorLinks) {
  return {
    ...(links.topics && { topics: { create: links.topics.map((topicId) => ({ topicId })) } }),
    ...(links.variables && {
      disaggregations: { create: links.variables.map((variableId, position) => ({ variableId, position })) },
    }),
    ...(links.sdg && { sdgIndicators: { create: links.sdg.map((sdgIndicatorId) => ({ sdgIndicatorId })) } }),
    ...(links.gcm && { gcmObjectives: { create: links.gcm.map((gcmObjectiveId) => ({ gcmObjectiveId })) } }),
  };
}

/** The indicator as the audit log records it: its own fields and its links by code. */
async function indicatorSnapshot(tx: Tx, id: number) {
  const i = await tx.indicator.findUniqueOrThrow({
    where: { id },
    include: {
      topics: { select: { topic: { select: { code: true } } } },
      disaggregations: { orderBy: { position: 'asc' }, select: { variable: { select: { code: true } } } },
      sdgIndicators: { select: { sdgIndicator: { select: { code: true } } } },
      gcmObjectives: { select: { gcmObjective: { select: { number: true } } } },
    },
  });
  return {
    code: i.code,
    name: i.name,
    description: i.description,
    unit: i.unit,
    additive: i.additive,
    signed: i.signed,
    buildingBlock: i.buildingBlock,
    tier: i.tier,
    status: i.status,
    sourceUrl: i.sourceUrl,
    provisionalFields: i.provisionalFields,
    topics: i.topics.map((l) => l.topic.code).sort(),
    disaggregations: i.disaggregations.map((l) => l.variable.code),
    sdgIndicators: i.sdgIndicators.map((l) => l.sdgIndicator.code).sort(),
    gcmObjectives: i.gcmObjectives.map((l) => l.gcmObjective.number).sort((a, b) => a - b),
  };
}

/**
 * The field a provisional-field entry names: its first word ("sdg (link via 17.18 …)" names "sdg"). The seed uses
 * the short names "sdg" and "gcm" for the SDG and GCM links.
 */
function provisionalFieldName(entry: string): string {
  const name = entry.trim().split(/[\s(]/)[0] ?? '';
  return ({ sdg: 'sdgIndicators', gcm: 'gcmObjectives' } as Record<string, string>)[name] ?? name;
}

/** The indicator fields a provisional mark may name (GraphQL: IndicatorField). */
export const INDICATOR_FIELDS = [
  'name',
  'description',
  'unit',
  'additive',
  'signed',
  'buildingBlock',
  'tier',
  'core',
  'sourceUrl',
  'topics',
  'disaggregations',
  'sdgIndicators',
  'gcmObjectives',
] as const;
export type IndicatorFieldName = (typeof INDICATOR_FIELDS)[number];

/** The topic fields a provisional mark may name (GraphQL: TopicField). */
export const TOPIC_FIELDS = ['name', 'description', 'tier', 'sourceUrl'] as const;

/** The recommendation fields a provisional mark may name (GraphQL: RecommendationField). */
export const RECOMMENDATION_FIELDS = ['text', 'sourceUrl', 'area', 'position', 'indicators', 'concepts'] as const;

/** The field names of stored provisional marks, remarks left out; marks naming no known field are skipped. */
export function provisionalFieldsOf(provisional: string[]): IndicatorFieldName[];
export function provisionalFieldsOf<F extends string>(provisional: string[], fields: readonly F[]): F[];
export function provisionalFieldsOf(provisional: string[], fields: readonly string[] = INDICATOR_FIELDS): string[] {
  return [...new Set(provisional.map(provisionalFieldName))].filter((name) => fields.includes(name));
}

/** Drops the provisional marks of the given fields: writing a field through the API confirms it. */
export function withoutProvisional(provisional: string[], fields: string[]): string[] {
  const confirmed = new Set(fields.map(provisionalFieldName));
  return provisional.filter((entry) => !confirmed.has(provisionalFieldName(entry)));
}

async function write<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw fromPrismaError(err, what);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Indicators

export interface CreateIndicatorInput {
  code: string;
  name: string;
  description?: Maybe<string>;
  unit: string;
  additive: boolean;
  signed?: Maybe<boolean>;
  buildingBlock?: Maybe<(typeof BUILDING_BLOCKS)[number]>;
  tier: (typeof TIERS)[number];
  status?: Maybe<(typeof STATUSES)[number]>;
  sourceUrl?: Maybe<string>;
  topics?: Maybe<string[]>;
  disaggregations?: Maybe<string[]>;
  sdgIndicators?: Maybe<string[]>;
  gcmObjectives?: Maybe<number[]>;
  provisionalFields?: Maybe<string[]>;
}

export type UpdateIndicatorInput = { [K in keyof CreateIndicatorInput]?: CreateIndicatorInput[K] | null };

export async function createIndicator(prisma: PrismaClient, actor: Actor, input: CreateIndicatorInput) {
  return prisma.$transaction(async (tx) => {
    const v = await checkIndicatorInput(tx, createIndicatorSchema, input);
    if (await tx.indicator.findUnique({ where: { code: v.code }, select: { id: true } }))
      throw new ConflictError(`An indicator with code ${v.code} already exists`);
    const links = await resolveIndicatorLinks(tx, v);
    const row = await write(`Indicator ${v.code}`, () =>
      tx.indicator.create({
        data: {
          code: v.code,
          name: v.name,
          description: v.description ?? null,
          unit: v.unit,
          additive: v.additive,
          signed: v.signed ?? false,
          buildingBlock: v.buildingBlock ?? null,
          tier: v.tier,
          status: v.status ?? 'ACTIVE',
          sourceUrl: v.sourceUrl ?? null,
          provisionalFields: v.provisionalFields ?? [],
          ...linkWrites(links),
        },
      }),
    );
    await audit(tx, actor, 'indicator.create', 'Indicator', row.code, null, await indicatorSnapshot(tx, row.id));
    await recordItemChanges(tx, [{ type: 'Indicator', id: row.id }]);
    return row;
  });
}

export async function updateIndicator(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  input: UpdateIndicatorInput,
  expectedRevision: number,
) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.indicator.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such indicator');
    const v = await checkIndicatorInput(tx, updateIndicatorSchema, input);
    // Retiring and un-retiring are explicit mutations, never a side effect of an edit.
    if (v.status != null && v.status !== current.status)
      throw ValidationError.of([
        {
          path: ['input', 'status'],
          message: `use ${current.status === 'RETIRED' ? 'unretireIndicator' : 'retireIndicator'} to change the status of ${current.code}`,
        },
      ]);
    checkRevision(`Indicator ${current.code}`, current, expectedRevision);
    if (v.code && v.code !== current.code && (await tx.indicator.findUnique({ where: { code: v.code } })))
      throw new ConflictError(`An indicator with code ${v.code} already exists`);
    const before = await indicatorSnapshot(tx, id);
    const links = await resolveIndicatorLinks(tx, v);
    const changed = Object.keys(v).filter((k) => k !== 'provisionalFields' && v[k as keyof typeof v] !== undefined);
    // Replaced link lists are deleted first; the nested creates below write the new ones.
    if (links.topics) await tx.indicatorTopic.deleteMany({ where: { indicatorId: id } });
    if (links.variables) await tx.indicatorVariable.deleteMany({ where: { indicatorId: id } });
    if (links.sdg) await tx.indicatorSdg.deleteMany({ where: { indicatorId: id } });
    if (links.gcm) await tx.indicatorGcm.deleteMany({ where: { indicatorId: id } });
    const row = await guarded(`Indicator ${v.code ?? current.code}`, () =>
      tx.indicator.update({
        where: { id, revision: current.revision },
        data: {
          revision: { increment: 1 },
          code: v.code,
          name: v.name,
          description: v.description,
          unit: v.unit,
          additive: v.additive,
          signed: v.signed,
          buildingBlock: v.buildingBlock,
          tier: v.tier,
          status: v.status,
          sourceUrl: v.sourceUrl,
          provisionalFields: v.provisionalFields ?? withoutProvisional(current.provisionalFields, changed),
          ...linkWrites(links),
        },
      }),
    );
    await audit(tx, actor, 'indicator.update', 'Indicator', row.code, before, await indicatorSnapshot(tx, id));
    await recordItemChanges(tx, [{ type: 'Indicator', id: row.id }]);
    return row;
  });
}

export async function retireIndicator(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  expectedRevision: number,
  reason?: Maybe<string>,
) {
  return setIndicatorStatus(prisma, actor, id, 'RETIRED', reason, expectedRevision);
}

/** Brings a retired indicator back into coverage and gap counts: an explicit decision, audited with its reason. */
export async function unretireIndicator(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  expectedRevision: number,
  reason?: Maybe<string>,
) {
  return setIndicatorStatus(prisma, actor, id, 'ACTIVE', reason, expectedRevision);
}

async function setIndicatorStatus(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  status: 'ACTIVE' | 'RETIRED',
  reason: Maybe<string>,
  expectedRevision: number,
) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.indicator.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such indicator');
    if (current.status === status)
      throw new ConflictError(
        `Indicator ${current.code} is ${status === 'RETIRED' ? 'already retired' : 'not retired'}`,
      );
    checkRevision(`Indicator ${current.code}`, current, expectedRevision);
    const row = await guarded(`Indicator ${current.code}`, () =>
      tx.indicator.update({
        where: { id, revision: current.revision },
        data: { status, revision: { increment: 1 } },
      }),
    );
    await audit(
      tx,
      actor,
      status === 'RETIRED' ? 'indicator.retire' : 'indicator.unretire',
      'Indicator',
      row.code,
      { status: current.status },
      { status: row.status, ...(reason?.trim() ? { reason: reason.trim() } : {}) },
    );
    await recordItemChanges(tx, [{ type: 'Indicator', id: row.id }]);
    return row;
  });
}

/** Marks provisional fields of an indicator as confirmed (all of them when `fields` is absent). */
export async function confirmIndicatorFields(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  expectedRevision: number,
  fields: Maybe<string[]>,
) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.indicator.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such indicator');
    const provisionalFields = fields ? withoutProvisional(current.provisionalFields, fields) : [];
    const unknown = (fields ?? []).filter(
      (f) => !current.provisionalFields.some((e) => provisionalFieldName(e) === provisionalFieldName(f)),
    );
    if (unknown.length)
      throw ValidationError.of(
        unknown.map((f) => ({
          path: ['input', 'fields', String((fields ?? []).indexOf(f))],
          message: `${f} is not provisional on ${current.code}`,
        })),
      );
    // Confirming a provisional value the client did not see would be a lost update like any other edit.
    checkRevision(`Indicator ${current.code}`, current, expectedRevision);
    const row = await guarded(`Indicator ${current.code}`, () =>
      tx.indicator.update({
        where: { id, revision: current.revision },
        data: { provisionalFields, revision: { increment: 1 } },
      }),
    );
    await audit(
      tx,
      actor,
      'indicator.confirm',
      'Indicator',
      row.code,
      { provisionalFields: current.provisionalFields },
      { provisionalFields },
    );
    await recordItemChanges(tx, [{ type: 'Indicator', id: row.id }]);
    return row;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Indicator ↔ source-type links

/** The two ends of a link, by row key (the API finds them by global id or by code). */
export interface LinkEnds {
  indicatorId: number;
  sourceTypeId: number;
}

export interface LinkInput extends LinkEnds {
  suitability: (typeof SUITABILITIES)[number];
  note?: Maybe<string>;
  sourceUrl?: Maybe<string>;
}

async function linkEnds(tx: Tx, ends: LinkEnds) {
  const [indicator, sourceType] = await Promise.all([
    tx.indicator.findUnique({ where: { id: ends.indicatorId } }),
    tx.sourceType.findUnique({ where: { id: ends.sourceTypeId } }),
  ]);
  if (!indicator) throw new NotFoundError('input.indicatorId: no such indicator');
  if (!sourceType) throw new NotFoundError('input.sourceTypeId: no such source type');
  return { indicator, sourceType };
}

function linkSnapshot(l: { suitability: string; note: string | null; sourceUrl: string | null } | null) {
  return l && { suitability: l.suitability, note: l.note, sourceUrl: l.sourceUrl };
}

/** Creates the link, or changes its suitability and note; returns it and whether it is new. */
export async function linkIndicatorSourceType(prisma: PrismaClient, actor: Actor, input: LinkInput) {
  const v = parse(linkSchema, input);
  return prisma.$transaction(async (tx) => {
    const { indicator, sourceType } = await linkEnds(tx, input);
    const key = { indicatorId_sourceTypeId: { indicatorId: indicator.id, sourceTypeId: sourceType.id } };
    const before = await tx.indicatorSourceType.findUnique({ where: key });
    const link = await tx.indicatorSourceType.upsert({
      where: key,
      create: {
        indicatorId: indicator.id,
        sourceTypeId: sourceType.id,
        suitability: v.suitability,
        note: v.note ?? null,
        sourceUrl: v.sourceUrl ?? null,
      },
      update: { suitability: v.suitability, note: v.note, sourceUrl: v.sourceUrl },
    });
    await audit(
      tx,
      actor,
      before ? 'indicator.source.update' : 'indicator.source.link',
      'IndicatorSourceType',
      `${indicator.code}/${sourceType.code}`,
      linkSnapshot(before),
      linkSnapshot(link),
    );
    await recordItemChanges(tx, [
      { type: 'Indicator', id: indicator.id },
      { type: 'SourceType', id: sourceType.id },
    ]);
    return { link, created: !before };
  });
}

export async function unlinkIndicatorSourceType(prisma: PrismaClient, actor: Actor, ends: LinkEnds) {
  return prisma.$transaction(async (tx) => {
    const { indicator, sourceType } = await linkEnds(tx, ends);
    const key = { indicatorId_sourceTypeId: { indicatorId: indicator.id, sourceTypeId: sourceType.id } };
    const before = await tx.indicatorSourceType.findUnique({ where: key });
    if (!before) throw new NotFoundError(`${indicator.code} is not linked to source type ${sourceType.code}`);
    await tx.indicatorSourceType.delete({ where: key });
    await audit(
      tx,
      actor,
      'indicator.source.unlink',
      'IndicatorSourceType',
      `${indicator.code}/${sourceType.code}`,
      linkSnapshot(before),
      null,
    );
    await recordItemChanges(tx, [
      { type: 'Indicator', id: indicator.id },
      { type: 'SourceType', id: sourceType.id },
    ]);
    return { indicator, sourceType };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Topics

export interface TopicInput {
  code: string;
  name: string;
  tier: (typeof TIERS)[number];
  description?: Maybe<string>;
  sourceUrl?: Maybe<string>;
  provisionalFields?: Maybe<string[]>;
}

function topicSnapshot(t: {
  code: string;
  name: string;
  tier: string;
  description: string | null;
  sourceUrl: string | null;
  provisionalFields: string[];
}) {
  return {
    code: t.code,
    name: t.name,
    tier: t.tier,
    description: t.description,
    sourceUrl: t.sourceUrl,
    provisionalFields: t.provisionalFields,
  };
}

export async function createTopic(prisma: PrismaClient, actor: Actor, input: TopicInput) {
  const v = parse(topicSchema, input);
  return prisma.$transaction(async (tx) => {
    if (await tx.topic.findUnique({ where: { code: v.code }, select: { id: true } }))
      throw new ConflictError(`A topic with code ${v.code} already exists`);
    const row = await write(`Topic ${v.code}`, () =>
      tx.topic.create({
        data: {
          code: v.code,
          name: v.name,
          tier: v.tier,
          description: v.description ?? null,
          sourceUrl: v.sourceUrl ?? null,
          provisionalFields: v.provisionalFields ?? [],
        },
      }),
    );
    await audit(tx, actor, 'topic.create', 'Topic', row.code, null, topicSnapshot(row));
    await recordItemChanges(tx, [{ type: 'Topic', id: row.id }]);
    return row;
  });
}

export async function updateTopic(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  input: { [K in keyof TopicInput]?: TopicInput[K] | null },
  expectedRevision: number,
) {
  const v = parse(updateTopicSchema, input);
  return prisma.$transaction(async (tx) => {
    const current = await tx.topic.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such topic');
    checkRevision(`Topic ${current.code}`, current, expectedRevision);
    if (v.code && v.code !== current.code && (await tx.topic.findUnique({ where: { code: v.code } })))
      throw new ConflictError(`A topic with code ${v.code} already exists`);
    const changed = Object.keys(v).filter((k) => k !== 'provisionalFields' && v[k as keyof typeof v] !== undefined);
    const row = await guarded(`Topic ${v.code ?? current.code}`, () =>
      tx.topic.update({
        where: { id, revision: current.revision },
        data: {
          revision: { increment: 1 },
          code: v.code,
          name: v.name,
          tier: v.tier,
          description: v.description,
          sourceUrl: v.sourceUrl,
          provisionalFields: v.provisionalFields ?? withoutProvisional(current.provisionalFields, changed),
        },
      }),
    );
    await audit(tx, actor, 'topic.update', 'Topic', row.code, topicSnapshot(current), topicSnapshot(row));
    await recordItemChanges(tx, [{ type: 'Topic', id: row.id }]);
    return row;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Variables

export interface VariableInput {
  code: string;
  name: string;
  sourceUrl?: Maybe<string>;
  codelist?: Maybe<string>;
  codes?: Maybe<{ code: string; label: string }[]>;
}

async function variableSnapshot(tx: Tx, id: number) {
  const v = await tx.variable.findUniqueOrThrow({
    where: { id },
    include: { codes: { orderBy: { position: 'asc' } } },
  });
  return {
    code: v.code,
    name: v.name,
    sourceUrl: v.sourceUrl,
    codelist: v.codelist,
    codes: v.codes.map((c) => ({ code: c.code, label: c.label })),
  };
}

/** Observations whose dimensions use the variable (or, given codes, one of those codes of it). */
async function observationsUsing(tx: Tx, variable: string, codes?: string[]): Promise<number> {
  // dimensionKey is "A=x;B=y" with keys sorted; a dimension shows as a whole "VAR=code" segment.
  const segments = codes ? codes.map((c) => `${variable}=${c}`) : [`${variable}=`];
  const exact = !!codes;
  return tx.observation.count({
    where: {
      OR: segments.flatMap((s) =>
        exact
          ? [
              { dimensionKey: s },
              { dimensionKey: { startsWith: `${s};` } },
              { dimensionKey: { endsWith: `;${s}` } },
              { dimensionKey: { contains: `;${s};` } },
            ]
          : [{ dimensionKey: { startsWith: s } }, { dimensionKey: { contains: `;${s}` } }],
      ),
    },
  });
}

export async function createVariable(prisma: PrismaClient, actor: Actor, input: VariableInput) {
  const v = parse(variableSchema, input, variableIssues);
  return prisma.$transaction(async (tx) => {
    if (await tx.variable.findUnique({ where: { code: v.code }, select: { id: true } }))
      throw new ConflictError(`A variable with code ${v.code} already exists`);
    const row = await write(`Variable ${v.code}`, () =>
      tx.variable.create({
        data: {
          code: v.code,
          name: v.name,
          sourceUrl: v.sourceUrl ?? null,
          codelist: v.codelist ?? null,
          codes: { create: (v.codes ?? []).map((c, position) => ({ ...c, position })) },
        },
      }),
    );
    await audit(tx, actor, 'variable.create', 'Variable', row.code, null, await variableSnapshot(tx, row.id));
    await recordItemChanges(tx, [{ type: 'Variable', id: row.id }]);
    return row;
  });
}

/** Updates a variable; a given `codes` list replaces the code list. */
export async function updateVariable(
  prisma: PrismaClient,
  actor: Actor,
  id: number,
  input: { [K in keyof VariableInput]?: VariableInput[K] | null },
  expectedRevision: number,
) {
  const v = parse(updateVariableSchema, input, variableIssues);
  return prisma.$transaction(async (tx) => {
    const current = await tx.variable.findUnique({ where: { id }, include: { codes: true } });
    if (!current) throw new NotFoundError('input.id: no such variable');
    checkRevision(`Variable ${current.code}`, current, expectedRevision);
    const before = await variableSnapshot(tx, id);
    const codelist = v.codelist === undefined ? current.codelist : v.codelist;
    const codes = v.codes ?? current.codes;
    if (codelist && codes.length)
      throw ValidationError.of([
        { path: ['input', 'codes'], message: 'a variable has either codes or a codelist, not both' },
      ]);
    if (v.code && v.code !== current.code) {
      if (await tx.variable.findUnique({ where: { code: v.code } }))
        throw new ConflictError(`A variable with code ${v.code} already exists`);
      // Observations store their dimensions by variable code, so a code in use cannot change.
      const used = await observationsUsing(tx, current.code);
      if (used)
        throw new ConflictError(`Variable ${current.code} is used by ${used} observations; its code cannot change`);
    }
    if (v.codes) {
      const kept = new Set(v.codes.map((c) => c.code));
      const removed = current.codes.map((c) => c.code).filter((c) => !kept.has(c));
      const used = removed.length ? await observationsUsing(tx, current.code, removed) : 0;
      if (used)
        throw new ConflictError(
          `Codes ${removed.join(', ')} of ${current.code} cannot be removed: ${used} observations use them`,
        );
      await tx.variableCode.deleteMany({ where: { variableId: id } });
    }
    const row = await guarded(`Variable ${v.code ?? current.code}`, () =>
      tx.variable.update({
        where: { id, revision: current.revision },
        data: {
          revision: { increment: 1 },
          code: v.code,
          name: v.name,
          sourceUrl: v.sourceUrl,
          codelist: v.codelist,
          ...(v.codes && { codes: { create: v.codes.map((c, position) => ({ ...c, position })) } }),
        },
      }),
    );
    await audit(tx, actor, 'variable.update', 'Variable', row.code, before, await variableSnapshot(tx, id));
    await recordItemChanges(tx, [{ type: 'Variable', id: row.id }]);
    return row;
  });
}
