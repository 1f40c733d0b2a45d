// importSubmissions (CONTRACT §5, §7) through the API: validation of every cell, all-or-nothing, re-import without
// duplicates, new versions, focal-point limits, and what anonymous and READER callers can see.
import fc from 'fast-check';
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { importFootprint } from '../support/scenarios.js';
import { csv, ImportSubmissions, SubmissionList } from './support.js';

let hub: Hub;
let admin: string;
let focalChe: string;
let reader: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  focalChe = await hub.token('FOCAL_POINT', 'CHE');
  reader = await hub.token('READER');
  await hub.db.prisma.dataSource.create({
    data: {
      code: 'CHE_STATPOP',
      name: 'STATPOP',
      countryId: (await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } })).id,
      sourceTypeId: (await hub.db.prisma.sourceType.findUniqueOrThrow({ where: { code: 'POP_REGISTER' } })).id,
      residenceCriterion: 'OPTION_II',
    },
  });
});
afterAll(() => hub?.close());

const counts = () => importFootprint(hub.db.prisma);

const GOOD = csv(
  'country,indicator,reference_year,value,unit,data_source,SEX,AGE,note',
  'CHE,IMM_STOCK,2020,2500000,PERSONS,CHE_STATPOP,_T,_T,"STATPOP, permanent resident population"',
  'CHE,IMM_STOCK,2020,1250000,,CHE_STATPOP,F,,',
  'CHE,IMM_STOCK,2020,1250000,,CHE_STATPOP,M,,',
  'CHE,IMM_STOCK,2020,400000,,CHE_STATPOP,F,Y15T24,',
  '756,IMM_STOCK,2019,2400000,,CHE_STATPOP,,,',
  'FRA,IMM_STOCK,2020,8500000,,,,,',
);

test('a valid file is written in one go, and importing it again creates nothing', async () => {
  const first = data(await hub.gql(ImportSubmissions, { input: { csv: GOOD } }, { token: admin })).importSubmissions;
  expect(first).toMatchObject({
    ok: true,
    rows: 6,
    submissions: 3,
    observations: 6,
    submissionsWritten: 3,
    observationsWritten: 6,
    submissionsUnchanged: 0,
    problems: [],
  });
  const before = await counts();
  const again = data(await hub.gql(ImportSubmissions, { input: { csv: GOOD } }, { token: admin })).importSubmissions;
  expect(again).toMatchObject({ ok: true, submissionsWritten: 0, observationsWritten: 0, submissionsUnchanged: 3 });
  expect(await counts()).toEqual(before);

  const list = data(
    await hub.gql(
      SubmissionList,
      { filter: { country: 'CHE', indicator: 'IMM_STOCK', fromYear: 2020, toYear: 2020 } },
      { token: admin },
    ),
  ).submissions;
  expect(list.totalCount).toBe(1);
  const che = list.nodes[0]!;
  expect(che).toMatchObject({
    status: 'SUBMITTED',
    version: 1,
    revision: 1,
    unit: 'PERSONS',
    sourceKey: 'DS:CHE_STATPOP',
  });
  expect(che.observations.map((o) => [o.dimensionKey, o.value])).toEqual([
    ['', 2500000],
    ['AGE=Y15T24;SEX=F', 400000],
    ['SEX=F', 1250000],
    ['SEX=M', 1250000],
  ]);
  expect(che.observations[1]!.dimensions).toEqual([
    { variable: 'AGE', code: 'Y15T24' },
    { variable: 'SEX', code: 'F' },
  ]);
});

test('a changed resubmission of the same key becomes version 2; the old version stays readable', async () => {
  const changed = GOOD.replace('2500000', '2600000');
  const result = data(
    await hub.gql(ImportSubmissions, { input: { csv: changed } }, { token: admin }),
  ).importSubmissions;
  expect(result).toMatchObject({ ok: true, submissionsWritten: 1, observationsWritten: 4, submissionsUnchanged: 2 });
  const list = data(
    await hub.gql(SubmissionList, { filter: { country: '756', fromYear: 2020, toYear: 2020 } }, { token: admin }),
  ).submissions;
  // Newest first.
  expect(list.nodes.map((n) => [n.version, n.observations[0]!.value])).toEqual([
    [2, 2600000],
    [1, 2500000],
  ]);
});

