// SDMX REST 2.0 data queries over the hub (CONTRACT §10): the key (`*` wildcard, `,` between alternatives), the
// `c[TIME_PERIOD]` component filter and `updatedAfter` (with what was deleted since, as SDMX REST asks), answered with
// the caller's country values (the §4 rule for every observation key, coverage.service `countryValueObservations`) as
// SDMX-JSON 2.0.0 or SDMX-CSV 2.0.0.
import { Prisma } from '../../prisma/generated/prisma/client.js';
import { countableVersions, countryValueObservations, yearCondition } from '../coverage/coverage.service.js';
import type { PrismaClient } from '../platform/db.js';
import { dimensionsOf } from '../submissions/submissions.import.js';
import { keysChangedSince, visibleFeedEntry, type Visibility } from '../submissions/visibility.js';
import { AGENCY, DATAFLOW, DSD, NOT_APPLICABLE, TOTAL, VERSION, urn, type Dsd } from './sdmx.structure.js';

/** A refusal in SDMX terms: the HTTP status and the SDMX web-service error code. */
export class SdmxError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

export const noResults = (detail: string) => new SdmxError(404, 100, 'No Results Found', detail);
export const semanticError = (detail: string) => new SdmxError(400, 150, 'Semantic Error', detail);
export const syntaxError = (detail: string) => new SdmxError(400, 140, 'Syntax Error', detail);
export const notImplemented = (detail: string) => new SdmxError(501, 501, 'Not Implemented', detail);

/**
 * A query parameter of SDMX REST the hub knows but does not implement: accepted at the values that describe what the
 * hub answers anyway (`served`, the default first), so a 200 always means the parameter was honoured; any other
 * well-formed value is a 501, a malformed one a 400.
 */
interface Unimplemented {
  served: string[];
  valid: (value: string, dsd: Dsd | null) => boolean;
}

const positive = (v: string) => /^[1-9]\d*$/.test(v);
const anything = () => true;

/**
 * SDMX REST data query parameters the hub knows but does not implement. `offset`, `limit`, `sort`, `asOf` and
 * `reportingYearStartDay` came with SDMX REST 2.2.0; the hub serves 2.0.0, which has none of them.
 */
const DATA_PARAMETERS: Record<string, Unimplemented> = {
  includeHistory: { served: ['false'], valid: (v) => v === 'true' },
  offset: { served: ['0'], valid: positive },
  limit: { served: [], valid: positive },
  sort: { served: [], valid: anything },
  asOf: { served: [], valid: anything },
  reportingYearStartDay: { served: [], valid: anything },
};

/** SDMX REST 2.0 structure query parameters besides `references`. */
export const STRUCTURE_PARAMETERS: Record<string, Unimplemented> = {
  detail: {
    served: ['full'],
    valid: (v) =>
      ['allstubs', 'referencestubs', 'allcompletestubs', 'referencecompletestubs', 'referencepartial', 'raw'].includes(
        v,
      ),
  },
};

/**
 * Refuses every query parameter outside `known` (400) and every value of `unimplemented` the hub does not serve
 * (501), naming the parameter: a parameter is never silently ignored.
 */
export function checkParameters(
  dsd: Dsd | null,
  params: URLSearchParams,
  known: string[],
  unimplemented: Record<string, Unimplemented>,
): void {
  for (const [name, value] of params) {
    if (name.startsWith('c[') && known.includes('c')) continue; // componentFilters reads (and checks) them
    if (params.getAll(name).length > 1) throw syntaxError(`${name}: given more than once`);
    if (known.includes(name)) continue;
    if (name === 'startPeriod' || name === 'endPeriod') {
      throw syntaxError(
        `${name}: not a parameter of SDMX REST 2.0; filter years with c[TIME_PERIOD] (e.g. c[TIME_PERIOD]=ge:2015+le:2020)`,
      );
    }
    const rule = Object.hasOwn(unimplemented, name) ? unimplemented[name] : undefined;
    if (!rule) {
      const all = [...known.map((k) => (k === 'c' ? 'c[…]' : k)), ...Object.keys(unimplemented)];
      throw syntaxError(`${name}: not a parameter (${all.join(', ')})`);
    }
    if (rule.served.includes(value)) continue;
    if (!rule.valid(value, dsd)) throw syntaxError(`${name}: "${value}" is not a valid value`);
    const only = rule.served.length ? `; this service answers ${name}=${rule.served[0]} only` : '';
    throw notImplemented(`${name}=${value} is not implemented${only}`);
  }
}

/** Checks a data query's parameters (see `checkParameters`). */
export const checkDataParameters = (dsd: Dsd, params: URLSearchParams) =>
  checkParameters(
    dsd,
    params,
    [
      'c',
      'updatedAfter',
      'firstNObservations',
      'lastNObservations',
      'dimensionAtObservation',
      'attributes',
      'measures',
      'detail',
      'format',
    ],
    DATA_PARAMETERS,
  );

export interface DataQuery {
  /** Per dimension (key order): the codes asked for, or null for any. */
  key: (Set<string> | null)[];
  /** Reference-year conditions, all of which must hold. */
  time: ((year: number) => boolean)[];
  /** Inclusive bounds implied by `time`, for the statement. */
  window: { from: number; to: number } | null;
  /** Whether `time` says no more than `window` (one range per filter, no `ne`). */
  timeIsWindow: boolean;
  /** Conditions on what an observation carries (`c[OBS_VALUE]`, `c[<attribute>]`), all of which must hold. */
  carried: ((o: SdmxObservation) => boolean)[];
  /** `firstNObservations`, `lastNObservations`: at most this many of each series' first or last years. */
  firstN: number | null;
  lastN: number | null;
  /** How the answer is laid out and what each observation shows. */
  view: DataView;
  updatedAfter: Date | null;
}

export interface DataView {
  /**
   * `dimensionAtObservation`: `TIME_PERIOD` (time series), a dimension's id (cross-sections: series keyed by every
   * other dimension and TIME_PERIOD, observations by that dimension) or `AllDimensions` (see `flat`).
   */
  atObservation: string;
  /** `dimensionAtObservation=AllDimensions`: SDMX-JSON observations keyed by every dimension, not in series. */
  flat: boolean;
  /** `measures`: whether OBS_VALUE is shown (`none`: series keys and attributes only). */
  value: boolean;
  /** `attributes`: the ids of the attributes shown. */
  attributes: Set<string>;
  /**
   * Series keys only: neither a measure nor an attribute is shown (`attributes=none&measures=none`, which SDMX REST
   * 2.0 wrote for 1.x's `detail=serieskeysonly`) in a series view, so the series are listed without observations. A
   * flat view, which has no series, lists the observations' keys instead.
   */
  keysOnly: boolean;
}

