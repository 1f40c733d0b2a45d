// gzip for GraphQL answers when the client accepts it: a world coverage matrix is about 9 MB of JSON and 340 KB
// gzipped. Not @whatwg-node/server's useContentEncoding: it also inflates gzipped request bodies after the body cap
// (a zip bomb), compresses event streams (holding back subscription events) and re-encodes bodies that are already
// encoded (the portal routes gzip their own downloads).
import type { Plugin } from 'graphql-yoga';

/** Smaller answers are sent as they are: gzip would save little and cost a round of CPU. */
export const MIN_BYTES = 1024;

/**
 * Answers whose gzip is already at hand: the response cache (response-cache.ts) compresses each entry once, instead
 * of once per hit (gzip was the largest single cost of a hit). `bytes` is the length of the uncompressed answer the
 * gzip was made from; a response of any other length (a batch, say) is compressed as usual.
 */
export const precompressed = new WeakMap<Request, { bytes: number; gzip: Uint8Array<ArrayBuffer> }>();
const COMPRESSIBLE = /^application\/(graphql-response\+)?json\b/;

/** Whether an Accept-Encoding header accepts gzip: listed, not with q=0 (RFC 9110 §12.5.3). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

export function compression(): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type') ?? '';
      const length = Number(response.headers.get('content-length') ?? Infinity);
      // `response.body` last: on a body given as a string it builds a stream, which a small answer sent as it is
      // never needs (@whatwg-node/server writes a string body directly).
      if (
        response.headers.has('content-encoding') ||
        !COMPRESSIBLE.test(type) ||
        length < MIN_BYTES ||
        !acceptsGzip(request.headers.get('accept-encoding')) ||
        !response.body
      ) {
        return;
      }
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-encoding', 'gzip');
      headers.delete('content-length');
      headers.append('vary', 'Accept-Encoding');
      const ready = precompressed.get(request);
      let body: BodyInit;
      if (ready && ready.bytes === length && response.status === 200) {
        body = ready.gzip;
        headers.set('content-length', String(ready.gzip.byteLength));
        void response.body.cancel();
      } else {
        body = response.body.pipeThrough(new fetchAPI.CompressionStream('gzip'));
      }
      setResponse(
        new fetchAPI.Response(body, {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}
