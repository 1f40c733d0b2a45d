// Upload (focal points and the task force): a submissions CSV (CONTRACT §5) or an XLSX workbook of the same columns,
// checked, fixed and submitted through the file import (components/file-import.tsx). Below, the country's
// submissions, their review status and their comment threads.
import { useState } from 'preact/hooks';
import { CommentsDisclosure } from '../components/comments';
import { ErrorMessage, Loading, TokenRefusedNotice } from '../components/controls';
import { FileImport, type ImportSource } from '../components/file-import';
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
        ...ImportProblemFields
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

/** The words for a file without problems: checked, or submitted. */
function outcome(r: UploadSubmissionsMutation['importSubmissions']): string {
  return r.dryRun
    ? `No problems: ${r.rows} rows, ${r.submissions} submissions, ${r.observations} observations. Submit to send them for review.`
    : `Submitted: ${r.submissionsWritten} new submission versions (${r.submissionsUnchanged} unchanged), ${r.observationsWritten} observations.`;
}

const send = async (source: ImportSource, dryRun: boolean) =>
  ('file' in source
    ? await requestUpload(ImportDoc, { dryRun }, { file: source.file })
    : await request(ImportDoc, { csv: source.csv, dryRun })
  ).importSubmissions;

export default function UploadPage() {
  const [, viewer] = useSession();
  const [refresh, setRefresh] = useState(0);

  if (!viewer) {
    return (
      <main id="main" class="narrow">
        <h1>Upload data</h1>
        <TokenRefusedNotice />
        <p>
          <a href="/sign-in?next=/upload">Sign in</a> with your focal-point token to upload your country's data.
        </p>
      </main>
    );
  }

  return (
    <main id="main">
      <h1>Upload data</h1>
      <p class="lead">
        A submissions file: UTF-8 CSV with a header row and the columns <code>country</code>, <code>indicator</code>,{' '}
        <code>reference_year</code>, <code>value</code>, optionally <code>source_type</code>, <code>data_source</code>,{' '}
        <code>residence_criterion</code>, <code>note</code> and disaggregation columns such as <code>SEX</code>. A file
        is written whole or not at all. {viewer.country && `Rows must be for ${viewer.country.name}.`}
      </p>
      <FileImport
        viewer={viewer}
        draft="submissions"
        send={send}
        outcome={outcome}
        action="Submit"
        onWritten={() => setRefresh((n) => n + 1)}
      />
      {viewer.country && <OwnSubmissions country={viewer.country.iso3 ?? viewer.country.m49} refresh={refresh} />}
    </main>
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
