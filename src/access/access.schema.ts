// Who is calling, and token management (CONTRACT §7): tokens are made on the command line or, by an ADMIN, through
// `createToken`, listed with `tokens` and revoked with `revokeToken`; every change is audited.
import { actorOf } from './audit.js';
import { createToken, findCountry, PREFIX_LENGTH, revokeTokens, type RevokeTarget } from './tokens.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { Context } from '../platform/context.js';
import { requireCode } from '../schema/codes.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from '../schema/builder.js';
import { connectionOf, orderBy, wherePerField } from '../schema/connections.js';
import { adminOnlyNode, localId } from '../schema/global-id.js';
import { exactlyOne } from '../schema/target.js';

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
      name: t.exposeString('name', { description: "The token's name (who or what holds it)." }),
      role: t.expose('role', { type: Role, description: "The token's role: what the caller may do." }),
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

export const ApiToken = builder.prismaNode('ApiToken', {
  id: { field: 'id' },
  nullable: true,
  findUnique: adminOnlyNode,
  authScopes: { admin: true },
  description: 'An API token (ADMIN only). The secret itself is never stored: only its hash and its prefix.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Who or what holds it.' }),
    role: t.expose('role', { type: Role }),
    country: t.relation('country', { nullable: true, description: 'The country a focal point is bound to.' }),
    prefix: t.exposeString('prefix', { description: 'The first 10 characters of the secret, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it stops authenticating; null when it never expires.',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    active: t.boolean({
      description: 'Whether it authenticates now: neither revoked nor expired.',
      select: { revokedAt: true, expiresAt: true },
      resolve: (row) => !row.revokedAt && !(row.expiresAt && row.expiresAt.getTime() <= Date.now()),
    }),
  }),
});

const ApiTokenConnection = connectionOf(ApiToken, 'ApiToken');

const tokenOrder = orderBy('ApiTokenOrder', {
  items: 'API tokens',
  fields: {
    CREATED_AT: { description: 'When the token was created.', keys: () => [] },
    EXPIRES_AT: {
      description: 'When it expires; a token without an expiry counts as expiring last.',
      keys: (d) => [{ expiresAt: d }],
    },
  },
  default: { field: 'CREATED_AT', direction: 'ASC' },
  defaultIs: 'oldest first',
});

const ApiTokenFilter = builder.inputType('ApiTokenFilter', {
  description: 'Conditions an API token must all meet.',
  fields: (t) => ({
    includeRevoked: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Also list revoked tokens (expired ones are always listed).',
    }),
    role: t.field({ type: Role, required: false, description: 'Only tokens of this role.' }),
    country: t.string({ required: false, description: 'Only focal points of this country (M49 or ISO3 code).' }),
  }),
});

/** The tokens a filter selects, built once for the page and its totalCount (wherePerField). */
const tokenWhere = wherePerField(
  async (
    _root: unknown,
    { filter }: { filter?: typeof ApiTokenFilter.$inferInput | null },
    ctx: Context,
  ): Promise<Prisma.ApiTokenWhereInput> => {
    const where: Prisma.ApiTokenWhereInput = filter?.includeRevoked ? {} : { revokedAt: null };
    if (filter?.role) where.role = filter.role;
    if (filter?.country != null) {
      where.countryId = (
        await requireCode('filter.country', 'country', filter.country, (c) => findCountry(ctx.prisma, c))
      ).id;
    }
    return where;
  },
);

builder.queryField('tokens', (t) =>
  t.prismaConnection(
    {
      type: 'ApiToken',
      cursor: 'id',
      description: 'API tokens, oldest first (ADMIN only). Revoked tokens only with filter.includeRevoked.',
      authScopes: { admin: true },
      args: {
        filter: t.arg({
          type: ApiTokenFilter,
          required: false,
          description: 'Which tokens; every live (unrevoked) token when omitted.',
        }),
        ...tokenOrder.args,
      },
      resolve: async (query, root, args, ctx) =>
        ctx.prisma.apiToken.findMany({
          ...query,
          where: await tokenWhere(root, args, ctx),
          orderBy: tokenOrder.prismaOrderBy(args.orderBy),
        }),
      totalCount: async (root, args, ctx) => ctx.prisma.apiToken.count({ where: await tokenWhere(root, args, ctx) }),
    },
    ApiTokenConnection,
  ),
);

