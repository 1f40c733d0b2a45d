// SDMX REST 2.0 (CONTRACT §10) through HTTP: the structure message, data in SDMX-JSON 2.0.0 and SDMX-CSV 2.0.0, key
// wildcards and alternatives, c[TIME_PERIOD], updatedAfter, errors, ETags. Every SDMX-JSON message is validated
// against the official schemas.
import { parse } from 'csv-parse/sync';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { data, startHub, type Hub } from '../support/hub.js';
import { sdmxBodylessPost } from '../../src/portals/portals.http.js';
import { bearer, expectValid, get, portalScenario, SECRET_VALUES } from './support.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
  await portalScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const FLOW = '/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0';
const STRUCTURE = '/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0?references=all';

interface Dim {
  id: string;
  keyPosition: number;
  values: { id?: string; value?: string }[];
}
interface DataMessage {
  data: {
    structures: {
      dimensions: { series: Dim[]; observation: Dim[] };
      attributes: { observation: { id: string; values: { id?: string; value?: string }[] }[] };
    }[];
    dataSets: { series: Record<string, { observations: Record<string, (number | null)[]> }> }[];
  };
}

/** The message's observations decoded: "A.756.IMM_STOCK._T…" → { year: value, attributes }. */
function decode(message: DataMessage) {
  const structure = message.data.structures[0]!;
  const series = structure.dimensions.series;
  const time = structure.dimensions.observation[0]!;
  const attributes = structure.attributes.observation;
  const out: Record<string, { value: number | null; attributes: Record<string, string | undefined> }> = {};
  for (const [key, s] of Object.entries(message.data.dataSets[0]!.series)) {
    const codes = key.split(':').map((n, i) => series[i]!.values[Number(n)]!.id);
    for (const [t, [value, ...attrs]] of Object.entries(s.observations)) {
      const year = time.values[Number(t)]!.value;
      out[`${codes.join('.')}@${year}`] = {
        value: value ?? null,
        attributes: Object.fromEntries(
          attributes.map((a, i) => {
            const v = attrs[i] == null ? undefined : a.values[attrs[i]!];
            return [a.id, v?.id ?? v?.value];
          }),
        ),
      };
    }
  }
  return out;
}

