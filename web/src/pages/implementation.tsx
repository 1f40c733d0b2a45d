// Implementation of the Recommendations (CONTRACT §8): the countries of a region × the recommendations, each cell the
// declared status, whether the country's own data meet the evidence rule, and a discrepancy between the two; filtered
// by status and discrepancy; and the per-recommendation summary over the region. Every country of the region is
// loaded, so the filters apply to all of them as the summary counts them: the first request brings the summary and
// the first page of countries (rows batched by the API over the page), and the world's 248 countries take two more
// pages after it. The page shows them once all are in. Focal points and the task force import declarations files
// here too (the adoptions CSV or XLSX), and the page reads the region again once one is written.
import { useState } from 'preact/hooks';
import { ErrorMessage, Loading, RegionSelect } from '../components/controls';
import { FileImport, sendImport } from '../components/file-import';
import { loadDraft } from '../lib/drafts';
import { ParamSelect, YearWindowFilter } from '../components/filters';
import { graphql } from '../gql';
import type { ImplementationCountryFragment, ImplementationPageQuery, ImportAdoptionsMutation } from '../gql/graphql';
import { allPages, requestWithErrors, useLoad, type FieldError } from '../lib/client';
import { href, useParams, yearWindow } from '../lib/params';
import { mayImport, useSession, type Viewer } from '../lib/session';
import {
  describeCell,
  DISCREPANCY_LABEL,
  EvidenceMark,
  recommendationName,
  STATUS_LABEL,
  STATUS_SHORT,
} from '../components/implementation';
import { ScrollBox } from '../components/scroll-box';

graphql(`
  fragment ImplementationCountry on Country {
    m49
    iso3
    name
    implementation(window: $window) {
      recommendation {
        code
      }
      status
      since
      evidence {
        met
        detail
      }
      discrepancy
    }
  }
`);

const ImplementationPageDoc = graphql(`
  query ImplementationPage($region: String, $window: YearWindow) {
    countries(region: $region, first: 100) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ImplementationCountry
      }
    }
    implementationSummary(region: $region, window: $window) {
      recommendation {
        code
        text
        hasEvidenceRule
      }
      countriesInScope
      byStatus {
        status
        countries
      }
      unknown
      evidenceMet
      discrepancies
      declaredNotEvidenced
      evidencedNotDeclared
    }
  }
`);

/** The pages of countries after the first (the API gives at most 100 a page). */
const ImplementationCountriesDoc = graphql(`
  query ImplementationCountries($region: String, $window: YearWindow, $after: String!) {
    countries(region: $region, first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ImplementationCountry
      }
    }
  }
`);

const ImportAdoptionsDoc = graphql(`
  mutation ImportAdoptions($csv: String, $file: File, $dryRun: Boolean!, $sheet: String, $decimalComma: Boolean) {
    importAdoptions(input: { csv: $csv, file: $file, dryRun: $dryRun, sheet: $sheet, decimalComma: $decimalComma }) {
      ok
      dryRun
      rows
      created
      updated
      unchanged
      problems {
        ...ImportProblemFields
      }
    }
  }
`);

type Country = ImplementationCountryFragment;
type Cell = Country['implementation'][number];
interface Implementation {
  countries: Country[];
  summary: ImplementationPageQuery['implementationSummary'];
}

/** The summary and every country of the region, page after page. */
async function loadImplementation(
  variables: { region?: string; window?: { from: number; to: number } },
  signal: AbortSignal,
): Promise<{ data: Implementation; errors: FieldError[] }> {
  // The first page comes with the summary; the rest are countries alone.
  let summary: Implementation['summary'] | undefined;
  const { data: countries, errors } = await allPages(async (after) => {
    if (after === undefined) {
      const first = await requestWithErrors(ImplementationPageDoc, variables, { signal });
      summary = first.data.implementationSummary;
      return { connection: first.data.countries, errors: first.errors };
    }
    const next = await requestWithErrors(ImplementationCountriesDoc, { ...variables, after }, { signal });
    return { connection: next.data.countries, errors: next.errors };
  });
  return { data: { countries, summary: summary! }, errors };
}

function matches(c: Cell, status: string, discrepancy: string): boolean {
  if (status && (c.status ?? 'UNKNOWN') !== status) return false;
  if (discrepancy === 'ANY' && !c.discrepancy) return false;
  if (discrepancy && discrepancy !== 'ANY' && c.discrepancy !== discrepancy) return false;
  return true;
}

