#!/usr/bin/env node
// portal-sync: mirrors the hub's published data into a local CSV from the change feed (CONTRACT §10), and resumes
// where it stopped. Copy this file; it needs Node 20 and nothing else.
//
//   HUB_URL=https://hub.example.org/graphql node sync.mjs observations.csv          # sync once, then exit
//   HUB_URL=… HUB_TOKEN=… node sync.mjs observations.csv --follow                 # keep syncing every 30 s
//
// observations.csv is in the hub's submissions format (what /download/observations.csv gives, one row per
// observation); observations.csv.state.json beside it holds the mirror and the feed cursor. After every page the
// state is written to a temporary file and renamed over the old one, so an interruption at any point leaves the
// last complete page: the next run reads the feed again from there (applying a change twice is harmless: an UPSERT
// replaces the key, a DELETE removes it).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`Usage: node sync.mjs [FILE] [--follow] [--page-size N] [--max-pages N]

Mirrors the hub's published data (its change feed) into FILE (default observations.csv), in the hub's submissions
format, and resumes where the last run stopped (FILE.state.json holds the mirror and the feed cursor).

  --follow        keep syncing every 30 s instead of exiting once up to date
  --page-size N   changes per request (default 100, at most 100)
  --max-pages N   stop after N pages (to try resuming)

Environment: HUB_URL (default http://localhost:4000/graphql), HUB_TOKEN (optional: a token's feed instead of the
published one).`);
  process.exit(0);
}
const unknown = args.filter((a) => a.startsWith('-') && !['--follow', '--page-size', '--max-pages'].includes(a));
if (unknown.length) {
  console.error(`sync.mjs: unknown option ${unknown[0]} (--help lists them)`);
  process.exit(2);
}
const out = args.find((a) => !a.startsWith('--')) ?? 'observations.csv';
const follow = args.includes('--follow');
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const pageSize = option('page-size', 100);
const maxPages = option('max-pages', Infinity); // stop early, e.g. to try resuming
const url = process.env.HUB_URL ?? 'http://localhost:4000/graphql';
const token = process.env.HUB_TOKEN;
const statePath = `${out}.state.json`;

const QUERY = `query Sync($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes {
      sequence kind
      series { country { m49 } indicator { code } referenceYear dataSource { code } sourceType { code } }
      submission {
        unit status note residenceCriterion sourceType { code } dataSource { code }
        observations { value dimensionsJson }
      }
    }
  }
}`;

function load() {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return { cursor: null, series: {} };
    throw err;
  }
}

function writeAtomically(path, text) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const BASE = [
  'country',
  'indicator',
  'reference_year',
  'value',
  'unit',
  'source_type',
  'data_source',
  'residence_criterion',
  'status',
  'note',
];
const cell = (v) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function writeCsv(state) {
  const rows = Object.values(state.series).flat();
  const variables = [...new Set(rows.flatMap((r) => Object.keys(r.dimensions)))].sort();
  const lines = [[...BASE, ...variables].join(',')];
  for (const r of rows) lines.push([...r.cells, ...variables.map((v) => r.dimensions[v] ?? '')].map(cell).join(','));
  writeAtomically(out, lines.join('\r\n') + '\r\n');
}

function apply(state, change) {
  const s = change.series;
  // A catalogue change (an edited indicator, a renamed data source): this mirror keeps observations only.
  if (!s) return;
  const key = [
    s.country.m49,
    s.indicator.code,
    s.referenceYear,
    s.dataSource?.code ?? '',
    s.sourceType?.code ?? '',
  ].join('|');
  if (change.kind === 'DELETE') {
    delete state.series[key];
    return;
  }
  const v = change.submission;
  state.series[key] = v.observations.map((o) => ({
    cells: [
      s.country.m49,
      s.indicator.code,
      s.referenceYear,
      o.value,
      v.unit,
      v.sourceType?.code,
      v.dataSource?.code,
      v.residenceCriterion,
      v.status,
      v.note,
    ],
    dimensions: Object.fromEntries(Object.entries(o.dimensionsJson).filter(([, code]) => code !== '_T')),
  }));
}

async function page(after) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: QUERY, variables: { after, first: pageSize } }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`the hub answered: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data.changes;
}

async function sync() {
  const state = load();
  let pages = 0;
  for (;;) {
    const { nodes, pageInfo } = await page(state.cursor);
    for (const change of nodes) apply(state, change);
    state.cursor = pageInfo.endCursor ?? state.cursor;
    // The CSV first, then the state: a state file never points past the CSV written from it.
    writeCsv(state);
    writeAtomically(statePath, JSON.stringify(state));
    pages++;
    if (!pageInfo.hasNextPage || pages >= maxPages) return { cursor: state.cursor, pages };
  }
}

do {
  const { cursor, pages } = await sync();
  console.error(`synced ${pages} page(s); cursor ${cursor ?? '(start)'}`);
  if (follow) await new Promise((resolve) => setTimeout(resolve, 30_000));
} while (follow);
