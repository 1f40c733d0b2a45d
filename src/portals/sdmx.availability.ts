// SDMX REST 2.0 availability queries (CONTRACT §10 portals; sdmx-rest doc/availability.md): for a data query, the
// dimension values and years the caller's data has, as a data constraint with role "Actual", so a portal's query form
// (the .Stat Data Explorer's filters, for one) offers only selections that return data. `mode=exact`: the values of
// the observations the data query answers; `mode=available`: for each dimension, the values that would add data to
// the query if selected (the query with that dimension's own selection lifted), also when the query itself answers
// nothing. An answer with no value at all is empty: SDMX REST 2.0 answers an empty result with 204, "preferred to 404
// ... an empty but still healthy state" (sdmx-rest doc/status.md).
import type { PrismaClient } from '../platform/db.js';
import type { Visibility } from '../submissions/visibility.js';
import {
  checkParameters,
  findDeletions,
  findObservations,
  findSeries,
  noResults,
  parseDataQuery,
  syntaxError,
  notImplemented,
  type DataQuery,
  type SdmxKey,
  type SdmxSeries,
} from './sdmx.data.js';
import { AGENCY, DATAFLOW, VERSION, structureData, urn, type Dsd } from './sdmx.structure.js';

const MODES = ['exact', 'available'];
const REFERENCES = [
  'none',
  'all',
  'codelist',
  'conceptscheme',
  'datastructure',
  'dataflow',
  'dataproviderscheme',
  'valuelist',
];
/** Availability parameters of SDMX REST 2.0 the hub does not implement (a 501, as in data queries). */
const AVAILABILITY_PARAMETERS = { reportingYearStartDay: { served: [], valid: () => true } };

/**
 * The `data` of the structure message answering an availability query (`key` and `componentId` from the path), or
 * null when the answer is empty (no value of any dimension asked about, and no year).
 */
export async function availabilityData(
  prisma: PrismaClient,
  dsd: Dsd,
  keyText: string | undefined,
  componentId: string | undefined,
  url: URL,
  visibility: Visibility,
) {
  const params = url.searchParams;
  // Checked before anything is read: the parameters, the mode, the references and the components.
  const query = parseDataQuery(dsd, keyText, params, url.search.replace(/^\?/, ''), (d, p) =>
    checkParameters(d, p, ['c', 'updatedAfter', 'mode', 'references'], AVAILABILITY_PARAMETERS),
  );
  const mode = params.get('mode') ?? 'exact';
  if (!MODES.includes(mode)) throw syntaxError(`mode: "${mode}" is not exact or available`);
  const references = params.get('references') ?? 'none';
  if (!REFERENCES.includes(references))
    throw syntaxError(`references: "${references}" is not ${REFERENCES.join(', ')}`);
  if (references !== 'none' && references !== 'all') {
    throw notImplemented(
      `references=${references} is not implemented for availability queries; this service answers none and all`,
    );
  }
  const dims = dsd.dimensions;
  // componentId: one dimension, several (","), or all ("*" or absent).
  const ids = [...dims.map((d) => d.id), 'TIME_PERIOD'];
  const components =
    componentId === undefined || componentId === '' || componentId === '*' ? null : componentId.split(',');
  const unknown = components?.filter((c) => !ids.includes(c)) ?? [];
  if (unknown.length) throw noResults(`No dimension ${unknown.join(', ')} in ${DATAFLOW}: ${ids.join(', ')}`);

  // The series the query answers (with updatedAfter, what changed: additions, revisions and deletions), counted in
  // the database where its filters allow, else from the observations.
  const answered = async (q: DataQuery): Promise<SdmxSeries[]> => {
    const one = (o: SdmxKey) => ({ key: o.key, from: o.year, to: o.year, observations: 1 });
    const series =
      (await findSeries(prisma, dsd, q, visibility)) ?? (await findObservations(prisma, dsd, q, visibility)).map(one);
    return [...series, ...(await findDeletions(prisma, dsd, q, visibility)).map(one)];
  };
  const found = await answered(query);
  const values = dims.map((_, i) => new Set(found.map((o) => o.key[i]!)));
  if (mode === 'available') {
    // A dimension without a selection already shows every value that adds data; one with a selection is asked again
    // without it. One more statement per selected dimension, usually one to three.
    for (const [i, selection] of query.key.entries()) {
      // Lifting a selection of every code (FREQ=A) changes nothing.
      if (!selection || selection.size === dims[i]!.codes.length) continue;
      const open = await answered({ ...query, key: query.key.map((codes, j) => (j === i ? null : codes)) });
      values[i] = new Set(open.map((o) => o.key[i]!));
    }
  }
  // A loop, not Math.min(...): spreading 150 000 arguments overflows the stack.
  let from = Infinity;
  let to = -Infinity;
  for (const s of found) {
    if (s.from < from) from = s.from;
    if (s.to > to) to = s.to;
  }
  type KeyValue = { id: string; include?: false; values?: string[]; timeRange?: unknown };
  const keyValues: KeyValue[] = [
    ...dims.map((d, i): KeyValue => {
      const codes = d.codes.map((c) => c.id).filter((c) => values[i]!.has(c));
      // No value of this dimension has (or would add) data, which happens when the query answers nothing: the region
      // excludes every code (a key value lists at least one value, and one left out would allow any).
      return codes.length
        ? { id: d.id, values: codes }
        : { id: d.id, include: false, values: d.codes.map((c) => c.id) };
    }),
    // The years of the query's data; none when it answers nothing.
    ...(found.length
      ? [
          {
            id: 'TIME_PERIOD',
            timeRange: {
              startPeriod: { period: String(from), isInclusive: true },
              endPeriod: { period: String(to), isInclusive: true },
            },
          },
        ]
      : []),
  ].filter((k) => components === null || components.includes(k.id));
  if (!keyValues.some((k) => k.include !== false)) return null;
  const series = new Set(found.map((o) => o.key.join('.')));
  const constraint = {
    id: `${DATAFLOW}_AVAILABILITY`,
    agencyID: AGENCY,
    version: VERSION,
    name: `Data available for the query (${mode})`,
    names: { en: `Data available for the query (${mode})` },
    annotations: [
      { id: 'series_count', type: 'sdmx_metrics', title: String(series.size) },
      { id: 'obs_count', type: 'sdmx_metrics', title: String(found.reduce((n, s) => n + s.observations, 0)) },
    ],
    role: 'Actual',
    constraintAttachment: { dataflows: [urn.dataflow] },
    cubeRegions: [{ include: true, keyValues }],
  };
  if (references === 'none') return { dataConstraints: [constraint] };
  // The referenced structures, each code list cut to the codes of the constraint (isPartial).
  const full = structureData(dsd, 'all');
  const shown = new Map(
    keyValues.flatMap((k) =>
      k.values
        ? [[dsd.dimensions.find((d) => d.id === k.id)!.codelist, new Set(k.include === false ? [] : k.values)] as const]
        : [],
    ),
  );
  return {
    ...full,
    codelists: (full.codelists ?? []).map((list) => {
      const codes = shown.get(list.id);
      if (!codes) return list;
      const kept = list.codes.filter((c) => codes.has(c.id));
      // A list cut to no code has no `codes` (SDMX-JSON lists at least one when it has them).
      const { codes: _all, ...rest } = list;
      return kept.length ? { ...list, isPartial: true, codes: kept } : { ...rest, isPartial: true };
    }),
    dataConstraints: [constraint],
  };
}
