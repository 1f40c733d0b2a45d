// Catalogue curation with care (issue 8 item 6): edits are checked against the revision the client saw (two
// task-force members editing the same item: one wins, the other gets a ConflictError and changes nothing),
// un-retiring is an explicit mutation rather than a side effect of `status: ACTIVE`, and every problem of an input
// is reported at once.
import { createToken } from '../../src/access/tokens.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let alice: string;
let bob: string;
beforeAll(async () => {
  hub = await startHub();
  alice = (await createToken(hub.db.prisma, { role: 'TASK_FORCE', name: 'alice' })).token;
  bob = (await createToken(hub.db.prisma, { role: 'TASK_FORCE', name: 'bob' })).token;
});
afterAll(() => hub?.close());

interface Result {
  __typename: string;
  message?: string;
  issues?: { path: string[]; message: string }[];
  indicator?: { code: string; name: string; status: string; revision: number };
}

const INDICATOR = `id code name status revision`;
const ERRORS = `... on Error { message } ... on ValidationError { issues { path message } }`;
const mutate = async (name: string, input: object, token: string) =>
  data(
    await hub.gql<Record<string, Result>, object>(
      `mutation($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) {
        __typename ... on ${name.charAt(0).toUpperCase()}${name.slice(1)}Payload { indicator { ${INDICATOR} } } ${ERRORS} } }`,
      { input },
      { token },
    ),
  )[name]!;
const indicator = async (code: string) =>
  data(
    await hub.gql<{ indicator: { id: string; code: string; name: string; status: string; revision: number } }, object>(
      `query($code: String!) { indicator(code: $code) { ${INDICATOR} } }`,
      { code },
    ),
  ).indicator;
const audits = (action: string) => hub.db.prisma.auditLog.count({ where: { action } });

test('two task-force members edit the same indicator: one wins, the other gets a ConflictError', async () => {
  const seen = await indicator('NET_MIGRATION');
  expect(seen.revision).toBe(1);
  const before = await audits('indicator.update');
  const first = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: 1, name: 'Net migration (alice)' },
    alice,
  );
  expect(first.indicator).toMatchObject({ name: 'Net migration (alice)', revision: 2 });
  const second = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: 1, name: 'Net migration (bob)' },
    bob,
  );
  expect(second).toEqual({
    __typename: 'ConflictError',
    message: 'Indicator NET_MIGRATION changed meanwhile: it is at revision 2, not 1; reload and retry',
  });
  expect(await indicator('NET_MIGRATION')).toMatchObject({ name: 'Net migration (alice)', revision: 2 });
  expect(await audits('indicator.update')).toBe(before + 1);
  // Bob reloads and retries.
  const retry = await mutate('updateIndicator', { id: seen.id, expectedRevision: 2, name: 'Net migration (bob)' }, bob);
  expect(retry.indicator).toMatchObject({ name: 'Net migration (bob)', revision: 3 });
});

test('concurrent edits with the same revision: exactly one wins', async () => {
  const seen = await indicator('REFUGEE_STOCK');
  const results = await Promise.all(
    [alice, bob].map((token, i) =>
      mutate('updateIndicator', { id: seen.id, expectedRevision: seen.revision, name: `Refugees ${i}` }, token),
    ),
  );
  expect(results.map((r) => r.__typename).sort()).toEqual(['ConflictError', 'UpdateIndicatorPayload']);
  expect((await indicator('REFUGEE_STOCK')).revision).toBe(seen.revision + 1);
});

