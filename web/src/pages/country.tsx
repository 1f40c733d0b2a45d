// Country profile: core coverage by building block, missing core indicators, registered data sources, submissions
// with their status history, and the population account with its residuals. What it shows follows the caller's
// token (a focal point sees its own country's unpublished submissions; anonymous callers published ones only). The
// country's focal point (or the task force on its behalf) declares its implementation status per recommendation here,
// the task force reviews a declaration, and both discuss it in the record's comment thread. Both register the
// country's data sources here too.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading, SourceLink, YearInput } from '../components/controls';
import { YearWindowFilter } from '../components/filters';
import { PlotFigure } from '../components/plot-figure';
import { graphql } from '../gql';
import '../lib/fragments';
import type {
  AdoptionReviewStatus,
  AdoptionStatus,
  CountryImplementationQuery,
  CountryProfileQuery,
  CountrySourcesQuery,
  CreateDataSourceMutation,
  PopulationAccountQuery,
  ResidenceCriterion,
} from '../gql/graphql';
import { isNotFound, request, useQuery, useWrite, type WriteResult } from '../lib/client';
import { useKeepOnRefusal, useKept } from '../lib/drafts';
import { isStaff, useSession, type Viewer } from '../lib/session';
import { count, formatInt, formatValue, formatShare, humanize, RESIDENCE } from '../lib/format';
import { href, indicatorHref, useParams, windowParams, yearWindow } from '../lib/params';
import { DISCREPANCY_LABEL, EvidenceMark, recommendationName, STATUS_LABEL } from '../components/implementation';
import { ScrollBox } from '../components/scroll-box';

