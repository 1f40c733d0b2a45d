// Upload (focal points and the task force): a submissions CSV (CONTRACT §5) or an XLSX workbook of the same columns,
// checked, fixed and submitted through the file import (components/file-import.tsx); or, chosen above it
// (`?file=accounts`), a population-accounts file the same way. For a focal point, what the task
// force still waits on: the open comments on the country's items, the soonest due first. Below, the country's
// submissions, their review status and their comment threads (with how many are open): a page at a time, newest
// first, filtered by status (a rejected version and its thread among many).
import { useState } from 'preact/hooks';
import { CommentsDisclosure, resolveComment } from '../components/comments';
import { ErrorMessage, Loading, RestoringSession } from '../components/controls';
import { ParamSelect } from '../components/filters';
import { FileImport, sendImport } from '../components/file-import';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import '../lib/fragments';
import type {
  OpenCommentsQuery,
  SubmissionStatus,
  UploadAccountsMutation,
  UploadSubmissionsMutation,
} from '../gql/graphql';
import { request, requestWithErrors, usePages, useQuery, useWrite } from '../lib/client';
import { count, humanize } from '../lib/format';
import { useParams } from '../lib/params';
import { isRestoring, useSession } from '../lib/session';

const ImportDoc = graphql(`
  mutation UploadSubmissions($csv: String, $file: File, $dryRun: Boolean!, $sheet: String, $decimalComma: Boolean) {
    importSubmissions(input: { csv: $csv, file: $file, dryRun: $dryRun, sheet: $sheet, decimalComma: $decimalComma }) {
      ok
      dryRun
      rows
      submissions
      observations
      submissionsWritten
      submissionsUnchanged
      observationsWritten
      problems {
        ...ImportProblemFields
      }
    }
  }
`);

const SendForReviewDoc = graphql(`
  mutation SendForReview($id: ID!, $revision: Int!) {
    submitSubmission(input: { id: $id, expectedRevision: $revision }) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const ImportAccountsDoc = graphql(`
  mutation UploadAccounts($csv: String, $file: File, $dryRun: Boolean!, $sheet: String, $decimalComma: Boolean) {
    importPopulationAccounts(
      input: { csv: $csv, file: $file, dryRun: $dryRun, sheet: $sheet, decimalComma: $decimalComma }
    ) {
      ok
      dryRun
      created
      updated
      unchanged
      problems {
        ...ImportProblemFields
      }
    }
  }
`);

const OwnSubmissionsDoc = graphql(`
  query OwnSubmissions($country: String!, $status: SubmissionStatus, $after: String) {
    submissions(
      first: 50
      after: $after
      filter: { country: $country, status: $status }
      orderBy: { field: CREATED_AT, direction: DESC }
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...SubmissionRow
        openComments: comments(filter: { status: OPEN }) {
          totalCount
        }
      }
    }
  }
`);

const OpenCommentsDoc = graphql(`
  query OpenComments($country: String!) {
    comments(first: 50, filter: { status: OPEN, country: $country }, orderBy: { field: DUE_DATE, direction: ASC }) {
      totalCount
      nodes {
        id
        author
        body
        createdAt
        dueDate
        overdue
        viewerCanUpdate
        target {
          __typename
          ... on Submission {
            id
            referenceYear
            version
            status
            indicator {
              code
            }
          }
          ... on DataSource {
            id
            code
          }
          ... on AdoptionRecord {
            id
            recommendation {
              code
            }
          }
          ... on Indicator {
            id
            code
          }
        }
      }
    }
  }
