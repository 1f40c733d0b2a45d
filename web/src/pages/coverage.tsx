// Coverage: which countries report which indicators in a year window. Countries view: one cell per indicator ×
// country, coloured by reporting status (reported, or why not: the gap kinds of CONTRACT §4), with years, source type
// and residence criterion on hover. Regions view: the share of countries reporting, by M49 region at a chosen depth.
// Either figure can be shown as a table instead ("Show as table", `as=table` in the URL): the same cells as words, in a
// data table a keyboard and a screen reader can go through (the figure's cells are marks of an image, reachable by
// neither).
import { useMemo } from 'preact/hooks';
import { ErrorMessage, Loading, Select } from '../components/controls';
import { BuildingBlockFilter, RegionFilter, TierFilter, YearWindowFilter } from '../components/filters';
import { PlotFigure, usePlotSoon } from '../components/plot-figure';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import type { CoverageFilter, CoveragePageQuery } from '../gql/graphql';
import { request, useLoad, type QueryState } from '../lib/client';
import { download, toCsv } from '../lib/csv';
import { formatShare, humanize, RESIDENCE } from '../lib/format';
import { indicatorHref, useParams, yearWindow } from '../lib/params';
import { useRegions, type RegionNode } from '../lib/regions';

// One request: the matrix and, for the countries view, why each missing pair is missing (the gaps of the same
// indicators: those of the chosen tier, or of both tiers since gaps default to CORE).
const CoveragePageDoc = graphql(`
  query CoveragePage(
    $filter: CoverageFilter!
    $withRegions: Boolean!
    $withGaps: Boolean!
    $gapFilter: CoverageFilter!
    $withAdditionalGaps: Boolean!
    $additionalGapFilter: CoverageFilter!
  ) {
    gaps(filter: $gapFilter) @include(if: $withGaps) {
      ...CoverageGap
    }
    additionalGaps: gaps(filter: $additionalGapFilter) @include(if: $withAdditionalGaps) {
      ...CoverageGap
    }
    coverageMatrix(filter: $filter) {
      indicators {
        code
        name
        tier
        buildingBlock
      }
      countries {
        m49
        iso3
        name
        regions @include(if: $withRegions) {
          code
        }
      }
      cells {
        indicator {
          code
        }
        country {
          m49
        }
        years
        latestYear
        sourceType {
          code
          name
        }
        residenceCriterion
      }
    }
  }
`);

graphql(`
  fragment CoverageGap on Gap {
    kind
    indicator {
      code
    }
    country {
      m49
    }
  }
`);

type Matrix = CoveragePageQuery['coverageMatrix'];
type GapRow = { kind: string; indicator: { code: string }; country: { m49: string } | null };

/** Reporting status of a cell, in legend order; colours distinguishable without colour vision (lightness steps). */
const STATUS = [
  { key: 'REPORTED', label: 'Reported', color: '#08519c' },
  { key: 'FEASIBLE_NOT_REPORTED', label: 'Not reported, feasible source registered', color: '#f4a582' },
  { key: 'NO_FEASIBLE_SOURCE', label: 'Not reported, no feasible source', color: '#d9d9d9' },
  { key: 'NO_CANDIDATE_SOURCE', label: 'No candidate source type (catalogue gap)', color: '#f7f7f7' },
] as const;
const STATUS_LABEL = Object.fromEntries(STATUS.map((s) => [s.key, s.label])) as Record<string, string>;

const LEVELS = [
  { value: 'REGION', label: 'Regions (Africa, Americas, …)' },
  { value: 'SUB_REGION', label: 'Sub-regions' },
  { value: 'INTERMEDIATE_REGION', label: 'Intermediate regions (or sub-region)' },
];

const DEFAULTS = { view: 'countries', level: 'REGION' };

/** The figure, or the same cells as a table (`as=table`). */
interface Shown {
  asTable: boolean;
  setAsTable: (on: boolean) => void;
}

interface Loaded {
  matrix: Matrix;
  gaps: GapRow[] | null;
}

