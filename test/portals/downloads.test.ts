// Bulk downloads (CONTRACT §10) through HTTP: every visible countable observation in the §5 import format (CSV and
// XLSX), filters, CSV-injection escaping, gzip, ETag/If-None-Match, the round trip through importSubmissions, and
// the whole catalogue in the catalogue import format.
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { CLI_ACTOR } from '../../src/access/audit.js';
import { importCatalogue, parseCatalogue } from '../../src/catalogue/catalogue.import.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { importSubmissionsCsv } from '../support/scenarios.js';
import { bearer, get, portalScenario, SECRET_VALUES } from './support.js';

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
  await portalScenario(hub.db.prisma);
});
afterAll(() => hub?.close());

const rowsOf = (text: string) => parse(text, { columns: true, bom: true }) as Record<string, string>[];

async function download(path: string, headers: Record<string, string> = {}) {
  const res = await get(hub, path, headers);
  expect(res.status).toBe(200);
  return { res, text: await res.text() };
}

test('anonymous callers download the published countable observations in the import format', async () => {
  const { res, text } = await download('/download/observations.csv');
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="observations.csv"');
  const lines = text.split('\r\n');
  expect(lines[0]).toMatch(
    /^country,indicator,reference_year,value,unit,source_type,data_source,residence_criterion,status,note,SEX,AGE,/,
  );
  const rows = rowsOf(text);
  // Key order: indicator, country, reference year, source; then the observation key.
  expect(rows.map((r) => [r.country, r.reference_year, r.value, r.SEX, r.AGE, r.status])).toEqual([
    ['250', '2020', '200', '', '', 'PUBLISHED'],
    ['756', '2010', '80', '', '', 'PUBLISHED'],
    ['756', '2020', '100', '', '', 'PUBLISHED'],
    ['756', '2020', '10', '', 'Y15T24', 'PUBLISHED'],
    ['756', '2020', '60', 'F', '', 'PUBLISHED'],
    ['756', '2020', '40', 'M', '', 'PUBLISHED'],
  ]);
  for (const secret of SECRET_VALUES) expect(rows.some((r) => r.value === secret)).toBe(false);
  expect(text).not.toContain('secret');
  // A note that a spreadsheet would run as a formula is neutralised (OWASP CSV injection).
  expect(rows[1]!.note).toBe(`'=HYPERLINK("http://evil.example","x")`);
});

test("each caller downloads what it may see: validated versions for a task force, its own country's for a focal point", async () => {
  const all = rowsOf((await download('/download/observations.csv', bearer(await hub.token('TASK_FORCE')))).text);
  const totals = all.filter((r) => !r.SEX && !r.AGE).map((r) => [r.country, r.reference_year, r.source_type, r.value]);
  expect(totals).toEqual([
    ['250', '2020', 'CENSUS', '999'],
    ['250', '2020', 'POP_REGISTER', '200'],
    ['276', '2020', 'CENSUS', '555'],
    ['756', '2010', 'CENSUS', '80'],
    ['756', '2020', 'CENSUS', '101'],
  ]);
  expect(all.some((r) => r.value === '777')).toBe(false); // SUBMITTED never counts
  const focal = rowsOf(
    (await download('/download/observations.csv', bearer(await hub.token('FOCAL_POINT', 'FRA')))).text,
  );
  expect(focal.filter((r) => r.country === '250').map((r) => r.value)).toEqual(['999', '200']);
  expect(focal.some((r) => r.value === '555' || r.value === '101')).toBe(false);
});

test('filters: indicator, country, from, to, updatedAfter; bad parameters are errors naming them', async () => {
  const swiss = rowsOf(
    (await download('/download/observations.csv?indicator=IMM_STOCK&country=CHE&from=2015&to=2020')).text,
  );
  expect(swiss.map((r) => r.value)).toEqual(['100', '10', '60', '40']);
  const byM49 = rowsOf((await download('/download/observations.csv?country=250')).text);
  expect(byM49.map((r) => r.value)).toEqual(['200']);
  expect(rowsOf((await download('/download/observations.csv?to=2015')).text).map((r) => r.value)).toEqual(['80']);
  expect(rowsOf((await download('/download/observations.csv?updatedAfter=2999-01-01T00:00:00Z')).text)).toEqual([]);
  expect(rowsOf((await download('/download/observations.csv?updatedAfter=2000-01-01')).text)).toHaveLength(6);
  expect(rowsOf((await download('/download/observations.csv?indicator=EMI_STOCK')).text)).toEqual([]);

  for (const [query, status, message] of [
    ['indicator=NOPE', 404, 'indicator: no indicator with code "NOPE"'],
    ['country=XXX', 404, 'country: no country with M49 or ISO3 code "XXX"'],
    ['from=twenty', 400, 'from: "twenty" is not a year'],
    ['from=2020&to=2010', 400, 'from (2020) is after to (2010)'],
    ['updatedAfter=soon', 400, 'updatedAfter: "soon" is not an ISO-8601 date-time (e.g. 2026-01-31T00:00:00Z)'],
    ['year=2020', 400, 'year: not a parameter (indicator, country, from, to, updatedAfter)'],
    ['country=CHE&country=FRA', 400, 'country: given more than once'],
    ['from=2010&indicator=IMM_STOCK&from=2015', 400, 'from: given more than once'],
  ] as const) {
    const res = await get(hub, `/download/observations.csv?${query}`);
    expect([query, res.status, (await res.json()).error]).toEqual([query, status, message]);
  }
  expect((await get(hub, '/download/other.csv')).status).toBe(404);
  expect((await get(hub, '/download/observations.csv', { authorization: 'Bearer bad' })).status).toBe(401);
});

