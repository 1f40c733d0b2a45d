// Shared documents and helpers of the submissions suites.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphql } from '../gql/index.js';
import { scratchDir } from '../support/scratch.js';

// One directory per test file that imports this module, removed after its tests.
const scratch = scratchDir();

export const ImportSubmissions = graphql(`
  mutation ImportSubmissions($input: ImportSubmissionsInput!) {
    importSubmissions(input: $input) {
      ok
      dryRun
      rows
      submissions
      observations
      submissionsWritten
      observationsWritten
      submissionsUnchanged
      problems {
        line
        column
        message
      }
    }
  }
`);

export const SubmissionList = graphql(`
  query SubmissionList($filter: SubmissionFilter, $first: Int, $after: String) {
    submissions(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        referenceYear
        version
        revision
        status
        unit
        sourceKey
        isCountable
        country {
          m49
          iso3
        }
        indicator {
          code
        }
        observations {
          value
          dimensionKey
          dimensions {
            variable
            code
          }
        }
      }
    }
  }
`);

/** A temporary file with the given content (removed after the test file); returns its path. */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(scratch, 'file-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

export const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
