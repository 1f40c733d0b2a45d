// Catalogue curation through the API: happy paths, typed user errors, the audit trail, and all-or-nothing writes.
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';

let hub: Hub;
let token: string;
beforeAll(async () => {
  hub = await startHub();
  token = await hub.token('TASK_FORCE');
});
afterAll(() => hub?.close());

// The user-error fields every mutation below selects (codegen adds the fragment to the documents that spread it).
graphql(`
  fragment UserErrorFields on Error {
    __typename
    message
    ... on ValidationError {
      issues {
        path
        message
      }
    }
  }
`);

const CreateIndicator = graphql(`
  mutation CreateIndicator($input: CreateIndicatorInput!) {
    createIndicator(input: $input) {
      __typename
      ... on CreateIndicatorPayload {
        indicator {
          id
          code
          name
          tier
          status
          buildingBlock
          isProvisional
          provisionalFields
          topics {
            code
          }
          disaggregations {
            code
          }
          sdgIndicators {
            code
          }
          gcmObjectives {
            number
          }
        }
      }
      ...UserErrorFields
    }
  }
`);

const UpdateIndicator = graphql(`
  mutation UpdateIndicator($input: UpdateIndicatorInput!) {
    updateIndicator(input: $input) {
      __typename
      ... on UpdateIndicatorPayload {
        indicator {
          code
          name
          tier
          description
          provisionalFields
          topics {
            code
          }
          disaggregations {
            code
          }
        }
      }
      ...UserErrorFields
    }
  }
`);

const RetireIndicator = graphql(`
  mutation RetireIndicator($input: RetireIndicatorInput!) {
    retireIndicator(input: $input) {
      __typename
      ... on RetireIndicatorPayload {
        indicator {
          code
          status
        }
      }
      ...UserErrorFields
    }
  }
`);

const LinkSource = graphql(`
  mutation LinkSource($input: LinkIndicatorSourceTypeInput!) {
    linkIndicatorSourceType(input: $input) {
      __typename
      ... on LinkIndicatorSourceTypePayload {
        created
        link {
          suitability
          note
          indicator {
            code
          }
          sourceType {
            code
          }
        }
      }
      ...UserErrorFields
    }
  }
`);

const UnlinkSource = graphql(`
  mutation UnlinkSource($input: UnlinkIndicatorSourceTypeInput!) {
    unlinkIndicatorSourceType(input: $input) {
      __typename
      ... on UnlinkIndicatorSourceTypePayload {
        indicator {
          code
          candidateSourceTypes {
            sourceType {
              code
            }
          }
        }
        sourceType {
          code
        }
      }
      ...UserErrorFields
    }
  }
`);

const IndicatorId = graphql(`
  query IndicatorId($code: String!) {
    indicator(code: $code) {
      id
      revision
      status
      provisionalFields
    }
  }
`);

const auditRows = (entityKey: string) =>
  hub.db.prisma.auditLog.findMany({ where: { entityKey }, orderBy: { id: 'asc' } });

/** An indicator's id and the revision an editor would send back (every edit names the revision it read). */
async function refOf(code: string): Promise<{ id: string; expectedRevision: number }> {
  const indicator = data(await hub.gql(IndicatorId, { code })).indicator;
  if (!indicator) throw new Error(`no indicator ${code}`);
  return { id: indicator.id, expectedRevision: indicator.revision };
}

const newIndicator = {
  code: 'RETURN_FLOW',
  name: 'Returning citizens',
  unit: 'PERSONS',
  additive: true,
  buildingBlock: 'IMMIGRATION_FLOW' as const,
  tier: 'ADDITIONAL' as const,
  topics: ['ARRIVAL'],
  disaggregations: ['SEX', 'AGE'],
  sdgIndicators: ['10.7.2'],
  gcmObjectives: [21],
  provisionalFields: ['TIER' as const],
};

