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

/**
 * A connection's where clause, built once per field: Pothos hands the same args object to a prismaConnection's
 * `resolve` and `totalCount`, so keyed on it, the lookups the clause needs (a region or country code) run once when
 * a query asks for both nodes and totalCount, and once per parent on a nested connection.
 */
export function wherePerField<P, A extends object, C, W>(build: (parent: P, args: A, ctx: C) => Promise<W>) {
  const built = new WeakMap<A, Promise<W>>();
  return (parent: P, args: A, ctx: C): Promise<W> => {
    let where = built.get(args);
    if (!where) built.set(args, (where = build(parent, args, ctx)));
    return where;
  };
}

/** The direction of an `orderBy:` (GitHub's OrderDirection), shared by every `XOrder` input. */
export const OrderDirection = builder.enumType('OrderDirection', {
  description: 'The direction of an ordering.',
  values: {
    ASC: { description: 'Ascending: oldest, earliest or smallest first.' },
    DESC: { description: 'Descending: newest, latest or largest first.' },
  } as const,
});

type Direction = 'ASC' | 'DESC';
type SortKeys = Partial<Record<string, 'asc' | 'desc' | { [relationField: string]: 'asc' | 'desc' }>>[];

interface OrderSpec<F extends string> {
  /** What the list holds, plural ("submission versions"), for the descriptions. */
  items: string;
  /** Each field clients may order by: its description and the sort keys before the id tie-break. */
  fields: Record<F, { description: string; keys: (dir: 'asc' | 'desc') => SortKeys }>;
  /** The order without `orderBy:`, and how to say it ("newest first"). */
  default: { field: NoInfer<F>; direction: Direction };
  defaultIs: string;
}

/**
 * `orderBy: XOrder { field: XOrderField, direction: OrderDirection }` for a Prisma connection (GitHub's IssueOrder),
 * one definition for every list: the argument (with its default) and the Prisma orderBy of a value. The row id ends
 * every order, in the same direction, so the order is total and Prisma's id cursor resumes exactly after its row.
 */
export function orderBy<F extends string>(name: string, spec: OrderSpec<F>) {
  const Field = builder.enumType(`${name}Field`, {
    description: `What a list of ${spec.items} can be ordered by.`,
    values: Object.fromEntries(
      Object.entries<{ description: string }>(spec.fields).map(([k, v]) => [k, { description: v.description }]),
    ) as Record<F, { description: string }>,
  });
  const Input = builder.inputType(name, {
    description:
      `An order of ${spec.items}. Ties are broken by creation order in the same direction, so paging with ` +
      'after/before visits every item once.',
    fields: (t) => ({
      field: t.field({ type: Field, required: true, description: 'What to order by.' }),
      direction: t.field({ type: OrderDirection, required: true, description: 'Ascending or descending.' }),
    }),
  });
  type Order = { field: F; direction: Direction };
  const argsWith = (order: Order, orderIs: string) =>
    builder.args((t) => ({
      orderBy: t.field({
        type: Input,
        required: false,
        defaultValue: order as never,
        description: `The order of the list; ${orderIs} when omitted.`,
      }),
    }));
  const args = argsWith(spec.default, spec.defaultIs);
  const prismaOrderBy = (order: Order | null | undefined, fallback: Order = spec.default): SortKeys => {
    const { field, direction } = order ?? fallback;
    const dir = direction === 'ASC' ? 'asc' : 'desc';
    return [...spec.fields[field].keys(dir), { id: dir }];
  };
  /**
   * `args` and `prismaOrderBy` for a list whose own default differs (a country's data sources by code, where the
   * root list is in registration order): the same XOrder input, another default.
   */
  const withDefault = (order: Order, orderIs: string) => ({
    args: argsWith(order, orderIs),
    prismaOrderBy: (given: Order | null | undefined) => prismaOrderBy(given, order),
  });
  return { args, prismaOrderBy, withDefault };
}

type Cursored = { cursor?: { id?: number }; skip?: number };

/**
 * The findMany arguments of a page of a list, after (or before) a cursor. Prisma reads the cursor row's sort values by
 * its id alone, outside the list's `where`, then skips one row on the assumption that it is the cursor row: a row that
 * had left a filtered list since the last page (a submission reviewed out of the review queue) made the next page
 * drop the row after it. Here the cursor row is left out by id instead.
 */
export function pageOf<Q extends Cursored, W extends object>(query: Q, where: W) {
  const id = query.cursor?.id;
  if (id === undefined) return { ...query, where };
  return { ...query, skip: 0, where: { AND: [where, { NOT: { id } }] } };
}

/**
 * `pageOf` for a list whose rows depend on the caller: reading the cursor row's sort values would tell any caller
 * where a row it may not read sorts (CONTRACT §4), so such a cursor pages as an id that does not exist (undefined:
 * an empty page, Prisma's answer for those).
 */
export async function pageOfReadable<Q extends Cursored, W extends object>(
  query: Q,
  where: W,
  readable: (id: number) => Promise<boolean>,
) {
  const id = query.cursor?.id;
  return id !== undefined && !(await readable(id)) ? undefined : pageOf(query, where);
}
