// Implementation tracking (CONTRACT §8): what each country declares about the recommendations, what its own data
// show, and where the two disagree. Evidence is one set-based SQL statement for any set of countries (one country,
// or every country of a region), over the caller's visible countable versions (CONTRACT §4, the rule of
// src/submissions/visibility.ts); the rules themselves are a pure function of the per-country facts it returns, so
// that their wording (`detail`) and their verdict (`met`) cannot drift apart.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import type { AccountComponent, AdoptionStatus, PopulationGroup } from '../../prisma/generated/prisma/enums.js';
import type { PrismaClient } from '../platform/db.js';
import { countableVersions, countedAccountValue, type Visibility } from '../submissions/visibility.js';
import { scopeCountries, type Scope, type YearWindow } from '../coverage/coverage.service.js';
import { DEFAULT_TOLERANCE, partnerOf } from '../accounting/accounting.service.js';
import { ACCOUNT_COMPONENTS, POPULATION_GROUPS } from '../accounting/accounts.import.js';

type Db = Pick<PrismaClient, '$queryRaw'>;

export const ADOPTION_STATUSES: readonly AdoptionStatus[] = [
  'NOT_STARTED',
  'PLANNED',
  'PARTIAL',
  'IMPLEMENTED',
  'NOT_APPLICABLE',
];

/** The recommendations whose implementation the hub can check against a country's data (CONTRACT §8). */
export const EVIDENCE_RULES = [
  'REC_RESIDENCE',
  'REC_FOUR_GROUPS',
  'REC_STOCK_FLOW',
  'REC_ACCOUNTING',
  'REC_CORE_INDICATORS',
  'REC_TEMPORARY_MOBILITY',
  'REC_METADATA',
] as const;
export type RuleCode = (typeof EVIDENCE_RULES)[number];

export const hasRule = (code: string): code is RuleCode => (EVIDENCE_RULES as readonly string[]).includes(code);

/** The MIGRANT_GROUP codes of the four TF2 population groups. */
export const MIGRANT_GROUP_CODES = ['NBC', 'NBF', 'FBC', 'FBF'] as const;
const TEMPORARY_MOBILITY_INDICATOR = 'TEMP_MOVERS';

/** What one country's visible data say, as far as the rules need it. */
export interface EvidenceFacts {
  countryId: number;
  /** Countable submissions in the window, and how many name OPTION_I/OPTION_II, OTHER, or no criterion. */
  submissions: number;
  withOption: number;
  withOther: number;
  withNone: number;
  /** MIGRANT_GROUP codes (of the four) that countable observations in the window cover. */
  groupCodes: string[];
  /** Years in the window with a population account that has a CLOSING_STOCK for each of the four groups. */
  fourGroupAccountYears: number[];
  /** Years in the window with a population account, and those whose account is coherent (§4). */
  accountYears: number[];
  coherentAccountYears: number[];
  /** Indicators reported in the window of a stock building block, of a flow building block. */
  stockIndicators: string[];
  flowIndicators: string[];
  /** CORE (not retired) indicators reported in the window, and those of the catalogue not reported. */
  coreReported: string[];
  coreMissing: string[];
  /** Reference years in the window of countable TEMP_MOVERS submissions. */
  temporaryYears: number[];
  /** Registered data sources, and the codes of those that name no residence criterion. */
  dataSources: number;
  sourcesWithoutCriterion: string[];
}

export interface Evidence {
  met: boolean;
  detail: string;
}

const q = (name: string) => Prisma.raw(`"${name.replace(/"/g, '')}"`);
const cell = (group: PopulationGroup, component: AccountComponent) => q(`${group}:${component}`);
const flow = (group: PopulationGroup, component: AccountComponent) =>
  Prisma.sql`coalesce(${cell(group, component)}, 0)`;

