// The implementation-tracking scenario (CONTRACT §8), built on the seeded hub through the real importers. Every
// expected number in the tests below follows from what is listed here.
//
// Submissions (status, residence criterion):
//  - CHE: IMM_STOCK 2020 PUBLISHED OPTION_I · IMM_FLOW 2020 PUBLISHED OPTION_II · EMI_FLOW 2019 PUBLISHED OTHER ·
//         IMM_STOCK_GROUP 2020 PUBLISHED OPTION_I with MIGRANT_GROUP NBC, NBF, FBC, FBF ·
//         TEMP_MOVERS 2021 VALIDATED OPTION_I (unpublished: task force and CHE's focal point only) ·
//         IMM_STOCK 2018 DRAFT OTHER and EMI_STOCK 2020 SUBMITTED (never count)
//  - NOR: the six CORE indicators for 2018, PUBLISHED OPTION_II; IMM_STOCK 2018 has a version 2, VALIDATED OTHER
//         (so a task-force member sees OTHER there, everyone else OPTION_II)
//  - FRA, DEU: none
// Data sources: CHE_CENSUS (OPTION_I), CHE_REG (no criterion); NOR_REG (OPTION_II).
// Population accounts, 2020, published: CHE coherent; DEU with a closing stock for each group but not coherent (FBF +81).
import { CLI_ACTOR } from '../../src/access/audit.js';
import type { PrismaClient } from '../../src/platform/db.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

const HEADER =
  'country,indicator,reference_year,value,source_type,data_source,residence_criterion,status,MIGRANT_GROUP';

export const CORE = ['ACQ_CITIZENSHIP', 'EMI_FLOW', 'EMI_STOCK', 'IMM_FLOW', 'IMM_STOCK', 'IMM_STOCK_GROUP'];

export async function implementationScenario(prisma: PrismaClient) {
  await importDataSources(
    prisma,
    {
      text: [
        'code,country,source_type,name,residence_criterion',
        'CHE_CENSUS,CHE,CENSUS,Swiss structural survey,OPTION_I',
        'CHE_REG,CHE,POP_REGISTER,Swiss population register,',
        'NOR_REG,NOR,POP_REGISTER,Norwegian population register,OPTION_II',
      ].join('\n'),
    },
    CLI_ACTOR,
  );
  await importSubmissionsCsv(
    prisma,
    [
      HEADER,
      'CHE,IMM_STOCK,2020,2500000,,CHE_CENSUS,OPTION_I,PUBLISHED,',
      'CHE,IMM_FLOW,2020,140000,POP_REGISTER,,OPTION_II,PUBLISHED,',
      'CHE,EMI_FLOW,2019,80000,POP_REGISTER,,OTHER,PUBLISHED,',
      'CHE,IMM_STOCK_GROUP,2020,2600000,,CHE_CENSUS,OPTION_I,PUBLISHED,_T',
      'CHE,IMM_STOCK_GROUP,2020,5000000,,CHE_CENSUS,OPTION_I,PUBLISHED,NBC',
      'CHE,IMM_STOCK_GROUP,2020,300000,,CHE_CENSUS,OPTION_I,PUBLISHED,NBF',
      'CHE,IMM_STOCK_GROUP,2020,800000,,CHE_CENSUS,OPTION_I,PUBLISHED,FBC',
      'CHE,IMM_STOCK_GROUP,2020,1800000,,CHE_CENSUS,OPTION_I,PUBLISHED,FBF',
      'CHE,TEMP_MOVERS,2021,50000,BORDER,,OPTION_I,VALIDATED,',
      'CHE,IMM_STOCK,2018,1,CENSUS,,OTHER,DRAFT,',
      'CHE,EMI_STOCK,2020,1,CENSUS,,OTHER,SUBMITTED,',
      'NOR,IMM_STOCK,2018,800000,,NOR_REG,OPTION_II,PUBLISHED,',
      'NOR,IMM_STOCK_GROUP,2018,800000,,NOR_REG,OPTION_II,PUBLISHED,',
      'NOR,IMM_FLOW,2018,50000,,NOR_REG,OPTION_II,PUBLISHED,',
      'NOR,EMI_FLOW,2018,30000,,NOR_REG,OPTION_II,PUBLISHED,',
      'NOR,EMI_STOCK,2018,200000,,NOR_REG,OPTION_II,PUBLISHED,',
      'NOR,ACQ_CITIZENSHIP,2018,20000,,NOR_REG,OPTION_II,PUBLISHED,',
    ].join('\n'),
  );
  // Version 2 of NOR IMM_STOCK 2018: validated, not published.
  await importSubmissionsCsv(prisma, [HEADER, 'NOR,IMM_STOCK,2018,810000,,NOR_REG,OTHER,VALIDATED,'].join('\n'));
  const account = (country: string, fbfClosing: number) =>
    [
      ['NATIVE_BORN_CITIZENS', { OPENING_STOCK: 1000, BIRTHS: 10, DEATHS: 5, IMMIGRATION: 0, EMIGRATION: 2 }],
      ['NATIVE_BORN_CITIZENS', { CITIZENSHIP_LOST: 0, CLOSING_STOCK: 1007 }],
      ['NATIVE_BORN_FOREIGNERS', { OPENING_STOCK: 100, BIRTHS: 3, DEATHS: 0, IMMIGRATION: 0, EMIGRATION: 1 }],
      ['NATIVE_BORN_FOREIGNERS', { CITIZENSHIP_ACQUIRED: 4, CLOSING_STOCK: 98 }],
      ['FOREIGN_BORN_CITIZENS', { OPENING_STOCK: 200, DEATHS: 2, IMMIGRATION: 5, EMIGRATION: 1 }],
      ['FOREIGN_BORN_CITIZENS', { CITIZENSHIP_LOST: 0, CLOSING_STOCK: 212 }],
      ['FOREIGN_BORN_FOREIGNERS', { OPENING_STOCK: 300, DEATHS: 1, IMMIGRATION: 50, EMIGRATION: 20 }],
      ['FOREIGN_BORN_FOREIGNERS', { CITIZENSHIP_ACQUIRED: 10, CLOSING_STOCK: fbfClosing }],
    ].flatMap(([group, components]) =>
      Object.entries(components as Record<string, number>).map(
        ([c, v]) => `${country},2020,${group as string},${c},${v},PUBLISHED`,
      ),
    );
  await importAccounts(
    prisma,
    { text: ['country,year,group,component,value,status', ...account('CHE', 319), ...account('DEU', 400)].join('\n') },
    CLI_ACTOR,
  );
}

/** Declarations (the adoptions CSV of CONTRACT §8), imported by the task force. */
export const DECLARATIONS = [
  'country,recommendation,status,since,note,evidence_url',
  'CHE,REC_RESIDENCE,IMPLEMENTED,2019,Census and register use option I,https://www.bfs.admin.ch/',
  'CHE,REC_FOUR_GROUPS,PARTIAL,,,',
  'CHE,REC_ACCOUNTING,PLANNED,,,',
  'CHE,REC_CORE_INDICATORS,IMPLEMENTED,2020,,',
  'CHE,REC_TEMPORARY_MOBILITY,NOT_STARTED,,,',
  'CHE,REC_DURATION,IMPLEMENTED,2015,,',
  'NOR,REC_CORE_INDICATORS,IMPLEMENTED,2018,,',
  'NOR,REC_METADATA,IMPLEMENTED,,,',
  'FRA,REC_CORE_INDICATORS,PLANNED,,"Planned for the 2026 census round, with ""option I""",',
].join('\n');
