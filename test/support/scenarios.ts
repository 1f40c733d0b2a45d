// Named scenarios for the coverage suites (CONTRACT §4), built on the seeded hub (real catalogue, 248 M49 countries).
// Data go in through the real importers (data sources, submissions, population accounts); only what no importer
// can express is set with Prisma: test indicators and their source-type links, REJECTED versions, and the
// `countableSince` timestamps that order competing sources.
import { CLI_ACTOR } from '../../src/access/audit.js';
import type { PrismaClient } from '../../src/platform/db.js';
import type { SubmissionStatus } from '../../prisma/generated/prisma/enums.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { importSubmissions } from '../../src/submissions/submissions.import.js';

/** Indicators the coverage scenario adds to the catalogue, with the source types linked to each. */
export const TEST_INDICATORS = [
  {
    code: 'T_STOCK',
    tier: 'CORE',
    buildingBlock: 'IMMIGRANT_STOCK',
    additive: true,
    unit: 'PERSONS',
    links: { CENSUS: 'PRIMARY', POP_REGISTER: 'SECONDARY', HH_SURVEY: 'SUPPLEMENTARY' },
  },
  {
    code: 'T_FLOW',
    tier: 'CORE',
    buildingBlock: 'IMMIGRATION_FLOW',
    additive: true,
    unit: 'PERSONS',
    links: { BORDER: 'PRIMARY' },
  },
  { code: 'T_NOSRC', tier: 'CORE', buildingBlock: 'EMIGRATION_FLOW', additive: true, unit: 'PERSONS', links: {} },
  {
    code: 'T_RATE',
    tier: 'ADDITIONAL',
    buildingBlock: null,
    additive: false,
    unit: 'PERCENT',
    links: { CENSUS: 'PRIMARY' },
  },
  {
    code: 'T_OLD',
    tier: 'CORE',
    buildingBlock: 'IMMIGRANT_STOCK',
    additive: true,
    unit: 'PERSONS',
    status: 'RETIRED',
    links: { CENSUS: 'PRIMARY' },
  },
] as const;

/** CORE indicators of the seeded catalogue (data/catalogue.json), by code. */
export const CATALOGUE_CORE = ['ACQ_CITIZENSHIP', 'EMI_FLOW', 'EMI_STOCK', 'IMM_FLOW', 'IMM_STOCK', 'IMM_STOCK_GROUP'];
/** Of those, the ones without any linked source type. */
export const CATALOGUE_CORE_UNLINKED = ['ACQ_CITIZENSHIP', 'IMM_STOCK_GROUP'];

/** Countries and areas per M49 region (data/countries.csv); Antarctica belongs to none. */
export const REGION_SIZES = {
  '001': 248,
  '002': 60,
  '009': 29,
  '019': 57,
  '142': 50,
  '150': 51,
  '419': 52,
  '029': 28,
} as const;

export async function addIndicators(prisma: PrismaClient, indicators: readonly (typeof TEST_INDICATORS)[number][]) {
  const sourceTypes = new Map(
    (await prisma.sourceType.findMany({ select: { id: true, code: true } })).map((s) => [s.code, s.id]),
  );
  const sex = await prisma.variable.findUniqueOrThrow({ where: { code: 'SEX' }, select: { id: true } });
  for (const spec of indicators) {
    const indicator = await prisma.indicator.create({
      data: {
        code: spec.code,
        name: `Test indicator ${spec.code}`,
        unit: spec.unit,
        additive: spec.additive,
        buildingBlock: spec.buildingBlock,
        tier: spec.tier,
        status: 'status' in spec ? spec.status : 'ACTIVE',
        disaggregations: { create: { variableId: sex.id } },
      },
    });
    const links = Object.entries(spec.links) as [string, 'PRIMARY' | 'SECONDARY' | 'SUPPLEMENTARY'][];
    if (links.length) {
      await prisma.indicatorSourceType.createMany({
        data: links.map(([code, suitability]) => ({
          indicatorId: indicator.id,
          sourceTypeId: sourceTypes.get(code)!,
          suitability,
        })),
      });
    }
  }
}

