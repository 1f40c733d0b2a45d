// A file import (submissions on the upload page, adoptions on the implementation page): pick a CSV or an XLSX
// workbook, check it without writing (every problem shown at its line and column, or sheet and cell), fix it (a CSV
// here or in the file, a workbook in the spreadsheet) and check again, then write. Each import mutation takes the same
// file fields (src/schema/upload.ts) and answers ok, dryRun and the problems; the page sends it and words the outcome.
import { useEffect, useId, useState } from 'preact/hooks';
import { graphql } from '../gql';
import type { ImportProblemFieldsFragment, TypedDocumentString } from '../gql/graphql';
import { request, requestUpload } from '../lib/client';
import { loadDraft, saveDraft } from '../lib/drafts';
import { count } from '../lib/format';
import type { Viewer } from '../lib/session';
import { ErrorMessage } from './controls';
import { ScrollBox } from './scroll-box';

/** What the problem table shows of each problem: every import mutation's document spreads it into `problems`. */
export const ImportProblemFields = graphql(`
  fragment ImportProblemFields on ImportProblem {
    line
    column
    message
    sheet
    cell
  }
`);
export type ImportProblem = ImportProblemFieldsFragment;

/** What every import mutation answers, beside its own counts. */
export interface ImportResult {
  ok: boolean;
  dryRun: boolean;
  problems: ImportProblem[];
}

/** The file to send: a CSV as text (as edited here), or a workbook as it is (a multipart upload). */
export type ImportSource = { csv: string } | { file: File };

/** How to read it (src/schema/upload.ts): a workbook's sheet (null: the first), numbers with a decimal comma. */
export interface ReadOptions {
  sheet: string | null;
  decimalComma: boolean;
}

/** The variables every import mutation's document takes (each names them the same: src/schema/upload.ts). */
interface ImportVariables {
  csv?: string | null;
  file?: File | null;
  dryRun: boolean;
  sheet?: string | null;
  decimalComma?: boolean | null;
}

/**
 * FileImport's `send` for an import mutation: the CSV as text, or the file as it is (a multipart upload), with how to
 * read it; `answer` picks the mutation's result out of the response.
 */