test('createIndicator creates the indicator with its links and audits it', async () => {
  const result = data(await hub.gql(CreateIndicator, { input: newIndicator }, { token })).createIndicator;
  expect(result).toMatchObject({
    __typename: 'CreateIndicatorPayload',
    indicator: {
      code: 'RETURN_FLOW',
      tier: 'ADDITIONAL',
      status: 'ACTIVE',
      buildingBlock: 'IMMIGRATION_FLOW',
      isProvisional: true,
      provisionalFields: ['tier'],
      topics: [{ code: 'ARRIVAL' }],
      disaggregations: [{ code: 'SEX' }, { code: 'AGE' }],
      sdgIndicators: [{ code: '10.7.2' }],
      gcmObjectives: [{ number: 21 }],
    },
  });
  const [row] = await auditRows('RETURN_FLOW');
  expect(row).toMatchObject({ action: 'indicator.create', entityType: 'Indicator', before: null });
  expect(row?.actor).toBeTruthy();
  expect(row?.after).toMatchObject({ code: 'RETURN_FLOW', topics: ['ARRIVAL'], disaggregations: ['SEX', 'AGE'] });
});

test('a duplicate code is a ConflictError and writes nothing', async () => {
  const before = await hub.db.prisma.auditLog.count();
  const result = data(
    await hub.gql(CreateIndicator, { input: { ...newIndicator, code: 'IMM_STOCK' } }, { token }),
  ).createIndicator;
  expect(result).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/IMM_STOCK/) });
  expect(await hub.db.prisma.auditLog.count()).toBe(before);
});

test('invalid input is a ValidationError naming every field and reason', async () => {
  const result = data(
    await hub.gql(
      CreateIndicator,
      {
        input: {
          ...newIndicator,
          code: 'bad code',
          name: '  ',
          unit: 'persons',
          gcmObjectives: [24],
          disaggregations: ['SEX', 'SEX'],
          sourceUrl: 'ftp://example.org',
        },
      },
      { token },
    ),
  ).createIndicator;
  expect(result.__typename).toBe('ValidationError');
  const issues = result.__typename === 'ValidationError' ? result.issues : [];
  // Every problem at once: formats, and the duplicate in a list (issue 8).
  expect(issues.map((i) => i.path.join('.')).sort()).toEqual(
    [
      'input.code',
      'input.disaggregations.1',
      'input.gcmObjectives.0',
      'input.name',
      'input.sourceUrl',
      'input.unit',
    ].sort(),
  );
  expect(issues.find((i) => i.path[1] === 'code')?.message).toMatch(/upper-case/);
  expect(issues.find((i) => i.path[1] === 'name')?.message).toMatch(/empty/);
  // A duplicate alone.
  const dup = data(
    await hub.gql(
      CreateIndicator,
      { input: { ...newIndicator, code: 'DUP_TEST', disaggregations: ['SEX', 'SEX'] } },
      { token },
    ),
  ).createIndicator;
  expect(dup).toMatchObject({
    __typename: 'ValidationError',
    issues: [{ path: ['input', 'disaggregations', '1'], message: 'duplicate SEX' }],
  });
  expect(data(await hub.gql(IndicatorId, { code: 'DUP_TEST' })).indicator).toBeNull();
});

test('unknown references are reported with the format problems, all at once, and nothing is written', async () => {
  const result = data(
    await hub.gql(
      CreateIndicator,
      { input: { ...newIndicator, code: 'ORPHAN', name: ' ', topics: ['NOPE', 'ARRIVAL'], sdgIndicators: ['99.9.9'] } },
      { token },
    ),
  ).createIndicator;
  expect(result).toMatchObject({
    __typename: 'ValidationError',
    issues: [
      { path: ['input', 'name'], message: 'must not be empty' },
      { path: ['input', 'topics', '0'], message: 'unknown topic NOPE' },
      { path: ['input', 'sdgIndicators', '0'], message: 'unknown SDG indicator 99.9.9' },
    ],
  });
  expect(data(await hub.gql(IndicatorId, { code: 'ORPHAN' })).indicator).toBeNull();
  expect(await auditRows('ORPHAN')).toEqual([]);
});

