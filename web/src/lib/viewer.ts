import { graphql } from '../gql';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      name
      role
      country {
        m49
        iso3
        name
      }
    }
  }
`);
