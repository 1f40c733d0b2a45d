// Long columns of compact encodings (CoverageMatrix.cellColumns) as single values. The executor completes a GraphQL
// list entry by entry (a path, a promise check, a serialize call and a try block each): for the 50 000-entry columns
// of a world coverage matrix that was most of the time the request spent beside its statement. A list scalar is
// serialised in one call, and still checks every entry, so it sends exactly what the GraphQL list would (the same
// JSON), only typed as one value. Output only: nothing takes them as arguments.
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { ResidenceCriterion } from '../../prisma/generated/prisma/enums.js';
import { builder } from './builder.js';

function listScalar<T>(name: string, item: string, description: string, isItem: (x: unknown) => boolean) {
  const check = (value: unknown): readonly T[] => {
    if (Array.isArray(value) && value.every(isItem)) return value as T[];
    throw new GraphQLError(`${name} must be a list of ${item}: ${JSON.stringify(value)?.slice(0, 80)}`);
  };
  const inputRefused = (): never => {
    throw new GraphQLError(`${name} is an output-only scalar`);
  };
  return new GraphQLScalarType<readonly T[], readonly T[]>({
    name,
    description:
      `${description} One JSON array, exactly what the GraphQL list sends, as a single value: a long column ` +
      'costs the server one step instead of one per entry. Output only.',
    serialize: check,
    parseValue: inputRefused,
    parseLiteral: inputRefused,
  });
}

/** GraphQL's Int: a 32-bit integer ((x | 0) === x holds for no other number). */
const isInt = (x: unknown) => typeof x === 'number' && (x | 0) === x;
const criteria = new Set<unknown>(Object.values(ResidenceCriterion));

builder.addScalarType(
  'IntList',
  listScalar<number>('IntList', 'Int', 'A list of Int, none null (as `[Int!]`), e.g. `[0, 3, 17]`.', isInt),
);
builder.addScalarType(
  'IntListList',
  listScalar<readonly number[]>(
    'IntListList',
    'lists of Int',
    'A list of lists of Int, none null (as `[[Int!]!]`), e.g. `[[2001, 2005], [2020]]`.',
    (x) => Array.isArray(x) && x.every(isInt),
  ),
);
builder.addScalarType(
  'NullableIntList',
  listScalar<number | null>(
    'NullableIntList',
    'Int or null',
    'A list of Int or null (as `[Int]`), e.g. `[0, null, 17]`.',
    (x) => x === null || isInt(x),
  ),
);
builder.addScalarType(
  'ResidenceCriterionList',
  listScalar<ResidenceCriterion | null>(
    'ResidenceCriterionList',
    'ResidenceCriterion or null',
    'A list of ResidenceCriterion values by name, or null (as `[ResidenceCriterion]`), e.g. `["OPTION_I", null]`.',
    (x) => x === null || criteria.has(x),
  ),
);
