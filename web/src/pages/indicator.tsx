// Indicator page: definition, building block, tier, provisional fields, candidate source types with suitability,
// coverage by region, and (for additive indicators) the regional aggregate over the years with data, for a chosen
// region and sex.
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, Loading, SourceLink } from '../components/controls';
import { ParamSelect, RegionFilter, YearWindowFilter } from '../components/filters';
import { PlotFigure, usePlotSoon } from '../components/plot-figure';
import { graphql } from '../gql';
import type { IndicatorPageQuery } from '../gql/graphql';
import { isNotFound, request, unknownArgument, useQuery } from '../lib/client';
import { formatShare, formatValue, humanize } from '../lib/format';
import { href, useParams, yearWindow } from '../lib/params';
import { useSession } from '../lib/session';
import { CommentThread } from '../components/comments';
import { ScrollBox } from '../components/scroll-box';

const IndicatorPageDoc = graphql(`
  query IndicatorPage(
    $code: String!
    $window: YearWindow
    $region: String
    $hasRegion: Boolean!
    $regionCode: String!
  ) {
    region(code: $regionCode) @include(if: $hasRegion) {
      name
      children {
        code
        name
        coverage(indicator: $code, window: $window) {
          reportingCountries
          totalCountries
          share
        }
      }
    }
    indicator(code: $code) {
      id
      code
      name
      description
      tier
      buildingBlock
      unit
      additive
      status
      isProvisional
      provisionalFields
      sourceUrl
      topics {
        code
        name
      }
      sdgIndicators {
        code
        title
      }
      gcmObjectives {
        number
        title
      }
      disaggregations {
        code
        name
      }
      candidateSourceTypes {
        suitability
        note
        sourceType {
          code
          name
        }
      }
      coverage(window: $window, region: $region) {
        reportingCountries
        totalCountries
        share
        byRegion {
          region {
            code
            name
          }
          reportingCountries
          totalCountries
          share
        }
      }
    }
    coverageMatrix(filter: { indicators: [$code], window: $window, region: $region }) {
      cells {
        years
      }
    }
  }
`);

const AggregateDoc = graphql(`
  query IndicatorAggregate($code: String!, $year: Int!, $region: String, $sex: String) {
    aggregate(indicator: $code, year: $year, region: $region, sex: $sex) {
      year
      value
      countriesIncluded
      countriesInScope
    }
  }
`);

type Indicator = NonNullable<IndicatorPageQuery['indicator']>;

export default function IndicatorPage(props: { params?: { code?: string } }) {
  usePlotSoon();
  const code = decodeURIComponent(props.params?.code ?? '');
  const p = useParams();
  const { window } = yearWindow(p);
  const region = p.get('region') || undefined;
  const state = useQuery(IndicatorPageDoc, { code, window, region, hasRegion: !!region, regionCode: region ?? '' });
  // A region that names nothing fails the coverage fields (NOT_FOUND naming `region` or `filter.region`), which
  // takes the indicator with them: it is the region that is unknown, not the indicator.
  const errors = state.status === 'error' ? [state.error] : state.status === 'done' ? state.errors : [];
  const unknownRegion = !!region && errors.some((e) => /(^|\.)region$/.test(unknownArgument(e) ?? ''));
  const notFound =
    !unknownRegion &&
    ((state.status === 'error' && isNotFound(state.error)) || (state.status === 'done' && !state.data.indicator));
  const title =
    state.status === 'done' && state.data.indicator
      ? state.data.indicator.name
      : notFound
        ? 'Indicator not found'
        : code;
  return (
    <main id="main">
      <p class="crumbs">
        <a href="/indicators">Indicators</a> ›
      </p>
      <h1>{title}</h1>
      {state.status === 'loading' && <Loading what="the indicator" />}
      {state.status === 'error' && !isNotFound(state.error) && <ErrorMessage error={state.error} retry={state.retry} />}
      {unknownRegion && (
        <p class="error" role="alert" data-testid="unknown-region">
          No M49 region with code "{region}".{' '}
          <a href={href(`/indicators/${encodeURIComponent(code)}`, { ...p.query, region: undefined })}>
            Show {code} for every country
          </a>
          .
        </p>
      )}
      {notFound && (
        <p>
          No indicator with code {code}. <a href="/indicators">Back to the list of indicators</a>.
        </p>
      )}
      {!unknownRegion && state.status === 'done' && state.data.indicator && (
        <>
          <Definition indicator={state.data.indicator} />
          <form class="filters" aria-label="Coverage and series filters" onSubmit={(e) => e.preventDefault()}>
            <YearWindowFilter p={p} />
            <RegionFilter p={p} />
            <ParamSelect
              p={p}
              label="Sex"
              name="sex"
              options={[
                { value: '', label: 'Both sexes' },
                { value: 'F', label: 'Female' },
                { value: 'M', label: 'Male' },
              ]}
            />
          </form>
          <CoverageByRegion
            indicator={state.data.indicator}
            window={window}
            // Inside a chosen region: its sub-areas; otherwise the top-level M49 regions.
            rows={
              state.data.region?.children.length
                ? state.data.region.children.map((r) => ({ region: { code: r.code, name: r.name }, ...r.coverage }))
                : state.data.indicator.coverage.byRegion
            }
          />
          <Series
            indicator={state.data.indicator}
            years={[...new Set(state.data.coverageMatrix.cells.flatMap((c) => c.years))].sort((a, b) => a - b)}
            region={region}
            sex={p.get('sex') || undefined}
          />
          <Discussion indicator={state.data.indicator} />
        </>
      )}
    </main>
  );
}

