// Which server runs a GraphQL operation when DATABASE_REPLICA_URLS names streaming replicas (platform/replicas.ts):
// a query runs on a replica, unless the caller wrote something the replicas have not replayed yet; mutations and
// subscriptions (LISTEN/NOTIFY, advisory locks) run on the primary. A caller is its token: after each of its mutations
// the primary's WAL position is remembered for it in this process, and its reads wait for no replica but skip those
// behind that position. Several hub processes behind one address do not share that memory: a client then sends back
// the position each mutation response carries (WRITTEN_HEADER) in READ_AFTER_HEADER, or the balancer keeps a token
// on one process.
import { GraphQLError, getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { formatLsn, parseLsn, type Lsn, type Replica, type Replicas } from '../platform/replicas.js';
import type { App, Context } from './context.js';

/** On a mutation's response: the primary's WAL position once the mutation had committed. */
export const WRITTEN_HEADER = 'migstat-written';
/** On a request: read nothing older than this WAL position (a WRITTEN_HEADER value). */
export const READ_AFTER_HEADER = 'migstat-read-after';

type Execute = (args: ExecutionArgs) => unknown;

export function replicaRouting(app: App): Plugin<Context> {
  const replicas = app.db.replicas;
  if (!replicas) return {};
  /** The last write of each token (token id → WAL position). Bounded by the number of tokens. */
  const written = new Map<number, Lsn>();
  const positions = new WeakMap<Request, Lsn>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName ?? undefined)?.operation;
      const ctx = args.contextValue as Context & { request?: Request };
      const execute = executeFn as Execute;
      if (operation === 'mutation') {
        setExecuteFn((async (a: ExecutionArgs) => {
          const result = await execute(a);
          const lsn = await replicas.written();
          // Two mutations of one token at once may learn their positions out of order: keep the later one.
          if (ctx.viewer) written.set(ctx.viewer.tokenId, max(written.get(ctx.viewer.tokenId), lsn)!);
          if (ctx.request) positions.set(ctx.request, lsn);
          return result;
        }) as typeof executeFn);
      } else if (operation === 'query') {
        const after = max(ctx.viewer ? written.get(ctx.viewer.tokenId) : undefined, readAfter(ctx.request));
        setExecuteFn((async (a: ExecutionArgs) => {
          const replica = await replicas.reader(after);
          return replica ? onReplica(replicas, replica, ctx, () => execute(a)) : execute(a);
        }) as typeof executeFn);
      }
    },
    onResponse({ request, response }) {
      const lsn = positions.get(request);
      if (lsn !== undefined) response.headers.set(WRITTEN_HEADER, formatLsn(lsn));
    },
  };
}

/**
 * Runs the operation on the replica; when it fails there because the replica no longer answers (it stopped
 * mid-request) or cancelled a statement that conflicted with WAL replay (a hot standby does that after
 * max_standby_streaming_delay), runs it again on the primary: a query has no effects, so running it twice is safe.
 */
async function onReplica(replicas: Replicas, replica: Replica, ctx: Context, run: () => unknown): Promise<unknown> {
  const primary = ctx.prisma;
  ctx.prisma = replica.prisma;
  const result = await run();
  const errors = (result as ExecutionResult | undefined)?.errors ?? [];
  if (!errors.length) return result;
  const conflict = errors.some((e) => /conflict with recovery/.test(String(e.originalError?.message ?? e.message)));
  if (!conflict && (await replicas.recheck(replica))) return result;
  ctx.prisma = primary;
  return run();
}

function readAfter(request: Request | undefined): Lsn | undefined {
  const value = request?.headers.get(READ_AFTER_HEADER);
  if (!value) return undefined;
  try {
    return parseLsn(value);
  } catch {
    throw new GraphQLError(
      `The ${READ_AFTER_HEADER} header must be a WAL position as the ${WRITTEN_HEADER} header gives it, e.g. 0/16B3748 (got "${value.slice(0, 40)}")`,
      { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
    );
  }
}

function max(a: Lsn | undefined, b: Lsn | undefined): Lsn | undefined {
  return a === undefined ? b : b === undefined || a > b ? a : b;
}
