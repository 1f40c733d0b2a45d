// The GraphQL HTTP handler, with the hardening every deployment gets. Exported for tests (yoga.fetch) and for
// server.ts, the only file that listens.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { COMPLETE_THROUGH_HEADER, portalRoutes } from '../portals/portals.http.js';
import { AppError, DATABASE_UNAVAILABLE, isDatabaseUnavailable } from '../platform/errors.js';
import { MAX_PAGE_SIZE } from '../schema/builder.js';
import { admission } from './admission.js';
import { compression } from './compression.js';
import { apiHeaders, cors } from './cors.js';
import { createContext, type App, type Context } from './context.js';
import {
  MAX_NESTING,
  armorRejection,
  hideSuggestions,
  nestingLimit,
  oneMutationPerRequest,
  argumentLimits,
  utf8Body,
  validationLimits,
} from './limits.js';
import { RATE_LIMIT_HEADERS, rateLimits } from './rate-limit.js';
import { WRITTEN_HEADER, replicaRouting } from './replica-routing.js';
import { RESPONSE_CACHE_HEADER, responseCache } from './response-cache.js';
import { schema } from './schema.js';
import { graphiqlOff, webApp } from './static.js';

export const CSRF_HEADERS = ['x-graphql-csrf', 'authorization', 'apollo-require-preflight'];

/** Limits sized for Relay queries: a two-hop connection query passes, a 30-deep one does not. */
export const LIMITS = {
  maxDepth: 15,
  maxAliases: 30,
  maxTokens: 4000,
  maxCost: 20000,
  maxDirectives: 50,
  maxNesting: MAX_NESTING,
};

