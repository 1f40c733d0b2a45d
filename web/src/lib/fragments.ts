// GraphQL fragments shared by several pages. Codegen appends a fragment's definition to every document that spreads
// it; the pages import this module so that the dependency is visible in the code too.
import { graphql } from '../gql';

/** What every list of submissions shows of one version (country, review and upload pages). */
export const SubmissionRowFields = graphql(`
  fragment SubmissionRow on Submission {
    id
    referenceYear
    version
    revision
    status
    rejectionReason
    updatedAt
    indicator {
      code
      name
    }
    sourceType {
      code
    }
    dataSource {
      code
    }
    total {
      value
    }
  }
`);