test('updateIndicator changes fields and lists, confirms what it sets, and audits before and after', async () => {
  const ref = await refOf('IMM_STOCK');
  const before = data(await hub.gql(IndicatorId, { code: 'IMM_STOCK' })).indicator;
  expect(before?.provisionalFields).toContain('tier');
  const result = data(
    await hub.gql(
      UpdateIndicator,
      { input: { ...ref, tier: 'CORE', description: null, disaggregations: ['AGE', 'SEX'], topics: ['COB'] } },
      { token },
    ),
  ).updateIndicator;
  expect(result).toMatchObject({
    __typename: 'UpdateIndicatorPayload',
    indicator: {
      code: 'IMM_STOCK',
      tier: 'CORE',
      description: null,
      topics: [{ code: 'COB' }],
      disaggregations: [{ code: 'AGE' }, { code: 'SEX' }],
    },
  });
  const provisional = result.__typename === 'UpdateIndicatorPayload' ? result.indicator.provisionalFields : [];
  expect(provisional).not.toContain('tier');
  expect(provisional).toContain('buildingBlock');
  const row = (await auditRows('IMM_STOCK')).at(-1);
  expect(row).toMatchObject({ action: 'indicator.update' });
  expect(row?.before).toMatchObject({ disaggregations: ['SEX', 'AGE', 'COUNTRY_OF_BIRTH', 'COUNTRY_OF_CITIZENSHIP'] });
  expect(row?.after).toMatchObject({ disaggregations: ['AGE', 'SEX'], topics: ['COB'], description: null });
});

test('updateIndicator refuses a taken code, an unknown id and an id of another type', async () => {
  const { id, expectedRevision } = await refOf('IMM_FLOW');
  const update = async (input: { id: string; code?: string; name?: string | null }) =>
    data(await hub.gql(UpdateIndicator, { input: { expectedRevision, ...input } }, { token })).updateIndicator;
  const taken = await update({ id, code: 'EMI_FLOW' });
  expect(taken.__typename).toBe('ConflictError');
  const missing = Buffer.from('Indicator:999999').toString('base64');
  const gone = await update({ id: missing, name: 'x' });
  expect(gone.__typename).toBe('NotFoundError');
  const topicId = Buffer.from('Topic:1').toString('base64');
  const wrong = await update({ id: topicId, name: 'x' });
  expect(wrong).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'id'] }] });
  const nulled = await update({ id, name: null });
  expect(nulled).toMatchObject({
    __typename: 'ValidationError',
    issues: [{ path: ['input', 'name'], message: 'must not be null' }],
  });
});

test('retireIndicator retires once, then conflicts', async () => {
  const ref = await refOf('TEMP_MOVERS');
  const first = data(
    await hub.gql(RetireIndicator, { input: { ...ref, reason: 'merged' } }, { token }),
  ).retireIndicator;
  expect(first).toMatchObject({ indicator: { code: 'TEMP_MOVERS', status: 'RETIRED' } });
  const again = data(
    await hub.gql(RetireIndicator, { input: { ...(await refOf('TEMP_MOVERS')) } }, { token }),
  ).retireIndicator;
  expect(again.__typename).toBe('ConflictError');
  const row = (await auditRows('TEMP_MOVERS')).at(-1);
  expect(row).toMatchObject({
    action: 'indicator.retire',
    before: { status: 'ACTIVE' },
    after: { status: 'RETIRED', reason: 'merged' },
  });
  const IndicatorPage = graphql(`
    query RetiredIndicators {
      indicators(filter: { status: RETIRED }) {
        edges {
          node {
            code
          }
        }
      }
    }
  `);
  expect(data(await hub.gql(IndicatorPage)).indicators.edges.map((e) => e.node.code)).toEqual(['TEMP_MOVERS']);
});

test('confirmIndicatorFields clears named provisional fields, and refuses fields that are not provisional', async () => {
  const Confirm = graphql(`
    mutation Confirm($input: ConfirmIndicatorFieldsInput!) {
      confirmIndicatorFields(input: $input) {
        __typename
        ... on ConfirmIndicatorFieldsPayload {
          indicator {
            provisionalFields
            isProvisional
          }
        }
        ...UserErrorFields
      }
    }
  `);
  const ref = await refOf('EMI_STOCK');
  const current = data(await hub.gql(IndicatorId, { code: 'EMI_STOCK' })).indicator?.provisionalFields ?? [];
  expect(current.length).toBeGreaterThan(0);
  const wrong = data(
    await hub.gql(Confirm, { input: { ...ref, fields: ['UNIT' as const] } }, { token }),
  ).confirmIndicatorFields;
  expect(wrong).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'fields', '0'] }] });
  const all = data(await hub.gql(Confirm, { input: ref }, { token })).confirmIndicatorFields;
  expect(all).toMatchObject({ indicator: { provisionalFields: [], isProvisional: false } });
});

