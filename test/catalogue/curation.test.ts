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
  currentRevision?: number | null;
  issues?: { path: string[]; message: string }[];
  indicator?: { code: string; name: string; unit: string; status: string; revision: number };
}

const INDICATOR = `id code name unit status revision`;
const ERRORS = `... on Error { message } ... on ValidationError { issues { path message } }
  ... on ConflictError { currentRevision }`;
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
    await hub.gql<
      { indicator: { id: string; code: string; name: string; unit: string; status: string; revision: number } },
      object
    >(`query($code: String!) { indicator(code: $code) { ${INDICATOR} } }`, { code }),
  ).indicator;
const audits = (action: string) => hub.db.prisma.auditLog.count({ where: { action } });

test('two task-force members edit the same indicator: one wins, the other gets a ConflictError', async () => {
  const seen = await indicator('NET_MIGRATION');
  expect(seen).toMatchObject({ revision: 1, unit: 'PERSONS' });
  const before = await audits('indicator.update');
  const first = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: 1, name: 'Net migration (alice)' },
    alice,
  );
  expect(first.indicator).toMatchObject({ name: 'Net migration (alice)', revision: 2 });
  const afterAlice = await indicator('NET_MIGRATION');
  // Bob read revision 1 too, and sends it with his edit (of another field): the whole edit is refused.
  const second = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: 1, name: 'Net migration (bob)', unit: 'PERCENT' },
    bob,
  );
  expect(second).toEqual({
    __typename: 'ConflictError',
    message: 'Indicator NET_MIGRATION changed meanwhile: it is at revision 2, not 1; reload and retry',
    currentRevision: 2,
  });
  expect(await indicator('NET_MIGRATION')).toEqual(afterAlice);
  expect(await audits('indicator.update')).toBe(before + 1);
  // Bob reloads and retries.
  const retry = await mutate('updateIndicator', { id: seen.id, expectedRevision: 2, name: 'Net migration (bob)' }, bob);
  expect(retry.indicator).toMatchObject({ name: 'Net migration (bob)', revision: 3 });
});

test('every edit of an existing item must name the revision it read: without one it is refused, nothing changes', async () => {
  const read = async () =>
    data(
      await hub.gql<
        Record<'indicator' | 'topic' | 'variable' | 'recommendation', { id: string; revision: number }>,
        object
      >(
        `{ indicator(code: "EMI_FLOW") { id revision } topic(code: "COC") { id revision }
           variable(code: "AGE") { id revision } recommendation(code: "REC_FOUR_GROUPS") { id revision } }`,
      ),
    );
  const items = await read();
  const auditsBefore = await hub.db.prisma.auditLog.count();
  const edits: [string, string, object][] = [
    ['updateIndicator', items.indicator.id, { name: 'Lost update' }],
    ['retireIndicator', items.indicator.id, { reason: 'lost' }],
    ['unretireIndicator', items.indicator.id, { reason: 'lost' }],
    ['confirmIndicatorFields', items.indicator.id, {}],
    ['updateTopic', items.topic.id, { name: 'Lost update' }],
    ['updateVariable', items.variable.id, { name: 'Lost update' }],
    ['updateRecommendation', items.recommendation.id, { text: 'Lost update' }],
  ];
  for (const [name, id, changes] of edits) {
    const type = `${name.charAt(0).toUpperCase()}${name.slice(1)}Input`;
    const result = await hub.gql<object, object>(
      `mutation($input: ${type}!) { ${name}(input: $input) { __typename } }`,
      { input: { id, ...changes } },
      { token: alice },
    );
    expect({ name, data: result.data, error: result.errors?.[0]?.message }).toEqual({
      name,
      data: undefined,
      error: expect.stringContaining(`Field "expectedRevision" of required type "Int!" was not provided.`),
    });
  }
  expect(await read()).toEqual(items);
  expect(await hub.db.prisma.auditLog.count()).toBe(auditsBefore);
});