function useCoverage(filter: CoverageFilter, withRegions: boolean): QueryState<Loaded> {
  // `key` stands for the filter (a new object on each render).
  const key = JSON.stringify([filter, withRegions]);
  return useLoad(
    async (signal) => {
      const withGaps = !withRegions;
      const result = await request(
        CoveragePageDoc,
        {
          filter,
          withRegions,
          withGaps,
          gapFilter: { ...filter, tier: filter.tier ?? 'CORE' },
          withAdditionalGaps: withGaps && !filter.tier,
          additionalGapFilter: { ...filter, tier: 'ADDITIONAL' },
        },
        { signal },
      );
      performance.mark('coverage:data');
      const gaps = withGaps ? [...(result.gaps ?? []), ...(result.additionalGaps ?? [])] : null;
      return { data: { matrix: result.coverageMatrix, gaps }, errors: [] };
    },
    [key],
  );
}

export default function CoveragePage() {
  usePlotSoon();
  const p = useParams(DEFAULTS);
  const view = p.get('view') === 'regions' ? 'regions' : 'countries';
  const { window } = yearWindow(p);
  const filter: CoverageFilter = {};
  if (window) filter.window = window;
  if (p.get('region')) filter.region = p.get('region');
  if (p.get('tier')) filter.tier = p.get('tier') as CoverageFilter['tier'];
  if (p.get('bb')) filter.buildingBlock = p.get('bb') as CoverageFilter['buildingBlock'];
  const state = useCoverage(filter, view === 'regions');
  const regions = useRegions();
  const shown: Shown = {
    asTable: p.get('as') === 'table',
    setAsTable: (on) => p.set({ as: on ? 'table' : '' }),
  };

  return (
    <main id="main">
      <h1>Coverage</h1>
      <p class="lead">
        Which countries report which indicators{' '}
        {filter.window ? `between ${filter.window.from} and ${filter.window.to}` : 'in any year'}: a country reports an
        indicator when it has a validated or published submission for a reference year in the window.
      </p>
      <form class="filters" aria-label="Coverage filters" onSubmit={(e) => e.preventDefault()}>
        <YearWindowFilter p={p} />
        <RegionFilter p={p} />
        <TierFilter p={p} />
        <BuildingBlockFilter p={p} />
        <Select
          label="Rows"
          name="view"
          value={view}
          onChange={(v) => p.set({ view: v })}
          options={[
            { value: 'countries', label: 'Countries (reporting status)' },
            { value: 'regions', label: 'Regions (share reporting)' },
          ]}
        />
        {view === 'regions' && (
          <Select
            label="Region depth"
            name="level"
            value={p.get('level')}
            onChange={(v) => p.set({ level: v })}
            options={LEVELS}
          />
        )}
      </form>
      {state.status === 'loading' && <Loading what="coverage" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && (
        <CoverageResult
          data={state.data}
          view={view}
          level={p.get('level')}
          regions={regions}
          window={filter.window}
          shown={shown}
        />
      )}
    </main>
  );
}