const CreateTokenInput = builder.inputType('CreateTokenInput', {
  description: 'A new API token: its role, and for a FOCAL_POINT its country.',
  fields: (t) => ({
    role: t.field({ type: Role, required: true, description: 'What the token may do.' }),
    country: t.string({ description: 'M49 or ISO3 code; required for, and only for, FOCAL_POINT.' }),
    name: t.string({ description: 'Who or what holds it (default: the role and country).' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When it stops authenticating; omit for no expiry.' }),
  }),
});

const CreateTokenPayload = builder.objectRef<{ token: string; id: number }>('CreateTokenPayload').implement({
  description: 'The token created: its secret (shown once) and its record.',
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'The secret, for the Authorization header. Shown only in this answer: only its hash is stored.',
    }),
    apiToken: t.prismaField({
      type: 'ApiToken',
      description: 'The stored record of the token (prefix, role, country, expiry).',
      resolve: (query, parent, _args, ctx) =>
        ctx.prisma.apiToken.findUniqueOrThrow({ ...query, where: { id: parent.id } }),
    }),
  }),
});

builder.mutationField('createToken', (t) =>
  t.field({
    type: CreateTokenPayload,
    description: 'Creates an API token (ADMIN only); the secret is returned once.',
    authScopes: { admin: true },
    errors: { types: [ValidationError] },
    args: { input: t.arg({ type: CreateTokenInput, required: true, description: 'The token to create.' }) },
    resolve: async (_root, { input }, ctx) => {
      try {
        return await createToken(
          ctx.prisma,
          { role: input.role, country: input.country, name: input.name, expiresAt: input.expiresAt },
          actorOf(ctx.viewer),
        );
      } catch (err) {
        // The service names CLI options (expires, country); the API's input fields are expiresAt, country, name.
        if (err instanceof ValidationError) {
          throw ValidationError.of(
            err.issues.map((i) => ({
              path: ['input', i.path[0] === 'expires' ? 'expiresAt' : (i.path[0] ?? 'input')],
              message: i.message,
            })),
          );
        }
        throw err;
      }
    },
  }),
);

const RevokeTokenInput = builder.inputType('RevokeTokenInput', {
  description: 'The token(s) to revoke: exactly one of id and prefix.',
  fields: (t) => ({
    prefix: t.string({
      description:
        'The first 10 characters of the token, as printed at creation (every live token with it). Give it or `id`, not both.',
    }),
    id: t.id({ description: "The ApiToken's global id (from `tokens`). Give it or `prefix`, not both." }),
  }),
});

const RevokeTokenPayload = builder.objectRef<{ revokedCount: number }>('RevokeTokenPayload').implement({
  description: 'How many live tokens were revoked.',
  fields: (t) => ({ revokedCount: t.exposeInt('revokedCount', { description: 'Tokens revoked by this call.' }) }),
});

builder.mutationField('revokeToken', (t) =>
  t.field({
    type: RevokeTokenPayload,
    description: 'Revokes the live token with this id, or every live token with this prefix (ADMIN only).',
    authScopes: { admin: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: RevokeTokenInput, required: true, description: 'The token(s) to revoke.' }) },
    resolve: async (_root, { input }, ctx) => {
      let target: RevokeTarget;
      const given = exactlyOne(input, { idField: 'id', codeField: 'prefix' });
      if ('id' in given) {
        target = { id: localId(given.id, 'ApiToken') };
      } else {
        if (given.code.length !== PREFIX_LENGTH) {
          throw ValidationError.of([
            { path: ['input', 'prefix'], message: `must be the first ${PREFIX_LENGTH} characters of the token` },
          ]);
        }
        target = { prefix: given.code };
      }
      const ids = await revokeTokens(ctx.prisma, target, actorOf(ctx.viewer));
      return { revokedCount: ids.length };
    },
  }),
);
