// Evidence from data and discrepancies (CONTRACT §8) through the API, on the hand-built scenario of ./scenario.ts:
// every rule met, not met and absent; both discrepancy kinds; windows; visibility (a VALIDATED, unpublished
// version changes the evidence for a task-force member and the country's focal point, never for anonymous callers);
// and only the country's own figures count, not UN DESA's estimates of them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAdoptions } from '../../src/implementation/adoptions.import.js';
import { dataDir } from '../../src/platform/paths.js';
import { importUndesaIms } from '../../src/submissions/undesa.import.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { importSubmissionsCsv } from '../support/scenarios.js';
import { scratchDir } from '../support/scratch.js';
import { CORE, DECLARATIONS, implementationScenario } from './scenario.js';

const scratch = scratchDir();

let hub: Hub;
let tokens: { taskForce: string; reader: string; focalChe: string };
beforeAll(async () => {
  hub = await startHub();
  await implementationScenario(hub.db.prisma);
  const result = await importAdoptions(hub.db.prisma, { text: DECLARATIONS }, { actor: CLI_ACTOR });
  expect(result).toEqual({ ok: true, report: { rows: 9, created: 9, updated: 0, unchanged: 0 } });
  tokens = {
    taskForce: await hub.token('TASK_FORCE'),
    reader: await hub.token('READER'),
    focalChe: await hub.token('FOCAL_POINT', 'CHE'),
  };
});
afterAll(() => hub?.close());

interface Row {
  recommendation: { code: string };
  status: string | null;
  since: number | null;
  note: string | null;
  evidenceUrl: string | null;
  evidence: { met: boolean; detail: string } | null;
  discrepancy: string | null;
}

const IMPLEMENTATION = `
  query Implementation($country: String!, $window: YearWindow) {
    implementation(country: $country, window: $window) {
      recommendation { code }
      status since note evidenceUrl
      evidence { met detail }
      discrepancy
    }
  }`;

async function rows(country: string, token?: string, window?: { from: number; to: number }) {
  const result = data(await hub.gql<{ implementation: Row[] }, object>(IMPLEMENTATION, { country, window }, { token }));
  return result.implementation;
}

/** code → [status, met, detail, discrepancy], for compact expectations. */
async function table(country: string, token?: string, window?: { from: number; to: number }) {
  return Object.fromEntries(
    (await rows(country, token, window)).map((r) => [
      r.recommendation.code,
      [r.status, r.evidence?.met ?? null, r.evidence?.detail ?? null, r.discrepancy],
    ]),
  );
}

const CATALOGUE_ORDER = [
  'REC_RESIDENCE',
  'REC_DURATION',
  'REC_FOUR_GROUPS',
  'REC_STOCK_FLOW',
  'REC_ACCOUNTING',
  'REC_ALIGN_POPULATION',
  'REC_CORE_INDICATORS',
  'REC_TEMPORARY_MOBILITY',
  'REC_METADATA',
];

test('one row per recommendation, in catalogue order, with the declaration', async () => {
  const che = await rows('756', tokens.taskForce);
  expect(che.map((r) => r.recommendation.code)).toEqual(CATALOGUE_ORDER);
  expect(che[0]).toMatchObject({
    status: 'IMPLEMENTED',
    since: 2019,
    note: 'Census and register use option I',
    evidenceUrl: 'https://www.bfs.admin.ch/',
  });
  const fra = await rows('FRA');
  expect(fra.find((r) => r.recommendation.code === 'REC_CORE_INDICATORS')?.note).toBe(
    'Planned for the 2026 census round, with "option I"',
  );
});