`);

/**
 * The words for a file without problems: checked, or written. Rows marked DRAFT are written as drafts, which are not
 * sent for review until their "Send for review" in the list below.
 */
function outcome(r: UploadSubmissionsMutation['importSubmissions']): string {
  return r.dryRun
    ? `No problems: ${count(r.rows, 'row')}, ${count(r.submissions, 'submission')}, ` +
        `${count(r.observations, 'observation')}. Submit to write them.`
    : `Written: ${count(r.submissionsWritten, 'new submission version')} (${r.submissionsUnchanged} unchanged), ` +
        `${count(r.observationsWritten, 'observation')}. Their status is in the list below; a draft waits there ` +
        'until you send it for review.';
}

const send = sendImport(ImportDoc, (r) => r.importSubmissions);

/** The words for an accounts file without problems. Entries are upserted: a row equal to the stored entry is left. */
function accountsOutcome(r: UploadAccountsMutation['importPopulationAccounts']): string {
  return r.dryRun
    ? 'No problems. Submit to write the entries.'
    : `Written: ${count(r.created, 'new entry', 'new entries')}, ${count(r.updated, 'changed entry', 'changed entries')} ` +
        `(${r.unchanged} unchanged). Entries not marked PUBLISHED are seen by your country and the task force ` +
        'only, until the task force publishes the account.';
}

const sendAccounts = sendImport(ImportAccountsDoc, (r) => r.importPopulationAccounts);

const FILE_OPTIONS = [
  { value: 'submissions', label: 'Submissions (indicator values)' },
  { value: 'accounts', label: 'Population accounts (stocks and flows by group)' },
];

export default function UploadPage() {
  const [, viewer] = useSession();
  const [refresh, setRefresh] = useState(0);
  // A comment changed in one list is read again by the other (each list keeps its own open threads as they are).
  const [inboxChanged, setInboxChanged] = useState(0);
  const [tableChanged, setTableChanged] = useState(0);
  const p = useParams();
  const accounts = p.get('file') === 'accounts';

  if (!viewer) {
    return (
      <main id="main" class="narrow">
        <h1>Upload data</h1>
        {isRestoring() ? (
          <RestoringSession />
        ) : (
          <p>
            <a href={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`}>Sign in</a> with your
            focal-point token to upload your country's data.
          </p>
        )}
      </main>
    );
  }

  return (
    <main id="main">
      <h1>Upload data</h1>
      <form class="filters" aria-label="Which kind of file" onSubmit={(e) => e.preventDefault()}>
        <ParamSelect p={p} name="file" label="The file holds" options={FILE_OPTIONS} />
      </form>
      {accounts ? (
        <>
          <p class="lead">
            A population-accounts file: UTF-8 CSV with a header row and the columns <code>country</code>,{' '}
            <code>year</code>, <code>group</code> (<code>NATIVE_BORN_CITIZENS</code>,{' '}
            <code>NATIVE_BORN_FOREIGNERS</code>, <code>FOREIGN_BORN_CITIZENS</code>,{' '}
            <code>FOREIGN_BORN_FOREIGNERS</code>), <code>component</code> (<code>OPENING_STOCK</code>,{' '}
            <code>BIRTHS</code>, <code>DEATHS</code>, <code>IMMIGRATION</code>, <code>EMIGRATION</code>,{' '}
            <code>CITIZENSHIP_ACQUIRED</code>, <code>CITIZENSHIP_LOST</code>, <code>CLOSING_STOCK</code>),{' '}
            <code>value</code> (persons), optionally <code>status</code> — <code>SUBMITTED</code> by default, or{' '}
            <code>DRAFT</code>; or an XLSX workbook with the same columns. An entry already stored for the same country,
            year, group and component is replaced. A file is written whole or not at all.{' '}
            {viewer.country && `Rows must be for ${viewer.country.name}.`}
          </p>
          <FileImport
            key="accounts"
            viewer={viewer}
            draft="accounts"
            send={sendAccounts}
            numbers
            outcome={accountsOutcome}
            action="Submit"
          />
          {viewer.country && (
            <p>
              <a href={`/countries/${viewer.country.iso3 ?? viewer.country.m49}`}>Your country's page</a> shows the
              account of each year with its residuals.
            </p>
          )}
        </>
      ) : (
        <>
          <p class="lead">
            A submissions file: UTF-8 CSV with a header row and the columns <code>country</code>, <code>indicator</code>
            , <code>reference_year</code>, <code>value</code>, optionally <code>unit</code>, <code>source_type</code>,{' '}
            <code>data_source</code>, <code>residence_criterion</code>, <code>note</code>, <code>status</code> —{' '}
            <code>SUBMITTED</code> by default, or <code>DRAFT</code> — and disaggregation columns such as{' '}
            <code>SEX</code>; or an XLSX workbook with the same columns. A file is written whole or not at all.{' '}
            {viewer.country && `Rows must be for ${viewer.country.name}.`}
          </p>
          <FileImport
            key="submissions"
            viewer={viewer}
            draft="submissions"
            send={send}
            numbers
            outcome={outcome}
            action="Submit"
            onWritten={() => setRefresh((n) => n + 1)}
          />
        </>
      )}
      {viewer.country && (
        <OpenComments
          country={viewer.country.iso3 ?? viewer.country.m49}
          refresh={tableChanged}
          onChange={() => setInboxChanged((n) => n + 1)}
        />
      )}
      {viewer.country && (
        <OwnSubmissions
          country={viewer.country.iso3 ?? viewer.country.m49}
          refresh={refresh + inboxChanged}
          onThreadChange={() => setTableChanged((n) => n + 1)}
        />
      )}
    </main>
  );
}

