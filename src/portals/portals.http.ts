// The portal interfaces served beside /graphql (CONTRACT §10): SDMX REST 2.0 under /sdmx/v2 and the bulk downloads
// under /download. A Yoga plugin answers these paths before GraphQL handling (as /ready does), so they share the
// server, its CORS and logging. Every answer reads only what the caller may see (the visibility rule of
// submissions/visibility.ts; anonymous callers: PUBLISHED), carries an ETag and answers If-None-Match with 304.
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import type { Plugin } from 'graphql-yoga';
import { negotiateChoice, refusedParameters, type Choice, type Offer } from './accept.js';
import { authenticateHeader } from '../access/tokens.js';
import { exportCatalogue } from '../catalogue/catalogue.export.js';
import { countryKey } from '../geography/m49.js';
import { csvRecord } from '../platform/csv.js';
import type { App, Viewer } from '../platform/context.js';
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../platform/errors.js';
import { readDataVersion } from '../platform/data-version.js';
import { VersionedCache } from '../platform/versioned-cache.js';
import { availabilityData } from './sdmx.availability.js';
import { settledFeedTime } from '../submissions/changes.js';
import { visibilityOf, type Visibility } from '../submissions/visibility.js';
import {
  BASE_COLUMNS,
  dataVersion,
  downloadRows,
  variableColumns,
  type DownloadFilter,
  type DownloadRow,
} from './downloads.service.js';
import {
  decoded,
  checkParameters,
  dataCsvRows,
  type CsvOptions,
  dataMessageData,
  findDeletions,
  findObservations,
  noResults,
  notImplemented,
  parseDataQuery,
  SdmxError,
  STRUCTURE_PARAMETERS,
  syntaxError,
} from './sdmx.data.js';
import {
  AGENCY,
  ARTEFACTS,
  DATA_SCHEMA,
  DATAFLOW,
  loadDsd,
  STRUCTURE_SCHEMA,
  STRUCTURE_TYPES,
  StructureQueryError,
  structureQueryData,
  VERSION,
} from './sdmx.structure.js';

export const MEDIA = {
  sdmxData: 'application/vnd.sdmx.data+json;version=2.0.0',
  sdmxCsv: 'application/vnd.sdmx.data+csv;version=2.0.0',
  sdmxStructure: 'application/vnd.sdmx.structure+json;version=2.0.0',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
};

type FetchAPI = { Response: typeof Response };

export const isSdmxPath = (path: string) => path === '/sdmx/v2' || path.startsWith('/sdmx/v2/');

