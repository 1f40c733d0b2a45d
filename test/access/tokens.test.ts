// CONTRACT §7 token management through the API (ADMIN only): createToken returns the secret once, tokens lists
// them, revokeToken by id or prefix; tokens may expire, and an expired token is refused with UNAUTHENTICATED saying
// so. Every change is audited with the admin who made it.
import type { VariablesOf } from '@graphql-typed-document-node/core';
import { graphql } from '../gql/index.js';
import { data, startHubAsAdmin, type Hub } from '../support/hub.js';

let hub: Hub;
let admin: string;
beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
afterAll(() => hub?.close());

const CreateToken = graphql(`
  mutation CreateToken($input: CreateTokenInput!) {
    createToken(input: $input) {
      __typename
      ... on CreateTokenPayload {
        token
        apiToken {
          id
          name
          role
          prefix
          expiresAt
          revokedAt
          active
          country {
            iso3
          }
        }
      }
      ... on ValidationError {
        message
        issues {
          path
          message
        }
      }
    }
  }
`);

const Tokens = graphql(`
  query Tokens($includeRevoked: Boolean, $first: Int) {
    tokens(filter: { includeRevoked: $includeRevoked }, first: $first) {
      totalCount
      edges {
        node {
          id
          name
          role
          prefix
          active
          revokedAt
        }
      }
    }
  }
`);

const RevokeToken = graphql(`
  mutation RevokeToken($input: RevokeTokenInput!) {
    revokeToken(input: $input) {
      __typename
      ... on RevokeTokenPayload {
        revokedCount
      }
      ... on Error {
        message
      }
    }
  }
`);

const Viewer = graphql(`
  query WhoAmI {
    viewer {
      name
      role
      country {
        iso3
      }
    }
  }
`);

const create = (variables: VariablesOf<typeof CreateToken>) => hub.gql(CreateToken, variables, { token: admin });

test('an admin creates a token; the secret is returned once, authenticates, and only its hash is stored', async () => {
  const result = data(
    await create({
      input: { role: 'FOCAL_POINT', country: 'CHE', name: 'Swiss FSO', expiresAt: '2099-01-01T00:00:00Z' },
    }),
  ).createToken;
  if (result.__typename !== 'CreateTokenPayload') throw new Error(JSON.stringify(result));
  expect(result.token).toMatch(/^msh_[\w-]{20,}$/);
  expect(result.apiToken).toMatchObject({
    name: 'Swiss FSO',
    role: 'FOCAL_POINT',
    prefix: result.token.slice(0, 10),
    expiresAt: '2099-01-01T00:00:00.000Z',
    revokedAt: null,
    active: true,
    country: { iso3: 'CHE' },
  });
  expect(data(await hub.gql(Viewer, {}, { token: result.token })).viewer).toEqual({
    name: 'Swiss FSO',
    role: 'FOCAL_POINT',
    country: { iso3: 'CHE' },
  });
  const row = await hub.db.prisma.apiToken.findFirstOrThrow({ where: { name: 'Swiss FSO' } });
  expect(JSON.stringify(row)).not.toContain(result.token);
  // Listed, never with its secret.
  const listed = data(await hub.gql(Tokens, { first: 100 }, { token: admin })).tokens;
  expect(listed.edges.map((e) => e.node.name)).toContain('Swiss FSO');
  expect(JSON.stringify(listed)).not.toContain(result.token);
  // Audited with the admin's name.
  const audit = await hub.db.prisma.auditLog.findFirstOrThrow({
    where: { action: 'token.create', entityKey: String(row.id) },
  });
  expect(audit.actor).toBe('admin');
});

