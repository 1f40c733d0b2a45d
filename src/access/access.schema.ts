// Who is calling, and token revocation. Tokens are created on the command line only (CONTRACT §7).
import { audit, actorOf } from './audit.js';
import { NotFoundError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { userErrors } from '../schema/errors.js';

export const Role = builder.enumType('Role', {
  description: 'Access role of an API token.',
  values: {
    ADMIN: { description: 'Everything.' },
    TASK_FORCE: { description: 'Edit the catalogue, comment, validate and publish submissions.' },
    FOCAL_POINT: { description: "Create and submit one country's data." },
    READER: { description: 'Read-only access for portals.' },
  },
});

const ViewerRef = builder
  .objectRef<{ name: string; role: 'ADMIN' | 'TASK_FORCE' | 'FOCAL_POINT' | 'READER'; countryId: number | null }>(
    'Viewer',
  )
  .implement({
    description: 'The holder of the token used for this request.',
    fields: (t) => ({
      name: t.exposeString('name'),
      role: t.expose('role', { type: Role }),
      country: t.prismaField({
        type: 'Country',
        nullable: true,
        description: 'The country a focal point is bound to.',
        resolve: (query, viewer, _args, ctx) =>
          viewer.countryId === null
            ? null
            : ctx.prisma.country.findUnique({ ...query, where: { id: viewer.countryId } }),
      }),
    }),
  });

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The caller, or null without a token.',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);

const RevokeTokenInput = builder.inputType('RevokeTokenInput', {
  fields: (t) => ({
    prefix: t.string({ required: true, description: 'The first 10 characters of the token, as printed at creation.' }),
  }),
});

const RevokeTokenPayload = builder.objectRef<{ revokedCount: number }>('RevokeTokenPayload').implement({
  fields: (t) => ({ revokedCount: t.exposeInt('revokedCount', { description: 'Tokens revoked by this call.' }) }),
});

builder.mutationField('revokeToken', (t) =>
  t.field({
    type: RevokeTokenPayload,
    description: 'Revokes every live token with this prefix (ADMIN only).',
    authScopes: { admin: true },
    errors: { types: userErrors },
    args: { input: t.arg({ type: RevokeTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.prisma.$transaction(async (tx) => {
        const tokens = await tx.apiToken.findMany({ where: { prefix: input.prefix, revokedAt: null } });
        if (!tokens.length) throw new NotFoundError(`No live token starts with "${input.prefix}"`);
        const now = new Date();
        for (const token of tokens) {
          await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: now } });
          await audit(
            tx,
            actorOf(ctx.viewer),
            'token.revoke',
            'ApiToken',
            String(token.id),
            { revokedAt: null },
            { revokedAt: now },
          );
        }
        return { revokedCount: tokens.length };
      }),
  }),
);