test('linkIndicatorSourceType creates, then updates a link; unlink removes it; each is audited', async () => {
  const input = { indicator: 'NET_MIGRATION', sourceType: 'MIRROR', suitability: 'SUPPLEMENTARY' as const };
  const created = data(await hub.gql(LinkSource, { input: { ...input, note: 'mirror statistics' } }, { token }));
  expect(created.linkIndicatorSourceType).toMatchObject({
    __typename: 'LinkIndicatorSourceTypePayload',
    created: true,
    link: {
      suitability: 'SUPPLEMENTARY',
      note: 'mirror statistics',
      indicator: { code: 'NET_MIGRATION' },
      sourceType: { code: 'MIRROR' },
    },
  });
  const updated = data(await hub.gql(LinkSource, { input: { ...input, suitability: 'SECONDARY' } }, { token }));
  expect(updated.linkIndicatorSourceType).toMatchObject({
    created: false,
    link: { suitability: 'SECONDARY', note: 'mirror statistics' },
  });
  const removed = data(
    await hub.gql(UnlinkSource, { input: { indicator: 'NET_MIGRATION', sourceType: 'MIRROR' } }, { token }),
  );
  expect(removed.unlinkIndicatorSourceType).toMatchObject({ sourceType: { code: 'MIRROR' } });
  const remaining =
    removed.unlinkIndicatorSourceType.__typename === 'UnlinkIndicatorSourceTypePayload'
      ? removed.unlinkIndicatorSourceType.indicator.candidateSourceTypes.map((l) => l.sourceType.code)
      : [];
  expect(remaining).not.toContain('MIRROR');
  expect((await auditRows('NET_MIGRATION/MIRROR')).map((r) => [r.action, r.before, r.after])).toEqual([
    ['indicator.source.link', null, { suitability: 'SUPPLEMENTARY', note: 'mirror statistics', sourceUrl: null }],
    [
      'indicator.source.update',
      { suitability: 'SUPPLEMENTARY', note: 'mirror statistics', sourceUrl: null },
      { suitability: 'SECONDARY', note: 'mirror statistics', sourceUrl: null },
    ],
    ['indicator.source.unlink', { suitability: 'SECONDARY', note: 'mirror statistics', sourceUrl: null }, null],
  ]);
  const again = data(
    await hub.gql(UnlinkSource, { input: { indicator: 'NET_MIGRATION', sourceType: 'MIRROR' } }, { token }),
  );
  expect(again.unlinkIndicatorSourceType.__typename).toBe('NotFoundError');
  const unknown = data(await hub.gql(LinkSource, { input: { ...input, sourceType: 'CARRIER_PIGEON' } }, { token }));
  expect(unknown.linkIndicatorSourceType).toMatchObject({
    __typename: 'NotFoundError',
    message: expect.stringMatching(/sourceType/),
  });
});

test('topics: create, duplicate, update', async () => {
  const CreateTopic = graphql(`
    mutation CreateTopic($input: CreateTopicInput!) {
      createTopic(input: $input) {
        __typename
        ... on CreateTopicPayload {
          topic {
            id
            revision
            code
            tier
            isProvisional
            provisional
          }
        }
        ...UserErrorFields
      }
    }
  `);
  const UpdateTopic = graphql(`
    mutation UpdateTopic($input: UpdateTopicInput!) {
      updateTopic(input: $input) {
        __typename
        ... on UpdateTopicPayload {
          topic {
            code
            name
            tier
            provisionalFields
          }
        }
        ...UserErrorFields
      }
    }
  `);
  const input = {
    code: 'RETURN',
    name: 'Return migration',
    tier: 'ADDITIONAL' as const,
    provisionalFields: ['TIER' as const],
  };
  const created = data(await hub.gql(CreateTopic, { input }, { token })).createTopic;
  expect(created).toMatchObject({
    topic: { code: 'RETURN', tier: 'ADDITIONAL', isProvisional: true, provisional: ['TIER'] },
  });
  const dup = data(await hub.gql(CreateTopic, { input: { ...input, code: 'COB' } }, { token })).createTopic;
  expect(dup.__typename).toBe('ConflictError');
  const bad = data(await hub.gql(CreateTopic, { input: { ...input, code: 'x-y' } }, { token })).createTopic;
  expect(bad).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'code'] }] });
  const ref =
    created.__typename === 'CreateTopicPayload'
      ? { id: created.topic.id, expectedRevision: created.topic.revision }
      : null;
  const updated = data(await hub.gql(UpdateTopic, { input: { ...ref!, name: 'Return', tier: 'CORE' } }, { token }));
  expect(updated.updateTopic).toMatchObject({
    topic: { code: 'RETURN', name: 'Return', tier: 'CORE', provisionalFields: [] },
  });
  expect((await auditRows('RETURN')).map((r) => r.action)).toEqual(['topic.create', 'topic.update']);
});

