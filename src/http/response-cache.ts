// Response caching that is exact: the answer of a read query is kept per process and served again only to a request
// that read the same data version (src/platform/data-version.ts) first, as the same visibility class, with the same
// document, operation name and variables. Every committed write raises the version in its own commit, on whichever
// hub process or CLI made it, so no entry made before a write answers a request that starts after it. The version is
// read before any data statement: at worst an entry holds data newer than its version, never older.
//
// Cheap hits: an anonymous request (no Authorization header, the portals' case) is looked up as soon as its
// parameters are read, before parsing, validation, limits and context; concurrent requests share one version read
// that began after each of them arrived; an entry keeps its JSON text, so a hit is not serialised again.
//
// Why not @envelop/response-cache: it invalidates by the entities a mutation returns (here imports, the CLI and other
// processes write too) and rewrites every document to collect them; its Yoga wrapper answers If-None-Match with 304
// from an entry of an older version. What remains of it for a version-keyed cache is an LRU around execute.
import { gzipSync } from 'node:zlib';
import { getNamedType, getOperationAST, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { App, Context, Viewer } from '../platform/context.js';
import { DATA_VERSION_CHANNEL, readDataVersion } from '../platform/data-version.js';
import { VersionedCache } from '../platform/versioned-cache.js';
import { MIN_BYTES, precompressed } from './compression.js';

/** Response header saying whether the answer came from the cache (`hit`) or was computed and kept (`miss`). */
export const RESPONSE_CACHE_HEADER = 'x-response-cache';

/**
 * What a cached answer may not depend on, besides the data: the caller's own token rather than its class (`viewer`,
 * and `Comment.viewerCanUpdate`, true for the one token that wrote the comment: platform/context.ts's isAuthor), the
 * clock (`Comment.overdue`, `ApiToken.active`), and webhook delivery state, which the delivery worker writes without
 * raising the data version (see the migration). A query selecting any of these is executed every time.
 */
const UNCACHEABLE_FIELDS = new Set(['Query.viewer', 'Comment.viewerCanUpdate', 'Comment.overdue']);
const UNCACHEABLE_TYPES = new Set(['ApiToken', 'Webhook', 'WebhookDelivery', 'DeliveryAttempt']);

/**
 * The visibility class: callers of one class get the same answer to the same query over the same data. One per
 * role, and per country for focal points, because that is what every read rule (visibility.ts, the auth scopes of
 * the schema builder, comment access) distinguishes. Anonymous callers and READERs see the same published data
 * today, but the `authenticated` scope separates them: a shared class would be exact only as long as no read used it.
 */
export function cacheClass(viewer: Viewer | null): string {
  if (!viewer) return 'anonymous';
  return viewer.role === 'FOCAL_POINT' ? `FOCAL_POINT:${viewer.countryId ?? ''}` : viewer.role;
}

/** Whether an operation of a document is a query whose answer depends on nothing but the data and the class. */
function cacheableOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  const typeInfo = new TypeInfo(schema);
  let cacheable = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        if (
          (parent && UNCACHEABLE_FIELDS.has(`${parent.name}.${node.name.value}`)) ||
          (type && UNCACHEABLE_TYPES.has(getNamedType(type).name))
        ) {
          cacheable = false;
        }
      },
    }),
  );
  return cacheable;
}

/**
 * The data version as of a read that began after the call (so it reflects every write committed before the call):
 * callers arriving while a read is under way share the next one, so 50 concurrent requests cost one or two reads.
 */
function sharedVersionReads(read: () => Promise<bigint>): () => Promise<bigint> {
  let running: Promise<bigint> | undefined;
  let queued: Promise<bigint> | undefined;
  const start = () => (running = read().finally(() => (running = undefined)));
  return () => {
    if (!running) return start();
    // The read under way may have begun before this call: wait for the next.
    return (queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      }));
  };
}

/**
 * On embedded PGlite one process makes every write (it owns the directory), and the commit's notification reaches
 * its listener before the writer's code resumes: the version is read once, and then taken from each commit's
 * notification (its payload is the version that commit made), so a hit costs no statement, not even right after a
 * commit, and reads are not queued behind a long import holding PGlite's one connection. PGlite runs one
 * transaction at a time, so the notifications arrive in commit order.
 */
