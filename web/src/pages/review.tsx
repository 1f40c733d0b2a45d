// Review queue (task force): submitted data newest first; validate, publish or reject a selection in one go, each
// checked against the revision shown (a submission changed meanwhile is reported, not overwritten). Rejected versions
// are listed too, read-only, with their reason and comment thread, where the focal point answers the rejection.
// The whole queue is loaded, page after page: it is a worklist to empty, so every item must be reachable and "Select
// all" must mean all of it; a country filter narrows what is shown (and selected) without another request.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading, RestoringSession, Select } from '../components/controls';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import '../lib/fragments';
import type { ReviewQueueQuery, SubmissionStatus } from '../gql/graphql';
import { allPages, request, requestWithErrors, useLoad } from '../lib/client';
import { useKeepOnRefusal, useKept } from '../lib/drafts';
import { formatValue, humanize, RESIDENCE } from '../lib/format';
import { useParams, type PageParams } from '../lib/params';
import { isRestoring, isStaff, useSession, wasTokenRefused, type Viewer } from '../lib/session';

const QueueDoc = graphql(`
  query ReviewQueue($status: SubmissionStatus!, $after: String) {
    submissions(
      first: 100
      after: $after
      filter: { status: $status }
      orderBy: { field: CREATED_AT, direction: DESC }
    ) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...SubmissionRow
        revision
        openComments: comments(filter: { status: OPEN }) {
          totalCount
        }
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
type Row = ReviewQueueQuery['submissions']['nodes'][number];
/** The statuses the page lists: the two awaiting a decision, and the rejected ones (read-only, for their threads). */
const SHOWN = ['SUBMITTED', 'VALIDATED', 'REJECTED'];
const DONE: Record<Action, string> = { validate: 'Validated', publish: 'Published', reject: 'Rejected' };

/** What a task-force member typed and selected, kept should the hub refuse the token before it is sent. */
interface Unsent {
  text: string;
  selected: string[];
}

const countryCode = (s: Row) => s.country.iso3 ?? s.country.m49;

export default function ReviewPage() {
  const [, viewer] = useSession();
  const p = useParams({ status: 'SUBMITTED' });
  if (viewer && isStaff(viewer)) return <Queue viewer={viewer} p={p} />;
  return (
    <main id="main" class="narrow">
      <h1>Review queue</h1>
      {isRestoring() ? (
        <RestoringSession />
      ) : (
        <p>
          The review queue is for task-force members.{' '}
          <a href={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`}>Sign in</a> with a
          task-force token.
        </p>
      )}
    </main>
  );
}

/** Every version of `status` the caller may review, newest first, following the connection's cursor to its end. */
const loadQueue = (status: SubmissionStatus) => (signal: AbortSignal) =>
  allPages(async (after) => {
    const { data, errors } = await requestWithErrors(QueueDoc, { status, after }, { signal });
    return { connection: data.submissions, errors };
  });