/** SQL: the group's account balances (CONTRACT §4 population accounting), over the pivoted columns of `acc`. */
function groupCoherent(group: PopulationGroup): Prisma.Sql {
  const partner = partnerOf(group);
  const foreigners = group.endsWith('_FOREIGNERS');
  // Naturalisations leave the foreigner group for its citizen partner; losses of citizenship go the other way.
  const citizenshipNet = foreigners
    ? Prisma.sql`${flow(partner, 'CITIZENSHIP_LOST')} - ${flow(group, 'CITIZENSHIP_ACQUIRED')}`
    : Prisma.sql`${flow(partner, 'CITIZENSHIP_ACQUIRED')} - ${flow(group, 'CITIZENSHIP_LOST')}`;
  const opening = cell(group, 'OPENING_STOCK');
  const closing = cell(group, 'CLOSING_STOCK');
  const expected = Prisma.sql`(${opening} + ${flow(group, 'BIRTHS')} + ${flow(group, 'IMMIGRATION')}
    - ${flow(group, 'DEATHS')} - ${flow(group, 'EMIGRATION')} + ${citizenshipNet})`;
  return Prisma.sql`(${opening} IS NOT NULL AND ${closing} IS NOT NULL
    AND abs(${closing} - ${expected}) <= greatest(1, ${DEFAULT_TOLERANCE}::float8 * abs(${closing})))`;
}

const yearIn = (column: Prisma.Sql, window: YearWindow | null | undefined) =>
  window ? Prisma.sql`AND ${column} BETWEEN ${window.from}::int AND ${window.to}::int` : Prisma.empty;

/**
 * The facts behind every rule, for every country in scope, in one statement: the caller's countable versions in
 * the window (`countableVersions`, the one countable rule) of the country's own figures (origin COUNTRY), their
 * observations' migrant groups, the population accounts pivoted to one row per country and year, and the data
 * sources. Rows in country id order; every country in scope has one.
 */