test('confirming provisional fields names the revision read: a stale one is a ConflictError, nothing changes', async () => {
  const CONFIRM = `mutation($input: ConfirmIndicatorFieldsInput!) { confirmIndicatorFields(input: $input) {
    __typename ... on ConfirmIndicatorFieldsPayload { indicator { revision provisionalFields } } ${ERRORS} } }`;
  const confirm = async (input: object, token: string) =>
    data(
      await hub.gql<
        { confirmIndicatorFields: Result & { indicator?: { revision: number; provisionalFields: string[] } } },
        object
      >(CONFIRM, { input }, { token }),
    ).confirmIndicatorFields;
  const read = async () =>
    data(
      await hub.gql<
        {
          indicator: { id: string; revision: number; tier: string; provisionalFields: string[]; provisional: string[] };
        },
        object
      >(`{ indicator(code: "IMM_FLOW") { id revision tier provisionalFields provisional } }`),
    ).indicator;
  const seen = await read();
  expect(seen.provisionalFields).toContain('tier');
  // Alice changes the provisional tier; Bob, who read the old one, confirms it: his confirmation is refused.
  const changedTier = seen.tier === 'CORE' ? 'ADDITIONAL' : 'CORE';
  const edited = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: seen.revision, tier: changedTier, provisionalFields: seen.provisional },
    alice,
  );
  expect(edited.indicator).toMatchObject({ revision: seen.revision + 1 });
  const afterAlice = await read();
  expect(await confirm({ id: seen.id, expectedRevision: seen.revision, fields: ['TIER'] }, bob)).toEqual({
    __typename: 'ConflictError',
    message: `Indicator IMM_FLOW changed meanwhile: it is at revision ${seen.revision + 1}, not ${seen.revision}; reload and retry`,
    currentRevision: seen.revision + 1,
  });
  expect(await read()).toEqual(afterAlice);
  // On the revision he reloads, the confirmation goes through.
  const confirmed = await confirm({ id: seen.id, expectedRevision: afterAlice.revision, fields: ['TIER'] }, bob);
  expect(confirmed.indicator?.revision).toBe(seen.revision + 2);
  expect(confirmed.indicator?.provisionalFields).not.toContain('tier');
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
  const viaEdit = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: seen.revision, status: 'RETIRED' },
    alice,
  );
  expect(viaEdit).toEqual({
    __typename: 'ValidationError',
    message: 'input.status: use retireIndicator to change the status of STOCK_GROWTH',
    issues: [{ path: ['input', 'status'], message: 'use retireIndicator to change the status of STOCK_GROWTH' }],
  });
  const stale = await mutate('retireIndicator', { id: seen.id, expectedRevision: seen.revision + 5 }, alice);
  expect(stale).toMatchObject({ __typename: 'ConflictError', currentRevision: seen.revision });
  const retired = await mutate(
    'retireIndicator',
    { id: seen.id, expectedRevision: seen.revision, reason: 'merged' },
    alice,
  );
  expect(retired.indicator).toMatchObject({ status: 'RETIRED', revision: seen.revision + 1 });
  // `status: ACTIVE` in an edit no longer brings it back.
  const back = await mutate(
    'updateIndicator',
    { id: seen.id, expectedRevision: seen.revision + 1, status: 'ACTIVE', name: 'Growth' },
    alice,
  );
  expect(back.issues).toEqual([
    { path: ['input', 'status'], message: 'use unretireIndicator to change the status of STOCK_GROWTH' },
  ]);
  expect(await indicator('STOCK_GROWTH')).toMatchObject({ status: 'RETIRED', name: seen.name });
  // The current status is accepted in an edit.
  expect(
    (
      await mutate(
        'updateIndicator',
        { id: seen.id, expectedRevision: seen.revision + 1, status: 'RETIRED', name: 'Stock growth rate' },
        alice,
      )
    ).indicator,
  ).toMatchObject({ status: 'RETIRED', name: 'Stock growth rate', revision: seen.revision + 2 });
  // Bob still holds the revision he read before Alice's edit of the name: un-retiring on it is refused.
  const staleBack = await mutate('unretireIndicator', { id: seen.id, expectedRevision: seen.revision + 1 }, bob);
  expect(staleBack).toMatchObject({ __typename: 'ConflictError', currentRevision: seen.revision + 2 });
  expect(await indicator('STOCK_GROWTH')).toMatchObject({ status: 'RETIRED', revision: seen.revision + 2 });
  const unretired = await mutate(
    'unretireIndicator',
    { id: seen.id, expectedRevision: seen.revision + 2, reason: 'needed for SDG 10.7' },
    bob,
  );
  expect(unretired.indicator).toMatchObject({ status: 'ACTIVE', revision: seen.revision + 3 });
  const again = await mutate('unretireIndicator', { id: seen.id, expectedRevision: seen.revision + 3 }, bob);
  expect(again).toEqual({
    __typename: 'ConflictError',
    message: 'Indicator STOCK_GROWTH is not retired',
    currentRevision: null,
  });
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
      expectedRevision: seen.revision,
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
