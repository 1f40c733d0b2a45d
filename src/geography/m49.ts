// The codes CONTRACT §1 accepts for places: M49 codes ("756", also written "4" for "004") and ISO3 codes ("CHE").

/** An M49 code as stored: three digits. */
export const m49Code = (code: string): string => code.trim().padStart(3, '0');

/** The unique key of the country a `country` argument names: its M49 code when numeric, else its ISO3 code. */
export function countryKey(code: string): { m49: string } | { iso3: string } {
  const c = code.trim();
  return /^\d{1,3}$/.test(c) ? { m49: m49Code(c) } : { iso3: c.toUpperCase() };
}