test('Switzerland as the task force sees it: every rule, both discrepancy kinds', async () => {
  expect(await table('CHE', tokens.taskForce)).toEqual({
    REC_RESIDENCE: [
      'IMPLEMENTED',
      false,
      '4 of 5 submissions name OPTION_I or OPTION_II; 1 names OTHER',
      'DECLARED_NOT_EVIDENCED',
    ],
    REC_DURATION: ['IMPLEMENTED', null, null, null],
    REC_FOUR_GROUPS: [
      'PARTIAL',
      true,
      'observations cover all four migrant groups (NBC, NBF, FBC, FBF); population account with a closing stock for each group in 2020',
      null,
    ],
    REC_STOCK_FLOW: [
      null,
      true,
      'stock indicators reported: IMM_STOCK, IMM_STOCK_GROUP; flow indicators reported: EMI_FLOW, IMM_FLOW',
      'EVIDENCED_NOT_DECLARED',
    ],
    REC_ACCOUNTING: [
      'PLANNED',
      true,
      'coherent population account for 2020 (accounts for 2020)',
      'EVIDENCED_NOT_DECLARED',
    ],
    REC_ALIGN_POPULATION: [null, null, null, null],
    REC_CORE_INDICATORS: [
      'IMPLEMENTED',
      false,
      'reports 4 of 6 CORE indicators; missing ACQ_CITIZENSHIP, EMI_STOCK',
      'DECLARED_NOT_EVIDENCED',
    ],
    REC_TEMPORARY_MOBILITY: ['NOT_STARTED', true, 'reports TEMP_MOVERS for 2021', 'EVIDENCED_NOT_DECLARED'],
    REC_METADATA: [null, false, '1 of 2 data sources name their residence criterion; without: CHE_REG', null],
  });
});

test('an unpublished VALIDATED version counts for the task force and the focal point, never for anonymous callers', async () => {
  const anonymous = await table('CHE');
  expect(anonymous.REC_RESIDENCE).toEqual([
    'IMPLEMENTED',
    false,
    '3 of 4 submissions name OPTION_I or OPTION_II; 1 names OTHER',
    'DECLARED_NOT_EVIDENCED',
  ]);
  expect(anonymous.REC_TEMPORARY_MOBILITY).toEqual([
    'NOT_STARTED',
    false,
    'no countable TEMP_MOVERS submission in the window',
    null,
  ]);
  expect(await table('CHE', tokens.reader)).toEqual(anonymous);
  // Switzerland's focal point sees its own unpublished version, like the task force.
  expect(await table('CHE', tokens.focalChe)).toEqual(await table('CHE', tokens.taskForce));

  // Norway: version 2 of IMM_STOCK 2018 is VALIDATED with OTHER; the published version 1 says OPTION_II.
  const norTf = await table('NOR', tokens.taskForce);
  expect(norTf.REC_RESIDENCE).toEqual([
    null,
    false,
    '5 of 6 submissions name OPTION_I or OPTION_II; 1 names OTHER',
    null,
  ]);
  const norPublic = await table('NOR');
  expect(norPublic.REC_RESIDENCE).toEqual([
    null,
    true,
    '6 of 6 submissions name OPTION_I or OPTION_II',
    'EVIDENCED_NOT_DECLARED',
  ]);
  // Switzerland's focal point sees only Norway's published versions.
  expect((await table('NOR', tokens.focalChe)).REC_RESIDENCE).toEqual(norPublic.REC_RESIDENCE);
});

