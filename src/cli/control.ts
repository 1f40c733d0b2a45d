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
// {err} (standard error), and finally {exit, error?, cancelled?}. A client that goes away before the end (closes its
// side: Ctrl-C, or it died) cancels the command: its AbortSignal (RemoteIo.signal) fires, and a command that stops
// for it (an import rolls its transaction back) ends with {exit: 130, cancelled: true}, which a client that only
// half-closed still reads.
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
  /** Fires when the CLI that asked for the command goes away (control socket only). */
  signal?: AbortSignal;
}

export interface ControlRequest {
  argv: string[];
  cwd: string;
  /** The CLI's stderr is a terminal: progress is drawn as a redrawn bar on it (sent through the socket). */
  stderrIsTTY?: boolean;
}

type Reply = { out: string } | { err: string } | { exit: number; error?: string; cancelled?: boolean };

/** How a command run through the server ended: its exit code, and whether it stopped because its client left. */
export interface RemoteEnd {
  exit: number;
  cancelled: boolean;
}

/** The exit code of a command stopped by an interrupt (128 + SIGINT), as a shell reports one. */
export const INTERRUPTED_EXIT = 130;

/** The socket path for a data directory: inside it when the name fits a socket address, else in the temp dir. */
export function controlSocketPath(dataDir: string): string {
  const inside = join(dataDir, 'migstat.sock');
  // sun_path holds 108 bytes on Linux and 104 on macOS, terminator included.
  if (Buffer.byteLength(inside) < 100) return inside;
  return join(tmpdir(), `migstat-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
}

export interface ControlServer {
  path: string;
  /** The command lines running now, for the shutdown log. */
  running(): string[][];
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
  const running = new Map<Socket, string[]>();
  // Half-open: a client that ends its side (Ctrl-C) still reads whether its command was cancelled.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let started = false;
    // Half-open sockets are not ended by Node: one that leaves before asking for anything is ended here.
    socket.on('end', () => {
      if (!started) socket.end();
    });
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
    const cancel = new AbortController();
    const leave = () => cancel.abort(new CommandCancelledError());
    socket.once('end', leave);
    socket.once('close', leave);
    running.set(socket, request.argv);
    const stdout = new Writable({
      write(chunk: Buffer | string, _enc, callback) {
        if (socket.destroyed) return callback();
        socket.write(`${JSON.stringify({ out: chunk.toString() })}\n`, () => callback());
      },
    });
    const io: RemoteIo = {
      log: (line) => send(socket, { out: `${line}\n` }),
      stdout,
      stderr: { write: (chunk) => send(socket, { err: chunk }), isTTY: request.stderrIsTTY === true },
      cwd: request.cwd,
      signal: cancel.signal,
    };
    logger.info({ argv: request.argv }, 'control: running a command for the CLI');
    let reply: Reply;
    try {
      await execute(request, io);
      reply = { exit: 0 };
    } catch (err) {
      if (cancel.signal.aborted && err === cancel.signal.reason) {
        logger.warn({ argv: request.argv }, 'control: the CLI went away; command cancelled and rolled back');
        reply = { exit: INTERRUPTED_EXIT, cancelled: true };
      } else {
        const { message, exitCode } = describe(err);
        logger.info({ argv: request.argv, err: message, exitCode }, 'control: command failed');
        reply = { exit: exitCode, ...(message ? { error: message } : {}) };
      }
    } finally {
      running.delete(socket);
      socket.off('end', leave);
      socket.off('close', leave);
    }
    if (!socket.destroyed) socket.end(`${JSON.stringify(reply)}\n`);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    running: () => [...running.values()],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `argv` in the server listening on `path`, relaying its output; resolves with how it ended. When `interrupt`
 * fires, the client ends its side of the socket, which cancels the command, and waits for the server's answer.
 */
export function runThroughServer(
  path: string,
  request: ControlRequest,
  io: RemoteIo,
  interrupt?: AbortSignal,
): Promise<RemoteEnd> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = '';
    let end: RemoteEnd | undefined;
    const leave = () => socket.end();
    interrupt?.addEventListener('abort', leave, { once: true });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
        const reply = JSON.parse(buffer.slice(0, i)) as Reply;
        buffer = buffer.slice(i + 1);
        if ('out' in reply) io.stdout.write(reply.out);
        else if ('err' in reply) io.stderr.write(reply.err);
        else {
          end = { exit: reply.exit, cancelled: Boolean(reply.cancelled) };
          if (reply.error) io.stderr.write(`migstat: ${reply.error}\n`);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      interrupt?.removeEventListener('abort', leave);
      if (end === undefined) reject(new ControlLostError(request.argv));
      else resolve(end);
    });
  });
}

/** Why a command run for a CLI stopped: the CLI went away (the abort reason of RemoteIo.signal). */
export class CommandCancelledError extends Error {
  constructor() {
    super('the command was cancelled: its client went away');
  }
}

/** The server went away before saying how the command ended; `argv` chooses how to find out. */
export class ControlLostError extends Error {
  constructor(readonly argv: string[]) {
    super(`the server stopped before answering whether \`migstat ${argv.join(' ')}\` was done; ${checkAdvice(argv)}`);
  }
}

/** How to find out what a command whose outcome is unknown did. */
export function checkAdvice(argv: string[]): string {
  const [command, sub] = argv;
  if (command === 'import' && sub) {
    return (
      'an import is all or nothing: `migstat import ' +
      argv
        .slice(1)
        .filter((a) => a !== '--dry-run' && a !== '-n')
        .join(' ') +
      ' --dry-run` reports what it would still write'
    );
  }
  if (command === 'token' && sub === 'create') {
    return 'check with `migstat token list`, revoke a token created without being shown, and create one again';
  }
  if (command === 'token' && sub === 'revoke') return 'check with `migstat token list --all`';
  if (command === 'migrate' || command === 'seed') return `\`migstat ${command}\` again finishes what is left`;
  return 'run it again once the server is back';
}
