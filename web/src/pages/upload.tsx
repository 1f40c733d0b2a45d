// Upload (focal points and the task force): pick a submissions CSV (CONTRACT §5), check it without writing (every
// problem shown at its line and column), fix it here or in the file and check again, then submit. Below, the
// country's submissions, their review status and their comment threads.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading } from '../components/controls';
import { graphql } from '../gql';
import type { UploadSubmissionsMutation } from '../gql/graphql';
import { request, useQuery } from '../lib/client';
import { humanize } from '../lib/format';
import { useSession } from '../lib/session';

const ImportDoc = graphql(`
  mutation UploadSubmissions($csv: String!, $dryRun: Boolean!) {
    importSubmissions(input: { csv: $csv, dryRun: $dryRun }) {
      ok
      dryRun
      rows
      submissions
      observations
      submissionsWritten
      submissionsUnchanged
      observationsWritten
      problems {
        line
        column
        message
      }
    }
  }
`);

const OwnSubmissionsDoc = graphql(`
  query OwnSubmissions($country: String!) {
    submissions(first: 50, filter: { country: $country }, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      nodes {
        id
        referenceYear
        version
        status
        rejectionReason
        updatedAt
        indicator {
          code
        }
        sourceType {
          code
        }
        dataSource {
          code
        }
      }
    }
  }
`);

type Result = UploadSubmissionsMutation['importSubmissions'];

export default function UploadPage() {
  const [, viewer] = useSession();
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [checked, setChecked] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [refresh, setRefresh] = useState(0);

  if (!viewer) {
    return (
      <main id="main" class="narrow">
        <h1>Upload data</h1>
        <p>
          <a href="/sign-in">Sign in</a> with your focal-point token to upload your country's data.
        </p>
      </main>
    );
  }

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const { importSubmissions } = await request(ImportDoc, { csv, dryRun });
      setResult(importSubmissions);
      setChecked(importSubmissions.ok ? csv : null);
      if (!dryRun && importSubmissions.ok) setRefresh((n) => n + 1);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const lines = csv.split(/\r?\n/);
  return (
    <main id="main">
      <h1>Upload data</h1>
      <p class="lead">
        A submissions file: UTF-8 CSV with a header row and the columns <code>country</code>, <code>indicator</code>,{' '}
        <code>reference_year</code>, <code>value</code>, optionally <code>source_type</code>, <code>data_source</code>,{' '}
        <code>residence_criterion</code>, <code>note</code> and disaggregation columns such as <code>SEX</code>. A file
        is written whole or not at all. {viewer.country && `Rows must be for ${viewer.country.name}.`}
      </p>
      <form class="stack" onSubmit={(e) => (e.preventDefault(), void run(true))}>
        <div class="field">
          <label for="file">CSV file</label>
          <input
            id="file"
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const file = (e.currentTarget as HTMLInputElement).files?.[0];
              if (!file) return;
              setFileName(file.name);
              setCsv(await file.text());
              setResult(null);
              setChecked(null);
            }}
          />
        </div>
        <div class="field">
          <label for="csv">Content{fileName ? ` of ${fileName}` : ''} (edit here to fix a problem)</label>
          <textarea
            id="csv"
            rows={Math.min(16, Math.max(6, lines.length + 1))}
            spellcheck={false}
            value={csv}
            onInput={(e) => {
              setCsv((e.currentTarget as HTMLTextAreaElement).value);
              setChecked(null);
            }}
          />
        </div>
        <p class="toolbar">
          <button type="submit" disabled={busy || !csv.trim()}>
            Check
          </button>
          <button type="button" disabled={busy || checked !== csv || !csv.trim()} onClick={() => void run(false)}>
            Submit
          </button>
          <small>Submit is available once the current content has been checked without problems.</small>
        </p>
      </form>
      {error && <ErrorMessage error={error} />}
      {result && <Outcome result={result} lines={lines} />}
      {viewer.country && <OwnSubmissions country={viewer.country.iso3 ?? viewer.country.m49} refresh={refresh} />}
    </main>
  );
}

function Outcome(props: { result: Result; lines: string[] }) {
  const r = props.result;
  if (!r.ok) {
    return (
      <section aria-labelledby="problems-title" role="alert">
        <h2 id="problems-title" class="error">
          {r.problems.length} {r.problems.length === 1 ? 'problem' : 'problems'}: nothing was written
        </h2>
        <table class="data" data-testid="problems">
          <thead>
            <tr>
              <th scope="col" class="num">
                Line
              </th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
              <th scope="col">The line</th>
            </tr>
          </thead>
          <tbody>
            {r.problems.map((p, i) => (
              <tr key={i}>
                <td class="num">{p.line}</td>
                <td>{p.column ?? '–'}</td>
                <td>{p.message}</td>
                <td>
                  <code>{props.lines[p.line - 1] ?? ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    );
  }
  return (
    <p role="status" class="ok" data-testid="import-outcome">
      {r.dryRun
        ? `No problems: ${r.rows} rows, ${r.submissions} submissions, ${r.observations} observations. Submit to send them for review.`
        : `Submitted: ${r.submissionsWritten} new submission versions (${r.submissionsUnchanged} unchanged), ${r.observationsWritten} observations.`}
    </p>
  );
}

function OwnSubmissions(props: { country: string; refresh: number }) {
  const state = useQuery(OwnSubmissionsDoc, { country: props.country }, { refresh: props.refresh });
  return (
    <section aria-labelledby="own-title">
      <h2 id="own-title">Your country's submissions</h2>
      {state.status === 'loading' && <Loading what="submissions" />}
      {state.status === 'error' && <ErrorMessage error={state.error} />}
      {state.status === 'done' && (
        <table class="data" data-testid="own-submissions">
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
            {state.data.submissions.nodes.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.indicator.code}</th>
                <td class="num">{s.referenceYear}</td>
                <td>{s.dataSource?.code ?? s.sourceType?.code ?? '–'}</td>
                <td class="num">{s.version}</td>
                <td>
                  <span class={`badge status-${s.status.toLowerCase()}`}>{humanize(s.status)}</span>
                  {s.rejectionReason && <div class="reason">{s.rejectionReason}</div>}
                </td>
                <td>{s.updatedAt.slice(0, 16).replace('T', ' ')}</td>
                <td>
                  <CommentsDisclosure
                    target={s.id}
                    label={`${s.indicator.code} ${s.referenceYear} version ${s.version}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