test('Norway meets the CORE and metadata rules; Germany meets four groups through its account only', async () => {
  const nor = await table('NOR');
  expect(nor.REC_CORE_INDICATORS).toEqual(['IMPLEMENTED', true, 'reports 6 of 6 CORE indicators', null]);
  expect(nor.REC_METADATA).toEqual(['IMPLEMENTED', true, '1 of 1 data source names its residence criterion', null]);
  expect(nor.REC_FOUR_GROUPS).toEqual([
    null,
    false,
    'observations cover 0 of 4 migrant groups; missing NBC, NBF, FBC, FBF; no population account with a closing stock for each of the four groups',
    null,
  ]);
  expect(nor.REC_ACCOUNTING).toEqual([null, false, 'no population account in the window', null]);

  const deu = await table('DEU');
  expect(deu.REC_FOUR_GROUPS).toEqual([
    null,
    true,
    'observations cover 0 of 4 migrant groups; missing NBC, NBF, FBC, FBF; population account with a closing stock for each group in 2020',
    'EVIDENCED_NOT_DECLARED',
  ]);
  expect(deu.REC_ACCOUNTING).toEqual([null, false, 'population accounts for 2020; none is coherent', null]);
  expect(deu.REC_RESIDENCE).toEqual([null, false, 'no countable submission in the window', null]);
  expect(deu.REC_METADATA).toEqual([null, false, 'no registered data source', null]);

  // The accounting rule agrees with the populationAccount query (CONTRACT §4) on both countries.
  const accounts = data(
    await hub.gql<{ che: { coherent: boolean }; deu: { coherent: boolean } }, object>(
      `{ che: populationAccount(country: "CHE", year: 2020) { coherent }
         deu: populationAccount(country: "DEU", year: 2020) { coherent } }`,
    ),
  );
  expect(accounts).toEqual({ che: { coherent: true }, deu: { coherent: false } });
});

test('the window narrows every data rule', async () => {
  const w2020 = await table('CHE', tokens.taskForce, { from: 2020, to: 2021 });
  expect(w2020.REC_RESIDENCE).toEqual(['IMPLEMENTED', true, '4 of 4 submissions name OPTION_I or OPTION_II', null]);
  expect(w2020.REC_CORE_INDICATORS).toEqual([
    'IMPLEMENTED',
    false,
    'reports 3 of 6 CORE indicators; missing ACQ_CITIZENSHIP, EMI_FLOW, EMI_STOCK',
    'DECLARED_NOT_EVIDENCED',
  ]);
  expect(w2020.REC_STOCK_FLOW).toEqual([
    null,
    true,
    'stock indicators reported: IMM_STOCK, IMM_STOCK_GROUP; flow indicators reported: IMM_FLOW',
    'EVIDENCED_NOT_DECLARED',
  ]);

  const w2021 = await table('CHE', tokens.taskForce, { from: 2021, to: 2022 });
  expect(w2021.REC_ACCOUNTING).toEqual(['PLANNED', false, 'no population account in the window', null]);
  expect(w2021.REC_FOUR_GROUPS).toEqual([
    'PARTIAL',
    false,
    'observations cover 0 of 4 migrant groups; missing NBC, NBF, FBC, FBF; no population account with a closing stock for each of the four groups',
    null,
  ]);
  expect(w2021.REC_STOCK_FLOW).toEqual([
    null,
    false,
    'stock indicators reported: none; flow indicators reported: none',
    null,
  ]);
  // Data sources are not dated: the metadata rule ignores the window.
  expect(w2021.REC_METADATA).toEqual((await table('CHE', tokens.taskForce)).REC_METADATA);
});

interface Summary {
  recommendation: { code: string };
  countriesInScope: number;
  byStatus: { status: string | null; countries: number }[];
  unknown: number;
  evidenceMet: number | null;
  discrepancies: number;
  declaredNotEvidenced: number;
  evidencedNotDeclared: number;
}

const SUMMARY = `
  query Summary($region: String, $window: YearWindow) {
    implementationSummary(region: $region, window: $window) {
      recommendation { code }
      countriesInScope
      byStatus { status countries }
      unknown evidenceMet discrepancies declaredNotEvidenced evidencedNotDeclared
    }
  }`;

async function summary(region: string | null, token?: string) {
  const result = data(await hub.gql<{ implementationSummary: Summary[] }, object>(SUMMARY, { region }, { token }));
  return Object.fromEntries(
    result.implementationSummary.map((s) => [
      s.recommendation.code,
      {
        inScope: s.countriesInScope,
        statuses: Object.fromEntries(
          s.byStatus.filter((b) => b.countries).map((b) => [b.status ?? 'unknown', b.countries]),
        ),
        met: s.evidenceMet,
        dne: s.declaredNotEvidenced,
        end: s.evidencedNotDeclared,
        total: s.discrepancies,
      },
    ]),
  );
}

