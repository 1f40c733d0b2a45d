// Webhooks (CONTRACT §10) against a local receiver: registration (ADMIN only; private and loopback addresses
// refused unless configured), signed deliveries of the changes an anonymous caller sees, retries with backoff that
// survive killing the hub (SIGKILL while the receiver refuses; a restarted hub delivers everything), and the
// delivery log. On PostgreSQL the restarted side is two hub processes, which never both acknowledge one delivery.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cliTarget, type CliTarget } from '../support/cli.js';
import { dbKind } from '../support/db.js';
import { data, startHub, type Hub } from '../support/hub.js';
import { until } from '../support/until.js';
import { serve, type Serve } from './serve.js';

const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreateWebhookPayload { webhook { id url events } }
    ... on ValidationError { message issues { path message } }
  }
}`;

describe('registration', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub?.close());

  test('only an ADMIN registers webhooks; private, loopback and non-http URLs are refused naming input.url', async () => {
    const secret = 'a-secret-of-enough-length';
    const asTaskForce = await hub.gql(
      CREATE,
      { input: { url: 'https://example.org/h', secret } },
      {
        token: await hub.token('TASK_FORCE'),
      },
    );
    expect(asTaskForce.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await hub.token('ADMIN');
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:192.168.0.1]/hook',
      'http://[::127.0.0.1]/hook',
      'http://[2002:7f00:1::]/hook',
      'ftp://example.org/hook',
      'https://93.184.215.14:4190/hook',
    ]) {
      const result = data(
        await hub.gql<{ createWebhook: { __typename: string; issues: { path: string[] }[] } }, unknown>(
          CREATE,
          { input: { url, secret } },
          { token: admin },
        ),
      );
      expect({ url, ...result.createWebhook }).toMatchObject({
        url,
        __typename: 'ValidationError',
        issues: [{ path: ['input', 'url'] }],
      });
    }
    const short = data(
      await hub.gql<{ createWebhook: { issues: { path: string[] }[] } }, unknown>(
        CREATE,
        { input: { url: 'https://93.184.215.14/hook', secret: 'short' } },
        { token: admin },
      ),
    );
    expect(short.createWebhook.issues.map((i) => i.path.join('.'))).toEqual(['input.secret']);
  });

  test("a webhook's cursor is an anonymous caller's feed cursor, at the end of the feed when registered", async () => {
    const admin = await hub.token('ADMIN');
    data(
      await hub.gql(
        CREATE,
        { input: { url: 'https://93.184.215.14/hook', secret: 'a-secret-of-enough-length' } },
        { token: admin },
      ),
    );
    const { webhooks } = data(
      await hub.gql<{ webhooks: { cursor: string }[] }, unknown>('{ webhooks { cursor } }', {}, { token: admin }),
    );
    const cursor = webhooks.at(-1)!.cursor;
    expect(cursor).toMatch(/^p:\d+$/);
    const after = data(
      await hub.gql<{ changes: { nodes: unknown[] } }, unknown>(
        'query($after: String) { changes(after: $after) { nodes { sequence } } }',
        { after: cursor },
      ),
    );
    expect(after.changes.nodes).toEqual([]);
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A local receiver that answers 500 until told to acknowledge. */
async function receiver() {
  const requests: Received[] = [];
  let accept = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const answered = accept ? 204 : 500;
      requests.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    accept: () => (accept = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function gql<T>(url: string, query: string, variables: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

describe('delivery', () => {
  let target: CliTarget;
  let token: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const hubs: Serve[] = [];
  // A 1 s request timeout: a delivery the killed hub was sending is leased for 6 s, not the default's 15 s.
  const env = {
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '800',
    WEBHOOK_TIMEOUT_MS: '1000',
  };
  beforeAll(async () => {
    target = await cliTarget({ database: 'seeded' });
    token = (await target.run('token', 'create', '--role', 'ADMIN')).stdout.trim();
    hook = await receiver();
  });
  afterAll(async () => {
    for (const h of hubs) h.child.kill('SIGKILL');
    await hook?.close();
    await target?.dispose();
  });

  test('signed deliveries are retried with backoff, survive a killed hub, and are logged with their attempts', async () => {
    const secret = 'receiver-secret-0123456789';
    const first = await serve(target, env);
    hubs.push(first);
    const created = await gql<{ createWebhook: { __typename: string; webhook: { id: string; events: string[] } } }>(
      first.url,
      CREATE,
      { input: { url: hook.url, secret } },
      token,
    );
    expect(created.createWebhook).toMatchObject({
      __typename: 'CreateWebhookPayload',
      webhook: { events: ['UPSERT', 'DELETE'] },
    });
    const csv = (lines: string[]) => ['country,indicator,reference_year,value,status', ...lines].join('\n');
    const imported = await gql<{ importSubmissions: { ok: boolean } }>(
      first.url,
      `mutation($csv: String!) { importSubmissions(input: { csv: $csv }) { ok } }`,
      {
        csv: csv([
          'CHE,IMM_STOCK,2020,10,PUBLISHED',
          'FRA,IMM_STOCK,2020,20,PUBLISHED',
          'DEU,IMM_STOCK,2020,30,PUBLISHED',
          'ITA,IMM_STOCK,2020,99,VALIDATED', // not public: no delivery
        ]),
      },
      token,
    );
    expect(imported.importSubmissions.ok).toBe(true);

    // Refused twice each, then the hub dies without warning.
    const deliveriesOf = () => new Set(hook.requests.map((r) => r.headers['x-migstat-delivery']));
    const attemptsOf = (id: string | string[] | undefined) =>
      hook.requests.filter((r) => r.headers['x-migstat-delivery'] === id).length;
    await until('two refused attempts of each delivery', () => {
      const ids = [...deliveriesOf()];
      return ids.length === 3 && ids.every((id) => attemptsOf(id) >= 2);
    });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    hook.accept();

    // Restarted (two processes on PostgreSQL): every delivery is acknowledged, exactly once each.
    const restarted = [await serve(target, env)];
    if (dbKind === 'postgres') restarted.push(await serve(target, env));
    hubs.push(...restarted);
    // A delivery the killed hub was sending stays leased to it for 6 s (WEBHOOK_TIMEOUT_MS + 5 s).
    await until(
      'all deliveries acknowledged',
      () => hook.requests.filter((r) => r.answered === 204).length >= 3,
      45_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing more arrives
    const acknowledged = hook.requests.filter((r) => r.answered === 204);
    expect(acknowledged).toHaveLength(3);
    expect(new Set(acknowledged.map((r) => r.headers['x-migstat-delivery'])).size).toBe(3);

    // Every request is signed with the secret; the bodies are the public changes.
    for (const r of hook.requests) {
      const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
      expect(r.headers['x-migstat-signature']).toBe(expected);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const bodies = acknowledged.map((r) => JSON.parse(r.body));
    expect(
      bodies.map((b) => [b.kind, b.series.country.iso3, b.submission.status, b.submission.observations]).sort(),
    ).toEqual([
      ['UPSERT', 'CHE', 'PUBLISHED', [{ dimensions: {}, value: 10 }]],
      ['UPSERT', 'DEU', 'PUBLISHED', [{ dimensions: {}, value: 30 }]],
      ['UPSERT', 'FRA', 'PUBLISHED', [{ dimensions: {}, value: 20 }]],
    ]);
    for (const b of bodies) expect(b.delivery).toBe(acknowledged[bodies.indexOf(b)]!.headers['x-migstat-delivery']);
    // Each body carries the published feed's own sequence, as an anonymous caller reads it in `changes`: the last
    // three of its feed, consecutive, though the task force's changes were numbered in between (README "Change feed").
    type Feed = { changes: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { sequence: string }[] } };
    const anonymous: string[] = [];
    for (let after: string | null = null; ;) {
      const feed: Feed = await gql<Feed>(
        restarted[0]!.url,
        `query($after: String) { changes(after: $after, first: 100) { pageInfo { hasNextPage endCursor } nodes { sequence } } }`,
        { after },
      );
      anonymous.push(...feed.changes.nodes.map((n) => n.sequence));
      after = feed.changes.pageInfo.endCursor;
      if (!feed.changes.pageInfo.hasNextPage) break;
    }
    expect(anonymous.map(Number)).toEqual(anonymous.map((_, i) => i + 1));
    expect(bodies.map((b: { sequence: string }) => b.sequence).sort((a, b) => Number(a) - Number(b))).toEqual(
      anonymous.slice(-3),
    );

    // The delivery log: each delivery DELIVERED after its refused attempts, every attempt listed.
    const listed = await gql<{
      webhooks: {
        deliveries: {
          totalCount: number;
          nodes: {
            status: string;
            attempts: number;
            nextAttemptAt: string | null;
            log: { outcome: string; httpStatus: number | null; error: string | null }[];
          }[];
        };
      }[];
    }>(
      restarted[0]!.url,
      `{ webhooks { deliveries(first: 10) { totalCount nodes { status attempts nextAttemptAt log { outcome httpStatus error } } } } }`,
      {},
      token,
    );
    const deliveries = listed.webhooks[0]!.deliveries;
    expect(deliveries.totalCount).toBe(3);
    for (const d of deliveries.nodes) {
      expect(d.status).toBe('DELIVERED');
      expect(d.nextAttemptAt).toBeNull();
      expect(d.log.at(-1)).toEqual({ outcome: 'ACKNOWLEDGED', httpStatus: 204, error: null });
      // Refused, or cut short by the kill (the log says so once its lease has run out).
      for (const a of d.log.slice(0, -1))
        expect(a).toEqual(
          a.outcome === 'FAILED'
            ? { outcome: 'FAILED', httpStatus: 500, error: 'answered 500' }
            : {
                outcome: 'INTERRUPTED',
                httpStatus: null,
                error: 'interrupted: the sending hub process stopped before an answer',
              },
        );
      expect(d.log.length).toBeGreaterThanOrEqual(3);
    }
    for (const h of restarted) expect(await h.stop()).toBe(0);
  }, 120_000);
});
