// Choices from the live catalogue for pages' select boxes: the active indicators, and every country (by name).
import { graphql } from '../gql';
import { requestWithErrors, type FieldError } from './client';

/** The active indicators (the catalogue has fewer than 100), for an indicator select box. */
export const IndicatorOptionsDoc = graphql(`
  query IndicatorOptions {
    indicators(first: 100, filter: { status: ACTIVE }) {
      nodes {
        code
        name
        tier
      }
    }
  }
`);

const CountryOptionsDoc = graphql(`
  query CountryOptions($after: String) {
    countries(first: 100, after: $after, orderBy: { field: NAME, direction: ASC }) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        m49
        iso3
        name
      }
    }
  }
`);

export interface CountryOption {
  m49: string;
  iso3?: string | null;
  name: string;
}

/** Every country and area by name; the API pages at 100, and there are about 250. */
export async function loadCountryOptions(
  signal: AbortSignal,
): Promise<{ data: CountryOption[]; errors: FieldError[] }> {
  const countries: CountryOption[] = [];
  const errors: FieldError[] = [];
  let after: string | undefined;
  do {
    const page = await requestWithErrors(CountryOptionsDoc, { after }, { signal });
    countries.push(...page.data.countries.nodes);
    errors.push(...page.errors);
    const { hasNextPage, endCursor } = page.data.countries.pageInfo;
    after = hasNextPage && endCursor ? endCursor : undefined;
  } while (after);
  return { data: countries, errors };
}
