// API tokens and roles (CONTRACT §7). A token is shown once at creation; only its SHA-256 is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Viewer } from '../platform/context.js';
import type { PrismaClient } from '../platform/db.js';
import { countryKey } from '../geography/m49.js';
import type { Role } from '../../prisma/generated/prisma/enums.js';

export type { Role };
export const ROLES: readonly Role[] = ['ADMIN', 'TASK_FORCE', 'FOCAL_POINT', 'READER'];

export type { Viewer };

const TOKEN_PREFIX = 'msh_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class AccessError extends Error {}

export async function createToken(
  prisma: PrismaClient,
  input: { role: Role; name?: string | undefined; country?: string | undefined },
): Promise<{ token: string; id: number }> {
  if (!ROLES.includes(input.role)) throw new AccessError(`--role must be one of ${ROLES.join(', ')}`);
  let countryId: number | null = null;
  if (input.role === 'FOCAL_POINT') {
    if (!input.country) throw new AccessError('--country is required for a FOCAL_POINT token');
    const country = await findCountry(prisma, input.country);
    if (!country) throw new AccessError(`--country: no country with M49 or ISO3 code "${input.country}"`);
    countryId = country.id;
  } else if (input.country) {
    throw new AccessError('--country is only for FOCAL_POINT tokens');
  }
  const token = TOKEN_PREFIX + randomBytes(24).toString('base64url');
  const name = input.name?.trim() || `${input.role.toLowerCase()}${input.country ? `-${input.country}` : ''}`;
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { name, role: input.role, countryId, tokenHash: hashToken(token), prefix: token.slice(0, 10) },
    });
    await tx.auditLog.create({
      data: {
        actor: 'cli',
        action: 'token.create',
        entityType: 'ApiToken',
        entityKey: String(created.id),
        after: { name, role: input.role, countryId, prefix: created.prefix },
      },
    });
    return created;
  });
  return { token, id: row.id };
}

/** The viewer a bearer token stands for, or null when the token is unknown or revoked. */
export async function authenticate(prisma: PrismaClient, secret: string): Promise<Viewer | null> {
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashToken(secret) } });
  if (!row || row.revokedAt) return null;
  return { tokenId: row.id, name: row.name, role: row.role, countryId: row.countryId };
}

/** Resolves a CONTRACT "country" argument: an M49 code ("756", "4" → "004") or an ISO3 code ("CHE"). */
export function findCountry(prisma: PrismaClient, code: string) {
  return prisma.country.findUnique({ where: countryKey(code) });
}
