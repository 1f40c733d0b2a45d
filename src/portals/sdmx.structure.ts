// The SDMX data structure of the hub (CONTRACT §10): the dataflow MIGSTAT:DF_MIGRATION(1.0) of the data structure
// MIGSTAT:DSD_MIGRATION(1.0), and its code lists, generated from the catalogue and the M49 list on every request, so
// that a catalogue edit shows at once. Dimensions, in this order: FREQ, REF_AREA, INDICATOR, then one per catalogue
// variable that some indicator is disaggregated by (catalogue order; `_T` total, `_Z` not applicable), and the time
// dimension TIME_PERIOD; the measure OBS_VALUE; attributes UNIT_MEASURE, SOURCE_TYPE, DATA_SOURCE, RES_CRITERION,
// LAST_UPDATE, attached to the observation.
import type { PrismaClient } from '../platform/db.js';

export const AGENCY = 'MIGSTAT';
export const DATAFLOW = 'DF_MIGRATION';
export const DSD = 'DSD_MIGRATION';
export const CONCEPT_SCHEME = 'CS_MIGRATION';
export const VERSION = '1.0';
export const TOTAL = '_T';
export const NOT_APPLICABLE = '_Z';

export const STRUCTURE_SCHEMA =
  'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/v2.0.0/structure-message/tools/schemas/2.0.0/sdmx-json-structure-schema.json';
export const DATA_SCHEMA =
  'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/v2.0.0/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json';

export const urn = {
  dataflow: `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${AGENCY}:${DATAFLOW}(${VERSION})`,
  dsd: `urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=${AGENCY}:${DSD}(${VERSION})`,
  concept: (id: string) =>
    `urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept=${AGENCY}:${CONCEPT_SCHEME}(${VERSION}).${id}`,
  codelist: (id: string) => `urn:sdmx:org.sdmx.infomodel.codelist.Codelist=${AGENCY}:${id}(${VERSION})`,
};

export interface Code {
  id: string;
  name: string;
}

export interface Dimension {
  id: string;
  name: string;
  codelist: string;
  codes: Code[];
  /** The catalogue variable this dimension stands for (after FREQ, REF_AREA and INDICATOR). */
  variable?: string;
}

export interface Attribute {
  id: string;
  name: string;
  /** Coded attributes name their code list; the others are free text or a date-time. */
  codelist?: { id: string; codes: Code[] };
  dataType?: 'String' | 'DateTime';
}

export interface Dsd {
  /** Every dimension but TIME_PERIOD, in key order. */
  dimensions: Dimension[];
  attributes: Attribute[];
  /** Indicator code → id and the variables it is disaggregated by. */
  indicators: Map<string, { id: number; variables: Set<string> }>;
  /** M49 code → country id. */
  countries: Map<string, number>;
}

const RESIDENCE_CRITERIA: Code[] = [
  { id: 'OPTION_I', name: 'Most of the last 12 months, or intent of at least 6 months' },
  { id: 'OPTION_II', name: '12 months, or intent of at least 12 months' },
  { id: 'OTHER', name: 'A national definition' },
];