test('implementationSummary over Europe, as anonymous callers and the task force see it', async () => {
  const anonymous = await summary('150');
  expect(Object.keys(anonymous)).toEqual(CATALOGUE_ORDER);
  expect(anonymous).toEqual({
    REC_RESIDENCE: { inScope: 51, statuses: { unknown: 50, IMPLEMENTED: 1 }, met: 1, dne: 1, end: 1, total: 2 },
    REC_DURATION: { inScope: 51, statuses: { unknown: 50, IMPLEMENTED: 1 }, met: null, dne: 0, end: 0, total: 0 },
    REC_FOUR_GROUPS: { inScope: 51, statuses: { unknown: 50, PARTIAL: 1 }, met: 2, dne: 0, end: 1, total: 1 },
    REC_STOCK_FLOW: { inScope: 51, statuses: { unknown: 51 }, met: 2, dne: 0, end: 2, total: 2 },
    REC_ACCOUNTING: { inScope: 51, statuses: { unknown: 50, PLANNED: 1 }, met: 1, dne: 0, end: 1, total: 1 },
    REC_ALIGN_POPULATION: { inScope: 51, statuses: { unknown: 51 }, met: null, dne: 0, end: 0, total: 0 },
    REC_CORE_INDICATORS: {
      inScope: 51,
      statuses: { unknown: 48, PLANNED: 1, IMPLEMENTED: 2 },
      met: 1,
      dne: 1,
      end: 0,
      total: 1,
    },
    REC_TEMPORARY_MOBILITY: {
      inScope: 51,
      statuses: { unknown: 50, NOT_STARTED: 1 },
      met: 0,
      dne: 0,
      end: 0,
      total: 0,
    },
    REC_METADATA: { inScope: 51, statuses: { unknown: 50, IMPLEMENTED: 1 }, met: 1, dne: 0, end: 0, total: 0 },
  });
  const taskForce = await summary('150', tokens.taskForce);
  // What the unpublished versions change: Norway's residence (OTHER in version 2), Switzerland's TEMP_MOVERS.
  expect(taskForce.REC_RESIDENCE).toEqual({
    inScope: 51,
    statuses: { unknown: 50, IMPLEMENTED: 1 },
    met: 0,
    dne: 1,
    end: 0,
    total: 1,
  });
  expect(taskForce.REC_TEMPORARY_MOBILITY).toEqual({
    inScope: 51,
    statuses: { unknown: 50, NOT_STARTED: 1 },
    met: 1,
    dne: 0,
    end: 1,
    total: 1,
  });
  const { REC_RESIDENCE: _a, REC_TEMPORARY_MOBILITY: _b, ...rest } = taskForce;
  const { REC_RESIDENCE: _c, REC_TEMPORARY_MOBILITY: _d, ...restAnonymous } = anonymous;
  expect(rest).toEqual(restAnonymous);
});

test('every status is listed (zeros included, unknown first); the world and Africa', async () => {
  const result = data(await hub.gql<{ implementationSummary: Summary[] }, object>(SUMMARY, {}));
  const residence = result.implementationSummary[0]!;
  expect(residence.byStatus).toEqual([
    { status: null, countries: 247 },
    { status: 'NOT_STARTED', countries: 0 },
    { status: 'PLANNED', countries: 0 },
    { status: 'PARTIAL', countries: 0 },
    { status: 'IMPLEMENTED', countries: 1 },
    { status: 'NOT_APPLICABLE', countries: 0 },
  ]);
  expect(residence.countriesInScope).toBe(248);
  expect(residence.unknown).toBe(247);
  const africa = await summary('002');
  expect(africa.REC_RESIDENCE).toEqual({ inScope: 60, statuses: { unknown: 60 }, met: 0, dne: 0, end: 0, total: 0 });
});

