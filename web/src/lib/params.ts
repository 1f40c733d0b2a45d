// Page state in the query string, so that every view is a shareable URL: reading typed values with defaults, and
// replacing some of them (other parameters kept, defaults and empty values left out of the URL).
import { useLocation } from 'preact-iso';

/** Paths the app owns (src/http/static.ts serves index.html for the same); other links are ordinary navigation. */
export const APP_SCOPE = /^\/(coverage|gaps|implementation|countries|indicators|data|upload|review|sign-in)?(\/|\?|$)/;

export type Params = Record<string, string | number | undefined | null>;

export function useParams(defaults: Record<string, string | number> = {}) {
  const { path, query, route } = useLocation();
  const get = (name: string): string => query[name] ?? String(defaults[name] ?? '');
  const num = (name: string): number | undefined => {
    const v = get(name);
    return v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const set = (changes: Params, options: { push?: boolean } = {}) => {
    const next = new URLSearchParams(query);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === null || value === '' || String(value) === String(defaults[name] ?? '')) {
        next.delete(name);
      } else {
        next.set(name, String(value));
      }
    }
    const search = next.toString();
    route(`${path}${search ? `?${search}` : ''}`, !options.push);
  };
  return { get, num, set, path, query };
}

/** A link to an app page with query parameters (empty ones left out). */
export function href(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

export type PageParams = ReturnType<typeof useParams>;

/** A year window as link parameters (`from`, `to`), or none. */
export function windowParams(window: { from: number; to: number } | null | undefined): Params {
  return window ? { from: window.from, to: window.to } : {};
}

/**
 * A link to an indicator's page that keeps the year window the linking page shows, so the indicator opens on the
 * same years (its coverage and series read `from` and `to` like every page with a window).
 */
export function indicatorHref(code: string, window?: { from: number; to: number } | null): string {
  return href(`/indicators/${encodeURIComponent(code)}`, windowParams(window));
}

/**
 * The reference-year window of the `from` and `to` parameters: both or neither; `error` says why a half-given or
 * reversed window is not used (the API refuses a reversed one; YearWindowFilter shows the error beside the fields).
 */
export function yearWindow(p: PageParams): { window?: { from: number; to: number }; error: string | null } {
  const from = p.num('from');
  const to = p.num('to');
  if ((from === undefined) !== (to === undefined)) {
    return { error: 'Give both years of the window, or neither for every year.' };
  }
  if (from === undefined || to === undefined) return { error: null };
  if (from > to) return { error: `The window is reversed: from (${from}) is after to (${to}).` };
  return { window: { from, to }, error: null };
}
