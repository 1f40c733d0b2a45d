// Mutation inputs take the opaque global ids that Node fields return; this turns one back into a row key.
import { decodeGlobalID } from '@pothos/plugin-relay';
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
