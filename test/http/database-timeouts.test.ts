// A database that does not answer makes the hub fail fast, never hang: a connect timeout and a statement timeout
// (configurable), and a readiness probe that answers within a second without queueing behind the readers. A database
// that is merely busy makes writes wait for their turn, never fail.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { databaseOptions } from '../../src/cli/cli.js';
import { createApi, READY_DEADLINE_MS } from '../../src/http/yoga.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { DATABASE_UNAVAILABLE } from '../../src/platform/errors.js';
import { openDatabase } from '../../src/platform/db.js';
import { runCli } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { startHub, type Hub } from '../support/hub.js';

/** A TCP server that accepts connections and never says a word, like a firewalled or wedged database host. */
async function blackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/migstat`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('the timeouts are configuration: 5 s to connect and 30 s per statement by default, validated', () => {
  const defaults = loadConfig({});
  expect([defaults.databaseConnectTimeoutMs, defaults.databaseStatementTimeoutMs]).toEqual([5_000, 30_000]);
  const set = loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '250', DATABASE_STATEMENT_TIMEOUT_MS: '0' });
  expect(databaseOptions(set)).toMatchObject({ connectTimeoutMs: 250, statementTimeoutMs: 0 });
  expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
  expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS/);
});

(dbKind === 'pglite' ? describe : describe.skip)('a database host that accepts and never answers', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  beforeAll(async () => {
    hole = await blackHole();
  });
  afterAll(() => hole?.close());

  test('/ready is 503 within its deadline and a query fails after the connect timeout, instead of hanging', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: hole.url, DATABASE_CONNECT_TIMEOUT_MS: '300' });
    const db = await openDatabase(databaseOptions(config));
    const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
    try {
      let started = Date.now();
      const ready = await api.fetch('http://hub.test/ready');
      const readyMs = Date.now() - started;
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', database: 'postgres' });

      started = Date.now();
      const res = await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ countries { totalCount } }' }),
      });
      const queryMs = Date.now() - started;
      // Not a bug but an outage: typed, so that a client knows to retry.
      expect((await res.json()).errors[0]).toMatchObject({
        message: DATABASE_UNAVAILABLE,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      // Bounds far above the configured waits (1 s, 0.3 s) and far below the minutes it took without them.
      expect(readyMs).toBeLessThan(READY_DEADLINE_MS + 4_000);
      expect(queryMs).toBeLessThan(15_000);

      // The portal routes say the same, each in its own format: an SDMX error message, a download's JSON error.
      const sdmx = await api.fetch('http://hub.test/sdmx/v2/data/dataflow/MIGSTAT/DF_MIGRATION/1.0/*');
      expect(sdmx.status).toBe(503);
      expect((await sdmx.json()).errors[0]).toMatchObject({
        code: 503,
        title: 'Service Unavailable',
        detail: DATABASE_UNAVAILABLE,
      });
      const download = await api.fetch('http://hub.test/download/observations.csv');
      expect([download.status, await download.json()]).toEqual([503, { error: DATABASE_UNAVAILABLE }]);
    } finally {
      await db.close();
    }
  });

  test('a command fails with a readable message and a non-zero exit', async () => {
    const started = Date.now();
    const run = await runCli(['migrate'], { DATABASE_URL: hole.url, DATABASE_CONNECT_TIMEOUT_MS: '300' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^migstat: cannot reach the database/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

(dbKind === 'postgres' ? describe : describe.skip)('on PostgreSQL', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub?.close());

  test('the connect timeout bounds connecting, not waiting for a free connection under load', async () => {
    // 1 s to connect: ten connections opened at once on a loaded machine took over 300 ms each.
    const config = loadConfig({ DATABASE_URL: hub.db.url!, DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    const db = await openDatabase(databaseOptions(config));
    try {
      // 14 transactions on a pool of 10: four wait about three seconds for a connection, well past 1 s.
      const held = await Promise.allSettled(
        Array.from({ length: 14 }, () =>
          db.prisma.$transaction(async (tx) => {
            await tx.$queryRawUnsafe('SELECT 1');
            await new Promise((resolve) => setTimeout(resolve, 3_000));
          }),
        ),
      );
      expect(held.filter((r) => r.status === 'rejected')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  test('a read cancelled by the statement timeout reaches the caller as SERVICE_UNAVAILABLE, not as a bug', async () => {
    const config = loadConfig({ DATABASE_URL: hub.db.url!, DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    const db = await openDatabase(databaseOptions(config));
    const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
    // Another session holds the table, so the hub's statement waits until the server cancels it.
    const locker = new pg.Client({ connectionString: hub.db.url! });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "Submission" IN ACCESS EXCLUSIVE MODE');
      const res = await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ submissions(first: 1) { totalCount } }' }),
      });
      const body = await res.json();
      expect(body.errors).toEqual([
        expect.objectContaining({ message: DATABASE_UNAVAILABLE, extensions: { code: 'SERVICE_UNAVAILABLE' } }),
      ]);
      expect(JSON.stringify(body)).not.toMatch(/prisma|57014|statement timeout|Submission"/i);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await db.close();
    }
  });

  test('a statement running past DATABASE_STATEMENT_TIMEOUT_MS is cancelled by the server', async () => {
    const config = loadConfig({ DATABASE_URL: hub.db.url!, DATABASE_STATEMENT_TIMEOUT_MS: '200' });
    const db = await openDatabase(databaseOptions(config));
    try {
      await expect(db.prisma.$queryRawUnsafe('SELECT pg_sleep(5)')).rejects.toThrow(/statement timeout/i);
      expect(await db.prisma.$queryRawUnsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

test('/ready answers while every connection is held by a transaction, before any of them finishes', async () => {
  const hub = await startHub({ seed: false });
  try {
    let finished = 0;
    // /ready is asked once a transaction holds a connection (not after a fixed delay: on a loaded machine the first
    // transaction may not have begun yet, and then nothing is held).
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // Each holds its connection until 500 ms after the first began holding (one deadline for all, not 500 ms each:
    // on PGlite the twelve run one after another, 6 s of waiting where only the first's 500 ms is asked about).
    let until: Promise<unknown> | undefined;
    // More open transactions than the PostgreSQL pool has connections (10); on PGlite the first holds its only one.
    const holders = Array.from({ length: 12 }, () =>
      hub.db.prisma
        .$transaction(async (tx) => {
          await tx.$queryRawUnsafe('SELECT 1');
          holding();
          until ??= new Promise((resolve) => setTimeout(resolve, 500));
          await until;
        })
        .then(() => finished++),
    );
    await held;
    const ready = await hub.api.fetch('http://hub.test/ready');
    const finishedWhenReady = finished;
    await Promise.all(holders);
    expect(ready.status).toBe(200);
    expect(finishedWhenReady).toBe(0);
  } finally {
    await hub.close();
  }
});

test("a transaction waits for its turn behind one that runs past Prisma's default limits, and both commit", async () => {
  const hub = await startHub({ seed: false });
  try {
    // Prisma's defaults gave a transaction 2 s to start and 5 s to run: on a loaded machine a write queued behind an
    // import failed with "Unexpected error.". The holders run longer than both, counted from when the writer asks.
    const pastPrismaDefaultsMs = 5_500;
    // Every PostgreSQL pool connection (10) is held, or PGlite's single session.
    const holderCount = dbKind === 'postgres' ? 10 : 1;
    let holding = 0;
    let allHolding!: () => void;
    const held = new Promise<void>((resolve) => (allHolding = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: holderCount }, () =>
      hub.db.prisma.$transaction(async (tx) => {
        await tx.$queryRawUnsafe('SELECT 1');
        if (++holding === holderCount) allHolding();
        await released;
        return tx.$queryRawUnsafe('SELECT 1 AS still');
      }),
    );
    await held;
    const writer = hub.db.prisma.$transaction(async (tx) => tx.$queryRawUnsafe('SELECT 1 AS wrote'));
    setTimeout(release, pastPrismaDefaultsMs);
    const outcomes = await Promise.allSettled([...holders, writer]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(outcomes.at(-1)).toEqual({ status: 'fulfilled', value: [{ wrote: 1 }] });
  } finally {
    await hub.close();
  }
});