export function sendImport<R, V extends ImportVariables, A extends ImportResult>(
  doc: TypedDocumentString<R, V>,
  answer: (response: R) => A,
) {
  return async (source: ImportSource, dryRun: boolean, read: ReadOptions): Promise<A> =>
    answer(
      'file' in source
        ? await requestUpload(
            doc,
            { dryRun, ...read } as Omit<V, 'file'>,
            { file: source.file } as Record<'file', File>,
          )
        : await request(doc, { csv: source.csv, dryRun, ...read } as V),
    );
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const isWorkbook = (f: File) => /\.xlsx$/i.test(f.name) || f.type === XLSX;

export function FileImport<R extends ImportResult>(props: {
  /** The caller, and the name its unwritten CSV is kept under should the session end (lib/drafts.ts). */
  viewer: Viewer;
  draft: string;
  /** Sends the file: a dry run to check it, then the write. */
  send: (source: ImportSource, dryRun: boolean, read: ReadOptions) => Promise<R>;
  /** The words for an answer without problems (checked, or written). */
  outcome: (result: R) => string;
  /** The file has numbers, which may be written with a decimal comma (a switch for it is shown). */
  numbers?: boolean;
  /** The label of the button that writes ("Submit", "Import"). */
  action: string;
  /** After a write without problems, e.g. to read the page's data again. */
  onWritten?: (result: R) => void;
}) {
  const id = useId();
  const [kept] = useState(() => loadDraft(props.draft, props.viewer));
  const [csv, setCsv] = useState(kept?.csv ?? '');
  const [fileName, setFileName] = useState<string | null>(kept?.fileName ?? null);
  // Said until the caller acts on the restored content.
  const [restored, setRestored] = useState(Boolean(kept?.csv));
  // A workbook is sent as it is and fixed in the spreadsheet; a CSV can be edited here, unless it is not UTF-8: decoding
  // it here would turn each byte it cannot read into U+FFFD and write that, so it is sent as it is too, for the hub to
  // name the first such byte by line and column (as it does for the CLI).
  const [workbook, setWorkbook] = useState<File | null>(null);
  const undecodable = workbook !== null && !isWorkbook(workbook);
  // How to read it, as the API and the CLI allow: a change asks for a new check.
  const [sheet, setSheet] = useState('');
  const [decimalComma, setDecimalComma] = useState(false);
  const [result, setResult] = useState<R | null>(null);
  // What the last clean check was of: the write is offered for that content only.
  const [checked, setChecked] = useState<string | File | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  // Kept as it is edited; a workbook is not (the file stays on the caller's disk).
  useEffect(() => saveDraft(props.draft, props.viewer, { csv, fileName }), [csv, fileName]);

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    setRestored(false);
    try {
      const answer = await props.send(workbook ? { file: workbook } : { csv }, dryRun, {
        sheet: workbook && !undecodable && sheet.trim() ? sheet.trim() : null,
        decimalComma,
      });
      setResult(answer);
      // Written once: writing the same content again would only count it unchanged, so it is checked again first.
      setChecked(answer.ok && dryRun ? (workbook ?? csv) : null);
      if (!dryRun && answer.ok) {
        saveDraft(props.draft, props.viewer, null);
        props.onWritten?.(answer);
      }
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const lines = csv.split(/\r?\n/);
  const written = result !== null && result.ok && !result.dryRun;
  return (
    <>
      <form class="stack" onSubmit={(e) => (e.preventDefault(), void run(true))}>
        <div class="field">
          <label for={`${id}-file`}>CSV or XLSX file</label>
          <input
            id={`${id}-file`}
            type="file"
            accept={`.csv,text/csv,.xlsx,${XLSX}`}
            onChange={async (e) => {
              const input = e.currentTarget as HTMLInputElement;
              const file = input.files?.[0];
              if (!file) return;
              // Cleared, so that choosing the same file again after fixing it is a change too.
              input.value = '';
              setRestored(false);
              setFileName(file.name);
              setResult(null);
              setChecked(null);
              let text: string | null = null;
              if (!isWorkbook(file)) {
                try {
                  text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
                } catch {
                  text = null;
                }
              }
              setWorkbook(text === null ? file : null);
              setCsv(text ?? '');
            }}
          />
        </div>
        {undecodable ? (
          <p data-testid="workbook">
            <strong>{workbook.name}</strong> is not UTF-8 text, so it cannot be shown or edited here; Check names the
            first character it cannot read. Save it as UTF-8 (in Excel: “CSV UTF-8”) and choose it again.
          </p>
        ) : workbook ? (
          <>
            <p data-testid="workbook">
              Workbook <strong>{workbook.name}</strong> ({Math.ceil(workbook.size / 1024)} KB): the sheet named below is
              read, or its first. Problems are shown by sheet and cell; fix them in the spreadsheet, save, and choose
              the file again.
            </p>
            <div class="field">
              <label for={`${id}-sheet`}>Sheet (empty: the first)</label>
              <input
                id={`${id}-sheet`}
                value={sheet}
                onInput={(e) => {
                  setSheet((e.currentTarget as HTMLInputElement).value);
                  setChecked(null);
                }}
              />
            </div>
          </>
        ) : (
          <div class="field">
            <label for={`${id}-csv`}>Content{fileName ? ` of ${fileName}` : ''} (edit here to fix a problem)</label>
            {restored && (
              <p role="status" data-testid="draft-restored">
                Your unsent content from before you were signed out is back; check it again before you{' '}
                {props.action.toLowerCase()}.
              </p>
            )}
            <textarea
              id={`${id}-csv`}
              rows={Math.min(16, Math.max(6, lines.length + 1))}
              spellcheck={false}
              value={csv}
              onInput={(e) => {
                setCsv((e.currentTarget as HTMLTextAreaElement).value);
                setChecked(null);
                setRestored(false);
              }}
            />
          </div>
        )}
        {props.numbers && (
          <div class="field">
            <label>
              <input
                type="checkbox"
                checked={decimalComma}
                onChange={(e) => {
                  setDecimalComma((e.currentTarget as HTMLInputElement).checked);
                  setChecked(null);
                }}
              />{' '}
              Numbers are written with a decimal comma (6,5)
            </label>
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
            {props.action}
          </button>
          {!written && (
            <small>{props.action} is available once the current content has been checked without problems.</small>
          )}
        </p>
      </form>
      {error && <ErrorMessage error={error} />}
      {result && !result.ok && <Problems problems={result.problems} lines={workbook ? null : lines} />}
      {result?.ok && (
        <p role="status" class="ok" data-testid="import-outcome">
          {props.outcome(result)}
        </p>
      )}
    </>
  );
}

/** Every problem of a file that was refused whole; for a CSV, beside the line it is on. */
function Problems(props: { problems: ImportProblem[]; lines: string[] | null }) {
  const id = useId();
  const n = props.problems.length;
  return (
    // Only the heading is announced: an alert around the table read every row out, hundreds for a bad file.
    <section aria-labelledby={id}>
      <div role="alert">
        <h2 id={id} class="error">
          {count(n, 'problem')}: nothing was written
        </h2>
      </div>
      <ScrollBox label="Problems">
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
            {props.problems.map((p, i) => (
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
      </ScrollBox>
    </section>
  );
}
