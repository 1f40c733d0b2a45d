// Review queue (task force): submitted data newest first; validate, publish or reject a selection in one go, each
// checked against the revision shown (a submission changed meanwhile is reported, not overwritten). Rejected versions
// are listed too, read-only, with their reason and comment thread, where the focal point answers the rejection.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading, Select, TokenRefusedNotice } from '../components/controls';
import { graphql } from '../gql';
import '../lib/fragments';
import type { SubmissionStatus } from '../gql/graphql';
import { request, useQuery } from '../lib/client';
import { formatInt, humanize, RESIDENCE } from '../lib/format';
import { useParams } from '../lib/params';
import { useSession } from '../lib/session';

const QueueDoc = graphql(`
  query ReviewQueue($status: SubmissionStatus!) {
    submissions(first: 100, filter: { status: $status }, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      nodes {
        ...SubmissionRow
        revision
        note
        residenceCriterion
        country {
          m49
          iso3
          name
        }
      }
    }
  }
`);

const ValidateDoc = graphql(`
  mutation ReviewValidate($id: ID!, $revision: Int!, $comment: String) {
    validateSubmission(input: { id: $id, expectedRevision: $revision, comment: $comment }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const PublishDoc = graphql(`
  mutation ReviewPublish($id: ID!, $revision: Int!, $comment: String) {
    publishSubmission(input: { id: $id, expectedRevision: $revision, comment: $comment }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const RejectDoc = graphql(`
  mutation ReviewReject($id: ID!, $revision: Int!, $reason: String!) {
    rejectSubmission(input: { id: $id, expectedRevision: $revision, reason: $reason }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

type Action = 'validate' | 'publish' | 'reject';
/** The statuses the page lists: the two awaiting a decision, and the rejected ones (read-only, for their threads). */
const SHOWN = ['SUBMITTED', 'VALIDATED', 'REJECTED'];
const DONE: Record<Action, string> = { validate: 'Validated', publish: 'Published', reject: 'Rejected' };

export default function ReviewPage() {
  const [, viewer] = useSession();
  const p = useParams({ status: 'SUBMITTED' });
  const status = (SHOWN.includes(p.get('status')) ? p.get('status') : 'SUBMITTED') as SubmissionStatus;
  const actionable = status !== 'REJECTED';
  const [refresh, setRefresh] = useState(0);
  const state = useQuery(QueueDoc, { status }, { skip: !viewer, refresh });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<{ action: Action; ok: number; of: number; failures: string[] } | null>(null);
  const [busy, setBusy] = useState(false);

  if (!viewer || !['TASK_FORCE', 'ADMIN'].includes(viewer.role)) {
    return (
      <main id="main" class="narrow">
        <h1>Review queue</h1>
        <TokenRefusedNotice />
        <p>
          The review queue is for task-force members. <a href="/sign-in?next=/review">Sign in</a> with a task-force
          token.
        </p>
      </main>
    );
  }

  const rows = state.status === 'done' ? state.data.submissions.nodes : [];

  async function act(action: Action) {
    if (action === 'reject' && !text.trim()) {
      setOutcome({ action, ok: 0, of: 0, failures: ['Give the reason for rejecting (it is shown to the country).'] });
      return;
    }
    setBusy(true);
    const failures: string[] = [];
    let ok = 0;
    const chosen = rows.filter((r) => selected.has(r.id));
    for (const s of chosen) {
      const label = `${s.country.iso3 ?? s.country.m49} ${s.indicator.code} ${s.referenceYear} v${s.version}`;
      try {
        const vars = { id: s.id, revision: s.revision };
        const result =
          action === 'validate'
            ? (await request(ValidateDoc, { ...vars, comment: text || null })).validateSubmission
            : action === 'publish'
              ? (await request(PublishDoc, { ...vars, comment: text || null })).publishSubmission
              : (await request(RejectDoc, { ...vars, reason: text.trim() })).rejectSubmission;
        if (result.__typename.endsWith('SubmissionPayload')) ok++;
        else failures.push(`${label}: ${(result as { message?: string }).message ?? result.__typename}`);
      } catch (e) {
        failures.push(`${label}: ${(e as Error).message}`);
      }
    }
    setOutcome({ action, ok, of: chosen.length, failures });
    setSelected(new Set());
    setText('');
    setBusy(false);
    setRefresh((n) => n + 1);
  }

  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  return (
    <main id="main">
      <h1>Review queue</h1>
      <form class="filters" aria-label="Queue" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Show"
          name="status"
          value={status}
          onChange={(v) => {
            setSelected(new Set());
            p.set({ status: v });
          }}
          options={[
            { value: 'SUBMITTED', label: 'Submitted (to validate or reject)' },
            { value: 'VALIDATED', label: 'Validated (to publish or reject)' },
            { value: 'REJECTED', label: 'Rejected (reasons and answers)' },
          ]}
        />
      </form>
      {outcome && (
        <div role="status" data-testid="review-outcome">
          <p>
            {DONE[outcome.action]} {outcome.ok} of {outcome.of}.
          </p>
          {outcome.failures.length > 0 && (
            <ul class="error">
              {outcome.failures.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {state.status === 'loading' && <Loading what="the queue" />}
      {state.status === 'error' && <ErrorMessage error={state.error} />}
      {state.status === 'done' && rows.length === 0 && (
        <p>{actionable ? 'Nothing is waiting.' : 'No rejected versions.'}</p>
      )}
      {rows.length > 0 && (
        <>
          <table class="data" data-testid="queue">
            <caption>
              {state.status === 'done' ? state.data.submissions.totalCount : 0} {humanize(status).toLowerCase()}, newest
              first
            </caption>
            <thead>
              <tr>
                {actionable && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select all"
                      checked={all}
                      onChange={() => setSelected(all ? new Set() : new Set(rows.map((r) => r.id)))}
                    />
                  </th>
                )}
                <th scope="col">Country</th>
                <th scope="col">Indicator</th>
                <th scope="col" class="num">
                  Year
                </th>
                <th scope="col">Source</th>
                <th scope="col">Residence criterion</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col" class="num">
                  Version
                </th>
                <th scope="col">{actionable ? 'Note' : 'Note and reason for rejecting'}</th>
                <th scope="col">Comments</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => {
                const label = `${s.country.name} ${s.indicator.code} ${s.referenceYear} version ${s.version}`;
                return (
                  <tr key={s.id}>
                    {actionable && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${label}`}
                          checked={selected.has(s.id)}
                          onChange={() => {
                            const next = new Set(selected);
                            if (next.has(s.id)) next.delete(s.id);
                            else next.add(s.id);
                            setSelected(next);
                          }}
                        />
                      </td>
                    )}
                    <th scope="row">
                      <a href={`/countries/${s.country.iso3 ?? s.country.m49}`}>{s.country.name}</a>
                    </th>
                    <td>
                      <a href={`/indicators/${s.indicator.code}`} title={s.indicator.name}>
                        {s.indicator.code}
                      </a>
                    </td>
                    <td class="num">{s.referenceYear}</td>
                    <td>{s.dataSource?.code ?? s.sourceType?.code ?? '–'}</td>
                    <td>{s.residenceCriterion ? RESIDENCE[s.residenceCriterion] : 'not stated'}</td>
                    <td class="num">{formatInt(s.total?.value)}</td>
                    <td class="num">{s.version}</td>
                    <td>
                      {s.note ?? ''}
                      {s.rejectionReason && <div class="reason">Rejected: {s.rejectionReason}</div>}
                    </td>
                    <td>
                      <CommentsDisclosure target={s.id} label={label} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {actionable && (
            <div class="stack">
              <div class="field">
                <label for="review-text">Comment, or the reason when rejecting</label>
                <textarea
                  id="review-text"
                  rows={2}
                  value={text}
                  onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
                />
              </div>
              <p class="toolbar">
                {status === 'SUBMITTED' ? (
                  <button type="button" disabled={busy || !selected.size} onClick={() => void act('validate')}>
                    Validate selected ({selected.size})
                  </button>
                ) : (
                  <button type="button" disabled={busy || !selected.size} onClick={() => void act('publish')}>
                    Publish selected ({selected.size})
                  </button>
                )}
                <button
                  type="button"
                  class="danger"
                  disabled={busy || !selected.size}
                  onClick={() => void act('reject')}
                >
                  Reject selected ({selected.size})
                </button>
              </p>
            </div>
          )}
        </>
      )}
    </main>
  );
}