type OpenTarget = NonNullable<OpenCommentsQuery['comments']['nodes'][number]['target']>;

/** What an open comment is about, in the words of the lists below. */
function targetLabel(t: OpenTarget): string {
  switch (t.__typename) {
    case 'Submission':
      return `${t.indicator.code} ${t.referenceYear} version ${t.version} (${humanize(t.status).toLowerCase()})`;
    case 'DataSource':
      return `data source ${t.code}`;
    case 'AdoptionRecord':
      return `your declaration on ${t.recommendation.code}`;
    case 'Indicator':
      return `indicator ${t.code}`;
  }
}

const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

/**
 * The open comments on the country's items (its submissions, data sources and declarations), the soonest due first:
 * what the task force waits on, without opening every thread. Each can be resolved here or answered in its thread.
 */
function OpenComments(props: { country: string; refresh: number; onChange: () => void }) {
  const [resolved, setResolved] = useState(0);
  const { busy, problem, write } = useWrite();
  const state = useQuery(OpenCommentsDoc, { country: props.country }, { refresh: props.refresh + resolved });
  const resolve = (id: string) =>
    void write(
      () => resolveComment(id),
      () => {
        setResolved((n) => n + 1);
        props.onChange();
      },
    );
  return (
    <section aria-labelledby="open-comments-title">
      <h2 id="open-comments-title">Open comments</h2>
      {state.status === 'loading' && <Loading what="open comments" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && state.data.comments.totalCount === 0 && (
        <p data-testid="open-comments-count">
          No open comments on your country's submissions, sources or declarations.
        </p>
      )}
      {state.status === 'done' && state.data.comments.totalCount > 0 && (
        <>
          <p data-testid="open-comments-count">
            {state.data.comments.nodes.length < state.data.comments.totalCount
              ? `The ${state.data.comments.nodes.length} due soonest of ${state.data.comments.totalCount} open comments`
              : count(state.data.comments.totalCount, 'open comment')}{' '}
            on your country's items, the soonest due first. Resolve one once it is settled, or answer it in its thread.
          </p>
          <ol class="comments" data-testid="open-comments">
            {state.data.comments.nodes.map((c) => {
              const label = c.target ? targetLabel(c.target) : 'an item you can no longer read';
              return (
                <li key={c.id}>
                  <p class="reason">
                    On <strong>{label}</strong> · {c.viewerCanUpdate ? 'you' : <bdi>{c.author}</bdi>} ·{' '}
                    {day.format(new Date(c.createdAt))}
                    {c.dueDate ? ` · due ${day.format(new Date(c.dueDate))}` : ''}
                    {c.overdue ? <span class="badge status-rejected"> overdue</span> : null}
                  </p>
                  <p>{c.body}</p>
                  <button type="button" class="secondary" disabled={busy} onClick={() => resolve(c.id)}>
                    Resolve<span class="visually-hidden"> the comment on {label}</span>
                  </button>
                  {c.target && (
                    <CommentsDisclosure
                      target={c.target.id}
                      label={label}
                      versions={c.target.__typename === 'Submission'}
                      onChange={props.onChange}
                      restores={false}
                    />
                  )}
                </li>
              );
            })}
          </ol>
          {problem && (
            <p class="error" role="alert">
              {problem}
            </p>
          )}
        </>
      )}
    </section>
  );
}

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  ...(['DRAFT', 'SUBMITTED', 'VALIDATED', 'PUBLISHED', 'REJECTED'] as const).map((v) => ({
    value: v,
    label: humanize(v),
  })),
];