/**
 * SDMX REST 1.x's `detail` on data queries, which 2.0 replaced with `attributes` and `measures` (2.0 has no `detail`
 * for data): the values of those it stands for. sdmx-rest's 2.0 documentation rewrote its `detail=serieskeysonly`
 * examples as `attributes=none&measures=none`; `dataonly` is 1.x's "attributes excluded" (`attributes=none`); `nodata`
 * 1.x's series with their attributes but no data, which 2.2's documentation writes `measures=none` ("attributes, but
 * no data"; every attribute here is at observation level, so the observations stay, carrying them). `full` leaves
 * both parameters as they are.
 */
const DETAILS: Record<string, { attributes?: 'none'; measures?: 'none' }> = {
  full: {},
  dataonly: { attributes: 'none' },
  serieskeysonly: { attributes: 'none', measures: 'none' },
  nodata: { measures: 'none' },
};

/**
 * The view the `dimensionAtObservation`, `attributes`, `measures` and `detail` parameters ask for (SDMX REST 2.0).
 * Every attribute of the structure is at observation level and there is no metadata structure, so `dsd`, `obs` and
 * `all` name them all, `dataset`, `series`, `msd` and `none` none of them; several values are a union. `detail`
 * gives the `attributes` and `measures` it stands for (DETAILS); given beside it, one that says otherwise is a 400.
 */
function viewOf(dsd: Dsd, params: URLSearchParams): DataView {
  const at = params.get('dimensionAtObservation') ?? 'TIME_PERIOD';
  if (at !== 'TIME_PERIOD' && at !== 'AllDimensions' && !dsd.dimensions.some((d) => d.id === at)) {
    throw syntaxError(`dimensionAtObservation: "${at}" is not TIME_PERIOD, AllDimensions or a dimension of ${DSD}`);
  }
  const detail = params.get('detail') ?? 'full';
  if (!Object.hasOwn(DETAILS, detail)) {
    throw syntaxError(`detail: "${detail}" is not full, dataonly, serieskeysonly or nodata`);
  }
  const implied = DETAILS[detail]!;
  const ids = dsd.attributes.map((a) => a.id);
  const attributes = new Set<string>();
  for (const part of (params.get('attributes') ?? implied.attributes ?? 'dsd').split(',')) {
    if (['dsd', 'obs', 'all'].includes(part)) ids.forEach((id) => attributes.add(id));
    else if (ids.includes(part)) attributes.add(part);
    else if (!['dataset', 'series', 'msd', 'none'].includes(part)) {
      throw syntaxError(
        `attributes: "${part}" is not dsd, msd, dataset, series, obs, all, none or an attribute (${ids.join(', ')})`,
      );
    }
  }
  const measures = (params.get('measures') ?? implied.measures ?? 'all').split(',');
  const unknown = measures.find((m) => !['all', 'none', 'OBS_VALUE'].includes(m));
  if (unknown !== undefined) throw syntaxError(`measures: "${unknown}" is not all, none or OBS_VALUE`);
  const value = measures.some((m) => m !== 'none');
  if (implied.attributes && attributes.size) {
    throw semanticError(
      `detail=${detail} shows no attributes (attributes=none); attributes=${params.get('attributes')} asks for some`,
    );
  }
  if (implied.measures && value) {
    throw semanticError(
      `detail=${detail} shows no measure (measures=none); measures=${params.get('measures')} asks for OBS_VALUE`,
    );
  }
  const flat = at === 'AllDimensions';
  return { atObservation: at, flat, value, attributes, keysOnly: !flat && !value && !attributes.size };
}

/** SDMX REST's comparisons, on numbers (years, values, instants) and on text (codes, which compare by code point). */
const OPERATORS: Record<string, <T extends number | string>(a: T, b: T) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};
const ORDER_OPERATORS = Object.keys(OPERATORS);
/** And its operators on text. */
const TEXT_OPERATORS: Record<string, (a: string, b: string) => boolean> = {
  ...OPERATORS,
  co: (a, b) => a.includes(b),
  nc: (a, b) => !a.includes(b),
  sw: (a, b) => a.startsWith(b),
  ew: (a, b) => a.endsWith(b),
};

/**
 * A `c[…]` value as SDMX REST writes it: alternatives (",", OR) of terms joined by "+" (AND; a form-decoder turns it
 * into a space), each `[op:]value`.
 */
function alternativesOf(name: string, raw: string): { op: string | null; value: string }[][] {
  return raw.split(',').map((alt) => {
    const terms = alt.split(/[+ ]/).filter(Boolean);
    if (!terms.length) throw syntaxError(`c[${name}]: "${raw}" has an empty alternative`);
    return terms.map((term) => {
      const match = /^(?:([a-z]{2}):)?(.*)$/.exec(term)!;
      return { op: match[1] ?? null, value: match[2]! };
    });
  });
}

/**
 * The condition of `c[OBS_VALUE]` or `c[<attribute>]` on an observation, or null when `name` is neither. Numbers
 * compare as numbers, LAST_UPDATE as instants, the rest as text; an attribute an observation lacks matches only
 * `ne` and `nc`. An unknown code of a coded attribute is a 404, as in the key.
 */
function carriedFilter(dsd: Dsd, name: string, raw: string): ((o: SdmxObservation) => boolean) | null {
  const n = dsd.attributes.findIndex((a) => a.id === name);
  if (name !== 'OBS_VALUE' && n < 0) return null;
  const attribute = dsd.attributes[n];
  const numeric = name === 'OBS_VALUE';
  const isInstant = attribute?.dataType === 'DateTime';
  const allowed = numeric || isInstant ? ORDER_OPERATORS : Object.keys(TEXT_OPERATORS);
  const form = numeric ? 'a number' : isInstant ? 'an ISO-8601 date-time' : 'a value';
  const alternatives = alternativesOf(name, raw).map((terms) =>
    terms.map(({ op, value }) => {
      const operator = op ?? 'eq';
      if (!allowed.includes(operator) || value === '') {
        throw syntaxError(`c[${name}]: "${raw}" is not [op:]${form} with op one of ${allowed.join(', ')}`);
      }
      if (numeric || isInstant) {
        const bound = numeric ? Number(value) : instant(`c[${name}]`, value).getTime();
        if (numeric && (!Number.isFinite(bound) || !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value))) {
          throw syntaxError(`c[${name}]: "${value}" is not ${form}`);
        }
        const read = numeric ? (o: SdmxObservation) => o.value : (o: SdmxObservation) => o.updatedAt.getTime();
        return (o: SdmxObservation) => OPERATORS[operator]!(read(o), bound);
      }
      const codes = attribute!.codelist?.codes;
      if (codes && (operator === 'eq' || operator === 'ne') && !codes.some((c) => c.id === value)) {
        throw noResults(`Unknown code "${value}" for ${name}`);
      }
      return (o: SdmxObservation) => {
        const actual = ATTRIBUTE_VALUES[n]!(o);
        return actual == null ? operator === 'ne' || operator === 'nc' : TEXT_OPERATORS[operator]!(actual, value);
      };
    }),
  );
  return (o) => alternatives.some((terms) => terms.every((holds) => holds(o)));
}