function pgliteVersion(app: App, read: () => Promise<bigint>): () => Promise<bigint> {
  let listening: Promise<unknown> | undefined;
  let known: Promise<bigint> | undefined;
  const notified = (payload?: string) => {
    // Without a usable payload, read the version again.
    known = payload && /^\d+$/.test(payload) ? Promise.resolve(BigInt(payload)) : undefined;
  };
  return async () => {
    // Listening first: a commit after this point is notified, one before it is in the read that follows.
    await (listening ??= app.db.listen(DATA_VERSION_CHANNEL, notified));
    if (!known) {
      const reading = (known = read());
      reading.catch(() => known === reading && (known = undefined));
    }
    return known;
  };
}

/** The answer a flight settles with: what was kept, or nothing when the answer could not be kept (errors…). */
interface Flight {
  /** Its version and key. */
  readonly id: string;
  readonly answer: Promise<Kept | undefined>;
  settle(kept: Kept | undefined): void;
}

/**
 * Misses being computed, one per version and key: concurrent requests for the same answer wait for the first one's
 * computation instead of running the same statements again (50 readers after a commit outdated every entry ask
 * the same four queries). A waiter gets exactly what a cache hit an instant later would give it: the answer kept
 * under the version it read itself, for its own visibility class (part of the key). An answer that is not kept
 * (errors, a query that is never cached) is not shared: the waiters then execute the operation themselves.
 */
class Flights {
  private readonly flying = new Map<string, Flight>();

  /**
   * Joins the computation under way for `key` under `version` (its answer: what was kept, or undefined), or, when
   * none is, registers the caller as the one computing it (its flight, to settle). Synchronous, so that of callers
   * arriving together exactly one leads.
   */
  join(version: bigint, key: string): { answer: Promise<Kept | undefined> } | { lead: Flight } {
    const id = `${version}\n${key}`;
    const under = this.flying.get(id);
    if (under) return { answer: under.answer };
    let resolve!: (kept: Kept | undefined) => void;
    const answer = new Promise<Kept | undefined>((r) => (resolve = r));
    let settled = false;
    const flight: Flight = {
      id,
      answer,
      settle: (kept) => {
        if (settled) return;
        settled = true;
        if (this.flying.get(id) === flight) this.flying.delete(id);
        resolve(kept);
      },
    };
    this.flying.set(id, flight);
    return { lead: flight };
  }
}

/** The key of an answer, from the request's own text: equal keys mean the same operation with the same input. */
const keyOf = (visibilityClass: string, params: GraphQLParams) =>
  `${visibilityClass}\n${params.operationName ?? ''}\n${JSON.stringify(params.variables ?? {})}\n${params.query}`;

/** A kept answer carries its JSON text, which Yoga sends as is (its `stringify` hook). */
type Kept = ExecutionResult & { stringify: () => string };

/** The gzip of each kept answer over compression.ts's threshold, made once when the answer is kept. */
const gzipped = new WeakMap<Kept, { bytes: number; gzip: Uint8Array<ArrayBuffer> }>();

/** The answer to keep, and what it weighs in the cache (its key, its text and its gzip). */
function keep(result: ExecutionResult, key: string): { kept: Kept; weight: number } {
  const text = JSON.stringify(result);
  const kept: Kept = { ...result, stringify: () => text };
  const bytes = Buffer.byteLength(text);
  let weight = key.length + text.length;
  if (bytes >= MIN_BYTES) {
    // A Buffer of its own (not a slice of a shared pool).
    const gzip = gzipSync(text) as Uint8Array<ArrayBuffer>;
    gzipped.set(kept, { bytes, gzip });
    weight += gzip.byteLength;
  }
  return { kept, weight };
}

