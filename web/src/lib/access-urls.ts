// The portal URLs of one selection (src/portals/portals.http.ts serves them): bulk downloads and SDMX REST 2.0.
// Absolute, so that what the data-access page shows can be pasted into another tool as it is.

export interface Selection {
  /** Indicator code, e.g. IMM_STOCK; empty for every indicator. */
  indicator: string;
  /** M49 code (what SDMX's REF_AREA takes); empty for every country. */
  country: string;
  window?: { from: number; to: number };
}

const FLOW = 'dataflow/MIGSTAT/DF_MIGRATION/1.0';

export function downloadUrl(origin: string, format: 'csv' | 'xlsx', s: Selection): string {
  const params = new URLSearchParams();
  if (s.indicator) params.set('indicator', s.indicator);
  if (s.country) params.set('country', s.country);
  if (s.window) {
    params.set('from', String(s.window.from));
    params.set('to', String(s.window.to));
  }
  const query = params.toString();
  return `${origin}/download/observations.${format}${query ? `?${query}` : ''}`;
}

/** FREQ.REF_AREA.INDICATOR, then a trailing `*` for the breakdown dimensions (the hub reads it as all the rest). */
export const sdmxKey = (s: Selection) => `A.${s.country || '*'}.${s.indicator || '*'}.*`;

/**
 * Written out rather than through URLSearchParams: SDMX REST reads `+` as "and" between conditions, which form
 * encoding would turn into %2B, and the brackets stay readable.
 */
const timeFilter = (s: Selection) => (s.window ? `c[TIME_PERIOD]=ge:${s.window.from}+le:${s.window.to}` : '');

const query = (...parts: string[]) => {
  const kept = parts.filter(Boolean);
  return kept.length ? `?${kept.join('&')}` : '';
};

export function sdmxUrls(origin: string, s: Selection) {
  const base = `${origin}/sdmx/v2`;
  const key = sdmxKey(s);
  const time = timeFilter(s);
  return {
    structure: `${base}/structure/${FLOW}?references=all`,
    dataJson: `${base}/data/${FLOW}/${key}${query(time)}`,
    dataCsv: `${base}/data/${FLOW}/${key}${query('format=sdmx-csv', time)}`,
    availability: `${base}/availability/${FLOW}/${key}${query(time)}`,
  };
}
