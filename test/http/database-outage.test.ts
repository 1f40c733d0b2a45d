// A PostgreSQL database that goes away while the hub runs: the webhook worker says so once (a warning) and once when
// it is back, not an error with a stack trace every second; a dropped database (SQLSTATE 3D000) reaches API callers
// as SERVICE_UNAVAILABLE, like any other outage, not as an internal error.
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { databaseOptions } from '../../src/cli/cli.js';
import { createApi } from '../../src/http/yoga.js';
import { loadConfig } from '../../src/platform/config.js';
import { DATABASE_UNAVAILABLE } from '../../src/platform/errors.js';
import { openDatabase } from '../../src/platform/db.js';
import { startWebhookWorker } from '../../src/portals/webhooks.service.js';
import { createTestDatabase, dbKind } from '../support/db.js';
import { listenInPlaceOf } from '../support/relay.js';

const postgresOnly = dbKind === 'postgres' ? describe : describe.skip;

/**
 * A TCP relay to the database that can be cut: while down it drops every connection at once (and those open when it
 * went down), counting them, as a database host that restarts or a network that fails would.
 */
async function relay(target: URL) {
  const open = new Set<Socket>();
  let down = false;
  let refused = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined);
    if (down) {
      refused++;
      for (const w of waiting.filter((w) => refused >= w.count)) w.resolve();
      return socket.destroy();
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return {
    url: await listenInPlaceOf(server, target),
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    restore() {
      down = false;
    },
    /** Resolves once `count` connections were dropped since the relay went down. */
    refusedAtLeast: (count: number) =>
      new Promise<void>((resolve) => (refused >= count ? resolve() : waiting.push({ count, resolve }))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

postgresOnly('PostgreSQL going away', () => {
  test('the webhook worker logs an outage once as a warning, and its end once', async () => {
    const database = await createTestDatabase();
    const cable = await relay(new URL(database.url!));
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: cable.url, DATABASE_CONNECT_TIMEOUT_MS: '2000' });
    const db = await openDatabase(databaseOptions(config));
    const { logger, lines } = capturingLogger();
    const worker = startWebhookWorker({ config, db, logger });
    try {
      cable.cut();
      // Five connections refused: the worker has tried round after round (one a second) against the outage.
      await cable.refusedAtLeast(5);
      const outage = lines.filter((l) => l.level >= 40);
      expect(outage.map((l) => [l.level, l.msg])).toEqual([
        [40, 'webhook worker: the database is unavailable; retrying every second until it answers'],
      ]);
      cable.restore();
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (lines.some((l) => /answers again/.test(l.msg))) resolve(clearInterval(check));
        }, 50);
      });
      expect(lines.filter((l) => /answers again/.test(l.msg)).map((l) => [l.level, l.msg])).toEqual([
        [30, 'webhook worker: the database answers again; deliveries resume'],
      ]);
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await worker.stop();
      await db.close();
      await cable.close();
      await database.close();
    }
  }, 120_000);

  test('a dropped database (3D000) is SERVICE_UNAVAILABLE, not an internal error', async () => {
    const database = await createTestDatabase();
    const name = new URL(database.url!).pathname.slice(1);
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url! });
    const db = await openDatabase(databaseOptions(config));
    const api = createApi({ config, db, logger: pino({ level: 'silent' }) });
    const query = async () => {
      const res = await api.fetch('http://hub.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ submissions(first: 1) { totalCount } }' }),
      });
      return (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    };
    try {
      expect((await query()).errors).toBeUndefined();
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      // The first answer may come from a connection the drop terminated (57P01); the next connects anew: 3D000.
      for (let i = 0; i < 2; i++) {
        expect((await query()).errors).toEqual([
          expect.objectContaining({ message: DATABASE_UNAVAILABLE, extensions: { code: 'SERVICE_UNAVAILABLE' } }),
        ]);
      }
    } finally {
      await db.close();
      await database.close();
    }
  }, 120_000);
});