export default function ImplementationPage() {
  const p = useParams({ region: '150' });
  const { window, error: windowError } = yearWindow(p);
  // The world is M49 001 in the URL (an empty value falls back to the default region).
  const region = p.get('region') === '001' ? '' : p.get('region');
  const status = p.get('status');
  const discrepancy = p.get('discrepancy');
  const variables = { region: region || undefined, window };
  const [, viewer] = useSession();
  // Bumped by an import, so the matrix and the summary show the statuses just written.
  const [refresh, setRefresh] = useState(0);
  // A window the API would refuse is shown as an error beside the year fields (YearWindowFilter), not read as every
  // year.
  const state = useLoad((signal) => loadImplementation(variables, signal), [JSON.stringify(variables)], {
    skip: Boolean(windowError),
    refresh,
  });
  const filtering = Boolean(status || discrepancy);

  return (
    <main id="main">
      <h1>Implementation</h1>
      <p class="lead">
        How far the countries of a region have implemented each recommendation, as they declare it (✓ the country’s own
        data meet the evidence rule, ✗ they do not, – no rule), and where the declaration and the data disagree
        (highlighted).
        {windowError ? '' : ` Evidence reads the data ${window ? `of ${window.from}–${window.to}` : 'of every year'}.`}
      </p>
      {mayImport(viewer) && <AdoptionImport viewer={viewer} onWritten={() => setRefresh((n) => n + 1)} />}
      <form class="filters" aria-label="Implementation filters" onSubmit={(e) => e.preventDefault()}>
        <RegionSelect value={region} onChange={(v) => p.set({ region: v || '001' })} />
        <ParamSelect
          p={p}
          label="Status"
          name="status"
          options={[
            { value: '', label: 'Every status' },
            ...Object.entries(STATUS_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
        <ParamSelect
          p={p}
          label="Discrepancy"
          name="discrepancy"
          options={[
            { value: '', label: 'With or without' },
            { value: 'ANY', label: 'Any discrepancy' },
            ...Object.entries(DISCREPANCY_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
        <YearWindowFilter p={p} />
      </form>
      {!windowError && state.status === 'loading' && <Loading what="implementation" />}
      {!windowError && state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {!windowError && state.status === 'done' && (
        <>
          <Matrix data={state.data} status={status} discrepancy={discrepancy} filtering={filtering} window={window} />
          <Summary data={state.data} />
        </>
      )}
    </main>
  );
}

const sendAdoptions = sendImport(ImportAdoptionsDoc, (r) => r.importAdoptions);

function adoptionOutcome(r: ImportAdoptionsMutation['importAdoptions']): string {
  // A dry run counts the rows only: what each would change is found out when they are written.
  return r.dryRun
    ? `No problems: ${r.rows} rows. Import to declare them.`
    : `Imported: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged.`;
}

/**
 * Declarations from a file (CONTRACT §8), for focal points (their own country's rows; the API refuses others by line)
 * and the task force. Folded away by default, so the matrix stays the first thing on the page.
 */
function AdoptionImport(props: { viewer: Viewer; onWritten: () => void }) {
  const country = props.viewer.role === 'FOCAL_POINT' ? props.viewer.country : null;
  // Unfolded when it holds a draft from before the caller was signed out.
  const [open] = useState(() => loadDraft('adoptions', props.viewer) !== null);
  return (
    <details class="import" data-testid="adoption-import" open={open}>
      <summary>Import declarations from a file</summary>
      <p class="hint">
        UTF-8 CSV with a header row, or an XLSX workbook, with the columns <code>country</code>,{' '}
        <code>recommendation</code>, <code>status</code>, optionally <code>since</code>, <code>note</code> and{' '}
        <code>evidence_url</code>; one row per country and recommendation. A file is written whole or not at all.{' '}
        {country ? `Rows must be for ${country.name}.` : 'Rows may be for any country.'}
      </p>
      <FileImport
        viewer={props.viewer}
        draft="adoptions"
        send={sendAdoptions}
        outcome={adoptionOutcome}
        action="Import"
        onWritten={props.onWritten}
      />
    </details>
  );
}

function Matrix(props: {
  data: Implementation;
  status: string;
  discrepancy: string;
  filtering: boolean;
  window: { from: number; to: number } | undefined;
}) {
  const recs = props.data.summary.map((s) => s.recommendation);
  // By name (the API lists a region's countries by M49 code), so a country is easy to find.
  const countries = props.data.countries
    .filter((c) => !props.filtering || c.implementation.some((cell) => matches(cell, props.status, props.discrepancy)))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return (
    <section aria-labelledby="matrix-title">
      <h2 id="matrix-title">Countries × recommendations</h2>
      <p class="toolbar">
        <span role="status" data-testid="matrix-count">
          {countries.length} of {props.data.countries.length} countries
          {props.filtering ? ' match the filters' : ''}
        </span>
      </p>
      <div class="matrix-scroll">
        <table class="data matrix" data-testid="implementation-matrix">
          <caption class="visually-hidden">Implementation status per country and recommendation</caption>
          <thead>
            <tr>
              <th scope="col">Country</th>
              {recs.map((r) => (
                <th scope="col" key={r.code} title={r.text}>
                  {recommendationName(r.code)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {countries.map((c) => {
              const byRec = new Map(c.implementation.map((cell) => [cell.recommendation.code, cell]));
              return (
                <tr key={c.m49} data-country={c.iso3 ?? c.m49}>
                  <th scope="row">
                    <a href={href(`/countries/${c.iso3 ?? c.m49}`, props.window ?? {})}>{c.name}</a>
                  </th>
                  {recs.map((r) => {
                    const cell = byRec.get(r.code);
                    if (!cell) return <td key={r.code}>–</td>;
                    const s = cell.status ?? 'UNKNOWN';
                    const dim = props.filtering && !matches(cell, props.status, props.discrepancy);
                    return (
                      <td
                        key={r.code}
                        data-rec={r.code}
                        data-status={s}
                        data-evidence={cell.evidence ? String(cell.evidence.met) : 'none'}
                        data-discrepancy={cell.discrepancy ?? ''}
                        class={`cell st-${s.toLowerCase()}${cell.discrepancy ? ' discrepant' : ''}${dim ? ' dim' : ''}`}
                        title={describeCell(cell)}
                      >
                        <span class="visually-hidden">{describeCell(cell)}</span>
                        <span aria-hidden="true">
                          {STATUS_SHORT[s]} <EvidenceMark cell={cell} />
                          {cell.discrepancy && <span class="flag">!</span>}
                        </span>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="legend">
        Red outline and ! : discrepancy between declaration and data · ✓ evidence met · ✗ evidence not met · – no
        evidence rule ·{' '}
        {Object.entries(STATUS_SHORT)
          .map(([k, v]) => `${v} ${STATUS_LABEL[k]}`)
          .join(' · ')}
      </p>
    </section>
  );
}

function Summary(props: { data: Implementation }) {
  const statuses = ['UNKNOWN', 'IMPLEMENTED', 'PARTIAL', 'PLANNED', 'NOT_STARTED', 'NOT_APPLICABLE'];
  return (
    <section aria-labelledby="summary-title">
      <h2 id="summary-title">Per recommendation</h2>
      <ScrollBox label="Summary by recommendation">
        <table class="data" data-testid="implementation-summary">
          <caption class="visually-hidden">Countries of the region at each status, per recommendation</caption>
          <thead>
            <tr>
              <th scope="col">Recommendation</th>
              <th scope="col" class="num">
                Countries in scope
              </th>
              {statuses.map((s) => (
                <th scope="col" key={s}>
                  {STATUS_LABEL[s]}
                </th>
              ))}
              <th scope="col">Evidence met</th>
              <th scope="col">Discrepancies</th>
            </tr>
          </thead>
          <tbody>
            {props.data.summary.map((s) => {
              const count = (st: string) =>
                st === 'UNKNOWN' ? s.unknown : (s.byStatus.find((b) => b.status === st)?.countries ?? 0);
              return (
                <tr key={s.recommendation.code} data-rec={s.recommendation.code}>
                  <th scope="row" title={s.recommendation.text}>
                    {recommendationName(s.recommendation.code)}
                  </th>
                  <td data-col="countriesInScope" class="num">
                    {s.countriesInScope}
                  </td>
                  {statuses.map((st) => (
                    <td key={st} data-col={st} class="num">
                      {count(st)}
                    </td>
                  ))}
                  <td data-col="evidenceMet" class="num">
                    {s.evidenceMet ?? '–'}
                  </td>
                  <td
                    data-col="discrepancies"
                    class="num"
                    title={`${s.declaredNotEvidenced} declared not evidenced, ${s.evidencedNotDeclared} evidenced not declared`}
                  >
                    {s.discrepancies}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}
