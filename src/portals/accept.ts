// HTTP content negotiation (RFC 9110 §12.5.1) for the portal answers: the Accept header's media ranges with their
// quality values, SDMX's `version` parameter, which must match the version an offer is served in, and the other
// parameters an offer takes (SDMX-CSV's labels, keys and timeFormat): a range naming a parameter or value the offer
// does not take does not name that offer, so no parameter is silently ignored. The header's syntax is read by
// content-type (jshttp); negotiator, the library express and koa use, matches parameters by equality only (version=2
// would not name 2.0.0, nor a range with labels=both the SDMX-CSV offer) and ranks a more specific range over the one
// listed first, so the matching stays here.
import { parse as parseMediaType } from 'content-type';

/** A media type the server can answer with, e.g. `application/vnd.sdmx.data+json` in `version` 2.0.0. */
export interface Offer<T> {
  type: string;
  version?: string;
  /** The parameters it takes besides q, version and charset (names in lower case), with their values. */
  params?: Record<string, string[]>;
  value: T;
}

/** The offer Accept chose, with the parameters (names in lower case) of the range that chose it. */
export interface Choice<T> {
  value: T;
  params: Record<string, string>;
}

interface Range {
  type: string;
  subtype: string;
  version: string | null;
  /** Every other parameter but q, names in lower case. */
  params: Record<string, string>;
  q: number;
  order: number;
  text: string;
}

// RFC 9110's media-range: */*, type/* or type/subtype, of tokens (content-type lowers the case).
const MEDIA_RANGE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

function parseAccept(header: string): Range[] {
  const ranges: Range[] = [];
  // content-type reads one media range (quoted strings and escapes included) and says where it stopped: at a comma.
  for (let start = 0, order = 0; start < header.length; order++) {
    while (header[start] === ' ' || header[start] === '\t') start++;
    const { type: media, parameters, index } = parseMediaType(header, { comma: true, start });
    const text = header.slice(start, index).trim();
    start = index + 1;
    if (!MEDIA_RANGE.test(media)) continue;
    const [type = '', subtype = ''] = media.split('/');
    const { q: weight, version, ...rest } = parameters;
    delete rest[''];
    // RFC 9110's qvalue; a malformed one accepts nothing.
    const q = weight === undefined ? 1 : /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(weight) ? Number(weight) : 0;
    ranges.push({ type, subtype, version: version ?? null, params: rest, q, order, text });
  }
  return ranges;
}

/** Whether `range` names `offer`'s type and subtype (wildcards included) and version. */
function typeMatches(range: Range, offer: Offer<unknown>): boolean {
  const [type, subtype] = offer.type.toLowerCase().split('/');
  if (range.type !== '*' && range.type !== type) return false;
  if (range.subtype !== '*' && range.subtype !== subtype) return false;
  // version=2.0.0 names 2.0.0; version=2 or 2.0 any 2.0.x (SDMX: the major.minor of the format).
  if (range.version != null) {
    if (!offer.version || !(offer.version === range.version || offer.version.startsWith(`${range.version}.`))) {
      return false;
    }
  }
  return true;
}

/** The parameters of `range` that `offer` does not take (as written), e.g. ["labels=fancy", "file=true"]. */
function unsupported(range: Range, offer: Offer<unknown>): string[] {
  return Object.entries(range.params)
    .filter(([name, value]) => {
      if (name === 'charset') return value.toLowerCase() !== 'utf-8';
      const values = offer.params?.[name];
      return !values || !values.includes(value.toLowerCase());
    })
    .map(([name, value]) => `${name}=${value}`);
}

/** How specifically `range` names `offer` (higher is more specific), or -1 when it does not match it. */
function specificity(range: Range, offer: Offer<unknown>): number {
  if (!typeMatches(range, offer) || unsupported(range, offer).length) return -1;
  return (
    (range.type === '*' ? 0 : 1) +
    (range.subtype === '*' ? 0 : 1) +
    (range.version != null ? 1 : 0) +
    Object.keys(range.params).length
  );
}

/**
 * The offer the Accept header prefers, with the parameters of the range that chose it: the highest quality (each
 * offer takes the quality of the most specific range naming it), then the range the client listed first, then the
 * first offer. An absent or empty header accepts the first offer; null when nothing offered is acceptable (406).
 */
export function negotiateChoice<T>(header: string | null, offers: Offer<T>[]): Choice<T> | null {
  const ranges = parseAccept(header ?? '');
  if (!ranges.length) return offers[0] ? { value: offers[0].value, params: {} } : null;
  let best: { choice: Choice<T>; q: number; order: number } | null = null;
  for (const offer of offers) {
    let match: { range: Range; specificity: number } | null = null;
    for (const range of ranges) {
      const s = specificity(range, offer);
      if (s >= 0 && (!match || s > match.specificity)) match = { range, specificity: s };
    }
    if (!match || match.range.q <= 0) continue;
    const { q, order } = match.range;
    if (!best || q > best.q || (q === best.q && order < best.order)) {
      best = { choice: { value: offer.value, params: { ...match.range.params } }, q, order };
    }
  }
  return best?.choice ?? null;
}

/** The value of the offer the Accept header prefers (see negotiateChoice); null when none is acceptable. */
export function negotiate<T>(header: string | null, offers: Offer<T>[]): T | null {
  return negotiateChoice(header, offers)?.value ?? null;
}

/**
 * For a 406: the parameters that kept the header's ranges from naming an offer whose type and version they name,
 * e.g. ["labels=fancy (application/vnd.sdmx.data+csv;version=2.0.0;labels=fancy)"]; empty when no range came that
 * close.
 */
export function refusedParameters<T>(header: string | null, offers: Offer<T>[]): string[] {
  const out = new Set<string>();
  for (const range of parseAccept(header ?? '')) {
    if (range.q <= 0) continue;
    for (const offer of offers) {
      if (!typeMatches(range, offer)) continue;
      const refused = unsupported(range, offer);
      if (refused.length) out.add(`${refused.join(', ')} (in "${range.text}")`);
    }
  }
  return [...out];
}
