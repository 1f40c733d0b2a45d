// One way to target (issue 12, README "Targeting", src/schema/target.ts): a mutation acting on an existing node takes
// its global `id`, or, for entities people know by code, the code under the entity's name — exactly one of the two.
// Each targeted mutation gives the same result by id and by code; both or neither is a ValidationError naming both
// fields; an unknown code is a NotFoundError worded like every unknown code (`input.indicator: no indicator with code
// "NOPE"`). Links and population accounts, which are not nodes, name their ends the same way (`indicatorId` or
// `indicator`, `sourceTypeId` or `sourceType`, `countryId` or `country`).
import { encodeGlobalID } from '@pothos/plugin-relay';
import { getNamedType, isInputObjectType, isNonNullType, isObjectType } from 'graphql';
import { data, mutateEach, startHubAsAdmin, type Hub } from '../support/hub.js';
import { clientSchema, dummyValue } from '../support/introspection.js';

let hub: Hub;
let admin: string;
const ids: Record<string, string> = {};

type Result = { __typename: string; message?: string; issues?: { path: string[]; message: string }[] } & Record<
  string,
  unknown
>;

async function call(mutation: string, input: Record<string, unknown>, payload: string, token = admin) {
  const inputType = mutation[0]!.toUpperCase() + mutation.slice(1) + 'Input';
  const result = await hub.gql<Record<string, Result>, unknown>(
    `mutation ($input: ${inputType}!) {
      ${mutation}(input: $input) {
        __typename
        ... on Error { message }
        ... on ValidationError { issues { path message } }
        ${payload}
      }
    }`,
    { input },
    { token },
  );
  return result.errors ? { __typename: 'errors', errors: result.errors } : result.data![mutation]!;
}

beforeAll(async () => {
  ({ hub, admin } = await startHubAsAdmin());
  const p = hub.db.prisma;
  const id = async (type: string, find: Promise<{ id: number }>) => encodeGlobalID(type, (await find).id);
  ids.indicator = await id('Indicator', p.indicator.findUniqueOrThrow({ where: { code: 'IMM_STOCK' } }));
  ids.topic = await id('Topic', p.topic.findUniqueOrThrow({ where: { code: 'COB' } }));
  ids.variable = await id('Variable', p.variable.findUniqueOrThrow({ where: { code: 'SEX' } }));
  ids.recommendation = await id(
    'Recommendation',
    p.recommendation.findUniqueOrThrow({ where: { code: 'REC_RESIDENCE' } }),
  );
  ids.sourceType = await id('SourceType', p.sourceType.findUniqueOrThrow({ where: { code: 'CENSUS' } }));
  ids.country = await id('Country', p.country.findUniqueOrThrow({ where: { iso3: 'CHE' } }));
  const made = await mutateEach<Record<string, Result>>(hub, admin, {
    a: `createDataSource(input: { code: "CHE_T", country: "CHE", sourceType: "CENSUS", name: "Census" }) {
      __typename ... on CreateDataSourcePayload { dataSource { id } } }`,
    b: `createDataSource(input: { code: "FRA_T", country: "FRA", sourceType: "CENSUS", name: "Census" }) { __typename }`,
    importPopulationAccounts: `importPopulationAccounts(input: { csv: "country,year,group,component,value\\nCHE,2020,NATIVE_BORN_CITIZENS,OPENING_STOCK,5000\\nCHE,2020,NATIVE_BORN_CITIZENS,BIRTHS,80\\n" }) {
      __typename }`,
  });
  ids.dataSource = (made.a!.dataSource as { id: string }).id;
});
afterAll(() => hub?.close());

/** The current revision of a node, read through the API. */
async function revision(id: string): Promise<number> {
  const r = data(
    await hub.gql<{ node: { revision: number } }, unknown>(
      `query ($id: ID!) { node(id: $id) { ... on Indicator { revision } ... on Topic { revision }
        ... on Variable { revision } ... on Recommendation { revision } } }`,
      { id },
    ),
  );
  return r.node.revision;
}

/** A payload without what every successful write changes (the revision and the time). */
const stable = (r: Result) =>
  JSON.parse(JSON.stringify(r, (k, v) => (k === 'revision' || k === 'updatedAt' ? undefined : v)));

interface Targeted {
  mutation: string;
  /** The global id, and the code under the entity's name. */
  byId: () => Record<string, unknown>;
  byCode: Record<string, unknown>;
  /** The fields named in the ValidationError for both/neither. */
  fields: [string, string];
  /** The rest of the input (with the current revision where there is one). */
  rest: () => Promise<Record<string, unknown>>;
  payload: string;
  /** The unknown-code message. */
  unknown: string;
}

