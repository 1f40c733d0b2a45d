// The change feed (CONTRACT §10) through GraphQL: what each caller sees (a publication reaches anonymous callers
// when it is published; a superseded key is an UPSERT of its new version; a key whose only visible version goes is
// a DELETE), paging and resuming from endCursor, bad cursors, and the replay equal to a full download. Each audience
// numbers its own changes 1, 2, 3…, so an anonymous caller's sequences show no gap where changes it may not read were
// written; a plain decimal cursor (from before that numbering: a global sequence) resumes a focal point, whose numbering
// is the global one, and is refused to anyone else.
import { data, importCsv, startHubAsAdmin, type Hub } from '../support/hub.js';
import { CHANGES, cursorAt as cursorAtOf, downloadedRows, Replayer, type Entry } from './feed-support.js';

let hub: Hub;
let admin: string;
beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
afterAll(() => hub?.close());

const HEADER = 'country,indicator,reference_year,value,source_type,status,note,SEX';

const importRows = (lines: string[], token = admin) => importCsv(hub, token, HEADER, lines);

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

/** Every entry `token`'s caller reads after `after`: a cursor, or a global position (head()) turned into its own. */
async function entries(token: string | undefined, after: string | null = null): Promise<Entry[]> {
  type Page = { changes: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Entry }[] } };
  const out: Entry[] = [];
  for (let cursor = after !== null && /^\d+$/.test(after) ? await cursorAt(token, after) : after; ;) {
    // Small pages after a point (to cross page seams); larger ones across the seed's catalogue changes.
    const first = after === null ? 100 : 3;
    const page = data(await hub.gql<Page, unknown>(CHANGES, { after: cursor, first }, { token })).changes;
    out.push(...page.edges.map((e) => e.node));
    cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return out;
  }
}

/**
 * A global position: the global sequence (in decimal) of the last entry of `audience`, or of the whole feed; as
 * cursors were before per-audience numbering (valid for a focal point only).
 */
async function head(audience?: 'ALL_VERSIONS' | 'PUBLISHED'): Promise<string> {
  const [row] = await hub.db.prisma.$queryRaw<{ head: string }[]>`
    SELECT coalesce(max(sequence), 0)::text AS head FROM "FeedEntry"
    WHERE ${audience ?? null}::text IS NULL OR audience::text = ${audience ?? null}::text`;
  return row!.head;
}

/** The caller's own cursor at a global position (feed-support.ts). */
const cursorAt = (token: string | undefined, global: string) => cursorAtOf(hub, token, global);

/** The numbers 1…n as Change.sequence has them. */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

const brief = (e: Entry) =>
  e.item
    ? `${e.kind} ${e.item.__typename}`
    : `${e.kind} ${e.series!.country.m49}/${e.series!.referenceYear}${e.submission ? ` v${e.submission.version} ${e.submission.status}` : ''}`;

