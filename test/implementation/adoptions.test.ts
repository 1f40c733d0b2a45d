// Adoption records through the API (CONTRACT §8): who may declare for which country (refusals change nothing),
// optimistic concurrency, the history of every change, task-force review, the audit trail, the CSV import
// (all-or-nothing, problems by line and column) and the time series read from the history.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let tokens: { admin: string; taskForce: string; reader: string; focalChe: string; focalFra: string };
beforeAll(async () => {
  hub = await startHub();
  tokens = {
    admin: await hub.token('ADMIN'),
    taskForce: await hub.token('TASK_FORCE'),
    reader: await hub.token('READER'),
    focalChe: await hub.token('FOCAL_POINT', 'CHE'),
    focalFra: await hub.token('FOCAL_POINT', 'FRA'),
  };
});
afterAll(() => hub?.close());

const REPORT = `
  mutation Report($input: ReportAdoptionInput!) {
    reportAdoption(input: $input) {
      __typename
      ... on ReportAdoptionPayload {
        changed
        record { id status since note evidenceUrl revision reportedBy country { iso3 } recommendation { code } }
      }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
    }
  }`;

interface ReportResult {
  reportAdoption: {
    __typename: string;
    message?: string;
    changed?: boolean;
    issues?: { path: string[]; message: string }[];
    record?: { id: string; status: string; since: number | null; revision: number; reportedBy: string | null };
  };
}

const report = (input: Record<string, unknown>, token?: string) =>
  hub.gql<ReportResult, object>(REPORT, { input }, { token });

const RECORD = `
  query Record($code: String!) {
    recommendation(code: $code) {
      adoptions(first: 10) {
        totalCount
        nodes {
          id status since revision reportedBy
          country { iso3 }
          review { status comment reviewedBy }
          history { revision kind status since reviewStatus actor }
        }
      }
    }
  }`;

interface RecordNode {
  id: string;
  status: string;
  since: number | null;
  revision: number;
  reportedBy: string | null;
  country: { iso3: string };
  review: { status: string; comment: string | null; reviewedBy: string | null } | null;
  history: {
    revision: number;
    kind: string;
    status: string;
    since: number | null;
    reviewStatus: string | null;
    actor: string | null;
  }[];
}

async function records(code: string, token?: string) {
  return data(
    await hub.gql<{ recommendation: { adoptions: { totalCount: number; nodes: RecordNode[] } } }, object>(
      RECORD,
      { code },
      { token: token ?? tokens.taskForce },
    ),
  ).recommendation.adoptions;
}

const auditCount = () => hub.db.prisma.auditLog.count({ where: { entityType: 'RecommendationAdoption' } });

