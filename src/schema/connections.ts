// Shared, type-named Relay connections (CountryConnection rather than QueryCountriesConnection), each with
// totalCount. The prisma plugin hands totalCount over as a thunk on root connections and as a value on relations.
import type { ObjectRef } from '@pothos/core';
import { builder } from './builder.js';

type Total = { totalCount?: number | (() => number | Promise<number>) };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any object ref of this builder, whatever its Types
export function connectionOf<T>(type: ObjectRef<any, T>, name: string) {
  return builder.connectionObject(
    {
      type,
      name: `${name}Connection`,
      description: `A page of ${name} items (Relay cursor connection).`,
      fields: (t) => ({
        totalCount: t.int({
          description: 'Items across all pages, after filters.',
          extensions: { pothosPrismaTotalCount: true },
          resolve: (parent) => {
            const total = (parent as Total).totalCount;
            return typeof total === 'function' ? total() : (total ?? 0);
          },
        }),
      }),
    },
    { name: `${name}Edge`, description: `One ${name} item of a page and its cursor.` },
  );
}

/** The direction of an `orderBy:` (GitHub's OrderDirection), shared by every `XOrder` input. */
export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'The direction of an ordering.',
  values: {
    ASC: { description: 'Ascending: oldest, earliest or smallest first.' },
    DESC: { description: 'Descending: newest, latest or largest first.' },
  } as const,
});
