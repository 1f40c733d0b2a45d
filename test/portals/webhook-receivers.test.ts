// Webhook receivers are independent of each other (CONTRACT §10): a receiver that does not answer holds back only
// its own deliveries, never another webhook's; a burst to a healthy receiver still arrives whole, in sequence order
// (one process sends a webhook's deliveries one after the other). And the body names a series' source as the feed
// does: sourceType is the key's source type or its data source's type. A receiver that does not answer within
// WEBHOOK_TIMEOUT_MS is cut off and tried again, and that time bounds the whole attempt (a slow read of the change
// too), so the lease never runs out under a send. An attempt in flight reads SENDING, not interrupted. Against local
// receivers, with the hub's delivery worker running in this process.
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { startWebhookWorker } from '../../src/portals/webhooks.service.js';
import { dbKind } from '../support/db.js';
import { data, importCsv, startHubAsAdmin, type Hub } from '../support/hub.js';
import { cursorAt } from './feed-support.js';
import { until } from '../support/until.js';

const secret = 'receiver-secret-0123456789';

type Body = {
  sequence: string;
  kind: string;
  series: {
    country: { iso3: string };
    referenceYear: number;
    dataSource: { code: string } | null;
    sourceType: { code: string } | null;
  } | null;
};

/**
 * A local receiver. `hold`: requests are left unanswered until `release()` (then acknowledged, as are later
 * ones); `open` holds the indexes (in `bodies`) of the requests neither answered nor given up by the hub. `onReceipt` runs as each body arrives.
 */
