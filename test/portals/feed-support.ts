// Shared pieces of the change-feed suites (CONTRACT §10): a client that replays the feed into a store, page by page
// from its cursor, and the same store read from a full download, as comparable rows.
import { parse } from 'csv-parse/sync';
import { BASE_COLUMNS } from '../../src/submissions/submissions.export.js';
import type { Hub } from '../support/hub.js';
import { data } from '../support/hub.js';

export const CHANGES = `
  query Changes($after: String, $first: Int) {
    changes(after: $after, first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...Entry } }
    }
  }
  fragment Entry on Change {
    sequence kind at
    series { country { m49 } indicator { code } referenceYear dataSource { code } sourceType { code } }
    submission {
      version status unit note residenceCriterion sourceType { code } dataSource { code }
      observations { value dimensionsJson }
    }
    item { __typename id }
  }`;

/**
 * The cursor that resumes `token`'s caller after the global feed position `global` (a max(sequence) read from the
 * table): a focal point's is "g:<global>" (its numbering is the global one); the others' name the last entry of
 * their own audience at or before it ("p:…" for anonymous and READER callers, "a:…" for ADMIN and TASK_FORCE), since
 * a plain decimal is refused to them (src/portals/feed.service.ts).
 */
export async function cursorAt(
  hub: Pick<Hub, 'db' | 'gql'>,
  token: string | undefined,
  global: bigint | string,
): Promise<string> {
  const viewer = token
    ? data(await hub.gql<{ viewer: { role: string } }, unknown>('{ viewer { role } }', {}, { token })).viewer
    : null;
  if (viewer?.role === 'FOCAL_POINT') return `g:${global}`;
  const audience = viewer && ['ADMIN', 'TASK_FORCE'].includes(viewer.role) ? 'ALL_VERSIONS' : 'PUBLISHED';
  const [row] = await hub.db.prisma.$queryRaw<{ n: string }[]>`
    SELECT coalesce(max("audienceSequence"), 0)::text AS n FROM "FeedEntry"
    WHERE audience::text = ${audience} AND sequence <= ${String(global)}::bigint`;
  return `${audience === 'PUBLISHED' ? 'p' : 'a'}:${row!.n}`;
}

export interface Entry {
  sequence: string;
  kind: 'UPSERT' | 'DELETE';
  at: string;
  series: {
    country: { m49: string };
    indicator: { code: string };
    referenceYear: number;
    dataSource: { code: string } | null;
    sourceType: { code: string } | null;
  } | null;
  submission: {
    version: number;
    status: string;
    unit: string;
    note: string | null;
    residenceCriterion: string | null;
    sourceType: { code: string } | null;
    dataSource: { code: string } | null;
    observations: { value: number; dimensionsJson: Record<string, string> }[];
  } | null;
  item: { __typename: string; id: string } | null;
}

/** A series change: one with its series key. */
export type SeriesEntry = Entry & { series: NonNullable<Entry['series']> };

interface ChangesPage {
  changes: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Entry }[];
  };
}

/** A row as the download writes it: the §5 columns, the disaggregation as sorted "VAR=code" pairs. */
export type Row = string;

const rowOf = (cells: (string | number | null | undefined)[], dims: Record<string, string>): Row =>
  JSON.stringify([
    ...cells.map((c) => (c === null || c === undefined ? '' : String(c))),
    Object.entries(dims)
      .filter(([, v]) => v && v !== '_T')
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(';'),
  ]);

const seriesKey = (e: SeriesEntry) =>
  [
    e.series.country.m49,
    e.series.indicator.code,
    e.series.referenceYear,
    e.series.dataSource?.code ?? '',
    e.series.dataSource ? '' : (e.series.sourceType?.code ?? ''),
  ].join('|');

/** A portal's mirror: the series keys it holds, each with its rows, fed from the change feed. */
export class Replayer {
  cursor: string | null = null;
  readonly store = new Map<string, Row[]>();
  readonly sequences: bigint[] = [];
  /** The catalogue items the feed named. */
  readonly items = new Set<string>();

  constructor(
    readonly name: string,
    readonly token: string | undefined,
  ) {}

  apply(e: Entry): void {
    const sequence = BigInt(e.sequence);
    const last = this.sequences.at(-1);
    if (last !== undefined && sequence <= last)
      throw new Error(`${this.name}: sequence ${sequence} after ${last} (repeated or out of order)`);
    this.sequences.push(sequence);
    if (!e.series) {
      // A catalogue change: the item's current state is read through node(id); the store holds observations.
      if (!e.item || e.kind !== 'UPSERT') throw new Error(`${this.name}: entry ${e.sequence} names no series nor item`);
      this.items.add(e.item.id);
      return;
    }
    const series = e.series;
    const key = seriesKey({ ...e, series });
    if (e.kind === 'DELETE') {
      if (!this.store.has(key)) throw new Error(`${this.name}: DELETE of ${key}, which the store does not hold`);
      this.store.delete(key);
      return;
    }
    const s = e.submission;
    if (!s) throw new Error(`${this.name}: UPSERT ${e.sequence} without its submission`);
    this.store.set(
      key,
      s.observations.map((o) =>
        rowOf(
          [
            series.country.m49,
            series.indicator.code,
            series.referenceYear,
            o.value,
            s.unit,
            s.sourceType?.code,
            s.dataSource?.code,
            s.residenceCriterion,
            s.status,
            s.note,
          ],
          o.dimensionsJson,
        ),
      ),
    );
  }

  /** Reads one page after the cursor and applies it; returns whether more pages follow. */
  async step(hub: Pick<Hub, 'gql'>, first: number): Promise<boolean> {
    const page = data(
      await hub.gql<ChangesPage, { after: string | null; first: number }>(
        CHANGES,
        { after: this.cursor, first },
        { token: this.token },
      ),
    ).changes;
    for (const edge of page.edges) this.apply(edge.node);
    this.cursor = page.pageInfo.endCursor ?? this.cursor;
    return page.pageInfo.hasNextPage;
  }

  /** Reads until the feed has nothing more. */
  async drain(hub: Pick<Hub, 'gql'>, first = 100): Promise<void> {
    while (await this.step(hub, first));
  }

  rows(): Row[] {
    return [...this.store.values()].flat().sort();
  }
}

/** The rows of a full download (/download/observations.csv) as the caller with `token` receives them. */
export async function downloadedRows(hub: Pick<Hub, 'api'>, token: string | undefined): Promise<Row[]> {
  const res = await hub.api.fetch('http://hub.test/download/observations.csv', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (res.status !== 200) throw new Error(`download: ${res.status} ${await res.text()}`);
  const records = parse(await res.text(), { columns: true, bom: true }) as Record<string, string>[];
  const base: readonly string[] = BASE_COLUMNS;
  return records
    .map((r) =>
      rowOf(
        base.map((c) => r[c]),
        Object.fromEntries(Object.entries(r).filter(([k]) => !base.includes(k))),
      ),
    )
    .sort();
}