/** Imports a submissions CSV through the real importer; fails loudly on any problem. */
export async function importSubmissionsCsv(prisma: PrismaClient, csv: string) {
  const result = await importSubmissions(prisma, { text: csv }, { actor: CLI_ACTOR });
  if (!result.ok) throw new Error(`scenario CSV rejected: ${JSON.stringify(result.problems)}`);
  return result.report;
}

/**
 * What a submissions import writes, counted: compared before and after a refused, rolled-back or killed import to
 * show it wrote nothing (the audit log's last id too, so a row written and another deleted would show).
 */
export async function importFootprint(prisma: PrismaClient) {
  const [submissions, observations, events, audits, maxAudit] = await Promise.all([
    prisma.submission.count(),
    prisma.observation.count(),
    prisma.submissionEvent.count(),
    prisma.auditLog.count(),
    prisma.auditLog.aggregate({ _max: { id: true } }),
  ]);
  return { submissions, observations, events, audits, lastAudit: maxAudit._max.id };
}

interface VersionKey {
  country: string;
  indicator: string;
  year: number;
  sourceKey: string;
  version: number;
}

/** Sets the status (and, for countable ones, the countableSince time) of one stored version. */
export async function setVersion(
  prisma: PrismaClient,
  key: VersionKey,
  data: { status?: SubmissionStatus; countableSince?: Date | null },
) {
  const [country, indicator] = await Promise.all([
    prisma.country.findUniqueOrThrow({ where: { iso3: key.country } }),
    prisma.indicator.findUniqueOrThrow({ where: { code: key.indicator } }),
  ]);
  await prisma.submission.update({
    where: {
      countryId_indicatorId_referenceYear_sourceKey_version: {
        countryId: country.id,
        indicatorId: indicator.id,
        referenceYear: key.year,
        sourceKey: key.sourceKey,
        version: key.version,
      },
    },
    data,
  });
}

const HEADER = 'country,indicator,reference_year,value,source_type,data_source,residence_criterion,status,SEX';

/**
 * The coverage scenario. Submissions of T_STOCK (CORE, CENSUS primary, POP_REGISTER secondary, HH_SURVEY
 * supplementary), by key and version:
 *  - CHE 2020 DS:CHE_CENSUS  v1 PUBLISHED OPTION_I 100 (F 60) · v2 PUBLISHED OPTION_II 110 (F 65) · v3 DRAFT 999
 *  - FRA 2019 ST:POP_REGISTER v1 VALIDATED OPTION_I 200 · v2 REJECTED OTHER 999 · v3 SUBMITTED OTHER 998
 *  - FRA 2017 ST:POP_REGISTER v1 PUBLISHED OPTION_II 190
 *  - JAM 2018 DS:JAM_CENSUS DRAFT 50 · BRB 2020 SUBMITTED 40 · BRB 2021 REJECTED 41
 *  - MEX 2015 ST:CENSUS PUBLISHED OPTION_I 1000 · CUB 2017 ST:CENSUS VALIDATED OPTION_II 30
 *  - CAN 2020 DS:CAN_REG VALIDATED OTHER 320 (no sex split), countable since 2024-06-01 (imported first)
 *  - CAN 2020 ST:CENSUS PUBLISHED OPTION_I 300 (F 150), countable since 2024-01-01 (imported later)
 *  - CAN 2010 ST:CENSUS PUBLISHED OPTION_I 250
 * and CHE 2020 of T_FLOW (ST:BORDER, no criterion), T_OLD (retired) and T_RATE (not additive).
 * Registered data sources: CHE_CENSUS, CAN_REG, JAM_CENSUS, JAM_REG, JAM_BORDER, BRB_REG (POP_REGISTER),
 * HTI_SURVEY and KEN_SURVEY (HH_SURVEY). France has none.
 */
