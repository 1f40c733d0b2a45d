// Managing webhooks through the API (ADMIN only): updateWebhook (URL with the SSRF check, secret, events, pause and
// resume) and deleteWebhook, with typed errors; catalogue changes delivered like series changes. Against local
// receivers, with the hub's delivery worker running in this process. A paused webhook's pending deliveries and the
// changes committed meanwhile wait: on resumption they are delivered. A second, active webhook is the witness
// that the worker has handled a change (it enqueues for every webhook in one round), so "nothing arrived" is
// asserted without waiting for a time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { startWebhookWorker } from '../../src/portals/webhooks.service.js';
import { data, importCsv, startHubAsAdmin, type Hub } from '../support/hub.js';
import { until } from '../support/until.js';

const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { ... on CreateWebhookPayload { webhook { id } } }
}`;
const UPDATE = `mutation($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) {
    __typename
    ... on UpdateWebhookPayload { webhook { id url events paused } }
    ... on ValidationError { issues { path message } }
    ... on NotFoundError { message }
  }
}`;
const DELETE = `mutation($id: ID!) {
  deleteWebhook(input: { id: $id }) {
    __typename
    ... on DeleteWebhookPayload { deletedWebhookId url }
    ... on NotFoundError { message }
  }
}`;
const secret = 'receiver-secret-0123456789';

type Result = Record<string, { __typename: string } & Record<string, unknown>>;

describe('validation', () => {
  let hub: Hub;
  let admin: string;
  beforeAll(async () => ({ hub, admin } = await startHubAsAdmin()));
  afterAll(() => hub?.close());

  test('only an ADMIN updates or deletes; the URL is checked as at registration; unknown ids are NotFoundError', async () => {
    const created = data(
      await hub.gql<{ createWebhook: { webhook: { id: string } } }, unknown>(
        CREATE,
        { input: { url: 'https://93.184.215.14/hook', secret } },
        { token: admin },
      ),
    ).createWebhook.webhook;
    const asTaskForce = await hub.gql(
      UPDATE,
      { input: { id: created.id, paused: true } },
      {
        token: await hub.token('TASK_FORCE'),
      },
    );
    expect(asTaskForce.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const reader = await hub.token('READER');
    expect((await hub.gql(DELETE, { id: created.id }, { token: reader })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );

    const refused = data(
      await hub.gql<Result, unknown>(
        UPDATE,
        { input: { id: created.id, url: 'http://127.0.0.1:9/hook', secret: 'short', events: [] } },
        { token: admin },
      ),
    ).updateWebhook!;
    expect(refused.__typename).toBe('ValidationError');
    expect((refused.issues as { path: string[] }[]).map((i) => i.path.join('.'))).toEqual([
      'input.url',
      'input.secret',
      'input.events',
    ]);

    const updated = data(
      await hub.gql<Result, unknown>(
        UPDATE,
        { input: { id: created.id, url: 'https://93.184.215.15/hook', events: ['DELETE'], paused: true } },
        { token: admin },
      ),
    ).updateWebhook;
    expect(updated).toEqual({
      __typename: 'UpdateWebhookPayload',
      webhook: { id: created.id, url: 'https://93.184.215.15/hook', events: ['DELETE'], paused: true },
    });

    const deleted = data(await hub.gql<Result, unknown>(DELETE, { id: created.id }, { token: admin })).deleteWebhook;
    expect(deleted).toEqual({
      __typename: 'DeleteWebhookPayload',
      deletedWebhookId: created.id,
      url: 'https://93.184.215.15/hook',
    });
    for (const [doc, variables] of [
      [DELETE, { id: created.id }],
      [UPDATE, { input: { id: created.id, paused: false } }],
    ] as const) {
      const again = Object.values(data(await hub.gql<Result, unknown>(doc, variables, { token: admin })))[0]!;
      expect(again).toEqual({ __typename: 'NotFoundError', message: 'input.id: no such webhook' });
    }
    const audit = await hub.db.prisma.auditLog.findMany({
      where: { entityType: 'Webhook' },
      orderBy: { id: 'asc' },
      select: { action: true },
    });
    expect(audit.map((a) => a.action)).toEqual(['webhook.update', 'webhook.delete']);
  });
});

type Body = {
  sequence: string;
  kind: string;
  series: { country: { iso3: string } } | null;
  item: Record<string, string> | null;
};

/** A local receiver acknowledging with a 204 every POST it accepts (all unless told), refusing the rest with a 500. */
async function receiver(accepts: (body: Body) => boolean = () => true) {
  const bodies: Body[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as Body;
      bodies.push(parsed);
      res.writeHead(accepts(parsed) ? 204 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('delivery', () => {
  let hub: Hub;
  let admin: string;
  let worker: { stop(): Promise<void> };
  let managed: Awaited<ReturnType<typeof receiver>>;
  let witness: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    ({ hub, admin } = await startHubAsAdmin({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100' } }));
    managed = await receiver();
    witness = await receiver();
    worker = startWebhookWorker({ config: hub.config, db: hub.db, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await worker?.stop();
    await managed?.close();
    await witness?.close();
    await hub?.close();
  });

  const register = async (url: string) =>
    data(
      await hub.gql<{ createWebhook: { webhook: { id: string } } }, unknown>(
        CREATE,
        { input: { url, secret } },
        { token: admin },
      ),
    ).createWebhook.webhook.id;
  const publish = (country: string, year: number) =>
    importCsv(hub, admin, 'country,indicator,reference_year,value,status', [
      `${country},IMM_STOCK,${year},1,PUBLISHED`,
    ]);
  const update = async (input: Record<string, unknown>) =>
    expect(data(await hub.gql<Result, unknown>(UPDATE, { input }, { token: admin })).updateWebhook!.__typename).toBe(
      'UpdateWebhookPayload',
    );

  test('catalogue changes are delivered; a paused webhook receives nothing until resumed, then all; a deleted one nothing', async () => {
    const id = await register(managed.url);
    await register(witness.url);

    // A catalogue edit: delivered as an UPSERT of the item, with its global id and code.
    const indicator = data(
      await hub.gql<{ indicator: { id: string; revision: number } }, unknown>(
        `{ indicator(code: "IMM_STOCK") { id revision } }`,
      ),
    ).indicator;
    data(
      await hub.gql(
        `mutation($input: UpdateIndicatorInput!) { updateIndicator(input: $input) { __typename } }`,
        { input: { id: indicator.id, expectedRevision: indicator.revision, description: 'Edited for the feed.' } },
        { token: admin },
      ),
    );
    await until('the catalogue change', () => managed.bodies.length === 1 && witness.bodies.length === 1);
    expect(managed.bodies[0]).toMatchObject({
      kind: 'UPSERT',
      series: null,
      submission: null,
      item: { type: 'Indicator', id: indicator.id, code: 'IMM_STOCK' },
    });

    // Paused: the witness receives the next changes, the paused webhook nothing.
    await update({ id, paused: true });
    await publish('CHE', 2001);
    await publish('FRA', 2001);
    await until('the witness', () => witness.bodies.length === 3);
    // The round that queued the witness's deliveries queued none for the paused webhook.
    const hooks = data(
      await hub.gql<{ webhooks: { id: string; paused: boolean; deliveries: { totalCount: number } }[] }, unknown>(
        `{ webhooks { id paused deliveries { totalCount } } }`,
        {},
        { token: admin },
      ),
    ).webhooks;
    expect(hooks.find((h) => h.id === id)).toEqual({ id, paused: true, deliveries: { totalCount: 1 } });
    expect(managed.bodies).toHaveLength(1);

    // Resumed: what was committed meanwhile arrives, in sequence order.
    await update({ id, paused: false });
    await until('the changes held back', () => managed.bodies.length === 3);
    // Sent in parallel, so they may arrive in any order: receivers order by sequence.
    const held = [...managed.bodies.slice(1)].sort((a, b) => Number(BigInt(a.sequence) - BigInt(b.sequence)));
    expect(held.map((b) => b.series?.country.iso3)).toEqual(['CHE', 'FRA']);

    // Deleted: nothing more, and its deliveries are gone with it.
    const deleted = data(await hub.gql<Result, unknown>(DELETE, { id }, { token: admin })).deleteWebhook!;
    expect(deleted.__typename).toBe('DeleteWebhookPayload');
    await publish('DEU', 2001);
    await until('the witness', () => witness.bodies.length === 4);
    expect(managed.bodies).toHaveLength(3);
    expect(await hub.db.prisma.webhookDelivery.count({ where: { webhook: { url: managed.url } } })).toBe(0);
  }, 60_000);

  test('deliveries are listed newest first unless ordered otherwise, and filtered by status', async () => {
    // CHE's change is acknowledged, FRA's refused (and retried) for as long as the test runs.
    const picky = await receiver((b) => b.series?.country.iso3 === 'CHE');
    try {
      const id = await register(picky.url);
      // One after the other, so FRA's delivery is queued after CHE's.
      await publish('CHE', 2002);
      await until("CHE's change tried", () => picky.bodies.length > 0);
      await publish('FRA', 2002);
      type Deliveries = { node: { deliveries: { totalCount: number; nodes: { sequence: string; status: string }[] } } };
      const deliveries = async (args: string) =>
        data(
          await hub.gql<Deliveries, unknown>(
            `query($id: ID!) { node(id: $id) { ... on Webhook { deliveries${args} {
              totalCount nodes { sequence status } } } } }`,
            { id },
            { token: admin },
          ),
        ).node.deliveries;
      // FRA's tried too, and CHE's acknowledgement recorded (after the receiver has answered).
      await until("FRA's change tried", () => new Set(picky.bodies.map((b) => b.sequence)).size === 2);
      await until(
        "CHE's acknowledgement",
        async () => (await deliveries('(filter: { status: DELIVERED })')).totalCount === 1,
      );
      const bySequence = (a: Body, b: Body) => Number(BigInt(a.sequence) - BigInt(b.sequence));
      const [che, fra] = [...new Map(picky.bodies.map((b) => [b.sequence, b])).values()].sort(bySequence);
      expect([che!.series?.country.iso3, fra!.series?.country.iso3]).toEqual(['CHE', 'FRA']);

      expect(await deliveries('(filter: { status: DELIVERED })')).toEqual({
        totalCount: 1,
        nodes: [{ sequence: che!.sequence, status: 'DELIVERED' }],
      });
      expect(await deliveries('(filter: { status: PENDING })')).toEqual({
        totalCount: 1,
        nodes: [{ sequence: fra!.sequence, status: 'PENDING' }],
      });
      // Without orderBy: newest first.
      expect((await deliveries('')).nodes.map((n) => n.sequence)).toEqual([fra!.sequence, che!.sequence]);
      expect((await deliveries('(orderBy: { field: SEQUENCE, direction: ASC })')).nodes.map((n) => n.sequence)).toEqual(
        [che!.sequence, fra!.sequence],
      );
      expect(await deliveries('(first: 1)')).toEqual({
        totalCount: 2,
        nodes: [{ sequence: fra!.sequence, status: 'PENDING' }],
      });
    } finally {
      await picky.close();
    }
  }, 60_000);
});