export function createApi(app: App) {
  return createYoga<Record<string, never>, Context>({
    schema,
    context: (initial) => createContext(app, initial),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Yoga's own body cap pipes every request body through a TransformStream (with an AbortController and a
    // DOMException per request): about 8 % of the CPU of a `{ __typename }` request under load (issue 11). The hub
    // caps bodies itself, for the same cost as reading a header: bodyLimit() below refuses a declared length over
    // MAX_BODY_BYTES, and server.ts refuses a POST without Content-Length (411), so Node's parser never reads more
    // than the declared length.
    maxRequestBodySize: false,
    graphiql: app.config.graphiql ? { title: 'Migration Statistics Hub' } : false,
    // GraphiQL with its scripts, styles and editor workers inlined (Yoga's default page loads them from a CDN and
    // stays blank offline). The 9 MB module loads on the first GraphiQL request only.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    // CORS is the hub's own plugin below (cors.ts says why not Yoga's).
    cors: false,
    // Yoga logs a debug line at several steps of every request: the arguments are joined only when debug is on.
    logging: {
      debug: (...args) => {
        if (app.logger.isLevelEnabled('debug')) app.logger.debug(args.map(String).join(' '));
      },
      info: (...args) => app.logger.info(args.map(String).join(' ')),
      warn: (...args) => app.logger.warn(args.map(String).join(' ')),
      error: (...args) => app.logger.error(args.map(String).join(' ')),
    },
    maskedErrors: {
      // As Yoga's default: deliberate GraphQLErrors (auth, limits, NOT_ADDITIVE…) pass; an error wrapping anything
      // else (database, bug) is logged and replaced by "Unexpected error.".
      maskError(error, message) {
        const original = (error as { originalError?: unknown }).originalError;
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        // A domain error (conflict, validation, not found) thrown where no result union lists it: typed by its code.
        if (error instanceof GraphQLError && original instanceof AppError) {
          return new GraphQLError(original.message, {
            nodes: error.nodes,
            path: error.path,
            extensions: { code: original.code },
          });
        }
        // The database unreachable or too busy (a timeout, a transaction that waited past its limit): not a bug, and
        // the caller can retry, so it is told so by code rather than given "Unexpected error.".
        if (isDatabaseUnavailable(original ?? error)) {
          app.logger.warn({ err: original ?? error }, 'database unavailable');
          return new GraphQLError(DATABASE_UNAVAILABLE, {
            nodes: error instanceof GraphQLError ? error.nodes : undefined,
            path: error instanceof GraphQLError ? error.path : undefined,
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          });
        }
        app.logger.error({ err: original ?? error }, 'unexpected error');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    plugins: [
      // First, so that a preflight is answered before anything else runs and every answer (a 429 too) gets them.
      ...(app.config.corsOrigins.length
        ? [
            cors(app.config.corsOrigins, [
              ...RATE_LIMIT_HEADERS,
              'ETag',
              WRITTEN_HEADER,
              RESPONSE_CACHE_HEADER,
              COMPLETE_THROUGH_HEADER,
            ]),
          ]
        : []),
      apiHeaders(),
      compression(),
      webApp(),
      ...(app.config.graphiql ? [] : [graphiqlOff()]),
      // Before anything reads the body or the database: a spent budget costs the hub nothing more.
      rateLimits(app.config, app.logger),
      bodyLimit(app.config.maxBodyBytes),
      utf8Body(),
      readiness(app),
      // SDMX (/sdmx/v2) and bulk downloads (/download): plain GETs answered before CSRF and GraphQL handling.
      portalRoutes(app),
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      admission(app.config.admission),
      // Before armor's parser: a 2 000-level nesting would overflow graphql-js's recursive parser.
      nestingLimit(LIMITS.maxNesting, LIMITS.maxTokens),
      pageSizeLimit(MAX_PAGE_SIZE),
      argumentLimits(app.config.maxBodyBytes),
      oneMutationPerRequest(),
      // Depth first, so that a deep query is told about its depth rather than the cost that depth implies.
      // Each limit's onReject throws the hub's QUERY_TOO_COMPLEX error in place of armor's "Syntax Error: …".
      maxDepthPlugin({
        n: LIMITS.maxDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
        onReject: [armorRejection('depth', LIMITS.maxDepth)],
      }),
      EnvelopArmorPlugin({
        maxDepth: { enabled: false },
        maxAliases: { n: LIMITS.maxAliases, onReject: [armorRejection('aliases', LIMITS.maxAliases)] },
        maxTokens: { n: LIMITS.maxTokens, onReject: [armorRejection('tokens', LIMITS.maxTokens)] },
        maxDirectives: { n: LIMITS.maxDirectives, onReject: [armorRejection('directives', LIMITS.maxDirectives)] },
        costLimit: {
          maxCost: LIMITS.maxCost,
          ignoreIntrospection: true,
          onReject: [armorRejection('cost', LIMITS.maxCost)],
        },
        // hideSuggestions() below also covers enum values and variable coercion, which armor's misses.
        blockFieldSuggestion: { enabled: false },
      }),
      validationLimits(),
      ...(app.config.isProduction ? [hideSuggestions()] : []),
      replicaRouting(app),
      // Last: only answers to operations that every limit above let through are kept (and so served again).
      responseCache(app),
    ],
  });
}

export type Api = ReturnType<typeof createApi>;

/** 413 before reading a body whose declared length is over the cap (server.ts also caps chunked bodies). */
function bodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > maxBytes) {
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({
              errors: [{ message: `Request body over ${maxBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
            }),
            { status: 413, headers: { 'content-type': 'application/json' } },
          ),
        );
      }
    },
  };
}

/** How long /ready waits for the database before answering 503. */
export const READY_DEADLINE_MS = 1_000;

/**
 * /ready answers 200 only when the database answers, within READY_DEADLINE_MS, and without queueing behind the
 * application's queries (Database.ping: its own connection on PostgreSQL, recent answers on PGlite). Replicas are
 * listed with their state but never make it 503: reads fall back to the primary without them.
 */
function readiness(app: App): Plugin {
  return {
    async onRequest({ request, endResponse, fetchAPI, url }) {
      if (url.pathname !== '/ready' || request.method !== 'GET') return;
      try {
        const [, replicas] = await Promise.all([app.db.ping(READY_DEADLINE_MS), app.db.replicas?.status()]);
        endResponse(fetchAPI.Response.json({ status: 'ready', database: app.db.kind, ...(replicas && { replicas }) }));
      } catch (err) {
        app.logger.warn({ err }, 'readiness check failed');
        endResponse(fetchAPI.Response.json({ status: 'unavailable', database: app.db.kind }, { status: 503 }));
      }
    },
  };
}

/** `first`/`last` above the maximum page size is an error naming the field, not a silently shorter page. */
function pageSizeLimit(max: number): Plugin {
  interface PageArgument {
    argument: string;
    field: string;
    /** The literal value, or the name of the variable that gives it. */
    value: number | { variable: string } | undefined;
  }
  // The `first`/`last` arguments of a document, collected once per document: Yoga's parse cache hands every request
  // with the same query text the same DocumentNode, so a request walks only this short list, not the document.
  const byDocument = new WeakMap<DocumentNode, PageArgument[]>();
  const pageArguments = (document: DocumentNode): PageArgument[] => {
    let found = byDocument.get(document);
    if (found) return found;
    found = [];
    const into = found;
    visit(document, {
      Field(field) {
        for (const arg of field.arguments ?? []) {
          if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
          into.push({
            argument: arg.name.value,
            field: field.name.value,
            value:
              arg.value.kind === Kind.INT
                ? Number(arg.value.value)
                : arg.value.kind === Kind.VARIABLE
                  ? { variable: arg.value.name.value }
                  : undefined,
          });
        }
      },
    });
    byDocument.set(document, found);
    return found;
  };
  const check = (document: DocumentNode, variables: Record<string, unknown> | undefined) => {
    const problems: string[] = [];
    for (const { argument, field, value: given } of pageArguments(document)) {
      const value = typeof given === 'object' ? variables?.[given.variable] : given;
      if (typeof value === 'number' && (value > max || value < 0)) {
        problems.push(`"${argument}" on ${field} must be between 0 and ${max} (got ${value})`);
      }
    }
    return problems;
  };
  return {
    onExecute({ args }) {
      const problems = check(args.document, args.variableValues ?? undefined);
      if (problems.length) {
        throw new GraphQLError(problems.join('; '), { extensions: { code: 'BAD_USER_INPUT' } });
      }
    },
  };
}
