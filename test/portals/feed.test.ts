// The change feed (CONTRACT §10) through GraphQL: what each caller sees (a publication reaches anonymous callers
// when it is published; a superseded key is an UPSERT of its new version; a key whose only visible version goes is
// a DELETE), paging and resuming from endCursor, bad cursors, and the replay equal to a full download.
import { data, startHubAsAdmin, type Hub } from '../support/hub.js';
import { CHANGES, downloadedRows, Replayer, type Entry } from './feed-support.js';

let hub: Hub;
let admin: string;
beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
afterAll(() => hub?.close());

const HEADER = 'country,indicator,reference_year,value,source_type,status,note,SEX';

async function importCsv(lines: string[], token = admin) {
  const result = data(
    await hub.gql<{ importSubmissions: { ok: boolean; problems: unknown[] } }, { csv: string }>(
      `mutation Import($csv: String!) { importSubmissions(input: { csv: $csv }) { ok problems { line column message } } }`,
      { csv: [HEADER, ...lines].join('\n') },
      { token },
    ),
  );
  expect(result.importSubmissions.problems).toEqual([]);
}

async function version(country: string, year: number, v: number): Promise<{ id: string; revision: number }> {
  const result = data(
    await hub.gql<{ submissions: { nodes: { id: string; revision: number; version: number }[] } }, unknown>(
      `query($country: String!, $year: Int!) {
        submissions(first: 100, filter: { country: $country, fromYear: $year, toYear: $year }) {
          nodes { id revision version }
        }
      }`,
      { country, year },
      { token: admin },
    ),
  );
  return result.submissions.nodes.find((n) => n.version === v)!;
}

async function transition(mutation: 'publishSubmission' | 'rejectSubmission' | 'validateSubmission', id: string) {
  const current = data(
    await hub.gql<{ node: { revision: number } }, unknown>(
      `query($id: ID!) { node(id: $id) { ... on Submission { revision } } }`,
      { id },
      { token: admin },
    ),
  ).node;
  const extra = mutation === 'rejectSubmission' ? ', reason: "wrong census"' : '';
  const result = data(
    await hub.gql<Record<string, { __typename: string }>, unknown>(
      `mutation($id: ID!, $rev: Int!) { ${mutation}(input: { id: $id, expectedRevision: $rev${extra} }) { __typename } }`,
      { id, rev: current.revision },
      { token: admin },
    ),
  );
  expect(result[mutation]!.__typename).toBe(`${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Payload`);
}

async function entries(token: string | undefined, after: string | null = null): Promise<Entry[]> {
  type Page = { changes: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Entry }[] } };
  const out: Entry[] = [];
  for (let cursor = after; ;) {
    // Small pages after a point (to cross page seams); larger ones across the seed's catalogue changes.
    const first = after === null ? 100 : 3;
    const page = data(await hub.gql<Page, unknown>(CHANGES, { after: cursor, first }, { token })).changes;
    out.push(...page.edges.map((e) => e.node));
    cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return out;
  }
}

/** The feed's last sequence: every entry is an ALL_VERSIONS (admin) or a PUBLISHED (anonymous) one. */
async function head(): Promise<string | null> {
  const last = [(await entries(admin)).at(-1)?.sequence, (await entries(undefined)).at(-1)?.sequence];
  return (
    last
      .filter((s) => s !== undefined)
      .sort((a, b) => Number(BigInt(a!) - BigInt(b!)))
      .at(-1) ?? null
  );
}

const brief = (e: Entry) =>
  e.item
    ? `${e.kind} ${e.item.__typename}`
    : `${e.kind} ${e.series!.country.m49}/${e.series!.referenceYear}${e.submission ? ` v${e.submission.version} ${e.submission.status}` : ''}`;

test('each caller sees the changes of the versions it may read; publication, supersession and disappearance', async () => {
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const reader = await hub.token('READER');
  const start = await head();

  await importCsv(['CHE,IMM_STOCK,2015,100,CENSUS,VALIDATED,,', 'FRA,IMM_STOCK,2015,200,CENSUS,VALIDATED,,']);
  // Validated data reaches those who read unpublished data of the country, nobody else.
  expect((await entries(admin, start)).map(brief).sort()).toEqual([
    'UPSERT 250/2015 v1 VALIDATED',
    'UPSERT 756/2015 v1 VALIDATED',
  ]);
  expect((await entries(focal, start)).map(brief)).toEqual(['UPSERT 756/2015 v1 VALIDATED']);
  expect(await entries(undefined, start)).toEqual([]);
  expect(await entries(reader, start)).toEqual([]);

  // Publication: an UPSERT for everyone (the status a task force downloads changes too).
  await transition('publishSubmission', (await version('CHE', 2015, 1)).id);
  expect((await entries(undefined, start)).map(brief)).toEqual(['UPSERT 756/2015 v1 PUBLISHED']);
  expect((await entries(admin, start)).map(brief).at(-1)).toBe('UPSERT 756/2015 v1 PUBLISHED');

  // A newer draft or submitted version changes nothing a caller downloads; a newer published one supersedes.
  await importCsv(['CHE,IMM_STOCK,2015,110,CENSUS,SUBMITTED,,']);
  const beforeV3 = await head();
  await importCsv(['CHE,IMM_STOCK,2015,120,CENSUS,PUBLISHED,,', 'CHE,IMM_STOCK,2015,70,CENSUS,PUBLISHED,,F']);
  const v3 = await entries(undefined, beforeV3);
  // Version 3 for the task force; for an anonymous caller, the second it may read (the submitted one is hidden).
  expect(v3.map(brief)).toEqual(['UPSERT 756/2015 v2 PUBLISHED']);
  expect((await entries(admin, beforeV3)).map(brief)).toEqual(['UPSERT 756/2015 v3 PUBLISHED']);
  expect(v3[0]!.submission!.observations.map((o) => o.value).sort()).toEqual([120, 70]);

  // Rejecting the only validated version of a key: a DELETE for those who saw it, nothing for anyone else.
  const beforeReject = await head();
  await transition('rejectSubmission', (await version('FRA', 2015, 1)).id);
  expect((await entries(admin, beforeReject)).map(brief)).toEqual(['DELETE 250/2015']);
  expect(await entries(focal, beforeReject)).toEqual([]);
  expect(await entries(undefined, beforeReject)).toEqual([]);

  // Replayed from the start, every caller's feed holds what its download holds.
  for (const token of [admin, focal, reader, undefined]) {
    const r = new Replayer('replay', token);
    await r.drain(hub, 97);
    expect(r.rows()).toEqual(await downloadedRows(hub, token));
  }
});