test('gzip when accepted; ETag + If-None-Match give 304 until a write changes the data the caller may read', async () => {
  const plain = await download('/download/observations.csv');
  const zipped = await get(hub, '/download/observations.csv', { 'accept-encoding': 'gzip' });
  expect(zipped.headers.get('content-encoding')).toBe('gzip');
  expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')).toBe(plain.text);

  const etag = plain.res.headers.get('etag')!;
  expect(etag).toMatch(/^W\/".+"$/);
  const again = await get(hub, '/download/observations.csv', { 'if-none-match': etag });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  // Another filter, another caller or another format is another tag.
  expect((await get(hub, '/download/observations.csv?country=CHE', { 'if-none-match': etag })).status).toBe(200);
  const admin = bearer(await hub.token('ADMIN'));
  expect((await get(hub, '/download/observations.csv', { ...admin, 'if-none-match': etag })).status).toBe(200);
  expect((await get(hub, '/download/observations.xlsx', { 'if-none-match': etag })).status).toBe(200);

  // Writes an anonymous caller may not read leave its tag alone (CONTRACT §4): a draft, a validated version.
  const adminTag = (await get(hub, '/download/observations.csv', admin)).headers.get('etag');
  await importSubmissionsCsv(
    hub.db.prisma,
    'country,indicator,reference_year,value,source_type,status\nAUT,IMM_STOCK,2019,301,CENSUS,DRAFT\nAUT,IMM_STOCK,2018,302,CENSUS,VALIDATED\n',
  );
  expect((await get(hub, '/download/observations.csv', { 'if-none-match': etag })).status).toBe(304);
  expect((await get(hub, '/download/observations.csv', { ...admin, 'if-none-match': adminTag! })).status).toBe(200);
  await importSubmissionsCsv(
    hub.db.prisma,
    'country,indicator,reference_year,value,source_type,status\nAUT,IMM_STOCK,2020,300,CENSUS,PUBLISHED\n',
  );
  try {
    const changed = await get(hub, '/download/observations.csv', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(rowsOf(await changed.text()).some((r) => r.country === '040' && r.value === '300')).toBe(true);
  } finally {
    const aut = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'AUT' } });
    await hub.db.prisma.submission.deleteMany({ where: { countryId: aut.id } });
  }
  // A status change alone (publication of a validated version) changes the tag too.
  const before = (await get(hub, '/download/observations.csv')).headers.get('etag')!;
  const deu = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'DEU' } });
  await hub.db.prisma.submission.updateMany({ where: { countryId: deu.id }, data: { status: 'PUBLISHED' } });
  try {
    const published = await get(hub, '/download/observations.csv', { 'if-none-match': before });
    expect(published.status).toBe(200);
    expect(rowsOf(await published.text()).some((r) => r.value === '555')).toBe(true);
  } finally {
    await hub.db.prisma.submission.updateMany({ where: { countryId: deu.id }, data: { status: 'VALIDATED' } });
  }
});

test('a change written with an earlier time than the latest one, and committed after it, changes the tag', async () => {
  // A writer whose clock runs ahead (another host) stamped FRA's validated version an hour from now; then DEU's
  // validated version is published, stamped now: earlier than the highest time, which the tag used to take.
  const admin = bearer(await hub.token('ADMIN'));
  const fra = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'FRA' } });
  const deu = await hub.db.prisma.country.findUniqueOrThrow({ where: { iso3: 'DEU' } });
  const [ahead] = await hub.db.prisma.submission.findMany({ where: { countryId: fra.id, status: 'VALIDATED' } });
  await hub.db.prisma.submission.update({
    where: { id: ahead!.id },
    data: { updatedAt: new Date(Date.now() + 3_600_000) },
  });
  try {
    const tag = (await get(hub, '/download/observations.csv', admin)).headers.get('etag')!;
    await hub.db.prisma.submission.updateMany({ where: { countryId: deu.id }, data: { status: 'PUBLISHED' } });
    const published = await get(hub, '/download/observations.csv', { ...admin, 'if-none-match': tag });
    expect(published.status).toBe(200);
    expect(rowsOf(await published.text()).find((r) => r.value === '555')?.status).toBe('PUBLISHED');
  } finally {
    await hub.db.prisma.submission.updateMany({ where: { countryId: deu.id }, data: { status: 'VALIDATED' } });
    await hub.db.prisma.submission.update({ where: { id: ahead!.id }, data: { updatedAt: ahead!.updatedAt } });
  }
});

