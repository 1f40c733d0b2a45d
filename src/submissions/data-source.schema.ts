// Countries' concrete data sources (a census round, a population register, a survey…): the registry the gap
// analysis reads. Anyone may read it; a country's focal point, the task force and admins maintain it.
import { findCountry } from '../access/tokens.js';
import { actorOf } from '../access/audit.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import * as dataSources from './data-sources.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { connectionOf, orderBy, wherePerField } from '../schema/connections.js';
import { Country } from '../geography/country.schema.js';
import { ResidenceCriterion } from '../schema/enums.js';
import { localId } from '../schema/global-id.js';
import { targetDescriptions, targetId, targetIdOrNull } from '../schema/target.js';
import type { Context } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';

export const DataSource = builder.prismaNode('DataSource', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id) => ({ id: Number(id) }),
  description: "A country's concrete data source (a census round, a register, a survey…).",
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "CHE_STATPOP".' }),
    country: t.relation('country'),
    sourceType: t.relation('sourceType'),
    name: t.exposeString('name'),
    agency: t.exposeString('agency', { nullable: true, description: 'Producing agency.' }),
    periodicity: t.exposeString('periodicity', { nullable: true, description: 'e.g. "annual" or "decennial".' }),
    latestYear: t.exposeInt('latestYear', { nullable: true, description: 'Latest reference year available.' }),
    residenceCriterion: t.expose('residenceCriterion', { type: ResidenceCriterion, nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const DataSourceConnection = connectionOf(DataSource, 'DataSource');

const dataSourceOrder = orderBy('DataSourceOrder', {
  items: 'data sources',
  fields: {
    CREATED_AT: { description: 'When the data source was registered.', keys: () => [] },
    CODE: { description: 'The data source code.', keys: (d) => [{ code: d }] },
    LATEST_YEAR: { description: 'The latest reference year it covers.', keys: (d) => [{ latestYear: d }] },
  },
  default: { field: 'CREATED_AT', direction: 'ASC' },
  defaultIs: 'in registration order',
});

const countryDataSourceOrder = dataSourceOrder.withDefault({ field: 'CODE', direction: 'ASC' }, 'by code');

builder.prismaObjectField(Country, 'dataSources', (t) =>
  t.relatedConnection(
    'dataSources',
    {
      cursor: 'id',
      totalCount: true,
      description: "The country's registered data sources, by code unless ordered otherwise.",
      args: { ...countryDataSourceOrder.args },
      query: ({ orderBy }) => ({ orderBy: countryDataSourceOrder.prismaOrderBy(orderBy) }),
    },
    DataSourceConnection,
  ),
);

const DataSourceFilter = builder.inputType('DataSourceFilter', {
  description: 'Narrows a list of data sources; all given conditions apply.',
  fields: (t) => ({
    country: t.string({ description: 'M49 or ISO3 code.' }),
    sourceType: t.string({ description: 'Source type code, e.g. "CENSUS".' }),
  }),
});

/** The data sources a filter selects, built once for the page and its totalCount (wherePerField). */
const dataSourceWhere = wherePerField(
  async (
    _root: unknown,
    { filter }: { filter?: { country?: string | null; sourceType?: string | null } | null },
    { prisma }: Context,
  ): Promise<Prisma.DataSourceWhereInput> => {
    const where: Prisma.DataSourceWhereInput = {};
    if (filter?.country) {
      where.countryId = (
        await requireCode('filter.country', 'country', filter.country, (c) => findCountry(prisma, c))
      ).id;
    }
    if (filter?.sourceType) {
      where.sourceTypeId = (
        await requireCode('filter.sourceType', 'source type', filter.sourceType, (code) =>
          prisma.sourceType.findUnique({ where: { code: code.trim() }, select: { id: true } }),
        )
      ).id;
    }
    return where;
  },
);

builder.queryFields((t) => ({
  dataSource: t.prismaField({
    type: 'DataSource',
    nullable: true,
    description: 'A data source by code.',
    args: { code: t.arg.string({ required: true, description: 'Its code (exact).' }) },
    resolve: (query, _root, { code }, ctx) => ctx.prisma.dataSource.findUnique({ ...query, where: { code } }),
  }),
  dataSources: t.prismaConnection(
    {
      type: 'DataSource',
      cursor: 'id',
      description: "Countries' data sources, optionally of one country or source type.",
      args: {
        filter: t.arg({
          type: DataSourceFilter,
          required: false,
          description: 'Which data sources; all when omitted.',
        }),
        ...dataSourceOrder.args,
      },
      resolve: async (query, root, args, ctx) =>
        ctx.prisma.dataSource.findMany({
          ...query,
          where: await dataSourceWhere(root, args, ctx),
          orderBy: dataSourceOrder.prismaOrderBy(args.orderBy),
        }),
      totalCount: async (root, args, ctx) =>
        ctx.prisma.dataSource.count({ where: await dataSourceWhere(root, args, ctx) }),
    },
    DataSourceConnection,
  ),
}));

const CreateDataSourceInput = builder.inputType('CreateDataSourceInput', {
  description: 'A new data source of a country.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'Stable code, e.g. "CHE_STATPOP" (letters, digits, _ . -).' }),
    country: t.string({ required: true, description: 'M49 or ISO3 code.' }),
    sourceType: t.string({ required: true, description: 'Source type code, e.g. "POP_REGISTER".' }),
    name: t.string({ required: true, description: 'Name.' }),
    agency: t.string({ description: 'Producing agency.' }),
    periodicity: t.string({ description: 'Periodicity, e.g. "annual" or "decennial".' }),
    latestYear: t.int({ description: 'Latest reference year available.' }),
    residenceCriterion: t.field({ type: ResidenceCriterion, description: 'Residence criterion the source applies.' }),
  }),
});

