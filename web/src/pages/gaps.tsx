// Gaps: which indicator is not reported where, and why (CONTRACT §4 "Gaps"), with the country's data sources that
// could fill it; filtered by kind, indicator, region, tier and year window; the filtered table downloads as CSV.
import { useMemo, useState } from 'preact/hooks';
import { ErrorMessage, Loading, Select } from '../components/controls';
import { RegionFilter, TierFilter, YearWindowFilter } from '../components/filters';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import type { CoverageFilter } from '../gql/graphql';
import { IndicatorOptionsDoc } from '../lib/catalogue';
import { useQuery } from '../lib/client';
import { download, toCsv } from '../lib/csv';
import { href, indicatorHref, useParams, yearWindow } from '../lib/params';

const GapsPageDoc = graphql(`
  query GapsPage($filter: CoverageFilter!) {
    gaps(filter: $filter) {
      kind
      indicator {
        code
        name
      }
      country {
        m49
        iso3
        name
      }
      candidateSources {
        code
        name
        sourceType {
          code
        }
      }
    }
  }
`);

export const KIND_LABEL: Record<string, string> = {
  NO_CANDIDATE_SOURCE: 'No candidate source type',
  NO_FEASIBLE_SOURCE: 'No feasible source',
  FEASIBLE_NOT_REPORTED: 'Feasible, not reported',
};

const PAGE = 200;

export default function GapsPage() {
  const p = useParams();
  const { window } = yearWindow(p);
  const filter: CoverageFilter = {};
  if (window) filter.window = window;
  if (p.get('region')) filter.region = p.get('region');
  if (p.get('indicator')) filter.indicators = [p.get('indicator')];
  else if (p.get('tier')) filter.tier = p.get('tier') as CoverageFilter['tier'];
  const kind = p.get('kind');
  const state = useQuery(GapsPageDoc, { filter });
  const indicators = useQuery(IndicatorOptionsDoc, {});
  const [shown, setShown] = useState(PAGE);

  const rows = useMemo(
    () => (state.status === 'done' ? state.data.gaps.filter((g) => !kind || g.kind === kind) : []),
    [state, kind],
  );

  function downloadCsv() {
    download(
      'gaps.csv',
      toCsv(
        ['kind', 'indicator', 'country', 'iso3', 'country_name', 'candidate_sources'],
        rows.map((g) => [
          g.kind,
          g.indicator.code,
          g.country?.m49 ?? '',
          g.country?.iso3 ?? '',
          g.country?.name ?? '',
          g.candidateSources.map((s) => s.code).join(' '),
        ]),
      ),
    );
  }

  return (
    <main id="main">
      <h1>Gaps</h1>
      <p class="lead">
        Indicators not reported{' '}
        {filter.window ? `between ${filter.window.from} and ${filter.window.to}` : 'in any year'}, and why: no source
        type can produce them, the country has no registered source that can, or it has one and does not report. Without
        an indicator or tier, the core indicators.
      </p>
      <form class="filters" aria-label="Gap filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Kind"
          name="kind"
          value={kind}
          onChange={(v) => p.set({ kind: v })}
          options={[
            { value: '', label: 'Every kind' },
            ...Object.entries(KIND_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
        <Select
          label="Indicator"
          name="indicator"
          value={p.get('indicator')}
          onChange={(v) => p.set({ indicator: v })}
          options={[
            { value: '', label: 'Every indicator of the tier' },
            ...(indicators.status === 'done'
              ? indicators.data.indicators.nodes.map((i) => ({ value: i.code, label: `${i.code} — ${i.name}` }))
              : p.get('indicator')
                ? [{ value: p.get('indicator'), label: p.get('indicator') }]
                : []),
          ]}
        />
        <TierFilter p={p} anyLabel="Core (default)" />
        <RegionFilter p={p} />
        <YearWindowFilter p={p} />
      </form>
      {state.status === 'loading' && <Loading what="gaps" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && (
        <>
          <p class="toolbar">
            <span role="status" data-testid="gap-count">
              {rows.length} gaps
            </span>
            <button type="button" onClick={downloadCsv} disabled={!rows.length}>
              Download CSV
            </button>
          </p>
          <ScrollBox label="Gaps">
            <table class="data" data-testid="gaps">
              <caption class="visually-hidden">Gaps</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Indicator</th>
                  <th scope="col">Country</th>
                  <th scope="col">Candidate data sources</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, shown).map((g) => (
                  <tr key={`${g.kind}/${g.indicator.code}/${g.country?.m49 ?? ''}`}>
                    <td>{KIND_LABEL[g.kind] ?? g.kind}</td>
                    <td>
                      <a href={indicatorHref(g.indicator.code, filter.window)} title={g.indicator.name}>
                        {g.indicator.code}
                      </a>
                    </td>
                    <td>
                      {g.country ? (
                        <a href={href(`/countries/${g.country.iso3 ?? g.country.m49}`, filter.window ?? {})}>
                          {g.country.name}
                        </a>
                      ) : (
                        '(every country)'
                      )}
                    </td>
                    <td>
                      {g.candidateSources.length
                        ? g.candidateSources.map((s) => `${s.name} (${s.sourceType.code})`).join('; ')
                        : '–'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {rows.length > shown && (
            <p>
              <button type="button" onClick={() => setShown(rows.length)}>
                Show all {rows.length} rows
              </button>
            </p>
          )}
        </>
      )}
    </main>
  );
}
