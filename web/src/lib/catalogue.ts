// Choices from the live catalogue for pages' select boxes: the active indicators, and every country (by name).
import { graphql } from '../gql';
import { allPages, requestWithErrors, type FieldError } from './client';

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

/** Every country and area by name (about 250, past the API's page of 100). */
export const loadCountryOptions = (signal: AbortSignal): Promise<{ data: CountryOption[]; errors: FieldError[] }> =>
  allPages(async (after) => {
    const { data, errors } = await requestWithErrors(CountryOptionsDoc, { after }, { signal });
    return { connection: data.countries, errors };
  });