test('unknown country or region, reversed window: clear errors', async () => {
  const unknownCountry = await hub.gql(IMPLEMENTATION, { country: 'XYZ' });
  expect(unknownCountry.errors?.[0]).toMatchObject({
    message: 'country: no country with code "XYZ"',
    extensions: { code: 'NOT_FOUND' },
  });
  const unknownRegion = await hub.gql(SUMMARY, { region: '999' });
  expect(unknownRegion.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  const reversed = await hub.gql(IMPLEMENTATION, { country: 'CHE', window: { from: 2021, to: 2020 } });
  expect(reversed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
});

test('Country.implementation gives the same rows as the implementation query', async () => {
  const result = data(
    await hub.gql<{ country: { implementation: Row[] } }, object>(
      `query($w: YearWindow) { country(code: "CHE") { implementation(window: $w) {
         recommendation { code } status since note evidenceUrl evidence { met detail } discrepancy } } }`,
      { w: { from: 2020, to: 2021 } },
      { token: tokens.taskForce },
    ),
  );
  expect(result.country.implementation).toEqual(await rows('CHE', tokens.taskForce, { from: 2020, to: 2021 }));
});

test('UN DESA\'s estimates are no evidence of a country\'s practice; its own figures are (CONTRACT §8 "own data")', async () => {
  // Eritrea's row of the UN DESA file (type of data "I R": imputed, refugees added): seven published IMM_STOCK
  // versions, 1990–2020, with no source and no residence criterion. Last test of the file: Eritrea is in no other.
  const lines = readFileSync(join(dataDir, 'un_desa_ims2020_destination.csv'), 'utf8').split('\n');
  const file = join(scratch, 'eritrea.csv');
  writeFileSync(file, `${lines[0]}\n${lines.find((l) => l.split(',')[3] === '232')}\n`);
  expect(await importUndesaIms(hub.db.prisma, file, CLI_ACTOR)).toMatchObject({ submissions: 7 });

  const eritrea = await table('ERI');
  expect(eritrea.REC_RESIDENCE).toEqual([null, false, 'no countable submission in the window', null]);
  expect(eritrea.REC_CORE_INDICATORS?.[2]).toBe(`reports 0 of 6 CORE indicators; missing ${CORE.join(', ')}`);
  expect(eritrea.REC_STOCK_FLOW?.[1]).toBe(false);
  // They still count where CONTRACT §4 and §10 count published submissions, marked as estimates.
  const VALUES = `{ countryValues(indicator: "IMM_STOCK", year: 2020, region: "014") { country { iso3 } value origin } }`;
  type Values = { countryValues: { country: { iso3: string }; value: number; origin: string }[] };
  const eritreaValue = async () =>
    data(await hub.gql<Values, object>(VALUES, {})).countryValues.find((v) => v.country.iso3 === 'ERI');
  expect(await eritreaValue()).toEqual({ country: { iso3: 'ERI' }, value: 13934, origin: 'INTERNATIONAL_ESTIMATE' });

  // Eritrea's own 2020 figure, with no source named, is version 2 of the same key: its own data from then on.
  await importSubmissionsCsv(
    hub.db.prisma,
    'country,indicator,reference_year,value,residence_criterion,status\nERI,IMM_STOCK,2020,14000,OPTION_I,PUBLISHED\n',
  );
  const versions = data(
    await hub.gql<
      { country: { submissions: { nodes: { referenceYear: number; version: number; origin: string }[] } } },
      object
    >(`{ country(code: "ERI") { submissions(first: 20) { nodes { referenceYear version origin } } } }`, {}),
  ).country.submissions.nodes;
  expect(versions.filter((v) => v.referenceYear === 2020).sort((a, b) => a.version - b.version)).toEqual([
    { referenceYear: 2020, version: 1, origin: 'INTERNATIONAL_ESTIMATE' },
    { referenceYear: 2020, version: 2, origin: 'COUNTRY' },
  ]);
  expect((await table('ERI')).REC_RESIDENCE).toEqual([
    null,
    true,
    '1 of 1 submission names OPTION_I or OPTION_II',
    'EVIDENCED_NOT_DECLARED',
  ]);
  expect(await eritreaValue()).toEqual({ country: { iso3: 'ERI' }, value: 14000, origin: 'COUNTRY' });
});
