// One rule for how a mutation names what it acts on (README "Targeting"): its global `id`, or, for entities people
// know by code, the code under the entity's name (`indicator: "IMM_STOCK"`), exactly one of the two. Both or neither
// is a ValidationError naming both fields; an id of another type is a ValidationError on the id field; a code that
// names nothing is a NotFoundError worded like every unknown code (src/schema/codes.ts):
// `input.indicator: no indicator with code "NOPE"`. An id that names nothing is the service's NotFoundError. The
// domains say how a code finds its row; this module says what the two ways are and what a miss is.
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { unknownCodesMessage } from './codes.js';
import { localId } from './global-id.js';

export interface Target<Id extends string, Code extends string> {
  /** The node type of the id, e.g. "Indicator". */
  typename: string;
  /** The entity in words, for messages: "indicator", "source type". */
  what: string;
  /** The input field holding the global id: "id" for the node the mutation acts on, "indicatorId" for an end. */
  idField: Id;
  /** The input field holding the code: the entity's name, "indicator". */
  codeField: Code;
  /** The row's key for a code (already trimmed), or null when it names nothing. */
  find: (code: string) => Promise<{ id: number } | null>;
}

type Given<Id extends string, Code extends string> = Partial<Record<Id | Code, string | number | null | undefined>>;

/**
 * Which of the two fields the input gives: the id or the code; a ValidationError naming both when it gives both or
 * neither. (revokeToken uses it alone: its code, a prefix, may name several tokens.)
 */
export function exactlyOne<Id extends string, Code extends string>(
  input: Given<Id, Code>,
  spec: Pick<Target<Id, Code>, 'idField' | 'codeField'>,
  path: string[] = ['input'],
): { id: string | number } | { code: string } {
  const id = input[spec.idField];
  const code = input[spec.codeField];
  if ((id == null) === (code == null)) {
    const message = `give exactly one of ${spec.idField} and ${spec.codeField}`;
    throw ValidationError.of([
      { path: [...path, spec.idField], message },
      { path: [...path, spec.codeField], message },
    ]);
  }
  return id != null ? { id } : { code: String(code) };
}

/** The row key of the node `input` targets, by its id field or its code field (see the module comment). */
export async function targetId<Id extends string, Code extends string>(
  input: Given<Id, Code>,
  spec: Target<Id, Code>,
  path: string[] = ['input'],
): Promise<number> {
  const given = exactlyOne(input, spec, path);
  if ('id' in given) return localId(given.id, spec.typename, [...path, spec.idField]);
  const row = await spec.find(given.code.trim());
  if (!row) throw new NotFoundError(unknownCodesMessage([...path, spec.codeField].join('.'), spec.what, [given.code]));
  return row.id;
}

/** Like targetId, but null for any problem: for authorisation checks, which run before the resolver reports it. */
export async function targetIdOrNull<Id extends string, Code extends string>(
  input: Given<Id, Code>,
  spec: Target<Id, Code>,
): Promise<number | null> {
  try {
    return await targetId(input, spec);
  } catch (err) {
    if (err instanceof ValidationError || err instanceof NotFoundError) return null;
    throw err;
  }
}

/** The descriptions of a target's two input fields, worded the same on every mutation. */
export function targetDescriptions(what: string, idField: string, codeField: string, example: string) {
  return {
    id: `The ${what}'s global id. Give it or \`${codeField}\`, not both.`,
    code: `The ${what}'s code, e.g. "${example}". Give it or \`${idField}\`, not both.`,
  };
}
