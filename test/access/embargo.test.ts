// The embargo, tested over the whole schema (CONTRACT §4 visible versions, §7): sentinel values are planted for CHE at
// every unpublished status — DRAFT, SUBMITTED, VALIDATED, REJECTED, a VALIDATED and a DRAFT version over PUBLISHED
// ones, and unpublished population-account entries — then every Query root field and every field reachable from it
// (operations built from introspection, test/support/walk.ts) is read as anonymous, READER and France's focal point.
//
// Two checks, each of which fails if any path bypasses the rule:
//  1. no sentinel (a planted value or note) appears in any answer;
//  2. every answer is identical to the answer over the same database without the unpublished rows: so no count, year,
//     flag, cursor or sum derived from a hidden row reaches the caller either.
// As a control, ADMIN's answers must contain every sentinel, so the walk does reach them.
// The change feed is read by FEED_QUERY (the walk's own `changes` operation does not validate: the fragments of
// Change.item on every Node type select fields named alike with different types) from the start and from cursors
// just before this test's writes (a plain decimal, "p:" and "g:"), so its pages hold the published changes written
// before and after the embargoed activity. The database "without" the unpublished
// rows has the feed as it would be had that activity never happened: their entries gone and every sequence numbered
// again without them. Anonymous and READER callers read the published feed's own sequence, which must come out the
// same; a focal point reads the global sequence (README "Change feed": the gaps of its sequence count the other
// countries' changes of every version, the one trace left), so its "without" walk runs before the renumbering.
// The portal routes beside /graphql (CONTRACT §10: SDMX data, availability and structure, downloads in CSV and XLSX)
// are read in the same walk under the same two checks: they run their own SQL, so the GraphQL walk alone would not
// cover them.
import type { GraphQLSchema } from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importAccounts } from '../../src/accounting/accounts.import.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { data, importCsv, startHub, type Hub } from '../support/hub.js';
import { clientSchema } from '../support/introspection.js';
import { split, walkQuery, type ArgumentPlan, type Sel, type Walk } from '../support/walk.js';

let hub: Hub;
let schema: GraphQLSchema;
const tokens: Record<string, string | undefined> = { anonymous: undefined };
/** The feed's cursors before this test's writes: the global sequence and the published feed's own. */
const feedStart = { global: '0', published: '0' };

const SENTINELS = [987654321, 987654322, 987654323, 987654324, 987654325, 987654326, 987654327, 987654328, 987654329];
const NOTE = 'EMBARGO-SENTINEL';
const SENTINEL_PATTERN = /98765432\d|EMBARGO-SENTINEL/g;
const HIDDEN_YEARS = [2091, 2092, 2093, 2094, 2095, 2096, 2097, 2098];
const HEADER = 'country,indicator,reference_year,value,data_source,residence_criterion,status,note,SEX';

const importAsAdmin = (rows: string[]) => importCsv(hub, tokens.admin!, HEADER, rows);

