// Country submissions (CONTRACT §4, §5, §7): one version per row, its observations and status history, the review
// workflow as separate mutations, and the pinned importSubmissions mutation. Every read — node(id), lists, relations,
// nested versions and the countable flags — applies the caller's visible versions (visibility.ts), in the query.
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { findCountry } from '../access/tokens.js';
import { actorOf } from '../access/audit.js';
import type { Prisma, Submission as SubmissionRow } from '../../prisma/generated/prisma/client.js';
import type { Context } from '../platform/context.js';
import { importSubmissions, type ImportProblem } from './submissions.import.js';
import { TRANSITIONS, transitionSubmission, type Transition } from './workflow.service.js';
import { countableIds, keyVersions } from './versions.service.js';
import { seesInternals, seesUnpublished, visibilityOf, visibleWhere } from './visibility.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { badInput } from '../schema/errors.js';
import { connectionOf, orderBy, pageOfReadable, wherePerField } from '../schema/connections.js';
import { Country } from '../geography/country.schema.js';
import { DataSource, safeLocalId } from './data-source.schema.js';
import { ResidenceCriterion, SubmissionOrigin, SubmissionStatus } from '../schema/enums.js';
import { localId } from '../schema/global-id.js';
import { countryDataImportScopes, fileFields, tableOf } from '../schema/upload.js';

/** The caller's visible versions as a Prisma where on Submission. */
export function visibleSubmissions(ctx: Context) {
  return visibleWhere(visibilityOf(ctx.viewer));
}

// Per-request loaders (keyed by the context object, so nothing outlives the request or crosses callers): the key
// versions of a batch of submissions, and submission rows by id for the versions they point at.
const loadersOf = createContextCache((ctx: Context) => ({
  keys: new DataLoader((ids: readonly number[]) => keyVersions(ctx.prisma, visibilityOf(ctx.viewer), ids)),
  rows: new DataLoader(async (ids: readonly number[]) => {
    const rows = await ctx.prisma.submission.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? new Error(`submission ${id} vanished`));
  }),
}));

const DimensionRef = builder.objectRef<{ variable: string; code: string }>('ObservationDimension').implement({
  description: 'One disaggregation of an observation: a variable and a code of its code list.',
  fields: (t) => ({
    variable: t.exposeString('variable', { description: 'Variable code, e.g. "SEX".' }),
    code: t.exposeString('code', { description: 'Code, e.g. "F"; totals (_T) are not listed.' }),
  }),
});

export const Observation = builder.prismaNode('Observation', {
  id: { field: 'id' },
  // Unpublished rows are invisible to some callers: node(id) answers null for them instead of failing.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), submission: visibleSubmissions(ctx) }),
  description: 'One value of a submission with its disaggregation codes.',
  fields: (t) => ({
    value: t.exposeFloat('value'),
    dimensionKey: t.exposeString('dimensionKey', {
      description: 'Canonical key: "" for the total, "SEX=F", "AGE=Y15T24;SEX=F" (variables in code order).',
    }),
    dimensions: t.field({
      type: [DimensionRef],
      description: 'Disaggregation codes by variable, in variable code order; empty for the total.',
      resolve: (o) =>
        Object.entries((o.dimensions ?? {}) as Record<string, string>)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([variable, code]) => ({ variable, code })),
    }),
    dimensionsJson: t.expose('dimensions', {
      type: 'JSON',
      description: 'The same codes as a JSON object, e.g. {"SEX":"F"}.',
    }),
    isTotal: t.boolean({ description: 'No disaggregation: the total.', resolve: (o) => o.dimensionKey === '' }),
  }),
});

