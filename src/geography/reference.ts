// The M49 country list is reference data: 248 rows that change only through `import countries`. Queries that
// answer with many countries return their ids plus a version stamp of the table computed in the same statement;
// the rows come from this per-client cache, reloaded whenever the stamp differs. Exact across processes (the stamp
// is read in the answering statement's snapshot) and one round trip cheaper than fetching the rows each time.
import type { Country } from '../../prisma/generated/prisma/client.js';
import type { PrismaClient } from '../platform/db.js';
import { rowsStamp } from '../platform/data-version.js';

/** A SQL expression whose value changes whenever a country is added, removed or updated. */
export const COUNTRIES_VERSION = rowsStamp('Country');

const caches = new WeakMap<object, { version: string; byId: Map<number, Country> }>();

/** The countries of these ids, in this order, as of `version` (a COUNTRIES_VERSION value). */
export async function countriesByIds(
  prisma: Pick<PrismaClient, 'country'>,
  version: string,
  ids: readonly number[],
): Promise<Country[]> {
  let cache = caches.get(prisma);
  if (!cache || cache.version !== version || ids.some((id) => !cache!.byId.has(id))) {
    const rows = await prisma.country.findMany();
    cache = { version, byId: new Map(rows.map((r) => [r.id, r])) };
    caches.set(prisma, cache);
  }
  const byId = cache.byId;
  return ids.map((id) => byId.get(id)!);
}
