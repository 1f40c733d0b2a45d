// Paging with after/before (Relay cursors) on lists whose rows depend on the caller or change while a client pages.
// CONTRACT §4: nothing derived from a version hidden from a caller reaches that caller, so a cursor naming a hidden
// row pages exactly as a cursor naming no row. And a row that leaves a filtered list between two pages (a reviewed
// submission leaving the review queue) must not hide the row after it.
import { data, importCsv, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
const tokens: Record<string, string | undefined> = { anonymous: undefined };

async function as<T>(who: string, query: string, variables?: Record<string, unknown>) {
  return data(await hub.gql<T, Record<string, unknown>>(query, variables, { token: tokens[who] }));
}

/** The cursor the API would give the row with this id (what a client can forge from a global id's number). */
const cursorOf = (id: number) => Buffer.from(`GPC:N:${id}`).toString('base64');
const localId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

type Page = { edges: { cursor: string; node: { referenceYear: number; id: string } }[]; pageInfo: Info };
type Info = { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
const PAGE = `edges { cursor node { id referenceYear } } pageInfo { hasNextPage hasPreviousPage endCursor }`;
const years = (page: Page) => page.edges.map((e) => e.node.referenceYear);

let hiddenId: number;
let hiddenCommentId: number;

beforeAll(async () => {
  hub = await startHub();
  tokens.admin = await hub.token('ADMIN');
  tokens.taskForce = await hub.token('TASK_FORCE');
  tokens.fra = await hub.token('FOCAL_POINT', 'FRA');
  tokens.che = await hub.token('FOCAL_POINT', 'CHE');
  await importCsv(hub, tokens.admin!, 'country,indicator,reference_year,value,status', [
    'FRA,IMM_STOCK,2015,15,PUBLISHED',
    'FRA,IMM_STOCK,2016,16,PUBLISHED',
    'CHE,IMM_STOCK,2018,18,DRAFT',
    'FRA,IMM_STOCK,2020,20,PUBLISHED',
    'FRA,IMM_STOCK,2021,21,PUBLISHED',
    'FRA,IMM_STOCK,2022,22,PUBLISHED',
    ...[2001, 2002, 2003, 2004, 2005].map((y) => `CHE,IMM_FLOW,${y},${y},SUBMITTED`),
  ]);
  const drafts = await as<{ submissions: Page }>('admin', `{ submissions(filter: { status: DRAFT }) { ${PAGE} } }`);
  const draft = drafts.submissions.edges[0]!.node;
  hiddenId = localId(draft.id);
  // A comment of CHE's focal point on its draft, hidden from France's focal point (CONTRACT §9), then two of France's
  // on its own data: Prisma's skip of the cursor row would drop one of them after the hidden one.
  const addComment = async (who: string, target: string, body: string) =>
    (
      await as<{ addComment: { comment: { id: string } } }>(
        who,
        `mutation ($t: ID!, $b: String!) { addComment(input: { target: $t, body: $b }) { ... on AddCommentPayload { comment { id } } } }`,
        { t: target, b: body },
      )
    ).addComment.comment.id;
  hiddenCommentId = localId(await addComment('che', draft.id, 'CHE only'));
  const fraData = (await as<{ submissions: Page }>('fra', `{ submissions(first: 1) { ${PAGE} } }`)).submissions;
  for (const body of ['FRA 1', 'FRA 2']) expect(await addComment('fra', fraData.edges[0]!.node.id, body)).toBeTruthy();
});
afterAll(() => hub?.close());

describe('a cursor naming a row the caller may not read pages as a cursor naming no row', () => {
  const list = (who: string, cursor: string, direction: 'ASC' | 'DESC', arg: 'after' | 'before' = 'after') =>
    as<{ submissions: Page }>(
      who,
      `query ($c: String) { submissions(first: ${arg === 'after' ? 20 : null}, last: ${arg === 'before' ? 20 : null},
         ${arg}: $c, orderBy: { field: REFERENCE_YEAR, direction: ${direction} }) { ${PAGE} } }`,
      { c: cursor },
    );

  test.each(['ASC', 'DESC'] as const)('root list, %s', async (direction) => {
    for (const arg of ['after', 'before'] as const) {
      const unknown = await list('anonymous', cursorOf(999_999), direction, arg);
      expect(await list('anonymous', cursorOf(hiddenId), direction, arg)).toEqual(unknown);
      expect(await list('fra', cursorOf(hiddenId), direction, arg)).toEqual(unknown);
    }
    // The owner and the task force read the row, so its cursor is a position in their lists.
    expect(years((await list('che', cursorOf(hiddenId), direction)).submissions)).toEqual(
      direction === 'ASC' ? [2020, 2021, 2022] : [2016, 2015, 2005, 2004, 2003, 2002, 2001],
    );
  });

  test("a country's list (a nested connection)", async () => {
    const nested = (who: string, cursor: string) =>
      as<{ country: { submissions: Page } }>(
        who,
        `query ($c: String) { country(code: "CHE") { submissions(after: $c, orderBy: { field: REFERENCE_YEAR, direction: DESC }) { ${PAGE} } } }`,
        { c: cursor },
      );
    const unknown = await nested('anonymous', cursorOf(999_999));
    expect(await nested('anonymous', cursorOf(hiddenId))).toEqual(unknown);
    expect(await nested('fra', cursorOf(hiddenId))).toEqual(unknown);
    expect(years((await nested('che', cursorOf(hiddenId))).country.submissions)).toEqual([
      2005, 2004, 2003, 2002, 2001,
    ]);
  });

  test('comments, in the root list and on a submission', async () => {
    const root = (cursor: string) =>
      as<{ comments: { edges: { node: { body: string } }[] } }>(
        'fra',
        `query ($c: String) { comments(after: $c, orderBy: { field: CREATED_AT, direction: ASC }) { edges { node { body } } } }`,
        { c: cursor },
      );
    expect(await root(cursorOf(hiddenCommentId))).toEqual(await root(cursorOf(999_999)));
    const onSubmission = (cursor: string) =>
      as<{ submissions: { nodes: { comments: { nodes: { body: string }[] } }[] } }>(
        'fra',
        `query ($c: String) { submissions(first: 5) { nodes { comments(after: $c) { nodes { body } } } } }`,
        { c: cursor },
      );
    expect(await onSubmission(cursorOf(hiddenCommentId))).toEqual(await onSubmission(cursorOf(999_999)));
  });
});

test('a submission reviewed between two pages of the review queue does not hide the next one', async () => {
  const queue = (after?: string | null) =>
    as<{ submissions: Page }>(
      'taskForce',
      `query ($a: String) { submissions(first: 2, after: $a, filter: { status: SUBMITTED, indicator: "IMM_FLOW" }) { ${PAGE} } }`,
      { a: after },
    );
  const first = (await queue()).submissions;
  expect(years(first)).toEqual([2005, 2004]);
  const reviewed = first.edges[1]!.node;
  const { node } = await as<{ node: { revision: number } }>(
    'taskForce',
    `query ($id: ID!) { node(id: $id) { ... on Submission { revision } } }`,
    { id: reviewed.id },
  );
  await as(
    'taskForce',
    `mutation ($id: ID!, $r: Int!) { validateSubmission(input: { id: $id, expectedRevision: $r }) { __typename } }`,
    {
      id: reviewed.id,
      r: node.revision,
    },
  );
  const second = (await queue(first.pageInfo.endCursor)).submissions;
  expect(years(second)).toEqual([2003, 2002]);
  expect(second.pageInfo.hasNextPage).toBe(true);
  expect(years((await queue(second.pageInfo.endCursor)).submissions)).toEqual([2001]);
});