function CoverageResult(props: {
  data: Loaded;
  view: 'countries' | 'regions';
  level: string;
  regions: RegionNode[];
  window: CoverageFilter['window'];
  shown: Shown;
}) {
  const { matrix, gaps } = props.data;
  const reporting = useMemo(() => {
    const n = new Map<string, number>();
    for (const c of matrix.cells) n.set(c.indicator.code, (n.get(c.indicator.code) ?? 0) + 1);
    return n;
  }, [matrix]);
  const total = matrix.countries.length;
  if (!matrix.indicators.length) return <p class="status">No indicator matches these filters.</p>;
  if (!total) return <p class="status">No country in this region.</p>;
  return (
    <>
      {props.view === 'countries' ? (
        <CountryHeatmap matrix={matrix} gaps={gaps} shown={props.shown} />
      ) : (
        <RegionHeatmap matrix={matrix} level={props.level} regions={props.regions} shown={props.shown} />
      )}
      <h2 id="by-indicator">Reporting countries by indicator</h2>
      <ScrollBox label="Reporting countries by indicator">
        <table class="data" aria-labelledby="by-indicator" data-testid="coverage-summary">
          <thead>
            <tr>
              <th scope="col">Indicator</th>
              <th scope="col">Name</th>
              <th scope="col">Tier</th>
              <th scope="col" class="num">
                Reporting countries
              </th>
              <th scope="col" class="num">
                Countries in scope
              </th>
              <th scope="col" class="num">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {matrix.indicators.map((i) => {
              const n = reporting.get(i.code) ?? 0;
              return (
                <tr key={i.code} data-indicator={i.code}>
                  <th scope="row">
                    <a href={indicatorHref(i.code, props.window)}>{i.code}</a>
                  </th>
                  <td>{i.name}</td>
                  <td>{humanize(i.tier)}</td>
                  <td class="num" data-col="reporting">
                    {n}
                  </td>
                  <td class="num" data-col="total">
                    {total}
                  </td>
                  <td class="num">{formatShare(total ? n / total : 0)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
      <p>
        <button
          type="button"
          onClick={() =>
            download(
              'coverage.csv',
              toCsv(
                ['indicator', 'country', 'iso3', 'latest_year', 'years', 'source_type', 'residence_criterion'],
                matrix.cells.map((c) => {
                  const country = matrix.countries.find((k) => k.m49 === c.country.m49);
                  return [
                    c.indicator.code,
                    c.country.m49,
                    country?.iso3 ?? '',
                    c.latestYear,
                    c.years.join(' '),
                    c.sourceType?.code ?? '',
                    c.residenceCriterion ?? '',
                  ];
                }),
              ),
            )
          }
        >
          Download reporting pairs (CSV)
        </button>
      </p>
    </>
  );
}

const CELL = 14;

/** Switches between the figure and the table of its cells; a toggle button, so its name stays the same. */
function TableToggle(props: { shown: Shown }) {
  const { asTable, setAsTable } = props.shown;
  return (
    <p>
      <button type="button" class="secondary" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
        Show as table
      </button>
    </p>
  );
}

/**
 * The figure's cells as a data table: a row per country or region, a column per indicator, each cell in words. In a
 * box that scrolls both ways, with the indicator codes and the row names kept in view.
 */
function CellTable(props: {
  caption: string;
  rowHeader: string;
  rows: string[];
  indicators: { code: string; name: string }[];
  cell: (row: string, indicator: string) => { status?: string; text: string; detail?: string };
}) {
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label={`${props.caption}, as a table (scrolls)`}>
      <table class="data heatmap-table" data-testid="heatmap-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.rowHeader}</th>
            {props.indicators.map((i) => (
              <th scope="col" key={i.code} title={i.name}>
                {i.code}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row}>
              <th scope="row">{row}</th>
              {props.indicators.map((i) => {
                const c = props.cell(row, i.code);
                return (
                  <td key={i.code} data-indicator={i.code} data-status={c.status}>
                    {c.text}
                    {c.detail && <span class="reason">{c.detail}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CountryHeatmap(props: { matrix: Matrix; gaps: GapRow[] | null; shown: Shown }) {
  const { matrix, gaps } = props;
  const data = useMemo(() => {
    const cells = new Map(matrix.cells.map((c) => [`${c.indicator.code}/${c.country.m49}`, c]));
    const why = new Map<string, string>();
    const catalogueGap = new Set<string>();
    for (const g of gaps ?? []) {
      if (g.country) why.set(`${g.indicator.code}/${g.country.m49}`, g.kind);
      else catalogueGap.add(g.indicator.code);
    }
    const rows = [];
    for (const country of matrix.countries) {
      for (const indicator of matrix.indicators) {
        const key = `${indicator.code}/${country.m49}`;
        const cell = cells.get(key);
        const status = cell
          ? 'REPORTED'
          : catalogueGap.has(indicator.code)
            ? 'NO_CANDIDATE_SOURCE'
            : (why.get(key) ?? 'NO_FEASIBLE_SOURCE');
        rows.push({
          indicator: indicator.code,
          country: country.name,
          key: status,
          status: STATUS_LABEL[status] ?? status,
          years: cell ? cell.years.join(', ') : '–',
          sourceType: cell?.sourceType?.name ?? (cell ? 'not stated' : '–'),
          residence: cell ? (cell.residenceCriterion ? RESIDENCE[cell.residenceCriterion] : 'not stated') : '–',
        });
      }
    }
    return rows;
  }, [matrix, gaps]);
  const byPair = useMemo(() => new Map(data.map((d) => [`${d.country}/${d.indicator}`, d])), [data]);
  const names = matrix.countries.map((c) => c.name).sort((a, b) => a.localeCompare(b));
  const codes = matrix.indicators.map((i) => i.code);
  const longest = Math.max(...codes.map((c) => c.length));
  const marginTop = 16 + longest * 7;
  const marginLeft = 190;
  const label = `Reporting status of ${codes.length} indicators in ${names.length} countries`;
  return (
    <section aria-labelledby="heatmap-title">
      <h2 id="heatmap-title">
        {matrix.indicators.length} indicators × {matrix.countries.length} countries
      </h2>
      <p class="hint">
        Hover a cell for the years, source type and residence criterion, or show the figure as a table to read every
        cell.
      </p>
      <TableToggle shown={props.shown} />
      {props.shown.asTable ? (
        <CellTable
          caption={label}
          rowHeader="Country"
          rows={names}
          indicators={matrix.indicators}
          cell={(country, indicator) => {
            const d = byPair.get(`${country}/${indicator}`);
            if (!d) return { text: '–' };
            return {
              status: d.key,
              text: d.status,
              detail:
                d.key === 'REPORTED'
                  ? `: ${d.years}; source type ${d.sourceType}; residence ${d.residence}`
                  : undefined,
            };
          }}
        />
      ) : (
        <>
          <div class="scroll" tabIndex={0} role="region" aria-label="Heatmap (scrolls)">
            <PlotFigure
              label={label}
              class="heatmap"
              deps={[data]}
              onRendered={() => performance.mark('coverage:heatmap')}
              render={(Plot) =>
                Plot.plot({
                  width: marginLeft + codes.length * CELL * 2 + 20,
                  height: marginTop + names.length * CELL + 10,
                  marginTop,
                  marginLeft,
                  marginBottom: 10,
                  style: { fontSize: '11px' },
                  x: { domain: codes, axis: 'top', tickRotate: -90, label: null, padding: 0 },
                  y: { domain: names, label: null, padding: 0, tickSize: 0 },
                  color: {
                    type: 'ordinal',
                    domain: STATUS.map((s) => s.label),
                    range: STATUS.map((s) => s.color),
                  },
                  marks: [
                    Plot.cell(data, {
                      x: 'indicator',
                      y: 'country',
                      fill: 'status',
                      stroke: '#fff',
                      strokeWidth: 0.5,
                      channels: {
                        Years: 'years',
                        'Source type': 'sourceType',
                        'Residence criterion': 'residence',
                      },
                      tip: { format: { x: true, y: true, fill: true }, lineWidth: 60 },
                    }),
                  ],
                })
              }
            />
          </div>
          <Legend items={STATUS.map((s) => ({ label: s.label, color: s.color }))} />
        </>
      )}
    </section>
  );
}

function Legend(props: { items: { label: string; color: string }[] }) {
  return (
    <ul class="legend" aria-label="Legend">
      {props.items.map((i) => (
        <li key={i.label}>
          <span class="swatch" style={{ background: i.color }} aria-hidden="true" />
          {i.label}
        </li>
      ))}
    </ul>
  );
}

function RegionHeatmap(props: { matrix: Matrix; level: string; regions: RegionNode[]; shown: Shown }) {
  const { matrix, regions } = props;
  const data = useMemo(() => {
    const byCode = new Map(regions.map((r) => [r.code, r]));
    const wanted = props.level === 'INTERMEDIATE_REGION' ? ['INTERMEDIATE_REGION', 'SUB_REGION'] : [props.level];
    // The group of each country: its region at the chosen depth (intermediate regions fall back to the sub-region).
    const groupOf = new Map<string, RegionNode>();
    for (const c of matrix.countries) {
      const own = (c.regions ?? []).map((r) => byCode.get(r.code)).filter((r): r is RegionNode => !!r);
      const group = wanted.map((level) => own.find((r) => r.level === level)).find(Boolean);
      if (group) groupOf.set(c.m49, group);
    }
    const totals = new Map<string, number>();
    for (const g of groupOf.values()) totals.set(g.code, (totals.get(g.code) ?? 0) + 1);
    const reporting = new Map<string, number>();
    for (const cell of matrix.cells) {
      const g = groupOf.get(cell.country.m49);
      if (!g) continue;
      const key = `${cell.indicator.code}/${g.code}`;
      reporting.set(key, (reporting.get(key) ?? 0) + 1);
    }
    const groups = [...new Set(groupOf.values())].sort((a, b) => a.name.localeCompare(b.name));
    const rows = groups.flatMap((g) =>
      matrix.indicators.map((i) => {
        const n = reporting.get(`${i.code}/${g.code}`) ?? 0;
        const t = totals.get(g.code) ?? 0;
        return {
          indicator: i.code,
          region: g.name,
          share: t ? (100 * n) / t : 0,
          countries: `${n} of ${t}`,
        };
      }),
    );
    return { rows, groups: groups.map((g) => g.name) };
  }, [matrix, regions, props.level]);
  const byPair = useMemo(() => new Map(data.rows.map((d) => [`${d.region}/${d.indicator}`, d])), [data]);
  if (!regions.length) return <Loading what="regions" />;
  const codes = matrix.indicators.map((i) => i.code);
  const longest = Math.max(...codes.map((c) => c.length));
  const marginTop = 16 + longest * 7;
  const marginLeft = 230;
  const label = `Share of countries reporting ${codes.length} indicators in ${data.groups.length} regions`;
  return (
    <section aria-labelledby="heatmap-title">
      <h2 id="heatmap-title">
        {codes.length} indicators × {data.groups.length} regions
      </h2>
      <p class="hint">
        Share of the region's countries reporting; hover a cell for the counts, or show the figure as a table.
      </p>
      <TableToggle shown={props.shown} />
      {props.shown.asTable ? (
        <CellTable
          caption={label}
          rowHeader="Region"
          rows={data.groups}
          indicators={matrix.indicators}
          cell={(region, indicator) => {
            const d = byPair.get(`${region}/${indicator}`);
            return d ? { text: formatShare(d.share / 100), detail: ` (${d.countries} countries)` } : { text: '–' };
          }}
        />
      ) : (
        <>
          <div class="scroll" tabIndex={0} role="region" aria-label="Heatmap (scrolls)">
            <PlotFigure
              label={label}
              class="heatmap"
              deps={[data]}
              onRendered={() => performance.mark('coverage:heatmap')}
              render={(Plot) =>
                Plot.plot({
                  width: marginLeft + codes.length * CELL * 2 + 20,
                  height: marginTop + data.groups.length * 24 + 10,
                  marginTop,
                  marginLeft,
                  marginBottom: 10,
                  style: { fontSize: '11px' },
                  x: { domain: codes, axis: 'top', tickRotate: -90, label: null, padding: 0 },
                  y: { domain: data.groups, label: null, padding: 0, tickSize: 0 },
                  color: { type: 'linear', domain: [0, 100], scheme: 'blues', label: 'Share reporting (%)' },
                  marks: [
                    Plot.cell(data.rows, {
                      x: 'indicator',
                      y: 'region',
                      fill: 'share',
                      stroke: '#fff',
                      strokeWidth: 0.5,
                      channels: { Countries: 'countries' },
                      tip: { format: { x: true, y: true, fill: (v: number) => `${Math.round(v)}%` } },
                    }),
                  ],
                })
              }
            />
          </div>
          <PlotFigure
            label="Colour scale: share of countries reporting"
            deps={[]}
            render={(Plot) =>
              Plot.legend({
                color: { type: 'linear', domain: [0, 100], scheme: 'blues', label: 'Share reporting (%)' },
              })
            }
          />
        </>
      )}
    </section>
  );
}
