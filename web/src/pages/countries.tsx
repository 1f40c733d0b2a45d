// Countries and areas (M49), searchable and by region, with how many core indicators each reports.
import { useState } from 'preact/hooks';
import { ErrorMessage, Loading } from '../components/controls';
import { RegionFilter, SearchFilter } from '../components/filters';
import { ScrollBox } from '../components/scroll-box';
import { graphql } from '../gql';
import { useQuery } from '../lib/client';
import { useParams } from '../lib/params';

const CountriesPageDoc = graphql(`
  query CountriesPage($region: String, $search: String, $after: String) {
    countries(first: 100, region: $region, search: $search, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        m49
        iso3
        name
        region {
          name
        }
        coverage {
          coreReported
          coreTotal
        }
      }
    }
  }
`);

export default function CountriesPage() {
  const p = useParams();
  const [after, setAfter] = useState<string[]>([]);
  const cursor = after[after.length - 1];
  const state = useQuery(CountriesPageDoc, {
    region: p.get('region') || undefined,
    search: p.get('q') || undefined,
    after: cursor,
  });
  return (
    <main id="main">
      <h1>Countries and areas</h1>
      <form class="filters" role="search" aria-label="Find a country" onSubmit={(e) => e.preventDefault()}>
        <SearchFilter p={p} label="Name or code" onChange={() => setAfter([])} />
        <RegionFilter p={p} onChange={() => setAfter([])} />
      </form>
      {state.status === 'loading' && <Loading what="countries" />}
      {state.status === 'error' && <ErrorMessage error={state.error} retry={state.retry} />}
      {state.status === 'done' && (
        <>
          <p role="status">{state.data.countries.totalCount} countries and areas</p>
          <ScrollBox label="Countries and areas">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Country or area</th>
                  <th scope="col">ISO3</th>
                  <th scope="col">M49</th>
                  <th scope="col">Region</th>
                  <th scope="col" class="num">
                    Core indicators reported
                  </th>
                </tr>
              </thead>
              <tbody>
                {state.data.countries.nodes.map((c) => (
                  <tr key={c.m49}>
                    <th scope="row">
                      <a href={`/countries/${c.iso3 ?? c.m49}`}>{c.name}</a>
                    </th>
                    <td>{c.iso3 ?? '–'}</td>
                    <td>{c.m49}</td>
                    <td>{c.region?.name ?? '–'}</td>
                    <td class="num">
                      {c.coverage.coreReported} of {c.coverage.coreTotal}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          <p class="toolbar">
            {after.length > 0 && (
              <button type="button" onClick={() => setAfter(after.slice(0, -1))}>
                Previous page
              </button>
            )}
            {state.data.countries.pageInfo.hasNextPage && (
              <button type="button" onClick={() => setAfter([...after, state.data.countries.pageInfo.endCursor!])}>
                Next page
              </button>
            )}
          </p>
        </>
      )}
    </main>
  );
}