const revisioned = (key: string, extra: Record<string, unknown>) => async () => ({
  expectedRevision: await revision(ids[key]!),
  ...extra,
});

const TARGETED: Targeted[] = [
  {
    mutation: 'updateIndicator',
    byId: () => ({ id: ids.indicator }),
    byCode: { indicator: 'IMM_STOCK' },
    fields: ['id', 'indicator'],
    rest: revisioned('indicator', { name: 'International migrant stock' }),
    payload: '... on UpdateIndicatorPayload { indicator { id code name revision } }',
    unknown: 'input.indicator: no indicator with code "NOPE"',
  },
  {
    mutation: 'confirmIndicatorFields',
    byId: () => ({ id: ids.indicator }),
    byCode: { indicator: 'IMM_STOCK' },
    fields: ['id', 'indicator'],
    rest: revisioned('indicator', {}),
    payload: '... on ConfirmIndicatorFieldsPayload { indicator { id code provisionalFields } }',
    unknown: 'input.indicator: no indicator with code "NOPE"',
  },
  {
    mutation: 'updateTopic',
    byId: () => ({ id: ids.topic }),
    byCode: { topic: 'COB' },
    fields: ['id', 'topic'],
    rest: revisioned('topic', { name: 'Country of birth' }),
    payload: '... on UpdateTopicPayload { topic { id code name revision } }',
    unknown: 'input.topic: no topic with code "NOPE"',
  },
  {
    mutation: 'updateVariable',
    byId: () => ({ id: ids.variable }),
    byCode: { variable: 'SEX' },
    fields: ['id', 'variable'],
    rest: revisioned('variable', { name: 'Sex' }),
    payload: '... on UpdateVariablePayload { variable { id code name revision } }',
    unknown: 'input.variable: no variable with code "NOPE"',
  },
  {
    mutation: 'updateRecommendation',
    byId: () => ({ id: ids.recommendation }),
    byCode: { recommendation: 'REC_RESIDENCE' },
    fields: ['id', 'recommendation'],
    rest: revisioned('recommendation', { sourceUrl: 'https://example.org/rec' }),
    payload: '... on UpdateRecommendationPayload { recommendation { id code sourceUrl revision } }',
    unknown: 'input.recommendation: no recommendation with code "NOPE"',
  },
  {
    mutation: 'updateDataSource',
    byId: () => ({ id: ids.dataSource }),
    byCode: { dataSource: 'CHE_T' },
    fields: ['id', 'dataSource'],
    rest: async () => ({ name: 'Census 2020', latestYear: 2020 }),
    payload: '... on UpdateDataSourcePayload { dataSource { id code name latestYear } }',
    unknown: 'input.dataSource: no data source with code "NOPE"',
  },
  {
    mutation: 'linkIndicatorSourceType',
    byId: () => ({ indicatorId: ids.indicator, sourceTypeId: ids.sourceType }),
    byCode: { indicator: 'IMM_STOCK', sourceType: 'CENSUS' },
    fields: ['indicatorId', 'indicator'],
    rest: async () => ({ suitability: 'SECONDARY', note: 'n' }),
    payload: '... on LinkIndicatorSourceTypePayload { link { indicator { id } sourceType { id } suitability note } }',
    unknown: 'input.indicator: no indicator with code "NOPE"',
  },
  {
    mutation: 'publishPopulationAccount',
    byId: () => ({ countryId: ids.country }),
    byCode: { country: 'CHE' },
    fields: ['countryId', 'country'],
    rest: async () => ({ year: 2020 }),
    payload: '... on PublishPopulationAccountPayload { entries }',
    unknown: 'input.country: no country with code "NOPE"',
  },
];