/** A refusal before any body is produced: status, and a message naming the parameter. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function portalRoutes(app: App): Plugin {
  // SDMX answers kept under the data version, as GraphQL answers are (src/http/response-cache.ts), per visibility.
  const cache = app.config.responseCache.enabled
    ? new VersionedCache<{ body: string }>(app.config.responseCache.maxBytes)
    : undefined;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const path = url.pathname;
      const isSdmx = isSdmxPath(path);
      const isDownload = path.startsWith('/download/');
      if (!isSdmx && !isDownload) return;
      const api = fetchAPI as unknown as FetchAPI;
      // A refusal in the format the path speaks: an SDMX client parses SDMX error messages (whose code is the HTTP
      // status for these), a download client the JSON error.
      const refuse = (status: number, title: string, detail: string, headers: Record<string, string> = {}) =>
        endResponse(
          isSdmx
            ? sdmxErrorResponse(api, new SdmxError(status, status, title, detail), headers, path)
            : api.Response.json({ error: detail }, { status, headers }),
        );
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        refuse(405, 'Method Not Allowed', `${request.method} is not served here: only GET and HEAD`, {
          allow: 'GET, HEAD',
        });
        return;
      }
      try {
        const viewer = await viewerOf(app, request, isSdmx);
        const visibility = visibilityOf(viewer);
        // A query of what changed after a time (`updatedAfter`, SDMX or download) waits for the commits of the changes
        // stamped so far, before anything is read (an ETag's or the cache's version too), and its answer says the time
        // it is complete through (settledFeedTime). Not a condition on LAST_UPDATE: that attribute is the time a
        // version was written, before its commit, so it is a filter, not a way to keep in sync.
        const settled = url.searchParams.has('updatedAfter') ? await settledFeedTime(app.db.prisma) : undefined;
        const response = isSdmx
          ? await sdmx(app, api, request, url, visibility, cache, settled)
          : await download(app, api, request, url, visibility);
        if (settled) response.headers.set(COMPLETE_THROUGH_HEADER, settled.toISOString());
        endResponse(request.method === 'HEAD' ? new api.Response(null, response) : response);
      } catch (err) {
        if (err instanceof SdmxError) {
          endResponse(sdmxErrorResponse(api, err, {}, path));
        } else if (err instanceof HttpError) {
          endResponse(api.Response.json({ error: err.message }, { status: err.status }));
        } else if (isDatabaseUnavailable(err)) {
          // An outage, not a bug: the client is told to retry, as GraphQL tells it with SERVICE_UNAVAILABLE.
          app.logger.warn({ err, path }, 'database unavailable');
          refuse(503, 'Service Unavailable', DATABASE_UNAVAILABLE);
        } else {
          app.logger.error({ err, path }, 'portal request failed');
          refuse(500, 'Internal Server Error', 'Unexpected error.');
        }
      }
    },
    // An SDMX error made before this plugin ran (the rate limiter's 429, src/http/rate-limit.ts, which does not
    // pass the path) is a data message; on a path answering structure messages it becomes a structure message.
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const path = new URL(request.url).pathname;
      if (response.status < 400 || sdmxMessageKind(path) !== 'structure') return;
      if (response.headers.get('content-type') !== MEDIA.sdmxData || response.headers.has('content-encoding')) return;
      const body = (await response.json()) as { meta?: { schema?: string } };
      if (body.meta) body.meta.schema = STRUCTURE_SCHEMA;
      const headers = new Headers(response.headers);
      headers.set('content-type', MEDIA.sdmxStructure);
      headers.delete('content-length');
      const api = fetchAPI as unknown as FetchAPI;
      setResponse(new api.Response(JSON.stringify(body), { status: response.status, headers }));
    },
  };
}

/**
 * The SDMX-JSON message type a path answers, and so its errors: structure and availability queries answer structure
 * messages, every other SDMX path data messages.
 */
export function sdmxMessageKind(path: string): 'structure' | 'data' {
  return /^\/sdmx\/v2\/(structure|availability)(\/|$)/.test(path) ? 'structure' : 'data';
}

/**
 * What the HTTP server answers a POST without Content-Length on an SDMX path, before the request reaches Yoga
 * (src/http/server.ts refuses such requests with 411 to protect its body cap): the 405 every other POST there gets,
 * as an SDMX error message with Allow, since SDMX paths read no body. Null for any other path.
 */
export function sdmxBodylessPost(
  path: string,
): { status: number; headers: Record<string, string>; body: string } | null {
  if (!isSdmxPath(path)) return null;
  const kind = sdmxMessageKind(path);
  return {
    status: 405,
    headers: { allow: 'GET, HEAD', 'content-type': kind === 'structure' ? MEDIA.sdmxStructure : MEDIA.sdmxData },
    body: JSON.stringify(
      sdmxErrorBody(new SdmxError(405, 405, 'Method Not Allowed', 'POST is not served here: only GET and HEAD'), kind),
    ),
  };
}

async function viewerOf(app: App, request: Request, isSdmx: boolean): Promise<Viewer | null> {
  // As on /graphql, in the same words: a bad token is reported, never silently read as anonymous.
  const { viewer, refused } = await authenticateHeader(app.db.prisma, request.headers.get('authorization'));
  if (refused) throw isSdmx ? new SdmxError(401, 110, 'Unauthorized', refused) : new HttpError(401, refused);
  return viewer;
}

const visibilityKey = (v: Visibility) => (v.kind === 'OWN_COUNTRY' ? `OWN:${v.countryId}` : v.kind);

const etagOf = (...parts: string[]) =>
  `W/"${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32)}"`;

/** Whether If-None-Match names this ETag (or `*`); weak comparison, as RFC 9110 has it for GET. */
function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag));
}