function OwnSubmissions(props: { country: string; refresh: number; onThreadChange: () => void }) {
  // In the URL, as every page's filters are: a link can lead to the rejected ones.
  const p = useParams();
  // A draft sent for review: the list is read again.
  const [sent, setSent] = useState(0);
  const { busy, problem, write } = useWrite();
  const sendForReview = (s: { id: string; revision: number }) =>
    void write(
      async () => (await request(SendForReviewDoc, { id: s.id, revision: s.revision })).submitSubmission,
      () => setSent((n) => n + 1),
    );
  const status = STATUS_OPTIONS.some((o) => o.value === p.get('status')) ? p.get('status') : '';
  const list = usePages(
    async (after, signal) => {
      const variables = { country: props.country, status: (status || null) as SubmissionStatus | null, after };
      const { data, errors } = await requestWithErrors(OwnSubmissionsDoc, variables, { signal });
      return { data: data.submissions, errors };
    },
    [props.country, status],
    { refresh: props.refresh + sent },
  );
  const { state, nodes, total } = list;
  const which = status ? `${humanize(status).toLowerCase()} ` : '';
  return (
    <section aria-labelledby="own-title">
      <h2 id="own-title">Your country's submissions</h2>
      <form class="filters" aria-label="Which of your country's submissions" onSubmit={(e) => e.preventDefault()}>
        <ParamSelect p={p} name="status" label="Status" options={STATUS_OPTIONS} />
      </form>
      {state.status === 'loading' && <Loading what="submissions" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && nodes.length === 0 && (
        <p>{status ? `No ${which}submissions.` : 'No submissions yet.'}</p>
      )}
      {state.status === 'done' && nodes.length > 0 && (
        <>
          <ScrollBox label="Your country's submissions">
            <table class="data" data-testid="own-submissions">
              <caption data-testid="own-count">
                {nodes.length < total
                  ? `The newest ${nodes.length} of ${total} ${which}submissions`
                  : count(total, `${which}submission`)}
                , newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Indicator</th>
                  <th scope="col" class="num">
                    Year
                  </th>
                  <th scope="col">Source</th>
                  <th scope="col" class="num">
                    Version
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Comments</th>
                </tr>
              </thead>
              <tbody>
                {nodes.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.indicator.code}</th>
                    <td class="num">{s.referenceYear}</td>
                    <td>{s.dataSource?.code ?? s.sourceType?.code ?? '–'}</td>
                    <td class="num">{s.version}</td>
                    <td>
                      <span class={`badge status-${s.status.toLowerCase()}`}>{humanize(s.status)}</span>
                      {s.rejectionReason && <div class="reason">{s.rejectionReason}</div>}
                      {s.status === 'DRAFT' && (
                        <div>
                          <button type="button" class="secondary" disabled={busy} onClick={() => sendForReview(s)}>
                            Send for review
                            <span class="visually-hidden">
                              {' '}
                              {s.indicator.code} {s.referenceYear} version {s.version}
                            </span>
                          </button>
                        </div>
                      )}
                    </td>
                    <td>{s.updatedAt.slice(0, 16).replace('T', ' ')}</td>
                    <td>
                      <CommentsDisclosure
                        target={s.id}
                        label={`${s.indicator.code} ${s.referenceYear} version ${s.version}`}
                        open={s.openComments.totalCount}
                        versions
                        onChange={props.onThreadChange}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {problem && (
            <p class="error" role="alert">
              {problem}
            </p>
          )}
          {list.error && <ErrorMessage error={list.error} />}
          {list.hasMore && (
            // A div: the loading line is a paragraph of its own, and a <p> inside a <p> is invalid HTML.
            <div class="toolbar">
              <button type="button" disabled={list.busy} onClick={() => void list.more()}>
                Show {Math.min(50, total - nodes.length)} more
              </button>
              {list.busy && <Loading what="more submissions" />}
            </div>
          )}
        </>
      )}
    </section>
  );
}
