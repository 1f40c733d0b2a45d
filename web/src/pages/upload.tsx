// Upload (focal points and the task force): pick a submissions CSV (CONTRACT §5) or an XLSX workbook of the same
// columns, check it without writing (every problem shown at its line and column, or sheet and cell), fix it (a CSV
// here or in the file, a workbook in the spreadsheet) and check again, then submit. Below, the country's submissions,
// their review status and their comment threads.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading, TokenRefusedNotice } from '../components/controls';
import { graphql } from '../gql';
import '../lib/fragments';
import type { UploadSubmissionsMutation } from '../gql/graphql';
import { request, requestUpload, useQuery } from '../lib/client';
import { humanize } from '../lib/format';
import { useSession } from '../lib/session';

const ImportDoc = graphql(`
  mutation UploadSubmissions($csv: String, $file: File, $dryRun: Boolean!) {
    importSubmissions(input: { csv: $csv, file: $file, dryRun: $dryRun }) {
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
        sheet
        cell
      }
    }
  }
`);

const OwnSubmissionsDoc = graphql(`
  query OwnSubmissions($country: String!) {
    submissions(first: 50, filter: { country: $country }, orderBy: { field: CREATED_AT, direction: DESC }) {
      totalCount
      nodes {
        ...SubmissionRow
      }
    }
  }
`);

type Result = UploadSubmissionsMutation['importSubmissions'];

const isWorkbook = (f: File) => /\.xlsx$/i.test(f.name) || f.type === XLSX;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export default function UploadPage() {
  const [, viewer] = useSession();
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  // A workbook is sent as it is (multipart upload) and fixed in the spreadsheet; a CSV can be edited here.
  const [workbook, setWorkbook] = useState<File | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [checked, setChecked] = useState<string | File | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [refresh, setRefresh] = useState(0);

  if (!viewer) {
    return (
      <main id="main" class="narrow">
        <h1>Upload data</h1>
        <TokenRefusedNotice />
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
      const { importSubmissions } = workbook
        ? await requestUpload(ImportDoc, { dryRun }, { file: workbook })
        : await request(ImportDoc, { csv, dryRun });
      setResult(importSubmissions);
      setChecked(importSubmissions.ok ? (workbook ?? csv) : null);
      if (!dryRun && importSubmissions.ok) setRefresh((n) => n + 1);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const lines = csv.split(/\r?\n/);
  const submitted = result !== null && result.ok && !result.dryRun;
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
          <label for="file">CSV or XLSX file</label>
          <input
            id="file"
            type="file"
            accept={`.csv,text/csv,.xlsx,${XLSX}`}
            onChange={async (e) => {
              const input = e.currentTarget as HTMLInputElement;
              const file = input.files?.[0];
              if (!file) return;
              // Cleared, so that choosing the same file again after fixing it is a change too.
              input.value = '';
              setFileName(file.name);
              setResult(null);
              setChecked(null);
              if (isWorkbook(file)) {
                setWorkbook(file);
                setCsv('');
              } else {
                setWorkbook(null);
                setCsv(await file.text());
              }
            }}
          />
        </div>
        {workbook ? (
          <p data-testid="workbook">
            Workbook <strong>{workbook.name}</strong> ({Math.ceil(workbook.size / 1024)} KB): its first sheet is read.
            Problems are shown by sheet and cell; fix them in the spreadsheet, save, and choose the file again.
          </p>
        ) : (
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
        )}
        <p class="toolbar">
          <button type="submit" disabled={busy || (!workbook && !csv.trim())}>
            Check
          </button>
          <button
            type="button"
            disabled={busy || checked === null || checked !== (workbook ?? csv)}
            onClick={() => void run(false)}
          >
            Submit
          </button>
          {!submitted && <small>Submit is available once the current content has been checked without problems.</small>}
        </p>
      </form>
      {error && <ErrorMessage error={error} />}
      {result && <Outcome result={result} lines={workbook ? null : lines} />}
      {viewer.country && <OwnSubmissions country={viewer.country.iso3 ?? viewer.country.m49} refresh={refresh} />}
    </main>
  );
}

function Outcome(props: { result: Result; lines: string[] | null }) {
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
              <th scope="col">{props.lines ? 'The line' : 'Sheet and cell'}</th>
            </tr>
          </thead>
          <tbody>
            {r.problems.map((p, i) => (
              <tr key={i}>
                <td class="num">{p.line}</td>
                <td>{p.column ?? '–'}</td>
                <td>{p.message}</td>
                <td>
                  {props.lines ? (
                    <code>{props.lines[p.line - 1] ?? ''}</code>
                  ) : (
                    [p.sheet, p.cell].filter(Boolean).join(' ! ')
                  )}
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
      {state.status === 'done' && state.data.submissions.nodes.length === 0 && <p>No submissions yet.</p>}
      {state.status === 'done' && state.data.submissions.nodes.length > 0 && (
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