export async function coverageScenario(prisma: PrismaClient) {
  await addIndicators(prisma, TEST_INDICATORS);
  await importDataSources(
    prisma,
    {
      text: [
        'code,country,source_type,name,residence_criterion',
        'CHE_CENSUS,CHE,CENSUS,Swiss structural survey,OPTION_I',
        'CAN_REG,CAN,POP_REGISTER,Canadian register,OTHER',
        'JAM_CENSUS,JAM,CENSUS,Jamaican census,',
        'JAM_REG,JAM,POP_REGISTER,Jamaican register,',
        'JAM_BORDER,JAM,BORDER,Jamaican border statistics,',
        'BRB_REG,BRB,POP_REGISTER,Barbadian register,',
        'HTI_SURVEY,HTI,HH_SURVEY,Haitian household survey,',
        'KEN_SURVEY,KEN,HH_SURVEY,Kenyan household survey,',
      ].join('\n'),
    },
    CLI_ACTOR,
  );
  await importSubmissionsCsv(
    prisma,
    [
      HEADER,
      'CHE,T_STOCK,2020,100,,CHE_CENSUS,OPTION_I,PUBLISHED,_T',
      'CHE,T_STOCK,2020,60,,CHE_CENSUS,OPTION_I,PUBLISHED,F',
      'FRA,T_STOCK,2019,200,POP_REGISTER,,OPTION_I,VALIDATED,_T',
      'FRA,T_STOCK,2017,190,POP_REGISTER,,OPTION_II,PUBLISHED,_T',
      'JAM,T_STOCK,2018,50,,JAM_CENSUS,,DRAFT,_T',
      'BRB,T_STOCK,2020,40,,BRB_REG,,SUBMITTED,_T',
      'BRB,T_STOCK,2021,41,,BRB_REG,,SUBMITTED,_T',
      'MEX,T_STOCK,2015,1000,CENSUS,,OPTION_I,PUBLISHED,_T',
      'CUB,T_STOCK,2017,30,CENSUS,,OPTION_II,VALIDATED,_T',
      'CAN,T_STOCK,2020,320,,CAN_REG,,VALIDATED,_T',
      'CAN,T_STOCK,2010,250,CENSUS,,OPTION_I,PUBLISHED,_T',
      'CHE,T_FLOW,2020,7,BORDER,,,PUBLISHED,_T',
      'CHE,T_OLD,2020,5,CENSUS,,,PUBLISHED,_T',
      'CHE,T_RATE,2020,12.5,CENSUS,,,PUBLISHED,_T',
    ].join('\n'),
  );
  await importSubmissionsCsv(
    prisma,
    [
      HEADER,
      'CHE,T_STOCK,2020,110,,CHE_CENSUS,OPTION_II,PUBLISHED,_T',
      'CHE,T_STOCK,2020,65,,CHE_CENSUS,OPTION_II,PUBLISHED,F',
      'FRA,T_STOCK,2019,999,POP_REGISTER,,OTHER,SUBMITTED,_T',
      'CAN,T_STOCK,2020,300,CENSUS,,OPTION_I,PUBLISHED,_T',
      'CAN,T_STOCK,2020,150,CENSUS,,OPTION_I,PUBLISHED,F',
    ].join('\n'),
  );
  await importSubmissionsCsv(
    prisma,
    [
      HEADER,
      'CHE,T_STOCK,2020,999,,CHE_CENSUS,OPTION_I,DRAFT,_T',
      'CHE,T_STOCK,2020,999,,CHE_CENSUS,OPTION_I,DRAFT,F',
      'FRA,T_STOCK,2019,998,POP_REGISTER,,OTHER,SUBMITTED,_T',
    ].join('\n'),
  );
  const key = (country: string, year: number, sourceKey: string, version: number) => ({
    country,
    indicator: 'T_STOCK',
    year,
    sourceKey,
    version,
  });
  await setVersion(prisma, key('FRA', 2019, 'ST:POP_REGISTER', 2), { status: 'REJECTED' });
  await setVersion(prisma, key('BRB', 2021, 'DS:BRB_REG', 1), { status: 'REJECTED' });
  await setVersion(prisma, key('CAN', 2020, 'DS:CAN_REG', 1), { countableSince: new Date('2024-06-01T00:00:00Z') });
  await setVersion(prisma, key('CAN', 2020, 'ST:CENSUS', 1), { countableSince: new Date('2024-01-01T00:00:00Z') });
}

const ACCOUNT_HEADER = 'country,year,group,component,value,status';

