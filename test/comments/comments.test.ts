// Comment threads (CONTRACT §9) through the API: who may write on what (refusals change nothing), who sees what
// (anonymous and READER callers nothing; a focal point its own country's items and the catalogue's), newest first,
// the filters, resolve and reopen, and the thread a rejection opens on the submission.
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importDataSources } from '../../src/submissions/sources.import.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { importSubmissionsCsv } from '../support/scenarios.js';

let hub: Hub;
let tokens: { taskForce: string; reader: string; focalChe: string; focalFra: string };
const ids: Record<string, string> = {};

const ADD = `
  mutation Add($input: AddCommentInput!) {
    addComment(input: $input) {
      __typename
      ... on AddCommentPayload { comment { id body author status dueDate overdue country { iso3 } } }
      ... on Error { message }
      ... on ValidationError { issues { path message } }
    }
  }`;

interface Added {
  addComment: {
    __typename: string;
    message?: string;
    issues?: { path: string[]; message: string }[];
    comment?: {
      id: string;
      body: string;
      author: string;
      status: string;
      overdue: boolean;
      country: { iso3: string } | null;
    };
  };
}

const add = (target: string, body: string, token?: string, dueDate?: string) =>
  hub.gql<Added, object>(ADD, { input: { target, body, dueDate } }, { token });

beforeAll(async () => {
  hub = await startHub();
  const prisma = hub.db.prisma;
  await importDataSources(
    prisma,
    {
      text: 'code,country,source_type,name\nCHE_CENSUS,CHE,CENSUS,Swiss census\nFRA_REG,FRA,POP_REGISTER,French register',
    },
    CLI_ACTOR,
  );
  await importSubmissionsCsv(
    prisma,
    'country,indicator,reference_year,value,status\nCHE,IMM_STOCK,2020,100,SUBMITTED\nFRA,IMM_STOCK,2020,200,SUBMITTED',
  );
  tokens = {
    taskForce: await hub.token('TASK_FORCE'),
    reader: await hub.token('READER'),
    focalChe: await hub.token('FOCAL_POINT', 'CHE'),
    focalFra: await hub.token('FOCAL_POINT', 'FRA'),
  };
  data(
    await hub.gql(
      `mutation { reportAdoption(input: { country: "CHE", recommendation: "REC_RESIDENCE", status: PLANNED }) { __typename } }`,
      {},
      { token: tokens.focalChe },
    ),
  );
  const found = data(
    await hub.gql<
      {
        imm: { id: string };
        emi: { id: string };
        cheSource: { id: string };
        fraSource: { id: string };
        subs: { nodes: { id: string; revision: number; country: { iso3: string } }[] };
        country: { id: string };
        rec: { adoptions: { nodes: { id: string }[] } };
      },
      object
    >(
      `{ imm: indicator(code: "IMM_STOCK") { id } emi: indicator(code: "EMI_FLOW") { id }
         cheSource: dataSource(code: "CHE_CENSUS") { id } fraSource: dataSource(code: "FRA_REG") { id }
         subs: submissions { nodes { id revision country { iso3 } } }
         country(code: "CHE") { id }
         rec: recommendation(code: "REC_RESIDENCE") { adoptions { nodes { id } } } }`,
      {},
      { token: tokens.taskForce },
    ),
  );
  Object.assign(ids, {
    imm: found.imm.id,
    emi: found.emi.id,
    cheSource: found.cheSource.id,
    fraSource: found.fraSource.id,
    cheSubmission: found.subs.nodes.find((s) => s.country.iso3 === 'CHE')!.id,
    fraSubmission: found.subs.nodes.find((s) => s.country.iso3 === 'FRA')!.id,
    country: found.country.id,
    cheAdoption: found.rec.adoptions.nodes[0]!.id,
  });
});
afterAll(() => hub?.close());

const commentCount = () => hub.db.prisma.comment.count();

