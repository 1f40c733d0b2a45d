// The review workflow: separate mutations per transition, roles, optimistic concurrency on `revision`, history
// and the audit trail.
import { graphql } from '../gql/index.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { csv, ImportSubmissions, SubmissionList } from './support.js';

let hub: Hub;
let admin: string;
let taskForce: string;
let focalChe: string;
let focalFra: string;
let reader: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  taskForce = await hub.token('TASK_FORCE');
  focalChe = await hub.token('FOCAL_POINT', 'CHE');
  focalFra = await hub.token('FOCAL_POINT', 'FRA');
  reader = await hub.token('READER');
});
afterAll(() => hub?.close());

const Submit = graphql(`
  mutation Submit($input: SubmitSubmissionInput!) {
    submitSubmission(input: $input) {
      __typename
      ... on SubmitSubmissionPayload {
        submission {
          status
          revision
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
const Validate = graphql(`
  mutation Validate($input: ValidateSubmissionInput!) {
    validateSubmission(input: $input) {
      __typename
      ... on ValidateSubmissionPayload {
        submission {
          status
          revision
          countableSince
          isCountable
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
const Publish = graphql(`
  mutation Publish($input: PublishSubmissionInput!) {
    publishSubmission(input: $input) {
      __typename
      ... on PublishSubmissionPayload {
        submission {
          status
          revision
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
const Reject = graphql(`
  mutation Reject($input: RejectSubmissionInput!) {
    rejectSubmission(input: $input) {
      __typename
      ... on RejectSubmissionPayload {
        submission {
          status
          revision
          rejectionReason
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
const History = graphql(`
  query History($id: ID!) {
    submission(id: $id) {
      status
      revision
      isCountable
      supersededBy {
        version
      }
      versions {
        version
        status
      }
      history {
        fromStatus
        toStatus
        actor
        comment
        createdAt
      }
    }
  }
`);
const Audit = graphql(`
  query Audit($filter: AuditLogFilter) {
    auditLog(filter: $filter, first: 50) {
      totalCount
      nodes {
        actor
        action
        entityType
        entityKey
        before
        after
      }
    }
  }
`);

/** Imports one submission for a country and year; returns its id. */
async function importOne(country: string, year: number, status = 'DRAFT', value = 1000): Promise<string> {
  const file = csv('country,indicator,reference_year,value,status', `${country},IMM_STOCK,${year},${value},${status}`);
  const result = data(await hub.gql(ImportSubmissions, { input: { csv: file } }, { token: admin })).importSubmissions;
  expect(result.problems).toEqual([]);
  const list = data(
    await hub.gql(SubmissionList, { filter: { country, fromYear: year, toYear: year }, first: 100 }, { token: admin }),
  ).submissions;
  return list.nodes[0]!.id; // newest first: the version just written
}

test('DRAFT → SUBMITTED → VALIDATED → PUBLISHED, each with who, when, comment and an audit row', async () => {
  const id = await importOne('CHE', 2001);
  const s = data(await hub.gql(Submit, { input: { id, expectedRevision: 1, comment: 'ready' } }, { token: focalChe }));
  expect(s.submitSubmission).toEqual({
    __typename: 'SubmitSubmissionPayload',
    submission: { status: 'SUBMITTED', revision: 2 },
  });
  const v = data(
    await hub.gql(Validate, { input: { id, expectedRevision: 2 } }, { token: taskForce }),
  ).validateSubmission;
  expect(v).toMatchObject({ submission: { status: 'VALIDATED', revision: 3, isCountable: true } });
  const p = data(
    await hub.gql(Publish, { input: { id, expectedRevision: 3 } }, { token: taskForce }),
  ).publishSubmission;
  expect(p).toMatchObject({ submission: { status: 'PUBLISHED', revision: 4 } });

  // Who and what they said are internal (test/access/visibility.test.ts): read as the task force.
  const history = data(await hub.gql(History, { id }, { token: taskForce })).submission!.history;
  expect(history.map((h) => [h.fromStatus, h.toStatus, h.comment])).toEqual([
    [null, 'DRAFT', 'imported'],
    ['DRAFT', 'SUBMITTED', 'ready'],
    ['SUBMITTED', 'VALIDATED', null],
    ['VALIDATED', 'PUBLISHED', null],
  ]);
  expect(history[1]!.actor).toBe('focal_point-CHE');

  const audit = data(
    await hub.gql(
      Audit,
      { filter: { entityType: 'Submission', entityKey: 'CHE/IMM_STOCK/2001/v1' } },
      { token: admin },
    ),
  ).auditLog;
  expect(audit.nodes.map((a) => a.action)).toEqual([
    'submission.publish',
    'submission.validate',
    'submission.submit',
    'submission.import',
  ]);
  expect(audit.nodes[0]).toMatchObject({
    before: { status: 'VALIDATED', revision: 3 },
    after: { status: 'PUBLISHED', revision: 4 },
  });
});

test('the audit log is for admins only', async () => {
  for (const token of [taskForce, focalChe, reader]) {
    expect((await hub.gql(Audit, {}, { token })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
  expect((await hub.gql(Audit, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('a focal point submits only its own country and cannot validate, publish or reject', async () => {
  const id = await importOne('CHE', 2002);
  const other = await hub.gql(Submit, { input: { id, expectedRevision: 1 } }, { token: focalFra });
  expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const reading = await hub.gql(Submit, { input: { id, expectedRevision: 1 } }, { token: reader });
  expect(reading.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  data(await hub.gql(Submit, { input: { id, expectedRevision: 1 } }, { token: focalChe }));
  const validate = await hub.gql(Validate, { input: { id, expectedRevision: 2 } }, { token: focalChe });
  expect(validate.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const publish = await hub.gql(Publish, { input: { id, expectedRevision: 2 } }, { token: focalChe });
  expect(publish.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const rej = await hub.gql(Reject, { input: { id, expectedRevision: 2, reason: 'no' } }, { token: focalChe });
  expect(rej.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const anon = await hub.gql(Publish, { input: { id, expectedRevision: 2 } });
  expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(data(await hub.gql(History, { id }, { token: admin })).submission).toMatchObject({
    status: 'SUBMITTED',
    revision: 2,
  });
});

test('a stale revision is a ConflictError and changes nothing; a wrong state is a ValidationError', async () => {
  const id = await importOne('CHE', 2003, 'SUBMITTED');
  const stale = data(await hub.gql(Validate, { input: { id, expectedRevision: 7 } }, { token: taskForce }));
  expect(stale.validateSubmission).toMatchObject({
    __typename: 'ConflictError',
    message: expect.stringMatching(/revision 1/),
  });
  const wrong = data(await hub.gql(Publish, { input: { id, expectedRevision: 1 } }, { token: taskForce }));
  expect(wrong.publishSubmission).toMatchObject({
    __typename: 'ValidationError',
    message: expect.stringMatching(/SUBMITTED/),
  });
  const after = data(await hub.gql(History, { id }, { token: admin })).submission!;
  expect(after).toMatchObject({ status: 'SUBMITTED', revision: 1 });
  expect(after.history).toHaveLength(1);
});

test('two concurrent transitions of one submission: exactly one wins, the other gets ConflictError', async () => {
  const id = await importOne('CHE', 2004, 'SUBMITTED');
  const results = await Promise.all([
    hub.gql(Validate, { input: { id, expectedRevision: 1, comment: 'a' } }, { token: taskForce }),
    hub.gql(Reject, { input: { id, expectedRevision: 1, reason: 'b' } }, { token: admin }),
    hub.gql(Validate, { input: { id, expectedRevision: 1, comment: 'c' } }, { token: admin }),
  ]);
  const types = results.map((r: { data?: unknown; errors?: unknown }) => {
    const d = data(r as never) as Record<string, { __typename: string }>;
    return Object.values(d)[0]!.__typename;
  });
  expect(types.filter((t) => t === 'ConflictError')).toHaveLength(2);
  expect(types.filter((t) => /^(Validate|Reject)SubmissionPayload$/.test(t))).toHaveLength(1);
  const after = data(await hub.gql(History, { id }, { token: admin })).submission!;
  expect(after.revision).toBe(2);
  expect(after.history).toHaveLength(2);
});

test('rejecting needs a reason; a rejected version never counts and a resubmission becomes version 2', async () => {
  const id = await importOne('CHE', 2005, 'SUBMITTED', 10);
  const empty = data(await hub.gql(Reject, { input: { id, expectedRevision: 1, reason: '  ' } }, { token: taskForce }));
  expect(empty.rejectSubmission.__typename).toBe('ValidationError');
  const r = data(
    await hub.gql(Reject, { input: { id, expectedRevision: 1, reason: 'totals do not add up' } }, { token: taskForce }),
  );
  expect(r.rejectSubmission).toMatchObject({
    submission: { status: 'REJECTED', rejectionReason: 'totals do not add up' },
  });
  const id2 = await importOne('CHE', 2005, 'SUBMITTED', 10);
  expect(id2).not.toBe(id);
  const second = data(await hub.gql(History, { id: id2 }, { token: admin })).submission!;
  expect(second.versions).toEqual([
    { version: 1, status: 'REJECTED' },
    { version: 2, status: 'SUBMITTED' },
  ]);
});

test('a newer validated version supersedes the older published one', async () => {
  const v1 = await importOne('CHE', 2006, 'PUBLISHED', 10);
  const v2 = await importOne('CHE', 2006, 'SUBMITTED', 11);
  expect(data(await hub.gql(History, { id: v1 })).submission).toMatchObject({ isCountable: true, supersededBy: null });
  data(await hub.gql(Validate, { input: { id: v2, expectedRevision: 1 } }, { token: taskForce }));
  const old = data(await hub.gql(History, { id: v1 }, { token: admin })).submission!;
  expect(old).toMatchObject({ isCountable: false, supersededBy: { version: 2 } });
  // Anonymous readers see only the published version, and not the validated one that supersedes it.
  expect(data(await hub.gql(History, { id: v1 })).submission!.versions).toEqual([{ version: 1, status: 'PUBLISHED' }]);
});
