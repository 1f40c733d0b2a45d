// The control channel of a running `migstat serve` on embedded PGlite (CONTRACT §6): a Unix socket through which
// the other `migstat` commands run inside the server process, on the server's own database connection, instead of
// opening the data directory a second time.
//
// Why a socket into the server rather than `@electric-sql/pglite-socket` (PGlite's wire protocol on a socket): PGlite
// has one session, so a client's BEGIN … COMMIT over the wire would interleave with the server's own statements,
// and a rollback on one side could undo the other's acknowledged writes. Running the command in the server goes
// through the same Prisma client and transaction queue as the API. Why not the HTTP API: the first `token create`
// has no token to authenticate with. The socket lives in the data directory (or, when that path is too long for a
// socket name, in the temporary directory under a name derived from it) with mode 0600: whoever may use it may
// already read and write the database files themselves.
//
// Protocol: one JSON line from the client, {argv, cwd}; then JSON lines from the server, {out} (standard output),
// {err} (standard error), and finally {exit, error?}.
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';

export interface RemoteIo {
  log(line: string): void;
  stdout: Writable;
  stderr: { write(chunk: string): boolean | void; isTTY: boolean };
  cwd: string;
}

export interface ControlRequest {
  argv: string[];
  cwd: string;
}

type Reply = { out: string } | { err: string } | { exit: number; error?: string };

/** The socket path for a data directory: inside it when the name fits a socket address, else in the temp dir. */
export function controlSocketPath(dataDir: string): string {
  const inside = join(dataDir, 'migstat.sock');
  // sun_path holds 108 bytes on Linux and 104 on macOS, terminator included.
  if (Buffer.byteLength(inside) < 100) return inside;
  return join(tmpdir(), `migstat-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
}

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

export async function startControlServer(
  dataDir: string,
  execute: (request: ControlRequest, io: RemoteIo) => Promise<void>,
  describe: (err: unknown) => { message: string; exitCode: number },
  logger: Logger,
): Promise<ControlServer> {
  const path = controlSocketPath(dataDir);
  // We own the data directory's lock, so a socket file left there belongs to a holder that has died.
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      if (started) return;
      buffer += chunk.toString('utf8');
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      started = true;
      let request: ControlRequest;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as ControlRequest;
        if (!Array.isArray(request.argv) || typeof request.cwd !== 'string') throw new Error('bad request');
      } catch {
        socket.end(`${JSON.stringify({ exit: 2, error: 'malformed control request' })}\n`);
        return;
      }
      void run(socket, request);
    });
  });
  const send = (socket: Socket, reply: Reply) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  const run = async (socket: Socket, request: ControlRequest) => {
    const stdout = new Writable({
      write(chunk: Buffer | string, _enc, callback) {
        if (socket.destroyed) return callback();
        socket.write(`${JSON.stringify({ out: chunk.toString() })}\n`, () => callback());
      },
    });
    const io: RemoteIo = {
      log: (line) => send(socket, { out: `${line}\n` }),
      stdout,
      stderr: { write: (chunk) => send(socket, { err: chunk }), isTTY: false },
      cwd: request.cwd,
    };
    logger.info({ argv: request.argv }, 'control: running a command for the CLI');
    try {
      await execute(request, io);
      socket.end(`${JSON.stringify({ exit: 0 })}\n`);
    } catch (err) {
      const { message, exitCode } = describe(err);
      logger.info({ argv: request.argv, err: message, exitCode }, 'control: command failed');
      socket.end(`${JSON.stringify({ exit: exitCode, ...(message ? { error: message } : {}) })}\n`);
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `argv` in the server listening on `path`, relaying its output; resolves with the exit code. */
export function runThroughServer(path: string, request: ControlRequest, io: RemoteIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = '';
    let exit: number | undefined;
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const reply = JSON.parse(buffer.slice(0, i)) as Reply;
        buffer = buffer.slice(i + 1);
        if ('out' in reply) io.stdout.write(reply.out);
        else if ('err' in reply) io.stderr.write(reply.err);
        else {
          exit = reply.exit;
          if (reply.error) io.stderr.write(`migstat: ${reply.error}\n`);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (exit === undefined) reject(new ControlLostError());
      else resolve(exit);
    });
  });
}

export class ControlLostError extends Error {
  constructor() {
    super('the server stopped before the command finished; check with `migstat token list` or a query what was done');
  }
}