/**
 * Parses the key and the query parameters against the structure. Unknown codes are 404s (SDMX "No Results Found"),
 * never an empty answer; malformed input is a 400 naming the parameter.
 */
export function parseDataQuery(
  dsd: Dsd,
  keyText: string | undefined,
  params: URLSearchParams,
  rawQuery: string,
  // The parameters the query may carry besides c[…] (an availability query has its own).
  check: (dsd: Dsd, params: URLSearchParams) => void = checkDataParameters,
): DataQuery {
  check(dsd, params);
  const dims = dsd.dimensions;
  let key: (Set<string> | null)[];
  if (keyText === undefined || keyText === '' || keyText === '*' || keyText === 'all') {
    key = dims.map(() => null);
  } else {
    const parts = keyText.split('.');
    // A trailing "*" wildcards every remaining dimension (A.756,250.IMM_STOCK.*), as the contract writes keys.
    if (parts.length < dims.length && parts[parts.length - 1] === '*') {
      while (parts.length < dims.length) parts.push('*');
    }
    if (parts.length !== dims.length) {
      throw semanticError(
        `The key has ${parts.length} dimension(s); ${DATAFLOW} has ${dims.length}: ${dims.map((d) => d.id).join('.')}`,
      );
    }
    key = parts.map((part, i) => {
      if (part === '' || part === '*') return null;
      const dimension = dims[i]!;
      const codes = new Set(part.split(',').map((c) => c.trim()));
      if (codes.has('')) throw syntaxError(`The key's ${dimension.id} part "${part}" has an empty alternative`);
      refuseUnknown(dimension, [...codes]);
      return codes;
    });
  }

  const time: ((year: number) => boolean)[] = [];
  const carried: ((o: SdmxObservation) => boolean)[] = [];
  let timeIsWindow = true;
  let from = -Infinity;
  let to = Infinity;
  for (const [name, raw] of componentFilters(rawQuery)) {
    if (name === 'TIME_PERIOD') {
      const alternatives = alternativesOf(name, raw).map((terms) =>
        terms.map(({ op, value }) => {
          const span = op == null || ORDER_OPERATORS.includes(op) ? periodSpan(value) : null;
          if (!span) {
            throw syntaxError(
              `c[TIME_PERIOD]: "${op ? `${op}:` : ''}${value}" is not [op:]period with op one of ${ORDER_OPERATORS.join(', ')}; ` +
                `a period is YYYY, YYYY-MM, YYYY-MM-DD, a date-time YYYY-MM-DDThh:mm:ss (UTC unless a zone is given) or ` +
                `a reporting period YYYY-A1, YYYY-Sn, YYYY-Tn, YYYY-Qn, YYYY-Mnn, YYYY-Wnn, YYYY-Dnnn`,
            );
          }
          if (typeof span === 'string') throw syntaxError(`c[TIME_PERIOD]: "${value}" ${span}`);
          return annualYears(op ?? 'eq', span);
        }),
      );
      time.push((year) => alternatives.some((terms) => terms.every((t) => (year >= t.from && year <= t.to) !== t.not)));
      if (alternatives.length !== 1 || alternatives[0]!.some((t) => t.not)) timeIsWindow = false;
      if (alternatives.length === 1) {
        for (const t of alternatives[0]!.filter((t) => !t.not)) {
          from = Math.max(from, t.from);
          to = Math.min(to, t.to);
        }
      }
      continue;
    }
    const index = dims.findIndex((d) => d.id === name);
    if (index < 0) {
      const filter = carriedFilter(dsd, name, raw);
      if (!filter) {
        const filterable = ['TIME_PERIOD', ...dims.map((d) => d.id), 'OBS_VALUE', ...dsd.attributes.map((a) => a.id)];
        throw semanticError(
          `c[${name}]: ${name} is not a component of ${DSD}; this service filters ${filterable.join(', ')}`,
        );
      }
      carried.push(filter);
      continue;
    }
    // A dimension's code list is finite: the condition is evaluated on each code, giving the codes the key allows.
    const alternatives = alternativesOf(name, raw);
    const known = dims[index]!.codes.map((c) => c.id);
    const terms = alternatives.flat();
    const bad = terms.find((t) => !Object.hasOwn(TEXT_OPERATORS, t.op ?? 'eq') || t.value === '');
    if (bad) {
      const ops = Object.keys(TEXT_OPERATORS).join(', ');
      throw syntaxError(`c[${name}]: "${raw}" is not [op:]code with op one of ${ops}`);
    }
    refuseUnknown(
      dims[index]!,
      terms.filter((t) => ['eq', 'ne'].includes(t.op ?? 'eq')).map((t) => t.value),
    );
    const holds = (code: string) =>
      alternatives.some((all) => all.every((t) => TEXT_OPERATORS[t.op ?? 'eq']!(code, t.value)));
    const previous = key[index];
    key[index] = new Set(known.filter((code) => holds(code) && (!previous || previous.has(code))));
  }

  const updated = params.get('updatedAfter');
  // A "+" offset arrives as a space when the client did not percent-encode it.
  const updatedAfter =
    updated == null ? null : instant('updatedAfter', updated.trim().replace(/ (\d{2}:?\d{2})$/, '+$1'));
  return {
    key,
    time,
    window: from === -Infinity && to === Infinity ? null : { from: Math.max(from, 0), to: Math.min(to, 9999) },
    timeIsWindow,
    carried,
    view: viewOf(dsd, params),
    firstN: count(params, 'firstNObservations'),
    lastN: count(params, 'lastNObservations'),
    updatedAfter,
  };
}

/** A calendar span in milliseconds since the epoch, both ends inclusive to the second (SDMX: a period runs from
 * 00:00:00 of its first day to 23:59:59 of its last). */
interface Span {
  start: number;
  end: number;
}