describe('declaring', () => {
  test("a focal point declares its own country's status; the record starts its history", async () => {
    const result = data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'PLANNED', since: 2024, note: ' census 2030 ' },
        tokens.focalChe,
      ),
    );
    expect(result.reportAdoption).toMatchObject({
      __typename: 'ReportAdoptionPayload',
      changed: true,
      record: { status: 'PLANNED', since: 2024, note: 'census 2030', revision: 1, reportedBy: 'focal_point-CHE' },
    });
    const adoptions = await records('REC_RESIDENCE');
    expect(adoptions.totalCount).toBe(1);
    expect(adoptions.nodes[0]!.history).toEqual([
      { revision: 1, kind: 'DECLARE', status: 'PLANNED', since: 2024, reviewStatus: null, actor: 'focal_point-CHE' },
    ]);
  });

  test('refusals are FORBIDDEN or UNAUTHENTICATED and change nothing', async () => {
    const before = { audit: await auditCount(), records: await hub.db.prisma.recommendationAdoption.count() };
    const other = await report(
      { country: 'CHE', recommendation: 'REC_METADATA', status: 'IMPLEMENTED' },
      tokens.focalFra,
    );
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // The role may report adoptions; the country is what is refused.
    expect(other.errors?.[0]?.message).toBe(
      "A FOCAL_POINT token may use Mutation.reportAdoption only on its own country's data",
    );
    const overwrite = await report(
      { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'IMPLEMENTED' },
      tokens.focalFra,
    );
    expect(overwrite.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const reader = await report(
      { country: 'CHE', recommendation: 'REC_METADATA', status: 'IMPLEMENTED' },
      tokens.reader,
    );
    expect(reader.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = await report({ country: 'CHE', recommendation: 'REC_METADATA', status: 'IMPLEMENTED' });
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const unknownCountry = await report(
      { country: 'XYZ', recommendation: 'REC_METADATA', status: 'IMPLEMENTED' },
      tokens.focalChe,
    );
    expect(unknownCountry.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect({ audit: await auditCount(), records: await hub.db.prisma.recommendationAdoption.count() }).toEqual(before);
    expect((await records('REC_RESIDENCE')).nodes[0]!.status).toBe('PLANNED');
  });

  test('typed errors name the field; nothing is written', async () => {
    const before = await auditCount();
    const bad = data(
      await report(
        { country: 'CHE', recommendation: 'REC_METADATA', status: 'IMPLEMENTED', since: 1492, evidenceUrl: 'ftp://x' },
        tokens.taskForce,
      ),
    ).reportAdoption;
    expect(bad.__typename).toBe('ValidationError');
    expect(bad.issues).toEqual([
      { path: ['input', 'since'], message: 'must be a year from 1900 to 2100' },
      { path: ['input', 'evidenceUrl'], message: 'must be an http or https URL' },
    ]);
    const unknown = data(
      await report({ country: 'CHE', recommendation: 'REC_NOPE', status: 'IMPLEMENTED' }, tokens.taskForce),
    ).reportAdoption;
    expect(unknown).toMatchObject({
      __typename: 'NotFoundError',
      message: 'input.recommendation: no recommendation with code "REC_NOPE"',
    });
    // Every unknown code at once, each worded as everywhere (README "Unknown codes").
    const both = data(
      await report({ country: 'XYZ', recommendation: 'REC_NOPE', status: 'IMPLEMENTED' }, tokens.taskForce),
    ).reportAdoption;
    expect(both).toMatchObject({
      __typename: 'NotFoundError',
      message:
        'input.country: no country with code "XYZ"; input.recommendation: no recommendation with code "REC_NOPE"',
    });
    const bogusStatus = await report(
      { country: 'CHE', recommendation: 'REC_METADATA', status: 'DONE' },
      tokens.taskForce,
    );
    expect(bogusStatus.errors?.[0]?.message).toMatch(/AdoptionStatus/);
    expect(await auditCount()).toBe(before);
  });

  test('optimistic concurrency: a stale revision is a ConflictError and changes nothing; the same declaration is no change', async () => {
    const first = data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'PARTIAL', since: 2025, expectedRevision: 1 },
        tokens.focalChe,
      ),
    ).reportAdoption;
    expect(first.record).toMatchObject({ status: 'PARTIAL', revision: 2 });
    // A second writer who also read revision 1 loses.
    const stale = data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'IMPLEMENTED', expectedRevision: 1 },
        tokens.taskForce,
      ),
    ).reportAdoption;
    expect(stale).toMatchObject({
      __typename: 'ConflictError',
      message: 'The adoption record changed meanwhile: it is at revision 2, not 1; reload and retry',
    });
    // Creating with expectedRevision 0 when a record exists also conflicts.
    const exists = data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'IMPLEMENTED', expectedRevision: 0 },
        tokens.taskForce,
      ),
    ).reportAdoption;
    expect(exists.__typename).toBe('ConflictError');
    const same = data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'PARTIAL', since: 2025 },
        tokens.taskForce,
      ),
    ).reportAdoption;
    expect(same).toMatchObject({ changed: false, record: { revision: 2 } });
    const node = (await records('REC_RESIDENCE')).nodes[0]!;
    expect(node.history.map((h) => [h.revision, h.status, h.since])).toEqual([
      [1, 'PLANNED', 2024],
      [2, 'PARTIAL', 2025],
    ]);
  });

  test('concurrent declarations with the same revision: exactly one wins', async () => {
    const results = await Promise.all(
      ['IMPLEMENTED', 'NOT_APPLICABLE'].map((status) =>
        report({ country: 'CHE', recommendation: 'REC_RESIDENCE', status, expectedRevision: 2 }, tokens.taskForce),
      ),
    );
    const types = results.map((r) => data(r).reportAdoption.__typename).sort();
    expect(types).toEqual(['ConflictError', 'ReportAdoptionPayload']);
    expect((await records('REC_RESIDENCE')).nodes[0]!.revision).toBe(3);
  });
});

const REVIEW = `
  mutation Review($input: ReviewAdoptionInput!) {
    reviewAdoption(input: $input) {
      __typename
      ... on ReviewAdoptionPayload { record { revision review { status comment reviewedBy } } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
    }
  }`;