test('task force and focal points open threads on the items they may write on', async () => {
  const imm = data(await add(ids.imm!, 'Should refugees be included?', tokens.taskForce, '2020-01-01T00:00:00Z'));
  expect(imm.addComment.comment).toMatchObject({
    body: 'Should refugees be included?',
    author: 'task_force',
    status: 'OPEN',
    overdue: true,
    country: null,
  });
  expect(
    data(await add(ids.emi!, ' Our register cannot split by group. ', tokens.focalChe)).addComment.comment,
  ).toMatchObject({
    body: 'Our register cannot split by group.',
    author: 'focal_point-CHE',
  });
  const source = data(await add(ids.cheSource!, 'Which census round?', tokens.focalChe, '2999-01-01T00:00:00Z'));
  expect(source.addComment.comment).toMatchObject({ overdue: false, country: { iso3: 'CHE' } });
  expect(data(await add(ids.fraSubmission!, 'Provisional figure', tokens.focalFra)).addComment.__typename).toBe(
    'AddCommentPayload',
  );
  expect(data(await add(ids.cheAdoption!, 'Evidence, please', tokens.taskForce)).addComment.comment?.country).toEqual({
    iso3: 'CHE',
  });
  expect(await commentCount()).toBe(5);
});

test('refusals are FORBIDDEN or UNAUTHENTICATED and write nothing; bad input is a typed error', async () => {
  const before = { comments: await commentCount(), audit: await hub.db.prisma.auditLog.count() };
  for (const [target, token] of [
    [ids.cheSource, tokens.focalFra],
    [ids.cheSubmission, tokens.focalFra],
    [ids.cheAdoption, tokens.focalFra],
    [ids.imm, tokens.reader],
  ] as const) {
    const refused = (await add(target!, 'no', token)).errors?.[0];
    expect(refused?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused?.message).toBe(
      token === tokens.reader
        ? 'Your role (READER) may not use Mutation.addComment'
        : "A FOCAL_POINT token may use Mutation.addComment only on its own country's data",
    );
  }
  expect((await add(ids.imm!, 'no')).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  expect(data(await add(ids.imm!, '   ', tokens.taskForce)).addComment).toEqual({
    __typename: 'ValidationError',
    message: 'input.body: must not be empty',
    issues: [{ path: ['input', 'body'], message: 'must not be empty' }],
  });
  const wrongType = data(await add(ids.country!, 'a country is not commentable', tokens.taskForce)).addComment;
  expect(wrongType.__typename).toBe('ValidationError');
  expect(wrongType.issues?.[0]).toEqual({
    path: ['input', 'target'],
    message: 'must be the id of an Indicator, a Submission, a DataSource, or an AdoptionRecord',
  });
  const gone = Buffer.from('Indicator:999999').toString('base64');
  expect(data(await add(gone, 'hello?', tokens.taskForce)).addComment.__typename).toBe('NotFoundError');
  expect({ comments: await commentCount(), audit: await hub.db.prisma.auditLog.count() }).toEqual(before);
});

const LIST = `
  query Comments($filter: CommentFilter) {
    comments(filter: $filter) {
      totalCount
      nodes { id body status author overdue target { __typename ... on Indicator { code } ... on DataSource { code }
        ... on Submission { referenceYear country { iso3 } } ... on AdoptionRecord { recommendation { code } } } }
    }
  }`;

interface Listed {
  comments: {
    totalCount: number;
    nodes: {
      id: string;
      body: string;
      status: string;
      author: string;
      overdue: boolean;
      target: Record<string, unknown> | null;
    }[];
  };
}

const list = async (token?: string, filter?: object) =>
  data(await hub.gql<Listed, object>(LIST, { filter }, { token })).comments;

test('who sees what, newest first', async () => {
  expect((await list()).totalCount).toBe(0);
  expect((await list(tokens.reader)).totalCount).toBe(0);
  const tf = await list(tokens.taskForce);
  expect(tf.nodes.map((n) => n.body)).toEqual([
    'Evidence, please',
    'Provisional figure',
    'Which census round?',
    'Our register cannot split by group.',
    'Should refugees be included?',
  ]);
  expect(tf.nodes.map((n) => n.target?.__typename)).toEqual([
    'AdoptionRecord',
    'Submission',
    'DataSource',
    'Indicator',
    'Indicator',
  ]);
  expect((await list(tokens.focalChe)).nodes.map((n) => n.body)).toEqual([
    'Evidence, please',
    'Which census round?',
    'Our register cannot split by group.',
    'Should refugees be included?',
  ]);
  expect((await list(tokens.focalFra)).nodes.map((n) => n.body)).toEqual([
    'Provisional figure',
    'Our register cannot split by group.',
    'Should refugees be included?',
  ]);
  // node(id) follows the same rule.
  const cheComment = tf.nodes[0]!.id;
  const node = `query($id: ID!) { node(id: $id) { ... on Comment { body } } }`;
  expect(
    data(await hub.gql<{ node: unknown }, object>(node, { id: cheComment }, { token: tokens.focalFra })).node,
  ).toBeNull();
  expect(data(await hub.gql<{ node: unknown }, object>(node, { id: cheComment })).node).toBeNull();
  expect(
    data(await hub.gql<{ node: unknown }, object>(node, { id: cheComment }, { token: tokens.focalChe })).node,
  ).toEqual({
    body: 'Evidence, please',
  });
});

test('rejecting a submission opens a thread with the reason, which the focal point answers', async () => {
  const sub = data(
    await hub.gql<{ submission: { revision: number } }, object>(
      `query($id: ID!) { submission(id: $id) { revision } }`,
      { id: ids.cheSubmission },
      { token: tokens.taskForce },
    ),
  ).submission;
  const rejected = data(
    await hub.gql<{ rejectSubmission: { __typename: string } }, object>(
      `mutation($input: RejectSubmissionInput!) { rejectSubmission(input: $input) { __typename } }`,
      { input: { id: ids.cheSubmission, expectedRevision: sub.revision, reason: 'Totals do not match the census' } },
      { token: tokens.taskForce },
    ),
  );
  expect(rejected.rejectSubmission.__typename).toBe('RejectSubmissionPayload');
  const thread = await list(tokens.focalChe, { target: ids.cheSubmission });
  expect(thread.nodes).toEqual([
    {
      id: expect.any(String),
      body: 'Rejected: Totals do not match the census',
      status: 'OPEN',
      author: 'task_force',
      overdue: false,
      target: { __typename: 'Submission', referenceYear: 2020, country: { iso3: 'CHE' } },
    },
  ]);
  data(await add(ids.cheSubmission!, 'Corrected totals follow in version 2', tokens.focalChe));
  const onSubmission = data(
    await hub.gql<{ submission: { comments: { totalCount: number; nodes: { body: string }[] } } }, object>(
      `query($id: ID!) { submission(id: $id) { comments { totalCount nodes { body } } } }`,
      { id: ids.cheSubmission },
      { token: tokens.focalChe },
    ),
  ).submission.comments;
  expect(onSubmission.nodes.map((n) => n.body)).toEqual([
    'Corrected totals follow in version 2',
    'Rejected: Totals do not match the census',
  ]);
  expect((await list(tokens.focalFra, { target: ids.cheSubmission })).totalCount).toBe(0);
});

test('filters: status, country, target and what is overdue', async () => {
  expect((await list(tokens.taskForce, { country: 'CHE' })).totalCount).toBe(4);
  expect((await list(tokens.taskForce, { country: 'FRA' })).totalCount).toBe(1);
  const overdue = await list(tokens.taskForce, { status: 'OPEN', dueBefore: new Date().toISOString() });
  expect(overdue.nodes.map((n) => [n.body, n.overdue])).toEqual([['Should refugees be included?', true]]);
  expect((await list(tokens.taskForce, { target: ids.imm })).nodes.map((n) => n.body)).toEqual([
    'Should refugees be included?',
  ]);
  const bad = await hub.gql(LIST, { filter: { target: 'nonsense' } }, { token: tokens.taskForce });
  expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
});

test('resolve and reopen, by whoever may write on the item; audited', async () => {
  const [rejection] = (await list(tokens.focalChe, { target: ids.cheSubmission })).nodes.slice(-1);
  const RESOLVE = `mutation($input: ResolveCommentInput!) { resolveComment(input: $input) {
    __typename ... on ResolveCommentPayload { comment { status resolvedBy resolvedAt } } } }`;
  const REOPEN = `mutation($input: ReopenCommentInput!) { reopenComment(input: $input) {
    __typename ... on ReopenCommentPayload { comment { status resolvedBy } } } }`;
  const refused = await hub.gql(RESOLVE, { input: { id: rejection!.id } }, { token: tokens.focalFra });
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  const resolved = data(
    await hub.gql<{ resolveComment: { comment: { status: string; resolvedBy: string; resolvedAt: string } } }, object>(
      RESOLVE,
      { input: { id: rejection!.id } },
      { token: tokens.focalChe },
    ),
  ).resolveComment.comment;
  expect(resolved).toMatchObject({ status: 'RESOLVED', resolvedBy: 'focal_point-CHE' });
  expect((await list(tokens.taskForce, { status: 'RESOLVED' })).nodes.map((n) => n.body)).toEqual([
    'Rejected: Totals do not match the census',
  ]);
  const reopened = data(
    await hub.gql<{ reopenComment: { comment: unknown } }, object>(
      REOPEN,
      { input: { id: rejection!.id } },
      { token: tokens.taskForce },
    ),
  ).reopenComment.comment;
  expect(reopened).toEqual({ status: 'OPEN', resolvedBy: null });
  const actions = await hub.db.prisma.auditLog.findMany({
    where: { entityType: 'Comment' },
    orderBy: { id: 'asc' },
    select: { action: true, actor: true },
  });
  expect(actions.map((a) => `${a.action} ${a.actor}`)).toEqual([
    'comment.add task_force',
    'comment.add focal_point-CHE',
    'comment.add focal_point-CHE',
    'comment.add focal_point-FRA',
    'comment.add task_force',
    'comment.add task_force',
    'comment.add focal_point-CHE',
    'comment.resolve focal_point-CHE',
    'comment.reopen task_force',
  ]);
});

test("an item's open comments: its comments filtered by status and counted, per caller", async () => {
  // The Swiss submission's thread: the rejection (reopened above) and the focal point's answer, both OPEN.
  const ITEM = `query($id: ID!) { submission(id: $id) {
    open: comments(filter: { status: OPEN }) { totalCount nodes { body } }
    resolved: comments(filter: { status: RESOLVED }) { totalCount }
    all: comments { totalCount } } }`;
  type Item = {
    submission: { open: { totalCount: number; nodes: { body: string }[] }; resolved: { totalCount: number } } | null;
  };
  const item = async (token?: string) =>
    data(await hub.gql<Item, object>(ITEM, { id: ids.cheSubmission }, { token })).submission;
  expect(await item(tokens.focalChe)).toEqual({
    open: {
      totalCount: 2,
      nodes: [{ body: 'Corrected totals follow in version 2' }, { body: 'Rejected: Totals do not match the census' }],
    },
    resolved: { totalCount: 0 },
    all: { totalCount: 2 },
  });
  const [rejection] = (await list(tokens.taskForce, { target: ids.cheSubmission })).nodes.slice(-1);
  data(
    await hub.gql(
      `mutation($id: ID!) { resolveComment(input: { id: $id }) { __typename } }`,
      { id: rejection!.id },
      {
        token: tokens.taskForce,
      },
    ),
  );
  const after = {
    open: { totalCount: 1, nodes: [{ body: 'Corrected totals follow in version 2' }] },
    resolved: { totalCount: 1 },
    all: { totalCount: 2 },
  };
  expect(await item(tokens.taskForce)).toEqual(after);
  expect(await item(tokens.focalChe)).toEqual(after);
  // A rejected Swiss version does not exist for France's focal point or an anonymous caller.
  expect(await item(tokens.focalFra)).toBeNull();
  expect(await item()).toBeNull();
  // A catalogue item every caller reads: its comments are internal, so none are open for an anonymous caller.
  const OPEN_ON_INDICATOR = `{ indicator(code: "IMM_STOCK") { comments(filter: { status: OPEN }) { totalCount } } }`;
  const open = async (token?: string) =>
    data(await hub.gql<{ indicator: { comments: { totalCount: number } } }, object>(OPEN_ON_INDICATOR, {}, { token }))
      .indicator.comments.totalCount;
  expect([await open(tokens.taskForce), await open(tokens.focalFra), await open(tokens.reader), await open()]).toEqual([
    1, 1, 0, 0,
  ]);
});

test("a comment's body is free text, as long as the rejection reason it may answer (README Limits: 10 000)", async () => {
  const reply = 'The census office revised the totals. '.repeat(200).trim(); // 7 599 characters
  const added = data(await add(ids.cheSubmission!, reply, tokens.focalChe)).addComment;
  expect([added.__typename, added.comment?.body.length]).toEqual(['AddCommentPayload', reply.length]);
  const tooLong = await add(ids.cheSubmission!, 'x'.repeat(10_001), tokens.focalChe);
  expect(tooLong.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
    [
      'BAD_USER_INPUT',
      expect.stringContaining('"input.body" on addComment is too long: 10001 characters, at most 10000'),
    ],
  ]);
});

