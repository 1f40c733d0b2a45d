// The audit trail, readable by admins only: every write records actor, action, entity and before/after.
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import { builder } from '../schema/builder.js';
import { connectionOf, orderBy } from '../schema/connections.js';
import { adminOnlyNode } from '../schema/global-id.js';

export const AuditLog = builder.prismaNode('AuditLog', {
  id: { field: 'id' },
  nullable: true,
  findUnique: adminOnlyNode,
  authScopes: { admin: true },
  description: 'One write to the hub: who did what to which entity, with the state before and after.',
  fields: (t) => ({
    actor: t.exposeString('actor', { description: "The token's name, or cli for command-line imports." }),
    action: t.exposeString('action', { description: 'Verb, e.g. submission.publish.' }),
    entityType: t.exposeString('entityType', { description: 'e.g. Submission.' }),
    entityKey: t.exposeString('entityKey', { description: 'Stable code or key, e.g. "CHE/IMM_STOCK/2020/v1".' }),
    before: t.expose('before', { type: 'JSON', nullable: true, description: 'State before; null on creation.' }),
    after: t.expose('after', { type: 'JSON', nullable: true, description: 'State after; null on deletion.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AuditLogConnection = connectionOf(AuditLog, 'AuditLog');

const AuditLogFilter = builder.inputType('AuditLogFilter', {
  description: 'Narrows the audit trail; all given conditions apply.',
  fields: (t) => ({
    entityType: t.string({ description: 'e.g. "Submission", "DataSource", "Indicator".' }),
    entityKey: t.string({ description: 'Exact key, or a prefix ending in "*" (e.g. "CHE/IMM_STOCK/*").' }),
    action: t.string({ description: 'e.g. "submission.publish".' }),
    actor: t.string({ description: "Exact actor: a token's name, or cli." }),
  }),
});

function auditWhere(filter: typeof AuditLogFilter.$inferInput | null | undefined): Prisma.AuditLogWhereInput {
  const where: Prisma.AuditLogWhereInput = {};
  if (filter?.entityType) where.entityType = filter.entityType;
  if (filter?.entityKey)
    where.entityKey = filter.entityKey.endsWith('*') ? { startsWith: filter.entityKey.slice(0, -1) } : filter.entityKey;
  if (filter?.action) where.action = filter.action;
  if (filter?.actor) where.actor = filter.actor;
  return where;
}

const auditOrder = orderBy('AuditLogOrder', {
  items: 'audit entries',
  fields: {
    CREATED_AT: { description: 'When the change was made.', keys: () => [] },
    ENTITY: {
      description: 'By entity type and key, e.g. every change of one indicator together.',
      keys: (d) => [{ entityType: d }, { entityKey: d }],
    },
  },
  default: { field: 'CREATED_AT', direction: 'DESC' },
  defaultIs: 'newest first',
});

builder.queryField('auditLog', (t) =>
  t.prismaConnection(
    {
      type: 'AuditLog',
      cursor: 'id',
      description: 'The audit trail, newest first (ADMIN only).',
      authScopes: { admin: true },
      args: {
        filter: t.arg({ type: AuditLogFilter, required: false, description: 'Which entries; all when omitted.' }),
        ...auditOrder.args,
      },
      resolve: (query, _root, { filter, orderBy }, ctx) =>
        ctx.prisma.auditLog.findMany({
          ...query,
          where: auditWhere(filter),
          orderBy: auditOrder.prismaOrderBy(orderBy),
        }),
      totalCount: (_root, { filter }, ctx) => ctx.prisma.auditLog.count({ where: auditWhere(filter) }),
    },
    AuditLogConnection,
  ),
);
