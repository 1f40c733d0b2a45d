// Countries and areas of the M49 standard, and the region hierarchy above them.
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { countryKey, foldName, m49Code } from './m49.js';
import { builder } from '../schema/builder.js';
import { requireCode } from '../schema/codes.js';
import { connectionOf, orderBy, wherePerField } from '../schema/connections.js';
import { likeText } from '../schema/search.js';
import type { Context } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';

export const RegionLevel = builder.enumType('RegionLevel', {
  description: 'Level of an M49 area above country level.',
  values: {
    WORLD: { description: 'The world (001).' },
    REGION: { description: 'A region, e.g. 002 Africa or 150 Europe.' },
    SUB_REGION: { description: 'A sub-region, e.g. 155 Western Europe.' },
    INTERMEDIATE_REGION: { description: 'An intermediate region, e.g. 014 Eastern Africa.' },
  } as const,
});

const LEVEL_ORDER = { WORLD: 0, REGION: 1, SUB_REGION: 2, INTERMEDIATE_REGION: 3 } as const;

export const Region = builder.prismaNode('Region', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'An M49 region: the world, a region (e.g. 150 Europe), a sub-region or an intermediate region.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Three-digit M49 code.' }),
    name: t.exposeString('name'),
    level: t.expose('level', { type: RegionLevel }),
    parent: t.relation('parent', { nullable: true }),
    children: t.relation('children', { query: { orderBy: { code: 'asc' } } }),
  }),
});

export const Country = builder.prismaNode('Country', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A country or area of the UN M49 standard.',
  fields: (t) => ({
    m49: t.exposeString('m49', { description: 'Three-digit M49 code, e.g. "756".' }),
    iso3: t.exposeString('iso3', { nullable: true, description: 'ISO 3166-1 alpha-3 code, e.g. "CHE".' }),
    iso2: t.exposeString('iso2', { nullable: true }),
    name: t.exposeString('name'),
    ldc: t.exposeBoolean('ldc', { description: 'Least developed country.' }),
    lldc: t.exposeBoolean('lldc', { description: 'Land-locked developing country.' }),
    sids: t.exposeBoolean('sids', { description: 'Small island developing State.' }),
    regions: t.field({
      type: [Region],
      description: 'Every M49 region containing the country, from the world down to the intermediate region.',
      select: { regions: { select: { region: true } } },
      resolve: (country) =>
        country.regions.map((m) => m.region).sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]),
    }),
    region: t.field({
      type: Region,
      nullable: true,
      description: 'The M49 region (level 1), e.g. Europe.',
      select: { regions: { select: { region: true } } },
      resolve: (country) => country.regions.find((m) => m.region.level === 'REGION')?.region ?? null,
    }),
  }),
});

export const CountryConnection = connectionOf(Country, 'Country');

const countryOrder = orderBy('CountryOrder', {
  items: 'countries',
  fields: {
    M49: { description: 'The M49 code (the order of the M49 list as loaded).', keys: (d) => [{ m49: d }] },
    NAME: {
      description: 'The English name, as a reader sorts it: case and diacritics aside (Åland Islands among the A).',
      keys: (d) => [{ sortName: d }, { name: d }],
    },
  },
  default: { field: 'M49', direction: 'ASC' },
  defaultIs: 'by M49 code',
});

builder.prismaObjectField(Region, 'countries', (t) =>
  t.prismaConnection(
    {
      type: 'Country',
      cursor: 'id',
      description: 'Countries and areas inside the region, at any depth, by M49 code unless ordered otherwise.',
      args: {
        search: t.arg.string({ required: false, description: 'Part of the name, or an M49/ISO code.' }),
        ...countryOrder.args,
      },
      resolve: (query, region, args, ctx) =>
        ctx.prisma.country.findMany({
          ...query,
          where: countryWhere(region.id, args.search),
          orderBy: countryOrder.prismaOrderBy(args.orderBy),
        }),
      totalCount: (region, args, ctx) => ctx.prisma.country.count({ where: countryWhere(region.id, args.search) }),
    },
    CountryConnection,
  ),
);