beforeAll(async () => {
  hub = await startHub();
  schema = await clientSchema(hub);
  tokens.admin = await hub.token('ADMIN');
  tokens.reader = await hub.token('READER');
  tokens.fra = await hub.token('FOCAL_POINT', 'FRA');
  const [head] = await hub.db.prisma.$queryRaw<{ global: string; published: string }[]>`
    SELECT coalesce(max(sequence), 0)::text AS global,
      coalesce(max("audienceSequence") FILTER (WHERE audience = 'PUBLISHED'), 0)::text AS published
    FROM "FeedEntry"`;
  Object.assign(feedStart, head);
  await importDataSources(
    hub.db.prisma,
    { text: 'code,country,source_type,name,residence_criterion\nCHE_SENT,CHE,CENSUS,Swiss census,OPTION_I\n' },
    CLI_ACTOR,
  );
  // What everyone may read: published versions (imported first, so their ids are the same with or without the rest).
  await importAsAdmin([
    'CHE,IMM_STOCK,2020,1000,CHE_SENT,OPTION_I,PUBLISHED,,_T',
    'CHE,IMM_STOCK,2095,111,,OPTION_I,PUBLISHED,,_T',
    'FRA,IMM_STOCK,2020,500,,OPTION_II,PUBLISHED,,_T',
  ]);
  await importAccounts(
    hub.db.prisma,
    {
      text: 'country,year,group,component,value,status\nCHE,2020,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,3000,PUBLISHED\n',
    },
    CLI_ACTOR,
  );
  // The embargoed rows: every unpublished status, distinctive values, years, notes and criteria.
  await importAsAdmin([
    `CHE,IMM_STOCK,2091,987654321,CHE_SENT,OTHER,DRAFT,${NOTE},_T`,
    `CHE,IMM_STOCK,2091,987654329,CHE_SENT,OTHER,DRAFT,${NOTE},F`,
    `CHE,IMM_STOCK,2092,987654322,CHE_SENT,OTHER,SUBMITTED,${NOTE},_T`,
    `CHE,IMM_STOCK,2093,987654323,,OTHER,VALIDATED,${NOTE},_T`,
    `CHE,IMM_STOCK,2094,987654324,,OTHER,SUBMITTED,${NOTE},_T`,
    `CHE,IMM_STOCK,2095,987654325,,OTHER,VALIDATED,${NOTE},_T`,
    `CHE,IMM_STOCK,2020,987654328,CHE_SENT,OTHER,DRAFT,${NOTE},_T`,
  ]);
  // A breakdown dropped by a newer validated version: a deletion that only those who saw 2098 may learn of.
  await importAsAdmin([
    `CHE,IMM_STOCK,2098,987654321,,OTHER,VALIDATED,${NOTE},_T`,
    `CHE,IMM_STOCK,2098,987654329,,OTHER,VALIDATED,${NOTE},F`,
  ]);
  await importAsAdmin([`CHE,IMM_STOCK,2098,987654321,,OTHER,VALIDATED,${NOTE},_T`]);
  const pending = await hub.db.prisma.submission.findFirstOrThrow({ where: { referenceYear: 2094 } });
  const rejected = data(
    await hub.gql<{ rejectSubmission: { __typename: string } }, Record<string, unknown>>(
      `mutation ($id: ID!, $rev: Int!) { rejectSubmission(input: { id: $id, expectedRevision: $rev, reason: "${NOTE} reason" }) { __typename } }`,
      { id: encodeGlobalID('Submission', pending.id), rev: pending.revision },
      { token: tokens.admin },
    ),
  );
  expect(rejected.rejectSubmission.__typename).toBe('RejectSubmissionPayload');
  await importAccounts(
    hub.db.prisma,
    {
      text: [
        'country,year,group,component,value,status',
        'CHE,2096,FOREIGN_BORN_FOREIGNERS,OPENING_STOCK,987654326,SUBMITTED',
        'CHE,2097,FOREIGN_BORN_FOREIGNERS,CLOSING_STOCK,987654327,VALIDATED',
        'CHE,2020,FOREIGN_BORN_CITIZENS,CLOSING_STOCK,987654326,DRAFT',
      ].join('\n'),
    },
    CLI_ACTOR,
  );
  // A publication after the embargoed activity: its feed sequence must not tell how much of that there was.
  await importAsAdmin(['FRA,IMM_STOCK,2021,600,,OPTION_II,PUBLISHED,,_T']);
}, 300_000);
afterAll(() => hub?.close());

/** Global ids of every submission, observation and status event (hidden ones included): node(id) must hide them. */
async function rowIds(): Promise<string[]> {
  const [s, o, e] = await Promise.all([
    hub.db.prisma.submission.findMany({ select: { id: true } }),
    hub.db.prisma.observation.findMany({ select: { id: true } }),
    hub.db.prisma.submissionEvent.findMany({ select: { id: true } }),
  ]);
  return [
    ...s.map((r) => encodeGlobalID('Submission', r.id)),
    ...o.map((r) => encodeGlobalID('Observation', r.id)),
    ...e.map((r) => encodeGlobalID('SubmissionEvent', r.id)),
  ];
}

const CODES: Record<string, string> = {
  country: 'CHE',
  indicator: 'IMM_STOCK',
  region: '155',
  dataSource: 'CHE_SENT',
  sourceType: 'CENSUS',
  variable: 'SEX',
};
const WINDOW = { from: 2090, to: 2099 };