/** Reads the catalogue and the M49 list into the data structure (five small statements, run in parallel). */
export async function loadDsd(prisma: PrismaClient): Promise<Dsd> {
  const [countries, indicators, variables, sourceTypes] = await Promise.all([
    prisma.country.findMany({ select: { id: true, m49: true, name: true }, orderBy: { m49: 'asc' } }),
    prisma.indicator.findMany({
      select: {
        id: true,
        code: true,
        name: true,
        disaggregations: { select: { variable: { select: { code: true } } } },
      },
      orderBy: { id: 'asc' },
    }),
    prisma.variable.findMany({
      where: { indicators: { some: {} } },
      select: {
        code: true,
        name: true,
        codelist: true,
        codes: { select: { code: true, label: true }, orderBy: { position: 'asc' } },
      },
      orderBy: { id: 'asc' },
    }),
    prisma.sourceType.findMany({ select: { code: true, name: true }, orderBy: { id: 'asc' } }),
  ]);
  const areaCodes = countries.map((c) => ({ id: c.m49, name: c.name }));
  const withTotals = (codes: Code[]) => [
    ...codes,
    ...(codes.some((c) => c.id === TOTAL) ? [] : [{ id: TOTAL, name: 'Total' }]),
    { id: NOT_APPLICABLE, name: 'Not applicable' },
  ];
  const dimensions: Dimension[] = [
    { id: 'FREQ', name: 'Frequency', codelist: 'CL_FREQ', codes: [{ id: 'A', name: 'Annual' }] },
    { id: 'REF_AREA', name: 'Reference area (M49)', codelist: 'CL_AREA', codes: areaCodes },
    {
      id: 'INDICATOR',
      name: 'Indicator',
      codelist: 'CL_INDICATOR',
      codes: indicators.map((i) => ({ id: i.code, name: i.name })),
    },
    ...variables.map((v) => ({
      id: v.code,
      name: v.name,
      codelist: `CL_${v.code}`,
      variable: v.code,
      codes: withTotals(v.codelist === 'M49' ? areaCodes : v.codes.map((c) => ({ id: c.code, name: c.label }))),
    })),
  ];
  return {
    dimensions,
    attributes: [
      { id: 'UNIT_MEASURE', name: 'Unit of measure', dataType: 'String' },
      {
        id: 'SOURCE_TYPE',
        name: 'Source type',
        codelist: { id: 'CL_SOURCE_TYPE', codes: sourceTypes.map((s) => ({ id: s.code, name: s.name })) },
      },
      { id: 'DATA_SOURCE', name: 'Data source (hub code)', dataType: 'String' },
      {
        id: 'RES_CRITERION',
        name: 'Residence criterion',
        codelist: { id: 'CL_RES_CRITERION', codes: RESIDENCE_CRITERIA },
      },
      { id: 'LAST_UPDATE', name: 'Last update', dataType: 'DateTime' },
    ],
    indicators: new Map(
      indicators.map((i) => [i.code, { id: i.id, variables: new Set(i.disaggregations.map((d) => d.variable.code)) }]),
    ),
    countries: new Map(countries.map((c) => [c.m49, c.id])),
  };
}

const maintainable = (id: string, name: string) => ({
  id,
  agencyID: AGENCY,
  version: VERSION,
  name,
  names: { en: name },
});

/** The `data` part of the structure message: with `references=none`, the dataflow alone. */
export function structureData(dsd: Dsd, references: 'none' | 'all') {
  const dataflow = {
    ...maintainable(DATAFLOW, 'International migration statistics'),
    description: 'Country values of the Migration Statistics Hub indicators, as the caller may see them.',
    structure: urn.dsd,
  };
  if (references === 'none') return { dataflows: [dataflow] };
  const concept = (id: string, name: string) => ({ id, name, names: { en: name } });
  const dimensions = dsd.dimensions.map((d, position) => ({
    id: d.id,
    position,
    conceptIdentity: urn.concept(d.id),
    localRepresentation: { enumeration: urn.codelist(d.codelist) },
  }));
  const attributes = dsd.attributes.map((a) => ({
    id: a.id,
    usage: 'optional',
    attributeRelationship: { observation: {} },
    conceptIdentity: urn.concept(a.id),
    localRepresentation: a.codelist
      ? { enumeration: urn.codelist(a.codelist.id) }
      : { format: { dataType: a.dataType ?? 'String' } },
  }));
  const codelists = [
    ...dsd.dimensions.map((d) => ({ id: d.codelist, name: `Code list of ${d.name}`, codes: d.codes })),
    ...dsd.attributes.flatMap((a) => (a.codelist ? [{ ...a.codelist, name: `Code list of ${a.name}` }] : [])),
  ];
  return {
    dataflows: [dataflow],
    dataStructures: [
      {
        ...maintainable(DSD, 'International migration statistics'),
        dataStructureComponents: {
          dimensionList: {
            id: 'DimensionDescriptor',
            dimensions,
            timeDimension: {
              id: 'TIME_PERIOD',
              conceptIdentity: urn.concept('TIME_PERIOD'),
              localRepresentation: { format: { dataType: 'ObservationalTimePeriod' } },
            },
          },
          measureList: {
            id: 'MeasureDescriptor',
            measures: [
              {
                id: 'OBS_VALUE',
                usage: 'mandatory',
                conceptIdentity: urn.concept('OBS_VALUE'),
                localRepresentation: { format: { dataType: 'Double' } },
              },
            ],
          },
          attributeList: { id: 'AttributeDescriptor', attributes },
        },
      },
    ],
    conceptSchemes: [
      {
        ...maintainable(CONCEPT_SCHEME, 'Concepts of the migration statistics dataflow'),
        concepts: [
          ...dsd.dimensions.map((d) => concept(d.id, d.name)),
          concept('TIME_PERIOD', 'Time period'),
          concept('OBS_VALUE', 'Observation value'),
          ...dsd.attributes.map((a) => concept(a.id, a.name)),
        ],
      },
    ],
    codelists: codelists.map((c) => ({
      ...maintainable(c.id, c.name),
      codes: c.codes.map((code) => ({ id: code.id, name: code.name, names: { en: code.name } })),
    })),
  };
}

