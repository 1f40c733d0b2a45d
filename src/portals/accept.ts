// HTTP content negotiation (RFC 9110 §12.5.1) for the portal answers: the Accept header's media ranges with their
// quality values, and SDMX's `version` parameter, which must match the version an offer is served in.

/** A media type the server can answer with, e.g. `application/vnd.sdmx.data+json` in `version` 2.0.0. */
export interface Offer<T> {
  type: string;
  version?: string;
  value: T;
}

interface Range {
  type: string;
  subtype: string;
  version: string | null;
  q: number;
  order: number;
}

function parseAccept(header: string): Range[] {
  return header
    .split(',')
    .map((part, order) => {
      const [media = '', ...params] = part.split(';').map((s) => s.trim());
      const [type = '', subtype = ''] = media.toLowerCase().split('/');
      let q = 1;
      let version: string | null = null;
      for (const param of params) {
        const [name = '', raw = ''] = param.split('=').map((s) => s.trim());
        const value = raw.replace(/^"(.*)"$/, '$1');
        if (name.toLowerCase() === 'q') q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
        if (name.toLowerCase() === 'version') version = value;
      }
      return { type, subtype, version, q, order };
    })
    .filter((r) => r.type && r.subtype);
}

/** How specifically `range` names `offer` (higher is more specific), or -1 when it does not match it. */
function specificity(range: Range, offer: Offer<unknown>): number {
  const [type, subtype] = offer.type.toLowerCase().split('/');
  if (range.type !== '*' && range.type !== type) return -1;
  if (range.subtype !== '*' && range.subtype !== subtype) return -1;
  // version=2.0.0 names 2.0.0; version=2 or 2.0 any 2.0.x (SDMX: the major.minor of the format).
  if (range.version != null) {
    if (!offer.version || !(offer.version === range.version || offer.version.startsWith(`${range.version}.`))) {
      return -1;
    }
  }
  return (range.type === '*' ? 0 : 1) + (range.subtype === '*' ? 0 : 1) + (range.version != null ? 1 : 0);
}

/**
 * The offer the Accept header prefers: the highest quality (each offer takes the quality of the most specific range
 * naming it), then the range the client listed first, then the first offer. An absent or empty header accepts the
 * first offer; null when nothing offered is acceptable (406).
 */
export function negotiate<T>(header: string | null, offers: Offer<T>[]): T | null {
  const ranges = parseAccept(header ?? '');
  if (!ranges.length) return offers[0]?.value ?? null;
  let best: { value: T; q: number; order: number } | null = null;
  for (const offer of offers) {
    let match: { range: Range; specificity: number } | null = null;
    for (const range of ranges) {
      const s = specificity(range, offer);
      if (s >= 0 && (!match || s > match.specificity)) match = { range, specificity: s };
    }
    if (!match || match.range.q <= 0) continue;
    const { q, order } = match.range;
    if (!best || q > best.q || (q === best.q && order < best.order)) best = { value: offer.value, q, order };
  }
  return best?.value ?? null;
}