function Queue(props: { viewer: Viewer; p: PageParams }) {
  const { viewer, p } = props;
  const status = (SHOWN.includes(p.get('status')) ? p.get('status') : 'SUBMITTED') as SubmissionStatus;
  const country = p.get('country');
  const actionable = status !== 'REJECTED';
  const [refresh, setRefresh] = useState(0);
  const state = useLoad(loadQueue(status), [status], { refresh });
  const kept = useKept<Unsent>('review', viewer);
  const [selected, setSelected] = useState<Set<string>>(new Set(kept?.selected));
  const [text, setText] = useState(kept?.text ?? '');
  // Said until the caller acts on what came back.
  const [restored, setRestored] = useState(Boolean(kept));
  const [outcome, setOutcome] = useState<{ action: Action; ok: number; of: number; failures: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  useKeepOnRefusal<Unsent>('review', viewer, text.trim() || selected.size ? { text, selected: [...selected] } : null);

  const queue = state.status === 'done' ? state.data : [];
  const rows = country ? queue.filter((r) => countryCode(r) === country || r.country.m49 === country) : queue;
  // What the buttons act on: the selection among the rows shown.
  const chosen = rows.filter((r) => selected.has(r.id));

  async function act(action: Action) {
    setRestored(false);
    if (action === 'reject' && !text.trim()) {
      setOutcome({ action, ok: 0, of: 0, failures: ['Give the reason for rejecting (it is shown to the country).'] });
      return;
    }
    setBusy(true);
    const failures: string[] = [];
    let ok = 0;
    for (const s of chosen) {
      const label = `${countryCode(s)} ${s.indicator.code} ${s.referenceYear} v${s.version}`;
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
        // The hub refused the token: the page is signed out, and what was typed and selected is kept for when the
        // caller signs in again (lib/drafts.ts); the rest would be refused too.
        if (wasTokenRefused()) return;
        failures.push(`${label}: ${(e as Error).message}`);
      }
    }
    setOutcome({ action, ok, of: chosen.length, failures });
    setSelected(new Set());
    setText('');
    setBusy(false);
    setRefresh((n) => n + 1);
  }

  // The countries with items in the queue, each with how many, for the filter.
  const counts = new Map<string, { name: string; n: number }>();
  for (const r of queue) {
    const c = counts.get(countryCode(r)) ?? { name: r.country.name, n: 0 };
    counts.set(countryCode(r), { ...c, n: c.n + 1 });
  }
  const countryOptions = [
    { value: '', label: `Every country (${queue.length})` },
    ...[...counts]
      .sort((a, b) => a[1].name.localeCompare(b[1].name))
      .map(([code, c]) => ({
        value: code,
        label: `${c.name} (${c.n})`,
      })),
  ];
  // A country from the URL with nothing in this queue stays selected, so that the empty list is explained.
  if (country && !countryOptions.some((o) => o.value === country)) {
    countryOptions.push({ value: country, label: `${country} (0)` });
  }
  const countryName = country ? (counts.get(country)?.name ?? country) : '';
  const what = humanize(status).toLowerCase();

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
        <Select
          label="Country"
          name="country"
          value={country}
          onChange={(v) => {
            setSelected(new Set());
            p.set({ country: v });
          }}
          options={countryOptions}
        />
      </form>
      {restored && (
        <p role="status" data-testid="draft-restored">
          Your unsent comment and selection from before you were signed out are back.
        </p>
      )}
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
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && rows.length === 0 && (
        <p>
          {actionable ? 'Nothing is waiting' : 'No rejected versions'}
          {country ? ` for ${countryName}` : ''}.
        </p>
      )}
      {rows.length > 0 && (
        <>
          <ScrollBox label="Review queue">
            <table class="data" data-testid="queue">
              <caption data-testid="queue-count">
                {rows.length} {what}
                {country ? ` for ${countryName} (of ${queue.length} in the queue)` : ''}, newest first
              </caption>
              <thead>
                <tr>
                  {actionable && (
                    <th scope="col">
                      <input
                        type="checkbox"
                        aria-label={`Select all ${rows.length} ${what}${country ? ` for ${countryName}` : ''}`}
                        checked={all}
                        onChange={() => {
                          setRestored(false);
                          setSelected(all ? new Set() : new Set(rows.map((r) => r.id)));
                        }}
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
                              setRestored(false);
                              setSelected(next);
                            }}
                          />
                        </td>
                      )}
                      <th scope="row">
                        <a href={`/countries/${countryCode(s)}`}>{s.country.name}</a>
                      </th>
                      <td>
                        <a href={`/indicators/${s.indicator.code}`} title={s.indicator.name}>
                          {s.indicator.code}
                        </a>
                      </td>
                      <td class="num">{s.referenceYear}</td>
                      <td>{s.dataSource?.code ?? s.sourceType?.code ?? '–'}</td>
                      <td>{s.residenceCriterion ? RESIDENCE[s.residenceCriterion] : 'not stated'}</td>
                      <td class="num">{formatValue(s.total?.value)}</td>
                      <td class="num">{s.version}</td>
                      <td>
                        {s.note ?? ''}
                        {s.rejectionReason && <div class="reason">Rejected: {s.rejectionReason}</div>}
                      </td>
                      <td>
                        <CommentsDisclosure target={s.id} label={label} open={s.openComments.totalCount} versions />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollBox>
          {actionable && (
            <div class="stack">
              <div class="field">
                <label for="review-text">Comment, or the reason when rejecting</label>
                <textarea
                  id="review-text"
                  rows={2}
                  value={text}
                  onInput={(e) => {
                    setRestored(false);
                    setText((e.currentTarget as HTMLTextAreaElement).value);
                  }}
                />
              </div>
              <p class="toolbar">
                {status === 'SUBMITTED' ? (
                  <button type="button" disabled={busy || !chosen.length} onClick={() => void act('validate')}>
                    Validate selected ({chosen.length})
                  </button>
                ) : (
                  <button type="button" disabled={busy || !chosen.length} onClick={() => void act('publish')}>
                    Publish selected ({chosen.length})
                  </button>
                )}
                <button
                  type="button"
                  class="danger"
                  disabled={busy || !chosen.length}
                  onClick={() => void act('reject')}
                >
                  Reject selected ({chosen.length})
                </button>
              </p>
            </div>
          )}
        </>
      )}
    </main>
  );
}