test('a bad file writes nothing and lists every problem with its line and column', async () => {
  const before = await counts();
  const bad = csv(
    'country,indicator,reference_year,value,unit,source_type,data_source,residence_criterion,status,SEX,AGE,COUNTRY_OF_BIRTH',
    'CHE,IMM_STOCK,2021,100,PERSONS,,,,,F,,',
    'XXX,IMM_STOCK,2021,100,,,,,,,,',
    'CHE,NOPE,2021,100,,,,,,,,',
    'CHE,IMM_STOCK,20x1,abc,PERCENT,,,,,,,',
    'CHE,IMM_STOCK,2021,5,,SURVEYX,,OPTION_3,DONE,,,',
    'CHE,IMM_STOCK,2021,5,,,FRA_NOPE,,,X,Y99,999',
    'CHE,NET_MIGRATION_RATE,2021,5,PER_1000,,,,,F,,',
    'CHE,IMM_STOCK,2021,7,PERSONS,,,,,F,_T,',
    'CHE,IMM_STOCK,2021,7,PERSONS,,,,,,,250',
    'CHE,IMM_STOCK,2021,7',
  );
  const result = data(await hub.gql(ImportSubmissions, { input: { csv: bad } }, { token: admin })).importSubmissions;
  expect(result.ok).toBe(false);
  expect(result.submissionsWritten).toBe(0);
  const where = result.problems.map((p) => `${p.line}:${p.column ?? '*'}`);
  expect(where).toEqual([
    '3:country',
    '4:indicator',
    '5:reference_year',
    '5:value',
    '5:unit',
    '6:source_type',
    '6:residence_criterion',
    '6:status',
    '7:data_source',
    '7:SEX',
    '7:AGE',
    '7:COUNTRY_OF_BIRTH',
    '8:SEX',
    '9:*',
    '11:*',
  ]);
  expect(result.problems.find((p) => p.line === 9)?.message).toMatch(/duplicate observation.*line 2/);
  expect(result.problems.find((p) => p.line === 8)?.message).toMatch(/NET_MIGRATION_RATE is not disaggregated by SEX/);
  expect(await counts()).toEqual(before);
});

test('a data source of another country, or of another type, is refused', async () => {
  const result = data(
    await hub.gql(
      ImportSubmissions,
      {
        input: {
          csv: csv(
            'country,indicator,reference_year,value,source_type,data_source',
            'FRA,IMM_STOCK,2020,1,,CHE_STATPOP',
            'CHE,IMM_STOCK,2020,1,CENSUS,CHE_STATPOP',
          ),
        },
      },
      { token: admin },
    ),
  ).importSubmissions;
  expect(result.problems.map((p) => [p.line, p.column, p.message])).toEqual([
    [2, 'data_source', expect.stringMatching(/another country/)],
    [3, 'source_type', expect.stringMatching(/POP_REGISTER/)],
  ]);
});

test('a dry run validates and reports, but writes nothing', async () => {
  const before = await counts();
  const file = csv('country,indicator,reference_year,value', 'DEU,IMM_STOCK,2020,15000000');
  const result = data(
    await hub.gql(ImportSubmissions, { input: { csv: file, dryRun: true } }, { token: admin }),
  ).importSubmissions;
  expect(result).toMatchObject({ ok: true, dryRun: true, submissions: 1, observations: 1, submissionsWritten: 0 });
  expect(await counts()).toEqual(before);
});

test('a dry run reports what the import then does: the same files, unchanged submissions and none written', async () => {
  const header = 'country,indicator,reference_year,value,SEX';
  const importCsv = async (file: string, dryRun: boolean) =>
    data(await hub.gql(ImportSubmissions, { input: { csv: file, dryRun } }, { token: admin })).importSubmissions;
  /** A dry run, then the import, of `file`: both results, and what the import wrote. */
  const dryThenReal = async (file: string) => {
    const before = await counts();
    const dry = await importCsv(file, true);
    expect(await counts()).toEqual(before);
    const real = await importCsv(file, false);
    const after = await counts();
    return { dry, real, written: after.submissions - before.submissions };
  };
  const rows = (femaleValue: number) =>
    csv(header, 'AUT,IMM_STOCK,2017,1700000,', `AUT,IMM_STOCK,2017,${femaleValue},F`, 'ITA,IMM_STOCK,2017,6000000,');
  for (const [file, written, unchanged, observations] of [
    [rows(900000), 2, 0, 3],
    // One row revised: a new version of that submission (its two observations); the other is unchanged.
    [rows(950000), 1, 1, 2],
  ] as const) {
    const { dry, real, written: stored } = await dryThenReal(file);
    expect(real).toMatchObject({
      ok: true,
      dryRun: false,
      submissionsWritten: written,
      submissionsUnchanged: unchanged,
    });
    expect(real.observationsWritten).toBe(observations);
    expect(stored).toBe(written);
    // CONTRACT §7: the counts written are none on a dry run; everything else is what the import then reports.
    expect(dry).toEqual({ ...real, dryRun: true, submissionsWritten: 0, observationsWritten: 0 });
    expect(dry.submissions - dry.submissionsUnchanged).toBe(real.submissionsWritten);
  }
});