test('each caller sees the changes of the versions it may read; publication, supersession and disappearance', async () => {
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const reader = await hub.token('READER');
  const start = await head();

  await importRows(['CHE,IMM_STOCK,2015,100,CENSUS,VALIDATED,,', 'FRA,IMM_STOCK,2015,200,CENSUS,VALIDATED,,']);
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
  await importRows(['CHE,IMM_STOCK,2015,110,CENSUS,SUBMITTED,,']);
  const beforeV3 = await head();
  await importRows(['CHE,IMM_STOCK,2015,120,CENSUS,PUBLISHED,,', 'CHE,IMM_STOCK,2015,70,CENSUS,PUBLISHED,,F']);
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
  await importRows([
    'DEU,IMM_STOCK,2001,1,,PUBLISHED,,',
    'DEU,IMM_STOCK,2002,2,,PUBLISHED,,',
    'DEU,IMM_STOCK,2003,3,,PUBLISHED,,',
  ]);
  type Page = {
    changes: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: Entry }[];
    };
  };
  const all = (await entries(undefined, start)).map((e) => e.sequence);
  // An anonymous caller's cursors name the published feed: "p:" and its own sequence.
  const cursors = all.map((s) => `p:${s}`);
  const first = data(
    await hub.gql<Page, unknown>(CHANGES, { first: 2, after: await cursorAt(undefined, start) }),
  ).changes;
  expect(first.totalCount).toBe(all.length);
  expect(first.edges.map((e) => e.node.sequence)).toEqual(all.slice(0, 2));
  expect(first.edges.map((e) => e.cursor)).toEqual(cursors.slice(0, 2));
  expect(first.pageInfo).toEqual({ hasNextPage: all.length > 2, endCursor: cursors[1] });
  const rest = data(await hub.gql<Page, unknown>(CHANGES, { first: 100, after: first.pageInfo.endCursor })).changes;
  expect(rest.totalCount).toBe(all.length - 2);
  expect(rest.edges.map((e) => e.node.sequence)).toEqual(all.slice(2));
  // At the end: an empty page whose endCursor is where the client stands.
  const end = data(await hub.gql<Page, unknown>(CHANGES, { after: cursors.at(-1) })).changes;
  expect(end).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: cursors.at(-1) }, edges: [] });
  // Sequences increase by one.
  expect(all.slice(1).map((s, i) => BigInt(s) - BigInt(all[i]!))).toEqual(all.slice(1).map(() => 1n));

  // Malformed cursors: an error naming `after`.
  for (const after of ['not-a-cursor', 'p:', 'p:x', 'x:1', '-1', 'p:-1', '1.5', '99999999999999999999']) {
    const bad = await hub.gql(CHANGES, { after });
    expect(bad.errors?.[0]?.message).toMatch(/"after" must be a cursor/);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  }
  // A cursor of another kind of caller's feed counts in another numbering: refused, never read as this caller's.
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const refused: [string | undefined, string, RegExp][] = [
    [undefined, 'a:1', /"after" is a cursor of the feed of every version.*"p:…"/],
    [undefined, 'g:1', /"after" is a cursor of the global sequence.*"p:…"/],
    [await hub.token('READER'), 'a:1', /"after" is a cursor of the feed of every version.*"p:…"/],
    [admin, 'p:1', /"after" is a cursor of the published feed.*"a:…"/],
    [await hub.token('TASK_FORCE'), 'g:1', /"after" is a cursor of the global sequence.*"a:…"/],
    [focal, 'p:1', /"after" is a cursor of the published feed.*"g:…"/],
    [focal, 'a:1', /"after" is a cursor of the feed of every version.*"g:…"/],
  ];
  for (const [token, after, message] of refused) {
    const wrong = await hub.gql(CHANGES, { after }, { token });
    expect(wrong.errors?.[0]?.message).toMatch(message);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(wrong.data).toBeNull();
  }
});

