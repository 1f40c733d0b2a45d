// API tokens and roles (CONTRACT §7). A token is shown once at creation; only its SHA-256 is stored. Tokens are
// made, listed and revoked on the command line and, by an ADMIN, through the API; every change is audited.
import { createHash, randomBytes } from 'node:crypto';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { countryKey } from '../geography/m49.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';
import type { Role } from '../../prisma/generated/prisma/enums.js';
import { audit, type Actor } from './audit.js';

export type { Role };
export const ROLES: readonly Role[] = ['ADMIN', 'TASK_FORCE', 'FOCAL_POINT', 'READER'];

export type { Viewer };

const TOKEN_PREFIX = 'msh_';
/** Characters of the secret kept in clear to recognise a token ("msh_" and 6 more). */
export const PREFIX_LENGTH = 10;

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A token request the caller can fix (bad role, country or expiry); `field` names the input (CLI: the option). */
export class AccessError extends ValidationError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`, [{ path: [field], message }]);
  }
}

export interface CreateTokenInput {
  role: Role;
  name?: string | null | undefined;
  country?: string | null | undefined;
  expiresAt?: Date | null | undefined;
}

/** A token's role, refused by name unless it is one of ROLES (the CLI checks it before opening the database). */
export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new AccessError('role', `must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

/**
 * Parses an expiry: an ISO-8601 date or time ("2027-01-01", "2027-01-01T12:00:00Z") or a duration from now in
 * days or hours ("90d", "12h"). Returns null for none.
 */
export function parseExpiry(text: string | undefined, now = new Date()): Date | null {
  if (text === undefined || text.trim() === '') return null;
  const t = text.trim();
  const duration = /^(\d{1,5})([dh])$/i.exec(t);
  if (duration) {
    const n = Number(duration[1]);
    if (n <= 0) throw new AccessError('expires', `"${t}" is not a positive duration`);
    return new Date(now.getTime() + n * (duration[2]!.toLowerCase() === 'd' ? 86_400_000 : 3_600_000));
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    throw new AccessError('expires', `"${t}" is neither a date (2027-01-01) nor a duration (90d, 12h)`);
  }
  const date = new Date(/T| /.test(t) ? t : `${t}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new AccessError('expires', `"${t}" is not a valid date`);
  return date;
}

/** Names the audit log gives writers other than a token's own name: the CLI, anonymous, each role's default. */
const RESERVED_NAME = /^(cli|anonymous|admin|task_force|reader|focal_point(-.*)?)$/i;

export async function createToken(
  prisma: PrismaClient,
  input: CreateTokenInput,
  actor: Actor = { name: 'cli', tokenId: null },
): Promise<{ token: string; id: number }> {
  checkRole(input.role);
  let countryId: number | null = null;
  if (input.role === 'FOCAL_POINT') {
    if (!input.country) throw new AccessError('country', 'is required for a FOCAL_POINT token');
    const country = await findCountry(prisma, input.country);
    if (!country) throw new AccessError('country', `no country with M49 or ISO3 code "${input.country}"`);
    countryId = country.id;
  } else if (input.country) {
    throw new AccessError('country', 'is only for FOCAL_POINT tokens');
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new AccessError('expires', `${expiresAt.toISOString()} is in the past`);
  }
  const ownDefault = `${input.role.toLowerCase()}${input.country ? `-${input.country}` : ''}`;
  const name = input.name?.trim() || ownDefault;
  if (name.length > 200) throw new AccessError('name', 'at most 200 characters');
  // The name is who the audit log and comments say wrote something: it may not pass for the command line, an
  // anonymous caller, or another role's (or country's) tokens.
  if (name.toLowerCase() !== ownDefault.toLowerCase() && RESERVED_NAME.test(name)) {
    throw new AccessError(
      'name',
      `"${name}" is the name of the command line, anonymous callers or another role's tokens`,
    );
  }
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        name,
        role: input.role,
        countryId,
        tokenHash: hashToken(token),
        prefix: token.slice(0, PREFIX_LENGTH),
        expiresAt,
      },
    });
    await audit(tx, actor, 'token.create', 'ApiToken', String(created.id), null, {
      name,
      role: input.role,
      countryId,
      prefix: created.prefix,
      expiresAt,
    });
    return created;
  });
  return { token, id: row.id };
}

/** Which tokens to revoke: by the printed prefix (every live token with it) or by id. */
export type RevokeTarget = { prefix: string } | { id: number };

