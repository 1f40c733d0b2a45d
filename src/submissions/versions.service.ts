// The versions of submission keys as one caller sees them (CONTRACT §4): for a batch of submission versions, which
// version of each one's key is countable for the caller and which versions exist for it. One statement per batch,
// so `isCountable`, `supersededBy` and `versions` on a page of submissions cost the same as on one. The rule itself
// (visible rows, countable statuses, latest version wins) comes from visibility.ts.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { PrismaClient } from '../platform/db.js';
import { countableVersions, visibleVersion, type Visibility } from './visibility.js';

type Db = Pick<PrismaClient, '$queryRaw'>;

export interface KeyVersions {
  /** The countable version of the key for the caller, if any: its id and version number. */
  countableId: number | null;
  countableVersion: number | null;
  /** Ids of every version of the key the caller may read, oldest first. */
  versionIds: number[];
}

const KEY = Prisma.raw(`"indicatorId", "countryId", "referenceYear", "sourceKey"`);
const sameKey = (a: string, b: string) =>
  Prisma.raw(
    ['indicatorId', 'countryId', 'referenceYear', 'sourceKey'].map((c) => `${a}."${c}" = ${b}."${c}"`).join(' AND '),
  );

/** For each submission id (in order), the versions of its key as the caller sees them. */
export async function keyVersions(prisma: Db, vis: Visibility, ids: readonly number[]): Promise<KeyVersions[]> {
  if (!ids.length) return [];
  const rows = await prisma.$queryRaw<({ id: number } & KeyVersions)[]>(Prisma.sql`
    WITH k AS (SELECT DISTINCT ${KEY} FROM "Submission" WHERE id = ANY(${[...ids]}::int[])),
    countable AS (${countableVersions(vis, Prisma.sql`(s."indicatorId", s."countryId", s."referenceYear", s."sourceKey") IN (SELECT ${KEY} FROM k)`)}),
    versions AS (
      SELECT s."indicatorId", s."countryId", s."referenceYear", s."sourceKey",
        array_agg(s.id ORDER BY s.version) AS "versionIds"
      FROM "Submission" s JOIN k ON ${sameKey('s', 'k')}
      WHERE ${visibleVersion(vis, 's')}
      GROUP BY s."indicatorId", s."countryId", s."referenceYear", s."sourceKey"
    )
    SELECT p.id, c.id AS "countableId", c.version AS "countableVersion",
      coalesce(v."versionIds", '{}'::int[]) AS "versionIds"
    FROM "Submission" p
    LEFT JOIN countable c ON ${sameKey('c', 'p')}
    LEFT JOIN versions v ON ${sameKey('v', 'p')}
    WHERE p.id = ANY(${[...ids]}::int[])`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? { countableId: null, countableVersion: null, versionIds: [] });
}

/** Key conditions of a submissions list, for the countable filter. */
export interface KeyFilter {
  countryId?: number | undefined;
  indicatorCode?: string | undefined;
  fromYear?: number | undefined;
  toYear?: number | undefined;
  dataSourceCode?: string | undefined;
}

/** Ids of the versions countable for the caller among the keys matching the filter. */
export async function countableIds(prisma: Db, vis: Visibility, filter: KeyFilter): Promise<number[]> {
  const and: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.countryId !== undefined) and.push(Prisma.sql`s."countryId" = ${filter.countryId}::int`);
  if (filter.indicatorCode !== undefined)
    and.push(Prisma.sql`s."indicatorId" = (SELECT id FROM "Indicator" WHERE code = ${filter.indicatorCode})`);
  if (filter.fromYear !== undefined) and.push(Prisma.sql`s."referenceYear" >= ${filter.fromYear}::int`);
  if (filter.toYear !== undefined) and.push(Prisma.sql`s."referenceYear" <= ${filter.toYear}::int`);
  if (filter.dataSourceCode !== undefined)
    and.push(Prisma.sql`s."dataSourceId" = (SELECT id FROM "DataSource" WHERE code = ${filter.dataSourceCode})`);
  const rows = await prisma.$queryRaw<{ id: number }[]>(
    Prisma.sql`SELECT id FROM (${countableVersions(vis, Prisma.join(and, ' AND '))}) c`,
  );
  return rows.map((r) => r.id);
}
