// Response caching that is exact: the answer of a read query is kept per process and served again only to a request
// that read the same data version (src/platform/data-version.ts) first, as the same visibility class, with the same
// document, operation name and variables. Every committed write raises the version in its own commit, on whichever
// hub process or CLI made it, so no entry made before a write answers a request that starts after it. The version is
// read before any data statement: at worst an entry holds data newer than its version, never older.
//
// Why not @envelop/response-cache: it invalidates by the entities a mutation returns (here imports, the CLI and other
// processes write too) and rewrites every document to collect them; its Yoga wrapper answers If-None-Match with 304
// from an entry of an older version. What remains of it for a version-keyed cache is an LRU around execute.
import { getNamedType, getOperationAST, print, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Config } from '../platform/config.js';
import type { Context, Viewer } from '../platform/context.js';
import { readDataVersion } from '../platform/data-version.js';

/** Response header saying whether the answer came from the cache (`hit`) or was computed and kept (`miss`). */
export const RESPONSE_CACHE_HEADER = 'x-response-cache';

/**
 * What a cached answer may not depend on, besides the data: the caller's own token (`viewer`), the clock
 * (`Comment.overdue`, `ApiToken.active`), and webhook delivery state, which the delivery worker writes without
 * raising the data version (see the migration). A query selecting any of these is executed every time.
 */
const UNCACHEABLE_FIELDS = new Set(['Query.viewer', 'Comment.overdue']);
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

interface Entry {
  result: ExecutionResult;
  bytes: number;
}

export function responseCache(config: Config['responseCache']): Plugin<Context> {
  if (!config.enabled) return {};
  const cache = new LRUCache<string, Entry>({ maxSize: config.maxBytes, sizeCalculation: (e) => e.bytes });
  // Yoga reuses the parsed document of a query text, so this is worked out once per document and operation.
  const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();
  const texts = new WeakMap<DocumentNode, string>();
  const outcome = new WeakMap<Request, 'hit' | 'miss'>();
  /** The highest version seen: entries of lower versions can never be served again, so they are dropped. */
  let latest = -1n;

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Context & { request?: Request; params?: { query?: string } };
      const name = args.operationName ?? '';
      let byName = verdicts.get(args.document);
      if (!byName) verdicts.set(args.document, (byName = new Map()));
      let cacheable = byName.get(name);
      if (cacheable === undefined)
        byName.set(name, (cacheable = cacheableOperation(args.schema, args.document, args.operationName)));
      if (!cacheable) return;

      const version = await readDataVersion(context.prisma);
      if (version > latest) {
        latest = version;
        cache.clear();
      }
      let text = context.params?.query ?? texts.get(args.document);
      if (text === undefined) texts.set(args.document, (text = print(args.document)));
      const key = `${version}\n${cacheClass(context.viewer)}\n${name}\n${JSON.stringify(args.variableValues ?? {})}\n${text}`;
      const request = context.request;
      const entry = cache.get(key);
      if (entry) {
        if (request) outcome.set(request, 'hit');
        setResultAndStopExecution(entry.result);
        return;
      }
      return {
        onExecuteDone({ result }) {
          // Errors (masked internal ones included) and streamed results are never kept; nor an answer read under a
          // version that a newer one has already replaced.
          if (Symbol.asyncIterator in result || result.errors?.length || version !== latest) return;
          const bytes = key.length + JSON.stringify(result).length;
          if (bytes > config.maxBytes) return;
          cache.set(key, { result, bytes });
          if (request) outcome.set(request, 'miss');
        },
      };
    },
    onResponse({ request, response }) {
      const seen = outcome.get(request);
      if (seen) response.headers.set(RESPONSE_CACHE_HEADER, seen);
    },
  };
}
