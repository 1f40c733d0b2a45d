// The data version: a number raised in the commit of every transaction that wrote data a read can show (triggers of
// migration 20261126073814_data_version, on both databases). Equal numbers mean equal data, so a response made after
// reading version n may be served again to anyone who reads n, and to nobody who reads a later number.
import type { PrismaClient } from './db.js';

/** The current data version (one primary-key read of a one-row table). */
export async function readDataVersion(prisma: PrismaClient): Promise<bigint> {
  const [row] = await prisma.$queryRaw<{ version: bigint }[]>`SELECT version FROM "DataVersion" WHERE id = 1`;
  if (!row) throw new Error('the DataVersion row is missing: run `migstat migrate`');
  return row.version;
}

/** Notified in the commit of every transaction that raised the version (payload: the new version). */
export const DATA_VERSION_CHANNEL = 'migstat_data_version';
