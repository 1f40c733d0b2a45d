// The only file that listens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { App } from './context.js';
import { sdmxBodylessPost } from '../portals/portals.http.js';
import { createApi } from './yoga.js';

/** An HTTP request not answered yet, as `migstat serve` names it when a shutdown abandons it. */
export interface InFlightRequest {
  method: string;
  /** The path without its query string, which may carry secrets (a token, an e-mail address in a filter). */
  path: string;
  runningMs: number;
  /** Response bytes handed to the socket so far, headers included (0: no answer begun, e.g. a body still arriving). */
  bytesWritten: number;
}

export type HubServer = Server & {
  /** The requests whose response has not finished, oldest first. */
  inFlight(): InFlightRequest[];
};

interface Tracked {
  method: string;
  path: string;
  started: number;
  res: ServerResponse;
  /** The socket's count when the request began: a keep-alive socket has carried earlier responses. */
  bytesBefore: number;
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://hub').pathname;
  } catch {
    return '(unparsable URL)';
  }
}

export async function listen(app: App): Promise<HubServer> {
  const api = createApi(app);
  const inFlight = new Set<Tracked>();
  const server = createServer((req, res) => {
    const tracked: Tracked = {
      method: req.method ?? '?',
      path: pathOf(req),
      started: performance.now(),
      res,
      bytesBefore: req.socket.bytesWritten,
    };
    inFlight.add(tracked);
    const done = () => {
      if (!inFlight.delete(tracked)) return;
      // server.close() only closes the connections idle at that moment: one whose response ends later would stay
      // open for keepAliveTimeout, holding the close (and the shutdown) that long.
      if (!server.listening) setImmediate(() => server.closeIdleConnections());
    };
    res.once('finish', done);
    res.once('close', done);
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
    server.once('error', (err) => {
      // Never listened, so never closed: what the API holds open would keep the process alive.
      void api.dispose();
      reject(err);
    });
    server.listen(app.config.port, app.config.host, resolve);
  });
  return Object.assign(server, {
    inFlight: (): InFlightRequest[] =>
      [...inFlight].map(({ method, path, started, res, bytesBefore }) => ({
        method,
        path,
        runningMs: Math.round(performance.now() - started),
        bytesWritten: res.socket ? res.socket.bytesWritten - bytesBefore : 0,
      })),
  });
}