export const SubmissionEvent = builder.prismaNode('SubmissionEvent', {
  id: { field: 'id' },
  // Unpublished rows are invisible to some callers: node(id) answers null for them instead of failing.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), submission: visibleSubmissions(ctx) }),
  description: 'A status change of a submission: who, when and why.',
  fields: (t) => ({
    fromStatus: t.expose('fromStatus', { type: SubmissionStatus, nullable: true, description: 'Null on creation.' }),
    toStatus: t.expose('toStatus', { type: SubmissionStatus }),
    // Internal (visibility.ts seesInternals): the public reads that a published version was validated, not by whom
    // or with what words.
    actor: t.string({
      nullable: true,
      description:
        "The token's name, or cli; null for callers who do not read the country's unpublished data (internal).",
      select: { actor: true, submission: { select: { countryId: true } } },
      resolve: (e, _args, ctx) => (seesInternals(ctx.viewer, e.submission.countryId) ? e.actor : null),
    }),
    comment: t.string({
      nullable: true,
      description:
        "Comment or rejection reason; null for callers who do not read the country's unpublished data (internal).",
      select: { comment: true, submission: { select: { countryId: true } } },
      resolve: (e, _args, ctx) => (seesInternals(ctx.viewer, e.submission.countryId) ? e.comment : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const Submission = builder.prismaNode('Submission', {
  id: { field: 'id' },
  // Unpublished rows are invisible to some callers: node(id) answers null for them instead of failing.
  nullable: true,
  findUnique: (id, ctx) => ({ id: Number(id), ...visibleSubmissions(ctx) }),
  description:
    'One version of a country submission: one country, one indicator, one reference year, one source. ' +
    'Re-submitting the same key creates version n+1; the most recent VALIDATED or PUBLISHED version counts.',
  fields: (t) => ({
    country: t.relation('country'),
    indicator: t.relation('indicator'),
    referenceYear: t.exposeInt('referenceYear'),
    sourceType: t.relation('sourceType', { nullable: true }),
    dataSource: t.relation('dataSource', { nullable: true }),
    sourceKey: t.exposeString('sourceKey', {
      description: 'The source part of the key: "DS:<data source>", "ST:<source type>" or "" (none named).',
    }),
    revision: t.exposeInt('revision', {
      description: 'Optimistic-concurrency token: pass it as expectedRevision to the workflow mutations.',
    }),
    status: t.expose('status', { type: SubmissionStatus }),
    residenceCriterion: t.expose('residenceCriterion', { type: ResidenceCriterion, nullable: true }),
    origin: t.expose('origin', { type: SubmissionOrigin }),
    unit: t.exposeString('unit'),
    note: t.exposeString('note', { nullable: true }),
    rejectionReason: t.exposeString('rejectionReason', { nullable: true }),
    countableSince: t.expose('countableSince', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last reached VALIDATED or PUBLISHED.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    observations: t.relation('observations', { query: { orderBy: { dimensionKey: 'asc' } } }),
    total: t.prismaField({
      type: 'Observation',
      nullable: true,
      description: 'The observation without disaggregation, when given.',
      resolve: (query, s, _args, ctx) =>
        ctx.prisma.observation.findUnique({
          ...query,
          where: { submissionId_dimensionKey: { submissionId: s.id, dimensionKey: '' } },
        }),
    }),
    history: t.relation('events', {
      description: 'Status changes, oldest first.',
      query: { orderBy: { id: 'asc' } },
    }),
  }),
});

// The version fields, batched per request: a page of submissions asks the database once for the key versions of
// the whole page (versions.service.ts) and once for the rows they point at.
builder.prismaObjectFields(Submission, (t) => ({
  version: t.int({
    description:
      'Version number within the key, from 1, among the versions the caller may read: a version hidden from the ' +
      'caller leaves no gap (an anonymous caller reads versions 1 and 2 where the task force reads 1, 2 and 3).',
    // Counted among the visible versions (CONTRACT §4): the stored number also counts hidden ones, so v1 and v3
    // would tell an anonymous caller that a v2 exists. Without the batch where the answer is known: a caller who
    // reads every version of the country gets the stored number, and a first version is the first for everyone who
    // may read it (most keys have one version: a page of them costs no statement more).
    resolve: async (s, _args, ctx) =>
      s.version === 1 || seesUnpublished(visibilityOf(ctx.viewer), s.countryId)
        ? s.version
        : (await loadersOf(ctx).keys.load(s.id)).versionIds.indexOf(s.id) + 1,
  }),
  versions: t.field({
    type: [Submission],
    description: 'Every version of the same key the caller may read, oldest first (this one included).',
    resolve: async (s, _args, ctx) => {
      const { keys, rows } = loadersOf(ctx);
      return (await rows.loadMany((await keys.load(s.id)).versionIds)) as SubmissionRow[];
    },
  }),
  isCountable: t.boolean({
    description:
      'Whether this version counts (CONTRACT §4): the most recent VALIDATED or PUBLISHED version of its key among ' +
      'the versions the caller may read.',
    resolve: async (s, _args, ctx) => (await loadersOf(ctx).keys.load(s.id)).countableId === s.id,
  }),
  supersededBy: t.field({
    type: Submission,
    nullable: true,
    description:
      'The newer VALIDATED or PUBLISHED version of the same key that replaces this one, if the caller may read one.',
    resolve: async (s, _args, ctx) => {
      const { keys, rows } = loadersOf(ctx);
      const key = await keys.load(s.id);
      return key.countableId !== null && key.countableVersion! > s.version ? rows.load(key.countableId) : null;
    },
  }),
}));

export const SubmissionConnection = connectionOf(Submission, 'Submission');

const SubmissionFilter = builder.inputType('SubmissionFilter', {
  description: 'Narrows a list of submissions; all given conditions apply.',
  fields: (t) => ({
    country: t.string({ description: 'M49 or ISO3 code.' }),
    indicator: t.string({ description: 'Indicator code.' }),
    status: t.field({ type: SubmissionStatus, description: 'Only versions with this status.' }),
    fromYear: t.int({ description: 'Reference year at least this (inclusive).' }),
    toYear: t.int({ description: 'Reference year at most this (inclusive).' }),
    dataSource: t.string({ description: 'Data source code.' }),
    countable: t.boolean({ description: 'Only the countable version of each key (true), or only the others.' }),
  }),
});

type Filter = typeof SubmissionFilter.$inferInput;

/** Newest first: review queues and a country's own list want the latest versions on the first page. */
const submissionOrder = orderBy('SubmissionOrder', {
  items: 'submission versions',
  fields: {
    CREATED_AT: {
      description: 'When the version was written (versions of one import in the order they were written).',
      // Creation order is the id sequence, which the (countryId, status, id) indexes serve.
      keys: () => [],
    },
    UPDATED_AT: {
      description: 'When the version last changed, e.g. by a status change.',
      keys: (d) => [{ updatedAt: d }],
    },
    REFERENCE_YEAR: { description: 'Reference year of the data.', keys: (d) => [{ referenceYear: d }] },
  },
  default: { field: 'CREATED_AT', direction: 'DESC' },
  defaultIs: 'newest first',
});
const submissionOrderArgs = submissionOrder.args;
const submissionOrderBy = submissionOrder.prismaOrderBy;

/**
 * The where clause of a filter. A country code is looked up (its id serves the indexes); the indicator and data
 * source codes are joined, and checked only when nothing matched (filterCodesExist), so a page costs one statement.
 * Built once for the page and its totalCount (wherePerField): the lookups, and the countable versions, run once.
 */
const submissionWhere = wherePerField(async (_root: unknown, { filter }: { filter?: Filter | null }, ctx: Context) => {
  // As a reversed window is refused (coverage's checkWindow): a typo must not read as "nothing to review".
  if (filter?.fromYear != null && filter.toYear != null && filter.fromYear > filter.toYear) {
    throw badInput(`filter: fromYear (${filter.fromYear}) is after toYear (${filter.toYear})`);
  }
  const and: Prisma.SubmissionWhereInput[] = [visibleSubmissions(ctx)];
  let countryId: number | undefined;
  if (filter?.country) {
    countryId = (await requireCode('filter.country', 'country', filter.country, (c) => findCountry(ctx.prisma, c))).id;
    and.push({ countryId });
  }
  const indicatorCode = filter?.indicator?.trim() || undefined;
  if (indicatorCode) and.push({ indicator: { code: indicatorCode } });
  if (filter?.status) and.push({ status: filter.status });
  if (filter?.fromYear != null) and.push({ referenceYear: { gte: filter.fromYear } });
  if (filter?.toYear != null) and.push({ referenceYear: { lte: filter.toYear } });
  if (filter?.dataSource) and.push({ dataSource: { code: filter.dataSource } });
  if (filter?.countable != null) {
    // The countable version of a key is decided over all its versions the caller sees, never over the ones a
    // status filter leaves: the key conditions narrow the keys, the status filter then applies to the answer.
    const ids = await countableIds(ctx.prisma, visibilityOf(ctx.viewer), {
      countryId,
      indicatorCode,
      fromYear: filter.fromYear ?? undefined,
      toYear: filter.toYear ?? undefined,
      dataSourceCode: filter.dataSource ?? undefined,
    });
    and.push(filter.countable ? { id: { in: ids } } : { id: { notIn: ids } });
  }
  return { AND: and } satisfies Prisma.SubmissionWhereInput;
});

/** NOT_FOUND when the filter's indicator or data source code names nothing (README "Unknown codes"). */
async function filterCodesExist(ctx: Context, filter: Filter | null | undefined) {
  const indicatorCode = filter?.indicator?.trim() || undefined;
  if (indicatorCode) {
    await requireCode('filter.indicator', 'indicator', indicatorCode, (code) =>
      ctx.prisma.indicator.findUnique({ where: { code }, select: { id: true } }),
    );
  }
  if (filter?.dataSource) {
    await requireCode('filter.dataSource', 'data source', filter.dataSource, (code) =>
      ctx.prisma.dataSource.findUnique({ where: { code }, select: { id: true } }),
    );
  }
}

builder.queryFields((t) => ({
  submission: t.prismaField({
    type: 'Submission',
    nullable: true,
    description: 'A submission version by global id (the same as node(id)).',
    args: { id: t.arg.id({ required: true, description: 'The global id of a Submission.' }) },
    resolve: (query, _root, { id }, ctx) => {
      const local = safeLocalId(id, 'Submission');
      return local === null
        ? null
        : ctx.prisma.submission.findFirst({ ...query, where: { id: local, ...visibleSubmissions(ctx) } });
    },
  }),
  submissions: t.prismaConnection(
    {
      type: 'Submission',
      cursor: 'id',
      description:
        'Submission versions the caller may read (CONTRACT §4 visible versions), newest first unless orderBy says ' +
        "otherwise: PUBLISHED ones without a token or with READER, and a FOCAL_POINT's own country's besides. With " +
        'filter: { status: SUBMITTED } (or VALIDATED) it is the review queue.',
      args: {
        filter: t.arg({ type: SubmissionFilter, required: false, description: 'Which versions; all when omitted.' }),
        ...submissionOrderArgs,
      },
      resolve: async (query, root, args, ctx) => {
        const paged = await pageOfReadable(query, await submissionWhere(root, args, ctx), async (id) =>
          Boolean(await ctx.prisma.submission.count({ where: { id, ...visibleSubmissions(ctx) } })),
        );
        const page = paged
          ? await ctx.prisma.submission.findMany({ ...paged, orderBy: submissionOrderBy(args.orderBy) })
          : [];
        if (!page.length) await filterCodesExist(ctx, args.filter);
        return page;
      },
      totalCount: async (root, args, ctx) => {
        const count = await ctx.prisma.submission.count({ where: await submissionWhere(root, args, ctx) });
        if (!count) await filterCodesExist(ctx, args.filter);
        return count;
      },
    },
    SubmissionConnection,
  ),
}));

for (const [owner, field] of [
  [Country, 'submissions'],
  [DataSource, 'submissions'],
] as const) {
  builder.prismaObjectField(owner as typeof Country, field, (t) =>
    t.relatedConnection(
      'submissions',
      {
        cursor: 'id',
        totalCount: true,
        description:
          'Submission versions the caller may read (CONTRACT §4 visible versions), newest first unless orderBy says ' +
          'otherwise.',
        args: submissionOrderArgs,
        query: ({ orderBy }, ctx) => ({ where: visibleSubmissions(ctx), orderBy: submissionOrderBy(orderBy) }),
      },
      SubmissionConnection,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow: one mutation per transition, each with the submission's revision for optimistic concurrency.

/** One payload per transition, named after its mutation, so a client's `... on` says which change it handles. */
function transitionPayload(transition: Transition, outcome: string) {
  const name = `${transition.action.charAt(0).toUpperCase()}${transition.action.slice(1)}SubmissionPayload`;
  return builder.objectRef<{ submission: typeof Submission.$inferType }>(name).implement({
    description: `The submission ${outcome}.`,
    fields: (t) => ({
      submission: t.field({
        type: Submission,
        description: `The version ${outcome}, with its new status and revision.`,
        resolve: (p) => p.submission,
      }),
    }),
  });
}

const OUTCOME: Record<Transition['action'], string> = {
  submit: 'sent for validation (now SUBMITTED)',
  validate: 'validated (now VALIDATED and countable)',
  publish: 'published (now PUBLISHED and public)',
  reject: 'rejected (now REJECTED, with its reason)',
};

function transitionInput(name: string, description: string, commentField: 'comment' | 'reason') {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      id: t.id({ required: true, description: "The submission's global id." }),
      expectedRevision: t.int({
        required: true,
        description: 'The revision the caller last read; a stale one fails with ConflictError and changes nothing.',
      }),
      ...(commentField === 'reason'
        ? { reason: t.string({ required: true, description: 'Why it is rejected (shown to the country).' }) }
        : { comment: t.string({ description: 'Recorded in the history.' }) }),
    }),
  });
}

const inputs = {
  submit: transitionInput('SubmitSubmissionInput', 'Sends a DRAFT for validation.', 'comment'),
  validate: transitionInput('ValidateSubmissionInput', 'Marks a SUBMITTED version as VALIDATED.', 'comment'),
  publish: transitionInput('PublishSubmissionInput', 'Publishes a VALIDATED version.', 'comment'),
  reject: transitionInput('RejectSubmissionInput', 'Rejects a SUBMITTED or VALIDATED version.', 'reason'),
};

function transitionField(transition: Transition, description: string) {
  return builder.mutationField(`${transition.action}Submission`, (t) =>
    t.field({
      type: transitionPayload(transition, OUTCOME[transition.action]),
      description,
      authScopes:
        transition.action === 'submit'
          ? async (_root, { input }, ctx) => {
              const id = safeLocalId(input.id, 'Submission');
              const row =
                id === null
                  ? null
                  : await ctx.prisma.submission.findUnique({ where: { id }, select: { countryId: true } });
              return { countryWriter: row?.countryId ?? -1 };
            }
          : { taskForce: true },
      errors: { types: [ValidationError, NotFoundError, ConflictError] },
      args: {
        input: t.arg({
          type: inputs[transition.action],
          required: true,
          description: 'The version, the revision last read, and a comment or reason.',
        }),
      },
      resolve: async (_root, { input }, ctx) => {
        const fields = input as { id: string; expectedRevision: number; comment?: string | null; reason?: string };
        return {
          submission: await transitionSubmission(ctx.prisma, actorOf(ctx.viewer), transition, {
            id: localId(fields.id, 'Submission'),
            expectedRevision: fields.expectedRevision,
            comment: fields.reason ?? fields.comment,
          }),
        };
      },
    }),
  );
}

transitionField(TRANSITIONS.submit, "DRAFT → SUBMITTED (that country's FOCAL_POINT, TASK_FORCE or ADMIN).");
transitionField(TRANSITIONS.validate, 'SUBMITTED → VALIDATED (TASK_FORCE or ADMIN); the version becomes countable.');
transitionField(TRANSITIONS.publish, 'VALIDATED → PUBLISHED (TASK_FORCE or ADMIN); the version becomes public.');
transitionField(
  TRANSITIONS.reject,
  'SUBMITTED or VALIDATED → REJECTED with a reason (TASK_FORCE or ADMIN); the version never counts.',
);

// ---------------------------------------------------------------------------------------------------------------
// importSubmissions (CONTRACT §7, pinned): the CSV of §5, all-or-nothing, problems by line and column.

export const ImportProblemRef = builder.objectRef<ImportProblem>('ImportProblem').implement({
  description: 'One problem of an imported file.',
  fields: (t) => ({
    line: t.exposeInt('line', {
      description: 'Line of the file, the header being line 1 (in a workbook, the row number of the sheet).',
    }),
    column: t.exposeString('column', { nullable: true, description: 'Column name; null for the whole record.' }),
    message: t.exposeString('message', { description: 'What is wrong, in words for people.' }),
    sheet: t.string({
      nullable: true,
      description: 'XLSX workbooks: the sheet; null for CSV.',
      resolve: (p) => p.sheet ?? null,
    }),
    cell: t.string({
      nullable: true,
      description: 'XLSX workbooks: the cell, e.g. "C7"; null for CSV or for a whole record.',
      resolve: (p) => p.cell ?? null,
    }),
  }),
});

interface ImportResultShape {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  submissions: number;
  observations: number;
  submissionsWritten: number;
  observationsWritten: number;
  submissionsUnchanged: number;
  problems: ImportProblem[];
}

const ImportSubmissionsResult = builder.objectRef<ImportResultShape>('ImportSubmissionsResult').implement({
  description:
    'The outcome of importSubmissions: every problem (nothing written), or the counts written (none on a dry run).',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'True when the file is valid (and, unless dryRun, was written).' }),
    dryRun: t.exposeBoolean('dryRun', { description: 'Whether this was a dry run (nothing written).' }),
    problems: t.field({
      type: [ImportProblemRef],
      description: 'Every problem, by line and column; empty when ok.',
      resolve: (r) => r.problems,
    }),
    rows: t.exposeInt('rows', { description: 'Data rows read.' }),
    submissions: t.exposeInt('submissions', { description: 'Submissions the file describes (0 when not ok).' }),
    observations: t.exposeInt('observations', { description: 'Observations the file describes (0 when not ok).' }),
    submissionsWritten: t.exposeInt('submissionsWritten', { description: 'New submission versions written.' }),
    observationsWritten: t.exposeInt('observationsWritten', { description: 'Observations of the new versions.' }),
    submissionsUnchanged: t.exposeInt('submissionsUnchanged', {
      description: 'Submissions identical to the latest version of their key, left alone.',
    }),
  }),
});

const ImportSubmissionsInput = builder.inputType('ImportSubmissionsInput', {
  description: 'A submissions file (CONTRACT §5): the CSV as text, or an uploaded CSV or XLSX file; exactly one.',
  fields: (t) => ({
    ...fileFields(t),
    dryRun: t.boolean({ description: 'Validate only; write nothing.' }),
  }),
});

builder.mutationField('importSubmissions', (t) =>
  t.field({
    type: ImportSubmissionsResult,
    description:
      'Imports a submissions CSV, all-or-nothing. A FOCAL_POINT may import its own country only, with status ' +
      'DRAFT or SUBMITTED; TASK_FORCE and ADMIN any rows and statuses.',
    authScopes: countryDataImportScopes,
    args: {
      input: t.arg({ type: ImportSubmissionsInput, required: true, description: 'The file and whether to write it.' }),
    },
    resolve: async (_root, { input }, ctx) => {
      if (!ctx.viewer)
        throw new GraphQLError('importSubmissions requires a token', { extensions: { code: 'UNAUTHENTICATED' } });
      const dryRun = !!input.dryRun;
      const { source, table } = tableOf(input);
      const result = await importSubmissions(ctx.prisma, source, {
        actor: actorOf(ctx.viewer),
        viewer: ctx.viewer,
        dryRun,
        table,
      });
      if (!result.ok)
        return {
          ok: false,
          dryRun,
          rows: result.rows,
          submissions: 0,
          observations: 0,
          submissionsWritten: 0,
          observationsWritten: 0,
          submissionsUnchanged: 0,
          problems: result.problems,
        };
      const r = result.report;
      return {
        ok: true,
        dryRun,
        rows: r.rows,
        submissions: r.submissions,
        observations: r.observations,
        submissionsWritten: r.submissionsCreated,
        observationsWritten: r.observationsCreated,
        submissionsUnchanged: r.submissionsUnchanged,
        problems: [],
      };
    },
  }),
);
