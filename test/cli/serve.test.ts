// `migstat serve` as a process: migrates and seeds an empty database, serves the catalogue, says where it listens,
// stops on SIGTERM, and exits saying so when its port is taken; a shutdown that runs out of time names the requests it abandons, and one that does not is not
// held open by a keep-alive connection.
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { cliEnv, cliTarget, migstatBin, type CliTarget } from '../support/cli.js';
import { SERVE_NODE_FLAGS } from '../support/serve-flags.js';

let target: CliTarget;
beforeAll(async () => {
  // Created but never migrated, on PGlite and PostgreSQL alike: serve migrates and seeds it.
  target = await cliTarget({ database: 'empty' });
});
afterAll(() => target?.dispose());

type LogEntry = Record<string, unknown>;

/** Starts `migstat serve`; resolves once it serves, with its log so far and as it grows. */
async function startServe(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
    env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...target.env, ...env }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: LogEntry[] = [];
  let waiters: (() => void)[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let buffer = '';
  child.stderr.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      logs.push(JSON.parse(buffer.slice(0, i)) as LogEntry); // structured logs only
      buffer = buffer.slice(i + 1);
    }
    for (const wake of waiters) wake();
  });
  /** The first log entry with this message (fails if the process exits first). */
  const logged = async (msg: string): Promise<LogEntry> => {
    for (;;) {
      const entry = logs.find((l) => l.msg === msg);
      if (entry) return entry;
      const ended = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => waiters.push(() => resolve(false))),
      ]);
      waiters = [];
      if (ended) {
        const late = logs.find((l) => l.msg === msg);
        if (late) return late;
        throw new Error(`serve exited before logging "${msg}": ${JSON.stringify(logs)}`);
      }
    }
  };
  const serving = await logged('serving');
  return { child, logs, logged, exited, serving, url: String(serving.url) };
}

/**
 * A POST whose body has not arrived: its headers ask for 100 Continue, which Node's server sends just before it
 * hands the request to the hub, so once it is read the request is in flight. `finish` sends the body.
 */
function startUpload(url: string, path: string, body: string) {
  const { port } = new URL(url);
  const socket: Socket = connect(Number(port), '127.0.0.1');
  let received = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const taken = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('100 Continue\r\n\r\n')) resolve();
    });
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
  );
  return {
    taken,
    closed,
    received: () => received,
    finish: () => void socket.write(body),
    destroy: () => socket.destroy(),
  };
}

test('serve on an empty database seeds it and answers with the whole catalogue; SIGTERM stops it cleanly', async () => {
  const { child, logs, exited, serving, url } = await startServe();
  try {
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['applied migrations', 'seeded the M49 list and the catalogue']),
    );
    // The address bound, not "localhost": HOST=127.0.0.1 is not reachable as ::1.
    expect(serving).toMatchObject({ host: '127.0.0.1', allInterfaces: false });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(serving.web).toBe(url.replace(/graphql$/, ''));
    expect((await fetch(url.replace('/graphql', '/ready'))).status).toBe(200);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ countries { totalCount } indicators { totalCount } sourceTypes { code } }' }),
    });
    const body = await res.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.countries.totalCount).toBe(248);
    expect(body.data.indicators.totalCount).toBe(15);
    expect(body.data.sourceTypes).toHaveLength(10);
  } finally {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
  expect(logs.map((l) => l.msg)).toContain('shutting down');
});

test('on a port in use it says so and exits, letting go of the database, rather than hold it without serving', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as AddressInfo).port;
  try {
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, migstatBin, 'serve'], {
      env: cliEnv({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), ...target.env }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    expect({ code, stderr: stderr.trim().split('\n').at(-1) }).toEqual({
      code: 1,
      stderr: `migstat: cannot listen on 127.0.0.1:${port}: the port is in use by another process; set PORT to another one`,
    });
  } finally {
    busy.close();
  }
  // The database is free for the next command, which runs on its own (not through a control socket left behind).
  await expect(target.run('token', 'list')).resolves.toMatchObject({ code: 0, stdout: 'no tokens\n' });
});

test('on every interface it says so; a shutdown out of time names each request it abandons, without its query', async () => {
  // The bound is waited out: short (the default is 10 s), and still the least the abandoned request ran.
  const { child, logs, logged, exited, serving, url } = await startServe({
    HOST: '0.0.0.0',
    SHUTDOWN_TIMEOUT_MS: '1000',
  });
  const upload = startUpload(url, '/graphql?token=s3cret', JSON.stringify({ query: '{ __typename }' }));
  try {
    expect(serving).toMatchObject({ host: '0.0.0.0', allInterfaces: true });
    expect(url).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    // A live change stream: shutdown ends it (closeChangeStreams), so it is not among the abandoned.
    const stream = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { changes { sequence } }' }),
    });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const streamEnded = stream.text();
    await upload.taken;
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    await expect(streamEnded).resolves.toContain('event: complete');
  } finally {
    upload.destroy();
    child.kill('SIGKILL');
  }
  const abandoned = await logged('shutdown timed out; abandoning what still runs');
  expect(abandoned.requests).toEqual([
    { method: 'POST', path: '/graphql', runningMs: expect.any(Number), bytesWritten: 0 },
  ]);
  expect((abandoned.requests as { runningMs: number }[])[0]!.runningMs).toBeGreaterThanOrEqual(1000);
  expect(JSON.stringify(logs)).not.toContain('s3cret');
});

test('a keep-alive connection whose request ends during shutdown is closed, not left to hold the shutdown', async () => {
  // Node's keep-alive timeout (5 s) is longer than this bound: a connection left idle would time the shutdown out.
  const { child, logs, logged, exited, url } = await startServe({ SHUTDOWN_TIMEOUT_MS: '3000' });
  const upload = startUpload(url, '/graphql', JSON.stringify({ query: '{ __typename }' }));
  try {
    await upload.taken;
    child.kill('SIGTERM');
    // server.close() has run by now (it follows this line): the answer comes after it, on a keep-alive connection.
    await logged('shutting down');
    upload.finish();
    await upload.closed;
    expect(upload.received()).toMatch(/HTTP\/1\.1 200 OK[^]*"__typename":"Query"/);
    expect(await exited).toBe(0);
  } finally {
    upload.destroy();
    child.kill('SIGKILL');
  }
  expect(logs.map((l) => l.msg)).not.toContain('shutdown timed out; abandoning what still runs');
});

test('a second signal during shutdown stops waiting at once, naming what it abandons', async () => {
  const { child, logged, exited, url } = await startServe({ SHUTDOWN_TIMEOUT_MS: '600000' });
  const upload = startUpload(url, '/graphql', JSON.stringify({ query: '{ __typename }' }));
  try {
    await upload.taken;
    child.kill('SIGTERM');
    await logged('shutting down');
    child.kill('SIGINT');
    expect(await exited).toBe(1);
  } finally {
    upload.destroy();
    child.kill('SIGKILL');
  }
  const abandoned = await logged('SIGINT while shutting down; abandoning what still runs');
  expect(abandoned.requests).toEqual([expect.objectContaining({ method: 'POST', path: '/graphql' })]);
});