const DAY = 86_400_000;
/** Date.UTC without its reading of years 0–99 as 1900–1999. */
function utc(year: number, month: number, day: number): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month, day);
  return t.getTime();
}
const spanOf = (start: number, next: number): Span => ({ start, end: next - 1000 });
const yearSpan = (year: number) => spanOf(utc(year, 0, 1), utc(year + 1, 0, 1));

/**
 * The span of an SDMX standard time period (Technical Notes §4.2, the type REST queries filter time with): a
 * Gregorian year, month or day, a date-time (an instant; UTC unless a zone is given), or a reporting period
 * (YYYY-A1, -S1..2, -T1..3, -Q1..4, -M01..12, -W01..53, -D001..366) of a reporting year starting on January 1st (the
 * hub serves no reportingYearStartDay). Null when `text` has none of these forms; a sentence when it has one but
 * names no period (2021-W53, 2023-D366, 2023-02-30).
 */
export function periodSpan(text: string): Span | string | null {
  let m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (m) {
    const [year, month, day] = [Number(m[1]), m[2] && Number(m[2]), m[3] && Number(m[3])];
    if (!month) return yearSpan(year);
    if (month < 1 || month > 12) return null;
    if (!day) return spanOf(utc(year, month - 1, 1), utc(year, month, 1));
    const start = utc(year, month - 1, day);
    if (day < 1 || new Date(start).getUTCMonth() !== month - 1) return 'is not a calendar date';
    return spanOf(start, start + DAY);
  }
  m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (m) {
    const at = Date.parse(m[8] ? text : `${text}Z`);
    const day = utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (Number.isNaN(at) || new Date(day).getUTCDate() !== Number(m[3])) return 'is not a valid date-time';
    return { start: at, end: at };
  }
  m =
    /^(\d{4})-(A1|S[12]|T[1-3]|Q[1-4]|M(?:0[1-9]|1[0-2])|W(?:0[1-9]|[1-4]\d|5[0-3])|D(?:00[1-9]|0[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6]))$/.exec(
      text,
    );
  if (!m) return null;
  const year = Number(m[1]);
  const kind = m[2]![0]!;
  const n = Number(m[2]!.slice(1));
  const months = { A: 12, S: 6, T: 4, Q: 3, M: 1 }[kind];
  if (months) return spanOf(utc(year, (n - 1) * months, 1), utc(year, n * months, 1));
  if (kind === 'D') {
    const start = utc(year, 0, n);
    if (new Date(start).getUTCFullYear() !== year) return `is not a day of ${year}`;
    return spanOf(start, start + DAY);
  }
  // Reporting weeks start on Mondays: week 1 is the one holding the reporting year's first Thursday (ISO 8601).
  const first = utc(year, 0, 1);
  const weekday = (new Date(first).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const base = first + (weekday <= 3 ? -weekday : 7 - weekday) * DAY;
  const start = base + (n - 1) * 7 * DAY;
  if (new Date(start + 3 * DAY).getUTCFullYear() !== year) return `is not a week of ${year}`;
  return spanOf(start, start + 7 * DAY);
}

/**
 * The years (an inclusive range, or all but it with `not`) whose annual period stands in relation `op` to `span`.
 * A period's relation to another is that of their spans (SDMX REST 1.x startPeriod/endPeriod, which c[TIME_PERIOD]
 * replaced: "all data that falls between the calendar dates"): `ge` the year starts at or after the span's start,
 * `le` it ends at or before the span's end, `gt` it starts after the span's end, `lt` it ends before the span's
 * start, `eq` it is the span (2020-A1 and 2020 are the same year; no year equals a month), `ne` it is not.
 */
function annualYears(op: string, span: Span): { from: number; to: number; not: boolean } {
  const yearOf = (t: number) => new Date(t).getUTCFullYear();
  const firstStartingFrom = (t: number) => (yearSpan(yearOf(t)).start >= t ? yearOf(t) : yearOf(t) + 1);
  const lastEndingBy = (t: number) => (yearSpan(yearOf(t)).end <= t ? yearOf(t) : yearOf(t) - 1);
  const year = yearOf(span.start);
  const isYear = yearSpan(year).start === span.start && yearSpan(year).end === span.end;
  switch (op) {
    case 'ge':
      return { from: firstStartingFrom(span.start), to: Infinity, not: false };
    case 'gt':
      return { from: firstStartingFrom(span.end + 1), to: Infinity, not: false };
    case 'le':
      return { from: -Infinity, to: lastEndingBy(span.end), not: false };
    case 'lt':
      return { from: -Infinity, to: lastEndingBy(span.start - 1), not: false };
    case 'ne':
      return isYear ? { from: year, to: year, not: true } : { from: 1, to: 0, not: true };
    default:
      return isYear ? { from: year, to: year, not: false } : { from: 1, to: 0, not: false };
  }
}

/** A 404 naming the codes a key or filter asks for that the dimension's code list lacks (never an empty answer). */
function refuseUnknown(dimension: Dsd['dimensions'][number], codes: string[]): void {
  const unknown = codes.filter((c) => !dimension.codes.some((known) => known.id === c));
  if (unknown.length) {
    throw noResults(`Unknown code(s) ${unknown.map((c) => `"${c}"`).join(', ')} for ${dimension.id}`);
  }
}

/**
 * An ISO-8601 date or date-time (a date-time without a zone is UTC), as `updatedAfter` and `c[LAST_UPDATE]` take it;
 * anything else is a 400 naming `name`.
 */
function instant(name: string, text: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  const date = match ? new Date(match[4] && !match[7] ? `${text}Z` : text) : null;
  // JavaScript rolls 2026-02-30 over to March 2nd: the calendar date must exist as written.
  const day = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  const exists = day && day.getUTCMonth() + 1 === Number(match![2]) && day.getUTCDate() === Number(match![3]);
  if (!date || Number.isNaN(date.getTime()) || !exists) {
    throw syntaxError(`${name}: "${text}" is not an ISO-8601 date-time (e.g. 2026-01-31T00:00:00Z)`);
  }
  return date;
}

/** A positive whole number parameter, or null when absent. */
function count(params: URLSearchParams, name: string): number | null {
  const text = params.get(name);
  if (text == null) return null;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw syntaxError(`${name}: "${text}" is not a whole number from 1 to 999999999`);
  return Number(text);
}

/** `c[ID]=value` parameters, read from the raw query string so that a literal "+" survives. */
function componentFilters(rawQuery: string): [string, string][] {
  const found: [string, string][] = [];
  for (const pair of rawQuery.split('&')) {
    const at = pair.indexOf('=');
    const name = decoded(at < 0 ? pair : pair.slice(0, at));
    if (!name.startsWith('c[')) continue;
    const match = /^c\[([A-Za-z][A-Za-z0-9_]*)\]$/.exec(name);
    if (!match || at < 0) throw syntaxError(`${name}: not c[COMPONENT]=value (e.g. c[TIME_PERIOD]=ge:2010)`);
    if (found.some(([seen]) => seen === match[1])) {
      throw syntaxError(`${name}: given more than once; join alternatives with "," and conditions with "+"`);
    }
    found.push([match[1]!, decoded(pair.slice(at + 1))]);
  }
  return found;
}

/** A percent-decoded query or path part; a malformed escape is a 400, not an internal error. */
export function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw syntaxError(`"${text}" has a malformed percent-escape`);
  }
}