/**
 * The indicator's comment thread (CONTRACT §9), where the task force and focal points discuss the catalogue item;
 * comments are internal, so it is offered only to those roles.
 */
function Discussion(props: { indicator: Indicator }) {
  const [, viewer] = useSession();
  if (!viewer || !['TASK_FORCE', 'ADMIN', 'FOCAL_POINT'].includes(viewer.role)) return null;
  return (
    <section aria-labelledby="discussion-title">
      <h2 id="discussion-title">Discussion</h2>
      <CommentThread target={props.indicator.id} label={props.indicator.code} />
    </section>
  );
}

function Definition(props: { indicator: Indicator }) {
  const i = props.indicator;
  return (
    <section aria-labelledby="definition-title">
      <h2 id="definition-title" class="visually-hidden">
        Definition
      </h2>
      {i.description && <p class="lead">{i.description}</p>}
      <dl class="facts">
        <dt>Code</dt>
        <dd>{i.code}</dd>
        <dt>Tier</dt>
        <dd>{humanize(i.tier)}</dd>
        <dt>Building block</dt>
        <dd>{i.buildingBlock ? humanize(i.buildingBlock) : 'Cross-cutting'}</dd>
        <dt>Unit</dt>
        <dd>
          {i.unit}
          {i.additive ? ' (additive: sums over regions)' : ' (not additive)'}
        </dd>
        <dt>Status</dt>
        <dd>{humanize(i.status)}</dd>
        {i.disaggregations.length > 0 && (
          <>
            <dt>Disaggregations</dt>
            <dd>{i.disaggregations.map((v) => v.name).join(', ')}</dd>
          </>
        )}
        {i.topics.length > 0 && (
          <>
            <dt>Topics</dt>
            <dd>{i.topics.map((t) => t.name).join(', ')}</dd>
          </>
        )}
        {i.sdgIndicators.length > 0 && (
          <>
            <dt>SDG</dt>
            <dd>{i.sdgIndicators.map((s) => `${s.code} ${s.title}`).join('; ')}</dd>
          </>
        )}
        {i.gcmObjectives.length > 0 && (
          <>
            <dt>GCM objectives</dt>
            <dd>{i.gcmObjectives.map((g) => `${g.number}. ${g.title}`).join('; ')}</dd>
          </>
        )}
        {i.sourceUrl && (
          <>
            <dt>Source</dt>
            <dd>
              <SourceLink href={i.sourceUrl} />
            </dd>
          </>
        )}
      </dl>
      {i.provisionalFields.length > 0 && (
        <div class="note" role="note">
          <strong>Provisional:</strong> these fields were assigned for the seed and await task-force confirmation:
          <ul>
            {i.provisionalFields.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      <h2>Candidate source types</h2>
      {i.candidateSourceTypes.length === 0 ? (
        <p>No source type is linked to this indicator yet (a catalogue gap).</p>
      ) : (
        <ScrollBox label="Candidate source types">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Source type</th>
                <th scope="col">Suitability</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {i.candidateSourceTypes.map((l) => (
                <tr key={l.sourceType.code}>
                  <th scope="row">{l.sourceType.name}</th>
                  <td>{humanize(l.suitability)}</td>
                  <td>{l.note ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}

type RegionRow = Indicator['coverage']['byRegion'][number];

function CoverageByRegion(props: {
  indicator: Indicator;
  window: { from: number; to: number } | undefined;
  rows: RegionRow[];
}) {
  const c = props.indicator.coverage;
  const rows = props.rows;
  const windowParams = props.window ?? {};
  return (
    <section aria-labelledby="by-region-title">
      <h2 id="by-region-title">Coverage by region</h2>
      <p data-testid="indicator-reporting">
        <strong>{c.reportingCountries}</strong> of {c.totalCountries} countries report it ({formatShare(c.share)})
        {props.window ? ` with reference years ${props.window.from}–${props.window.to}` : ' (any year)'}.
      </p>
      <div class="charts">
        <ScrollBox label="Coverage by region">
          <table class="data" data-testid="by-region">
            <thead>
              <tr>
                <th scope="col">Region</th>
                <th scope="col" class="num">
                  Reporting
                </th>
                <th scope="col" class="num">
                  Countries
                </th>
                <th scope="col" class="num">
                  Share
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.region.code}>
                  <th scope="row">
                    <a href={href('/coverage', { region: r.region.code, ...windowParams })}>{r.region.name}</a>
                  </th>
                  <td class="num">{r.reportingCountries}</td>
                  <td class="num">{r.totalCountries}</td>
                  <td class="num">{formatShare(r.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
        {rows.length > 0 && (
          <PlotFigure
            label="Share of countries reporting, by region"
            deps={[rows]}
            render={(Plot) =>
              Plot.plot({
                width: 420,
                height: 40 + rows.length * 28,
                marginLeft: 170,
                x: { domain: [0, 100], label: 'Countries reporting (%)', grid: true },
                y: { label: null },
                marks: [
                  Plot.barX(rows, {
                    y: (r) => r.region.name,
                    x: (r) => r.share * 100,
                    fill: '#08519c',
                    tip: true,
                  }),
                  Plot.ruleX([0]),
                ],
              })
            }
          />
        )}
      </div>
    </section>
  );
}

interface Point {
  year: number;
  value: number | null;
  countriesIncluded: number;
  countriesInScope: number;
}

/** The aggregate for each year with data: one small request per year (each is a single SQL statement). */
function useSeries(code: string, years: number[], region: string | undefined, sex: string | undefined, skip: boolean) {
  const [token] = useSession();
  const [state, setState] = useState<{ points?: Point[]; error?: Error }>({});
  const key = JSON.stringify([code, years, region, sex, skip]);
  useEffect(() => {
    if (skip) return;
    const controller = new AbortController();
    setState({});
    Promise.all(
      years.map((year) =>
        request(AggregateDoc, { code, year, region, sex }, { signal: controller.signal }).then((d) => d.aggregate),
      ),
    ).then(
      (results) => setState({ points: results.filter((r): r is Point => !!r) }),
      (error: Error) => !controller.signal.aborted && setState({ error }),
    );
    return () => controller.abort();
    // `key` stands for the inputs.
  }, [key, token]);
  return state;
}

function Series(props: { indicator: Indicator; years: number[]; region: string | undefined; sex: string | undefined }) {
  const { indicator } = props;
  const series = useSeries(indicator.code, props.years, props.region, props.sex, !indicator.additive);
  const sexLabel = props.sex === 'F' ? 'females' : props.sex === 'M' ? 'males' : 'both sexes';
  return (
    <section aria-labelledby="series-title">
      <h2 id="series-title">Regional total over time ({sexLabel})</h2>
      {!indicator.additive ? (
        <p>
          {indicator.code} is not a count of persons, so country values are not summed over regions. See the country
          pages for its values.
        </p>
      ) : props.years.length === 0 ? (
        <p>No country in scope reports it in this window.</p>
      ) : series.error ? (
        <ErrorMessage error={series.error} />
      ) : !series.points ? (
        <Loading what="the series" />
      ) : (
        <>
          <PlotFigure
            label={`${indicator.name}: sum over the countries in scope by year`}
            deps={[series.points]}
            render={(Plot) =>
              Plot.plot({
                width: 720,
                height: 300,
                marginLeft: 70,
                x: { label: 'Reference year', tickFormat: 'd' },
                y: {
                  label: indicator.unit === 'PERSONS' ? 'Persons' : indicator.unit,
                  grid: true,
                  tickFormat: 's',
                  zero: true,
                },
                marks: [
                  Plot.lineY(series.points, { x: 'year', y: 'value', stroke: '#08519c' }),
                  Plot.dot(series.points, {
                    x: 'year',
                    y: 'value',
                    fill: '#08519c',
                    channels: { 'Countries included': 'countriesIncluded', 'Countries in scope': 'countriesInScope' },
                    tip: true,
                  }),
                ],
              })
            }
          />
          <ScrollBox label="Series">
            <table class="data" data-testid="series">
              <caption>Sum of the country values; countries without a value that year are left out.</caption>
              <thead>
                <tr>
                  <th scope="col">Year</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col" class="num">
                    Countries included
                  </th>
                  <th scope="col" class="num">
                    Countries in scope
                  </th>
                </tr>
              </thead>
              <tbody>
                {series.points.map((pt) => (
                  <tr key={pt.year}>
                    <th scope="row">{pt.year}</th>
                    <td class="num">{formatValue(pt.value)}</td>
                    <td class="num">{pt.countriesIncluded}</td>
                    <td class="num">{pt.countriesInScope}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        </>
      )}
    </section>
  );
}