describe('review', () => {
  test('the task force confirms or disputes; a dispute needs a comment; a focal point may not review', async () => {
    const node = (await records('REC_RESIDENCE')).nodes[0]!;
    const refused = await hub.gql(REVIEW, { input: { id: node.id, status: 'CONFIRMED' } }, { token: tokens.focalChe });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const noComment = data(
      await hub.gql<{ reviewAdoption: { __typename: string; issues: unknown } }, object>(
        REVIEW,
        { input: { id: node.id, status: 'DISPUTED' } },
        { token: tokens.taskForce },
      ),
    ).reviewAdoption;
    expect(noComment).toEqual({
      __typename: 'ValidationError',
      message: 'input.comment: a dispute needs a comment saying why',
      issues: [{ path: ['input', 'comment'], message: 'a dispute needs a comment saying why' }],
    });
    const stale = data(
      await hub.gql<{ reviewAdoption: { __typename: string } }, object>(
        REVIEW,
        { input: { id: node.id, status: 'CONFIRMED', expectedRevision: node.revision - 1 } },
        { token: tokens.taskForce },
      ),
    ).reviewAdoption;
    expect(stale.__typename).toBe('ConflictError');
    const unknown = data(
      await hub.gql<{ reviewAdoption: { __typename: string } }, object>(
        REVIEW,
        { input: { id: encodeGlobalID('AdoptionRecord', 999_999), status: 'CONFIRMED' } },
        { token: tokens.taskForce },
      ),
    ).reviewAdoption;
    expect(unknown).toEqual({ __typename: 'NotFoundError', message: 'input.id: no such adoption record' });
    const disputed = data(
      await hub.gql<{ reviewAdoption: { record: { revision: number; review: unknown } } }, object>(
        REVIEW,
        {
          input: {
            id: node.id,
            status: 'DISPUTED',
            comment: 'The register still uses a national definition',
            expectedRevision: node.revision,
          },
        },
        { token: tokens.taskForce },
      ),
    ).reviewAdoption;
    expect(disputed.record).toEqual({
      revision: node.revision + 1,
      review: {
        status: 'DISPUTED',
        comment: 'The register still uses a national definition',
        reviewedBy: 'task_force',
      },
    });
  });

  test('the review is internal: the country and the task force see it, anonymous callers and other countries do not', async () => {
    const che = (await records('REC_RESIDENCE', tokens.focalChe)).nodes[0]!;
    expect(che.review?.status).toBe('DISPUTED');
    expect(che.reportedBy).toBe('task_force');
    for (const token of [tokens.focalFra, tokens.reader]) {
      const seen = (await records('REC_RESIDENCE', token)).nodes[0]!;
      expect(seen.review).toBeNull();
      expect(seen.reportedBy).toBeNull();
      expect(seen.history.every((h) => h.actor === null && h.reviewStatus === null)).toBe(true);
      // The declaration itself is public.
      expect(seen.status).toBe(che.status);
    }
  });

  test('a new declaration clears the review of the previous one; the history keeps both', async () => {
    const node = (await records('REC_RESIDENCE')).nodes[0]!;
    data(
      await report(
        { country: 'CHE', recommendation: 'REC_RESIDENCE', status: 'IMPLEMENTED', since: 2026 },
        tokens.focalChe,
      ),
    );
    const after = (await records('REC_RESIDENCE')).nodes[0]!;
    expect(after.review).toBeNull();
    expect(after.history.map((h) => [h.revision, h.kind, h.status, h.reviewStatus])).toEqual([
      [1, 'DECLARE', 'PLANNED', null],
      [2, 'DECLARE', 'PARTIAL', null],
      [3, 'DECLARE', node.history[2]!.status, null],
      [4, 'REVIEW', node.history[2]!.status, 'DISPUTED'],
      [5, 'DECLARE', 'IMPLEMENTED', null],
    ]);
  });

  test('every write is in the audit log', async () => {
    const log = await hub.db.prisma.auditLog.findMany({
      where: { entityType: 'RecommendationAdoption', entityKey: 'CHE/REC_RESIDENCE' },
      orderBy: { id: 'asc' },
    });
    expect(log.map((l) => [l.action, l.actor])).toEqual([
      ['adoption.report', 'focal_point-CHE'],
      ['adoption.report', 'focal_point-CHE'],
      ['adoption.report', 'task_force'],
      ['adoption.review', 'task_force'],
      ['adoption.report', 'focal_point-CHE'],
    ]);
    expect(log[1]!.before).toMatchObject({ status: 'PLANNED', revision: 1 });
    expect(log[1]!.after).toMatchObject({ status: 'PARTIAL', revision: 2 });
  });
});