/** What an observation carries besides its key and year: the value and the attributes, as read. */
interface Measured {
  value: number;
  unit: string;
  sourceType: string | null;
  dataSource: string | null;
  residenceCriterion: string | null;
  updatedAt: Date;
}

/** An observation's identity: its series key and year. */
export interface SdmxKey {
  /** Codes in dimension order (without TIME_PERIOD). */
  key: string[];
  year: number;
}

export interface SdmxObservation extends SdmxKey, Measured {}

interface Row extends Measured {
  m49: string;
  indicator: string;
  referenceYear: number;
  dimensionKey: string;
}

/**
 * Data messages are built in memory; above this many candidate observations the query is refused (SDMX 510) with
 * a pointer to the streamed bulk download, rather than holding a world-sized message.
 */
export const MAX_OBSERVATIONS = 250_000;

/** The caller's country values matching the query, ordered by series key and year. */
export async function findObservations(
  prisma: PrismaClient,
  dsd: Dsd,
  query: DataQuery,
  visibility: Visibility,
  maxObservations = MAX_OBSERVATIONS,
): Promise<SdmxObservation[]> {
  const values = countryValuesOf(dsd, query, visibility);
  let kept = values;
  if ((query.firstN != null || query.lastN != null) && query.timeIsWindow && !query.carried.length) {
    // First/last N in the statement when every filter before them is in it too (a series is a country, indicator and
    // breakdown; the years are the window): the service limit then counts what is kept, so every country's latest
    // value (lastNObservations=1) is not refused for the size of every year. endsOfSeries below is then a no-op.
    kept = Prisma.sql`
      SELECT * FROM (
        SELECT v.*,
          row_number() OVER (PARTITION BY v."countryId", v."indicatorId", v."dimensionKey" ORDER BY v."referenceYear")
            AS first_n,
          row_number() OVER (PARTITION BY v."countryId", v."indicatorId", v."dimensionKey"
            ORDER BY v."referenceYear" DESC) AS last_n
        FROM (${values}) v) v
      WHERE v.first_n <= ${query.firstN ?? 0}::int OR v.last_n <= ${query.lastN ?? 0}::int`;
  }
  const rows = await prisma.$queryRaw<Row[]>(Prisma.sql`
    SELECT co.m49, i.code AS indicator, v."referenceYear", v."dimensionKey", v.value, v.unit,
      st.code AS "sourceType", ds.code AS "dataSource", v."residenceCriterion"::text AS "residenceCriterion",
      v."updatedAt"
    FROM (${kept}) v
    JOIN "Country" co ON co.id = v."countryId"
    JOIN "Indicator" i ON i.id = v."indicatorId"
    LEFT JOIN "SourceType" st ON st.id = v."sourceTypeId"
    LEFT JOIN "DataSource" ds ON ds.id = v."dataSourceId"
    LIMIT ${maxObservations + 1}`);
  if (rows.length > maxObservations) throw overServiceLimit(maxObservations);

  const out: SdmxObservation[] = [];
  for (const { m49, indicator, referenceYear, dimensionKey, ...measured } of rows) {
    const key = sdmxKeyOf(dsd, query, { m49, indicator, referenceYear, dimensionKey });
    if (!key) continue;
    const observation = { ...key, ...measured };
    if (query.carried.every((holds) => holds(observation))) out.push(observation);
  }
  out.sort(bySeriesAndYear);
  return query.firstN == null && query.lastN == null ? out : endsOfSeries(out, query.firstN ?? 0, query.lastN ?? 0);
}

/** A series the query answers, without its observations: its key, first and last year, and observation count. */
export interface SdmxSeries {
  key: string[];
  from: number;
  to: number;
  observations: number;
}

/**
 * The series of the caller's country values matching the query, counted in the database rather than read one
 * observation at a time (an availability answer is codes, years and counts: for every country and indicator, a
 * million observations would be past the service limit). Null when a filter needs each observation (a time condition
 * that is not one range, a value or attribute condition): the caller reads them with `findObservations` then.
 */
export async function findSeries(
  prisma: PrismaClient,
  dsd: Dsd,
  query: DataQuery,
  visibility: Visibility,
): Promise<SdmxSeries[] | null> {
  if (!query.timeIsWindow || query.carried.length) return null;
  const values = countryValuesOf(dsd, query, visibility);
  const rows = await prisma.$queryRaw<(KeyRow & { to: number; observations: number })[]>(Prisma.sql`
    SELECT co.m49, i.code AS indicator, v."dimensionKey", min(v."referenceYear")::int AS "referenceYear",
      max(v."referenceYear")::int AS "to", count(*)::int AS observations
    FROM (${values}) v
    JOIN "Country" co ON co.id = v."countryId"
    JOIN "Indicator" i ON i.id = v."indicatorId"
    GROUP BY co.m49, i.code, v."dimensionKey"`);
  return rows.flatMap((row) => {
    const key = sdmxKeyOf(dsd, query, row);
    return key ? [{ key: key.key, from: row.referenceYear, to: row.to, observations: row.observations }] : [];
  });
}

/**
 * The caller's country values in the query's scope (indicators, countries, years), as a statement with the columns of
 * `countryValueObservations`; with `updatedAfter`, those of the (country, indicator, year) groups that changed for the
 * caller since (keysChangedSince: the change feed), each group whole, so the rule picks the same value as without
 * the date, including one that came back when a newer version was rejected or deleted.
 */
function countryValuesOf(dsd: Dsd, query: DataQuery, visibility: Visibility) {
  const { indicatorIds, countries } = scopeOf(dsd, query, 's');
  const touched = query.updatedAfter
    ? Prisma.sql`AND (s."countryId", s."indicatorId", s."referenceYear") IN (
        SELECT k."countryId", k."indicatorId", k."referenceYear"
        FROM (${keysChangedSince(visibility, query.updatedAfter, indicatorIds)}) k)`
    : Prisma.empty;
  return countryValueObservations(
    countableVersions(visibility, indicatorIds, query.window, Prisma.sql`${countries} ${touched}`),
  );
}

