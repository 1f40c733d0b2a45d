// The indicator catalogue with how many countries report each.
import { ErrorMessage, Loading } from '../components/controls';
import { BuildingBlockFilter, SearchFilter, TierFilter } from '../components/filters';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import type { IndicatorFilter } from '../gql/graphql';
import { useQuery } from '../lib/client';
import { formatShare, humanize } from '../lib/format';
import { useParams } from '../lib/params';

const IndicatorsPageDoc = graphql(`
  query IndicatorsPage($filter: IndicatorFilter) {
    indicators(first: 100, filter: $filter) {
      totalCount
      nodes {
        code
        name
        tier
        buildingBlock
        status
        isProvisional
        coverage {
          reportingCountries
          totalCountries
          share
        }
      }
    }
  }
`);

export default function IndicatorsPage() {
  const p = useParams();
  const filter: IndicatorFilter = {};
  if (p.get('tier')) filter.tier = p.get('tier') as IndicatorFilter['tier'];
  if (p.get('bb')) filter.buildingBlock = p.get('bb') as IndicatorFilter['buildingBlock'];
  if (p.get('q')) filter.search = p.get('q');
  const state = useQuery(IndicatorsPageDoc, { filter });
  return (
    <main id="main">
      <h1>Indicators</h1>
      <form class="filters" aria-label="Indicator filters" onSubmit={(e) => e.preventDefault()}>
        <SearchFilter p={p} label="Search" />
        <TierFilter p={p} />
        <BuildingBlockFilter p={p} />
      </form>
      {state.status === 'loading' && <Loading what="indicators" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && (
        <ScrollBox label="Indicators">
          <table class="data">
            <caption class="visually-hidden">{state.data.indicators.totalCount} indicators</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Name</th>
                <th scope="col">Tier</th>
                <th scope="col">Building block</th>
                <th scope="col" class="num">
                  Reporting countries (any year)
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.indicators.nodes.map((i) => (
                <tr key={i.code}>
                  <th scope="row">
                    <a href={`/indicators/${i.code}`}>{i.code}</a>
                  </th>
                  <td>
                    {i.name}
                    {i.isProvisional && <span class="tag">provisional</span>}
                    {i.status === 'RETIRED' && <span class="tag">retired</span>}
                  </td>
                  <td>{humanize(i.tier)}</td>
                  <td>{humanize(i.buildingBlock)}</td>
                  <td class="num">
                    {i.coverage.reportingCountries} of {i.coverage.totalCountries} ({formatShare(i.coverage.share)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </main>
  );
}