export async function evidenceFacts(prisma: Db, scope: Scope, visibility: Visibility): Promise<EvidenceFacts[]> {
  const window = scope.window;
  const accountValue = countedAccountValue(visibility, 'ae');
  const pivot = Prisma.join(
    POPULATION_GROUPS.flatMap((group) =>
      ACCOUNT_COMPONENTS.map(
        (component) =>
          Prisma.sql`max(${accountValue}) FILTER (WHERE ae."group" = ${group}::"PopulationGroup"
            AND ae.component = ${component}::"AccountComponent") AS ${cell(group, component)}`,
      ),
    ),
  );
  const allClosing = Prisma.join(
    POPULATION_GROUPS.map((g) => Prisma.sql`${cell(g, 'CLOSING_STOCK')} IS NOT NULL`),
    ' AND ',
  );
  const coherent = Prisma.join(POPULATION_GROUPS.map(groupCoherent), ' AND ');
  const rows = await prisma.$queryRaw<EvidenceFacts[]>(Prisma.sql`
    WITH sc AS (${scopeCountries({ ...scope, window: null })}),
    countable AS (${countableVersions(
      visibility,
      Prisma.sql`s."countryId" IN (SELECT "countryId" FROM sc) ${yearIn(Prisma.sql`s."referenceYear"`, window)}`,
    )}),
    -- The country's own data: an international estimate of its figures (UN DESA) is no evidence of its practice.
    cv AS (SELECT * FROM countable WHERE origin = 'COUNTRY'),
    core AS (SELECT id, code FROM "Indicator" WHERE tier = 'CORE' AND status <> 'RETIRED'),
    sub AS (
      SELECT cv."countryId",
        count(*)::int AS submissions,
        count(*) FILTER (WHERE cv."residenceCriterion" IN ('OPTION_I', 'OPTION_II'))::int AS "withOption",
        count(*) FILTER (WHERE cv."residenceCriterion" = 'OTHER')::int AS "withOther",
        count(*) FILTER (WHERE cv."residenceCriterion" IS NULL)::int AS "withNone",
        coalesce(array_agg(DISTINCT i.code) FILTER (WHERE i."buildingBlock" IN ('IMMIGRANT_STOCK', 'EMIGRANT_STOCK')),
          '{}') AS "stockIndicators",
        coalesce(array_agg(DISTINCT i.code) FILTER (WHERE i."buildingBlock" IN ('IMMIGRATION_FLOW', 'EMIGRATION_FLOW')),
          '{}') AS "flowIndicators",
        coalesce(array_agg(DISTINCT i.code) FILTER (WHERE i.id IN (SELECT id FROM core)), '{}') AS "coreReported",
        coalesce(array_agg(DISTINCT cv."referenceYear") FILTER (WHERE i.code = ${TEMPORARY_MOBILITY_INDICATOR}),
          '{}') AS "temporaryYears"
      FROM cv JOIN "Indicator" i ON i.id = cv."indicatorId"
      GROUP BY cv."countryId"
    ),
    grp AS (
      -- Only indicators disaggregated by MIGRANT_GROUP can carry its codes (the importer checks each column
      -- against the indicator's variables), so only their observations are read, through the per-submission index.
      SELECT cv."countryId", array_agg(DISTINCT g.code) AS codes
      FROM cv CROSS JOIN LATERAL (
        SELECT o.dimensions->>'MIGRANT_GROUP' AS code FROM "Observation" o
        WHERE o."submissionId" = cv.id AND o.dimensions->>'MIGRANT_GROUP' IN (${Prisma.join([...MIGRANT_GROUP_CODES])})
      ) g
      WHERE cv."indicatorId" IN (SELECT iv."indicatorId" FROM "IndicatorVariable" iv
        JOIN "Variable" v ON v.id = iv."variableId" WHERE v.code = 'MIGRANT_GROUP')
      GROUP BY cv."countryId"
    ),
    acc AS (
      SELECT ae."countryId", ae.year, ${pivot}
      FROM "AccountEntry" ae
      WHERE ae."countryId" IN (SELECT "countryId" FROM sc) AND ${accountValue} IS NOT NULL
        ${yearIn(Prisma.sql`ae.year`, window)}
      GROUP BY ae."countryId", ae.year
    ),
    accy AS (
      SELECT acc."countryId",
        array_agg(acc.year ORDER BY acc.year) AS "accountYears",
        coalesce(array_agg(acc.year ORDER BY acc.year) FILTER (WHERE ${allClosing}), '{}') AS "fourGroupAccountYears",
        coalesce(array_agg(acc.year ORDER BY acc.year) FILTER (WHERE ${coherent}), '{}') AS "coherentAccountYears"
      FROM acc GROUP BY acc."countryId"
    ),
    ds AS (
      SELECT d."countryId", count(*)::int AS "dataSources",
        coalesce(array_agg(d.code ORDER BY d.code) FILTER (WHERE d."residenceCriterion" IS NULL), '{}')
          AS "sourcesWithoutCriterion"
      FROM "DataSource" d WHERE d."countryId" IN (SELECT "countryId" FROM sc)
      GROUP BY d."countryId"
    ),
    allcore AS (SELECT coalesce(array_agg(code ORDER BY code), '{}') AS codes FROM core)
    SELECT sc."countryId",
      coalesce(sub.submissions, 0) AS submissions, coalesce(sub."withOption", 0) AS "withOption",
      coalesce(sub."withOther", 0) AS "withOther", coalesce(sub."withNone", 0) AS "withNone",
      coalesce(grp.codes, '{}') AS "groupCodes",
      coalesce(accy."fourGroupAccountYears", '{}') AS "fourGroupAccountYears",
      coalesce(accy."accountYears", '{}') AS "accountYears",
      coalesce(accy."coherentAccountYears", '{}') AS "coherentAccountYears",
      coalesce(sub."stockIndicators", '{}') AS "stockIndicators",
      coalesce(sub."flowIndicators", '{}') AS "flowIndicators",
      coalesce(sub."coreReported", '{}') AS "coreReported",
      ARRAY(SELECT unnest(allcore.codes) EXCEPT SELECT unnest(coalesce(sub."coreReported", '{}')) ORDER BY 1)
        AS "coreMissing",
      coalesce(sub."temporaryYears", '{}') AS "temporaryYears",
      coalesce(ds."dataSources", 0) AS "dataSources",
      coalesce(ds."sourcesWithoutCriterion", '{}') AS "sourcesWithoutCriterion"
    FROM sc CROSS JOIN allcore
    LEFT JOIN sub ON sub."countryId" = sc."countryId"
    LEFT JOIN grp ON grp."countryId" = sc."countryId"
    LEFT JOIN accy ON accy."countryId" = sc."countryId"
    LEFT JOIN ds ON ds."countryId" = sc."countryId"
    ORDER BY sc."countryId"`);
  return rows.map((r) => ({
    ...r,
    groupCodes: MIGRANT_GROUP_CODES.filter((c) => r.groupCodes.includes(c)),
    stockIndicators: [...r.stockIndicators].sort(),
    flowIndicators: [...r.flowIndicators].sort(),
    coreReported: [...r.coreReported].sort(),
    temporaryYears: [...r.temporaryYears].map(Number).sort((a, b) => a - b),
    accountYears: r.accountYears.map(Number),
    fourGroupAccountYears: r.fourGroupAccountYears.map(Number),
    coherentAccountYears: r.coherentAccountYears.map(Number),
  }));
}

