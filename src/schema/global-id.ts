// Mutation inputs take the opaque global ids that Node fields return; this turns one back into a row key.
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../platform/context.js';
import { ValidationError, withArticle } from '../platform/errors.js';

/** The numeric key of a global id of the given type; a ValidationError at `path` for any other id. */
export function localId(globalId: string | number, typename: string, path: string[] = ['input', 'id']): number {
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(String(globalId));
  } catch {
    decoded = undefined;
  }
  const id = decoded ? Number(decoded.id) : NaN;
  if (!decoded || decoded.typename !== typename || !Number.isSafeInteger(id))
    throw ValidationError.of([{ path, message: `must be the id of ${withArticle(typename)}` }]);
  return id;
}

/**
 * The `findUnique` of an ADMIN-only node type: for anyone else node(id) finds nothing, exactly as for an id that does
 * not exist, so an audit entry's, a token's or a webhook's id does not tell them that it exists (the type's fields
 * alone were refused: `node(id) { __typename }` answered the type).
 */
export function adminOnlyNode(id: string, ctx: Context) {
  return { id: Number(id), ...(ctx.viewer?.role === 'ADMIN' ? {} : { AND: [{ id: { in: [] as number[] } }] }) };
}
