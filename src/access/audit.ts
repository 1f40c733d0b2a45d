// The audit trail: every write records who did what to which entity, with before/after snapshots, inside the
// same transaction as the write itself.
import type { Viewer } from './tokens.js';
import type { Prisma } from '../../prisma/generated/prisma/client.js';

type Tx = Prisma.TransactionClient;

export interface Actor {
  name: string;
  tokenId: number | null;
}

type Lower =
  | 'a'
  | 'b'
  | 'c'
  | 'd'
  | 'e'
  | 'f'
  | 'g'
  | 'h'
  | 'i'
  | 'j'
  | 'k'
  | 'l'
  | 'm'
  | 'n'
  | 'o'
  | 'p'
  | 'q'
  | 'r'
  | 's'
  | 't'
  | 'u'
  | 'v'
  | 'w'
  | 'x'
  | 'y'
  | 'z';

/**
 * One vocabulary of audit actions, from the API and from imports alike: `<entity>.<verb>`, both in camelCase
 * (`indicator.create`, `dataSource.update`, `submission.publish`). Checked by the compiler at every call.
 */
export type AuditAction = `${Lower}${string}.${Lower}${string}`;

/** The action for a verb on an entity named as a model (`IndicatorSourceType` → `indicatorSourceType.create`). */
export function auditAction(entityType: string, verb: `${Lower}${string}`): AuditAction {
  return `${entityType.charAt(0).toLowerCase()}${entityType.slice(1)}.${verb}` as AuditAction;
}

export const CLI_ACTOR: Actor = { name: 'cli', tokenId: null };

export function actorOf(viewer: Viewer | null): Actor {
  return viewer ? { name: viewer.name, tokenId: viewer.tokenId } : { name: 'anonymous', tokenId: null };
}

export async function audit(
  tx: Tx,
  actor: Actor,
  action: AuditAction,
  entityType: string,
  entityKey: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await auditMany(tx, actor, [{ action, entityType, entityKey, before, after }]);
}

/** One write to one entity, as `audit` records it. */
export interface AuditEntry {
  action: AuditAction;
  entityType: string;
  entityKey: string;
  before: unknown;
  after: unknown;
}

/** One audit row per entry, in their order, in one statement (imports that change many records at once). */
export async function auditMany(tx: Tx, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (!entries.length) return;
  await tx.auditLog.createMany({
    data: entries.map((e) => ({
      actor: actor.name,
      tokenId: actor.tokenId,
      action: e.action,
      entityType: e.entityType,
      entityKey: e.entityKey,
      before: toJson(e.before),
      after: toJson(e.after),
    })),
  });
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