/**
 * The first `first` and last `last` observations of each series (both together: their union), of observations
 * sorted by series and year, after every filter, as SDMX REST's firstNObservations and lastNObservations ask.
 */
function endsOfSeries<O extends SdmxKey>(sorted: O[], first: number, last: number): O[] {
  const out: O[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start + 1;
    while (end < sorted.length && seriesKey(sorted[end]!) === seriesKey(sorted[start]!)) end++;
    for (let i = start; i < end; i++) if (i - start < first || end - i <= last) out.push(sorted[i]!);
    start = end;
  }
  return out;
}

const overServiceLimit = (max: number) =>
  new SdmxError(
    413,
    510,
    'Response Size Exceeds Service Limit',
    `The query selects more than ${max} observations: narrow the key or the time range, or use the ` +
      'bulk download /download/observations.csv',
  );

/** The query's indicators (an int[] parameter) and countries (a condition on `alias`, or nothing for any). */
function scopeOf(dsd: Dsd, query: DataQuery, alias: string) {
  const at = (id: string) => dsd.dimensions.findIndex((d) => d.id === id);
  const areas = query.key[at('REF_AREA')];
  const indicators = query.key[at('INDICATOR')];
  const ids = [...dsd.indicators.entries()]
    .filter(([code]) => !indicators || indicators.has(code))
    .map(([, i]) => i.id);
  const countryIds = areas ? [...areas].map((m49) => dsd.countries.get(m49)!) : null;
  return {
    indicatorIds: Prisma.sql`${ids}::int[]`,
    countries: countryIds
      ? Prisma.sql`AND ${Prisma.raw(`${alias}."countryId"`)} = ANY(${countryIds}::int[])`
      : Prisma.empty,
  };
}

interface KeyRow {
  m49: string;
  indicator: string;
  referenceYear: number;
  dimensionKey: string;
}

/** The SDMX identity of a stored observation, or null when the query's key or time filters leave it out. */
function sdmxKeyOf(dsd: Dsd, query: DataQuery, row: KeyRow): SdmxKey | null {
  if (!query.time.every((ok) => ok(row.referenceYear))) return null;
  const uses = dsd.indicators.get(row.indicator)?.variables ?? new Set<string>();
  const cells = dimensionsOf(row.dimensionKey);
  const key = [
    'A',
    row.m49,
    row.indicator,
    ...dsd.dimensions
      .filter((d) => d.variable)
      .map((d) => cells[d.variable!] ?? (uses.has(d.variable!) ? TOTAL : NOT_APPLICABLE)),
  ];
  if (!key.every((code, i) => !query.key[i] || query.key[i]!.has(code))) return null;
  return { key, year: row.referenceYear };
}

const seriesKey = (o: SdmxKey) => o.key.join('.');
const bySeriesAndYear = (a: SdmxKey, b: SdmxKey) =>
  seriesKey(a) < seriesKey(b) ? -1 : seriesKey(a) > seriesKey(b) ? 1 : a.year - b.year;

/**
 * With `updatedAfter`, the observations deleted since, for SDMX REST's DELETE part of the answer: those the caller
 * could read at that time, or since, and can read no longer. What it could read comes from the change feed (each entry
 * names the key's countable version for its audience after the change, src/submissions/changes.ts): for every series
 * key with a change after `updatedAfter`, the version of its last entry up to then and the versions of its entries
 * since, all visible to the caller when written, so no unpublished key is named. Their observation keys that no
 * countable version carries now are the deletions (country, indicator, year and breakdown; sources are not a
 * dimension). A key created and removed after `updatedAfter` is listed too: deleting what a client never held is a
 * no-op for it.
 */
export async function findDeletions(
  prisma: PrismaClient,
  dsd: Dsd,
  query: DataQuery,
  visibility: Visibility,
  maxObservations = MAX_OBSERVATIONS,
): Promise<SdmxKey[]> {
  const since = query.updatedAfter;
  if (!since) return [];
  const { indicatorIds, countries } = scopeOf(dsd, query, 'k');
  const touched = Prisma.sql`(SELECT "countryId", "indicatorId", "referenceYear" FROM touched)`;
  const current = countryValueObservations(
    countableVersions(
      visibility,
      indicatorIds,
      query.window,
      Prisma.sql`AND (s."countryId", s."indicatorId", s."referenceYear") IN ${touched}`,
    ),
  );
  const rows = await prisma.$queryRaw<KeyRow[]>(Prisma.sql`
    WITH changed AS (
      SELECT k.* FROM (${keysChangedSince(visibility, since, indicatorIds)}) k
      WHERE TRUE ${countries} ${yearCondition('k', query.window)}),
    touched AS (SELECT DISTINCT "countryId", "indicatorId", "referenceYear", "sourceKey" FROM changed),
    held AS (
      SELECT (SELECT p."submissionId" FROM "FeedEntry" p
              WHERE p."countryId" = t."countryId" AND p."indicatorId" = t."indicatorId"
                AND p."referenceYear" = t."referenceYear" AND p."sourceKey" IS NOT DISTINCT FROM t."sourceKey"
                AND p.at <= ${since} AND ${visibleFeedEntry(visibility, 'p')}
              ORDER BY p.sequence DESC LIMIT 1) AS id
      FROM touched t
      UNION
      SELECT "submissionId" FROM changed),
    now AS (SELECT v."countryId", v."indicatorId", v."referenceYear", v."dimensionKey" FROM (${current}) v)
    SELECT DISTINCT co.m49, i.code AS indicator, s."referenceYear", o."dimensionKey"
    FROM held h
    JOIN "Submission" s ON s.id = h.id
    JOIN "Observation" o ON o."submissionId" = s.id
    JOIN "Country" co ON co.id = s."countryId"
    JOIN "Indicator" i ON i.id = s."indicatorId"
    WHERE NOT EXISTS (SELECT 1 FROM now n WHERE n."countryId" = s."countryId" AND n."indicatorId" = s."indicatorId"
      AND n."referenceYear" = s."referenceYear" AND n."dimensionKey" = o."dimensionKey")
    LIMIT ${maxObservations + 1}`);
  if (rows.length > maxObservations) throw overServiceLimit(maxObservations);
  return rows.flatMap((row) => sdmxKeyOf(dsd, query, row) ?? []).sort(bySeriesAndYear);
}