test('each audience numbers its changes 1, 2, 3…, whatever it may not read; a plain decimal cursor resumes a focal point only', async () => {
  const reader = await hub.token('READER');
  const taskForce = await hub.token('TASK_FORCE');
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  // What portals stored before per-audience numbering: the global sequence of the last entry they read.
  const legacy = { published: await head('PUBLISHED'), all: await head('ALL_VERSIONS'), global: await head() };
  const before = {
    anonymous: await entries(undefined),
    taskForce: await entries(taskForce),
    focal: await entries(focal),
  };

  // Published changes with unpublished activity of another country in between: drafts and submitted versions (no
  // entry for anyone), validated versions (entries for the task force only), a newer validated version over a
  // published one, and a rejection.
  await importRows(['ESP,IMM_STOCK,2030,1,CENSUS,PUBLISHED,,']);
  await importRows(['ITA,IMM_STOCK,2030,2,CENSUS,DRAFT,,', 'ITA,IMM_STOCK,2031,3,CENSUS,SUBMITTED,,']);
  await importRows(['ITA,IMM_STOCK,2032,4,CENSUS,VALIDATED,,', 'ITA,IMM_STOCK,2033,5,CENSUS,VALIDATED,,']);
  await importRows(['ESP,IMM_STOCK,2031,6,CENSUS,PUBLISHED,,']);
  await importRows(['ITA,IMM_STOCK,2032,7,CENSUS,VALIDATED,,', 'ESP,IMM_STOCK,2030,8,CENSUS,VALIDATED,,']);
  await transition('publishSubmission', (await version('ITA', 2033, 1)).id);
  await transition('rejectSubmission', (await version('ITA', 2032, 2)).id);
  await importRows(['ESP,IMM_STOCK,2032,9,CENSUS,PUBLISHED,,', 'ITA,IMM_STOCK,2034,10,CENSUS,SUBMITTED,,']);

  // Anonymous and READER callers: the published feed from the start is numbered 1…n, whatever happened meanwhile.
  const anonymous = await entries(undefined);
  expect(anonymous.map((e) => e.sequence)).toEqual(oneTo(anonymous.length));
  expect(await entries(reader)).toEqual(anonymous);
  const published = anonymous.slice(before.anonymous.length);
  expect(published.map(brief)).toEqual([
    'UPSERT 724/2030 v1 PUBLISHED',
    'UPSERT 724/2031 v1 PUBLISHED',
    'UPSERT 380/2033 v1 PUBLISHED',
    'UPSERT 724/2032 v1 PUBLISHED',
  ]);
  // The task force: every change it reads, numbered 1…m in its own feed.
  const all = await entries(taskForce);
  expect(all.map((e) => e.sequence)).toEqual(oneTo(all.length));
  // (each entry's submission as it is now: the first 2033 entry was validated when written, v2 of 2032 is rejected).
  expect(all.slice(before.taskForce.length).map(brief)).toEqual([
    'UPSERT 724/2030 v1 PUBLISHED',
    'UPSERT 380/2032 v1 VALIDATED',
    'UPSERT 380/2033 v1 PUBLISHED',
    'UPSERT 724/2031 v1 PUBLISHED',
    'UPSERT 380/2032 v2 REJECTED',
    'UPSERT 724/2030 v2 VALIDATED',
    'UPSERT 380/2033 v1 PUBLISHED',
    'UPSERT 380/2032 v1 VALIDATED',
    'UPSERT 724/2032 v1 PUBLISHED',
  ]);
  // A focal point reads its country's feed of every version and the others' published one: numbered by the global
  // sequence (increasing, with gaps), its cursors "g:".
  const mixed = await entries(focal);
  expect(mixed.slice(before.focal.length).map(brief)).toEqual(published.map(brief));
  const numbers = mixed.map((e) => BigInt(e.sequence));
  expect(numbers.slice(1).every((n, i) => n > numbers[i]!)).toBe(true);

  // Each caller's own cursor from before resumes it exactly: no entry skipped, none repeated.
  const own = (list: Entry[], kind: string) => `${kind}:${list.at(-1)!.sequence}`;
  expect(await entries(undefined, own(before.anonymous, 'p'))).toEqual(published);
  expect(await entries(reader, own(before.anonymous, 'p'))).toEqual(published);
  expect(await entries(taskForce, own(before.taskForce, 'a'))).toEqual(all.slice(before.taskForce.length));
  // A plain decimal cursor (a global sequence, as cursors were before each audience was numbered on its own) resumes
  // a focal point, whose numbering is the global one, exactly there, and its pages go on with "g:" cursors.
  expect(await entries(focal, legacy.global)).toEqual(mixed.slice(before.focal.length));
  type Page = { changes: { edges: { cursor: string }[] } };
  const page = async (token: string | undefined) =>
    await hub.gql<Page, unknown>(CHANGES, { after: legacy.global, first: 1 }, { token });
  expect(data(await page(focal)).changes.edges.map((e) => e.cursor)).toEqual([
    `g:${mixed[before.focal.length]!.sequence}`,
  ]);
  // Any other caller is refused one (reading "sequence > n" for every n would give it the global number of each of
  // its entries, the gaps again), and told to resume from the start with its own cursors.
  for (const [token, kind] of [
    [undefined, 'p'],
    [reader, 'p'],
    [taskForce, 'a'],
  ] as const) {
    for (const after of [legacy.published, legacy.all, legacy.global]) {
      const answer = await hub.gql<Page, unknown>(CHANGES, { after, first: 1 }, { token });
      expect(answer.errors?.[0]?.message).toMatch(new RegExp(`from before the feed numbered .*"${kind}:…"`));
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
      expect(answer.data).toBeNull();
    }
    // "0", the start in either numbering, tells nothing: it is the start for everyone.
    const start = await hub.gql<Page, unknown>(CHANGES, { after: '0', first: 1 }, { token });
    expect(start.errors).toBeUndefined();
    expect(start.data!.changes.edges.map((e) => e.cursor)).toEqual([`${kind}:1`]);
  }
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
        { after: await cursorAt(token, start) },
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
  await importRows(['CHE,IMM_STOCK,2016,5,CENSUS,VALIDATED,,']);
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