const ReportAdoptionDoc = graphql(`
  mutation ReportAdoption($input: ReportAdoptionInput!) {
    reportAdoption(input: $input) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const ReviewAdoptionDoc = graphql(`
  mutation ReviewAdoption($input: ReviewAdoptionInput!) {
    reviewAdoption(input: $input) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

const CountryImplementationDoc = graphql(`
  query CountryImplementation($code: String!, $window: YearWindow) {
    country(code: $code) {
      implementation(window: $window) {
        recommendation {
          code
          text
        }
        record {
          id
          revision
        }
        status
        since
        note
        evidenceUrl
        evidence {
          met
          detail
        }
        discrepancy
        review {
          status
          comment
          reviewedBy
          reviewedAt
        }
        history {
          kind
          status
          since
          actor
          reviewStatus
          reviewComment
          recordedAt
        }
      }
    }
  }
`);

const CountrySourcesDoc = graphql(`
  query CountrySources($code: String!) {
    country(code: $code) {
      dataSources(first: 100) {
        totalCount
        nodes {
          id
          code
          name
          agency
          periodicity
          latestYear
          residenceCriterion
          sourceType {
            code
            name
          }
        }
      }
    }
  }
`);

const CreateDataSourceDoc = graphql(`
  mutation CreateDataSource($input: CreateDataSourceInput!) {
    createDataSource(input: $input) {
      __typename
      ... on Error {
        message
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

const SourceTypeOptionsDoc = graphql(`
  query SourceTypeOptions {
    sourceTypes {
      code
      name
    }
  }
`);

const CountryProfileDoc = graphql(`
  query CountryProfile($code: String!, $window: YearWindow, $fromYear: Int, $toYear: Int) {
    country(code: $code) {
      m49
      iso3
      name
      ldc
      lldc
      sids
      regions {
        code
        name
        level
      }
      coverage(window: $window) {
        coreReported
        coreTotal
        share
        byBuildingBlock {
          buildingBlock
          reported
          total
        }
        missingCore {
          code
          name
          buildingBlock
          candidateSourceTypes(suitability: [PRIMARY, SECONDARY]) {
            suitability
            sourceType {
              code
              name
            }
          }
        }
      }
    }
    submissions(
      first: 100
      filter: { country: $code, fromYear: $fromYear, toYear: $toYear }
      orderBy: { field: CREATED_AT, direction: DESC }
    ) {
      totalCount
      nodes {
        ...SubmissionRow
        isCountable
        residenceCriterion
        history {
          fromStatus
          toStatus
          actor
          comment
          createdAt
        }
      }
    }
  }
`);

graphql(`
  fragment AccountGroupFields on AccountGroup {
    group
    opening
    births
    deaths
    immigration
    emigration
    citizenshipAcquired
    citizenshipLost
    closing
    expectedClosing
    residual
    coherent
    openingGap
  }
`);

const PopulationAccountDoc = graphql(`
  query PopulationAccount($code: String!, $year: Int!) {
    populationAccount(country: $code, year: $year) {
      year
      coherent
      continuous
      pendingEntries
      missing
      groups {
        ...AccountGroupFields
      }
      total {
        ...AccountGroupFields
      }
    }
  }
`);

/** The years an account exists for, among the ten before and including `last` (one request, ten aliases). */
const AccountYearsDoc = graphql(`
  query AccountYears(
    $code: String!
    $y0: Int!
    $y1: Int!
    $y2: Int!
    $y3: Int!
    $y4: Int!
    $y5: Int!
    $y6: Int!
    $y7: Int!
    $y8: Int!
    $y9: Int!
  ) {
    a0: populationAccount(country: $code, year: $y0) {
      year
    }
    a1: populationAccount(country: $code, year: $y1) {
      year
    }
    a2: populationAccount(country: $code, year: $y2) {
      year
    }
    a3: populationAccount(country: $code, year: $y3) {
      year
    }
    a4: populationAccount(country: $code, year: $y4) {
      year
    }
    a5: populationAccount(country: $code, year: $y5) {
      year
    }
    a6: populationAccount(country: $code, year: $y6) {
      year
    }
    a7: populationAccount(country: $code, year: $y7) {
      year
    }
    a8: populationAccount(country: $code, year: $y8) {
      year
    }
    a9: populationAccount(country: $code, year: $y9) {
      year
    }
  }
`);

type Country = NonNullable<CountryProfileQuery['country']>;
/** The code the API takes for the country: ISO3 when it has one, M49 otherwise. */
const codeOf = (c: Country) => c.iso3 ?? c.m49;
type Submissions = CountryProfileQuery['submissions']['nodes'];
type Account = NonNullable<PopulationAccountQuery['populationAccount']>;

export default function CountryPage(props: { code?: string; params?: { code?: string } }) {
  const code = decodeURIComponent(props.params?.code ?? props.code ?? '');
  const p = useParams();
  const { window, error: windowError } = yearWindow(p);
  const to = p.num('to');
  const state = useQuery(
    CountryProfileDoc,
    { code, window, fromYear: window?.from, toYear: window?.to },
    { skip: Boolean(windowError) },
  );
  // A window the API would refuse: the year fields with the error beside them, to fix it, and no profile.
  if (windowError)
    return (
      <Main title={code}>
        <form class="filters" aria-label="Year window" onSubmit={(e) => e.preventDefault()}>
          <YearWindowFilter p={p} />
        </form>
      </Main>
    );
  if (state.status === 'loading')
    return (
      <Main title={code}>
        <Loading what="the country profile" />
      </Main>
    );
  if (state.status === 'error' && !isNotFound(state.error))
    return (
      <Main title={code}>
        <ErrorMessage error={state.error} retry={state.retry} />
      </Main>
    );
  const country = state.status === 'done' ? state.data.country : null;
  if (state.status === 'error' || !country) {
    return (
      <Main title="Country not found">
        <p>
          No country with code {code}. <a href="/countries">Back to the list of countries</a>.
        </p>
      </Main>
    );
  }
  const path = country.regions.filter((r) => r.level !== 'WORLD');
  return (
    <Main title={country.name}>
      <p class="lead">
        M49 {country.m49}
        {country.iso3 ? ` · ISO3 ${country.iso3}` : ''}
        {path.length > 0 && (
          <>
            {' · '}
            {path.map((r, i) => (
              <span key={r.code}>
                {i > 0 && ' › '}
                <a href={href('/coverage', { region: r.code, ...windowParams(window) })}>{r.name}</a>
              </span>
            ))}
          </>
        )}
        {country.ldc && ' · LDC'}
        {country.lldc && ' · LLDC'}
        {country.sids && ' · SIDS'}
      </p>
      <form class="filters" aria-label="Year window" onSubmit={(e) => e.preventDefault()}>
        <YearWindowFilter p={p} />
      </form>
      <CoverageSection country={country} window={window} />
      <ImplementationSection country={country} window={window} />
      <SourcesSection country={country} />
      <SubmissionsSection
        submissions={state.data.submissions.nodes}
        total={state.data.submissions.totalCount}
        window={window}
      />
      <AccountSection code={codeOf(country)} last={to} />
    </Main>
  );
}

function Main(props: { title: string; children: preact.ComponentChildren }) {
  return (
    <main id="main">
      <p class="crumbs">
        <a href="/countries">Countries</a> ›
      </p>
      <h1>{props.title}</h1>
      {props.children}
    </main>
  );
}

/** A section that loads its own query, while it loads or when it failed: its heading, and the state. */
function Pending(props: {
  id: string;
  title: string;
  what: string;
  state: { status: string; error?: Error; retry?: () => void };
}) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.state.error ? (
        <ErrorMessage error={props.state.error} retry={props.state.retry} />
      ) : (
        <Loading what={props.what} />
      )}
    </section>
  );
}

/**
 * What the caller may do with this country's items, for the forms and threads a page offers (the API decides, CONTRACT
 * §8–9): the task force reviews; the task force and the country's own focal point declare and discuss.
 */
function useCountryRoles(country: Country) {
  const [, viewer] = useSession();
  const staff = isStaff(viewer);
  // By M49, which every country has (two without an ISO3 code would otherwise match).
  const declares = staff || (viewer?.role === 'FOCAL_POINT' && viewer.country?.m49 === country.m49);
  return { staff, declares, viewer };
}

/**
 * Loaded on its own (the profile's query is near the cost limit) and read again after each declaration or review,
 * without reloading the rest of the page; read again too when a write was refused because the record had changed
 * meanwhile (a ConflictError), so the row shows the current declaration and says why the caller's was not saved.
 */
function ImplementationSection(props: { country: Country; window: { from: number; to: number } | undefined }) {
  const { staff, declares, viewer } = useCountryRoles(props.country);
  const [refresh, setRefresh] = useState(0);
  // Per recommendation: why the caller's last write was not saved (a conflict), until its next write is.
  const [conflicts, setConflicts] = useState<Record<string, string>>({});
  const state = useQuery(CountryImplementationDoc, { code: codeOf(props.country), window: props.window }, { refresh });
  const onChange = (rec: string) => {
    setConflicts(({ [rec]: _, ...rest }) => rest);
    setRefresh((n) => n + 1);
  };
  const onConflict = (rec: string, message: string) => {
    setConflicts((c) => ({ ...c, [rec]: message }));
    setRefresh((n) => n + 1);
  };
  if (state.status !== 'done' || !state.data.country)
    return (
      <Pending
        id="implementation-title"
        title="Implementation of the recommendations"
        what="the implementation"
        state={state}
      />
    );
  const rows = state.data.country.implementation;
  return (
    <section aria-labelledby="implementation-title">
      <h2 id="implementation-title">Implementation of the recommendations</h2>
      <p>
        The country’s declaration per recommendation and what its own data{' '}
        {props.window ? `of ${props.window.from}–${props.window.to}` : ''} say (
        <a
          href={href('/implementation', {
            region: props.country.regions.find((r) => r.level !== 'WORLD')?.code,
            ...windowParams(props.window),
          })}
        >
          compare with its region
        </a>
        ).
      </p>
      <ScrollBox label="Implementation status per recommendation">
        <table class="data" data-testid="country-implementation">
          <caption class="visually-hidden">Implementation status per recommendation</caption>
          <thead>
            <tr>
              <th scope="col">Recommendation</th>
              <th scope="col">Status</th>
              <th scope="col">Evidence from the data</th>
              <th scope="col">Discrepancy</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.recommendation.code}
                data-rec={r.recommendation.code}
                data-status={r.status ?? 'UNKNOWN'}
                data-discrepancy={r.discrepancy ?? ''}
                class={r.discrepancy ? 'cell discrepant' : undefined}
              >
                <th scope="row" title={r.recommendation.text}>
                  {recommendationName(r.recommendation.code)}
                </th>
                <td>
                  {STATUS_LABEL[r.status ?? 'UNKNOWN']}
                  {r.since ? ` since ${r.since}` : ''}
                  {r.note && <div class="reason">{r.note}</div>}
                  {r.evidenceUrl && (
                    <div class="reason">
                      <SourceLink href={r.evidenceUrl}>Evidence</SourceLink>
                    </div>
                  )}
                  <AdoptionReviewNote review={r.review} />
                  {conflicts[r.recommendation.code] && (
                    <p class="error" role="alert" data-testid="adoption-conflict">
                      {conflicts[r.recommendation.code]}
                    </p>
                  )}
                  <AdoptionHistory history={r.history} recommendation={r.recommendation.code} />
                  {declares && viewer && (
                    <AdoptionForms
                      row={r}
                      country={codeOf(props.country)}
                      review={staff}
                      onChange={() => onChange(r.recommendation.code)}
                      onConflict={(message) => onConflict(r.recommendation.code, message)}
                      viewer={viewer}
                    />
                  )}
                  {declares && r.record && (
                    <CommentsDisclosure
                      target={r.record.id}
                      label={`${props.country.name}'s ${recommendationName(r.recommendation.code)}`}
                    />
                  )}
                </td>
                <td data-col="evidence">
                  {r.evidence ? (
                    <>
                      <EvidenceMark cell={r} /> {r.evidence.met ? 'Met' : 'Not met'}: {r.evidence.detail}
                    </>
                  ) : (
                    'No evidence rule (declared only)'
                  )}
                </td>
                <td data-col="discrepancy">{r.discrepancy ? DISCREPANCY_LABEL[r.discrepancy] : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}

type AdoptionRow = NonNullable<CountryImplementationQuery['country']>['implementation'][number];
/** A declaration or review being typed, kept should the hub refuse the token before it is sent. */
interface AdoptionFields {
  status: AdoptionStatus;
  since: string;
  note: string;
  evidenceUrl: string;
  comment: string;
}
const STATUSES: AdoptionStatus[] = ['NOT_STARTED', 'PLANNED', 'PARTIAL', 'IMPLEMENTED', 'NOT_APPLICABLE'];

/**
 * Declare the status of one recommendation (the focal point, or the task force on the country's behalf) and, for the
 * task force, review the declaration. Each write names the revision read, so a record changed meanwhile is refused
 * (ConflictError) instead of overwritten; the implementation table is read again after each write, and after a
 * conflict (`onConflict`, with the words saying what was not saved).
 */
function AdoptionForms(props: {
  row: AdoptionRow;
  country: string;
  review: boolean;
  onChange: () => void;
  onConflict: (message: string) => void;
  viewer: Viewer;
}) {
  const { row } = props;
  const rec = row.recommendation.code;
  const name = recommendationName(rec);
  // What was typed comes back after the hub refused the token under it and the caller signed in again (lib/drafts).
  const scope = `adoption.${props.country}.${rec}`;
  const kept = useKept<AdoptionFields>(scope, props.viewer);
  const [status, setStatus] = useState<AdoptionStatus>(kept?.status ?? row.status ?? 'IMPLEMENTED');
  const [since, setSince] = useState(kept?.since ?? (row.since ? String(row.since) : ''));
  const [note, setNote] = useState(kept?.note ?? row.note ?? '');
  const [evidenceUrl, setEvidenceUrl] = useState(kept?.evidenceUrl ?? row.evidenceUrl ?? '');
  const [comment, setComment] = useState(kept?.comment ?? '');
  const { busy, problem, setProblem, write } = useWrite();
  const fields = { status, since, note, evidenceUrl, comment };
  const untouched =
    status === (row.status ?? 'IMPLEMENTED') &&
    since === (row.since ? String(row.since) : '') &&
    note === (row.note ?? '') &&
    evidenceUrl === (row.evidenceUrl ?? '') &&
    !comment;
  useKeepOnRefusal<AdoptionFields>(scope, props.viewer, untouched ? null : fields);

  /** A ConflictError: someone (or another tab) wrote the record since this page read it; `what` was not saved. */
  const conflict = (what: string) => (error: WriteResult) => {
    if (error.__typename !== 'ConflictError') return false;
    props.onConflict(
      `Conflict: this declaration was changed elsewhere while you had it open, so ${what} was not saved. ` +
        'The row now shows the current declaration; check it, and send yours again if it still stands.',
    );
    return true;
  };

  function declare(e: Event) {
    e.preventDefault();
    if (since && !/^\d{4}$/.test(since)) {
      setProblem('Since: a year, e.g. 2021.');
      return;
    }
    void write(
      async () =>
        (
          await request(ReportAdoptionDoc, {
            input: {
              country: props.country,
              recommendation: rec,
              status,
              since: since ? Number(since) : null,
              note: note.trim() || null,
              evidenceUrl: evidenceUrl.trim() || null,
              expectedRevision: row.record?.revision ?? 0,
            },
          })
        ).reportAdoption,
      props.onChange,
      conflict(`your declaration (${STATUS_LABEL[status]}${since ? ` since ${since}` : ''})`),
    );
  }

  function review(verdict: AdoptionReviewStatus) {
    const record = row.record;
    if (!record) return;
    void write(
      async () =>
        (
          await request(ReviewAdoptionDoc, {
            input: {
              id: record.id,
              status: verdict,
              comment: comment.trim() || null,
              expectedRevision: record.revision,
            },
          })
        ).reviewAdoption,
      props.onChange,
      conflict(`your review (${REVIEW_LABEL[verdict]})`),
    );
  }

  const id = (field: string) => `adoption-${rec}-${field}`;
  // The field a refusal is about (the hub names it as input.<field>, this form by its label), shown by its label and
  // tied to the field, so that a screen reader says what is wrong where the reader is.
  const about = problem ? /^(?:input\.)?(since|note|evidenceUrl|comment)\b\s*:\s*/i.exec(problem) : null;
  const field = about
    ? (Object.keys(ADOPTION_FIELD).find((f) => f.toLowerCase() === about[1]!.toLowerCase()) ?? null)
    : null;
  const shown = about && field ? `${ADOPTION_FIELD[field]!.label}: ${problem!.slice(about[0].length)}` : problem;
  const invalid = (f: string) =>
    field === f ? { 'aria-invalid': true as const, 'aria-describedby': id('problem') } : {};
  return (
    <details class="adoption-forms" data-testid="adoption-forms" open={Boolean(kept)}>
      <summary>
        {props.review && row.record ? 'Declare or review' : 'Declare'}
        <span class="visually-hidden"> {name}</span>
      </summary>
      {kept && (
        <p role="status" data-testid="draft-restored">
          What you typed before you were signed out is back; it was not sent.
        </p>
      )}
      <form onSubmit={declare} aria-label={`Declare ${name}`}>
        <label for={id('status')}>Status</label>
        <select id={id('status')} value={status} onChange={(e) => setStatus(e.currentTarget.value as AdoptionStatus)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <label for={id('since')}>Since (year)</label>
        <input
          id={id('since')}
          inputMode="numeric"
          value={since}
          onInput={(e) => setSince(e.currentTarget.value)}
          {...invalid('since')}
        />
        <label for={id('note')}>Note</label>
        <input id={id('note')} value={note} onInput={(e) => setNote(e.currentTarget.value)} {...invalid('note')} />
        <label for={id('evidence')}>Evidence URL</label>
        <input
          id={id('evidence')}
          type="url"
          {...invalid('evidenceUrl')}
          value={evidenceUrl}
          onInput={(e) => setEvidenceUrl(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Declare<span class="visually-hidden"> {name}</span>
        </button>
      </form>
      {props.review && row.record && (
        <form onSubmit={(e) => e.preventDefault()} aria-label={`Review ${name}`}>
          <label for={id('comment')}>Review comment</label>
          <input
            id={id('comment')}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
            {...invalid('comment')}
          />
          <button type="button" disabled={busy} onClick={() => review('CONFIRMED')}>
            Confirm<span class="visually-hidden"> {name}</span>
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => review('DISPUTED')}>
            Dispute<span class="visually-hidden"> {name}</span>
          </button>
        </form>
      )}
      {problem && (
        <p class="error" role="alert" id={id('problem')}>
          {shown}
        </p>
      )}
    </details>
  );
}
const REVIEW_LABEL: Record<string, string> = { CONFIRMED: 'Confirmed', DISPUTED: 'Disputed' };
/** The declaration and review fields a refusal can name, by their input name. */
const ADOPTION_FIELD: Record<string, { label: string }> = {
  since: { label: 'Since' },
  note: { label: 'Note' },
  evidenceUrl: { label: 'Evidence URL' },
  comment: { label: 'Review comment' },
};
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The task force's review of the declaration; the API gives it to the task force and the country only. */
function AdoptionReviewNote(props: { review: AdoptionRow['review'] }) {
  const v = props.review;
  if (!v) return null;
  return (
    <div class={`reason review-${v.status.toLowerCase()}`} data-testid="adoption-review">
      Task force: <strong>{REVIEW_LABEL[v.status]}</strong>
      {v.comment ? ` — ${v.comment}` : ''}
      {v.reviewedBy || v.reviewedAt ? (
        <small> ({[v.reviewedBy, v.reviewedAt && when(v.reviewedAt)].filter(Boolean).join(', ')})</small>
      ) : null}
    </div>
  );
}

/** Every change of the record, oldest first: declarations and reviews (who and the comment only when visible). */
function AdoptionHistory(props: { history: AdoptionRow['history']; recommendation: string }) {
  const h = props.history;
  if (h.length === 0) return null;
  return (
    <details class="adoption-history" data-testid="adoption-history">
      <summary>
        History ({count(h.length, 'change')})
        <span class="visually-hidden"> of {recommendationName(props.recommendation)}</span>
      </summary>
      <ol class="history">
        {h.map((c, i) => {
          const before = i > 0 ? h[i - 1]!.status : null;
          const change =
            c.kind === 'REVIEW'
              ? c.reviewStatus
                ? `Reviewed: ${REVIEW_LABEL[c.reviewStatus]}`
                : 'Reviewed'
              : before && before !== c.status
                ? `${STATUS_LABEL[before]} → ${STATUS_LABEL[c.status]}`
                : `Declared ${STATUS_LABEL[c.status]}`;
          return (
            <li key={i}>
              <time dateTime={c.recordedAt}>{when(c.recordedAt)}</time> {change}
              {c.kind !== 'REVIEW' && c.since ? ` since ${c.since}` : ''}
              {c.actor ? ` by ${c.actor}` : ''}
              {c.kind === 'REVIEW' && c.reviewComment ? `: ${c.reviewComment}` : ''}
            </li>
          );
        })}
      </ol>
    </details>
  );
}

function CoverageSection(props: { country: Country; window: { from: number; to: number } | undefined }) {
  const c = props.country.coverage;
  return (
    <section aria-labelledby="coverage-title">
      <h2 id="coverage-title">Core indicators</h2>
      <p data-testid="core-reported">
        Reports <strong>{c.coreReported}</strong> of {c.coreTotal} core indicators ({formatShare(c.share)})
        {props.window ? ` with reference years ${props.window.from}–${props.window.to}` : ' (any year)'}.
      </p>
      <ScrollBox label="Core indicators by building block">
        <table class="data">
          <caption>By building block</caption>
          <thead>
            <tr>
              <th scope="col">Building block</th>
              <th scope="col" class="num">
                Reported
              </th>
              <th scope="col" class="num">
                Core indicators
              </th>
              <th scope="col">
                <span class="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {c.byBuildingBlock.map((b) => (
              <tr key={b.buildingBlock}>
                <th scope="row">{humanize(b.buildingBlock)}</th>
                <td class="num">{b.reported}</td>
                <td class="num">{b.total}</td>
                <td>
                  <meter
                    min={0}
                    max={Math.max(1, b.total)}
                    value={b.reported}
                    aria-label={`${b.reported} of ${b.total}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <h3>Missing core indicators</h3>
      {c.missingCore.length === 0 ? (
        <p>None: every core indicator is reported.</p>
      ) : (
        <ul class="missing">
          {c.missingCore.map((i) => (
            <li key={i.code}>
              <a href={indicatorHref(i.code, props.window)}>{i.code}</a> {i.name}
              {i.candidateSourceTypes.length > 0 ? (
                <small> — could come from {i.candidateSourceTypes.map((l) => l.sourceType.name).join(', ')}</small>
              ) : (
                <small> — no source type can produce it yet</small>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * Loaded on its own, like the implementation: the profile's query is near the cost limit. Read again once the caller
 * registers a source; the form below the list stays in place meanwhile, so what it says is not lost with the list.
 */
function SourcesSection(props: { country: Country }) {
  const { declares, viewer } = useCountryRoles(props.country);
  const [refresh, setRefresh] = useState(0);
  const state = useQuery(CountrySourcesDoc, { code: codeOf(props.country) }, { refresh });
  const sources = state.status === 'done' ? state.data.country?.dataSources : undefined;
  return (
    <section aria-labelledby="sources-title">
      <h2 id="sources-title">Data sources</h2>
      {sources ? (
        <SourcesList sources={sources} discusses={declares} />
      ) : state.error ? (
        <ErrorMessage error={state.error} retry={state.retry} />
      ) : (
        <Loading what="the data sources" />
      )}
      {declares && viewer && (
        <RegisterSource country={codeOf(props.country)} viewer={viewer} onRegistered={() => setRefresh((n) => n + 1)} />
      )}
    </section>
  );
}

type Sources = NonNullable<CountrySourcesQuery['country']>['dataSources'];

function SourcesList(props: { sources: Sources; discusses: boolean }) {
  const { discusses } = props;
  if (props.sources.totalCount === 0) return <p>No data source is registered for this country.</p>;
  return (
    <ScrollBox label="Data sources">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Type</th>
            <th scope="col">Agency</th>
            <th scope="col">Periodicity</th>
            <th scope="col" class="num">
              Latest year
            </th>
            <th scope="col">Residence criterion</th>
            {discusses && <th scope="col">Discussion</th>}
          </tr>
        </thead>
        <tbody>
          {props.sources.nodes.map((s) => (
            <tr key={s.code}>
              <th scope="row">
                {s.name} <small>({s.code})</small>
              </th>
              <td>{s.sourceType.name}</td>
              <td>{s.agency ?? '–'}</td>
              <td>{s.periodicity ?? '–'}</td>
              <td class="num">{s.latestYear ?? '–'}</td>
              <td>{s.residenceCriterion ? RESIDENCE[s.residenceCriterion] : 'not stated'}</td>
              {discusses && (
                <td>
                  <CommentsDisclosure target={s.id} label={s.name} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

type SourceField = 'code' | 'name' | 'sourceType' | 'agency' | 'periodicity' | 'latestYear' | 'residenceCriterion';
/** A data source being typed, every field as typed; kept should the hub refuse the token before it is sent. */
type SourceFields = Record<SourceField, string>;
const NO_SOURCE: SourceFields = {
  code: '',
  name: '',
  sourceType: '',
  agency: '',
  periodicity: '',
  latestYear: '',
  residenceCriterion: '',
};
/** The labels of the form's fields, by the name the API's issue paths end with. */
const SOURCE_LABEL: Record<string, string> = {
  code: 'Code',
  name: 'Name',
  sourceType: 'Source type',
  agency: 'Agency',
  periodicity: 'Periodicity',
  latestYear: 'Latest year',
  residenceCriterion: 'Residence criterion',
  country: 'Country',
};
/** What is wrong with one field: the form marks the field and names it in the message. */
interface SourceIssue {
  field: string;
  message: string;
}

/** The fields a typed refusal concerns: a ValidationError's issues by their input path, and a duplicate code (a
 *  ConflictError) the code's. Null for a refusal without any, which is shown as its message alone. */
function sourceIssues(result: CreateDataSourceMutation['createDataSource']): SourceIssue[] | null {
  if (result.__typename === 'ValidationError' && result.issues.length)
    return result.issues.map((i) => ({ field: i.path.at(-1) ?? '', message: i.message }));
  if (result.__typename === 'ConflictError') return [{ field: 'code', message: result.message }];
  return null;
}

/**
 * Registers a data source of the country (its focal point, the task force on its behalf; the API decides). What the
 * hub refuses is named beside the form by field, with everything typed left in place to correct; once registered,
 * the form is emptied and says so, and the list above is read again.
 */
function RegisterSource(props: { country: string; viewer: Viewer; onRegistered: () => void }) {
  const scope = `dataSource.${props.country}`;
  const kept = useKept<SourceFields>(scope, props.viewer);
  const [fields, setFields] = useState<SourceFields>(kept ?? NO_SOURCE);
  const [issues, setIssues] = useState<SourceIssue[]>([]);
  const [registered, setRegistered] = useState<string | null>(null);
  const { busy, problem, write } = useWrite();
  const types = useQuery(SourceTypeOptionsDoc, {});
  useKeepOnRefusal<SourceFields>(scope, props.viewer, Object.values(fields).some(Boolean) ? fields : null);

  /** A control's id and value, marked invalid and described by what is wrong with it while that is shown. */
  const control = (field: SourceField) => {
    const described = issues.flatMap((i, n) => (i.field === field ? [`source-issue-${n}`] : []));
    return {
      id: `source-${field}`,
      value: fields[field],
      onInput: (e: Event) => setFields((f) => ({ ...f, [field]: (e.currentTarget as HTMLInputElement).value })),
      'aria-invalid': described.length > 0 || undefined,
      'aria-describedby': described.join(' ') || undefined,
    };
  };

  function register(e: Event) {
    e.preventDefault();
    setRegistered(null);
    const year = fields.latestYear.trim();
    // Checked here: what GraphQL would refuse untyped (a year that is not a number), and a choice not made; the hub
    // checks the rest.
    const own: SourceIssue[] = [
      ...(fields.sourceType ? [] : [{ field: 'sourceType', message: 'choose one' }]),
      ...(year && !/^\d{1,4}$/.test(year) ? [{ field: 'latestYear', message: 'a year, e.g. 2022' }] : []),
    ];
    setIssues(own);
    if (own.length) return;
    const input = {
      country: props.country,
      code: fields.code.trim(),
      name: fields.name,
      sourceType: fields.sourceType,
      agency: fields.agency.trim() || null,
      periodicity: fields.periodicity.trim() || null,
      latestYear: year ? Number(year) : null,
      residenceCriterion: (fields.residenceCriterion || null) as ResidenceCriterion | null,
    };
    void write(
      async () => (await request(CreateDataSourceDoc, { input })).createDataSource,
      () => {
        setFields(NO_SOURCE);
        setRegistered(`Registered ${input.name.trim()} (${input.code}).`);
        props.onRegistered();
      },
      // The refusal is the answer `run` gave above, of the mutation's own result type.
      (error) => {
        const found = sourceIssues(error as CreateDataSourceMutation['createDataSource']);
        if (found) setIssues(found);
        return found !== null;
      },
    );
  }

  return (
    <details class="import" data-testid="register-source" open={Boolean(kept)}>
      <summary>Register a data source</summary>
      {kept && (
        <p role="status" data-testid="draft-restored">
          What you typed before you were signed out is back; it was not sent.
        </p>
      )}
      {/* The hub's checks, not the browser's, so every refusal is said the same way and by field. */}
      <form class="filters" aria-label="Register a data source" noValidate onSubmit={register}>
        <div class="field">
          <label for="source-code">Code</label>
          <input {...control('code')} required autoComplete="off" />
        </div>
        <div class="field">
          <label for="source-name">Name</label>
          <input {...control('name')} required />
        </div>
        <div class="field">
          <label for="source-sourceType">Source type</label>
          <select {...control('sourceType')} required>
            <option value="">Choose a source type</option>
            {types.status === 'done' &&
              types.data.sourceTypes.map((t) => (
                <option key={t.code} value={t.code}>
                  {t.name}
                </option>
              ))}
          </select>
        </div>
        <div class="field">
          <label for="source-agency">Agency</label>
          <input {...control('agency')} />
        </div>
        <div class="field">
          <label for="source-periodicity">Periodicity</label>
          <input {...control('periodicity')} />
        </div>
        <div class="field">
          <label for="source-latestYear">Latest year</label>
          <input {...control('latestYear')} inputMode="numeric" size={6} />
        </div>
        <div class="field">
          <label for="source-residenceCriterion">Residence criterion</label>
          <select {...control('residenceCriterion')}>
            <option value="">Not stated</option>
            {Object.entries(RESIDENCE).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          Register
        </button>
      </form>
      {types.status === 'error' && <ErrorMessage error={types.error} retry={types.retry} />}
      {issues.length > 0 && (
        // The list inside the alert: with the alert's role, it would no longer be a list to its items.
        <div role="alert" data-testid="source-issues">
          <ul class="error">
            {issues.map((i, n) => (
              <li key={n} id={`source-issue-${n}`}>
                {SOURCE_LABEL[i.field] ?? i.field}: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {registered && (
        <p class="ok" role="status">
          {registered}
        </p>
      )}
    </details>
  );
}

function SubmissionsSection(props: {
  submissions: Submissions;
  total: number;
  window: { from: number; to: number } | undefined;
}) {
  const rows = props.submissions;
  return (
    <section aria-labelledby="submissions-title">
      <h2 id="submissions-title">Submissions</h2>
      <p>
        {props.total} submission versions you may see
        {props.total > rows.length ? `, the ${rows.length} newest shown` : ''}, newest first.
      </p>
      {rows.length > 0 && (
        <ScrollBox label="Submissions">
          <table class="data" data-testid="submissions">
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
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <a href={indicatorHref(s.indicator.code, props.window)} title={s.indicator.name}>
                      {s.indicator.code}
                    </a>
                  </th>
                  <td class="num">{s.referenceYear}</td>
                  <td>{s.dataSource?.code ?? s.sourceType?.code ?? '–'}</td>
                  <td class="num">{s.version}</td>
                  <td>
                    <span class={`badge status-${s.status.toLowerCase()}`}>{humanize(s.status)}</span>
                    {s.isCountable && <span class="tag">counts</span>}
                    {s.rejectionReason && <div class="reason">{s.rejectionReason}</div>}
                  </td>
                  <td class="num">{formatValue(s.total?.value)}</td>
                  <td>
                    <details>
                      <summary>{count(s.history.length, 'change')}</summary>
                      <ol class="history">
                        {s.history.map((h, i) => (
                          <li key={i}>
                            <time dateTime={h.createdAt}>{h.createdAt.slice(0, 16).replace('T', ' ')}</time>{' '}
                            {h.fromStatus ? `${humanize(h.fromStatus)} → ` : ''}
                            {humanize(h.toStatus)}
                            {h.actor ? ` by ${h.actor}` : ''}
                            {h.comment ? `: ${h.comment}` : ''}
                          </li>
                        ))}
                      </ol>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}

const GROUP_LABEL: Record<string, string> = {
  NATIVE_BORN_CITIZENS: 'Native-born citizens',
  NATIVE_BORN_FOREIGNERS: 'Native-born foreigners',
  FOREIGN_BORN_CITIZENS: 'Foreign-born citizens',
  FOREIGN_BORN_FOREIGNERS: 'Foreign-born foreigners',
};

function AccountSection(props: { code: string; last: number | undefined }) {
  const p = useParams();
  const chosen = p.num('accountYear');
  const last = props.last ?? new Date().getFullYear();
  const years = Array.from({ length: 10 }, (_, i) => last - i);
  const probe = useQuery(
    AccountYearsDoc,
    {
      code: props.code,
      y0: years[0]!,
      y1: years[1]!,
      y2: years[2]!,
      y3: years[3]!,
      y4: years[4]!,
      y5: years[5]!,
      y6: years[6]!,
      y7: years[7]!,
      y8: years[8]!,
      y9: years[9]!,
    },
    { skip: chosen !== undefined },
  );
  const found =
    probe.status === 'done'
      ? Object.values(probe.data)
          .map((a) => a?.year)
          .find((y): y is number => typeof y === 'number')
      : undefined;
  const year = chosen ?? found;
  return (
    <section aria-labelledby="account-title">
      <h2 id="account-title">Population account{year ? ` ${year}` : ''}</h2>
      <form class="filters" aria-label="Account year" onSubmit={(e) => e.preventDefault()}>
        <YearInput label="Account year" name="accountYear" value={year} onChange={(v) => p.set({ accountYear: v })} />
      </form>
      {chosen === undefined && probe.status === 'loading' && <Loading what="population accounts" />}
      {year === undefined && probe.status === 'done' && (
        <p>
          No population account for {years[9]}–{years[0]}. Choose another year above.
        </p>
      )}
      {year !== undefined && <Account code={props.code} year={year} />}
    </section>
  );
}

const PublishAccountDoc = graphql(`
  mutation PublishAccount($code: String!, $year: Int!) {
    publishPopulationAccount(input: { country: $code, year: $year }) {
      __typename
      ... on PublishPopulationAccountPayload {
        published
      }
      ... on Error {
        message
      }
    }
  }
`);

function Account(props: { code: string; year: number }) {
  const [published, setPublished] = useState(0);
  const state = useQuery(PopulationAccountDoc, { code: props.code, year: props.year }, { refresh: published });
  if (state.status === 'loading') return <Loading what="the population account" />;
  if (state.status === 'error') return <ErrorMessage error={state.error} retry={state.retry} />;
  const account = state.data.populationAccount;
  if (!account) return <p>No population account for {props.year}.</p>;
  return (
    <>
      {account.pendingEntries > 0 && (
        <AwaitingPublication account={account} code={props.code} onPublished={() => setPublished((n) => n + 1)} />
      )}
      <AccountView account={account} />
    </>
  );
}

/**
 * Entries read at a value not yet published (only callers who see the country's unpublished data get any): anonymous
 * visitors and portals read the last published values meanwhile. The task force publishes the account here.
 */
function AwaitingPublication(props: { account: Account; code: string; onPublished: () => void }) {
  const [, viewer] = useSession();
  const publishes = isStaff(viewer);
  const { busy, problem, write } = useWrite();
  const { year, pendingEntries } = props.account;
  const publish = () =>
    void write(
      async () => (await request(PublishAccountDoc, { code: props.code, year })).publishPopulationAccount,
      props.onPublished,
    );
  return (
    <div data-testid="account-pending">
      <p>
        {count(pendingEntries, 'entry awaits', 'entries await')} publication: anonymous visitors and portals read the
        last published values of this account (or none) until the task force publishes it.
      </p>
      {publishes && (
        <button type="button" disabled={busy} onClick={publish}>
          Publish the {year} account
        </button>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

/** Whether the year opens where the year before closed (TF2: stocks and flows coherent across years). */
function continuity(account: Account, groups: (Account['groups'][number] & { label: string })[]): string {
  const before = account.year - 1;
  if (account.continuous === null)
    return `Not compared with ${before}: no closing stock of ${before} (or no opening stock of ${account.year}) for every group.`;
  if (account.continuous)
    return `Opens where ${before} closed: every group’s opening stock is its ${before} closing stock.`;
  const gaps = groups
    .filter((g) => g.openingGap)
    .map((g) => `${g.label} ${g.openingGap! > 0 ? '+' : ''}${formatValue(g.openingGap)}`);
  return `Does not open where ${before} closed (opening stock − ${before} closing stock): ${gaps.join(', ')}.`;
}

function AccountView(props: { account: Account }) {
  const { account } = props;
  const groups = account.groups.map((g) => ({ ...g, label: GROUP_LABEL[g.group ?? ''] ?? humanize(g.group) }));
  const bars = groups.flatMap((g) => [
    { group: g.label, measure: 'Expected closing stock', value: g.expectedClosing },
    { group: g.label, measure: 'Closing stock', value: g.closing },
  ]);
  const residuals = groups.filter((g) => g.residual !== null);
  return (
    <>
      <p data-testid="account-coherent">
        {account.coherent ? 'Coherent: ' : 'Not coherent: '}
        {account.coherent
          ? 'every group’s closing stock matches its opening stock and flows within the tolerance.'
          : 'at least one group’s closing stock differs from what its opening stock and flows predict, or a stock is missing.'}
        {account.missing.length > 0 && ` Missing components (counted as 0): ${account.missing.join(', ')}.`}
      </p>
      <p data-testid="account-continuity">{continuity(account, groups)}</p>
      <div class="charts">
        <PlotFigure
          label="Expected and reported closing stock by population group"
          deps={[account]}
          render={(Plot) =>
            Plot.plot({
              width: 520,
              height: 260,
              marginLeft: 70,
              marginBottom: 40,
              fx: { label: null, tickFormat: (d: string) => d.replace(' ', '\n') },
              x: { axis: null },
              y: { grid: true, label: 'Persons', tickFormat: 's' },
              color: {
                legend: true,
                domain: ['Expected closing stock', 'Closing stock'],
                range: ['#9ecae1', '#08519c'],
              },
              marks: [
                Plot.barY(
                  bars.filter((b) => b.value !== null),
                  {
                    fx: 'group',
                    x: 'measure',
                    y: 'value',
                    fill: 'measure',
                    tip: true,
                  },
                ),
                Plot.ruleY([0]),
              ],
            })
          }
        />
        <PlotFigure
          label="Residual (closing minus expected) by population group"
          deps={[account]}
          render={(Plot) =>
            Plot.plot({
              width: 420,
              height: 260,
              marginLeft: 170,
              x: { grid: true, label: 'Residual (closing − expected)', tickFormat: 's' },
              y: { label: null, domain: groups.map((g) => g.label) },
              color: { domain: ['coherent', 'not coherent'], range: ['#4d9221', '#c51b7d'], legend: true },
              marks: [
                Plot.barX(residuals, {
                  y: 'label',
                  x: 'residual',
                  fill: (g: { coherent: boolean }) => (g.coherent ? 'coherent' : 'not coherent'),
                  tip: true,
                }),
                Plot.ruleX([0]),
              ],
            })
          }
        />
      </div>
      <ScrollBox label="Population account components">
        <table class="data" data-testid="account">
          <caption>Components by group (a missing flow counts as 0)</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col" class="num">
                Opening
              </th>
              <th scope="col" class="num">
                Births
              </th>
              <th scope="col" class="num">
                Deaths
              </th>
              <th scope="col" class="num">
                Immigration
              </th>
              <th scope="col" class="num">
                Emigration
              </th>
              <th scope="col" class="num">
                Citizenship acquired
              </th>
              <th scope="col" class="num">
                Citizenship lost
              </th>
              <th scope="col" class="num">
                Expected closing
              </th>
              <th scope="col" class="num">
                Closing
              </th>
              <th scope="col" class="num">
                Residual
              </th>
            </tr>
          </thead>
          <tbody>
            {[...groups, { ...account.total, label: 'Total' }].map((g) => (
              <tr key={g.label} class={g.coherent ? undefined : 'flag'}>
                <th scope="row">{g.label}</th>
                <td class="num">{formatInt(g.opening)}</td>
                <td class="num">{formatInt(g.births)}</td>
                <td class="num">{formatInt(g.deaths)}</td>
                <td class="num">{formatInt(g.immigration)}</td>
                <td class="num">{formatInt(g.emigration)}</td>
                <td class="num">{formatInt(g.citizenshipAcquired)}</td>
                <td class="num">{formatInt(g.citizenshipLost)}</td>
                <td class="num">{formatInt(g.expectedClosing)}</td>
                <td class="num">{formatInt(g.closing)}</td>
                <td class="num">{formatInt(g.residual)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </>
  );
}
