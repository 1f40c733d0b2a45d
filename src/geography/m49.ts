// The codes CONTRACT §1 accepts for places: M49 codes ("756", also written "4" for "004") and ISO3 codes ("CHE").

/** An M49 code as stored: three digits. */
export const m49Code = (code: string): string => code.trim().padStart(3, '0');

/** The unique key of the country a `country` argument names: its M49 code when numeric, else its ISO3 code. */
export function countryKey(code: string): { m49: string } | { iso3: string } {
  const c = code.trim();
  return /^\d{1,3}$/.test(c) ? { m49: m49Code(c) } : { iso3: c.toUpperCase() };
}

/**
 * A name as it is ordered and searched: lower case, diacritics removed (Åland Islands with the A's, "cote" finds Côte
 * d'Ivoire). The migration that added Country.sortName filled it with the same rule in SQL (normalize to NFD, drop
 * combining marks U+0300–U+036F, lower).
 */
export function foldName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
