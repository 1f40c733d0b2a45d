// orderBy on submission lists (issue 12): newest first by default (the review queue), every order total, and Relay
// cursors correct under each order: paging forwards or backwards visits every version exactly once, in the order.
import { data, startHub, type Hub } from '../support/hub.js';
import { csv } from './support.js';

let hub: Hub;
let admin: string;
beforeAll(async () => {
  hub = await startHub();
  admin = await hub.token('ADMIN');
  // Three imports (three createdAt values), each of many versions sharing a timestamp and reference years: the
  // orders have ties that only the id can break.
  const rows = (country: string, indicator: string, years: number[], status = 'SUBMITTED') =>
    years.map((y) => `${country},${indicator},${y},${1000 + y},${status}`);
  const years = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  for (const file of [
    [...rows('CHE', 'IMM_STOCK', years(2001, 2010)), ...rows('FRA', 'IMM_STOCK', years(2001, 2010))],
    [...rows('DEU', 'IMM_STOCK', years(2003, 2008), 'DRAFT'), ...rows('CHE', 'EMI_STOCK', years(2005, 2012))],
    rows('FRA', 'EMI_STOCK', years(2001, 2004)),
  ]) {
    const result = await run(
      `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok problems { message } } }`,
      { csv: csv('country,indicator,reference_year,value,status', ...file) },
    );
    expect(result.importSubmissions).toEqual({ ok: true, problems: [] });
  }
  // Status changes move a few versions to the front of UPDATED_AT DESC.
  const queue = await listAll('submissions', '{ field: CREATED_AT, direction: ASC }', 'filter: { status: SUBMITTED }');
  for (const node of queue.slice(3, 6)) {
    const res = await run(
      `mutation ($id: ID!, $rev: Int!) { validateSubmission(input: { id: $id, expectedRevision: $rev }) {
        __typename } }`,
      { id: node.id, rev: node.revision },
    );
    expect(res.validateSubmission).toEqual({ __typename: 'ValidateSubmissionPayload' });
  }
}, 120_000);
afterAll(() => hub?.close());

async function run(query: string, variables?: Record<string, unknown>) {
  return data(await hub.gql<Record<string, unknown>, Record<string, unknown>>(query, variables, { token: admin }));
}

interface Node {
  id: string;
  revision: number;
  referenceYear: number;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: Node }[];
}

const NODE = 'id revision referenceYear createdAt updatedAt';
const localId = (id: string) => Number(Buffer.from(id, 'base64').toString('utf8').split(':')[1]);

/** One page of `submissions` (or Country(CHE).submissions with list = 'country'). */
async function page(list: 'submissions' | 'country', args: string): Promise<Page> {
  const field = `submissions(${args}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ${NODE} } } }`;
  const result = await run(list === 'country' ? `{ country(code: "CHE") { ${field} } }` : `{ ${field} }`);
  return (list === 'country' ? (result.country as { submissions: Page }).submissions : result.submissions) as Page;
}

/** Every node of the list, paging forwards with first/after (7 at a time). */
async function listAll(list: 'submissions' | 'country', orderBy: string | null, extra = ''): Promise<Node[]> {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (;;) {
    const args = [`first: 7`, after && `after: "${after}"`, orderBy && `orderBy: ${orderBy}`, extra].filter(Boolean);
    const p = await page(list, args.join(', '));
    nodes.push(...p.edges.map((e) => e.node));
    if (!p.pageInfo.hasNextPage) {
      expect(nodes).toHaveLength(p.totalCount);
      return nodes;
    }
    expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
    after = p.pageInfo.endCursor;
  }
}

/** Every node of the list, paging backwards with last/before (5 at a time), in list order. */
async function listAllBackwards(list: 'submissions' | 'country', orderBy: string): Promise<Node[]> {
  const pages: Node[][] = [];
  let before: string | null = null;
  for (;;) {
    const p = await page(
      list,
      [`last: 5`, before && `before: "${before}"`, `orderBy: ${orderBy}`].filter(Boolean).join(', '),
    );
    pages.unshift(p.edges.map((e) => e.node));
    if (!p.pageInfo.hasPreviousPage) return pages.flat();
    before = p.pageInfo.startCursor;
  }
}

type Row = { id: number; createdAt: Date; updatedAt: Date; referenceYear: number; countryId: number };
const KEYS = {
  CREATED_AT: () => 0, // creation order is the id sequence
  UPDATED_AT: (r: Row) => r.updatedAt.getTime(),
  REFERENCE_YEAR: (r: Row) => r.referenceYear,
} as const;

/** The expected order, computed here from the rows themselves: key, then id, both in the direction. */
async function expected(field: keyof typeof KEYS, direction: 'ASC' | 'DESC', countryOnly = false) {
  const che = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } });
  const rows: Row[] = await hub.db.prisma.submission.findMany({
    where: countryOnly ? { countryId: che.id } : {},
    select: { id: true, createdAt: true, updatedAt: true, referenceYear: true, countryId: true },
  });
  const sign = direction === 'ASC' ? 1 : -1;
  return rows.sort((a, b) => sign * (KEYS[field](a) - KEYS[field](b) || a.id - b.id)).map((r) => r.id);
}

const ORDERS = (['CREATED_AT', 'UPDATED_AT', 'REFERENCE_YEAR'] as const).flatMap((field) =>
  (['ASC', 'DESC'] as const).map((direction) => [field, direction] as const),
);

test.each(ORDERS)('submissions ordered by %s %s: paging either way visits every version once', async (f, d) => {
  const orderBy = `{ field: ${f}, direction: ${d} }`;
  const want = await expected(f, d);
  expect(want).toHaveLength(38);
  const forwards = await listAll('submissions', orderBy);
  expect(forwards.map((n) => localId(n.id))).toEqual(want);
  const backwards = await listAllBackwards('submissions', orderBy);
  expect(backwards.map((n) => localId(n.id))).toEqual(want);
});

test.each(ORDERS)('Country.submissions ordered by %s %s pages the same way', async (f, d) => {
  const orderBy = `{ field: ${f}, direction: ${d} }`;
  const forwards = await listAll('country', orderBy);
  expect(forwards.map((n) => localId(n.id))).toEqual(await expected(f, d, true));
});

test('without orderBy the lists are newest first (CREATED_AT DESC), so the review queue shows the latest first', async () => {
  const newestFirst = await expected('CREATED_AT', 'DESC');
  expect((await listAll('submissions', null)).map((n) => localId(n.id))).toEqual(newestFirst);
  expect((await listAll('country', null)).map((n) => localId(n.id))).toEqual(
    await expected('CREATED_AT', 'DESC', true),
  );
  // Creation timestamps agree with the id sequence here (one import after the other).
  const queue = await listAll('submissions', null, 'filter: { status: SUBMITTED }');
  expect(queue.length).toBeGreaterThan(10);
  const created = queue.map((n) => Date.parse(n.createdAt));
  expect(created).toEqual([...created].sort((a, b) => b - a));
  expect(queue.map((n) => localId(n.id))).toEqual(newestFirst.filter((id) => queue.some((n) => localId(n.id) === id)));
  // The validated versions (changed last) lead the UPDATED_AT DESC order.
  const updated = await listAll('submissions', '{ field: UPDATED_AT, direction: DESC }');
  expect(updated.slice(0, 3).every((n) => n.revision > 1)).toBe(true);
});