/** A data source named in a mutation input by global id or by code (`dataSource`), src/schema/target.ts. */
const dataSourceTarget = (prisma: PrismaClient) => ({
  typename: 'DataSource',
  what: 'data source',
  idField: 'id' as const,
  codeField: 'dataSource' as const,
  find: (code: string) => prisma.dataSource.findUnique({ where: { code }, select: { id: true } }),
});

const dataSourceIs = targetDescriptions('data source', 'id', 'dataSource', 'CHE_STATPOP');

const UpdateDataSourceInput = builder.inputType('UpdateDataSourceInput', {
  description:
    'Changes to a data source. Absent fields are left alone; null clears an optional field. The code and the ' +
    'country are fixed: submissions are keyed by them.',
  fields: (t) => ({
    id: t.id({ description: dataSourceIs.id }),
    dataSource: t.string({ description: dataSourceIs.code }),
    sourceType: t.string({ description: 'A new source type code.' }),
    name: t.string({ description: 'A new name.' }),
    agency: t.string({ description: 'Producing agency; null clears it.' }),
    periodicity: t.string({ description: 'Periodicity, e.g. "annual"; null clears it.' }),
    latestYear: t.int({ description: 'Latest reference year available; null clears it.' }),
    residenceCriterion: t.field({
      type: ResidenceCriterion,
      description: 'Residence criterion the source applies; null clears it.',
    }),
  }),
});

const DataSourcePayload = (name: string, description: string) =>
  builder.objectRef<{ dataSource: typeof DataSource.$inferType }>(name).implement({
    description,
    fields: (t) => ({
      dataSource: t.field({ type: DataSource, description: 'The data source.', resolve: (p) => p.dataSource }),
    }),
  });

builder.mutationFields((t) => ({
  createDataSource: t.field({
    type: DataSourcePayload('CreateDataSourcePayload', 'The data source created.'),
    description: "Registers a country's data source (that country's FOCAL_POINT, TASK_FORCE or ADMIN).",
    authScopes: async (_root, { input }, ctx) => ({
      countryWriter: (await findCountry(ctx.prisma, input.country))?.id ?? -1,
    }),
    errors: { types: [ValidationError, ConflictError] },
    args: {
      input: t.arg({ type: CreateDataSourceInput, required: true, description: 'The data source to register.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      dataSource: await dataSources.createDataSource(ctx.prisma, actorOf(ctx.viewer), input),
    }),
  }),
  updateDataSource: t.field({
    type: DataSourcePayload('UpdateDataSourcePayload', 'The data source as updated.'),
    description: "Changes a country's data source (that country's FOCAL_POINT, TASK_FORCE or ADMIN).",
    authScopes: async (_root, { input }, ctx) => {
      const id = await targetIdOrNull(input, dataSourceTarget(ctx.prisma));
      const row =
        id === null ? null : await ctx.prisma.dataSource.findUnique({ where: { id }, select: { countryId: true } });
      return { countryWriter: row?.countryId ?? -1 };
    },
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      input: t.arg({ type: UpdateDataSourceInput, required: true, description: 'The data source and the changes.' }),
    },
    resolve: async (_root, { input: { id, dataSource, ...changes } }, ctx) => ({
      dataSource: await dataSources.updateDataSource(
        ctx.prisma,
        actorOf(ctx.viewer),
        await targetId({ id, dataSource }, dataSourceTarget(ctx.prisma)),
        changes,
      ),
    }),
  }),
}));

/** Like localId, but null instead of an error (for authorisation checks, which run before validation). */
export function safeLocalId(globalId: string | number, typename: string): number | null {
  try {
    return localId(globalId, typename);
  } catch {
    return null;
  }
}
