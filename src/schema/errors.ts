import { GraphQLError } from 'graphql';
import { type AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { builder } from './builder.js';

const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'A failure the client can understand and fix.',
  fields: (t) => ({ message: t.exposeString('message', { description: 'What went wrong, in words for people.' }) }),
});

const IssueRef = builder.objectRef<{ path: string[]; message: string }>('ValidationIssue').implement({
  description: 'One problem with the input: where and why.',
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Input path or file location, e.g. ["input", "code"].' }),
    message: t.exposeString('message', { description: 'What is wrong there, e.g. "must not be empty".' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input broke one or more rules; nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({
      type: [IssueRef],
      description: 'Every problem found, not only the first.',
      resolve: (e) => e.issues,
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'A referenced entity does not exist; nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFoundError,
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The write conflicts with the current state (duplicate code, stale revision); nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
  fields: (t) => ({
    currentRevision: t.exposeInt('currentRevision', {
      nullable: true,
      description:
        "The item's current revision when the write named a stale `expectedRevision` (reload, then retry with " +
        'it); null for other conflicts.',
    }),
  }),
});

/**
 * The description of `expectedRevision: Int!` on every mutation that edits an existing item: the optimistic-concurrency
 * check that makes two editors of the same item end with one winner and one ConflictError, never a silent overwrite.
 */
export const EXPECTED_REVISION_DESCRIPTION =
  'The `revision` the client read. A stale one (someone changed the item since) fails with a ConflictError ' +
  'naming the current revision, and nothing is written.';

/**
 * Every error type a mutation result may carry. A mutation lists only those it can return (test/access/result-unions
 * .test.ts calls each one); this whole list is for mutations not yet narrowed (src/portals).
 */
export const userErrors = [ValidationError, NotFoundError, ConflictError];

/** A top-level BAD_USER_INPUT error, for query arguments that GraphQL's types accept but the hub cannot answer. */
export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}