/** Countries in a region (any depth) whose name, M49 or ISO code matches the search. */
export function countryWhere(regionId: number | null, search?: string | null): Prisma.CountryWhereInput {
  const where: Prisma.CountryWhereInput = {};
  if (regionId !== null) where.regions = { some: { regionId } };
  const s = search?.trim();
  if (s) {
    where.OR = [
      { name: { contains: likeText(s), mode: 'insensitive' } },
      // Typed without diacritics, as most people type: "cote" finds Côte d'Ivoire, "aland" Åland Islands.
      { sortName: { contains: likeText(foldName(s)) } },
      { iso3: { equals: s.toUpperCase() } },
      { iso2: { equals: s.toUpperCase() } },
      { m49: { equals: m49Code(s) } },
    ];
  }
  return where;
}

/** Region id for a region argument; NOT_FOUND naming the argument when no such region exists. */
export async function regionIdFor(
  prisma: Prisma.TransactionClient,
  code: string,
  argument = 'region',
): Promise<number> {
  const region = await requireCode(argument, 'M49 region', code, (c) =>
    prisma.region.findUnique({ where: { code: m49Code(c) }, select: { id: true } }),
  );
  return region.id;
}

/** The root `countries` list's where: the region looked up once for the page and its totalCount. */
const countriesWhere = wherePerField(
  async (_root: unknown, args: { region?: string | null; search?: string | null }, ctx: Context) =>
    countryWhere(args.region ? await regionIdFor(ctx.prisma, args.region) : null, args.search),
);

builder.queryFields((t) => ({
  country: t.prismaField({
    type: 'Country',
    nullable: true,
    description: 'A country by M49 code ("756") or ISO3 code ("CHE").',
    args: { code: t.arg.string({ required: true, description: 'M49 code (leading zeros optional) or ISO3 code.' }) },
    resolve: (query, _root, { code }, ctx) => ctx.prisma.country.findUnique({ ...query, where: countryKey(code) }),
  }),
  countries: t.prismaConnection(
    {
      type: 'Country',
      cursor: 'id',
      description: 'Countries and areas, optionally inside an M49 region (at any depth) and matching a search.',
      args: {
        region: t.arg.string({ required: false, description: 'M49 region code, e.g. "150" (Europe) or "419".' }),
        search: t.arg.string({ required: false, description: 'Part of the name, or an M49/ISO code.' }),
        ...countryOrder.args,
      },
      resolve: async (query, root, args, ctx) =>
        ctx.prisma.country.findMany({
          ...query,
          where: await countriesWhere(root, args, ctx),
          orderBy: countryOrder.prismaOrderBy(args.orderBy),
        }),
      totalCount: async (root, args, ctx) => ctx.prisma.country.count({ where: await countriesWhere(root, args, ctx) }),
    },
    CountryConnection,
  ),
  region: t.prismaField({
    type: 'Region',
    nullable: true,
    description: 'An M49 region by code, e.g. "002" (Africa) or "001" (World).',
    args: { code: t.arg.string({ required: true, description: 'M49 code (leading zeros optional).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.region.findUnique({ ...query, where: { code: m49Code(code) } }),
  }),
  regions: t.prismaField({
    type: ['Region'],
    description: 'M49 regions, optionally of one level, ordered by code.',
    args: { level: t.arg({ type: RegionLevel, required: false, description: 'Only regions of this level.' }) },
    resolve: (query, _root, { level }, ctx) =>
      ctx.prisma.region.findMany({ ...query, where: level ? { level } : {}, orderBy: { code: 'asc' } }),
  }),
}));

/** A country named in a mutation input by global id (`idField`) or by M49 or ISO3 code (`country`). */
export const countryTarget = <Id extends string>(prisma: PrismaClient, idField: Id) => ({
  typename: 'Country',
  what: 'country',
  idField,
  codeField: 'country' as const,
  find: (code: string) => prisma.country.findUnique({ where: countryKey(code), select: { id: true } }),
});