describe.each(TARGETED)('$mutation', (m) => {
  // `rest` may name the other end of a link by code; the target fields given here take precedence.
  const without = (rest: Record<string, unknown>, drop: string[]) =>
    Object.fromEntries(Object.entries(rest).filter(([k]) => !drop.includes(k)));

  test('by id and by code: the same result', async () => {
    const byId = await call(m.mutation, { ...(await m.rest()), ...m.byId() }, m.payload);
    const byCodeInput = { ...without(await m.rest(), Object.keys(m.byId())), ...m.byCode };
    const byCode = await call(m.mutation, byCodeInput, m.payload);
    expect(byId.__typename).toMatch(/Payload$/);
    expect(stable(byCode)).toEqual(stable(byId));
  });

  test('both or neither: a ValidationError naming both fields', async () => {
    const rest = without(await m.rest(), m.fields);
    const both = await call(m.mutation, { ...rest, ...m.byId(), ...m.byCode }, m.payload);
    const neither = await call(m.mutation, without(rest, m.fields), m.payload);
    const message = `give exactly one of ${m.fields[0]} and ${m.fields[1]}`;
    for (const r of [both, neither]) {
      expect(r.__typename).toBe('ValidationError');
      expect(r.issues).toEqual(expect.arrayContaining(m.fields.map((field) => ({ path: ['input', field], message }))));
    }
  });

  test('an unknown code: a NotFoundError worded like every unknown code', async () => {
    const [, codeField] = m.fields;
    const input = { ...without(await m.rest(), Object.keys(m.byId())), ...m.byCode, [codeField]: 'NOPE' };
    const r = await call(m.mutation, input, m.payload);
    expect({ __typename: r.__typename, message: r.message }).toEqual({
      __typename: 'NotFoundError',
      message: m.unknown,
    });
  });
});

test('retire and unretire: by id and by code, the same result', async () => {
  const payload = (name: string) => `... on ${name}Payload { indicator { id code status } }`;
  const results: Result[] = [];
  for (const target of [{ id: ids.indicator }, { indicator: 'IMM_STOCK' }]) {
    for (const m of ['retireIndicator', 'unretireIndicator']) {
      const input = { ...target, expectedRevision: await revision(ids.indicator!), reason: 'test' };
      results.push(stable(await call(m, input, payload(m[0]!.toUpperCase() + m.slice(1)))));
    }
  }
  expect(results[0]!.indicator).toEqual({ id: ids.indicator, code: 'IMM_STOCK', status: 'RETIRED' });
  expect(results.slice(2)).toEqual(results.slice(0, 2));
  const both = await call('retireIndicator', { id: ids.indicator, indicator: 'IMM_STOCK', expectedRevision: 1 }, '');
  expect(both.__typename).toBe('ValidationError');
  const unknown = await call('unretireIndicator', { indicator: 'NOPE', expectedRevision: 1 }, '');
  expect(unknown.message).toBe('input.indicator: no indicator with code "NOPE"');
});

test('unlink: by ids and by codes, the same result; each end may be named either way', async () => {
  const payload = '... on UnlinkIndicatorSourceTypePayload { indicator { id } sourceType { id } }';
  const link = (ends: Record<string, unknown>) =>
    call('linkIndicatorSourceType', { ...ends, suitability: 'PRIMARY' }, '');
  expect((await link({ indicator: 'IMM_STOCK', sourceTypeId: ids.sourceType })).__typename).toBe(
    'LinkIndicatorSourceTypePayload',
  );
  const byId = await call(
    'unlinkIndicatorSourceType',
    { indicatorId: ids.indicator, sourceTypeId: ids.sourceType },
    payload,
  );
  await link({ indicatorId: ids.indicator, sourceType: 'CENSUS' });
  const byCode = await call('unlinkIndicatorSourceType', { indicator: 'IMM_STOCK', sourceType: 'CENSUS' }, payload);
  expect(byId.__typename).toBe('UnlinkIndicatorSourceTypePayload');
  expect(byCode).toEqual(byId);
  // Both ends wrong at once: every problem in one ValidationError.
  const bad = await call('unlinkIndicatorSourceType', { indicatorId: 'x', indicator: 'IMM_STOCK' }, payload);
  expect(bad.issues!.map((i) => i.path.join('.'))).toEqual([
    'input.indicatorId',
    'input.indicator',
    'input.sourceTypeId',
    'input.sourceType',
  ]);
  const unknown = await call('unlinkIndicatorSourceType', { indicator: 'IMM_STOCK', sourceType: 'NOPE' }, payload);
  expect(unknown.message).toBe('input.sourceType: no source type with code "NOPE"');
});