test('its author corrects a comment (text, due date); nobody else may; the audit log keeps the text before', async () => {
  const EDIT = `mutation($input: EditCommentInput!) { editComment(input: $input) {
    __typename
    ... on EditCommentPayload { comment { body dueDate lastEditedAt viewerCanUpdate } }
    ... on Error { message }
    ... on ValidationError { issues { path message } }
  } }`;
  type Edited = {
    editComment: {
      __typename: string;
      message?: string;
      issues?: { path: string[]; message: string }[];
      comment?: { body: string; dueDate: string | null; lastEditedAt: string | null; viewerCanUpdate: boolean };
    };
  };
  const edit = (input: object, token?: string) => hub.gql<Edited, object>(EDIT, { input }, { token });
  const added = data(await add(ids.cheSource!, 'Census 2020 tabels are late', tokens.focalChe, '2027-01-31T00:00:00Z'));
  const id = added.addComment.comment!.id;
  const THREAD = `query($target: ID!) { comments(filter: { target: $target }) {
    nodes { id body lastEditedAt viewerCanUpdate } } }`;
  const thread = async (token: string) =>
    data(
      await hub.gql<
        { comments: { nodes: { id: string; lastEditedAt: string | null; viewerCanUpdate: boolean }[] } },
        object
      >(THREAD, { target: ids.cheSource }, { token }),
    ).comments.nodes.find((c) => c.id === id)!;
  expect(await thread(tokens.focalChe)).toMatchObject({ lastEditedAt: null, viewerCanUpdate: true });
  expect(await thread(tokens.taskForce)).toMatchObject({ viewerCanUpdate: false });

  // Refused, and nothing changes: the task force (not its author), a reader, anonymous, another country's focal point
  // (to whom it does not exist), an empty text.
  const audited = () => hub.db.prisma.auditLog.count({ where: { action: 'comment.edit' } });
  const forbidden = await edit({ id, body: 'Edited by someone else' }, tokens.taskForce);
  expect(forbidden.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
    ['FORBIDDEN', 'Only the token that wrote it may use Mutation.editComment on it'],
  ]);
  expect((await edit({ id, body: 'x' }, tokens.reader)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await edit({ id, body: 'x' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(data(await edit({ id, body: 'x' }, tokens.focalFra)).editComment).toMatchObject({
    __typename: 'NotFoundError',
  });
  expect(data(await edit({ id, body: '  ' }, tokens.focalChe)).editComment).toMatchObject({
    __typename: 'ValidationError',
    issues: [{ path: ['input', 'body'], message: 'must not be empty' }],
  });
  expect(await audited()).toBe(0);
  expect(await thread(tokens.focalChe)).toMatchObject({ body: 'Census 2020 tabels are late', lastEditedAt: null });

  // The author: a typo fixed, the due date left; then the due date cleared, the text left.
  const fixed = data(await edit({ id, body: 'Census 2020 tables are late' }, tokens.focalChe)).editComment.comment!;
  expect(fixed).toMatchObject({ body: 'Census 2020 tables are late', dueDate: '2027-01-31T00:00:00.000Z' });
  expect(fixed.lastEditedAt).toEqual(expect.any(String));
  const cleared = data(await edit({ id, dueDate: null }, tokens.focalChe)).editComment.comment!;
  expect(cleared).toMatchObject({ body: 'Census 2020 tables are late', dueDate: null, viewerCanUpdate: true });
  // Nothing to change: no edit, no audit entry.
  data(await edit({ id, body: 'Census 2020 tables are late' }, tokens.focalChe));
  const entries = await hub.db.prisma.auditLog.findMany({
    where: { action: 'comment.edit' },
    orderBy: { id: 'asc' },
    select: { actor: true, before: true, after: true },
  });
  expect(entries).toEqual([
    {
      actor: 'focal_point-CHE',
      before: expect.objectContaining({ body: 'Census 2020 tabels are late' }),
      after: expect.objectContaining({ body: 'Census 2020 tables are late' }),
    },
    {
      actor: 'focal_point-CHE',
      before: expect.objectContaining({ dueDate: '2027-01-31T00:00:00.000Z' }),
      after: expect.objectContaining({ dueDate: null }),
    },
  ]);
});
