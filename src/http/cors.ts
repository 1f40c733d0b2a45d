// Cross-origin access for the browser origins in CORS_ORIGINS, and the headers every API answer carries.
//
// Not Yoga's `cors` option (@whatwg-node/server's useCORS): given a list, it answers an origin not on it with
// `Access-Control-Allow-Origin: null`, which lets any page in a sandboxed iframe or a data: URL (whose origin is
// "null") read the API; and it sets Vary, erasing the Vary of the portal routes (Authorization, Accept,
// Accept-Encoding), so a cache could serve a gzip or another format to a client that did not ask for it.
import type { Plugin } from 'graphql-yoga';

/**
 * CORS for the listed origins only: a listed Origin is echoed, any other origin (`null` included) gets no CORS
 * header at all, so the browser keeps the answer from the page. Every answer varies by Origin (added to its Vary,
 * never replacing it), so that a cache does not hand one origin's answer to another. No credentials: the API reads
 * tokens from the Authorization header only.
 */
export function cors(origins: readonly string[], exposedHeaders: readonly string[]): Plugin {
  const allowed = new Set(origins);
  const listed = (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.has(origin) ? origin : null;
  };
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      const origin = listed(request);
      const headers: Record<string, string> = { 'content-length': '0' };
      if (origin) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-allow-methods'] = 'GET, POST';
        const asked = request.headers.get('access-control-request-headers');
        if (asked) headers['access-control-allow-headers'] = asked;
        headers['access-control-max-age'] = '600';
      }
      // A preflight from an origin not listed is answered without CORS headers: the browser then sends nothing.
      endResponse(new fetchAPI.Response(null, { status: origin ? 204 : 403, headers }));
    },
    onResponse({ request, response }) {
      response.headers.append('vary', 'Origin');
      if (request.method === 'OPTIONS') response.headers.append('vary', 'Access-Control-Request-Headers');
      const origin = listed(request);
      if (!origin || request.method === 'OPTIONS') return;
      response.headers.set('access-control-allow-origin', origin);
      response.headers.set('access-control-expose-headers', exposedHeaders.join(', '));
    },
  };
}

/**
 * Headers of every answer: `nosniff`, as error answers echo what the caller sent (an unknown code, say) and must
 * not be read as HTML; `private, no-store` on answers to a request with a token that set no caching rule of their
 * own (GraphQL answers), which hold what that token may read; and no framing of an HTML page without a policy.
 */
export function apiHeaders(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-content-type-options', 'nosniff');
      // Pages without a policy of their own (GraphiQL, whose inline scripts rule out the app's): never in a frame.
      if (
        /^text\/html\b/.test(response.headers.get('content-type') ?? '') &&
        !response.headers.has('content-security-policy')
      ) {
        response.headers.set('content-security-policy', "frame-ancestors 'none'");
        response.headers.set('x-frame-options', 'DENY');
        response.headers.set('referrer-policy', 'no-referrer');
      }
      if (request.headers.has('authorization') && !response.headers.has('cache-control'))
        response.headers.set('cache-control', 'private, no-store');
    },
  };
}