const IMPORT = `
  mutation Import($input: ImportAdoptionsInput!) {
    importAdoptions(input: $input) { ok dryRun rows created updated unchanged problems { line column message } }
  }`;

interface ImportResult {
  importAdoptions: {
    ok: boolean;
    dryRun: boolean;
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    problems: { line: number; column: string | null; message: string }[];
  };
}

const importCsv = async (csv: string, token: string, dryRun = false) =>
  data(await hub.gql<ImportResult, object>(IMPORT, { input: { csv, dryRun } }, { token })).importAdoptions;

describe('importAdoptions', () => {
  test('every problem by line and column; nothing written', async () => {
    const before = await hub.db.prisma.recommendationAdoption.count();
    const result = await importCsv(
      [
        'country,recommendation,status,since,note,evidence_url',
        'FRA,REC_METADATA,IMPLEMENTED,2020,,https://insee.fr/',
        'XYZ,REC_NOPE,DONE,20x0,,not a url',
        'FRA,REC_METADATA,PLANNED,,,',
        'FRA,REC_RESIDENCE,PLANNED',
      ].join('\n'),
      tokens.taskForce,
    );
    expect(result).toMatchObject({ ok: false, created: 0 });
    expect(result.problems).toEqual([
      { line: 3, column: 'country', message: 'no country with M49 or ISO3 code "XYZ"' },
      { line: 3, column: 'recommendation', message: 'no recommendation with code "REC_NOPE"' },
      { line: 3, column: 'since', message: '"20x0" is not a year (four digits)' },
      {
        line: 3,
        column: 'status',
        message: 'must be one of NOT_STARTED, PLANNED, PARTIAL, IMPLEMENTED, NOT_APPLICABLE',
      },
      { line: 3, column: 'evidence_url', message: 'must be an http or https URL' },
      { line: 4, column: 'recommendation', message: 'FRA / REC_METADATA already appears on line 2' },
      { line: 5, column: null, message: 'expected 6 cells as in the header, found 3' },
    ]);
    expect(await hub.db.prisma.recommendationAdoption.count()).toBe(before);

    const header = await importCsv('country,recommendation,state\nFRA,REC_METADATA,PLANNED', tokens.taskForce);
    // The import kernel's order: the header's own columns first, then the missing ones.
    expect(header.problems).toEqual([
      {
        line: 1,
        column: 'state',
        message: 'unknown column: not one of country, recommendation, status, since, note, evidence_url',
      },
      { line: 1, column: 'status', message: 'required column is missing' },
    ]);
  });

  test('a focal point imports its own country only', async () => {
    const refused = await importCsv(
      'country,recommendation,status\nFRA,REC_METADATA,PLANNED\nCHE,REC_METADATA,PLANNED',
      tokens.focalFra,
    );
    expect(refused.problems).toEqual([
      { line: 3, column: 'country', message: 'a focal point may only report its own country' },
    ]);
    const reader = await hub.gql(
      IMPORT,
      { input: { csv: 'country,recommendation,status\nFRA,REC_METADATA,PLANNED' } },
      { token: tokens.reader },
    );
    expect(reader.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  test('dry run, then the import; a re-import changes nothing', async () => {
    const csv = [
      'country,recommendation,status,since,note,evidence_url',
      'FRA,REC_METADATA,IMPLEMENTED,2020,,https://insee.fr/',
      'FRA,REC_RESIDENCE,PLANNED,,"Census 2026, option I",',
    ].join('\n');
    const dry = await importCsv(csv, tokens.focalFra, true);
    expect(dry).toMatchObject({ ok: true, dryRun: true, rows: 2, created: 0 });
    expect(await hub.db.prisma.recommendationAdoption.count({ where: { country: { iso3: 'FRA' } } })).toBe(0);
    expect(await importCsv(csv, tokens.focalFra)).toMatchObject({
      ok: true,
      rows: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await importCsv(csv, tokens.focalFra)).toMatchObject({
      ok: true,
      rows: 2,
      created: 0,
      updated: 0,
      unchanged: 2,
    });
    const changed = csv.replace('FRA,REC_RESIDENCE,PLANNED', 'FRA,REC_RESIDENCE,PARTIAL');
    expect(await importCsv(changed, tokens.admin)).toMatchObject({ ok: true, created: 0, updated: 1, unchanged: 1 });
    const fra = (await records('REC_RESIDENCE')).nodes.find((n) => n.country.iso3 === 'FRA')!;
    expect(fra.history.map((h) => [h.status, h.actor])).toEqual([
      ['PLANNED', 'focal_point-FRA'],
      ['PARTIAL', 'admin'],
    ]);
  });
});

describe('Recommendation.adoptions and the time series', () => {
  test('filter by status and region', async () => {
    const query = `query($status: [AdoptionStatus!], $region: String) { recommendation(code: "REC_RESIDENCE") {
      adoptions(filter: { status: $status, region: $region }) { totalCount nodes { country { iso3 } status } } } }`;
    const run = async (vars: object) =>
      data(
        await hub.gql<
          { recommendation: { adoptions: { totalCount: number; nodes: { country: { iso3: string } }[] } } },
          object
        >(query, vars),
      ).recommendation.adoptions;
    expect((await run({})).nodes.map((n) => n.country.iso3)).toEqual(['FRA', 'CHE']); // by M49: 250, 756
    expect((await run({ status: ['IMPLEMENTED'] })).nodes.map((n) => n.country.iso3)).toEqual(['CHE']);
    expect((await run({ status: ['PARTIAL', 'PLANNED'], region: '155' })).totalCount).toBe(1); // Western Europe
    expect((await run({ region: '002' })).totalCount).toBe(0);
  });

  test('countries implemented at the end of each year, from the history', async () => {
    // Dates of the changes as a tracker would have recorded them over the years (set directly: no API writes the past).
    const prisma = hub.db.prisma;
    const rec = await prisma.recommendation.findUniqueOrThrow({ where: { code: 'REC_STOCK_FLOW' } });
    const make = async (iso3: string, versions: [string, number | null, string][]) => {
      const country = await prisma.country.findUniqueOrThrow({ where: { iso3 } });
      const last = versions[versions.length - 1]!;
      await prisma.recommendationAdoption.create({
        data: {
          recommendationId: rec.id,
          countryId: country.id,
          status: last[0] as never,
          since: last[1],
          reportedBy: 'tracker',
          revision: versions.length,
          changes: {
            create: versions.map(([status, since, at], i) => ({
              revision: i + 1,
              kind: 'DECLARE',
              status: status as never,
              since,
              actor: 'tracker',
              recordedAt: new Date(at),
            })),
          },
        },
      });
    };
    // CHE: planned in 2018, implemented since 2019 (declared March 2019), back to partial in May 2021.
    await make('CHE', [
      ['PLANNED', null, '2018-06-01T00:00:00Z'],
      ['IMPLEMENTED', 2019, '2019-03-01T00:00:00Z'],
      ['PARTIAL', 2021, '2021-05-01T00:00:00Z'],
    ]);
    // FRA: declared in December 2020 as implemented since 2021 (not yet at the end of 2020).
    await make('FRA', [['IMPLEMENTED', 2021, '2020-12-15T00:00:00Z']]);
    // DEU: implemented, no year given, declared on the first day of 2022; KEN (Africa) the same.
    await make('DEU', [['IMPLEMENTED', null, '2022-01-01T00:00:00Z']]);
    await make('KEN', [['IMPLEMENTED', null, '2022-01-01T00:00:00Z']]);

    const query = `query($region: String) { implementationTimeline(region: $region, from: 2017, to: 2022) {
      recommendation { code } years { year implemented countriesWithRecord } } }`;
    const run = async (region?: string) =>
      data(
        await hub.gql<
          {
            implementationTimeline: {
              recommendation: { code: string };
              years: { year: number; implemented: number; countriesWithRecord: number }[];
            }[];
          },
          object
        >(query, { region }),
      ).implementationTimeline;
    const world = await run();
    expect(world).toHaveLength(9);
    const series = (t: Awaited<ReturnType<typeof run>>, code: string) =>
      t.find((s) => s.recommendation.code === code)!.years.map((y) => [y.year, y.implemented, y.countriesWithRecord]);
    expect(series(world, 'REC_STOCK_FLOW')).toEqual([
      [2017, 0, 0],
      [2018, 0, 1],
      [2019, 1, 1],
      [2020, 1, 2],
      [2021, 1, 2],
      [2022, 3, 4],
    ]);
    const europe = await run('150');
    expect(series(europe, 'REC_STOCK_FLOW')).toEqual([
      [2017, 0, 0],
      [2018, 0, 1],
      [2019, 1, 1],
      [2020, 1, 2],
      [2021, 1, 2],
      [2022, 2, 3],
    ]);
    // Records entered through the API today: nothing before this year.
    expect(
      series(world, 'REC_RESIDENCE').every(([, implemented, withRecord]) => implemented === 0 && withRecord === 0),
    ).toBe(true);
  });
});