function planFor(ids: string[]): ArgumentPlan {
  return {
    values(field, arg) {
      const type = String(arg.type).replace(/[[\]!]/g, '');
      switch (arg.name) {
        case 'country':
          return ['CHE'];
        case 'indicator':
          return ['IMM_STOCK'];
        case 'code':
          return [CODES[field.name] ?? 'x'];
        case 'year':
          return [2020, ...HIDDEN_YEARS];
        case 'number':
          return [1];
        case 'id':
          return ids;
        case 'ids':
          return [ids];
        case 'region':
          return [undefined, '155'];
        case 'window':
          return [undefined, WINDOW];
        case 'sex':
          return [undefined, 'F'];
        case 'search':
          return [undefined, 'CHE'];
        case 'filter':
          if (type === 'SubmissionFilter')
            return [
              undefined,
              { country: 'CHE' },
              { country: 'CHE', countable: true },
              { country: 'CHE', countable: false },
            ];
          if (type === 'CoverageFilter')
            return [
              { countries: ['CHE', 'FRA', 'DEU'] },
              { region: '155', window: WINDOW },
              { indicators: ['IMM_STOCK'], countries: ['CHE'] },
            ];
          if (type === 'DataSourceFilter') return [undefined, { country: 'CHE' }];
          return [undefined];
        default:
          return [undefined];
      }
    },
    // An aggregate's own answer is which countries it sums and misses (selected, with their scalars); the Country,
    // Indicator and Region objects it points to are walked in full from country(code:), countries, indicator(code:)
    // and region(code:). Expanding them again under each of aggregate's 32 argument combinations (about 250 missing
    // countries each) was 100 of the walk's 125 s, and reached no resolver the roots do not.
    depthBelow: (type) => (type.name === 'Aggregate' ? 1 : undefined),
  };
}

/** A refusal for the query's size (depth, aliases, cost…: QUERY_TOO_COMPLEX, README "Limits"), not for its data. */
const tooComplex = (e: { message: string; extensions?: Record<string, unknown> }) =>
  e.extensions?.code === 'QUERY_TOO_COMPLEX' || /exceeds the maximum/i.test(e.message);
const short = (query: string) => (query.length > 300 ? `${query.slice(0, 300)}…` : query);

