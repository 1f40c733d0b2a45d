// Every operation the web app sends (the documents codegen writes into web/src/gql/graphql.ts) passes the hub's
// query limits (depth, aliases, tokens, cost, directives): a page whose query grew past one would show the limit's
// error instead of its content, as the country profile did once its query reached a cost of 20 144 of 20 000.
// Sent without variables, each is checked up to validation; the limits run there, before any variable is read.
import * as operations from '../../web/src/gql/graphql.js';
import { startHub, type Hub } from '../support/hub.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub({ seed: false });
});
afterAll(() => hub?.close());

// The client preset writes each document as a TypedDocumentString (a String holding the operation and its fragments).
const documents = Object.entries(operations)
  .filter(([name, doc]) => name.endsWith('Document') && doc instanceof String)
  .map(([name, doc]) => [name, String(doc)] as const);

test('the web app has operations to check', () => {
  expect(documents.length).toBeGreaterThan(20);
});

test.each(documents)('%s is within the query limits', async (_, doc) => {
  const result = await hub.gql(doc, {});
  const codes = (result.errors ?? []).map((e) => e.extensions?.code);
  expect(codes).not.toContain('QUERY_TOO_COMPLEX');
  expect(codes).not.toContain('GRAPHQL_VALIDATION_FAILED');
});
