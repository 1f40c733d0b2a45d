// The web app (web/, built by Vite into web/dist) served by the hub itself: index.html for the app's pages, the
// hashed files under /assets/. Everything is read once into memory (a few hundred KB) with its gzip form and the
// Brotli form the build wrote beside it (web/vite.config.ts), so a request costs no disk access. Nothing here loads
// from another host, and the pages' Content-Security-Policy says so.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { projectRoot } from '../platform/paths.js';

export const WEB_DIST = join(projectRoot, 'web', 'dist');

/** The app's pages (web/src/app.tsx routes the same paths); each answers with index.html. */
export const APP_PAGE =
  /^\/(?:(?:coverage|gaps|implementation|countries|indicators|data|upload|review|sign-in)(?:\/[^/]+)?)?\/?$/;
const ASSET = /^\/assets\/([A-Za-z0-9._-]+)$/;
/** Paths the hub answers itself (API, portals, probes, files): never the app's "Page not found". */
const HUB_PATH = /^\/(?:graphql|sdmx|download|health|ready|assets)(?:\/|$)/;

/**
 * A browser asking for a page the app does not have (a mistyped or stale link): index.html with status 404, so the
 * app shows its own "Page not found" with the navigation instead of the browser's error page.
 */
function isUnknownPage(request: Request, path: string): boolean {
  return !HUB_PATH.test(path) && /\btext\/html\b/.test(request.headers.get('accept') ?? '');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Only this origin: scripts, styles (Plot sets inline styles), data and API calls. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface File {
  body: Buffer<ArrayBuffer>;
  gzip: Buffer<ArrayBuffer> | null;
  br: Buffer<ArrayBuffer> | null;
  type: string;
  etag: string;
}

interface Bundle {
  index: File;
  assets: Map<string, File>;
}

function load(dir: string): Bundle | null {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return null;
  const file = (path: string): File => {
    const body = readFileSync(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
    return {
      body,
      gzip: compressible ? gzipSync(body, { level: 9 }) : null,
      br: compressible && existsSync(`${path}.br`) ? readFileSync(`${path}.br`) : null,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
  };
  const assets = new Map<string, File>();
  const assetsDir = join(dir, 'assets');
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      if (!name.endsWith('.br')) assets.set(name, file(join(assetsDir, name)));
    }
  }
  return { index: file(indexPath), assets };
}

/** Whether an Accept-Encoding header accepts `coding` (named, or `*`, with a q-value above 0). */
function accepts(header: string | null, coding: 'br' | 'gzip'): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== coding && name !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/**
 * Serves the web app at / beside the API. Paths it does not own fall through to Yoga (GraphQL, health) and to the
 * routes other modules add, except a browser's request for an unknown page (isUnknownPage). Until web/dist exists
 * (npm install builds it), the pages answer 503 saying how to build.
 */
const GRAPHIQL_OFF = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>GraphiQL is off · Migration Statistics Hub</title>
<main>
<h1>GraphiQL is off on this hub</h1>
<p>The GraphQL API answers POST requests at <code>/graphql</code>. GraphiQL, the in-browser editor, is served only
where <code>GRAPHIQL=true</code> is set (by default in development only).</p>
<p><a href="/">Back to the hub</a> · <a href="/data">Data access: download, SDMX and change-feed URLs</a></p>
</main>
`;

/**
 * With GraphiQL off (GRAPHIQL; off outside development), a browser that follows the app's GraphiQL link gets a page
 * saying so, where graphql-yoga answered an empty 406. A GET with a query (a GraphQL request) still goes to Yoga.
 */
export function graphiqlOff(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/graphql' || request.method !== 'GET' || url.searchParams.has('query')) return;
      if (!/\btext\/html\b/.test(request.headers.get('accept') ?? '')) return;
      endResponse(
        new fetchAPI.Response(GRAPHIQL_OFF, {
          status: 404,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'referrer-policy': 'no-referrer',
            'cache-control': 'no-cache',
          },
        }),
      );
    },
  };
}

export function webApp(options: { dir?: string } = {}): Plugin {
  const dir = options.dir ?? WEB_DIST;
  let bundle: Bundle | null = null;
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const asset = ASSET.exec(url.pathname);
      const unknown = !asset && !APP_PAGE.test(url.pathname);
      if (unknown && !isUnknownPage(request, url.pathname)) return;
      bundle ??= load(dir);
      if (!bundle) {
        endResponse(
          new fetchAPI.Response(
            'The web app is not built. Run `npm run build:web` (npm install does it), then reload. The GraphQL API is at /graphql.\n',
            { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '10' } },
          ),
        );
        return;
      }
      const file = asset ? bundle.assets.get(asset[1]!) : bundle.index;
      if (!file) {
        endResponse(new fetchAPI.Response('Not found\n', { status: 404, headers: { 'content-type': 'text/plain' } }));
        return;
      }
      const headers: Record<string, string> = {
        'content-type': file.type,
        etag: file.etag,
        vary: 'accept-encoding',
        'x-content-type-options': 'nosniff',
        // Asset names carry a content hash, so they never change; the page itself is revalidated every time.
        'cache-control': asset ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
      if (!asset) {
        headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
        headers['referrer-policy'] = 'no-referrer';
      }
      if (!unknown && request.headers.get('if-none-match') === file.etag) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      const accepted = request.headers.get('accept-encoding');
      const coding = file.br && accepts(accepted, 'br') ? 'br' : file.gzip && accepts(accepted, 'gzip') ? 'gzip' : null;
      const body = coding ? file[coding]! : file.body;
      if (coding) headers['content-encoding'] = coding;
      headers['content-length'] = String(body.byteLength);
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: unknown ? 404 : 200, headers }),
      );
    },
  };
}
