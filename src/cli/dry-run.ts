// `migstat import … --dry-run` for importers whose service has no dry run of its own: the import runs whole inside one
// transaction that is then rolled back, so it validates and counts exactly as the real import would and writes
// nothing (audit rows included). The importers open their own transactions with `prisma.$transaction`; inside the
// rehearsal those join the outer one.
import type { Database, PrismaClient } from '../platform/db.js';

/** Thrown out of the transaction to roll it back, carrying the import's result. */
class Rehearsed {
  constructor(readonly result: unknown) {}
}

export async function rehearse<T>(db: Database, run: (db: Database) => Promise<T>): Promise<T> {
  try {
    await db.prisma.$transaction(async (tx) => {
      const inside: PrismaClient = new Proxy(tx as PrismaClient, {
        get(target, key, receiver) {
          if (key !== '$transaction') return Reflect.get(target, key, receiver);
          // A callback gets the same transaction; a batch runs its (lazy) queries in order on it.
          return async (work: ((client: PrismaClient) => Promise<unknown>) | Promise<unknown>[]) => {
            if (typeof work === 'function') return work(inside);
            const results: unknown[] = [];
            for (const query of work) results.push(await query);
            return results;
          };
        },
      });
      throw new Rehearsed(await run({ ...db, prisma: inside }));
    });
  } catch (err) {
    if (err instanceof Rehearsed) return err.result as T;
    throw err;
  }
  throw new Error('the rehearsal transaction committed');
}