/** The structure types the hub has artefacts of, and the part of the structure message each fills. */
export const ARTEFACTS = {
  dataflow: 'dataflows',
  datastructure: 'dataStructures',
  conceptscheme: 'conceptSchemes',
  codelist: 'codelists',
} as const;
export type ArtefactType = keyof typeof ARTEFACTS;

/** Every structure type of SDMX REST 2.0.0 (api/sdmx-rest.yaml, `structureType`), besides `*`. */
export const STRUCTURE_TYPES = [
  'datastructure',
  'metadatastructure',
  'dataflow',
  'metadataflow',
  'provisionagreement',
  'structureset',
  'process',
  'categorisation',
  'dataconstraint',
  'metadataconstraint',
  'conceptscheme',
  'codelist',
  'categoryscheme',
  'hierarchy',
  'hierarchyassociation',
  'agencyscheme',
  'dataproviderscheme',
  'dataconsumerscheme',
  'organisationunitscheme',
  'transformationscheme',
  'rulesetscheme',
  'userdefinedoperatorscheme',
  'customtypescheme',
  'namepersonalisationscheme',
  'vtlmappingscheme',
  'valuelist',
  'structuremap',
  'representationmap',
  'conceptschememap',
  'categoryschememap',
  'organisationschememap',
  'reportingtaxonomymap',
  'reportingtaxonomy',
  'metadataprovisionagreement',
  'metadataproviderscheme',
];

/** The item schemes (the types whose query may name items), of those the hub has. */
const ITEM_SCHEMES: ArtefactType[] = ['conceptscheme', 'codelist'];

/** The `references` keywords of SDMX REST 2.0.0 besides the structure types. */
export const REFERENCE_KEYWORDS = [
  'none',
  'parents',
  'parentsandsiblings',
  'ancestors',
  'children',
  'descendants',
  'all',
];

/** A structure query's path (each `,` list split, `*` for any) and its `references` values. */
export interface StructureQuery {
  type: string;
  agencies: string[];
  ids: string[];
  versions: string[];
  /** The itemID path segment of an item scheme query, or null. */
  items: string[] | null;
  references: string[];
}

/** A refusal of a structure query: status 400 (malformed), 404 (nothing matches) or 501 (not implemented). */
export class StructureQueryError extends Error {
  constructor(
    readonly status: 400 | 404 | 501,
    message: string,
  ) {
    super(message);
  }
}

/** Whether a version of the query names the hub's one: itself, or `*` (all), `~` or `latest` (the latest). */
const versionMatches = (v: string) => v === VERSION || v === '*' || v === '~' || v === 'latest';

/**
 * The `data` of the structure message answering a structure query (SDMX REST 2.0.0, doc/structures.md): the
 * artefacts of the type, agencies, ids and versions asked for (`*` any, `,` between alternatives), with the items
 * asked for when the query names some (the scheme then `isPartial`), and the artefacts `references` adds. The hub's
 * artefacts reference each other as dataflow → data structure → concept scheme and code lists; references are
 * resolved on that graph: `children` what the matched artefacts reference, `descendants` that at any depth,
 * `parents` what references them, `ancestors` that at any depth, `parentsandsiblings` the parents and what they
 * reference, `all` parentsandsiblings and descendants, and a structure type those artefacts of that type among the
 * ancestors and descendants. Several values are a union.
 */
