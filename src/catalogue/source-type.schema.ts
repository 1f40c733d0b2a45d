// Source types of the TF4 landscape (census, survey, register…). Their links to indicators live in indicator.ts.
import { builder } from '../schema/builder.js';
import type { PrismaClient } from '../platform/db.js';

export const SourceType = builder.prismaNode('SourceType', {
  id: { field: 'id' },
  findUnique: (id) => ({ id: Number(id) }),
  nullable: true,
  description: 'A type of data source of the TF4 landscape, e.g. CENSUS or POP_REGISTER.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "CENSUS".' }),
    name: t.exposeString('name'),
    measures: t.exposeStringList('measures'),
    strengths: t.exposeStringList('strengths'),
    limitations: t.exposeStringList('limitations'),
    sourceUrl: t.exposeString('sourceUrl', { nullable: true }),
    alsoUrls: t.exposeStringList('alsoUrls'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  sourceTypes: t.prismaField({
    type: ['SourceType'],
    description: 'Every source type, ordered by code (a short, fixed list).',
    resolve: (query, _root, _args, ctx) => ctx.prisma.sourceType.findMany({ ...query, orderBy: { code: 'asc' } }),
  }),
  sourceType: t.prismaField({
    type: 'SourceType',
    nullable: true,
    description: 'A source type by code, e.g. "CENSUS".',
    args: { code: t.arg.string({ required: true, description: 'Its code (surrounding spaces ignored).' }) },
    resolve: (query, _root, { code }, ctx) =>
      ctx.prisma.sourceType.findUnique({ ...query, where: { code: code.trim() } }),
  }),
}));

/** A source type named in a mutation input by global id (`idField`) or by code (`sourceType`). */
export const sourceTypeTarget = <Id extends string>(prisma: PrismaClient, idField: Id) => ({
  typename: 'SourceType',
  what: 'source type',
  idField,
  codeField: 'sourceType' as const,
  find: (code: string) => prisma.sourceType.findUnique({ where: { code }, select: { id: true } }),
});
