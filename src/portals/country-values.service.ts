// Country values (CONTRACT §10 `countryValues`): the §4 country value of one indicator in one year for each country
// in scope, with where it came from. The rule itself (which observation of which countable version) lives in
// coverage.service (`countryValueObservations`), shared with `aggregate` and the SDMX observations.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { ResidenceCriterion, SubmissionOrigin, SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import { countableVersions, countryValueObservations, scopeCountries } from '../coverage/coverage.service.js';
import type { PrismaClient } from '../platform/db.js';
import type { Visibility } from '../submissions/visibility.js';

export interface CountryValueRow {
  countryId: number;
  indicatorId: number;
  referenceYear: number;
  value: number;
  submissionId: number;
  sourceTypeId: number | null;
  dataSourceId: number | null;
  residenceCriterion: ResidenceCriterion | null;
  origin: SubmissionOrigin;
  status: SubmissionStatus;
  unit: string;
  countableSince: Date | null;
  updatedAt: Date;
}

/**
 * The country value of the indicator in the year for every country in scope that has one (countries of the region
 * at any depth; all when absent), as the caller sees them, ordered by M49 code. `dimensionKey` "" is the total,
 * "SEX=F" one sex with every other dimension at its total.
 */
export async function countryValues(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  query: { indicatorId: number; year: number; regionId?: number | null; dimensionKey: string },
  visibility: Visibility,
): Promise<CountryValueRow[]> {
  const inScope =
    query.regionId != null
      ? Prisma.sql`AND s."countryId" IN (${scopeCountries({ regionId: query.regionId })})`
      : Prisma.empty;
  const countable = countableVersions(
    visibility,
    Prisma.sql`${[query.indicatorId]}::int[]`,
    { from: query.year, to: query.year },
    inScope,
  );
  return prisma.$queryRaw<CountryValueRow[]>(Prisma.sql`
    SELECT v."countryId", v."indicatorId", v."referenceYear", v.value, v."submissionId", v."sourceTypeId",
      v."dataSourceId", v."residenceCriterion"::text AS "residenceCriterion", v.origin::text AS origin, v.status::text AS status, v.unit,
      v."countableSince", v."updatedAt"
    FROM (${countryValueObservations(countable, query.dimensionKey)}) v
    JOIN "Country" co ON co.id = v."countryId"
    ORDER BY co.m49`);
}