const acceptsGzip = (request: Request) => /\bgzip\b/i.test(request.headers.get('accept-encoding') ?? '');

function cacheHeaders(etag: string): Record<string, string> {
  // Answers depend on the caller's token: shared caches must not reuse them across callers.
  return { etag, 'cache-control': 'private, no-cache', vary: 'Authorization, Accept, Accept-Encoding' };
}

/** A pull-based web stream over an async iterable: the producer runs only as fast as the client reads. */
function webStream(source: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** A complete body (a few MB at most), gzipped when the client accepts it. */
async function smallBody(
  api: FetchAPI,
  request: Request,
  body: string,
  status: number,
  headers: Record<string, string>,
): Promise<Response> {
  if (!acceptsGzip(request) || body.length < 1024) return new api.Response(body, { status, headers });
  const gz = Readable.from([Buffer.from(body)]).pipe(createGzip());
  return new api.Response(webStream(gz), { status, headers: { ...headers, 'content-encoding': 'gzip' } });
}

// ---------------------------------------------------------------------------------------------------------------
// SDMX REST 2.0

/** The message's header; `prepared`, for an answer of what changed after a time, the time it is complete through. */
function sdmxMeta(schema: string, prepared = new Date()) {
  return {
    schema,
    id: `IREF${randomBytes(8).toString('hex')}`,
    test: false,
    prepared: prepared.toISOString(),
    contentLanguages: ['en'],
    sender: { id: AGENCY, name: 'Migration Statistics Hub' },
  };
}

/** The body of an SDMX-JSON 2.0.0 error message of `kind` (a data or a structure message, with its schema). */
function sdmxErrorBody(err: SdmxError, kind: 'structure' | 'data') {
  return {
    meta: sdmxMeta(kind === 'structure' ? STRUCTURE_SCHEMA : DATA_SCHEMA),
    errors: [
      {
        code: err.code,
        title: err.title,
        titles: { en: err.title },
        detail: err.message,
        details: { en: err.message },
      },
    ],
  };
}

/**
 * An SDMX-JSON 2.0.0 error message: a structure message on the paths answering those (`path`, see sdmxMessageKind),
 * else a data message; also the rate limiter's 429 on /sdmx/v2 (src/http/rate-limit.ts), without a path.
 */
export function sdmxErrorResponse(
  api: FetchAPI,
  err: SdmxError,
  headers: Record<string, string> = {},
  path?: string,
): Response {
  const kind = path === undefined ? 'data' : sdmxMessageKind(path);
  return new api.Response(JSON.stringify(sdmxErrorBody(err, kind)), {
    status: err.status,
    headers: { ...headers, 'content-type': kind === 'structure' ? MEDIA.sdmxStructure : MEDIA.sdmxData },
  });
}

/** Path segments after the resource; the dataflow must be ours (`*`/`~`/`latest` stand for it too). */
function checkFlow(agency: string | undefined, id: string | undefined, version: string | undefined) {
  const ok = (v: string | undefined, want: string) => v === undefined || v === want || v === '*';
  if (!ok(agency, AGENCY) || !ok(id, DATAFLOW) || !(ok(version, VERSION) || version === '~' || version === 'latest')) {
    throw noResults(
      `No dataflow ${agency ?? '*'}:${id ?? '*'}(${version ?? '*'}); this service has ${AGENCY}:${DATAFLOW}(${VERSION})`,
    );
  }
}

/** The body kept for the data version, visibility and URL, or `compute`d (after reading the version) and kept. */
async function kept(
  app: App,
  cache: VersionedCache<{ body: string }> | undefined,
  key: string,
  compute: () => Promise<string>,
): Promise<string> {
  if (!cache) return compute();
  const version = await readDataVersion(app.db.prisma);
  const hit = cache.get(version, key);
  if (hit) return hit.body;
  const body = await compute();
  cache.set(version, key, { body }, key.length + body.length);
  return body;
}

/**
 * On an answer to an `updatedAfter` query (SDMX or download; 204 and 304 included): the time the answer is complete
 * through, by the database's clock, which a client sends back as its next `updatedAfter` (SDMX messages also carry it
 * as meta.prepared).
 */
export const COMPLETE_THROUGH_HEADER = 'migstat-complete-through';

async function sdmx(
  app: App,
  api: FetchAPI,
  request: Request,
  url: URL,
  visibility: Visibility,
  cache: VersionedCache<{ body: string }> | undefined,
  settled: Date | undefined,
): Promise<Response> {
  const keyOf = (format: string) => `${visibilityKey(visibility)}\n${format}\n${url.href}`;
  const segments = url.pathname.split('/').slice(3).map(decoded); // after /sdmx/v2
  const [resource, type, agency, id, version, key, ...rest] = segments;
  if (resource === 'structure' && type && (type === '*' || STRUCTURE_TYPES.includes(type)) && rest.length === 0) {
    // structure/{type}/{agencyID}/{resourceID}/{version}/{itemID}: each a `,` list, `*` for any; absent or empty,
    // the defaults (`*`, and `~` for the version).
    const list = (segment: string | undefined, fallback: string) => (segment ? segment.split(',') : [fallback]);
    const references = structureReferences(request, url);
    const query = {
      type,
      agencies: list(agency, '*'),
      ids: list(id, '*'),
      versions: list(version, '~'),
      items: key ? key.split(',') : null,
      references: references.split(','),
    };
    const text = await kept(app, cache, keyOf('structure'), async () => {
      let data: Record<string, unknown[]>;
      try {
        data = structureQueryData(await loadDsd(app.db.prisma), query);
      } catch (err) {
        if (!(err instanceof StructureQueryError)) throw err;
        throw err.status === 400
          ? syntaxError(err.message)
          : err.status === 501
            ? notImplemented(err.message)
            : noResults(err.message);
      }
      if (!Object.keys(data).length) {
        const served = Object.keys(ARTEFACTS).join(', ');
        throw noResults(
          `No ${type === '*' ? 'structure' : type} ${agency || '*'}:${id || '*'}(${version || '~'})${key ? ` with item(s) ${key}` : ''}; ` +
            `this service has ${AGENCY}'s ${VERSION} ${served} artefacts (e.g. ${AGENCY}:${DATAFLOW}(${VERSION}))`,
        );
      }
      return JSON.stringify(data);
    });
    return structureMessage(api, request, text);
  }
  if (resource === 'availability' && type === 'dataflow' && rest.length <= 1) {
    checkFlow(agency, id, version);
    negotiated(request, STRUCTURE_OFFERS, [MEDIA.sdmxStructure]);
    // An empty answer is kept as "" and answered 204 (sdmx.availability.ts).
    const text = await kept(app, cache, keyOf('availability'), async () => {
      const data = await availabilityData(app.db.prisma, await loadDsd(app.db.prisma), key, rest[0], url, visibility);
      return data ? JSON.stringify(data) : '';
    });
    return structureMessage(api, request, text, settled);
  }
  if (resource === 'data' && type === 'dataflow' && rest.length === 0) {
    checkFlow(agency, id, version);
    const { format, csv } = dataFormat(request, url);
    // The CSV body, or the JSON message's data (its meta, an id and a time, is made per answer); "" when the query
    // (its codes all known: an unknown one is a 404 from parseDataQuery, CONTRACT §10) matches nothing.
    const text = await kept(app, cache, keyOf(format === 'csv' ? csvMediaType(csv) : format), async () => {
      const dsd = await loadDsd(app.db.prisma);
      const query = parseDataQuery(dsd, key, url.searchParams, url.search.replace(/^\?/, ''));
      const observations = await findObservations(app.db.prisma, dsd, query, visibility);
      const deleted = await findDeletions(app.db.prisma, dsd, query, visibility);
      if (!observations.length && !deleted.length) return '';
      return format === 'csv'
        ? stringify(dataCsvRows(dsd, observations, deleted, query.view, csv), { record_delimiter: '\r\n' })
        : JSON.stringify(dataMessageData(dsd, observations, app.config.publicUrl ?? url.origin, deleted, query.view));
    });
    if (format === 'csv') {
      const etag = etagOf('sdmx-csv', text);
      const early = bodiless(api, request, text, etag);
      if (early) return early;
      return smallBody(api, request, text, 200, { 'content-type': csvMediaType(csv), ...cacheHeaders(etag) });
    }
    const etag = etagOf('sdmx-json', text);
    const early = bodiless(api, request, text, etag);
    if (early) return early;
    const body = `{"meta":${JSON.stringify(sdmxMeta(DATA_SCHEMA, settled))},"data":${text}}`;
    return smallBody(api, request, body, 200, { 'content-type': MEDIA.sdmxData, ...cacheHeaders(etag) });
  }
  throw new SdmxError(404, 100, 'No Results Found', `Not an SDMX REST 2.0 resource of this service: ${url.pathname}`);
}

/** The options SDMX-CSV 2.0.0 takes in the media type (sdmx-csv data-message field guide, "Optional parameters"). */
const CSV_PARAMS = {
  labels: ['id', 'name', 'both'],
  keys: ['none', 'obs', 'series', 'both'],
  // `normalized` (ISO 8601 at the most granular frequency of the message) is not implemented: a 406 names it.
  timeformat: ['original'],
};

const DATA_OFFERS: Offer<'json' | 'csv'>[] = [
  { type: 'application/vnd.sdmx.data+json', version: '2.0.0', value: 'json' },
  { type: 'application/json', value: 'json' },
  { type: 'application/vnd.sdmx.data+csv', version: '2.0.0', params: CSV_PARAMS, value: 'csv' },
  // RFC 4180's header parameter: the header row is always there.
  { type: 'text/csv', params: { ...CSV_PARAMS, header: ['present'] }, value: 'csv' },
];

const STRUCTURE_OFFERS: Offer<'json'>[] = [
  { type: 'application/vnd.sdmx.structure+json', version: '2.0.0', value: 'json' },
  { type: 'application/json', value: 'json' },
];

/** A structure query's Accept and parameters checked (406, 400, 501 naming them); its `references` (a `,` list). */
function structureReferences(request: Request, url: URL): string {
  negotiated(request, STRUCTURE_OFFERS, [MEDIA.sdmxStructure]);
  checkParameters(null, url.searchParams, ['references'], STRUCTURE_PARAMETERS);
  return url.searchParams.get('references') ?? 'none';
}

/**
 * The answer without a body, if any: 304 when the client holds `etag`; 204 when the result `text` is empty, with the
 * ETag and cache headers of any answer. SDMX REST (sdmx-rest doc/status.md:10): "If the result from the query is
 * empty, the web service should return this code. `204` is preferred to `404` in this case, as a lack of results
 * matching a query is an “empty but still healthy state”."
 */
function bodiless(api: FetchAPI, request: Request, text: string, etag: string): Response | null {
  if (notModified(request, etag)) return new api.Response(null, { status: 304, headers: cacheHeaders(etag) });
  if (text === '') return new api.Response(null, { status: 204, headers: cacheHeaders(etag) });
  return null;
}

/** The structure message whose `data` is `text`, or its bodiless answer (an empty availability answer: 204). */
async function structureMessage(api: FetchAPI, request: Request, text: string, prepared?: Date): Promise<Response> {
  const etag = etagOf('structure', text);
  const early = bodiless(api, request, text, etag);
  if (early) return early;
  const body = `{"meta":${JSON.stringify(sdmxMeta(STRUCTURE_SCHEMA, prepared))},"data":${text}}`;
  return smallBody(api, request, body, 200, { 'content-type': MEDIA.sdmxStructure, ...cacheHeaders(etag) });
}

/** The format Accept prefers among `offers` (quality values and SDMX versions count); 406 naming what is served. */
function negotiated<T>(request: Request, offers: Offer<T>[], served: string[]): T {
  return negotiatedChoice(request, offers, served).value;
}

/** negotiated, with the parameters of the chosen range; a 406 names the parameters that kept a range from matching. */
function negotiatedChoice<T>(request: Request, offers: Offer<T>[], served: string[]): Choice<T> {
  const accept = request.headers.get('accept');
  const choice = negotiateChoice(accept, offers);
  if (choice != null) return choice;
  const refused = refusedParameters(accept, offers);
  const why = refused.length ? `; not served: ${refused.join('; ')}` : '';
  throw new SdmxError(406, 406, 'Not Acceptable', `Accept: "${accept}" accepts none of ${served.join(', ')}${why}`);
}

/**
 * `?format=` wins over Accept; SDMX-JSON unless the client prefers CSV. For CSV, the SDMX-CSV options of the range
 * that chose it (with `?format=sdmx-csv`, of the header's CSV range if it has one).
 */
function dataFormat(request: Request, url: URL): { format: 'json' | 'csv'; csv: CsvOptions } {
  const format = url.searchParams.get('format');
  const served = [MEDIA.sdmxData, MEDIA.sdmxCsv];
  let choice: Choice<'json' | 'csv'>;
  if (format != null) {
    const value =
      format === 'sdmx-json' || format === 'json' ? 'json' : format === 'sdmx-csv' || format === 'csv' ? 'csv' : null;
    if (!value) throw new SdmxError(406, 406, 'Not Acceptable', `format: "${format}" is not sdmx-json or sdmx-csv`);
    const offers = DATA_OFFERS.filter((o) => o.value === value);
    const accept = request.headers.get('accept');
    const chosen = negotiateChoice(accept, offers);
    // The format overrides the media type, not the CSV options Accept gives: those not served are still refused.
    if (chosen) choice = chosen;
    else if (value === 'csv' && refusedParameters(accept, offers).length)
      choice = negotiatedChoice(request, offers, served);
    else choice = { value, params: {} };
  } else {
    choice = negotiatedChoice(request, DATA_OFFERS, served);
  }
  const p = choice.params;
  return {
    format: choice.value,
    csv: {
      labels: (p.labels?.toLowerCase() ?? 'id') as CsvOptions['labels'],
      keys: (p.keys?.toLowerCase() ?? 'none') as CsvOptions['keys'],
    },
  };
}

/** The SDMX-CSV media type of an answer, naming the options other than the defaults. */
function csvMediaType(options: CsvOptions): string {
  return `${MEDIA.sdmxCsv}${options.labels !== 'id' ? `;labels=${options.labels}` : ''}${options.keys !== 'none' ? `;keys=${options.keys}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk downloads

async function download(
  app: App,
  api: FetchAPI,
  request: Request,
  url: URL,
  visibility: Visibility,
): Promise<Response> {
  const prisma = app.db.prisma;
  const file = url.pathname.slice('/download/'.length);
  if (file === 'catalogue.json') {
    const body = `${JSON.stringify(await exportCatalogue(prisma), null, 2)}\n`;
    const etag = etagOf('catalogue', body);
    if (notModified(request, etag)) return new api.Response(null, { status: 304, headers: cacheHeaders(etag) });
    return smallBody(api, request, body, 200, {
      'content-type': MEDIA.json,
      'content-disposition': 'attachment; filename="catalogue.json"',
      ...cacheHeaders(etag),
    });
  }
  if (file !== 'observations.csv' && file !== 'observations.xlsx') {
    throw new HttpError(
      404,
      `No download ${url.pathname}: /download/observations.csv, observations.xlsx, catalogue.json`,
    );
  }
  const filter = await downloadFilter(app, url.searchParams);
  const etag = etagOf(
    file,
    await dataVersion(prisma, visibility),
    visibilityKey(visibility),
    canonicalParams(url.searchParams),
  );
  if (notModified(request, etag)) return new api.Response(null, { status: 304, headers: cacheHeaders(etag) });
  const variables = await variableColumns(prisma);
  const header = [...BASE_COLUMNS, ...variables];
  const rows = downloadRows(prisma, visibility, filter, variables);
  const headers = { ...cacheHeaders(etag), 'content-disposition': `attachment; filename="${file}"` };
  if (file === 'observations.xlsx') {
    return new api.Response(webStream(xlsxStream(header, rows)), {
      status: 200,
      headers: { ...headers, 'content-type': MEDIA.xlsx },
    });
  }
  const csv = csvChunks(header, rows);
  if (acceptsGzip(request)) {
    const gz = Readable.from(csv).pipe(createGzip());
    return new api.Response(webStream(gz), {
      status: 200,
      headers: { ...headers, 'content-type': MEDIA.csv, 'content-encoding': 'gzip' },
    });
  }
  return new api.Response(webStream(csv), { status: 200, headers: { ...headers, 'content-type': MEDIA.csv } });
}

function canonicalParams(params: URLSearchParams): string {
  return ['indicator', 'country', 'from', 'to', 'updatedAfter'].map((k) => `${k}=${params.get(k) ?? ''}`).join('&');
}

async function downloadFilter(app: App, params: URLSearchParams): Promise<DownloadFilter> {
  const prisma = app.db.prisma;
  const unknownParam = [...params.keys()].find(
    (k) => !['indicator', 'country', 'from', 'to', 'updatedAfter'].includes(k),
  );
  if (unknownParam)
    throw new HttpError(400, `${unknownParam}: not a parameter (indicator, country, from, to, updatedAfter)`);
  // Each filter takes one value: a repeated one would otherwise be read as its first and the rest dropped.
  const repeated = [...new Set(params.keys())].find((k) => params.getAll(k).length > 1);
  if (repeated) throw new HttpError(400, `${repeated}: given more than once`);
  const year = (name: string) => {
    const text = params.get(name);
    if (text == null) return null;
    if (!/^\d{1,4}$/.test(text.trim())) throw new HttpError(400, `${name}: "${text}" is not a year`);
    return Number(text);
  };
  const filter: DownloadFilter = { from: year('from'), to: year('to') };
  if (filter.from != null && filter.to != null && filter.from > filter.to) {
    throw new HttpError(400, `from (${filter.from}) is after to (${filter.to})`);
  }
  const indicator = params.get('indicator');
  if (indicator != null) {
    const row = await prisma.indicator.findUnique({ where: { code: indicator.trim() }, select: { id: true } });
    if (!row) throw new HttpError(404, `indicator: no indicator with code "${indicator}"`);
    filter.indicatorId = row.id;
  }
  const country = params.get('country');
  if (country != null) {
    const row = await prisma.country.findUnique({ where: countryKey(country), select: { id: true } });
    if (!row) throw new HttpError(404, `country: no country with M49 or ISO3 code "${country}"`);
    filter.countryId = row.id;
  }
  const updated = params.get('updatedAfter');
  if (updated != null) {
    const text = updated.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
    const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? new Date(text) : null;
    if (!at || Number.isNaN(at.getTime())) {
      throw new HttpError(400, `updatedAfter: "${updated}" is not an ISO-8601 date-time (e.g. 2026-01-31T00:00:00Z)`);
    }
    filter.updatedAfter = at;
  }
  return filter;
}

/** The download as CSV: the writer every CSV of the hub goes through (formula-leading text escaped, numbers kept). */
async function* csvChunks(header: string[], pages: AsyncIterable<DownloadRow[]>): AsyncGenerator<string> {
  yield csvRecord(header);
  for await (const page of pages) yield page.map(csvRecord).join('');
}

/**
 * The same rows as an XLSX workbook, written by exceljs's streaming WorkbookWriter: rows are committed as they are
 * produced, and each page waits until the client has read what came before, so the workbook never sits in memory.
 * Text stays text cells (never formulas), numbers are numbers.
 */
async function* xlsxStream(header: string[], pages: AsyncIterable<DownloadRow[]>): AsyncGenerator<Uint8Array> {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  // Loaded on the first XLSX download, not at startup (see platform/tabular.ts).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('observations');
  const writing = (async () => {
    sheet.addRow(header).commit();
    for await (const page of pages) {
      for (const row of page) sheet.addRow(row).commit();
      // Backpressure: let the reader catch up before producing the next page.
      while (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
    }
    sheet.commit();
    await workbook.commit();
  })();
  let failure: unknown = null;
  writing.catch((err: unknown) => {
    failure = err;
    out.destroy(err as Error);
  });
  for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
  await writing;
  if (failure) throw failure;
}