const ATTRIBUTE_VALUES: ((o: SdmxObservation) => string | null)[] = [
  (o) => o.unit,
  (o) => o.sourceType,
  (o) => o.dataSource,
  (o) => o.residenceCriterion,
  (o) => o.updatedAt.toISOString(),
];

/**
 * Where the view puts each component of an observation's key: the dimensions by position, and `dims.length` for
 * TIME_PERIOD (the last in the structure). Time series: every dimension at series level, TIME_PERIOD at observation
 * level; `dimensionAtObservation=<dimension>`: that dimension at observation level, the others and TIME_PERIOD (in
 * structure order) at series level; AllDimensions: all of them at observation level.
 */
interface Layout {
  series: number[];
  observation: number[];
  /** The order of the answer: by series key, then observation key (null: the order read, series and year). */
  order: ((a: SdmxKey, b: SdmxKey) => number) | null;
}

function layoutOf(dsd: Dsd, view: DataView): Layout {
  const time = dsd.dimensions.length;
  const all = [...dsd.dimensions.keys(), time];
  if (view.flat) return { series: [], observation: all, order: null };
  if (view.atObservation === 'TIME_PERIOD') return { series: all.slice(0, -1), observation: [time], order: null };
  const at = dsd.dimensions.findIndex((d) => d.id === view.atObservation);
  const series = all.filter((c) => c !== at);
  const order = (a: SdmxKey, b: SdmxKey) => {
    for (const c of [...series, at]) {
      const [x, y] = [codeAt(a, c), codeAt(b, c)];
      if (x !== y) return c === time ? a.year - b.year : x < y ? -1 : 1;
    }
    return 0;
  };
  return { series, observation: [at], order };
}

/** The code of component `c` (a dimension's position, or the dimensions' count for TIME_PERIOD) in a key. */
const codeAt = (o: SdmxKey, c: number) => (c < o.key.length ? o.key[c]! : String(o.year));

/**
 * The `data` part of an SDMX-JSON 2.0.0 data message, laid out as the view asks (Layout): series of observations, or
 * with AllDimensions observations alone; series keys only (`keysOnly`): the series without observations. With
 * `deleted` (an `updatedAfter` answer), a second data set with action "Delete" listing them without values, always
 * observation by observation (a series listed there without observations would delete all of it).
 */
export function dataMessageData(
  dsd: Dsd,
  observations: SdmxObservation[],
  origin: string,
  deleted: SdmxKey[],
  view: DataView,
) {
  const { flat, keysOnly } = view;
  const dims = dsd.dimensions;
  const time = dims.length;
  const layout = layoutOf(dsd, view);
  const shown = layout.order ? [...observations].sort(layout.order) : observations;
  const gone = layout.order ? [...deleted].sort(layout.order) : deleted;
  // Only the values that occur are listed, in code-list order (years in time order); indices refer to these lists.
  // Series listed without observations show only their series components.
  const used = [...dims.map(() => new Set<string>()), new Set<string>()];
  const note = (o: SdmxKey, components: number[]) => components.forEach((c) => used[c]!.add(codeAt(o, c)));
  for (const o of observations) note(o, keysOnly ? layout.series : [...layout.series, ...layout.observation]);
  for (const o of deleted) note(o, [...layout.series, ...layout.observation]);
  const values = dims.map((d, i) => d.codes.filter((c) => used[i]!.has(c.id)));
  const years = [...used[time]!].map(Number).sort((a, b) => a - b);
  const index = [
    ...values.map((list) => new Map(list.map((c, n) => [c.id, n]))),
    new Map(years.map((y, n) => [String(y), n])),
  ];
  const keyOf = (o: SdmxKey, components: number[]) => components.map((c) => index[c]!.get(codeAt(o, c))).join(':');

  const attributes = dsd.attributes
    .map((a, n) => {
      const seen = [...new Set(observations.map((o) => ATTRIBUTE_VALUES[n]!(o)).filter((v): v is string => v != null))];
      const coded = a.codelist ? a.codelist.codes.filter((c) => seen.includes(c.id)) : null;
      const list = coded ?? seen.sort();
      return {
        n,
        index: new Map(list.map((v, i) => [typeof v === 'string' ? v : v.id, i])),
        component: {
          id: a.id,
          name: a.name,
          names: { en: a.name },
          relationship: { observation: {} },
          values: coded
            ? coded.map((c) => ({ id: c.id, name: c.name, names: { en: c.name } }))
            : (list as string[]).map((value) => ({ value })),
        },
      };
    })
    // An attribute no observation carries is left out (SDMX-JSON lists at least one value per component).
    .filter((a) => a.index.size > 0 && view.attributes.has(a.component.id));

  type Series = Record<string, { observations?: Record<string, (number | null)[]> }>;
  // Series (keyed by the series components) of observations (keyed by the observation's), or with
  // dimensionAtObservation=AllDimensions a flat table (observations keyed by every component, as the .Stat Data
  // Explorer asks); `withObservations` false: the series alone.
  const content = <O extends SdmxKey>(list: O[], cells: (o: O) => (number | null)[], withObservations: boolean) => {
    if (flat) {
      const flatObservations: Record<string, (number | null)[]> = {};
      for (const o of list) flatObservations[keyOf(o, layout.observation)] = cells(o);
      return { observations: flatObservations };
    }
    const series: Series = {};
    for (const o of list) {
      const one = (series[keyOf(o, layout.series)] ??= withObservations ? { observations: {} } : {});
      if (one.observations) one.observations[keyOf(o, layout.observation)] = cells(o);
    }
    return { series };
  };
  const links = [{ rel: 'dataflow', urn: urn.dataflow }];
  const dataSets = [
    {
      structure: 0,
      action: 'Information',
      links,
      ...content(
        shown,
        (o) => [
          ...(view.value ? [o.value] : []),
          ...attributes.map((a) => {
            const v = ATTRIBUTE_VALUES[a.n]!(o);
            return v == null ? null : a.index.get(v)!;
          }),
        ],
        !keysOnly,
      ),
    },
    // An observation listed without values is deleted whole.
    ...(gone.length ? [{ structure: 0, action: 'Delete', links, ...content(gone, () => [], true) }] : []),
  ];
  const component = (c: number) =>
    c < time
      ? {
          id: dims[c]!.id,
          name: dims[c]!.name,
          names: { en: dims[c]!.name },
          keyPosition: c,
          values: values[c]!.map((v) => ({ id: v.id, name: v.name, names: { en: v.name } })),
        }
      : {
          id: 'TIME_PERIOD',
          name: 'Time period',
          names: { en: 'Time period' },
          keyPosition: time,
          roles: ['TIME_PERIOD'],
          values: years.map((y) => ({ value: String(y), start: `${y}-01-01T00:00:00Z`, end: `${y}-12-31T23:59:59Z` })),
        };
  // A component the message shows no value of (the observation's, when series come without observations) is left
  // out: SDMX-JSON lists at least one value per component.
  const listed = (components: number[]) => components.map(component).filter((d) => d.values.length > 0);
  return {
    structures: [
      {
        links: [
          {
            rel: 'dataflow',
            urn: urn.dataflow,
            href: `${origin}/sdmx/v2/structure/dataflow/${AGENCY}/${DATAFLOW}/${VERSION}`,
          },
        ],
        name: 'International migration statistics',
        names: { en: 'International migration statistics' },
        dimensions: { dataSet: [], series: listed(layout.series), observation: listed(layout.observation) },
        measures: {
          observation: view.value
            ? [{ id: 'OBS_VALUE', name: 'Observation value', names: { en: 'Observation value' } }]
            : [],
        },
        attributes: { dataSet: [], series: [], observation: attributes.map((a) => a.component) },
        dataSets: dataSets.map((_, n) => n),
      },
    ],
    dataSets,
  };
}