/** Revokes the live tokens matching `target`; NotFoundError when there is none. Returns their ids. */
export async function revokeTokens(prisma: PrismaClient, target: RevokeTarget, actor: Actor): Promise<number[]> {
  return prisma.$transaction(async (tx) => {
    const where: Prisma.ApiTokenWhereInput =
      'id' in target ? { id: target.id, revokedAt: null } : { prefix: target.prefix, revokedAt: null };
    const tokens = await tx.apiToken.findMany({ where, orderBy: { id: 'asc' } });
    if (!tokens.length) {
      throw new NotFoundError(
        'id' in target ? `No live token with id ${target.id}` : `No live token starts with "${target.prefix}"`,
      );
    }
    const now = new Date();
    for (const token of tokens) {
      await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: now } });
      await audit(tx, actor, 'token.revoke', 'ApiToken', String(token.id), { revokedAt: null }, { revokedAt: now });
    }
    return tokens.map((t) => t.id);
  });
}

/** "42" is an id, "msh_AbC123" a prefix (the first 10 characters printed at creation, or the whole token). */
export function revokeTargetOf(text: string): RevokeTarget {
  if (/^\d+$/.test(text)) return { id: Number(text) };
  if (text.startsWith(TOKEN_PREFIX) && text.length >= PREFIX_LENGTH) return { prefix: text.slice(0, PREFIX_LENGTH) };
  throw new AccessError('token', `"${text}" is neither a token id nor a token prefix (msh_ and 6 more characters)`);
}

export function listTokens(prisma: PrismaClient, options: { includeRevoked?: boolean } = {}) {
  return prisma.apiToken.findMany({
    where: options.includeRevoked ? {} : { revokedAt: null },
    include: { country: { select: { iso3: true, m49: true } } },
    orderBy: { id: 'asc' },
  });
}

export type Authentication =
  | { viewer: Viewer }
  | { viewer: null; reason: 'unknown' | 'revoked' }
  | { viewer: null; reason: 'expired'; expiredAt: Date };

/** Why a token row stands for nobody at `now` (revoked, expired), or null while it is live. */
function lapse(
  row: { revokedAt: Date | null; expiresAt: Date | null },
  now: Date,
): Exclude<Authentication, { viewer: Viewer } | { reason: 'unknown' }> | null {
  if (row.revokedAt) return { viewer: null, reason: 'revoked' };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    return { viewer: null, reason: 'expired', expiredAt: row.expiresAt };
  }
  return null;
}

/** The viewer a bearer token stands for, or why it stands for nobody (unknown, revoked, expired). */
export async function authenticateToken(
  prisma: PrismaClient,
  secret: string,
  now = new Date(),
): Promise<Authentication> {
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(secret) } });
  if (!row) return { viewer: null, reason: 'unknown' };
  return lapse(row, now) ?? { viewer: { tokenId: row.id, name: row.name, role: row.role, countryId: row.countryId } };
}

/** The words a caller is told when its token stands for nobody, on every route (/graphql, /sdmx, /download). */
function refusalOf(auth: Authentication | null): string {
  return auth && 'reason' in auth && auth.reason === 'expired'
    ? `The token in the Authorization header expired at ${auth.expiredAt.toISOString()}; ask an admin for a new one`
    : 'Invalid or revoked token in the Authorization header';
}

/**
 * The viewer of a request's Authorization header: null without a header; for a header that is not `Bearer <token>`
 * or a token that stands for nobody, the words the caller is told on every route (/graphql, /sdmx, /download). A bad
 * token is a mistake to report, never a reason to fall back silently to anonymous access.
 */
export async function authenticateHeader(
  prisma: PrismaClient,
  header: string | null,
): Promise<{ viewer: Viewer | null; refused?: undefined } | { viewer: null; refused: string }> {
  if (!header) return { viewer: null };
  const secret = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const auth = secret ? await authenticateToken(prisma, secret) : null;
  if (auth?.viewer) return { viewer: auth.viewer };
  return { viewer: null, refused: refusalOf(auth) };
}

/**
 * For what outlives the request that authenticated it (a live change stream): why the viewer's token no longer
 * stands for it (revoked or expired since), in the words of authenticateHeader, or null while it does.
 */
export async function lapsedSince(prisma: PrismaClient, viewer: Viewer, now = new Date()): Promise<string | null> {
  const row = await prisma.apiToken.findUnique({
    where: { id: viewer.tokenId },
    select: { revokedAt: true, expiresAt: true },
  });
  const lapsed = row ? lapse(row, now) : { viewer: null, reason: 'unknown' as const };
  return lapsed ? refusalOf(lapsed) : null;
}

/** Resolves a CONTRACT "country" argument: an M49 code ("756", "4" → "004") or an ISO3 code ("CHE"). */
export function findCountry(prisma: PrismaClient, code: string) {
  return prisma.country.findUnique({ where: countryKey(code) });
}