const list = (items: readonly (string | number)[]) => items.join(', ');
const verb = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The §8 rule of a recommendation applied to one country's facts, or null when the recommendation has none. */
export function evaluate(code: string, f: EvidenceFacts): Evidence | null {
  switch (code) {
    case 'REC_RESIDENCE': {
      if (f.submissions === 0) return { met: false, detail: 'no countable submission in the window' };
      const parts = [
        `${f.withOption} of ${verb(f.submissions, 'submission', 'submissions')} ${f.submissions === 1 ? 'names' : 'name'} OPTION_I or OPTION_II`,
      ];
      if (f.withOther) parts.push(`${verb(f.withOther, 'names', 'name')} OTHER`);
      if (f.withNone) parts.push(`${verb(f.withNone, 'names', 'name')} no residence criterion`);
      return { met: f.withOption === f.submissions, detail: parts.join('; ') };
    }
    case 'REC_FOUR_GROUPS': {
      const missing = MIGRANT_GROUP_CODES.filter((c) => !f.groupCodes.includes(c));
      const observations = missing.length
        ? `observations cover ${f.groupCodes.length} of 4 migrant groups${f.groupCodes.length ? ` (${list(f.groupCodes)})` : ''}; missing ${list(missing)}`
        : 'observations cover all four migrant groups (NBC, NBF, FBC, FBF)';
      const accounts = f.fourGroupAccountYears.length
        ? `population account with a closing stock for each group in ${list(f.fourGroupAccountYears)}`
        : 'no population account with a closing stock for each of the four groups';
      return { met: !missing.length || f.fourGroupAccountYears.length > 0, detail: `${observations}; ${accounts}` };
    }
    case 'REC_STOCK_FLOW': {
      const stock = f.stockIndicators.length ? list(f.stockIndicators) : 'none';
      const flows = f.flowIndicators.length ? list(f.flowIndicators) : 'none';
      return {
        met: f.stockIndicators.length > 0 && f.flowIndicators.length > 0,
        detail: `stock indicators reported: ${stock}; flow indicators reported: ${flows}`,
      };
    }
    case 'REC_ACCOUNTING': {
      if (!f.accountYears.length) return { met: false, detail: 'no population account in the window' };
      if (f.coherentAccountYears.length)
        return {
          met: true,
          detail: `coherent population account for ${list(f.coherentAccountYears)} (accounts for ${list(f.accountYears)})`,
        };
      return { met: false, detail: `population accounts for ${list(f.accountYears)}; none is coherent` };
    }
    case 'REC_CORE_INDICATORS': {
      const total = f.coreReported.length + f.coreMissing.length;
      return {
        met: f.coreMissing.length === 0,
        detail:
          `reports ${f.coreReported.length} of ${verb(total, 'CORE indicator', 'CORE indicators')}` +
          (f.coreMissing.length ? `; missing ${list(f.coreMissing)}` : ''),
      };
    }
    case 'REC_TEMPORARY_MOBILITY':
      return f.temporaryYears.length
        ? { met: true, detail: `reports ${TEMPORARY_MOBILITY_INDICATOR} for ${list(f.temporaryYears)}` }
        : { met: false, detail: `no countable ${TEMPORARY_MOBILITY_INDICATOR} submission in the window` };
    case 'REC_METADATA': {
      if (!f.dataSources) return { met: false, detail: 'no registered data source' };
      const named = f.dataSources - f.sourcesWithoutCriterion.length;
      return {
        met: f.sourcesWithoutCriterion.length === 0,
        detail:
          `${named} of ${verb(f.dataSources, 'data source', 'data sources')} ${f.dataSources === 1 ? 'names its' : 'name their'} residence criterion` +
          (f.sourcesWithoutCriterion.length ? `; without: ${list(f.sourcesWithoutCriterion)}` : ''),
      };
    }
    default:
      return null;
  }
}