/** SDMX-CSV 2.0.0 options of the media type (data-message field guide, "Optional parameters"). */
export interface CsvOptions {
  /** `id`: ids and values; `name`: a column with the localised name after each; `both`: "id: name" in one. */
  labels: 'id' | 'name' | 'both';
  /** Columns SERIES_KEY (the dimensions but TIME_PERIOD) and/or OBS_KEY (all of them), after ACTION. */
  keys: 'none' | 'obs' | 'series' | 'both';
}

/**
 * SDMX-CSV 2.0.0 rows (header first): one row per observation; then, with `deleted`, one row with ACTION "D" and
 * no values per deleted observation. `options.labels` applies to the nameable artefacts: the dataflow (STRUCTURE_ID),
 * the components (the header) and the codes of coded components; uncoded values (TIME_PERIOD, OBS_VALUE and the
 * uncoded attributes) have no name (an empty name column, the value alone with `both`). The view orders the rows (by
 * series, then observation: Layout) and makes SERIES_KEY (the components at series level); series keys only
 * (`keysOnly`): one row per series, its observation component left empty, as SDMX-CSV writes a partial key.
 * Deletions stay one row per observation (an empty dimension in a "D" row would delete the whole series).
 */
export function dataCsvRows(
  dsd: Dsd,
  observations: SdmxObservation[],
  deleted: SdmxKey[],
  view: DataView,
  options: CsvOptions = { labels: 'id', keys: 'none' },
): string[][] {
  const { labels, keys } = options;
  const layout = layoutOf(dsd, view);
  const time = dsd.dimensions.length;
  // The columns the view shows (measures=none: no OBS_VALUE; attributes: the ones asked for).
  const shown = dsd.attributes.flatMap((a, n) => (view.attributes.has(a.id) ? [{ attribute: a, n }] : []));
  const { value } = view;
  const codeNames = (codes: { id: string; name: string }[]) => new Map(codes.map((c) => [c.id, c.name]));
  const dimensionNames = dsd.dimensions.map((d) => codeNames(d.codes));
  const attributeNames = shown.map((a) => (a.attribute.codelist ? codeNames(a.attribute.codelist.codes) : null));
  /** A value's cells: its id alone, id and name, or "id: name" (names of codes; other values have none). */
  const cells = (id: string, names: Map<string, string> | null): string[] => {
    const name = id === '' ? undefined : names?.get(id);
    if (labels === 'name') return [id, name ?? ''];
    if (labels === 'both' && name !== undefined) return [`${id}: ${name}`];
    return [id];
  };
  const heading = (id: string, name: string) =>
    labels === 'name' ? [id, name] : labels === 'both' ? [`${id}: ${name}`] : [id];
  const flowName = 'International migration statistics';
  const structureId = `${AGENCY}:${DATAFLOW}(${VERSION})`;
  const header = [
    'STRUCTURE',
    'STRUCTURE_ID',
    ...(labels === 'name' ? ['STRUCTURE_NAME'] : []),
    'ACTION',
    ...(keys === 'series' || keys === 'both' ? ['SERIES_KEY'] : []),
    ...(keys === 'obs' || keys === 'both' ? ['OBS_KEY'] : []),
    ...dsd.dimensions.flatMap((d) => heading(d.id, d.name)),
    ...heading('TIME_PERIOD', 'Time period'),
    ...(value ? heading('OBS_VALUE', 'Observation value') : []),
    ...shown.flatMap((a) => heading(a.attribute.id, a.attribute.name)),
  ];
  // SERIES_KEY: the components at series level, every dimension but the one(s) at observation level; with
  // AllDimensions none is at series level, so it is empty (OBS_KEY then carries the whole key).
  const seriesKeyOf = (o: SdmxKey) => layout.series.map((c) => codeAt(o, c)).join('.');
  /** A row; `measured` null: no values (a deletion, or a series key); `blank`: the component left empty. */
  const row = (action: string, o: SdmxKey, measured: SdmxObservation | null, blank: number | null = null) => [
    'dataflow',
    ...(labels === 'both'
      ? [`${structureId}: ${flowName}`]
      : labels === 'name'
        ? [structureId, flowName]
        : [structureId]),
    action,
    ...(keys === 'series' || keys === 'both' ? [seriesKeyOf(o)] : []),
    ...(keys === 'obs' || keys === 'both' ? [blank === null ? [...o.key, String(o.year)].join('.') : ''] : []),
    ...o.key.flatMap((code, i) => cells(i === blank ? '' : code, dimensionNames[i]!)),
    ...cells(blank === time ? '' : String(o.year), null),
    ...(value ? cells(measured ? String(measured.value) : '', null) : []),
    ...shown.flatMap((a, i) => cells(measured ? (ATTRIBUTE_VALUES[a.n]!(measured) ?? '') : '', attributeNames[i]!)),
  ];
  const ordered = <O extends SdmxKey>(list: O[]) => (layout.order ? [...list].sort(layout.order) : list);
  let information: string[][];
  if (view.keysOnly) {
    const seen = new Set<string>();
    information = ordered(observations).flatMap((o) => {
      const series = layout.series.map((c) => codeAt(o, c)).join('.');
      if (seen.has(series)) return [];
      seen.add(series);
      return [row('I', o, null, layout.observation[0]!)];
    });
  } else {
    information = ordered(observations).map((o) => row('I', o, o));
  }
  return [header, ...information, ...ordered(deleted).map((o) => row('D', o, null))];
}