async function dataMessage(path: string, headers: Record<string, string> = {}): Promise<DataMessage> {
  const res = await get(hub, path, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.sdmx.data+json;version=2.0.0');
  const body = (await res.json()) as DataMessage;
  expectValid('data', body);
  return body;
}

/**
 * The SDMX-JSON error message of a refused request, validated against the official schema of the message type its
 * path answers: structure messages on structure and availability paths, data messages elsewhere.
 */
async function sdmxError(res: Response, path: string) {
  const kind = /^\/sdmx\/v2\/(structure|availability)\//.test(path) ? 'structure' : 'data';
  expect([path, res.headers.get('content-type')]).toEqual([path, `application/vnd.sdmx.${kind}+json;version=2.0.0`]);
  const body = await res.json();
  expectValid(kind, body);
  expect(body.meta.schema).toMatch(new RegExp(`/sdmx-json-${kind}-schema\\.json$`));
  return body;
}

/** A refused request's status and SDMX error (code and detail), the message validated against the official schema. */
async function refusal(path: string) {
  const res = await get(hub, path);
  const body = await sdmxError(res, path);
  return { status: res.status, code: body.errors[0].code, detail: body.errors[0].detail as string };
}

test('the structure message has the dataflow, the data structure in contract order and every code list', async () => {
  const res = await get(hub, STRUCTURE);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.sdmx.structure+json;version=2.0.0');
  const message = await res.json();
  expectValid('structure', message);
  const { dataflows, dataStructures, codelists, conceptSchemes } = message.data;
  expect(dataflows[0]).toMatchObject({
    id: 'DF_MIGRATION',
    agencyID: 'MIGSTAT',
    version: '1.0',
    structure: 'urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=MIGSTAT:DSD_MIGRATION(1.0)',
  });
  const components = dataStructures[0].dataStructureComponents;
  const dimensionIds: string[] = components.dimensionList.dimensions.map((d: { id: string }) => d.id);
  // The variables some indicator is disaggregated by, in catalogue order.
  const used = await hub.db.prisma.variable.findMany({
    where: { indicators: { some: {} } },
    orderBy: { id: 'asc' },
    select: { code: true },
  });
  expect(dimensionIds).toEqual(['FREQ', 'REF_AREA', 'INDICATOR', ...used.map((v) => v.code)]);
  expect(dimensionIds.slice(3, 5)).toEqual(['SEX', 'AGE']);
  expect(components.dimensionList.timeDimension.id).toBe('TIME_PERIOD');
  expect(components.measureList.measures.map((m: { id: string }) => m.id)).toEqual(['OBS_VALUE']);
  expect(components.attributeList.attributes.map((a: { id: string }) => a.id)).toEqual([
    'UNIT_MEASURE',
    'SOURCE_TYPE',
    'DATA_SOURCE',
    'RES_CRITERION',
    'LAST_UPDATE',
  ]);
  const codes = (id: string) =>
    codelists.find((c: { id: string }) => c.id === id).codes.map((c: { id: string }) => c.id) as string[];
  expect(codes('CL_SEX')).toEqual(['F', 'M', '_T', '_Z']);
  expect(codes('CL_AREA')).toHaveLength(248);
  expect(codes('CL_AREA')).toContain('756');
  expect(codes('CL_COUNTRY_OF_BIRTH')).toEqual([...codes('CL_AREA'), '_T', '_Z']);
  expect(codes('CL_INDICATOR')).toContain('IMM_STOCK');
  // Every dimension and attribute names a concept of the scheme and (when coded) a code list in the message.
  const concepts = new Set(conceptSchemes[0].concepts.map((c: { id: string }) => c.id));
  for (const id of [...dimensionIds, 'TIME_PERIOD', 'OBS_VALUE', 'UNIT_MEASURE', 'LAST_UPDATE']) {
    expect(concepts.has(id)).toBe(true);
  }
  for (const d of components.dimensionList.dimensions) {
    const id = /Codelist=MIGSTAT:(\w+)\(1\.0\)$/.exec(d.localRepresentation.enumeration)![1];
    expect(codelists.some((c: { id: string }) => c.id === id)).toBe(true);
  }
});

test('the data structure, concept scheme and code lists are served on their own structure paths', async () => {
  const artefact = async (path: string) => {
    const res = await get(hub, `/sdmx/v2/structure/${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-type')).toBe('application/vnd.sdmx.structure+json;version=2.0.0');
    const message = await res.json();
    expectValid('structure', message);
    return message.data;
  };
  const full = (await (await get(hub, STRUCTURE)).json()).data;
  expect(await artefact('datastructure/MIGSTAT/DSD_MIGRATION/1.0')).toEqual({ dataStructures: full.dataStructures });
  expect(await artefact('conceptscheme/MIGSTAT/CS_MIGRATION/1.0')).toEqual({ conceptSchemes: full.conceptSchemes });
  const area = await artefact('codelist/MIGSTAT/CL_AREA/1.0');
  expect(area.codelists.map((c: { id: string }) => c.id)).toEqual(['CL_AREA']);
  expect(area.codelists[0].codes).toEqual(expect.arrayContaining([expect.objectContaining({ id: '756' })]));
  expect(await artefact('codelist/MIGSTAT/*/latest')).toEqual({ codelists: full.codelists });
  for (const [path, status] of [
    ['codelist/MIGSTAT/CL_NOPE/1.0', 404],
    ['datastructure/OECD/DSD_MIGRATION/1.0', 404],
    ['datastructure/MIGSTAT/DSD_MIGRATION/2.0', 404],
    ['datastructure/MIGSTAT/DSD_MIGRATION/1.0?references=agencyscheme', 501],
    ['datastructure/MIGSTAT/DSD_MIGRATION/1.0?bogus=1', 400],
    ['metadatastructure/MIGSTAT/MSD/1.0', 404],
  ] as const) {
    const res = await get(hub, `/sdmx/v2/structure/${path}`);
    expect([path, res.status]).toEqual([path, status]);
    await sdmxError(res, `/sdmx/v2/structure/${path}`);
  }
  const xml = await get(hub, '/sdmx/v2/structure/codelist/MIGSTAT/CL_AREA/1.0', {
    accept: 'application/vnd.sdmx.structure+xml',
  });
  expect(xml.status).toBe(406);
});

test('structure queries resolve references as SDMX REST 2.0 defines them, and take lists and wildcards', async () => {
  /** The ids of the artefacts of each part of the message. */
  const ids = async (path: string) => {
    const res = await get(hub, `/sdmx/v2/structure/${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    const message = await res.json();
    expectValid('structure', message);
    return Object.fromEntries(
      Object.entries(message.data as Record<string, { id: string }[]>).map(([part, list]) => [
        part,
        list.map((a) => a.id),
      ]),
    );
  };
  const full = await ids('dataflow/MIGSTAT/DF_MIGRATION/1.0?references=all');
  const { dataflows, dataStructures, conceptSchemes, codelists } = full;
  expect(full).toEqual({
    dataflows: ['DF_MIGRATION'],
    dataStructures: ['DSD_MIGRATION'],
    conceptSchemes: ['CS_MIGRATION'],
    codelists: expect.arrayContaining(['CL_FREQ', 'CL_AREA', 'CL_SEX', 'CL_SOURCE_TYPE']),
  });
  const flow = 'dataflow/MIGSTAT/DF_MIGRATION/1.0';
  const dsd = 'datastructure/MIGSTAT/DSD_MIGRATION/1.0';
  const sex = 'codelist/MIGSTAT/CL_SEX/1.0';
  for (const [path, expected] of [
    // The dataflow references the data structure, which references the concept scheme and the code lists.
    [flow, { dataflows }],
    [`${flow}?references=none`, { dataflows }],
    [`${flow}?references=children`, { dataflows, dataStructures }],
    [`${flow}?references=datastructure`, { dataflows, dataStructures }],
    [`${flow}?references=descendants`, full],
    [`${flow}?references=codelist`, { dataflows, codelists }],
    [`${flow}?references=conceptscheme,datastructure`, { dataflows, dataStructures, conceptSchemes }],
    [`${flow}?references=parents`, { dataflows }],
    [`${flow}?references=dataconstraint`, { dataflows }],
    [`${dsd}?references=parents`, { dataflows, dataStructures }],
    [`${dsd}?references=children`, { dataStructures, conceptSchemes, codelists }],
    [`${dsd}?references=all`, full],
    [`${sex}?references=children`, { codelists: ['CL_SEX'] }],
    [`${sex}?references=parents`, { dataStructures, codelists: ['CL_SEX'] }],
    [`${sex}?references=parentsandsiblings`, { dataStructures, conceptSchemes, codelists }],
    [`${sex}?references=ancestors`, { dataflows, dataStructures, codelists: ['CL_SEX'] }],
    [`${sex}?references=dataflow`, { dataflows, codelists: ['CL_SEX'] }],
    // Lists (",") and wildcards ("*") in every part of the path, the structure type included.
    ['codelist/MIGSTAT/CL_AREA,CL_SEX/1.0', { codelists: ['CL_AREA', 'CL_SEX'] }],
    ['codelist/OECD,MIGSTAT/CL_SEX,CL_NOPE/2.0,1.0', { codelists: ['CL_SEX'] }],
    ['*/MIGSTAT/*/*', full],
    ['*', full],
    ['*/*/CL_SEX,DSD_MIGRATION', { dataStructures, codelists: ['CL_SEX'] }],
    ['dataflow', { dataflows }],
    ['dataflow/*/*/latest', { dataflows }],
  ] as const) {
    expect([path, await ids(path)]).toEqual([path, expected]);
  }
  // An item query: the scheme with the items asked for, marked partial.
  const items = await (await get(hub, `/sdmx/v2/structure/${sex}/F,M`)).json();
  expectValid('structure', items);
  expect(items.data.codelists).toMatchObject([{ id: 'CL_SEX', isPartial: true, codes: [{ id: 'F' }, { id: 'M' }] }]);
  const concepts = await (await get(hub, '/sdmx/v2/structure/conceptscheme/MIGSTAT/CS_MIGRATION/1.0/SEX')).json();
  expect(concepts.data.conceptSchemes[0].concepts.map((c: { id: string }) => c.id)).toEqual(['SEX']);
  for (const [path, status] of [
    [`${sex}/Q`, 404],
    ['codelist/MIGSTAT/CL_NOPE,CL_NADA/1.0', 404],
    ['*/OECD/*/*', 404],
    ['metadatastructure/MIGSTAT/*/*', 404],
    ['nonsense/MIGSTAT/*/*', 404],
    [`${flow}/X`, 400],
    [`${flow}?references=bogus`, 400],
    [`${flow}?references=agencyscheme`, 501],
  ] as const) {
    const res = await get(hub, `/sdmx/v2/structure/${path}`);
    expect([path, res.status]).toEqual([path, status]);
    await sdmxError(res, `/sdmx/v2/structure/${path}`);
  }
});

test('a catalogue edit shows in the structure at once, with a new ETag', async () => {
  const first = await get(hub, STRUCTURE);
  const etag = first.headers.get('etag')!;
  expect(etag).toMatch(/^W\/".+"$/);
  expect((await get(hub, STRUCTURE, { 'if-none-match': etag })).status).toBe(304);

  const sex = await hub.db.prisma.variable.findUniqueOrThrow({ where: { code: 'SEX' } });
  await hub.db.prisma.variableCode.create({ data: { variableId: sex.id, code: 'X', label: 'Other', position: 9 } });
  try {
    const edited = await get(hub, STRUCTURE, { 'if-none-match': etag });
    expect(edited.status).toBe(200);
    expect(edited.headers.get('etag')).not.toBe(etag);
    const message = await edited.json();
    expectValid('structure', message);
    const sexCodes = message.data.codelists.find((c: { id: string }) => c.id === 'CL_SEX').codes;
    expect(sexCodes.map((c: { id: string }) => c.id)).toEqual(['F', 'M', '_T', 'X', '_Z']);
  } finally {
    await hub.db.prisma.variableCode.deleteMany({ where: { variableId: sex.id, code: 'X' } });
  }
});

test('anonymous data: the published countable values with their attributes, nothing validated-only', async () => {
  const res = await get(hub, `${FLOW}/A.756,250,276,380.IMM_STOCK.*`);
  const text = await res.clone().text();
  for (const secret of SECRET_VALUES) expect(text).not.toContain(`[${secret},`);
  const message = (await res.json()) as DataMessage;
  expectValid('data', message);
  const obs = decode(message);
  const tail = (n: number) => Array(n).fill('_Z');
  const series = message.data.structures[0]!.dimensions.series.map((d) => d.id);
  const key = (area: string, sex: string, age: string) => {
    const codes: Record<string, string> = { SEX: sex, AGE: age, COUNTRY_OF_BIRTH: '_T', COUNTRY_OF_CITIZENSHIP: '_T' };
    return ['A', area, 'IMM_STOCK', ...series.slice(3).map((id) => codes[id] ?? '_Z')].join('.');
  };
  expect(tail(0)).toEqual([]);
  expect(Object.fromEntries(Object.entries(obs).map(([k, o]) => [k, o.value]))).toEqual({
    [`${key('250', '_T', '_T')}@2020`]: 200,
    [`${key('756', 'F', '_T')}@2020`]: 60,
    [`${key('756', 'M', '_T')}@2020`]: 40,
    [`${key('756', '_T', 'Y15T24')}@2020`]: 10,
    [`${key('756', '_T', '_T')}@2010`]: 80,
    [`${key('756', '_T', '_T')}@2020`]: 100,
  });
  expect(obs[`${key('250', '_T', '_T')}@2020`]!.attributes).toMatchObject({
    UNIT_MEASURE: 'PERSONS',
    SOURCE_TYPE: 'POP_REGISTER',
    RES_CRITERION: 'OPTION_II',
  });
  expect(obs[`${key('250', '_T', '_T')}@2020`]!.attributes.LAST_UPDATE).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('an admin reads the validated versions through the same URL', async () => {
  const message = await dataMessage(`${FLOW}/A.756,250,276.IMM_STOCK.*`, bearer(await hub.token('ADMIN')));
  const totals = Object.entries(decode(message))
    .filter(([k]) => /^A\.\d+\.IMM_STOCK\._T\._T\./.test(k))
    .map(([k, o]) => [k.split('.')[1], k.split('@')[1], o.value]);
  expect(totals.sort()).toEqual([
    ['250', '2020', 999],
    ['276', '2020', 555],
    ['756', '2010', 80],
    ['756', '2020', 101],
  ]);
});

test('wildcards, c[TIME_PERIOD] and updatedAfter narrow the data', async () => {
  const all = decode(await dataMessage(`${FLOW}/*`));
  expect(Object.keys(all)).toHaveLength(6);
  const ranged = decode(await dataMessage(`${FLOW}/*?c[TIME_PERIOD]=ge:2015+le:2020`));
  expect(Object.keys(ranged).sort()).toEqual(
    Object.keys(all)
      .filter((k) => k.endsWith('@2020'))
      .sort(),
  );
  const encoded = decode(await dataMessage(`${FLOW}/A.756..${'.'.repeat(0)}*?c%5BTIME_PERIOD%5D=lt%3A2015`));
  expect(Object.values(encoded).map((o) => o.value)).toEqual([80]);
  const alternatives = decode(await dataMessage(`${FLOW}/*?c[TIME_PERIOD]=2010,2020`));
  expect(Object.keys(alternatives)).toHaveLength(6);
  const female = decode(await dataMessage(`${FLOW}/A.*.IMM_STOCK.F.*`));
  expect(Object.values(female).map((o) => o.value)).toEqual([60]);

  expect(Object.keys(decode(await dataMessage(`${FLOW}/*?updatedAfter=2000-01-01T00:00:00Z`)))).toHaveLength(6);
  // Nothing changed since: an empty result, 204 without a body.
  const future = await get(hub, `${FLOW}/*?updatedAfter=2999-01-01T00:00:00Z`);
  expect([future.status, await future.text()]).toEqual([204, '']);
});

test('c[TIME_PERIOD] takes every SDMX standard time period, compared with the annual periods by their calendar spans', async () => {
  // CHE has 2010 and 2020. A period "ge" another starts at or after its start, "le" ends at or before its end, "gt"
  // starts after its end, "lt" ends before its start; "eq" is the same span (2020-A1 is the calendar year 2020).
  const years = async (filter: string) => {
    const res = await get(hub, `${FLOW}/A.756.IMM_STOCK.*?format=sdmx-csv&c[TIME_PERIOD]=${filter}`);
    if (res.status === 204) return [];
    expect([filter, res.status]).toEqual([filter, 200]);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    return [...new Set(rows.map((r) => Number(r.TIME_PERIOD)))].sort();
  };
  for (const [filter, expected] of [
    ['ge:2015-01-01', [2020]],
    ['ge:2010-01-01', [2010, 2020]],
    ['ge:2010-01-02', [2020]],
    ['2020-A1', [2020]],
    ['eq:2010-A1,2020-A1', [2010, 2020]],
    ['ne:2020-A1', [2010]],
    ['ge:2015-01', [2020]],
    ['ge:2010-01', [2010, 2020]],
    ['ge:2010-02', [2020]],
    ['ge:2010-01+le:2020-12', [2010, 2020]],
    ['le:2020-12-31', [2010, 2020]],
    ['le:2020-12-30', [2010]],
    ['le:2020-Q4', [2010, 2020]],
    ['le:2020-Q3', [2010]],
    ['ge:2010-S1+le:2010-S2', [2010]],
    ['ge:2010-T2', [2020]],
    ['lt:2020-M01', [2010]],
    ['gt:2010-06', [2020]],
    ['gt:2009-12-31', [2010, 2020]],
    ['ge:2009-W53', [2010, 2020]], // 2009-12-28 to 2010-01-03
    ['gt:2009-W53', [2020]],
    ['ge:2010-D001', [2010, 2020]],
    ['ge:2010-01-01T00:00:00Z', [2010, 2020]],
    ['ge:2010-01-01T00:00:01', [2020]],
    ['le:2020-12-31T23:59:59Z', [2010, 2020]],
    ['le:2020-12-31T23:59:58Z', [2010]],
    // No annual period is a month or a day: an empty answer (204), not an error.
    ['2020-01', []],
    ['2010-D001', []],
    ['ge:2020-07+le:2020-09', []],
  ] as const) {
    expect([filter, await years(filter)]).toEqual([filter, expected]);
  }
  // Malformed periods, and periods that do not exist, are 400s naming the value.
  for (const bad of [
    'ge:2015-13',
    '2015-Q5',
    '2021-W53',
    '2023-D366',
    '2023-02-30',
    '2015-01-01/P1Y',
    '15',
    'ge:2015-01-01T25:00:00',
    'ge:2015-A2',
    'co:2015',
  ]) {
    const res = await get(hub, `${FLOW}/A.756.IMM_STOCK.*?c[TIME_PERIOD]=${bad}`);
    expect([bad, res.status]).toEqual([bad, 400]);
    const body = await res.json();
    expectValid('data', body);
    expect(body.errors[0].detail).toMatch(/^c\[TIME_PERIOD\]: "/);
  }
});

test('SDMX-CSV 2.0.0 by Accept or ?format, with the same observations', async () => {
  const byAccept = await get(hub, `${FLOW}/A.756.IMM_STOCK.*`, {
    accept: 'application/vnd.sdmx.data+csv;version=2.0.0',
  });
  expect(byAccept.status).toBe(200);
  expect(byAccept.headers.get('content-type')).toBe('application/vnd.sdmx.data+csv;version=2.0.0');
  const text = await byAccept.text();
  const byFormat = await (await get(hub, `${FLOW}/A.756.IMM_STOCK.*?format=sdmx-csv`)).text();
  expect(byFormat).toBe(text);
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  expect(Object.keys(rows[0]!).slice(0, 6)).toEqual([
    'STRUCTURE',
    'STRUCTURE_ID',
    'ACTION',
    'FREQ',
    'REF_AREA',
    'INDICATOR',
  ]);
  expect(Object.keys(rows[0]!).slice(-7)).toEqual([
    'TIME_PERIOD',
    'OBS_VALUE',
    'UNIT_MEASURE',
    'SOURCE_TYPE',
    'DATA_SOURCE',
    'RES_CRITERION',
    'LAST_UPDATE',
  ]);
  expect(rows).toHaveLength(5);
  expect(rows.every((r) => r.STRUCTURE === 'dataflow' && r.STRUCTURE_ID === 'MIGSTAT:DF_MIGRATION(1.0)')).toBe(true);
  const total2020 = rows.find((r) => r.TIME_PERIOD === '2020' && r.SEX === '_T' && r.AGE === '_T')!;
  expect(total2020).toMatchObject({ OBS_VALUE: '100', REF_AREA: '756', MIGRANT_GROUP: '_Z', SOURCE_TYPE: 'CENSUS' });
  for (const secret of SECRET_VALUES) expect(rows.some((r) => r.OBS_VALUE === secret)).toBe(false);
});

test('SDMX-CSV 2.0.0 options in the media type: labels (id, name, both) and keys (none, obs, series, both)', async () => {
  const csv = 'application/vnd.sdmx.data+csv;version=2.0.0';
  const path = `${FLOW}/A.756.IMM_STOCK.F.*?c[TIME_PERIOD]=2020`; // one observation: CHE, women, 2020, 60
  const table = async (accept: string, query = '') => {
    const res = await get(hub, `${path}${query}`, { accept });
    expect([accept, res.status]).toEqual([accept, 200]);
    return { type: res.headers.get('content-type'), rows: parse(await res.text()) as string[][] };
  };
  // The names, from the structure message.
  const structure = (await (await get(hub, STRUCTURE)).json()).data;
  const codeName = (list: string, id: string): string =>
    structure.codelists.find((c: { id: string }) => c.id === list).codes.find((c: { id: string }) => c.id === id).name;
  const dimensions = structure.dataStructures[0].dataStructureComponents.dimensionList.dimensions.map(
    (d: { id: string }) => d.id,
  ) as string[];
  const conceptName = (id: string): string =>
    structure.conceptSchemes[0].concepts.find((c: { id: string }) => c.id === id).name;

  const plain = await table(csv);
  expect(plain.type).toBe(csv);
  const [header, row] = plain.rows as [string[], string[]];
  const at = (id: string) => row[header.indexOf(id)]!;
  expect([at('REF_AREA'), at('SEX'), at('TIME_PERIOD'), at('OBS_VALUE'), at('SOURCE_TYPE')]).toEqual([
    '756',
    'F',
    '2020',
    '60',
    'CENSUS',
  ]);
  const key = dimensions.map(at);

  // labels=both: "id: name" for the dataflow, the components and the codes; uncoded values as they are.
  const both = await table(`${csv};labels=both`);
  expect(both.type).toBe(`${csv};labels=both`);
  const bothCells = Object.fromEntries(both.rows[0]!.map((h, i) => [h.split(': ')[0], [h, both.rows[1]![i]]]));
  expect(bothCells.STRUCTURE_ID).toEqual([
    'STRUCTURE_ID',
    'MIGSTAT:DF_MIGRATION(1.0): International migration statistics',
  ]);
  expect(bothCells.REF_AREA).toEqual([`REF_AREA: ${conceptName('REF_AREA')}`, `756: ${codeName('CL_AREA', '756')}`]);
  expect(bothCells.SEX).toEqual([`SEX: ${conceptName('SEX')}`, `F: ${codeName('CL_SEX', 'F')}`]);
  expect(bothCells.TIME_PERIOD).toEqual(['TIME_PERIOD: Time period', '2020']);
  expect(bothCells.OBS_VALUE).toEqual(['OBS_VALUE: Observation value', '60']);
  expect(bothCells.SOURCE_TYPE).toEqual([
    `SOURCE_TYPE: ${conceptName('SOURCE_TYPE')}`,
    `CENSUS: ${codeName('CL_SOURCE_TYPE', 'CENSUS')}`,
  ]);
  expect(both.rows[0]).toHaveLength(header.length);

  // labels=name: a name column right after each id column (STRUCTURE_NAME after STRUCTURE_ID), empty for values
  // without a name.
  const named = await table(`${csv};labels=name`);
  const [nameHeader, nameRow] = named.rows as [string[], string[]];
  expect(nameHeader.slice(0, 6)).toEqual([
    'STRUCTURE',
    'STRUCTURE_ID',
    'STRUCTURE_NAME',
    'ACTION',
    'FREQ',
    'Frequency',
  ]);
  expect(nameRow.slice(0, 6)).toEqual([
    'dataflow',
    'MIGSTAT:DF_MIGRATION(1.0)',
    'International migration statistics',
    'I',
    'A',
    'Annual',
  ]);
  const after = (id: string) => {
    const i = nameHeader.indexOf(id);
    return [nameHeader[i + 1], nameRow[i], nameRow[i + 1]];
  };
  expect(after('SEX')).toEqual([conceptName('SEX'), 'F', codeName('CL_SEX', 'F')]);
  expect(after('TIME_PERIOD')).toEqual(['Time period', '2020', '']);
  expect(after('OBS_VALUE')).toEqual(['Observation value', '60', '']);
  expect(nameHeader).toHaveLength(header.length * 2 - 2); // every column but STRUCTURE and ACTION doubled

  // keys: SERIES_KEY and/or OBS_KEY after ACTION.
  for (const [keys, columns] of [
    ['series', { SERIES_KEY: key.join('.') }],
    ['obs', { OBS_KEY: `${key.join('.')}.2020` }],
    ['both', { SERIES_KEY: key.join('.'), OBS_KEY: `${key.join('.')}.2020` }],
    ['none', {}],
  ] as const) {
    const keyed = await table(`${csv};keys=${keys}`);
    const names = Object.keys(columns);
    expect([keys, keyed.rows[0]!.slice(0, 3 + names.length)]).toEqual([
      keys,
      ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', ...names],
    ]);
    expect(keyed.rows[1]!.slice(3, 3 + names.length)).toEqual(Object.values(columns));
  }
  // Together, with ?format=sdmx-csv, and with timeFormat=original (the default, served).
  const combined = await table(`${csv}; labels=both; keys=series; timeFormat=original`, '&format=sdmx-csv');
  expect(combined.type).toBe(`${csv};labels=both;keys=series`);
  expect(combined.rows[0]!.slice(0, 5)).toEqual([
    'STRUCTURE',
    'STRUCTURE_ID',
    'ACTION',
    'SERIES_KEY',
    'FREQ: Frequency',
  ]);
  expect((await table('text/csv; charset=utf-8')).rows).toEqual(plain.rows);

  // Options not served are refused with a 406 naming them, never ignored.
  for (const [accept, named] of [
    [`${csv};labels=fancy`, 'labels=fancy'],
    [`${csv};keys=all`, 'keys=all'],
    [`${csv};timeFormat=normalized`, 'timeformat=normalized'],
    [`${csv};file=true`, 'file=true'],
    [`${csv};labels=both;file=true`, 'file=true'],
  ] as const) {
    for (const query of ['', '&format=sdmx-csv']) {
      const res = await get(hub, `${path}${query}`, { accept });
      expect([accept, query, res.status]).toEqual([accept, query, 406]);
      const body = await sdmxError(res, path);
      expect(body.errors[0].detail).toContain(named);
    }
  }
  // Another range the client accepts is still chosen.
  const fallback = await get(hub, path, { accept: `${csv};file=true, application/json;q=0.5` });
  expect([fallback.status, fallback.headers.get('content-type')]).toEqual([
    200,
    'application/vnd.sdmx.data+json;version=2.0.0',
  ]);
});

test('Accept is negotiated by quality value and SDMX version; ?format= still wins', async () => {
  const served = async (accept: string, path = `${FLOW}/A.756.IMM_STOCK.*`) => {
    const res = await get(hub, path, { accept });
    return [accept, res.status, res.headers.get('content-type')];
  };
  const json = 'application/vnd.sdmx.data+json;version=2.0.0';
  const csv = 'application/vnd.sdmx.data+csv;version=2.0.0';
  for (const [accept, status, type] of [
    [`${csv};q=0.5, ${json};q=1`, 200, json],
    ['text/csv;q=0.1, application/json', 200, json],
    [`${json};q=0.2, text/csv`, 200, csv],
    ['application/vnd.sdmx.data+csv', 200, csv],
    ['*/*', 200, json],
    ['text/*', 200, csv],
    ['application/vnd.sdmx.data+json;version=1.0.0', 406, json],
    ['application/vnd.sdmx.data+csv;version=1.0.0, application/xml', 406, json],
    ['application/json;q=0', 406, json],
  ] as const) {
    expect(await served(accept)).toEqual([accept, status, type]);
  }
  const refused = await get(hub, `${FLOW}/A.756.IMM_STOCK.*`, {
    accept: 'application/vnd.sdmx.data+json;version=1.0.0',
  });
  const body = await refused.json();
  expectValid('data', body);
  expect(body.errors[0]).toMatchObject({ code: 406, title: 'Not Acceptable' });
  expect(body.errors[0].detail).toMatch(/version=1\.0\.0.*accepts none of/);
  // ?format= overrides Accept.
  expect(await served(`${json};version=1.0.0`, `${FLOW}/A.756.IMM_STOCK.*?format=sdmx-csv`)).toEqual([
    `${json};version=1.0.0`,
    200,
    csv,
  ]);
  // The structure endpoint negotiates too.
  const structure = 'application/vnd.sdmx.structure+json;version=2.0.0';
  for (const [accept, status] of [
    ['application/vnd.sdmx.structure+xml', 406],
    ['application/vnd.sdmx.structure+json;version=1.0.0', 406],
    [structure, 200],
    ['application/vnd.sdmx.structure+xml;q=1, application/json;q=0.5', 200],
    ['*/*', 200],
  ] as const) {
    expect((await served(accept, STRUCTURE)).slice(0, 2)).toEqual([accept, status]);
  }
});

test("Accept's quoted parameter values are read whole, commas included (RFC 9110 quoted-string)", async () => {
  const path = `${FLOW}/A.756.IMM_STOCK.*`;
  const csv = 'application/vnd.sdmx.data+csv;version="2.0.0";labels="both"';
  const quoted = await get(hub, path, { accept: `${csv};q=0.5, application/json;q=0.1` });
  expect([quoted.status, quoted.headers.get('content-type')]).toEqual([
    200,
    'application/vnd.sdmx.data+csv;version=2.0.0;labels=both',
  ]);
  // One range whose note (not a parameter of any offer) holds a comma-separated list: nothing is acceptable.
  const accept = 'text/csv;note="a, application/json, b"';
  const res = await get(hub, path, { accept });
  expect(res.status).toBe(406);
  expect((await sdmxError(res, path)).errors[0].detail).toContain('note=a, application/json, b (in "text/csv;note=');
});

test('unknown codes and dataflows are 404s with an SDMX error message, bad syntax a 400', async () => {
  for (const path of [
    `${FLOW}/A.999.IMM_STOCK.*`,
    `${FLOW}/A.756.NOPE.*`,
    `${FLOW}/A.756.IMM_STOCK.Q.*`,
    '/sdmx/v2/data/dataflow/MIGSTAT/DF_OTHER/1.0/*',
    '/sdmx/v2/structure/dataflow/OECD/DF_MIGRATION/1.0',
  ]) {
    const res = await get(hub, path);
    expect([path, res.status]).toEqual([path, 404]);
    const body = await sdmxError(res, path);
    expect(body.errors[0]).toMatchObject({ code: 100, title: 'No Results Found' });
  }
  const unknown = await (await get(hub, `${FLOW}/A.999.IMM_STOCK.*`)).json();
  expect(unknown.errors[0].detail).toBe('Unknown code(s) "999" for REF_AREA');
  // Valid codes with no visible data are no error (DEU has only a validated version): an empty 204, never an empty 200.
  const hidden = await get(hub, `${FLOW}/A.276.IMM_STOCK.*`);
  expect([hidden.status, await hidden.text()]).toEqual([204, '']);

  const short = await get(hub, `${FLOW}/A.756`);
  expect(short.status).toBe(400);
  expect((await short.json()).errors[0].detail).toMatch(
    /^The key has 2 dimension\(s\); DF_MIGRATION has \d+: FREQ\.REF_AREA/,
  );
  const badTime = await get(hub, `${FLOW}/*?c[TIME_PERIOD]=after:2010`);
  expect(badTime.status).toBe(400);
  expect((await badTime.json()).errors[0].detail).toMatch(/^c\[TIME_PERIOD\]: "after:2010"/);
  expect((await get(hub, `${FLOW}/*?updatedAfter=yesterday`)).status).toBe(400);
  expect((await get(hub, `${FLOW}/*?format=xml`)).status).toBe(406);
  const badToken = await get(hub, `${FLOW}/*`, { authorization: 'Bearer nope' });
  expect(badToken.status).toBe(401);
  const refused = await badToken.json();
  expectValid('data', refused);
  expect(refused.errors[0]).toMatchObject({ code: 110, title: 'Unauthorized' });
});

test('a method other than GET and HEAD is a 405 with Allow and an SDMX error message', async () => {
  for (const path of [STRUCTURE, `${FLOW}/*`]) {
    const res = await hub.api.fetch(`http://hub.test${path}`, { method: 'POST', body: '{}' });
    expect([path, res.status, res.headers.get('allow')]).toEqual([path, 405, 'GET, HEAD']);
    const body = await sdmxError(res, path);
    expect(body.errors[0]).toMatchObject({
      code: 405,
      title: 'Method Not Allowed',
      detail: 'POST is not served here: only GET and HEAD',
    });
  }
  const download = await hub.api.fetch('http://hub.test/download/observations.csv', { method: 'DELETE' });
  expect([download.status, download.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  expect(await download.json()).toEqual({ error: 'DELETE is not served here: only GET and HEAD' });
});

test('errors on structure and availability paths are SDMX-JSON structure messages, elsewhere data messages', async () => {
  const avail = '/sdmx/v2/availability/dataflow/MIGSTAT/DF_MIGRATION/1.0';
  for (const [path, status, headers] of [
    ['/sdmx/v2/structure/codelist/MIGSTAT/CL_NOPE/1.0', 404, {}],
    ['/sdmx/v2/structure/datastructure/MIGSTAT/DSD_MIGRATION/1.0?detail=allstubs', 501, {}],
    ['/sdmx/v2/structure/datastructure/MIGSTAT/DSD_MIGRATION/1.0?bogus=1', 400, {}],
    ['/sdmx/v2/structure/codelist/MIGSTAT/CL_AREA/1.0', 406, { accept: 'application/vnd.sdmx.structure+xml' }],
    ['/sdmx/v2/structure/codelist/MIGSTAT/CL_AREA/1.0', 401, { authorization: 'Bearer nope' }],
    [`${avail}/A.999.*`, 404, {}],
    [`${avail}/*?mode=sometimes`, 400, {}],
    [`${FLOW}/A.999.*`, 404, {}],
    ['/sdmx/v2/nothing', 404, {}],
  ] as const) {
    const res = await get(hub, path, headers);
    expect([path, res.status]).toEqual([path, status]);
    await sdmxError(res, path);
  }
  const post = await hub.api.fetch(`http://hub.test${avail}/*`, { method: 'POST', body: '' });
  expect(post.status).toBe(405);
  await sdmxError(post, `${avail}/*`);
  // A POST without Content-Length, which the HTTP server answers before the API: the same 405.
  expect(sdmxBodylessPost('/graphql')).toBeNull();
  for (const path of [`${FLOW}/*`, '/sdmx/v2/structure/dataflow/MIGSTAT/DF_MIGRATION/1.0']) {
    const answer = sdmxBodylessPost(path)!;
    expect([answer.status, answer.headers.allow]).toEqual([405, 'GET, HEAD']);
    const res = new Response(answer.body, { status: answer.status, headers: answer.headers });
    expect((await sdmxError(res, path)).errors[0]).toMatchObject({ code: 405, title: 'Method Not Allowed' });
  }
});

test('component filters on the dimensions, the measure and the attributes (SDMX REST operators, alternatives and conjunctions); first and last N observations', async () => {
  // "<area> <year> <value>" of each observation the query answers (anonymous: the published values of the scenario).
  const found = async (query: string) => {
    const res = await get(hub, `${FLOW}/A.756,250.IMM_STOCK.*?${query}`);
    if (res.status === 204) return [];
    expect(res.status).toBe(200);
    const body = (await res.json()) as DataMessage;
    expectValid('data', body);
    return Object.entries(decode(body))
      .map(([id, o]) => {
        const [key, year] = id.split('@') as [string, string];
        const codes = key.split('.');
        const breakdown = codes.slice(3).filter((c) => c !== '_T' && c !== '_Z');
        return [codes[1], ...breakdown, year, o.value].join(' ');
      })
      .sort();
  };
  const all = ['250 2020 200', '756 2010 80', '756 2020 100', '756 F 2020 60', '756 M 2020 40', '756 Y15T24 2020 10'];
  expect(await found('')).toEqual(all);
  for (const [query, expected] of [
    ['c[OBS_VALUE]=ge:100', ['250 2020 200', '756 2020 100']],
    ['c[OBS_VALUE]=100', ['756 2020 100']],
    ['c[OBS_VALUE]=lt:50,gt:150', ['250 2020 200', '756 M 2020 40', '756 Y15T24 2020 10']],
    ['c[OBS_VALUE]=ge:50+le:150&c[TIME_PERIOD]=2020', ['756 2020 100', '756 F 2020 60']],
    ['c[OBS_VALUE]=ne:100+ne:200', ['756 2010 80', '756 F 2020 60', '756 M 2020 40', '756 Y15T24 2020 10']],
    // The dimensions take the same operators (the key here already names 756 and 250).
    ['c[REF_AREA]=ne:756', ['250 2020 200']],
    ['c[SEX]=ne:_T+ne:_Z', ['756 F 2020 60', '756 M 2020 40']],
    ['c[AGE]=sw:Y', ['756 Y15T24 2020 10']],
    ['c[SOURCE_TYPE]=POP_REGISTER', ['250 2020 200']],
    // The first or last years of each series, after every filter (CHE's total has 2010 and 2020).
    ['lastNObservations=1', ['250 2020 200', '756 2020 100', '756 F 2020 60', '756 M 2020 40', '756 Y15T24 2020 10']],
    ['firstNObservations=1&c[SEX]=_T&c[AGE]=_T', ['250 2020 200', '756 2010 80']],
    ['firstNObservations=1&lastNObservations=1&c[REF_AREA]=756&c[SEX]=_T&c[AGE]=_T', ['756 2010 80', '756 2020 100']],
    ['lastNObservations=1&c[TIME_PERIOD]=le:2015', ['756 2010 80']],
    ['lastNObservations=1&c[OBS_VALUE]=lt:90', ['756 2010 80', '756 F 2020 60', '756 M 2020 40', '756 Y15T24 2020 10']],
    ['c[SOURCE_TYPE]=ne:CENSUS', ['250 2020 200']],
    ['c[RES_CRITERION]=OPTION_II', ['250 2020 200']],
    ['c[UNIT_MEASURE]=co:ERSON', all],
    ['c[UNIT_MEASURE]=sw:X', []],
    // No observation of the scenario names a data source: only the negative operators match a missing attribute.
    ['c[DATA_SOURCE]=nc:X', all],
    ['c[LAST_UPDATE]=ge:2000-01-01T00:00:00Z', all],
    ['c[LAST_UPDATE]=gt:2999-01-01', []],
  ] as const) {
    expect([query, await found(query)]).toEqual([query, expected]);
  }
  // SDMX-CSV applies the same filters.
  const csv = await get(hub, `${FLOW}/A.756,250.IMM_STOCK.*?c[OBS_VALUE]=gt:150&format=sdmx-csv`);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => [r.REF_AREA, r.OBS_VALUE])).toEqual([['250', '200']]);

  for (const [query, status, code, detail] of [
    [
      'c[OBS_VALUE]=co:1',
      400,
      140,
      /^c\[OBS_VALUE\]: "co:1" is not \[op:\]a number with op one of eq, ne, lt, le, gt, ge$/,
    ],
    ['c[OBS_VALUE]=ge:many', 400, 140, /^c\[OBS_VALUE\]: "many" is not a number$/],
    ['c[LAST_UPDATE]=ge:yesterday', 400, 140, /^c\[LAST_UPDATE\]: "yesterday" is not an ISO-8601 date-time \(e\.g\. /],
    ['c[DATA_SOURCE]=sw:', 400, 140, /^c\[DATA_SOURCE\]: "sw:" is not \[op:\]a value with op one of eq, ne, lt/],
    ['c[SOURCE_TYPE]=CENSUSS', 404, 100, /^Unknown code "CENSUSS" for SOURCE_TYPE$/],
    ['c[REF_AREA]=ne:999', 404, 100, /^Unknown code\(s\) "999" for REF_AREA$/],
    ['c[REF_AREA]=xx:756', 400, 140, /^c\[REF_AREA\]: "xx:756" is not \[op:\]code with op one of eq, ne, lt/],
    [
      'c[FOO]=1',
      400,
      150,
      /^c\[FOO\]: FOO is not a component of DSD_MIGRATION; this service filters TIME_PERIOD, FREQ, .*, OBS_VALUE, UNIT_MEASURE, SOURCE_TYPE/,
    ],
    ['c[REF_AREA]=756,', 400, 140, /^c\[REF_AREA\]: "756," has an empty alternative/],
    ['c[OBS_VALUE]=1,', 400, 140, /^c\[OBS_VALUE\]: "1," has an empty alternative/],
    // Dates are ISO-8601, never a lenient guess (Date.parse reads "1" as 2001); no filter is silently dropped.
    ['c[LAST_UPDATE]=ge:1', 400, 140, /^c\[LAST_UPDATE\]: "1" is not an ISO-8601 date-time/],
    ['c[LAST_UPDATE]=ge:2024', 400, 140, /^c\[LAST_UPDATE\]: "2024" is not an ISO-8601 date-time/],
    ['c[LAST_UPDATE]=ge:2026-02-30', 400, 140, /^c\[LAST_UPDATE\]: "2026-02-30" is not an ISO-8601 date-time/],
    ['c[REF-AREA]=756', 400, 140, /^c\[REF-AREA\]: not c\[COMPONENT\]=value/],
    ['c[REF_AREA]', 400, 140, /^c\[REF_AREA\]: not c\[COMPONENT\]=value/],
    ['c[SEX]=F&c[SEX]=M', 400, 140, /^c\[SEX\]: given more than once; join alternatives with ","/],
    ['c[OBS_VALUE]=%E0', 400, 140, /^"%E0" has a malformed percent-escape$/],
    ['lastNObservations=1&lastNObservations=5', 400, 140, /^lastNObservations: given more than once$/],
  ] as const) {
    expect([query, await refusal(`${FLOW}/*?${query}`)]).toEqual([
      query,
      { status, code, detail: expect.stringMatching(detail) },
    ]);
  }
  expect(await refusal(`${FLOW}/A.756.IMM_STOCK,.*`)).toEqual({
    status: 400,
    code: 140,
    detail: 'The key\'s INDICATOR part "IMM_STOCK," has an empty alternative',
  });
  // A dimension filter still narrows the data.
  expect(Object.keys(decode(await dataMessage(`${FLOW}/*?c[REF_AREA]=756`))).every((k) => k.startsWith('A.756.'))).toBe(
    true,
  );
});

test('dimensionAtObservation=AllDimensions: the same observations as a flat table, keyed by every dimension', async () => {
  const path = `${FLOW}/A.756,250.IMM_STOCK.*`;
  const series = decode(await dataMessage(path));
  const message = (await dataMessage(`${path}?dimensionAtObservation=AllDimensions`)) as unknown as {
    data: {
      structures: { dimensions: { series: Dim[]; observation: Dim[] } }[];
      dataSets: { series?: unknown; observations: Record<string, (number | null)[]> }[];
    };
  };
  const { dimensions } = message.data.structures[0]!;
  expect(dimensions.series).toEqual([]);
  expect(dimensions.observation.map((d) => d.keyPosition)).toEqual(dimensions.observation.map((_, i) => i));
  expect(dimensions.observation.at(-1)!.id).toBe('TIME_PERIOD');
  const [dataSet] = message.data.dataSets;
  expect(dataSet!.series).toBeUndefined();
  const flat = Object.fromEntries(
    Object.entries(dataSet!.observations).map(([key, [value]]) => {
      const codes = key.split(':').map((n, i) => {
        const v = dimensions.observation[i]!.values[Number(n)]!;
        return v.id ?? v.value;
      });
      return [`${codes.slice(0, -1).join('.')}@${codes.at(-1)}`, value];
    }),
  );
  expect(flat).toEqual(Object.fromEntries(Object.entries(series).map(([k, o]) => [k, o.value])));
  expect(Object.keys(flat)).toHaveLength(6);
  // SDMX-CSV: no dimension is at series level, so SERIES_KEY is empty and OBS_KEY holds the whole key.
  const res = await get(hub, `${path}?dimensionAtObservation=AllDimensions&format=sdmx-csv`, {
    accept: 'application/vnd.sdmx.data+csv;version=2.0.0;keys=both',
  });
  const [header, ...rows] = parse(await res.text()) as string[][];
  expect(header!.slice(3, 5)).toEqual(['SERIES_KEY', 'OBS_KEY']);
  expect(rows.map((r) => r[3])).toEqual(rows.map(() => ''));
  expect(rows.map((r) => r[4]!.replace(/\.(\d{4})$/, '@$1')).sort()).toEqual(Object.keys(flat).sort());
});

test('attributes and measures choose what each observation shows: series keys only, or some attributes', async () => {
  const path = `${FLOW}/A.756,250.IMM_STOCK.*`;
  const all = decode(await dataMessage(path));
  // Neither shown: the series keys alone, without observations (SDMX REST 1.x's detail=serieskeysonly).
  const keysOnly = await dataMessage(`${path}?attributes=none&measures=none`);
  const structure = keysOnly.data.structures[0]! as unknown as {
    measures: { observation: unknown[] };
    attributes: { observation: unknown[] };
  };
  expect([structure.measures.observation, structure.attributes.observation]).toEqual([[], []]);
  expect(keysOnly.data.structures[0]!.dimensions.observation).toEqual([]);
  expect(Object.keys(laidOut(keysOnly)).sort()).toEqual(seriesOf(all));
  expect(Object.values(keysOnly.data.dataSets[0]!.series).every((s) => Object.keys(s).length === 0)).toBe(true);
  // One attribute, and the value: what each observation carries is [value, that attribute].
  const some = decode(await dataMessage(`${path}?attributes=SOURCE_TYPE,dataset`));
  expect(Object.keys(some)).toEqual(Object.keys(all));
  for (const [key, o] of Object.entries(some)) {
    expect(o).toEqual({ value: all[key]!.value, attributes: { SOURCE_TYPE: all[key]!.attributes.SOURCE_TYPE } });
  }
  // SDMX-CSV leaves the columns out.
  const csv = await get(hub, `${path}?measures=none&attributes=RES_CRITERION&format=sdmx-csv`);
  const [header, ...rows] = (await csv.text()).trim().split('\r\n');
  expect(header!.split(',').slice(-2)).toEqual(['TIME_PERIOD', 'RES_CRITERION']);
  expect(rows).toHaveLength(Object.keys(all).length);
});

/** The series keys ("A.756.IMM_STOCK._T…@~") of decoded observations, sorted. */
const seriesOf = (observations: Record<string, unknown>) =>
  [...new Set(Object.keys(observations).map((k) => `${k.split('@')[0]}@~`))].sort();

interface AnyDataMessage {
  data: {
    structures: { dimensions: { series: Dim[]; observation: Dim[] } }[];
    dataSets: {
      series?: Record<string, { observations?: Record<string, unknown[]> }>;
      observations?: Record<string, unknown[]>;
    }[];
  };
}

/**
 * A data set of any layout (time series, cross-sections, flat) decoded to "FREQ.REF_AREA.…@TIME_PERIOD" → the
 * observation's cells, placing each component by its keyPosition; a series listed without observations is its key
 * with "~" for the component(s) at observation level, → null.
 */
function laidOut(message: unknown, n = 0): Record<string, unknown[] | null> {
  const { data } = message as AnyDataMessage;
  const { series, observation } = data.structures[0]!.dimensions;
  const size = series.length + observation.length + (observation.length ? 0 : 1);
  const place = (codes: string[], dims: Dim[], key: string) =>
    key.split(':').forEach((i, d) => {
      const v = dims[d]!.values[Number(i)]!;
      codes[dims[d]!.keyPosition] = v.id ?? v.value!;
    });
  const name = (codes: string[]) => `${codes.slice(0, -1).join('.')}@${codes.at(-1)}`;
  const out: Record<string, unknown[] | null> = {};
  const dataSet = data.dataSets[n]!;
  for (const [key, cells] of Object.entries(dataSet.observations ?? {})) {
    const codes = Array<string>(size).fill('~');
    place(codes, observation, key);
    out[name(codes)] = cells;
  }
  for (const [key, s] of Object.entries(dataSet.series ?? {})) {
    const codes = Array<string>(size).fill('~');
    place(codes, series, key);
    if (!s.observations) out[name(codes)] = null;
    for (const [at, cells] of Object.entries(s.observations ?? {})) {
      const full = [...codes];
      place(full, observation, at);
      out[name(full)] = cells;
    }
  }
  return out;
}

test('detail (SDMX REST 1.x) answers as the attributes and measures it stands for; beside them, it must agree', async () => {
  const path = `${FLOW}/A.756,250.IMM_STOCK.*`;
  const body = async (query: string) => {
    const message = (await dataMessage(`${path}?${query}`)) as unknown as { data: unknown };
    return message.data;
  };
  const full = decode(await dataMessage(path));
  // dataonly: no attributes; the values as in full.
  expect(await body('detail=dataonly')).toEqual(await body('attributes=none'));
  expect(decode(await dataMessage(`${path}?detail=dataonly`))).toEqual(
    Object.fromEntries(Object.entries(full).map(([k, o]) => [k, { value: o.value, attributes: {} }])),
  );
  // nodata: the attributes without the measure (2.x: measures=none, "attributes, but no data").
  const noData = await dataMessage(`${path}?detail=nodata`);
  expect(noData.data).toEqual(await body('measures=none'));
  const { measures, attributes } = noData.data.structures[0] as unknown as Record<string, { observation: Dim[] }>;
  expect([measures!.observation, attributes!.observation.map((a) => a.id)]).toEqual([
    [],
    ['UNIT_MEASURE', 'SOURCE_TYPE', 'DATA_SOURCE', 'RES_CRITERION', 'LAST_UPDATE'].filter((id) =>
      Object.values(full).some((o) => o.attributes[id] !== undefined),
    ),
  ]);
  expect(Object.keys(laidOut(noData)).sort()).toEqual(Object.keys(full).sort());
  // serieskeysonly: the series keys, no observation (2.0: attributes=none&measures=none).
  const keys = await dataMessage(`${path}?detail=serieskeysonly`);
  expect(keys.data).toEqual(await body('attributes=none&measures=none'));
  expect(laidOut(keys)).toEqual(Object.fromEntries(seriesOf(full).map((k) => [k, null])));
  // In SDMX-CSV: one row per series, TIME_PERIOD left empty as in a partial key; no value or attribute column.
  const csv = await get(hub, `${path}?detail=serieskeysonly&format=sdmx-csv`, {
    accept: 'application/vnd.sdmx.data+csv;version=2.0.0;keys=both',
  });
  const [header, ...rows] = parse(await csv.text()) as string[][];
  expect(header!.slice(3, 5)).toEqual(['SERIES_KEY', 'OBS_KEY']);
  expect(header!.at(-1)).toBe('TIME_PERIOD');
  expect(rows.map((r) => [r[3], r[4], r.at(-1)])).toEqual(seriesOf(full).map((k) => [k.split('@')[0]!, '', '']));
  // Beside attributes or measures: what agrees (or full, which fixes neither) is answered, what contradicts a 400.
  expect(await body('detail=serieskeysonly&attributes=none&measures=none')).toEqual(keys.data);
  expect(await body('detail=nodata&attributes=SOURCE_TYPE')).toEqual(
    await body('measures=none&attributes=SOURCE_TYPE'),
  );
  expect(await body('detail=full&attributes=none')).toEqual(await body('attributes=none'));
  for (const [query, code, detail] of [
    [
      'detail=dataonly&attributes=UNIT_MEASURE',
      150,
      /^detail=dataonly shows no attributes \(attributes=none\); attributes=UNIT_MEASURE asks/,
    ],
    [
      'detail=serieskeysonly&measures=all',
      150,
      /^detail=serieskeysonly shows no measure \(measures=none\); measures=all asks/,
    ],
    ['detail=nodata&measures=OBS_VALUE', 150, /^detail=nodata shows no measure/],
    ['detail=everything', 140, /^detail: "everything" is not full, dataonly, serieskeysonly or nodata$/],
  ] as const) {
    expect([query, await refusal(`${path}?${query}`)]).toEqual([
      query,
      { status: 400, code, detail: expect.stringMatching(detail) },
    ]);
  }
});

test('dimensionAtObservation=<dimension>: cross-sections keyed by every other dimension, in SDMX-JSON and SDMX-CSV', async () => {
  const path = `${FLOW}/A.756,250.IMM_STOCK.*`;
  const full = decode(await dataMessage(path));
  const timeSeries = laidOut(await dataMessage(path));
  const dimensionIds = (await dataMessage(path)).data.structures[0]!.dimensions.series.map((d) => d.id);
  for (const at of ['REF_AREA', 'SEX', 'FREQ']) {
    const message = await dataMessage(`${path}?dimensionAtObservation=${at}`);
    const { series, observation } = message.data.structures[0]!.dimensions;
    // The other dimensions and TIME_PERIOD at series level, in structure order, each at its own key position.
    expect(series.map((d) => [d.id, d.keyPosition])).toEqual(
      [...dimensionIds, 'TIME_PERIOD'].map((id, i) => [id, i]).filter(([id]) => id !== at),
    );
    expect(observation.map((d) => [d.id, d.keyPosition])).toEqual([[at, dimensionIds.indexOf(at)]]);
    // The same observations, with the same cells.
    expect(laidOut(message)).toEqual(timeSeries);
  }
  // A cross-section: the 2020 totals of both countries in one series.
  const byArea = await dataMessage(`${path}?dimensionAtObservation=REF_AREA`);
  const areaSeries = Object.values(byArea.data.dataSets[0]!.series).map((s) => Object.keys(s.observations).length);
  expect(Math.max(...areaSeries)).toBe(2);
  expect(Object.values(byArea.data.dataSets[0]!.series)).toHaveLength(
    new Set(Object.keys(full).map((k) => k.replace(/^A\.\d+\./, ''))).size,
  );
  // Series keys only: the cross-sections' keys, without observations.
  const keys = await dataMessage(`${path}?dimensionAtObservation=REF_AREA&detail=serieskeysonly`);
  expect(Object.keys(laidOut(keys)).sort()).toEqual(
    [...new Set(Object.keys(full).map((k) => k.replace(/^A\.\d+\./, 'A.~.')))].sort(),
  );

  // SDMX-CSV: the same rows, grouped by cross-section; SERIES_KEY names the series components, TIME_PERIOD included.
  const accept = { accept: 'application/vnd.sdmx.data+csv;version=2.0.0;keys=both' };
  const table = async (query: string) =>
    parse(await (await get(hub, `${path}?format=sdmx-csv${query}`, accept)).text(), { columns: true }) as Record<
      string,
      string
    >[];
  const plain = await table('');
  const crossed = await table('&dimensionAtObservation=REF_AREA');
  const sorted = (rows: Record<string, string>[]) => rows.map((r) => r.OBS_KEY).sort();
  expect(sorted(crossed)).toEqual(sorted(plain));
  for (const r of crossed) {
    const codes = r.OBS_KEY!.split('.');
    expect(r.SERIES_KEY).toBe([...codes.slice(0, 1), ...codes.slice(2)].join('.'));
  }
  const seriesKeys = crossed.map((r) => r.SERIES_KEY!);
  expect(seriesKeys).toEqual([...seriesKeys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const crossedKeys = await table('&dimensionAtObservation=REF_AREA&detail=serieskeysonly');
  expect(crossedKeys.map((r) => [r.SERIES_KEY, r.OBS_KEY, r.REF_AREA, r.ACTION])).toEqual(
    [...new Set(seriesKeys)].map((k) => [k, '', '', 'I']),
  );
});

const AVAILABILITY = '/sdmx/v2/availability/dataflow/MIGSTAT/DF_MIGRATION/1.0';

interface Constraint {
  role: string;
  annotations: { id: string; title: string }[];
  cubeRegions: {
    keyValues: {
      id: string;
      values?: string[];
      timeRange?: { startPeriod: { period: string }; endPeriod: { period: string } };
    }[];
  }[];
}

/** An availability answer as "dimension: codes" (years as "from-to"), with its metrics; validated. */
async function availability(path: string, token?: string) {
  const res = await get(hub, path, bearer(token));
  expect([path, res.status]).toEqual([path, 200]);
  expect(res.headers.get('content-type')).toBe('application/vnd.sdmx.structure+json;version=2.0.0');
  const body = await res.json();
  expectValid('structure', body);
  const [constraint] = body.data.dataConstraints as Constraint[];
  expect(constraint!.role).toBe('Actual');
  const regions = Object.fromEntries(
    constraint!.cubeRegions[0]!.keyValues.filter((k) => !k.values || k.values.some((v) => v !== '_Z')).map((k) => [
      k.id,
      k.values ? [...k.values].sort().join(',') : `${k.timeRange!.startPeriod.period}-${k.timeRange!.endPeriod.period}`,
    ]),
  );
  const metrics = Object.fromEntries(constraint!.annotations.map((a) => [a.id, Number(a.title)]));
  return { regions, metrics, body };
}

test('availability: the dimension values and years a data query answers (exact), or that would add data (available)', async () => {
  const exact = await availability(`${AVAILABILITY}/A.756,250.IMM_STOCK.*`);
  expect(exact.regions).toMatchObject({
    FREQ: 'A',
    REF_AREA: '250,756',
    INDICATOR: 'IMM_STOCK',
    SEX: 'F,M,_T',
    AGE: 'Y15T24,_T',
    TIME_PERIOD: '2010-2020',
  });
  expect(exact.metrics).toEqual({ series_count: 5, obs_count: 6 });
  // With France's selection lifted, Switzerland is a selection that adds data; Germany's validated-only value is not,
  // for an anonymous caller, and is for the task force.
  const one = `${AVAILABILITY}/A.250.IMM_STOCK.*`;
  expect((await availability(one)).regions).toMatchObject({ REF_AREA: '250', SEX: '_T' });
  expect((await availability(`${one}?mode=available`)).regions).toMatchObject({ REF_AREA: '250,756', SEX: '_T' });
  const taskForce = await hub.token('TASK_FORCE');
  expect((await availability(`${one}?mode=available`, taskForce)).regions).toMatchObject({ REF_AREA: '250,276,756' });
  // One dimension only (componentId), or several, and filters narrow as in data queries.
  expect((await availability(`${AVAILABILITY}/*/SEX?c[REF_AREA]=756&c[TIME_PERIOD]=2020`)).regions).toEqual({
    SEX: 'F,M,_T',
  });
  // An empty componentId (a trailing slash) is every dimension, as an absent one.
  expect((await availability(`${AVAILABILITY}/A.756,250.IMM_STOCK.*/`)).regions).toEqual(exact.regions);
  expect((await availability(`${AVAILABILITY}/*/REF_AREA,TIME_PERIOD?c[TIME_PERIOD]=2010`)).regions).toEqual({
    REF_AREA: '756',
    TIME_PERIOD: '2010-2010',
  });
  // The series counted in the database (one year range) and read observation by observation (the same range
  // written twice, which only the observations can answer) agree, for every caller, also on what changed since.
  for (const token of [undefined, taskForce]) {
    for (const since of ['', '&updatedAfter=2000-01-01T00:00:00Z']) {
      const answer = async (time: string) =>
        (await availability(`${AVAILABILITY}/*?c[TIME_PERIOD]=${time}${since}`, token)).body.data;
      expect(await answer('ge:2010+le:2020,ge:2010+le:2020')).toEqual(await answer('ge:2010+le:2020'));
    }
  }
  // Filters that need each observation (a value, a year left out) are read observation by observation, same answer.
  const filtered = await availability(
    `${AVAILABILITY}/A.756,250.IMM_STOCK.*?c[OBS_VALUE]=ge:100&c[TIME_PERIOD]=ne:2010`,
  );
  expect(filtered.regions).toMatchObject({ REF_AREA: '250,756', SEX: '_T', AGE: '_T', TIME_PERIOD: '2020-2020' });
  expect(filtered.metrics).toEqual({ series_count: 2, obs_count: 2 });
  // references=all: the structures, each code list cut to the codes available.
  const { body } = await availability(`${AVAILABILITY}/A.756,250.IMM_STOCK.*?references=all`);
  const areas = body.data.codelists.find((c: { id: string }) => c.id === 'CL_AREA');
  expect(areas).toMatchObject({ isPartial: true });
  expect(areas.codes.map((c: { id: string }) => c.id).sort()).toEqual(['250', '756']);
  expect(body.data.dataStructures).toHaveLength(1);

  for (const [path, status, detail] of [
    [`${AVAILABILITY}/A.756.IMM_STOCK.*?mode=all`, 400, /^mode: "all" is not exact or available$/],
    [`${AVAILABILITY}/*/COLOUR`, 404, /^No dimension COLOUR in DF_MIGRATION: FREQ, REF_AREA, INDICATOR, /],
    [
      `${AVAILABILITY}/*?detail=full`,
      400,
      /^detail: not a parameter \(c\[…\], updatedAfter, mode, references, reportingYearStartDay\)$/,
    ],
    [`${AVAILABILITY}/*?reportingYearStartDay=--07-01`, 501, /^reportingYearStartDay=--07-01 is not implemented$/],
    [`${AVAILABILITY}/*?references=valuelist`, 501, /^references=valuelist is not implemented for availability/],
    [`${AVAILABILITY}/*?references=friends`, 400, /^references: "friends" is not none, all, codelist, /],
    [`${AVAILABILITY}/*?mode=exact&mode=available`, 400, /^mode: given more than once$/],
    [`${AVAILABILITY}/A.999.*`, 404, /^Unknown code\(s\) "999" for REF_AREA$/],
    [`${AVAILABILITY}/A.276.IMM_STOCK.*?mode=available&c[SEX]=X`, 404, /^Unknown code\(s\) "X" for SEX$/],
  ] as const) {
    const { status: answered, detail: said } = await refusal(path);
    expect([path, answered, said]).toEqual([path, status, expect.stringMatching(detail)]);
  }
});

test('availability with no data for the query: the selections that would add some (available); else an empty 204', async () => {
  // Germany has only a validated value, which anonymous callers may not read.
  const germany = `${AVAILABILITY}/A.276.IMM_STOCK.*`;
  const answer = async (path: string, token?: string) => {
    const res = await get(hub, path, bearer(token));
    expect([path, res.status]).toEqual([path, 200]);
    const body = await res.json();
    expectValid('structure', body);
    const [constraint] = body.data.dataConstraints as Constraint[];
    const keyValues = constraint!.cubeRegions[0]!.keyValues as (Constraint['cubeRegions'][0]['keyValues'][0] & {
      include?: boolean;
    })[];
    return {
      body,
      included: Object.fromEntries(keyValues.filter((k) => k.include !== false).map((k) => [k.id, k.values])),
      excluded: keyValues.filter((k) => k.include === false).map((k) => k.id),
      metrics: Object.fromEntries(constraint!.annotations.map((a) => [a.id, Number(a.title)])),
    };
  };
  // mode=available: choosing France or Switzerland instead adds data; no other selection does (excluded: every code
  // of those dimensions), and the query itself has no series, observation or year.
  const dimensionIds = (await dataMessage(FLOW)).data.structures[0]!.dimensions.series.map((d) => d.id);
  const available = await answer(`${germany}?mode=available`);
  expect(available.included).toEqual({ REF_AREA: ['756', '250'].sort() });
  expect(available.excluded).toEqual(dimensionIds.filter((id) => id !== 'REF_AREA'));
  expect(available.metrics).toEqual({ series_count: 0, obs_count: 0 });
  const sex = available.body.data.dataConstraints[0].cubeRegions[0].keyValues.find(
    (k: { id: string }) => k.id === 'SEX',
  );
  expect(sex.values).toEqual(expect.arrayContaining(['F', 'M', '_T']));
  // With the code lists: REF_AREA's cut to the two, an excluded dimension's to none.
  const lists = (await answer(`${germany}?mode=available&references=all`)).body.data.codelists as {
    id: string;
    isPartial?: boolean;
    codes?: { id: string }[];
  }[];
  expect(lists.find((c) => c.id === 'CL_AREA')).toMatchObject({
    isPartial: true,
    codes: [{ id: '250' }, { id: '756' }],
  });
  expect(lists.find((c) => c.id === 'CL_SEX')).toMatchObject({ isPartial: true });
  expect(lists.find((c) => c.id === 'CL_SEX')!.codes).toBeUndefined();
  // Nothing to offer at all (exact, with no data; available, asked about a dimension nothing would add to): SDMX REST
  // 2.0's 204 for an empty result, with an ETag; If-None-Match gives 304.
  for (const path of [
    germany,
    `${germany}/SEX?mode=available`,
    `${AVAILABILITY}/*?c[TIME_PERIOD]=1900&mode=available`,
  ]) {
    const res = await get(hub, path);
    expect([path, res.status, await res.text(), res.headers.get('content-type')]).toEqual([path, 204, '', null]);
    const etag = res.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await get(hub, path, { 'if-none-match': etag })).status).toBe(304);
  }
  // The task force reads Germany's value: a 200 for the same queries.
  const taskForce = await hub.token('TASK_FORCE');
  expect((await answer(germany, taskForce)).included).toMatchObject({ REF_AREA: ['276'], INDICATOR: ['IMM_STOCK'] });
  expect((await answer(`${germany}?mode=available`, taskForce)).excluded).toEqual([]);
});

test('no query parameter is silently ignored: unknown ones are 400s, unimplemented SDMX ones 501s', async () => {
  // SDMX REST 2.0 parameters at a value other than what every answer already is.
  // (offset, limit, sort and asOf came with SDMX REST 2.2.0.)
  for (const query of [
    'includeHistory=true',
    'offset=10',
    'limit=100',
    'sort=TIME_PERIOD:desc',
    'asOf=2020-01-01T00:00:00Z',
  ]) {
    const name = query.split('=')[0]!;
    expect([query, await refusal(`${FLOW}/*?${query}`)]).toEqual([
      query,
      { status: 501, code: 501, detail: expect.stringMatching(new RegExp(`^${name}=.* is not implemented`)) },
    ]);
  }
  // Malformed values, unknown parameters, and the SDMX REST 1.x time parameters that c[TIME_PERIOD] replaced.
  for (const [query, detail] of [
    ['dimensionAtObservation=FOO', /^dimensionAtObservation: "FOO" is not TIME_PERIOD, AllDimensions or a dimension/],
    [
      'attributes=colour',
      /^attributes: "colour" is not dsd, msd, dataset, series, obs, all, none or an attribute \(UNIT_MEASURE, /,
    ],
    ['measures=OBS_VAL', /^measures: "OBS_VAL" is not all, none or OBS_VALUE$/],
    ['lastNObservations=0', /^lastNObservations: "0" is not a whole number from 1 to 999999999$/],
    ['firstNObservations=two', /^firstNObservations: "two" is not a whole number from 1 to 999999999$/],
    ['includeHistory=maybe', /^includeHistory: "maybe"/],
    [
      'bogusParam=1',
      /^bogusParam: not a parameter \(c\[…\], updatedAfter, firstNObservations, lastNObservations, dimensionAtObservation, attributes, measures, detail, format, /,
    ],
    ['startPeriod=2015&endPeriod=2020', /^startPeriod: .*c\[TIME_PERIOD\]=ge:2015\+le:2020/],
    ['startPeriod=xyz', /^startPeriod: /],
    ['endPeriod=2020', /^endPeriod: /],
  ] as const) {
    expect([query, await refusal(`${FLOW}/*?${query}`)]).toEqual([
      query,
      { status: 400, code: 140, detail: expect.stringMatching(detail) },
    ]);
  }
  expect((await get(hub, `${STRUCTURE}&bogus=1`)).status).toBe(400);
  expect((await get(hub, `${STRUCTURE}&detail=allstubs`)).status).toBe(501);
  // The values the answers already have stay 200, with the same observations.
  const all = decode(await dataMessage(`${FLOW}/*`));
  const explicit = 'dimensionAtObservation=TIME_PERIOD&attributes=dsd&measures=all&includeHistory=false&detail=full';
  expect(decode(await dataMessage(`${FLOW}/*?${explicit}`))).toEqual(all);
  expect((await get(hub, `${STRUCTURE}&detail=full`)).status).toBe(200);
});

test('data answers carry an ETag; If-None-Match gives 304 until the data change', async () => {
  const path = `${FLOW}/A.756.IMM_STOCK.*`;
  const first = await get(hub, path);
  const etag = first.headers.get('etag')!;
  expect((await get(hub, path, { 'if-none-match': etag })).status).toBe(304);
  // CSV has its own tag.
  const csv = await get(hub, `${path}?format=sdmx-csv`, { 'if-none-match': etag });
  expect(csv.status).toBe(200);
  // Publishing the validated v2 changes what anonymous callers read.
  const che = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'CHE' } });
  await hub.db.prisma.submission.updateMany({
    where: { countryId: che.id, referenceYear: 2020, version: 2 },
    data: { status: 'PUBLISHED', countableSince: new Date() },
  });
  try {
    const changed = await get(hub, path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  } finally {
    await hub.db.prisma.submission.updateMany({
      where: { countryId: che.id, referenceYear: 2020, version: 2 },
      data: { status: 'VALIDATED' },
    });
  }
});

test('a data query of known codes that matches nothing is a 204 without a body, with the cache headers of any answer', async () => {
  // sdmx-rest doc/status.md: "If the result from the query is empty, the web service should return this code. `204`
  // is preferred to `404` in this case". DEU's only value is validated (hidden from anonymous callers); 1900 has no
  // data; nothing changed after 2999.
  const json = 'application/vnd.sdmx.data+json;version=2.0.0';
  const csv = 'application/vnd.sdmx.data+csv;version=2.0.0';
  const full = await get(hub, `${FLOW}/A.756.IMM_STOCK.*`);
  expect(full.status).toBe(200);
  const cacheControl = full.headers.get('cache-control');
  const vary = full.headers.get('vary');
  expect([cacheControl, vary]).toEqual(['private, no-cache', 'Authorization, Accept, Accept-Encoding']);
  const variants: [string, Record<string, string>][] = [
    ['', {}],
    ['', { accept: json }],
    ['', { accept: 'application/json' }],
    ['', { accept: csv }],
    ['', { accept: `${csv};labels=both;keys=series` }],
    ['', { accept: 'text/csv' }],
    ['?format=sdmx-csv', {}],
    ['?format=sdmx-json', { 'accept-encoding': 'gzip' }],
  ];
  for (const key of [
    `${FLOW}/A.276.IMM_STOCK.*`,
    `${FLOW}/A.756.IMM_STOCK.*?c[TIME_PERIOD]=1900`,
    `${FLOW}/*?updatedAfter=2999-01-01T00:00:00Z`,
  ]) {
    for (const [query, headers] of variants) {
      const path = `${key}${query && (key.includes('?') ? `&${query.slice(1)}` : query)}`;
      const label = `${path} ${JSON.stringify(headers)}`;
      for (const method of ['GET', 'HEAD']) {
        const res = await hub.api.fetch(`http://hub.test${path}`, { method, headers });
        expect([label, method, res.status, await res.text()]).toEqual([label, method, 204, '']);
        expect([
          label,
          method,
          ...['content-type', 'content-encoding', 'content-length'].map((h) => res.headers.get(h)),
        ]).toEqual([label, method, null, null, null]);
        expect([label, res.headers.get('cache-control'), res.headers.get('vary')]).toEqual([label, cacheControl, vary]);
        const etag = res.headers.get('etag')!;
        expect([label, etag]).toEqual([label, expect.stringMatching(/^W\/".+"$/)]);
        const again = await get(hub, path, { ...headers, 'if-none-match': etag });
        expect([label, again.status, again.headers.get('etag')]).toEqual([label, 304, etag]);
      }
    }
  }
  // The same URL with data for the caller (the task force reads DEU's validated value): 200, under another tag.
  const germany = `${FLOW}/A.276.IMM_STOCK.*`;
  const emptyTag = (await get(hub, germany)).headers.get('etag')!;
  const taskForce = await hub.token('TASK_FORCE');
  const filled = await get(hub, germany, { ...bearer(taskForce), 'if-none-match': emptyTag });
  expect([filled.status, filled.headers.get('content-type')]).toEqual([200, json]);
  expect(filled.headers.get('etag')).not.toBe(emptyTag);
  // Refusals come first: an unknown code stays a 404 naming it (CONTRACT §10), a format not served a 406.
  expect(await refusal(`${FLOW}/A.999.IMM_STOCK.*?c[TIME_PERIOD]=1900`)).toMatchObject({
    status: 404,
    code: 100,
    detail: 'Unknown code(s) "999" for REF_AREA',
  });
  for (const accept of ['application/vnd.sdmx.data+xml;version=3.0.0', 'application/vnd.sdmx.genericdata+xml']) {
    const res = await get(hub, germany, { accept });
    expect([accept, res.status]).toEqual([accept, 406]);
    await sdmxError(res, germany);
  }
});

test('gzip when the client accepts it', async () => {
  const { gunzipSync } = await import('node:zlib');
  const plain = await (await get(hub, STRUCTURE)).json();
  const res = await get(hub, STRUCTURE, { 'accept-encoding': 'gzip, deflate' });
  expect(res.headers.get('content-encoding')).toBe('gzip');
  const unzipped = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8'));
  expect(unzipped.data).toEqual(plain.data);
});

test('a query over the service limit is refused with SDMX error 510, pointing to the bulk download', async () => {
  const { loadDsd } = await import('../../src/portals/sdmx.structure.js');
  const { findObservations, parseDataQuery } = await import('../../src/portals/sdmx.data.js');
  const dsd = await loadDsd(hub.db.prisma);
  const query = parseDataQuery(dsd, '*', new URLSearchParams(), '');
  const published = { kind: 'PUBLISHED' } as const;
  expect(await findObservations(hub.db.prisma, dsd, query, published, 6)).toHaveLength(6);
  await expect(findObservations(hub.db.prisma, dsd, query, published, 5)).rejects.toMatchObject({
    status: 413,
    code: 510,
    message: expect.stringContaining('/download/observations.csv'),
  });
  // The latest value of each series is counted in the statement: 5 series, within a limit of 5, where the 6
  // observations are not; the same as keeping them after reading every observation (a filter only the observations
  // can answer forces that path).
  const latest = (search: string, max?: number) =>
    findObservations(hub.db.prisma, dsd, parseDataQuery(dsd, '*', new URLSearchParams(search), search), published, max);
  const kept = await latest('lastNObservations=1', 5);
  expect(kept.map((o) => `${o.key[1]}@${o.year}`)).toEqual([
    '250@2020',
    '756@2020',
    '756@2020',
    '756@2020',
    '756@2020',
  ]);
  expect(await latest('lastNObservations=1&c[OBS_VALUE]=ge:0')).toEqual(kept);
  expect(await latest('firstNObservations=1&lastNObservations=1')).toEqual(
    await latest('firstNObservations=1&lastNObservations=1&c[OBS_VALUE]=ge:0'),
  );
});

/** Every observation of data set `n` as "A.756.IMM_STOCK.F…@2020" (its key codes and year). */
function keysOf(message: DataMessage, n: number): string[] {
  const structure = message.data.structures[0]!;
  const series = structure.dimensions.series;
  const time = structure.dimensions.observation[0]!;
  return Object.entries(message.data.dataSets[n]?.series ?? {}).flatMap(([key, s]) => {
    const codes = key.split(':').map((i, d) => series[d]!.values[Number(i)]!.id);
    return Object.keys(s.observations).map((t) => `${codes.join('.')}@${time.values[Number(t)]!.value}`);
  });
}

// Last: it changes the scenario's data.
test('updatedAfter also lists what was deleted since, as a Delete data set, never a key the caller could not read', async () => {
  const admin = await hub.token('ADMIN');
  const before = decode(await dataMessage(`${FLOW}/*`));
  expect((await dataMessage(`${FLOW}/*`)).data.dataSets).toHaveLength(1);
  const cheTotal = Object.keys(before).find((k) => k.startsWith('A.756.') && before[k]!.value === 100)!;
  const cheBreakdowns = Object.keys(before).filter(
    (k) => k.startsWith('A.756.') && k.endsWith('@2020') && k !== cheTotal,
  );
  expect(cheBreakdowns).toHaveLength(3); // F, M, 15–24
  const adminBefore = decode(await dataMessage(`${FLOW}/*`, bearer(admin)));
  const deuTotal = Object.keys(adminBefore).find((k) => k.startsWith('A.276.'))!;
  expect(adminBefore[deuTotal]!.value).toBe(555);

  await new Promise((resolve) => setTimeout(resolve, 50));
  const since = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 50));
  // A new published version of Switzerland's 2020 census count without its breakdowns…
  const imported = await hub.gql<{ importSubmissions: { ok: boolean } }, { csv: string }>(
    `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok } }`,
    {
      csv: 'country,indicator,reference_year,value,source_type,residence_criterion,status,note,SEX,AGE\nCHE,IMM_STOCK,2020,105,CENSUS,OPTION_I,PUBLISHED,,,\n',
    },
    { token: admin },
  );
  expect(imported.data?.importSubmissions.ok).toBe(true);
  // …and Germany's validated version, which only the task force could read, rejected.
  const deu = await hub.db.prisma.submission.findFirstOrThrow({
    where: { country: { iso3: 'DEU' }, referenceYear: 2020, status: 'VALIDATED' },
  });
  const rejected = await hub.gql<{ rejectSubmission: { __typename: string } }, Record<string, unknown>>(
    `mutation ($id: ID!, $rev: Int!) { rejectSubmission(input: { id: $id, expectedRevision: $rev, reason: "wrong" }) { __typename } }`,
    { id: encodeGlobalID('Submission', deu.id), rev: deu.revision },
    { token: admin },
  );
  expect(rejected.data?.rejectSubmission.__typename).toBe('RejectSubmissionPayload');

  const path = `${FLOW}/*?updatedAfter=${encodeURIComponent(since)}`;
  const anonymous = await dataMessage(path);
  expect(anonymous.data.dataSets.map((d) => (d as { action?: string }).action)).toEqual(['Information', 'Delete']);
  expect(decode(anonymous)).toEqual({ [cheTotal]: expect.objectContaining({ value: 105 }) });
  expect(keysOf(anonymous, 1).sort()).toEqual(cheBreakdowns.sort());
  expect(JSON.stringify(anonymous)).not.toContain('"276"');

  // The task force read Switzerland's validated total-only version at that time: nothing of it was deleted for it;
  // Germany's total was.
  const taskForce = await dataMessage(path, bearer(admin));
  expect(keysOf(taskForce, 1)).toEqual([deuTotal]);

  const csv = await get(hub, `${path}&format=sdmx-csv`);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  const deletions = rows.filter((r) => r.ACTION === 'D');
  expect(deletions).toHaveLength(3);
  expect(deletions.every((r) => r.OBS_VALUE === '' && r.REF_AREA === '756' && r.TIME_PERIOD === '2020')).toBe(true);
  expect(rows.filter((r) => r.ACTION === 'I').map((r) => r.OBS_VALUE)).toEqual(['105']);

  // Series keys only, or cross-sections: the changed series as the view lays them out; the deletions still one
  // observation each (a series listed without observations in a Delete data set would delete all of it).
  const keys = await dataMessage(`${path}&detail=serieskeysonly`);
  expect(laidOut(keys)).toEqual({ [`${cheTotal.split('@')[0]}@~`]: null });
  expect(Object.keys(laidOut(keys, 1)).sort()).toEqual(cheBreakdowns.sort());
  const bySex = await dataMessage(`${path}&dimensionAtObservation=SEX`);
  expect(Object.keys(laidOut(bySex))).toEqual([cheTotal]);
  expect(Object.keys(laidOut(bySex, 1)).sort()).toEqual(cheBreakdowns.sort());
  const keyRows = parse(await (await get(hub, `${path}&detail=serieskeysonly&format=sdmx-csv`)).text(), {
    columns: true,
  }) as Record<string, string>[];
  expect(keyRows.map((r) => [r.ACTION, r.REF_AREA, r.TIME_PERIOD])).toEqual([
    ['I', '756', ''],
    ...cheBreakdowns.map(() => ['D', '756', '2020']),
  ]);
});

test('updatedAfter: a value that counts again once a newer version is rejected is news, in SDMX and in the download', async () => {
  const taskForce = await hub.token('TASK_FORCE');
  const importCsv = async (csv: string) =>
    expect(
      data(
        await hub.gql<{ importSubmissions: { ok: boolean } }, { csv: string }>(
          `mutation ($csv: String!) { importSubmissions(input: { csv: $csv }) { ok } }`,
          { csv: `country,indicator,reference_year,value,source_type,status,SEX\n${csv}` },
          { token: taskForce },
        ),
      ).importSubmissions.ok,
    ).toBe(true);
  const instant = async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const at = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return encodeURIComponent(at);
  };
  await importCsv(
    'AUT,IMM_STOCK,2015,1000,CENSUS,PUBLISHED,_T\nAUT,IMM_STOCK,2015,600,CENSUS,PUBLISHED,F\nAUT,IMM_STOCK,2015,400,CENSUS,PUBLISHED,M\n',
  );
  const before = await instant();
  // A validated revision without the breakdowns: for the task force, a new total and two deletions.
  await importCsv('AUT,IMM_STOCK,2015,1200,CENSUS,VALIDATED,_T\n');
  const revised = await dataMessage(`${FLOW}/A.040.IMM_STOCK.*?updatedAfter=${before}`, bearer(taskForce));
  expect(Object.values(decode(revised)).map((o) => o.value)).toEqual([1200]);
  expect(keysOf(revised, 1)).toHaveLength(2);

  const rejectedAt = await instant();
  const revision = await hub.db.prisma.submission.findFirstOrThrow({
    where: { country: { iso3: 'AUT' }, referenceYear: 2015, status: 'VALIDATED' },
  });
  const rejected = await hub.gql<{ rejectSubmission: { __typename: string } }, Record<string, unknown>>(
    `mutation ($id: ID!, $rev: Int!) { rejectSubmission(input: { id: $id, expectedRevision: $rev, reason: "no" }) { __typename } }`,
    { id: encodeGlobalID('Submission', revision.id), rev: revision.revision },
    { token: taskForce },
  );
  expect(rejected.data?.rejectSubmission.__typename).toBe('RejectSubmissionPayload');
  // The published version counts again for the task force: its three values are what changed since the rejection,
  // though that version was written before it. A mirror polling with updatedAfter gets them back.
  const reverted = await dataMessage(`${FLOW}/A.040.IMM_STOCK.*?updatedAfter=${rejectedAt}`, bearer(taskForce));
  expect(
    Object.values(decode(reverted))
      .map((o) => o.value)
      .sort(),
  ).toEqual([1000, 400, 600]);
  const download = await get(
    hub,
    `/download/observations.csv?country=AUT&updatedAfter=${rejectedAt}`,
    bearer(taskForce),
  );
  const rows = parse(await download.text(), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.value).sort()).toEqual(['1000', '400', '600']);
  // An anonymous caller never saw the revision: nothing changed for it, in either.
  expect((await get(hub, `${FLOW}/A.040.IMM_STOCK.*?updatedAfter=${before}`)).status).toBe(204);
  const anonymous = await get(hub, `/download/observations.csv?country=AUT&updatedAfter=${before}`);
  expect(parse(await anonymous.text(), { columns: true })).toEqual([]);
});

// Last: it leaves France's register key changed in the future, which the tests above do not expect.
test('updatedAfter applies the country-value rule to a whole (country, indicator, year), not to the sources changed since', async () => {
  // France 2020 for the task force: the validated census (countable later) is the country value, not the register.
  const taskForce = await hub.token('TASK_FORCE');
  const since = '?updatedAfter=2080-01-01T00:00:00Z';
  // The register's key changed in 2090 for every audience, as the change feed records it (the census did not).
  await hub.db.prisma.$executeRawUnsafe(
    `INSERT INTO "FeedEntry" (audience, "countryId", "indicatorId", "referenceYear", "sourceKey", "submissionId", status, at)
     SELECT a.audience::"FeedAudience", s."countryId", s."indicatorId", s."referenceYear", s."sourceKey", s.id, s.status,
       '2090-01-01'
     FROM "Submission" s, (VALUES ('ALL_VERSIONS'), ('PUBLISHED')) a(audience)
     WHERE s."sourceKey" = 'ST:POP_REGISTER' AND s."countryId" = (SELECT id FROM "Country" WHERE iso3 = 'FRA')`,
  );
  // The rule runs on the whole (country, indicator, year): the task force's value stays the census (999), anonymous
  // callers' the register (200). Running it on the changed source alone would give the task force the register.
  const path = `${FLOW}/A.250.IMM_STOCK.*${since}&format=sdmx-csv`;
  const values = async (headers: Record<string, string> = {}) =>
    (parse(await (await get(hub, path, headers)).text(), { columns: true }) as Record<string, string>[]).map((r) => [
      r.REF_AREA,
      r.TIME_PERIOD,
      r.OBS_VALUE,
    ]);
  expect(await values(bearer(taskForce))).toEqual([['250', '2020', '999']]);
  expect(await values()).toEqual([['250', '2020', '200']]);
});

test("a data message's links name the hub's PUBLIC_URL when set, not the Host a client sent", async () => {
  const hrefs = (message: unknown) =>
    [...JSON.stringify(message).matchAll(/"href":"([^"]+)"/g)].map((m) => new URL(m[1]!).origin);
  // Without it, the request's own origin (the only one known).
  const own = await hub.api.fetch(`http://elsewhere.example${FLOW}/A.756.IMM_STOCK.*`);
  expect(own.status).toBe(200);
  expect(new Set(hrefs(await own.json()))).toEqual(new Set(['http://elsewhere.example']));
  const configured = await startHub({ env: { PUBLIC_URL: 'https://hub.example.org/' } });
  try {
    await portalScenario(configured.db.prisma);
    const res = await configured.api.fetch(`http://elsewhere.example${FLOW}/A.756.IMM_STOCK.*`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expectValid('data', body);
    expect(new Set(hrefs(body))).toEqual(new Set(['https://hub.example.org']));
  } finally {
    await configured.close();
  }
});