test('revokeToken: by id or by prefix, exactly one of the two', async () => {
  const tokens = data(
    await hub.gql<{ tokens: { nodes: { id: string; prefix: string; role: string }[] } }, unknown>(
      `{ tokens(first: 100) { nodes { id prefix role } } }`,
      undefined,
      { token: admin },
    ),
  ).tokens.nodes;
  await hub.token('READER');
  await hub.token('READER');
  const readers = data(
    await hub.gql<{ tokens: { nodes: { id: string; prefix: string; role: string }[] } }, unknown>(
      `{ tokens(first: 100) { nodes { id prefix role } } }`,
      undefined,
      { token: admin },
    ),
  ).tokens.nodes.filter((t) => t.role === 'READER' && !tokens.some((o) => o.id === t.id));
  const payload = '... on RevokeTokenPayload { revokedCount }';
  expect(await call('revokeToken', { id: readers[0]!.id }, payload)).toMatchObject({ revokedCount: 1 });
  expect(await call('revokeToken', { prefix: readers[1]!.prefix }, payload)).toMatchObject({ revokedCount: 1 });
  for (const input of [{}, { id: readers[0]!.id, prefix: readers[1]!.prefix }]) {
    const r = await call('revokeToken', input, payload);
    expect(r.issues).toEqual([
      { path: ['input', 'id'], message: 'give exactly one of id and prefix' },
      { path: ['input', 'prefix'], message: 'give exactly one of id and prefix' },
    ]);
  }
});

test("a focal point updates its own country's data source by code, not another country's", async () => {
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const payload = '... on UpdateDataSourcePayload { dataSource { code latestYear } }';
  const own = await call('updateDataSource', { dataSource: 'CHE_T', latestYear: 2021 }, payload, focal);
  expect(own).toMatchObject({ dataSource: { code: 'CHE_T', latestYear: 2021 } });
  const other = (await call('updateDataSource', { dataSource: 'FRA_T', latestYear: 2021 }, payload, focal)) as {
    errors?: { extensions: { code: string } }[];
  };
  expect(other.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
});

/**
 * The rule over the whole schema, so that a mutation added later follows it or fails here: every mutation whose input
 * takes an `id` or an `<entity>Id` also takes the entity's code under its name where the entity has a code, each
 * optional (exactly one is given). Which type an id field takes is asked of the mutation itself: given an id of no
 * type, it answers a ValidationError naming the type it wants (src/schema/global-id.ts), whatever the mutation is
 * called. Inputs that take no id are outside the rule: creations and imports (which name references by code), and
 * reportAdoption, whose code-only shape CONTRACT §8 pins.
 */
test('every mutation that targets by id also takes the code, where the entity has one', async () => {
  const schema = await clientSchema(hub);
  const problems: string[] = [];
  let checked = 0;
  for (const mutation of Object.values(schema.getMutationType()!.getFields())) {
    const input = getNamedType(mutation.args.find((a) => a.name === 'input')?.type);
    if (!input || !isInputObjectType(input)) continue;
    const fields = input.getFields();
    const idFields = Object.values(fields).filter(
      (f) => /^(id|[a-z]\w*Id)$/.test(f.name) && getNamedType(f.type).name === 'ID',
    );
    if (!idFields.length) continue;
    const probe = dummyValue(input) as Record<string, unknown>;
    for (const f of idFields) probe[f.name] = encodeGlobalID('NoSuchType', 1);
    const answer = await call(mutation.name, probe, '');
    for (const f of idFields) {
      const at = `${mutation.name}: input.${f.name}`;
      const wanted = answer.issues
        ?.find((i) => i.path.join('.') === `input.${f.name}`)
        ?.message.match(/^must be the id of an? (\w+)$/)?.[1];
      if (!wanted) {
        problems.push(`${at} accepted an id of no type: ${JSON.stringify(answer)}`);
        continue;
      }
      checked++;
      const type = schema.getType(wanted);
      // Country's codes are its M49 and ISO3 codes (CONTRACT §1); every other coded entity has `code`.
      if (!isObjectType(type) || !('code' in type.getFields() || wanted === 'Country')) continue;
      const codeField = f.name === 'id' ? wanted[0]!.toLowerCase() + wanted.slice(1) : f.name.slice(0, -2);
      if (f.name !== 'id' && codeField !== wanted[0]!.toLowerCase() + wanted.slice(1))
        problems.push(`${at} takes the id of a ${wanted}: name it after the entity`);
      const code = fields[codeField];
      if (!code || getNamedType(code.type).name !== 'String' || isNonNullType(code.type) || isNonNullType(f.type))
        problems.push(`${at} targets a ${wanted}: take \`${codeField}: String\` beside it, both optional`);
    }
  }
  expect(problems).toEqual([]);
  // The probe found the type of every id field (23 of them over 21 mutations when this was written).
  expect(checked).toBeGreaterThanOrEqual(20);
});