/** Every answer of the walk for one caller, by operation text (splitting operations the armor refuses). */
async function answers(walk: Walk, token: string | undefined, internalErrors: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const run = async (sel: Sel): Promise<void> => {
    const op = walk.toOperation(sel);
    const result = await hub.gql(op.query, op.variables, { token });
    if (result.errors?.some(tooComplex)) {
      const parts = split(sel);
      if (!parts) throw new Error(`cannot split an operation the server refuses: ${op.query}`);
      await run(parts[0]);
      await run(parts[1]);
      return;
    }
    // A masked error is a bug (or a row the schema refused to load for this caller): reported, never ignored.
    for (const e of result.errors ?? [])
      if (e.message === 'Unexpected error.') internalErrors.push(`${e.path?.join('.')} in ${short(op.query)}`);
    // So is an operation that never ran (it did not validate): every caller would get the same error with the hidden
    // rows and without, and the comparison would pass over a field nobody read.
    if (result.data === undefined)
      internalErrors.push(`not executed: ${result.errors?.[0]?.message ?? '(no error)'} in ${short(op.query)}`);
    out.set(op.query, JSON.stringify(result).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'));
  };
  for (const root of walk.roots) await run(root);
  // The whole feed, and the feed after this test's first write (another caller's kind of cursor is an error for the
  // rest), page by page.
  for (const start of [undefined, feedStart.global, `p:${feedStart.published}`, `g:${feedStart.global}`]) {
    const pages: unknown[] = [];
    for (let after = start; ;) {
      const result = await hub.gql<{ changes: { pageInfo: { hasNextPage: boolean; endCursor: string } } }, unknown>(
        FEED_QUERY,
        { after, first: 100 },
        { token },
      );
      if (start === undefined) expect(result.errors).toBeUndefined();
      pages.push(result);
      if (!result.data?.changes.pageInfo.hasNextPage) break;
      after = result.data.changes.pageInfo.endCursor;
    }
    out.set(`FEED after ${start}`, JSON.stringify(pages).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'));
  }
  for (const path of PORTAL_PATHS) out.set(`GET ${path}`, await portalAnswer(path, token));
  if (process.env.EMBARGO_PROGRESS) process.stderr.write(`walked ${out.size} operations\n`);
  return out;
}

/** Every field of a page of the change feed and of its changes. */
const FEED_QUERY = `query Feed($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor }
    nodes {
      sequence cursor kind at
      series { country { m49 name } indicator { code } referenceYear dataSource { code name } sourceType { code } }
      submission {
        id version revision status unit note isCountable residenceCriterion sourceKey countableSince total { value }
        observations { value dimensionsJson }
      }
      item { __typename id ... on DataSource { code name } ... on Country { m49 } }
    }
  }
}`;

const FLOW = '/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0';
/** Every SDMX data key shape (all, one country, a hidden year's window, a breakdown) × both formats, changes since a
 * date (additions and deletions), the structure, and the downloads with each of their filters. */
const PORTAL_PATHS = [
  ...[
    '',
    '/*',
    '/A.756.IMM_STOCK.*',
    '/A.756.IMM_STOCK.*?c[TIME_PERIOD]=ge:2090+le:2099',
    '/A.756,250.IMM_STOCK.F.*',
  ].flatMap((key) => {
    const path = `${FLOW}${key}`;
    const join = path.includes('?') ? '&' : '?';
    return [path, `${path}${join}format=sdmx-csv`, `${path}${join}updatedAfter=2000-01-01T00:00:00Z`];
  }),
  // The observations' own filters and layouts, which run after the statement.
  `${FLOW}/*?c[OBS_VALUE]=ge:0&lastNObservations=1&dimensionAtObservation=AllDimensions`,
  `${FLOW}/*?c[SOURCE_TYPE]=ne:SURVEY&firstNObservations=1&attributes=none`,
  `${FLOW}/*?dimensionAtObservation=SEX&detail=serieskeysonly&updatedAfter=2000-01-01T00:00:00Z`,
  '/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0?references=all',
  // Availability: which codes and years have data (exact), or would add data (available).
  ...[
    '/*',
    '/A.756.IMM_STOCK.*?mode=available',
    '/*/TIME_PERIOD?updatedAfter=2000-01-01T00:00:00Z',
    '/*?c[OBS_VALUE]=ge:0&references=all',
    '/A.756.IMM_STOCK.*?c[TIME_PERIOD]=ge:2091+le:2094&mode=available',
  ].map((query) => `/sdmx/v2/availability/dataflow/MIGSTAT/DF_MIGRATION/1.0${query}`),
  '/download/observations.csv',
  '/download/observations.csv?country=CHE',
  '/download/observations.csv?indicator=IMM_STOCK&country=CHE&from=2090&to=2099',
  '/download/observations.csv?updatedAfter=2000-01-01',
  '/download/observations.xlsx',
  '/download/observations.xlsx?country=CHE',
  '/download/catalogue.json',
];

/** A portal route's status and body as text (an SDMX message without its per-answer id and time; a workbook's cells). */
async function portalAnswer(path: string, token: string | undefined): Promise<string> {
  const res = await hub.api.fetch(`http://hub.test${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  let body: string;
  if ((res.headers.get('content-type') ?? '').includes('spreadsheetml')) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const rows: unknown[] = [];
    workbook.eachSheet((sheet) => sheet.eachRow((row) => rows.push(row.values)));
    body = JSON.stringify(rows);
  } else {
    body = await res.text();
    // SDMX-JSON messages (errors too) carry a fresh id and time in their meta.
    if ((res.headers.get('content-type') ?? '').includes('json') && path.startsWith('/sdmx/')) {
      const { meta: _meta, ...rest } = JSON.parse(body) as Record<string, unknown>;
      body = JSON.stringify(rest);
    }
  }
  // The ETag too: a tag that moved with hidden rows would tell the caller that something it may not read changed.
  return `${res.status} ${res.headers.get('etag') ?? ''} ${body}`.replace(
    /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g,
    '<time>',
  );
}

test('no unpublished value, or anything derived from one, reaches anonymous, READER or another focal point', async () => {
  const walk = walkQuery(schema, planFor(await rowIds()), 4);
  expect(walk.roots.length).toBeGreaterThan(Object.keys(schema.getQueryType()!.getFields()).length);
  const internalErrors: string[] = [];

  // The control: ADMIN reads every sentinel somewhere in the walk.
  const admin = await answers(walk, tokens.admin, internalErrors);
  const seen = new Set([...admin.values()].flatMap((body) => body.match(SENTINEL_PATTERN) ?? []));
  expect([...seen].sort()).toEqual([...SENTINELS.map(String), NOTE].sort());
  // The portal routes reach the countable unpublished values (validated over nothing, validated over published).
  const adminRoutes = [...admin].filter(([op]) => op.startsWith('GET ')).map(([, body]) => body);
  for (const value of ['987654323', '987654325'])
    expect(adminRoutes.filter((body) => body.includes(value)).length).toBeGreaterThan(5);

  const callers = ['anonymous', 'reader', 'fra'] as const;
  const withHidden: Record<string, Map<string, string>> = {};
  const leaks: string[] = [];
  for (const who of callers) {
    withHidden[who] = await answers(walk, tokens[who], internalErrors);
    for (const [query, body] of withHidden[who]!) {
      const found = body.match(SENTINEL_PATTERN);
      if (found) leaks.push(`${who}: ${[...new Set(found)].join(', ')} in ${short(query)}`);
    }
  }

  // The same walk without the embargoed rows: nothing a caller reads may change.
  await hub.db.prisma.submission.deleteMany({ where: { status: { not: 'PUBLISHED' } } });
  await hub.db.prisma.accountEntry.deleteMany({ where: { status: { not: 'PUBLISHED' } } });
  // and the change-feed entries only CHE's readers of unpublished versions may see (the rest stay as they are).
  const che = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } });
  const gone = await hub.db.prisma.feedEntry.deleteMany({ where: { audience: 'ALL_VERSIONS', countryId: che.id } });
  expect(gone.count).toBeGreaterThan(0);
  expect(await hub.db.prisma.submission.count({ where: { referenceYear: { in: HIDDEN_YEARS } } })).toBe(1); // 2095 v1
  const differences: string[] = [];
  const compare = async (who: (typeof callers)[number]) => {
    const without = await answers(walk, tokens[who], internalErrors);
    for (const [query, body] of withHidden[who]!) {
      const other = without.get(query);
      if (other !== body)
        differences.push(`${who}: ${short(query)}\n  with:    ${short(body)}\n  without: ${short(other ?? '')}`);
    }
  };
  // The focal point reads the global sequence: compared with the entries gone but the numbers kept.
  await compare('fra');
  // Then the feed numbered as if the embargoed entries had never been written: the global sequence and each
  // audience's own, in the same order (through negative numbers, so that no two rows ever hold one number).
  const feedBefore = await hub.db.prisma.feedEntry.findMany({ orderBy: { sequence: 'asc' } });
  await hub.db.prisma.$executeRaw`
    UPDATE "FeedEntry" f SET sequence = -r.n, "audienceSequence" = -r.a
    FROM (SELECT sequence, row_number() OVER (ORDER BY sequence) AS n,
            row_number() OVER (PARTITION BY audience ORDER BY sequence) AS a
          FROM "FeedEntry") r
    WHERE r.sequence = f.sequence`;
  await hub.db.prisma
    .$executeRaw`UPDATE "FeedEntry" SET sequence = -sequence, "audienceSequence" = -"audienceSequence"`;
  const feedAfter = await hub.db.prisma.feedEntry.findMany({ orderBy: { sequence: 'asc' } });
  // The renumbering closed the gaps the embargoed entries left in the global sequence after the first of them,
  // and none in the published feed's own (it never had any).
  expect(feedAfter.map((f) => f.sequence)).not.toEqual(feedBefore.map((f) => f.sequence));
  const published = (rows: typeof feedBefore) =>
    rows.filter((f) => f.audience === 'PUBLISHED').map((f) => f.audienceSequence);
  expect(published(feedAfter)).toEqual(published(feedBefore));
  for (const who of ['anonymous', 'reader'] as const) await compare(who);
  expect({
    leaks: leaks.slice(0, 20),
    differences: differences.slice(0, 20),
    internalErrors: internalErrors.slice(0, 20),
  }).toEqual({
    leaks: [],
    differences: [],
    internalErrors: [],
  });
}, 1_200_000);