export type Discrepancy = 'DECLARED_NOT_EVIDENCED' | 'EVIDENCED_NOT_DECLARED';

/** CONTRACT §8: declared IMPLEMENTED but the rule is not met, or the rule met but not declared (null, NOT_STARTED, PLANNED). */
export function discrepancyOf(status: AdoptionStatus | null, evidence: Evidence | null): Discrepancy | null {
  if (!evidence) return null;
  if (status === 'IMPLEMENTED' && !evidence.met) return 'DECLARED_NOT_EVIDENCED';
  if (evidence.met && (status === null || status === 'NOT_STARTED' || status === 'PLANNED'))
    return 'EVIDENCED_NOT_DECLARED';
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows and summaries

export interface RecommendationRow {
  id: number;
  code: string;
}

export interface AdoptionRecordRow {
  id: number;
  recommendationId: number;
  countryId: number;
  status: AdoptionStatus;
}

export interface AdoptionRowResult<R extends AdoptionRecordRow> {
  recommendationId: number;
  countryId: number;
  record: R | null;
  evidence: Evidence | null;
  discrepancy: Discrepancy | null;
}

/** One row per recommendation (in the given order) for one country: its record, the evidence and the discrepancy. */
export function adoptionRows<R extends AdoptionRecordRow>(
  recommendations: readonly RecommendationRow[],
  countryId: number,
  records: readonly R[],
  facts: EvidenceFacts,
): AdoptionRowResult<R>[] {
  const byRec = new Map(records.map((r) => [r.recommendationId, r]));
  return recommendations.map((rec) => {
    const record = byRec.get(rec.id) ?? null;
    const evidence = evaluate(rec.code, facts);
    return {
      recommendationId: rec.id,
      countryId,
      record,
      evidence,
      discrepancy: discrepancyOf(record?.status ?? null, evidence),
    };
  });
}

export interface RecommendationSummaryResult {
  recommendationId: number;
  countriesInScope: number;
  /** Countries per status; `null` is "unknown" (no record). Every status is listed, zeros included. */
  byStatus: { status: AdoptionStatus | null; countries: number }[];
  /** Countries whose data meet the rule; null when the recommendation has no rule. */
  evidenceMet: number | null;
  discrepancies: number;
  declaredNotEvidenced: number;
  evidencedNotDeclared: number;
}

/**
 * implementationSummary (CONTRACT §8) for the countries in scope: at most three statements whatever the number of
 * countries and recommendations (recommendations, records in scope, evidence facts), the counting done here.
 */
export async function implementationSummary(
  prisma: PrismaClient,
  scope: Scope,
  visibility: Visibility,
  /** The recommendations in catalogue order, when the caller has them already. */
  known?: readonly RecommendationRow[],
): Promise<RecommendationSummaryResult[]> {
  const [recommendations, records, facts] = await Promise.all([
    known ??
      prisma.recommendation.findMany({
        select: { id: true, code: true },
        orderBy: [{ position: 'asc' }, { id: 'asc' }],
      }),
    prisma.$queryRaw<AdoptionRecordRow[]>(Prisma.sql`
      SELECT a.id, a."recommendationId", a."countryId", a.status::text AS status
      FROM "RecommendationAdoption" a
      WHERE a."countryId" IN (${scopeCountries({ ...scope, window: null })})`),
    evidenceFacts(prisma, scope, visibility),
  ]);
  const record = new Map(records.map((r) => [`${r.recommendationId}:${r.countryId}`, r.status]));
  return recommendations.map((rec) => {
    const counts = new Map<AdoptionStatus | null, number>([
      [null, 0],
      ...ADOPTION_STATUSES.map((s) => [s, 0] as const),
    ]);
    let evidenceMet = 0;
    let declaredNotEvidenced = 0;
    let evidencedNotDeclared = 0;
    const rule = hasRule(rec.code);
    for (const f of facts) {
      const status = record.get(`${rec.id}:${f.countryId}`) ?? null;
      counts.set(status, counts.get(status)! + 1);
      const evidence = rule ? evaluate(rec.code, f) : null;
      if (evidence?.met) evidenceMet++;
      const d = discrepancyOf(status, evidence);
      if (d === 'DECLARED_NOT_EVIDENCED') declaredNotEvidenced++;
      if (d === 'EVIDENCED_NOT_DECLARED') evidencedNotDeclared++;
    }
    return {
      recommendationId: rec.id,
      countriesInScope: facts.length,
      byStatus: [...counts].map(([status, countries]) => ({ status, countries })),
      evidenceMet: rule ? evidenceMet : null,
      discrepancies: declaredNotEvidenced + evidencedNotDeclared,
      declaredNotEvidenced,
      evidencedNotDeclared,
    };
  });
}

export interface TimelineResult {
  recommendationId: number;
  years: { year: number; implemented: number; countriesWithRecord: number }[];
}

/**
 * How many countries in scope had implemented each recommendation at the end of each year from `from` to `to`:
 * the record in force on 31 December of the year (its latest change recorded by then, from the history) says
 * IMPLEMENTED, with `since` (when given) no later than the year. One statement.
 */
export async function implementationTimeline(
  prisma: Db,
  scope: Scope,
  from: number,
  to: number,
): Promise<TimelineResult[]> {
  const rows = await prisma.$queryRaw<
    { recommendationId: number; year: number; implemented: number; withRecord: number }[]
  >(Prisma.sql`
    WITH years AS (SELECT generate_series(${from}::int, ${to}::int) AS year),
    state AS (
      SELECT DISTINCT ON (a.id, y.year) a."recommendationId", a."countryId", y.year, ch.status, ch.since
      FROM "RecommendationAdoption" a
      JOIN "AdoptionChange" ch ON ch."adoptionId" = a.id
      JOIN years y ON ch."recordedAt" < make_timestamp(y.year + 1, 1, 1, 0, 0, 0)
      WHERE a."countryId" IN (${scopeCountries({ ...scope, window: null })})
      ORDER BY a.id, y.year, ch.revision DESC
    )
    SELECT r.id AS "recommendationId", y.year,
      count(state."countryId") FILTER (WHERE state.status = 'IMPLEMENTED'
        AND (state.since IS NULL OR state.since <= y.year))::int AS implemented,
      count(state."countryId")::int AS "withRecord"
    FROM "Recommendation" r CROSS JOIN years y
    LEFT JOIN state ON state."recommendationId" = r.id AND state.year = y.year
    GROUP BY r.id, r.position, y.year
    ORDER BY r.position, r.id, y.year`);
  const out = new Map<number, TimelineResult>();
  for (const row of rows) {
    let t = out.get(row.recommendationId);
    if (!t) out.set(row.recommendationId, (t = { recommendationId: row.recommendationId, years: [] }));
    t.years.push({ year: row.year, implemented: row.implemented, countriesWithRecord: row.withRecord });
  }
  return [...out.values()];
}
