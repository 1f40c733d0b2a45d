const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });

export const formatInt = (n: number | null | undefined) => (n === null || n === undefined ? '–' : integer.format(n));
// A submitted value as it was submitted: a rate of 6.5 or a share of 7.25 is not a count to round.
// Every digit a value has (20 decimals is the most every engine allows; a smaller non-zero value, never a figure
// of this field, is written as JavaScript writes it rather than shown as 0).
const exact = new Intl.NumberFormat('en', { maximumFractionDigits: 20 });
export const formatValue = (n: number | null | undefined) => {
  if (n === null || n === undefined) return '–';
  const shown = exact.format(n);
  return n !== 0 && /^-?0$/.test(shown) ? String(n) : shown;
};
export const formatShare = (n: number) => percent.format(n);

/** "1 row", "2 rows": a number with its noun in the singular or the plural. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** CONSTANT_CASE → "Constant case" for enum values shown to people. */
export function humanize(value: string | null | undefined): string {
  if (!value) return '–';
  const s = value.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const RESIDENCE: Record<string, string> = {
  OPTION_I: 'Option I (most of the last 12 months, or intent to stay ≥ 6 months)',
  OPTION_II: 'Option II (12 months, or intent to stay ≥ 12 months)',
  OTHER: 'Other (national definition)',
};