test('variables: create with a code list, refuse duplicates and code list + codelist, replace the code list', async () => {
  const CreateVariable = graphql(`
    mutation CreateVariable($input: CreateVariableInput!) {
      createVariable(input: $input) {
        __typename
        ... on CreateVariablePayload {
          variable {
            id
            revision
            code
            codes {
              code
              label
              position
            }
          }
        }
        ...UserErrorFields
      }
    }
  `);
  const UpdateVariable = graphql(`
    mutation UpdateVariable($input: UpdateVariableInput!) {
      updateVariable(input: $input) {
        __typename
        ... on UpdateVariablePayload {
          variable {
            revision
            code
            codelist
            codes {
              code
            }
          }
        }
        ...UserErrorFields
      }
    }
  `);
  const codes = [
    { code: '_T', label: 'Total' },
    { code: 'EDU_LOW', label: 'Low' },
    { code: 'EDU_HIGH', label: 'High' },
  ];
  const created = data(
    await hub.gql(CreateVariable, { input: { code: 'EDUCATION', name: 'Educational attainment', codes } }, { token }),
  ).createVariable;
  expect(created).toMatchObject({
    variable: { code: 'EDUCATION', codes: codes.map((c, position) => ({ ...c, position })) },
  });
  const dupCodes = data(
    await hub.gql(CreateVariable, { input: { code: 'EDU2', name: 'x', codes: [codes[0]!, codes[0]!] } }, { token }),
  ).createVariable;
  expect(dupCodes).toMatchObject({
    __typename: 'ValidationError',
    issues: [{ path: ['input', 'codes', '1'], message: 'duplicate _T' }],
  });
  const both = data(
    await hub.gql(CreateVariable, { input: { code: 'EDU3', name: 'x', codelist: 'M49', codes } }, { token }),
  ).createVariable;
  expect(both).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'codes'] }] });
  const dup = data(await hub.gql(CreateVariable, { input: { code: 'SEX', name: 'x' } }, { token })).createVariable;
  expect(dup.__typename).toBe('ConflictError');

  const id = created.__typename === 'CreateVariablePayload' ? created.variable.id : '';
  const replaced = data(
    await hub.gql(
      UpdateVariable,
      { input: { id, expectedRevision: 1, codes: [codes[0]!, { code: 'EDU_MID', label: 'Medium' }] } },
      { token },
    ),
  ).updateVariable;
  expect(replaced).toMatchObject({ variable: { revision: 2, codes: [{ code: '_T' }, { code: 'EDU_MID' }] } });
  const row = (await auditRows('EDUCATION')).at(-1);
  expect(row).toMatchObject({ action: 'variable.update' });
  expect((row?.before as { codes: unknown[] }).codes).toHaveLength(3);
  expect((row?.after as { codes: unknown[] }).codes).toHaveLength(2);
  const toCodelist = data(
    await hub.gql(UpdateVariable, { input: { id, expectedRevision: 2, codelist: 'M49' } }, { token }),
  ).updateVariable;
  expect(toCodelist).toMatchObject({ __typename: 'ValidationError', issues: [{ path: ['input', 'codes'] }] });
  const swapped = data(
    await hub.gql(UpdateVariable, { input: { id, expectedRevision: 2, codelist: 'M49', codes: [] } }, { token }),
  ).updateVariable;
  expect(swapped).toMatchObject({ variable: { revision: 3, codelist: 'M49', codes: [] } });
});

test('an ADMIN may curate the catalogue too; a FOCAL_POINT may not', async () => {
  const admin = await hub.token('ADMIN');
  const ok = data(
    await hub.gql(CreateIndicator, { input: { ...newIndicator, code: 'ADMIN_MADE', topics: [] } }, { token: admin }),
  ).createIndicator;
  expect(ok.__typename).toBe('CreateIndicatorPayload');
  const focal = await hub.token('FOCAL_POINT', 'CHE');
  const refused = await hub.gql(CreateIndicator, { input: { ...newIndicator, code: 'FOCAL_MADE' } }, { token: focal });
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(data(await hub.gql(IndicatorId, { code: 'FOCAL_MADE' })).indicator).toBeNull();
});