test("a focal point may import its own country's rows only, and no status beyond SUBMITTED", async () => {
  const before = await counts();
  const other = data(
    await hub.gql(
      ImportSubmissions,
      { input: { csv: csv('country,indicator,reference_year,value', 'CHE,IMM_STOCK,2018,1', 'AUT,IMM_STOCK,2018,1') } },
      { token: focalChe },
    ),
  ).importSubmissions;
  expect(other.ok).toBe(false);
  expect(other.problems).toEqual([{ line: 3, column: 'country', message: expect.stringMatching(/own country/) }]);
  const publish = data(
    await hub.gql(
      ImportSubmissions,
      { input: { csv: csv('country,indicator,reference_year,value,status', 'CHE,IMM_STOCK,2018,1,PUBLISHED') } },
      { token: focalChe },
    ),
  ).importSubmissions;
  // A download re-imported as it is carries PUBLISHED: the message says what to change.
  expect(publish.problems).toEqual([
    {
      line: 2,
      column: 'status',
      message:
        'a focal point may not import a status beyond SUBMITTED (got PUBLISHED); for a file downloaded from the hub, ' +
        'set the status column to SUBMITTED or DRAFT, or remove it',
    },
  ]);
  expect(await counts()).toEqual(before);

  const own = data(
    await hub.gql(
      ImportSubmissions,
      { input: { csv: csv('country,indicator,reference_year,value,status', 'CHE,IMM_STOCK,2018,1,DRAFT') } },
      { token: focalChe },
    ),
  ).importSubmissions;
  expect(own).toMatchObject({ ok: true, submissionsWritten: 1 });
});

test('readers and anonymous callers may not import', async () => {
  const file = csv('country,indicator,reference_year,value', 'CHE,IMM_STOCK,2017,1');
  const anon = await hub.gql(ImportSubmissions, { input: { csv: file } });
  expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const read = await hub.gql(ImportSubmissions, { input: { csv: file } }, { token: reader });
  expect(read.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

const SubmissionNode = graphql(`
  query SubmissionNode($id: ID!) {
    node(id: $id) {
      id
      ... on Submission {
        status
      }
    }
    submission(id: $id) {
      status
    }
  }
`);

test('anonymous and READER callers see PUBLISHED data only, in lists and by id', async () => {
  const all = data(await hub.gql(SubmissionList, { first: 100 }, { token: admin })).submissions;
  expect(all.nodes.some((n) => n.status !== 'PUBLISHED')).toBe(true);
  for (const token of [undefined, reader]) {
    const seen = data(await hub.gql(SubmissionList, { first: 100 }, { token })).submissions;
    expect(seen.nodes.every((n) => n.status === 'PUBLISHED')).toBe(true);
    expect(seen.totalCount).toBe(all.nodes.filter((n) => n.status === 'PUBLISHED').length);
    const drafts = data(await hub.gql(SubmissionList, { filter: { status: 'DRAFT' } }, { token })).submissions;
    expect(drafts.totalCount).toBe(0);
    const draft = all.nodes.find((n) => n.status === 'DRAFT')!;
    const byId = data(await hub.gql(SubmissionNode, { id: draft.id }, { token }));
    expect(byId).toEqual({ node: null, submission: null });
  }
  const draft = all.nodes.find((n) => n.status === 'DRAFT')!;
  expect(data(await hub.gql(SubmissionNode, { id: draft.id }, { token: admin })).submission?.status).toBe('DRAFT');
});

// Property: whatever is wrong with a row or a cell, the importer answers (no crash), writes nothing and names the
// line of every problem, within the file.
const cellArb = fc.oneof(
  fc.constantFrom(
    '',
    '..',
    '_T',
    'F',
    'CHE',
    '756',
    'IMM_STOCK',
    '2020',
    '-1',
    '1e999',
    'PERSONS',
    '"',
    '""',
    ',',
    '\n',
  ),
  fc.string({ maxLength: 8 }),
  fc.double().map(String),
);
const rowArb = fc.array(cellArb, { minLength: 0, maxLength: 8 });

function toCsvRow(cells: string[], quote: boolean[]): string {
  return cells.map((c, i) => (quote[i] ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

test('property: malformed rows and cells never crash the importer, never write, and always name the line', async () => {
  const before = await counts();
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(rowArb, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 })), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.constantFrom(
        'country,indicator,reference_year,value',
        'country,indicator,reference_year,value,SEX,unit',
        'country,indicator,reference_year,value,status,AGE',
      ),
      fc.nat(5),
      async (rows, header, badAt) => {
        // At least one row is surely wrong: a value that is not a number.
        const lines = rows.map(([cells, quote]) => toCsvRow(cells, quote));
        const width = header.split(',').length;
        lines.splice(
          badAt % (lines.length + 1),
          0,
          ['CHE', 'IMM_STOCK', '2020', 'not-a-number', ...Array(width - 4).fill('')].join(','),
        );
        const text = `${header}\n${lines.join('\n')}\n`;
        const physicalLines = text.split('\n').length;
        const result = await hub.gql(ImportSubmissions, { input: { csv: text } }, { token: admin });
        expect(result.errors).toBeUndefined();
        const out = result.data!.importSubmissions;
        expect(out.ok).toBe(false);
        expect(out.submissionsWritten).toBe(0);
        expect(out.problems.length).toBeGreaterThan(0);
        for (const p of out.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(physicalLines);
          expect(p.message.length).toBeGreaterThan(0);
        }
      },
    ),
    { numRuns: 60 },
  );
  expect(await counts()).toEqual(before);
});