async function receiver(options: { hold?: boolean; onReceipt?: () => void } = {}) {
  const bodies: Body[] = [];
  const open = new Map<ServerResponse, number>();
  let holding = options.hold ?? false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const index = bodies.push(JSON.parse(body) as Body) - 1;
      options.onReceipt?.();
      if (!holding) return void res.writeHead(204).end();
      open.set(res, index);
      res.on('close', () => open.delete(res));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    open: () => [...open.values()],
    release: () => {
      holding = false;
      for (const res of open.keys()) res.writeHead(204).end();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let hub: Hub;
let admin: string;
let worker: { stop(): Promise<void> };
const receivers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  ({ hub, admin } = await startHubAsAdmin({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100' } }));
  worker = startWebhookWorker({ config: hub.config, db: hub.db, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await worker?.stop();
  for (const r of receivers) await r.close();
  await hub?.close();
});

/** Registers a webhook to `url` (on the file's hub unless told); its id. */
async function register(url: string, on: Hub = hub, token = admin): Promise<string> {
  return data(
    await on.gql<{ createWebhook: { webhook: { id: string } } }, unknown>(
      `mutation($input: CreateWebhookInput!) {
        createWebhook(input: $input) { ... on CreateWebhookPayload { webhook { id } } } }`,
      { input: { url, secret } },
      { token },
    ),
  ).createWebhook.webhook.id;
}

const publish = (rows: string[], header = 'country,indicator,reference_year,value,status') =>
  importCsv(hub, admin, header, rows);

const bySequence = (a: Body, b: Body) => Number(BigInt(a.sequence) - BigInt(b.sequence));

type Attempt = { outcome: string; error: string | null; httpStatus: number | null };
type Attempts = { node: { deliveries: { nodes: { log: Attempt[] }[] } } };

/** The attempts at the first delivery of a webhook, oldest first. */
async function attemptsOf(on: Hub, token: string, webhook: string): Promise<Attempt[]> {
  const result = await on.gql<Attempts, unknown>(
    `query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { nodes { log { outcome error httpStatus } } } } } }`,
    { id: webhook },
    { token },
  );
  return data(result).node.deliveries.nodes[0]?.log ?? [];
}

test('an attempt in flight reads SENDING, without an error, until the answer gives its outcome', async () => {
  const held = await receiver({ hold: true });
  receivers.push(held);
  const id = await register(held.url);
  await publish(['CHE,IMM_STOCK,1995,1,PUBLISHED']);
  await until('the request held open', () => held.open().length === 1);
  // It used to read as interrupted ("the sending hub process stopped before an answer") while in flight.
  expect(await attemptsOf(hub, admin, id)).toEqual([{ outcome: 'SENDING', error: null, httpStatus: null }]);
  held.release();
  await until('acknowledged', async () => (await attemptsOf(hub, admin, id))[0]?.outcome !== 'SENDING');
  expect(await attemptsOf(hub, admin, id)).toEqual([{ outcome: 'ACKNOWLEDGED', error: null, httpStatus: 204 }]);
}, 60_000);

test('a receiver that does not answer delays only its own deliveries; a burst reaches a healthy one in order', async () => {
  const slow = await receiver({ hold: true });
  // Which of the slow receiver's requests were open when each body reached the healthy one.
  const openAtReceipt: number[][] = [];
  const healthy = await receiver({ onReceipt: () => openAtReceipt.push(slow.open()) });
  receivers.push(slow, healthy);
  await register(slow.url);
  await register(healthy.url);

  await publish(['CHE,IMM_STOCK,2001,1,PUBLISHED']);
  await until('the first change at both', () => healthy.bodies.length === 1 && slow.open().length === 1);
  // The slow receiver still has not answered the first; the next change reaches the healthy one meanwhile.
  await publish(['FRA,IMM_STOCK,2001,1,PUBLISHED']);
  await until('the second change at the healthy receiver', () => healthy.bodies.length === 2);
  // When the second change reached the healthy receiver, the first request to the slow one was still open, neither
  // answered nor abandoned by the hub. (At the first receipt it may not have arrived yet: the two deliveries of one
  // change run side by side, and either can land first.)
  expect(openAtReceipt[1]).toEqual([0]);
  expect(healthy.bodies.map((b) => b.series?.country.iso3)).toEqual(['CHE', 'FRA']);
  // One request at a time per webhook: the slow receiver has not been sent the second change yet.
  expect(slow.bodies.map((b) => b.series?.country.iso3)).toEqual(['CHE']);

  // A burst in one import: every change reaches the healthy receiver, in sequence order.
  const countries = ['DEU', 'ITA', 'ESP', 'PRT', 'AUT', 'BEL', 'NLD', 'LUX', 'DNK', 'SWE', 'NOR', 'FIN'];
  await publish(countries.map((c) => `${c},IMM_STOCK,2001,1,PUBLISHED`));
  await until('the burst', () => healthy.bodies.length === 2 + countries.length);
  expect(healthy.bodies).toEqual([...healthy.bodies].sort(bySequence));
  expect(new Set(healthy.bodies.slice(2).map((b) => b.series?.country.iso3))).toEqual(new Set(countries));

  // Answered at last: the slow receiver gets everything too, one after the other.
  slow.release();
  await until('every change at the slow receiver', () => slow.bodies.length === healthy.bodies.length);
  expect(slow.bodies.map((b) => b.sequence)).toEqual(healthy.bodies.map((b) => b.sequence));
}, 60_000);

test("a series' sourceType is the key's source type or its data source's type, as in the feed", async () => {
  const hook = await receiver();
  receivers.push(hook);
  await register(hook.url);
  const created = data(
    await hub.gql<{ createDataSource: { __typename: string } }, unknown>(
      `mutation { createDataSource(input: { code: "CHE_CENSO", country: "756", sourceType: "CENSUS",
        name: "Recensement fédéral" }) { __typename } }`,
      {},
      { token: admin },
    ),
  );
  expect(created.createDataSource.__typename).toBe('CreateDataSourcePayload');
  const [head] = await hub.db.prisma.$queryRaw<{ head: bigint }[]>`
    SELECT coalesce(max(sequence), 0)::bigint AS head FROM "FeedEntry"`;
  await publish(
    ['CHE,IMM_STOCK,2010,1,,CHE_CENSO,PUBLISHED', 'CHE,IMM_STOCK,2011,1,POP_REGISTER,,PUBLISHED'],
    'country,indicator,reference_year,value,source_type,data_source,status',
  );
  await publish(['CHE,IMM_STOCK,2012,1,PUBLISHED']);
  const series = () => hook.bodies.filter((b) => b.series).sort(bySequence);
  await until('the three series changes', () => series().length === 3);

  const feed = data(
    await hub.gql<{ changes: { nodes: { sequence: string; series: NonNullable<Body['series']> | null }[] } }, unknown>(
      `query($after: String) { changes(after: $after, first: 10) { nodes { sequence
        series { country { iso3 } referenceYear dataSource { code } sourceType { code } } } } }`,
      { after: await cursorAt(hub, undefined, head!.head) },
    ),
  ).changes.nodes.filter((n) => n.series);
  const keys = (entries: { sequence: string; series: Body['series'] }[]) =>
    entries.map((e) => [e.sequence, e.series?.referenceYear, e.series?.dataSource, e.series?.sourceType]);
  expect(keys(series())).toEqual([
    [feed[0]!.sequence, 2010, { code: 'CHE_CENSO' }, { code: 'CENSUS' }],
    [feed[1]!.sequence, 2011, null, { code: 'POP_REGISTER' }],
    [feed[2]!.sequence, 2012, null, null],
  ]);
  expect(keys(series())).toEqual(keys(feed));
}, 60_000);

describe('WEBHOOK_TIMEOUT_MS', () => {
  let quick: Hub;
  let quickAdmin: string;
  let quickWorker: { stop(): Promise<void> };
  beforeAll(async () => {
    ({ hub: quick, admin: quickAdmin } = await startHubAsAdmin({
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_TIMEOUT_MS: '300' },
    }));
    quickWorker = startWebhookWorker({ config: quick.config, db: quick.db, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await quickWorker?.stop();
    await quick?.close();
  });

  async function paused(id: string, paused: boolean) {
    data(
      await quick.gql(
        `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { __typename } }`,
        { input: { id, paused } },
        { token: quickAdmin },
      ),
    );
  }

  /** Registers a webhook to `url` on the quick hub (paused if asked), then publishes a change for it; its id. */
  async function hookedThenPublished(url: string, year: number, pause = false): Promise<string> {
    const id = await register(url, quick, quickAdmin);
    if (pause) await paused(id, true);
    await importCsv(quick, quickAdmin, 'country,indicator,reference_year,value,status', [
      `CHE,IMM_STOCK,${year},1,PUBLISHED`,
    ]);
    return id;
  }

  test('a receiver that does not answer in time is cut off, the attempt logged as failed, and tried again', async () => {
    const silent = await receiver({ hold: true });
    receivers.push(silent);
    const created = await hookedThenPublished(silent.url, 2002);
    // Each attempt is abandoned after 300 ms (the default would hold it for 10 s), so a second one follows.
    await until('a second attempt', () => silent.bodies.length >= 2);
    type Log = {
      node: {
        deliveries: {
          nodes: { status: string; log: { outcome: string; error: string | null; durationMs: number }[] }[];
        };
      };
    };
    const delivery = async () =>
      data(
        await quick.gql<Log, unknown>(
          `query($id: ID!) { node(id: $id) { ... on Webhook {
            deliveries { nodes { status log { outcome error durationMs } } } } } }`,
          { id: created },
          { token: quickAdmin },
        ),
      ).node.deliveries.nodes[0]!;
    const pending = await delivery();
    expect(pending.status).toBe('PENDING');
    const failed = pending.log.filter((a) => a.outcome === 'FAILED');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const attempt of failed) {
      // Cut off in the request (fetch aborted) or, on a slow machine, while the change was still being read.
      expect(attempt.error).toMatch(/aborted|timeout|timed out after 300 ms/i);
      // Cut off by the 300 ms setting, not by the 10 s default.
      expect(attempt.durationMs).toBeGreaterThanOrEqual(300);
      expect(attempt.durationMs).toBeLessThan(5_000);
    }
    // Answered in time at last: delivered.
    silent.release();
    await until('delivered', async () => (await delivery()).status === 'DELIVERED');
  }, 60_000);

  // PostgreSQL only: PGlite has one connection, so nothing else can hold a table the read needs.
  (dbKind === 'postgres' ? test : test.skip)(
    'the timeout bounds the whole attempt: a read of the change that outlasts it fails the attempt within its lease',
    async () => {
      const healthy = await receiver();
      receivers.push(healthy);
      // Paused while the change is published, so that no attempt starts before the table is held.
      const id = await hookedThenPublished(healthy.url, 2004, true);
      const other = new pg.Client({ connectionString: quick.db.url });
      await other.connect();
      try {
        // Another connection holds a table the read of the change joins, so that read waits past the 300 ms.
        await other.query('BEGIN');
        await other.query('LOCK TABLE "DataSource" IN ACCESS EXCLUSIVE MODE');
        await paused(id, false);
        // Without the bound, the attempt waited for the table without an outcome, its lease ran out (300 ms + 5 s)
        // and another process could send the delivery meanwhile.
        await until('a failed attempt', async () => (await attemptsOf(quick, quickAdmin, id))[0]?.outcome === 'FAILED');
        expect((await attemptsOf(quick, quickAdmin, id))[0]).toEqual({
          outcome: 'FAILED',
          error: 'timed out after 300 ms reading the change',
          httpStatus: null,
        });
        expect(healthy.bodies).toHaveLength(0);
      } finally {
        await other.end();
      }
      await until('delivered once the table is free', () => healthy.bodies.length === 1);
    },
    60_000,
  );

  // PostgreSQL only, as above.
  (dbKind === 'postgres' ? test : test.skip)(
    'a read of the change cut off by the timeout ends on the server too: none is left holding a pool connection',
    async () => {
      // Only this test's webhook sends: each webhook has at most one attempt in flight.
      const { webhooks } = data(
        await quick.gql<{ webhooks: { id: string }[] }, unknown>(`{ webhooks { id } }`, {}, { token: quickAdmin }),
      );
      for (const w of webhooks) await paused(w.id, true);
      const healthy = await receiver();
      receivers.push(healthy);
      const years = [2020, 2021, 2022, 2023, 2024, 2025];
      const id = await hookedThenPublished(healthy.url, 2019, true);
      await importCsv(
        quick,
        quickAdmin,
        'country,indicator,reference_year,value,status',
        years.map((y) => `CHE,IMM_STOCK,${y},1,PUBLISHED`),
      );
      const other = new pg.Client({ connectionString: quick.db.url });
      await other.connect();
      /** The hub's statements waiting for the table held. */
      const waiting = async () =>
        (
          await other.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`)
        ).rows[0]!.n;
      const failed = async () =>
        data(
          await quick.gql<Attempts, unknown>(
            `query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { nodes { log { outcome } } } } } }`,
            { id },
            { token: quickAdmin },
          ),
        )
          .node.deliveries.nodes.flatMap((d) => d.log)
          .filter((a) => a.outcome === 'FAILED').length;
      try {
        await other.query('BEGIN');
        await other.query('LOCK TABLE "DataSource" IN ACCESS EXCLUSIVE MODE');
        await paused(id, false);
        await until('four attempts cut off', async () => (await failed()) >= 4);
        // Each attempt given up used to leave its read waiting for the table, holding a pool connection (the
        // server's statement_timeout, 30 s by default and none here, was the only end): a burst of deliveries took
        // the whole pool, and every request to the hub waited. Now at most the attempt in flight has one.
        await until('the reads given up ended', async () => (await waiting()) <= 1, 5_000);
      } finally {
        await other.end();
      }
      await until('delivered once the table is free', () => healthy.bodies.length === 1 + years.length);
    },
    60_000,
  );

  test('a failed attempt\'s log says why (fetch\'s own error is only "fetch failed")', async () => {
    // A port nothing listens on: the connection is refused.
    const gone = await receiver();
    await gone.close();
    const created = await hookedThenPublished(gone.url, 2003);
    const log = async () =>
      data(
        await quick.gql<Attempts, unknown>(
          `query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { nodes { log { outcome error } } } } } }`,
          { id: created },
          { token: quickAdmin },
        ),
      ).node.deliveries.nodes[0]?.log ?? [];
    const failed = (a: { outcome: string }) => a.outcome === 'FAILED';
    await until('a failed attempt', async () => (await log()).some(failed));
    expect((await log()).find(failed)!.error).toMatch(/^fetch failed: .*ECONNREFUSED/);
  }, 60_000);
});

describe('addresses are checked on the connection', () => {
  let strict: Hub;
  let strictAdmin: string;
  let strictWorker: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    // Registration allows private addresses (as a receiver's DNS may later change to one); the worker does not.
    ({ hub: strict, admin: strictAdmin } = await startHubAsAdmin({
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100' },
    }));
  });
  afterAll(async () => {
    await strictWorker?.stop();
    await strict?.close();
  });

  test('a host name that resolves to a loopback address gets no request: refused where the connection is made', async () => {
    const listening = await receiver();
    receivers.push(listening);
    const id = await register(listening.url.replace('127.0.0.1', 'localhost'), strict, strictAdmin);
    await importCsv(strict, strictAdmin, 'country,indicator,reference_year,value,status', [
      'CHE,IMM_STOCK,2006,1,PUBLISHED',
    ]);
    const webhooks = { ...strict.config.webhooks, allowPrivate: false };
    strictWorker = startWebhookWorker({
      config: { ...strict.config, webhooks },
      db: strict.db,
      logger: pino({ level: 'silent' }),
    });
    await until('a failed attempt', async () => (await attemptsOf(strict, strictAdmin, id))[0]?.outcome === 'FAILED');
    // Checked on the addresses the connection uses (net.connect's lookup), not by a lookup of its own beforehand,
    // which a name can answer otherwise than the connection's (DNS rebinding).
    expect((await attemptsOf(strict, strictAdmin, id))[0]!.error).toMatch(
      /^fetch failed: refused: the host resolves to (127\.0\.0\.1|::1), a private, loopback or reserved address$/,
    );
    expect(listening.bodies).toHaveLength(0);
  }, 60_000);
});