/**
 * Population accounts:
 *  - CHE 2020, complete, citizenship moves both ways in both birthplaces; residuals NBC −1, NBF +1 (the floor of 1),
 *    FBC 0, FBF +3 = 0.001 × 3000 (the tolerance edge).
 *  - FRA 2020, with NBF and FBF EMIGRATION missing (counted as 0) and FBC CLOSING_STOCK missing.
 *  - KEN 2019, only FBF CLOSING_STOCK.
 * All PUBLISHED, so every caller reads them (test/access/ covers unpublished entries).
 */
export async function accountsScenario(prisma: PrismaClient) {
  const rows: [string, number, string, string, number][] = [
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'OPENING_STOCK', 1000],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'BIRTHS', 50],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'DEATHS', 30],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'IMMIGRATION', 5],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'EMIGRATION', 10],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'CITIZENSHIP_LOST', 2],
    ['CHE', 2020, 'NATIVE_BORN_CITIZENS', 'CLOSING_STOCK', 1016],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'OPENING_STOCK', 100],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'BIRTHS', 8],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'DEATHS', 1],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'IMMIGRATION', 0],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'EMIGRATION', 3],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'CITIZENSHIP_ACQUIRED', 4],
    ['CHE', 2020, 'NATIVE_BORN_FOREIGNERS', 'CLOSING_STOCK', 103],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'OPENING_STOCK', 300],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'DEATHS', 5],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'IMMIGRATION', 10],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'EMIGRATION', 4],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'CITIZENSHIP_LOST', 1],
    ['CHE', 2020, 'FOREIGN_BORN_CITIZENS', 'CLOSING_STOCK', 338],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', 2800],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'DEATHS', 6],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'IMMIGRATION', 300],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'EMIGRATION', 60],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'CITIZENSHIP_ACQUIRED', 38],
    ['CHE', 2020, 'FOREIGN_BORN_FOREIGNERS', 'CLOSING_STOCK', 3000],

    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'OPENING_STOCK', 500],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'BIRTHS', 20],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'DEATHS', 10],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'IMMIGRATION', 2],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'EMIGRATION', 5],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'CITIZENSHIP_LOST', 0],
    ['FRA', 2020, 'NATIVE_BORN_CITIZENS', 'CLOSING_STOCK', 509],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'OPENING_STOCK', 50],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'BIRTHS', 3],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'DEATHS', 0],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'IMMIGRATION', 1],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'CITIZENSHIP_ACQUIRED', 2],
    ['FRA', 2020, 'NATIVE_BORN_FOREIGNERS', 'CLOSING_STOCK', 52],
    ['FRA', 2020, 'FOREIGN_BORN_CITIZENS', 'OPENING_STOCK', 100],
    ['FRA', 2020, 'FOREIGN_BORN_CITIZENS', 'DEATHS', 1],
    ['FRA', 2020, 'FOREIGN_BORN_CITIZENS', 'IMMIGRATION', 5],
    ['FRA', 2020, 'FOREIGN_BORN_CITIZENS', 'EMIGRATION', 2],
    ['FRA', 2020, 'FOREIGN_BORN_CITIZENS', 'CITIZENSHIP_LOST', 1],
    ['FRA', 2020, 'FOREIGN_BORN_FOREIGNERS', 'OPENING_STOCK', 200],
    ['FRA', 2020, 'FOREIGN_BORN_FOREIGNERS', 'DEATHS', 2],
    ['FRA', 2020, 'FOREIGN_BORN_FOREIGNERS', 'IMMIGRATION', 30],
    ['FRA', 2020, 'FOREIGN_BORN_FOREIGNERS', 'CITIZENSHIP_ACQUIRED', 10],
    ['FRA', 2020, 'FOREIGN_BORN_FOREIGNERS', 'CLOSING_STOCK', 219],

    ['KEN', 2019, 'FOREIGN_BORN_FOREIGNERS', 'CLOSING_STOCK', 10],
  ];
  await importAccounts(
    prisma,
    { text: [ACCOUNT_HEADER, ...rows.map((r) => `${r.join(',')},PUBLISHED`)].join('\n') },
    CLI_ACTOR,
  );
}