test('retiring and un-retiring are explicit mutations; an edit cannot change the status', async () => {
  const seen = await indicator('STOCK_GROWTH');
  const viaEdit = await mutate('updateIndicator', { id: seen.id, status: 'RETIRED' }, alice);
  expect(viaEdit).toEqual({
    __typename: 'ValidationError',
    message: 'input.status: use retireIndicator to change the status of STOCK_GROWTH',
    issues: [{ path: ['input', 'status'], message: 'use retireIndicator to change the status of STOCK_GROWTH' }],
  });
  const stale = await mutate('retireIndicator', { id: seen.id, expectedRevision: seen.revision + 5 }, alice);
  expect(stale.__typename).toBe('ConflictError');
  const retired = await mutate(
    'retireIndicator',
    { id: seen.id, expectedRevision: seen.revision, reason: 'merged' },
    alice,
  );
  expect(retired.indicator).toMatchObject({ status: 'RETIRED', revision: seen.revision + 1 });
  // `status: ACTIVE` in an edit no longer brings it back.
  const back = await mutate('updateIndicator', { id: seen.id, status: 'ACTIVE', name: 'Growth' }, alice);
  expect(back.issues).toEqual([
    { path: ['input', 'status'], message: 'use unretireIndicator to change the status of STOCK_GROWTH' },
  ]);
  expect(await indicator('STOCK_GROWTH')).toMatchObject({ status: 'RETIRED', name: seen.name });
  // The current status is accepted in an edit.
  expect(
    (await mutate('updateIndicator', { id: seen.id, status: 'RETIRED', name: 'Stock growth rate' }, alice)).indicator,
  ).toMatchObject({ status: 'RETIRED', name: 'Stock growth rate' });
  const unretired = await mutate('unretireIndicator', { id: seen.id, reason: 'needed for SDG 10.7' }, bob);
  expect(unretired.indicator).toMatchObject({ status: 'ACTIVE', revision: seen.revision + 3 });
  const again = await mutate('unretireIndicator', { id: seen.id }, bob);
  expect(again).toEqual({ __typename: 'ConflictError', message: 'Indicator STOCK_GROWTH is not retired' });
  const log = await hub.db.prisma.auditLog.findFirst({ where: { action: 'indicator.unretire' } });
  expect(log).toMatchObject({
    actor: 'bob',
    entityKey: 'STOCK_GROWTH',
    before: { status: 'RETIRED' },
    after: { status: 'ACTIVE', reason: 'needed for SDG 10.7' },
  });
});

test('every problem of an update at once: formats, duplicates and unknown codes together', async () => {
  const seen = await indicator('TEMP_MOVERS');
  const result = await mutate(
    'updateIndicator',
    {
      id: seen.id,
      unit: 'persons',
      topics: ['NOPE', 'ARRIVAL', 'ARRIVAL'],
      sdgIndicators: ['10.7.2', '99.9.9', 'x'],
      gcmObjectives: [1, 24],
      disaggregations: ['SEX', 'NOT_A_VARIABLE'],
    },
    alice,
  );
  expect(result.__typename).toBe('ValidationError');
  expect(result.issues).toEqual([
    { path: ['input', 'unit'], message: 'must be an upper-case unit code such as PERSONS or PERCENT' },
    { path: ['input', 'sdgIndicators', '2'], message: 'must be an SDG indicator or target code such as 10.7.2' },
    { path: ['input', 'gcmObjectives', '1'], message: 'must be 1–23' },
    { path: ['input', 'topics', '2'], message: 'duplicate ARRIVAL' },
    { path: ['input', 'topics', '0'], message: 'unknown topic NOPE' },
    { path: ['input', 'disaggregations', '1'], message: 'unknown variable NOT_A_VARIABLE' },
    { path: ['input', 'sdgIndicators', '1'], message: 'unknown SDG indicator 99.9.9' },
  ]);
  expect(await indicator('TEMP_MOVERS')).toEqual(seen);
});

test('topics and variables are revision-checked too', async () => {
  const { topic, variable } = data(
    await hub.gql<{ topic: { id: string; revision: number }; variable: { id: string; revision: number } }, object>(
      `{ topic(code: "COB") { id revision } variable(code: "SEX") { id revision } }`,
    ),
  );
  const T = `mutation($input: UpdateTopicInput!) { updateTopic(input: $input) { __typename ... on UpdateTopicPayload { topic { revision } } ${ERRORS} } }`;
  const V = `mutation($input: UpdateVariableInput!) { updateVariable(input: $input) { __typename ... on UpdateVariablePayload { variable { revision } } ${ERRORS} } }`;
  const run = async (doc: string, input: object, token: string) =>
    Object.values(
      data(
        await hub.gql<
          Record<string, Result & { topic?: { revision: number }; variable?: { revision: number } }>,
          object
        >(doc, { input }, { token }),
      ),
    )[0]!;
  expect(
    (await run(T, { id: topic.id, expectedRevision: topic.revision, name: 'Country of birth' }, alice)).topic,
  ).toEqual({
    revision: topic.revision + 1,
  });
  expect((await run(T, { id: topic.id, expectedRevision: topic.revision, name: 'Birthplace' }, bob)).__typename).toBe(
    'ConflictError',
  );
  expect((await run(V, { id: variable.id, expectedRevision: variable.revision, name: 'Sex' }, alice)).variable).toEqual(
    {
      revision: variable.revision + 1,
    },
  );
  expect((await run(V, { id: variable.id, expectedRevision: variable.revision, name: 'Gender' }, bob)).__typename).toBe(
    'ConflictError',
  );
});