test('bad token requests are ValidationErrors naming the input field; nothing is written', async () => {
  const before = await hub.db.prisma.apiToken.count();
  const cases = [
    [{ role: 'FOCAL_POINT' }, ['input', 'country'], /required for a FOCAL_POINT/],
    [{ role: 'FOCAL_POINT', country: 'XXX' }, ['input', 'country'], /no country/],
    [{ role: 'READER', country: 'CHE' }, ['input', 'country'], /only for FOCAL_POINT/],
    [{ role: 'READER', expiresAt: '2001-01-01T00:00:00Z' }, ['input', 'expiresAt'], /in the past/],
    // A name that would pass, in the audit log and on comments, for the command line or another role's tokens.
    [{ role: 'FOCAL_POINT', country: 'FRA', name: 'cli' }, ['input', 'name'], /"cli" is the name of the command line/],
    [{ role: 'FOCAL_POINT', country: 'CHE', name: 'task_force' }, ['input', 'name'], /another role's tokens/],
    [{ role: 'READER', name: 'focal_point-CHE' }, ['input', 'name'], /another role's tokens/],
    [{ role: 'READER', name: 'Anonymous' }, ['input', 'name'], /anonymous callers/],
  ] as const;
  for (const [input, path, message] of cases) {
    const result = data(await create({ input })).createToken;
    if (result.__typename !== 'ValidationError') throw new Error(`${JSON.stringify(input)} → ${result.__typename}`);
    expect(result.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  }
  expect(await hub.db.prisma.apiToken.count()).toBe(before);
  // A token's own default name may be given explicitly.
  const own = data(await create({ input: { role: 'FOCAL_POINT', country: 'CHE', name: 'focal_point-CHE' } }));
  expect(own.createToken.__typename).toBe('CreateTokenPayload');
});

test('only an ADMIN manages tokens: FORBIDDEN for every other role, UNAUTHENTICATED without a token', async () => {
  const others = {
    TASK_FORCE: await hub.token('TASK_FORCE'),
    READER: await hub.token('READER'),
    FOCAL_POINT: await hub.token('FOCAL_POINT', 'FRA'),
  };
  const before = await hub.db.prisma.apiToken.count();
  for (const token of [...Object.values(others), undefined]) {
    const code = token ? 'FORBIDDEN' : 'UNAUTHENTICATED';
    const created = await hub.gql(CreateToken, { input: { role: 'ADMIN' } }, { token });
    expect(created.errors?.[0]?.extensions?.code).toBe(code);
    const listed = await hub.gql(Tokens, {}, { token });
    expect(listed.errors?.[0]?.extensions?.code).toBe(code);
    const revoked = await hub.gql(RevokeToken, { input: { prefix: admin.slice(0, 10) } }, { token });
    expect(revoked.errors?.[0]?.extensions?.code).toBe(code);
  }
  expect(await hub.db.prisma.apiToken.count()).toBe(before);
  // The admin's token still works: nothing was revoked.
  expect(data(await hub.gql(Viewer, {}, { token: admin })).viewer?.role).toBe('ADMIN');
});

test('an expiry that is not a date-time is refused naming the field (variable) or the value and place (literal)', async () => {
  const asVariable = await create({ input: { role: 'READER', name: 'bad-date', expiresAt: '2027-13-45' } });
  expect(asVariable.errors?.[0]?.message).toBe(
    'Variable "$input" got invalid value "2027-13-45" at "input.expiresAt"; DateTime must be an ISO-8601 string, e.g. 2027-01-31T00:00:00Z',
  );
  const literal = await hub.gql(
    'mutation { createToken(input: { role: READER, name: "bad-date", expiresAt: "2027-13-45" }) { __typename } }',
    {},
    { token: admin },
  );
  expect(literal.errors?.[0]).toMatchObject({
    message: 'DateTime must be an ISO-8601 string, e.g. 2027-01-31T00:00:00Z; found "2027-13-45"',
    locations: [{ line: 1, column: 76 }],
  });
});

test('an expired token is refused with UNAUTHENTICATED saying it expired', async () => {
  const result = data(
    await create({ input: { role: 'READER', name: 'short-lived', expiresAt: '2099-01-01T00:00:00Z' } }),
  ).createToken;
  if (result.__typename !== 'CreateTokenPayload') throw new Error(result.__typename);
  expect(data(await hub.gql(Viewer, {}, { token: result.token })).viewer?.name).toBe('short-lived');
  // Time passes: the expiry is now behind us.
  const expiredAt = new Date(Date.now() - 1000);
  await hub.db.prisma.apiToken.updateMany({ where: { name: 'short-lived' }, data: { expiresAt: expiredAt } });
  const refused = await hub.gql(Viewer, {}, { token: result.token });
  expect(refused.data ?? null).toBeNull();
  expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const message = `The token in the Authorization header expired at ${expiredAt.toISOString()}; ask an admin for a new one`;
  expect(refused.errors?.[0]?.message).toBe(message);
  // The data routes refuse it in the same words (SDMX as an SDMX error message).
  const fetchAs = (path: string) =>
    hub.api.fetch(`http://hub.test${path}`, { headers: { authorization: `Bearer ${result.token}` } });
  const download = await fetchAs('/download/observations.csv');
  expect([download.status, await download.json()]).toEqual([401, { error: message }]);
  const sdmx = await fetchAs('/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/');
  expect(sdmx.status).toBe(401);
  expect((await sdmx.json()).errors).toEqual([expect.objectContaining({ code: 110, detail: message })]);
  // Listed as inactive.
  const listed = data(await hub.gql(Tokens, { first: 100 }, { token: admin })).tokens.edges.map((e) => e.node);
  expect(listed.find((t) => t.name === 'short-lived')).toMatchObject({ active: false, revokedAt: null });
});

test('revokeToken by id and by prefix; revoked tokens authenticate nobody and leave the list', async () => {
  const made = [];
  for (const name of ['by-id', 'by-prefix']) {
    const result = data(await create({ input: { role: 'READER', name } })).createToken;
    if (result.__typename !== 'CreateTokenPayload') throw new Error(result.__typename);
    made.push(result);
  }
  const [byId, byPrefix] = made as [(typeof made)[0], (typeof made)[0]];
  const one = data(await hub.gql(RevokeToken, { input: { id: byId.apiToken.id } }, { token: admin })).revokeToken;
  expect(one).toEqual({ __typename: 'RevokeTokenPayload', revokedCount: 1 });
  const two = data(
    await hub.gql(RevokeToken, { input: { prefix: byPrefix.token.slice(0, 10) } }, { token: admin }),
  ).revokeToken;
  expect(two).toEqual({ __typename: 'RevokeTokenPayload', revokedCount: 1 });
  for (const t of [byId, byPrefix]) {
    const refused = await hub.gql(Viewer, {}, { token: t.token });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }
  // Revoking again: nothing live matches.
  const again = data(await hub.gql(RevokeToken, { input: { id: byId.apiToken.id } }, { token: admin })).revokeToken;
  expect(again.__typename).toBe('NotFoundError');
  // Both, or neither, of id and prefix: a ValidationError.
  const both = data(
    await hub.gql(RevokeToken, { input: { id: byId.apiToken.id, prefix: 'msh_abcdef' } }, { token: admin }),
  ).revokeToken;
  expect(both.__typename).toBe('ValidationError');
  const live = data(await hub.gql(Tokens, { first: 100 }, { token: admin })).tokens.edges.map((e) => e.node.name);
  expect(live).not.toContain('by-id');
  expect(live).not.toContain('by-prefix');
  const all = data(await hub.gql(Tokens, { first: 100, includeRevoked: true }, { token: admin })).tokens;
  expect(all.edges.filter((e) => ['by-id', 'by-prefix'].includes(e.node.name)).map((e) => e.node.active)).toEqual([
    false,
    false,
  ]);
  const audits = await hub.db.prisma.auditLog.count({ where: { action: 'token.revoke', actor: 'admin' } });
  expect(audits).toBe(2);
});