test('the XLSX download holds the same rows, numbers as numbers and text as text', async () => {
  const csv = rowsOf((await download('/download/observations.csv')).text);
  const res = await get(hub, '/download/observations.xlsx');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const values = sheet.getSheetValues().filter(Boolean) as unknown[][];
  const [header, ...rows] = values.map((r) => r.slice(1));
  expect(header).toEqual(Object.keys(csv[0]!));
  expect(rows).toHaveLength(csv.length);
  expect(typeof rows[0]![3]).toBe('number');
  // The same observations; in XLSX the note stays the text it is (a text cell is never evaluated).
  const asCsv = rows.map((r) =>
    Object.fromEntries((header as string[]).map((h, i) => [h, r[i] == null ? '' : String(r[i])])),
  );
  expect(asCsv.map((r) => ({ ...r, note: r.note!.replace(/^=/, "'=") }))).toEqual(csv);
  expect(rows[1]![9]).toBe('=HYPERLINK("http://evil.example","x")');
  expect(sheet.getCell('J3').type).toBe(ExcelJS.ValueType.String);
});

test('a download re-imports through importSubmissions into an empty hub and downloads again identically', async () => {
  const first = (await download('/download/observations.csv')).text;
  const copy = await startHub();
  try {
    const token = await copy.token('ADMIN');
    const result = data(
      await copy.gql<
        {
          importSubmissions: {
            ok: boolean;
            submissionsWritten: number;
            observationsWritten: number;
            problems: unknown[];
          };
        },
        { input: { csv: string } }
      >(
        `mutation Import($input: ImportSubmissionsInput!) {
          importSubmissions(input: $input) { ok submissionsWritten observationsWritten problems { line column message } }
        }`,
        { input: { csv: first } },
        { token },
      ),
    );
    expect(result.importSubmissions).toMatchObject({ ok: true, submissionsWritten: 3, observationsWritten: 6 });
    const second = (await copy.api.fetch('http://hub.test/download/observations.csv')).text();
    expect(await second).toBe(first);
  } finally {
    await copy.close();
  }
});

test('the catalogue download re-imports with nothing created or updated', async () => {
  const { res, text } = await download('/download/catalogue.json');
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const catalogue = JSON.parse(text);
  expect(catalogue.indicators.map((i: { code: string }) => i.code)).toContain('IMM_STOCK');
  const report = await importCatalogue(hub.db.prisma, parseCatalogue(text), CLI_ACTOR);
  const changed = Object.entries(report).filter(([, c]) => c.created || c.updated);
  expect(changed).toEqual([]);
  expect(Object.values(report).reduce((n, c) => n + c.unchanged, 0)).toBeGreaterThan(50);
  const etag = res.headers.get('etag')!;
  expect((await get(hub, '/download/catalogue.json', { 'if-none-match': etag })).status).toBe(304);
});

test('over a real socket: the CSV streams chunked, gzipped when asked, and HEAD answers the headers only', async () => {
  const { listen } = await import('../../src/http/server.js');
  const { pino } = await import('pino');
  const { loadConfig } = await import('../../src/platform/config.js');
  const { request } = await import('node:http');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  const server = await listen({ config, db: hub.db, logger: pino({ level: 'silent' }) });
  const { port } = server.address() as import('node:net').AddressInfo;
  const fetchRaw = (path: string, method: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    const plain = (await download('/download/observations.csv')).text;
    const zipped = await fetchRaw('/download/observations.csv', 'GET', { 'accept-encoding': 'gzip' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['transfer-encoding']).toBe('chunked');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(plain);
    const head = await fetchRaw('/download/observations.csv', 'HEAD', {});
    expect(head.status).toBe(200);
    expect(head.headers.etag).toMatch(/^W\//);
    expect(head.body.length).toBe(0);
    const sdmx = await fetchRaw(
      '/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/A.756.IMM_STOCK.*?c[TIME_PERIOD]=ge:2015+le:2020',
      'GET',
      {},
    );
    expect(sdmx.status).toBe(200);
    expect(Object.keys(JSON.parse(sdmx.body.toString('utf8')).data.dataSets[0].series)).toHaveLength(4);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
