// Admission control: at most a few GraphQL operations execute at once; the others wait, cheaply, before parsing,
// validation and execution. Without it, 200 concurrent readers on PGlite (one connection, statements on the main
// thread) each hold a place in the statement queue and their continuations fill every turn of the event loop: the
// readiness probe and an import then wait behind all of them. With it, a turn holds the work of a few operations,
// /ready (answered before this plugin) stays prompt, and writes are admitted ahead of waiting reads. Requests the
// response cache answers (plugins after this one, in their onParams) never enter the queue.
//
// p-queue (sindresorhus, widely used) gives the bounded concurrency with priorities; a hand-written semaphore with
// two queues would be the same thing with fewer tests behind it.
import { GraphQLError, getOperationAST, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import PQueue from 'p-queue';

export interface AdmissionOptions {
  /** Operations executing at once; 0 turns admission control off. */
  concurrency: number;
  /** Operations allowed to wait; one more is refused with 503 SERVICE_UNAVAILABLE and Retry-After. */
  maxWaiting: number;
}

const WRITE = 1;
const READ = 0;

/** Mutations go first; a query that does not parse is a read (Yoga reports its syntax error as usual). */
function priority(query: string | undefined, operationName: string | null | undefined): number {
  if (!query || !/\bmutation\b/.test(query)) return READ;
  try {
    const operation = getOperationAST(parse(query, { noLocation: true }), operationName ?? undefined);
    return operation?.operation === 'mutation' ? WRITE : READ;
  } catch {
    return READ;
  }
}

export function admission({ concurrency, maxWaiting }: AdmissionOptions): Plugin {
  if (concurrency <= 0) return {};
  const queue = new PQueue({ concurrency });
  return {
    onParams({ params, paramsHandler, setParamsHandler }) {
      // Refused or queued only when Yoga calls the handler, i.e. when no later onParams hook answered the request:
      // a response-cache hit (response-cache.ts) is served while the queue is full, without waiting in it.
      // The slot is held while the operation executes (a subscription: while it subscribes), not while its
      // answer is written out.
      setParamsHandler((payload) => {
        if (queue.pending >= concurrency && queue.size >= maxWaiting) {
          throw new GraphQLError('The hub is at capacity; retry shortly', {
            extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': '1' } } },
          });
        }
        return queue.add(async () => paramsHandler(payload), {
          priority: priority(params.query, params.operationName),
          throwOnTimeout: true,
        });
      });
    },
  };
}