export function responseCache(app: App): Plugin<Context> {
  const config = app.config.responseCache;
  if (!config.enabled) return {};
  const cache = new VersionedCache<Kept>(config.maxBytes);
  const shared = sharedVersionReads(() => readDataVersion(app.db.prisma));
  const versionOf = app.db.kind === 'pglite' ? pgliteVersion(app, shared) : shared;
  /** The version an anonymous request read when it was looked up early, reused at execution. */
  const versions = new WeakMap<Request, bigint>();
  // Yoga reuses the parsed document of a query text, so this is worked out once per document and operation.
  const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();
  const outcome = new WeakMap<Request, 'hit' | 'miss'>();
  /** Notes how a request was answered, and hands compression.ts the answer's gzip. */
  const answered = (request: Request, kept: Kept, how: 'hit' | 'miss') => {
    outcome.set(request, how);
    const gzip = gzipped.get(kept);
    if (gzip) precompressed.set(request, gzip);
  };
  const flights = new Flights();
  /**
   * The computations a request leads (by flight id), settled at the latest when its params handler returns,
   * whatever the outcome. Several only in a batch (which this hub does not enable), where settling one early
   * merely lets its waiters compute their own answer.
   */
  const leading = new WeakMap<Request, Map<string, Flight>>();
  const lead = (request: Request, flight: Flight) => {
    let led = leading.get(request);
    if (!led) leading.set(request, (led = new Map()));
    led.set(flight.id, flight);
    return flight;
  };
  const settleAll = (request: Request) => {
    for (const flight of leading.get(request)?.values() ?? []) flight.settle(undefined);
  };

  return {
    // Runs after admission's onParams hook (this plugin is last) but before the request enters the admission queue,
    // which happens only when Yoga calls the params handler: hits and shared answers never wait in the queue.
    async onParams({ params, request, setResult, paramsHandler, setParamsHandler }) {
      setParamsHandler(async (payload) => {
        try {
          return await paramsHandler(payload);
        } finally {
          settleAll(request);
        }
      });
      if (request.headers.has('authorization') || typeof params.query !== 'string') return;
      const version = await versionOf();
      versions.set(request, version);
      const key = keyOf('anonymous', params);
      let kept = cache.get(version, key);
      if (!kept) {
        const flight = flights.join(version, key);
        if ('lead' in flight) lead(request, flight.lead);
        // An answer that was not kept: this request executes the operation itself.
        else kept = await flight.answer;
      }
      if (kept) {
        answered(request, kept, 'hit');
        setResult(kept);
      }
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Context & { request: Request; params: GraphQLParams };
      const name = args.operationName ?? '';
      let byName = verdicts.get(args.document);
      if (!byName) verdicts.set(args.document, (byName = new Map()));
      let cacheable = byName.get(name);
      if (cacheable === undefined)
        byName.set(name, (cacheable = cacheableOperation(args.schema, args.document, args.operationName)));
      const { request, params } = context;
      if (!cacheable || typeof params?.query !== 'string') {
        // Those waiting for this request's answer compute their own.
        settleAll(request);
        return;
      }

      const version = versions.get(request) ?? (await versionOf());
      const key = keyOf(cacheClass(context.viewer), params);
      let flight = leading.get(request)?.get(`${version}\n${key}`);
      // A caller with a token is looked up here (its class needs its viewer), inside an admission slot.
      let kept = cache.get(version, key);
      if (!kept && !flight) {
        const joined = flights.join(version, key);
        if ('lead' in joined) flight = lead(request, joined.lead);
        else kept = await joined.answer;
      }
      if (kept) {
        answered(request, kept, 'hit');
        flight?.settle(kept);
        setResultAndStopExecution(kept);
        return;
      }
      return {
        onExecuteDone({ result }) {
          // Errors (masked internal ones included) and streamed results are never kept, nor shared.
          if (Symbol.asyncIterator in result || result.errors?.length) {
            flight?.settle(undefined);
            return;
          }
          const { kept: entry, weight } = keep(result, key);
          cache.set(version, key, entry, weight);
          flight?.settle(entry);
          answered(request, entry, 'miss');
        },
      };
    },
    onResponse({ request, response }) {
      const seen = outcome.get(request);
      if (seen) response.headers.set(RESPONSE_CACHE_HEADER, seen);
    },
  };
}
