// The only file that listens.
import { createServer, type Server } from 'node:http';
import type { App } from './context.js';
import { sdmxBodylessPost } from '../portals/portals.http.js';
import { createApi } from './yoga.js';

export async function listen(app: App): Promise<Server> {
  const api = createApi(app);
  const server = createServer((req, res) => {
    // The body cap (yoga.ts) trusts Content-Length, so a chunked body of unknown length is refused up front.
    if (req.method === 'POST' && req.headers['content-length'] === undefined) {
      // SDMX paths serve GET and HEAD only: the same 405 SDMX message as a POST with a length gets.
      const sdmx = sdmxBodylessPost(new URL(req.url ?? '/', 'http://hub').pathname);
      if (sdmx) {
        res.writeHead(sdmx.status, { ...sdmx.headers, connection: 'close' });
        res.end(sdmx.body);
        req.resume();
        return;
      }
      res.writeHead(411, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ errors: [{ message: 'POST requests need a Content-Length header' }] }));
      req.resume();
      return;
    }
    void api(req, res);
  });
  server.requestTimeout = 120_000;
  // Closes what the API holds open (the rate limiter's Redis connection).
  server.once('close', () => void api.dispose());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(app.config.port, app.config.host, resolve);
  });
  return server;
}
