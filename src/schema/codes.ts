// One rule for codes in arguments (README "Unknown codes"): a lookup by code (`country(code:)`) answers null, like
// node(id); any other argument or filter field that names entities by code and names one that does not exist fails
// the field with NOT_FOUND, naming the argument and the codes, and never answers an empty list or a zero. The
// domains find their rows; this module says what a miss is.
import { GraphQLError } from 'graphql';

/** The words of every unknown-code failure, e.g. `filter.country: no country with code "ZZ9"`. */
export function unknownCodesMessage(argument: string, what: string, codes: readonly string[]): string {
  return `${argument}: no ${what} with code ${codes.map((c) => `"${c}"`).join(', ')}`;
}

/** NOT_FOUND for codes that name nothing, e.g. `filter.country: no country with code "ZZ9"`. */
export function unknownCodes(argument: string, what: string, codes: readonly string[]): GraphQLError {
  return new GraphQLError(unknownCodesMessage(argument, what, codes), {
    extensions: { code: 'NOT_FOUND', argument, codes },
  });
}

/** The row `find` returns for the code given in `argument`; NOT_FOUND naming the argument when there is none. */
export async function requireCode<T>(
  argument: string,
  what: string,
  code: string,
  find: (code: string) => Promise<T | null>,
): Promise<T> {
  const row = await find(code);
  if (row == null) throw unknownCodes(argument, what, [code]);
  return row;
}

/**
 * The rows `find` returns for the codes given in `argument` (`matches` tells which code a row answers); NOT_FOUND
 * naming the argument and every code that matched no row.
 */
export async function requireCodes<T>(
  argument: string,
  what: string,
  codes: readonly string[],
  find: (codes: readonly string[]) => Promise<T[]>,
  matches: (row: T, code: string) => boolean,
): Promise<T[]> {
  const rows = await find(codes);
  const unknown = codes.filter((code) => !rows.some((row) => matches(row, code)));
  if (unknown.length) throw unknownCodes(argument, what, unknown);
  return rows;
}