test('pages resume from endCursor; totalCount counts what is left; a bad cursor is an error naming it', async () => {
  const start = await head();
  await importCsv([
    'DEU,IMM_STOCK,2001,1,,PUBLISHED,,',
    'DEU,IMM_STOCK,2002,2,,PUBLISHED,,',
    'DEU,IMM_STOCK,2003,3,,PUBLISHED,,',
  ]);
  type Page = {
    changes: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: Entry }[];
    };
  };
  const all = (await entries(undefined, start)).map((e) => e.sequence);
  const first = data(await hub.gql<Page, unknown>(CHANGES, { first: 2, after: start })).changes;
  expect(first.totalCount).toBe(all.length);
  expect(first.edges.map((e) => e.node.sequence)).toEqual(all.slice(0, 2));
  expect(first.pageInfo).toEqual({ hasNextPage: all.length > 2, endCursor: all[1] });
  const rest = data(await hub.gql<Page, unknown>(CHANGES, { first: 100, after: first.pageInfo.endCursor })).changes;
  expect(rest.totalCount).toBe(all.length - 2);
  expect(rest.edges.map((e) => e.node.sequence)).toEqual(all.slice(2));
  // At the end: an empty page whose endCursor is where the client stands.
  const end = data(await hub.gql<Page, unknown>(CHANGES, { after: all.at(-1) })).changes;
  expect(end).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: all.at(-1) }, edges: [] });
  // Sequences increase strictly.
  expect(all.map(BigInt)).toEqual([...all.map(BigInt)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

  const bad = await hub.gql(CHANGES, { after: 'not-a-cursor' });
  expect(bad.errors?.[0]?.message).toMatch(/"after" must be a cursor/);
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('a catalogue edit is an UPSERT of the item, read as it is now, once by every caller', async () => {
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const start = await head();
  type Item = { __typename: string; code: string; name: string };
  const ITEMS = `query($after: String) { changes(after: $after, first: 100) { nodes {
    kind series { country { m49 } } item { __typename ... on Indicator { code name } ... on DataSource { code name } }
  } } }`;
  const changes = async (token?: string) =>
    data(
      await hub.gql<{ changes: { nodes: { kind: string; series: unknown; item: Item | null }[] } }, unknown>(
        ITEMS,
        { after: start },
        { token },
      ),
    ).changes.nodes;

  // An indicator renamed, a data source registered and renamed, and validated data in between (not public).
  const indicator = data(
    await hub.gql<{ indicator: { id: string; revision: number; name: string } }, unknown>(
      `{ indicator(code: "IMM_STOCK") { id revision name } }`,
    ),
  ).indicator;
  const renamed = `${indicator.name} (edited)`;
  const edited = data(
    await hub.gql<{ updateIndicator: { __typename: string } }, unknown>(
      `mutation($input: UpdateIndicatorInput!) { updateIndicator(input: $input) { __typename } }`,
      { input: { id: indicator.id, expectedRevision: indicator.revision, name: renamed } },
      { token: admin },
    ),
  );
  expect(edited.updateIndicator.__typename).toBe('UpdateIndicatorPayload');
  const created = data(
    await hub.gql<{ createDataSource: { dataSource: { id: string } } }, unknown>(
      `mutation { createDataSource(input: { code: "CHE_FEED", country: "CHE", sourceType: "CENSUS", name: "Old" }) {
        ... on CreateDataSourcePayload { dataSource { id } } } }`,
      {},
      { token: focal },
    ),
  ).createDataSource.dataSource;
  await importCsv(['CHE,IMM_STOCK,2016,5,CENSUS,VALIDATED,,']);
  data(
    await hub.gql(
      `mutation($id: ID!) { updateDataSource(input: { id: $id, name: "Renamed" }) { __typename } }`,
      { id: created.id },
      { token: focal },
    ),
  );

  const items = [
    { __typename: 'Indicator', code: 'IMM_STOCK', name: renamed },
    // Both changes of the data source read it as it is now.
    { __typename: 'DataSource', code: 'CHE_FEED', name: 'Renamed' },
    { __typename: 'DataSource', code: 'CHE_FEED', name: 'Renamed' },
  ];
  const anonymous = await changes();
  expect(anonymous).toEqual(items.map((item) => ({ kind: 'UPSERT', series: null, item })));
  // Those who read the validated version see it between the catalogue changes; each item change once.
  for (const token of [admin, focal]) {
    const seen = await changes(token);
    expect(seen.filter((c) => c.item).map((c) => c.item)).toEqual(items);
    expect(seen.filter((c) => c.series)).toHaveLength(1);
    expect(seen.findIndex((c) => c.series)).toBe(2);
  }
  expect(await changes(await hub.token('READER'))).toEqual(anonymous);
});