export function structureQueryData(dsd: Dsd, query: StructureQuery): Record<string, unknown[]> {
  for (const r of query.references) {
    if (!REFERENCE_KEYWORDS.includes(r) && !STRUCTURE_TYPES.includes(r)) {
      throw new StructureQueryError(
        400,
        `references: "${r}" is not ${REFERENCE_KEYWORDS.join(', ')} or a structure type (e.g. codelist)`,
      );
    }
    // Every artefact is maintained by an agency, but the hub serves no agency scheme to name it.
    if (r === 'agencyscheme') {
      throw new StructureQueryError(
        501,
        'references=agencyscheme is not implemented: this service has no agency scheme',
      );
    }
  }
  if (query.items && !ITEM_SCHEMES.includes(query.type as ArtefactType)) {
    throw new StructureQueryError(
      400,
      `An itemID is valid for item scheme queries only (of this service's: ${ITEM_SCHEMES.join(', ')})`,
    );
  }
  const full = structureData(dsd, 'all') as unknown as Record<string, { id: string }[]>;
  const nodes = new Map<string, { type: ArtefactType; artefact: { id: string } }>();
  for (const [type, part] of Object.entries(ARTEFACTS) as [ArtefactType, string][]) {
    for (const artefact of full[part] ?? []) nodes.set(`${type}:${artefact.id}`, { type, artefact });
  }
  const children = new Map<string, string[]>([
    [`dataflow:${DATAFLOW}`, [`datastructure:${DSD}`]],
    [
      `datastructure:${DSD}`,
      [...nodes.keys()].filter((k) => k.startsWith('conceptscheme:') || k.startsWith('codelist:')),
    ],
  ]);
  const parents = new Map<string, string[]>();
  for (const [from, tos] of children) for (const to of tos) parents.set(to, [...(parents.get(to) ?? []), from]);
  const step = (keys: Iterable<string>, edges: Map<string, string[]>) =>
    new Set([...keys].flatMap((k) => edges.get(k) ?? []));
  const closure = (keys: Iterable<string>, edges: Map<string, string[]>) => {
    const seen = new Set<string>();
    for (let next = step(keys, edges); next.size; next = step(next, edges)) {
      next = new Set([...next].filter((k) => !seen.has(k)));
      next.forEach((k) => seen.add(k));
    }
    return seen;
  };

  const any = (list: string[], value: string) => list.includes('*') || list.includes(value);
  const matched = [...nodes.entries()]
    .filter(([, n]) => query.type === '*' || n.type === query.type)
    .filter(([, n]) => any(query.agencies, AGENCY) && any(query.ids, n.artefact.id))
    .filter(() => query.versions.some(versionMatches))
    .map(([key]) => key);
  const shown = new Map<string, unknown>(matched.map((k) => [k, nodes.get(k)!.artefact]));
  if (query.items && !query.items.includes('*')) {
    // Only the items asked for, the scheme marked partial; a scheme with none of them is no match.
    for (const key of matched) {
      const scheme = nodes.get(key)!.artefact as { id: string; codes?: { id: string }[]; concepts?: { id: string }[] };
      const list = scheme.codes ? 'codes' : 'concepts';
      const items = (scheme[list] ?? []).filter((i) => query.items!.includes(i.id));
      if (items.length) shown.set(key, { ...scheme, isPartial: true, [list]: items });
      else shown.delete(key);
    }
  }
  const found = [...shown.keys()];
  if (!found.length) return {};
  const added = new Set<string>();
  for (const r of query.references) {
    const siblings = () => {
      const p = step(found, parents);
      return new Set([...p, ...step(p, children)]);
    };
    const sets: Record<string, () => Iterable<string>> = {
      none: () => [],
      children: () => step(found, children),
      descendants: () => closure(found, children),
      parents: () => step(found, parents),
      ancestors: () => closure(found, parents),
      parentsandsiblings: siblings,
      all: () => [...siblings(), ...closure(found, children)],
    };
    const keys =
      sets[r]?.() ?? [...closure(found, children), ...closure(found, parents)].filter((k) => k.startsWith(`${r}:`));
    for (const k of keys) if (!shown.has(k)) added.add(k);
  }
  for (const k of added) shown.set(k, nodes.get(k)!.artefact);
  const data: Record<string, unknown[]> = {};
  for (const [type, part] of Object.entries(ARTEFACTS) as [ArtefactType, string][]) {
    const list = [...nodes.keys()].filter((k) => k.startsWith(`${type}:`) && shown.has(k)).map((k) => shown.get(k)!);
    if (list.length) data[part] = list;
  }
  return data;
}
