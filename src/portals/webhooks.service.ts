// Webhooks (CONTRACT §10): the change feed pushed by HTTP POST to receivers an ADMIN registers. A webhook receives
// what an anonymous caller sees (PUBLISHED data; visibility.ts), each change as JSON signed with its secret
// (X-Migstat-Signature: sha256=<hex HMAC-SHA256 of the body>), retried with exponential backoff until a 2xx.
//
// Everything is in the database, so a restart (or a crash) loses nothing: each webhook keeps its own cursor on the
// feed, and a worker in every hub process (1) turns feed entries after that cursor into delivery rows, advancing the
// cursor in the same transaction, and (2) claims due deliveries with FOR UPDATE SKIP LOCKED, leasing them by moving
// their next attempt past the request timeout, so two hub processes never send one delivery at once and a process
// that dies mid-request leaves a lease that simply expires. Delivery is at least once; receivers deduplicate by
// X-Migstat-Delivery and order by `sequence` (a retried change can arrive after a later one). Webhooks count in the
// published feed's own sequence (FeedEntry.audienceSequence of the PUBLISHED audience), as an anonymous caller reads
// it in `changes`: the `sequence` of a body, a delivery's entry and a webhook's cursor. It is dense, so its gaps say
// nothing of unpublished changes.
//
// SSRF: a URL whose host resolves to a private, loopback, link-local or otherwise special address is refused at
// registration and again at every attempt, on the addresses the connection is made to (DNS may change, and a second
// lookup could answer otherwise than the one checked), unless WEBHOOK_ALLOW_PRIVATE is set; redirects are not
// followed.
import { createHmac } from 'node:crypto';
import { lookup as lookupCallback, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Logger } from 'pino';
import { Agent, fetch } from 'undici';
import { Prisma } from '../../prisma/generated/prisma/client.js';
import { audit, type Actor } from '../access/audit.js';
import type { Config } from '../platform/config.js';
import type { Database, PrismaClient } from '../platform/db.js';
import { isDatabaseUnavailable, NotFoundError, ValidationError } from '../platform/errors.js';
import { FEED_CHANNEL, type ItemType } from '../submissions/changes.js';
import { dimensionsOf } from '../submissions/submissions.import.js';
import { visibleFeedEntry } from '../submissions/visibility.js';
import { sourceTypeIdOfKey } from './feed.service.js';

export const CHANGE_KINDS = ['UPSERT', 'DELETE'] as const;

/** SQL: the entry f is one of the published feed, the one webhooks receive. */
const PUBLISHED_ENTRY = visibleFeedEntry({ kind: 'PUBLISHED' }, 'f');
export type ChangeKindName = (typeof CHANGE_KINDS)[number];

/** Address ranges a webhook may not reach unless configured: RFC 1918, loopback, link-local, CGNAT, multicast… */
const SPECIAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  SPECIAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible addresses (::127.0.0.1)
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: an IPv4 address inside (2002:7f00:1:: is 127.0.0.1's)
] as const)
  SPECIAL.addSubnet(net, prefix, 'ipv6');

function isSpecial(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return SPECIAL.check(mapped[1]!, 'ipv4');
  return SPECIAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The ports fetch() never connects to (the Fetch standard's "bad port" list, which Node's fetch enforces): a webhook
 * there would fail on every attempt with nothing but "fetch failed".
 */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
  111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
  540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
  6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const resolvesToSpecial = (address: string) =>
  `the host resolves to ${address}, a private, loopback or reserved address`;

/**
 * Why the hub may not POST to this URL, or null. `resolve: false` leaves a host name's addresses to the connection
 * (guardedConnections), as an attempt does; an address written in the URL is checked either way.
 */
export async function refusal(url: string, allowPrivate: boolean, resolve = true): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'only http and https URLs are allowed';
  if (parsed.username || parsed.password) return 'credentials in the URL are not allowed (sign with the secret)';
  if (parsed.port && BAD_PORTS.has(Number(parsed.port)))
    return `port ${parsed.port} is one that fetch never connects to (the Fetch standard's blocked ports)`;
  if (allowPrivate) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!resolve && !isIP(host)) return null;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `the host "${host}" does not resolve`;
  }
  const bad = addresses.find(isSpecial);
  return bad ? resolvesToSpecial(bad) : null;
}

/**
 * Connections that refuse a special address at the lookup the connection itself uses (net.connect's `lookup`), so
 * the address checked is the address connected to: a name answering a public address to a check and a private one
 * to the request that follows (DNS rebinding) gets no request through.
 */
const guardedLookup = ((hostname, options, callback) => {
  lookupCallback(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    const bad = err ? undefined : addresses.find((a) => isSpecial(a.address));
    if (err || bad) {
      return (callback as (e: Error) => void)(err ?? new Error(`refused: ${resolvesToSpecial(bad!.address)}`));
    }
    if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}) as LookupFunction;
const guardedConnections = new Agent({ connect: { lookup: guardedLookup } });

export interface CreateWebhookInput {
  url: string;
  secret: string;
  events?: readonly ChangeKindName[] | null | undefined;
}

/** Registers a webhook; it receives the changes committed from now on. */
export async function createWebhook(prisma: PrismaClient, config: Config, actor: Actor, input: CreateWebhookInput) {
  const issues: { path: string[]; message: string }[] = [];
  const url = input.url.trim();
  const why = await refusal(url, config.webhooks.allowPrivate);
  if (why) issues.push({ path: ['input', 'url'], message: why });
  if (input.secret.length < 16) issues.push({ path: ['input', 'secret'], message: 'at least 16 characters' });
  const events = [...new Set(input.events?.length ? input.events : CHANGE_KINDS)];
  if (issues.length) throw ValidationError.of(issues);
  const [head] = await prisma.$queryRaw<{ head: bigint }[]>(Prisma.sql`
    SELECT coalesce(max(f."audienceSequence"), 0) AS head FROM "FeedEntry" f WHERE ${PUBLISHED_ENTRY}`);
  return prisma.webhook.create({
    data: { url, secret: input.secret, events, cursor: head!.head, createdBy: actor.name },
  });
}

export interface UpdateWebhookInput {
  url?: string | null | undefined;
  secret?: string | null | undefined;
  events?: readonly ChangeKindName[] | null | undefined;
  paused?: boolean | null | undefined;
}

/**
 * Changes a webhook: its URL (checked as at registration), secret, events, or pause. Pausing keeps the webhook's
 * cursor and its pending deliveries where they are; resuming delivers them and every change committed meanwhile.
 * A change of `events` applies to changes not yet turned into deliveries.
 */
export async function updateWebhook(
  prisma: PrismaClient,
  config: Config,
  actor: Actor,
  id: number,
  input: UpdateWebhookInput,
) {
  const issues: { path: string[]; message: string }[] = [];
  const url = input.url?.trim();
  if (input.url === null) issues.push({ path: ['input', 'url'], message: 'cannot be cleared' });
  if (url !== undefined) {
    const why = await refusal(url, config.webhooks.allowPrivate);
    if (why) issues.push({ path: ['input', 'url'], message: why });
  }
  if (input.secret === null) issues.push({ path: ['input', 'secret'], message: 'cannot be cleared' });
  if (input.secret != null && input.secret.length < 16)
    issues.push({ path: ['input', 'secret'], message: 'at least 16 characters' });
  if (input.events !== undefined && !input.events?.length)
    issues.push({ path: ['input', 'events'], message: 'at least one kind of change' });
  if (issues.length) throw ValidationError.of(issues);
  return prisma.$transaction(async (tx) => {
    const current = await tx.webhook.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such webhook');
    const pausedAt = input.paused == null ? undefined : input.paused ? (current.pausedAt ?? new Date()) : null;
    const row = await tx.webhook.update({
      where: { id },
      data: {
        url,
        secret: input.secret ?? undefined,
        events: input.events ? [...new Set(input.events)] : undefined,
        pausedAt,
      },
    });
    await audit(tx, actor, 'webhook.update', 'Webhook', String(id), described(current), described(row));
    return row;
  });
}

/** Removes a webhook with its deliveries and their log; nothing more is sent to it. */
export async function deleteWebhook(prisma: PrismaClient, actor: Actor, id: number) {
  return prisma.$transaction(async (tx) => {
    const current = await tx.webhook.findUnique({ where: { id } });
    if (!current) throw new NotFoundError('input.id: no such webhook');
    // Attempts, then deliveries, then the webhook: the order a sending worker locks them in (the attempt, then its
    // delivery), so a delivery being acknowledged meanwhile waits instead of deadlocking with the cascade.
    await tx.deliveryAttempt.deleteMany({ where: { delivery: { webhookId: id } } });
    await tx.webhookDelivery.deleteMany({ where: { webhookId: id } });
    await tx.webhook.delete({ where: { id } });
    await audit(tx, actor, 'webhook.delete', 'Webhook', String(id), described(current), null);
    return current;
  });
}

/** What the audit trail keeps of a webhook: never its secret. */
function described(w: { url: string; events: string[]; pausedAt: Date | null }) {
  return { url: w.url, events: w.events, paused: w.pausedAt !== null };
}

/** The natural key of each item type, as the catalogue JSON and the imports name items. */
const ITEM_KEYS: Record<ItemType, string> = {
  Concept: 'code',
  Topic: 'code',
  Variable: 'code',
  SourceType: 'code',
  SdgIndicator: 'code',
  GcmObjective: 'number',
  Indicator: 'code',
  Recommendation: 'code',
  Region: 'code',
  Country: 'm49',
  DataSource: 'code',
};

/** The body of an item change: the item's type, global id (for `node(id)`) and natural key. */
async function itemPayloadOf(prisma: Prisma.TransactionClient, deliveryId: number, sequence: bigint) {
  const [entry] = await prisma.$queryRaw<{ sequence: string; at: Date; itemType: ItemType; itemId: number }[]>(
    Prisma.sql`SELECT f."audienceSequence"::text AS sequence, f.at, f."itemType", f."itemId" FROM "FeedEntry" f
      WHERE ${PUBLISHED_ENTRY} AND f."audienceSequence" = ${sequence}::bigint`,
  );
  if (!entry) return null;
  const column = ITEM_KEYS[entry.itemType];
  const [item] = await prisma.$queryRaw<{ key: string }[]>(
    Prisma.sql`SELECT ${Prisma.raw(`"${column}"::text`)} AS key FROM ${Prisma.raw(`"${entry.itemType}"`)}
      WHERE id = ${entry.itemId}::int`,
  );
  return {
    delivery: String(deliveryId),
    sequence: entry.sequence,
    kind: 'UPSERT',
    at: entry.at.toISOString(),
    series: null,
    submission: null,
    item: { type: entry.itemType, id: encodeGlobalID(entry.itemType, entry.itemId), [column]: item?.key ?? null },
  };
}

/** The JSON body of one delivery: the change as the feed's Change type has it, with codes for the references. */
async function payloadOf(prisma: Prisma.TransactionClient, deliveryId: number, sequence: bigint) {
  const [kind] = await prisma.$queryRaw<{ item: boolean }[]>(Prisma.sql`
    SELECT f."itemType" IS NOT NULL AS item FROM "FeedEntry" f
    WHERE ${PUBLISHED_ENTRY} AND f."audienceSequence" = ${sequence}::bigint`);
  if (kind?.item) return itemPayloadOf(prisma, deliveryId, sequence);
  const [row] = await prisma.$queryRaw<
    {
      sequence: string;
      at: Date;
      submissionId: number | null;
      m49: string;
      iso3: string | null;
      indicator: string;
      referenceYear: number;
      sourceKey: string;
      version: number | null;
      status: string | null;
      unit: string | null;
      note: string | null;
      residenceCriterion: string | null;
      sourceType: string | null;
      dataSource: string | null;
      keySourceType: string | null;
      observations: [string, number][] | null;
    }[]
  >(Prisma.sql`
    SELECT f."audienceSequence"::text AS sequence, f.at, f."submissionId", c.m49, c.iso3, i.code AS indicator, f."referenceYear",
      f."sourceKey",
      -- The version number among the key's PUBLISHED versions, as an anonymous caller reads Submission.version.
      (SELECT count(*)::int FROM "Submission" v WHERE v."countryId" = s."countryId"
         AND v."indicatorId" = s."indicatorId" AND v."referenceYear" = s."referenceYear"
         AND v."sourceKey" = s."sourceKey" AND v.status = 'PUBLISHED' AND v.version <= s.version) AS version,
      s.status::text AS status, s.unit, s.note,
      s."residenceCriterion"::text AS "residenceCriterion", st.code AS "sourceType", ds.code AS "dataSource",
      kst.code AS "keySourceType",
      (SELECT json_agg(json_build_array(o."dimensionKey", o.value) ORDER BY o."dimensionKey")
         FROM "Observation" o WHERE o."submissionId" = s.id) AS observations
    FROM "FeedEntry" f
    JOIN "Country" c ON c.id = f."countryId"
    JOIN "Indicator" i ON i.id = f."indicatorId"
    LEFT JOIN "Submission" s ON s.id = f."submissionId"
    LEFT JOIN "SourceType" st ON st.id = s."sourceTypeId"
    LEFT JOIN "DataSource" ds ON ds.id = s."dataSourceId"
    LEFT JOIN "SourceType" kst ON kst.id = ${sourceTypeIdOfKey(Prisma.sql`f."sourceKey"`)}
    WHERE ${PUBLISHED_ENTRY} AND f."audienceSequence" = ${sequence}::bigint`);
  if (!row) return null;
  return {
    delivery: String(deliveryId),
    sequence: row.sequence,
    kind: row.submissionId === null ? 'DELETE' : 'UPSERT',
    at: row.at.toISOString(),
    series: {
      country: { m49: row.m49, iso3: row.iso3 },
      indicator: { code: row.indicator },
      referenceYear: row.referenceYear,
      dataSource: row.sourceKey.startsWith('DS:') ? { code: row.sourceKey.slice(3) } : null,
      // As the feed's SeriesKey.sourceType: the key's source type, or its data source's type.
      sourceType: row.keySourceType && { code: row.keySourceType },
    },
    submission:
      row.submissionId === null
        ? null
        : {
            version: row.version,
            status: row.status,
            unit: row.unit,
            note: row.note,
            residenceCriterion: row.residenceCriterion,
            sourceType: row.sourceType && { code: row.sourceType },
            dataSource: row.dataSource && { code: row.dataSource },
            observations: (row.observations ?? []).map(([key, value]) => ({ dimensions: dimensionsOf(key), value })),
          },
    item: null,
  };
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * How long a claimed delivery is leased to the process sending it, beyond the request timeout (WEBHOOK_TIMEOUT_MS),
 * so no other process sends it meanwhile; a process killed mid-request delays that delivery by the whole lease.
 */
const LEASE_MARGIN_MS = 5_000;
/** Sends in flight in one hub process, at most one per webhook. */
const MAX_IN_FLIGHT = 20;
const POLL_MS = 1_000;

/** Turns new feed entries into deliveries for every webhook, advancing each cursor in the same transaction. */
async function enqueue(prisma: PrismaClient): Promise<void> {
  if (!(await prisma.webhook.count({ where: { pausedAt: null } }))) return;
  await prisma.$transaction(async (tx) => {
    // SKIP LOCKED: a webhook another process is enqueueing for is left to it.
    const hooks = await tx.$queryRaw<{ id: number; cursor: bigint; events: string[] }[]>`
      SELECT id, cursor, events FROM "Webhook" WHERE "pausedAt" IS NULL ORDER BY id FOR UPDATE SKIP LOCKED`;
    for (const hook of hooks) {
      await tx.$executeRaw(Prisma.sql`
        WITH scanned AS (
          SELECT f."audienceSequence" AS sequence, f."submissionId", f."itemType" FROM "FeedEntry" f
          WHERE ${PUBLISHED_ENTRY} AND f."audienceSequence" > ${hook.cursor}::bigint
          ORDER BY f."audienceSequence" LIMIT 1000
        ),
        queued AS (
          INSERT INTO "WebhookDelivery" ("webhookId", sequence)
          SELECT ${hook.id}::int, sequence FROM scanned
          WHERE (CASE WHEN "submissionId" IS NULL AND "itemType" IS NULL THEN 'DELETE' ELSE 'UPSERT' END)
            = ANY(${hook.events}::text[])
          ON CONFLICT DO NOTHING
        )
        UPDATE "Webhook" SET cursor = coalesce((SELECT max(sequence) FROM scanned), cursor)
        WHERE id = ${hook.id}::int`);
    }
  });
}

export type AttemptOutcome = 'SENDING' | 'ACKNOWLEDGED' | 'FAILED' | 'INTERRUPTED';

/**
 * Where an attempt stands. It has no outcome until its send writes the HTTP status or the error; until then it is
 * SENDING while the sending process's lease runs, and INTERRUPTED after (the process stopped before an answer).
 */
export function attemptOutcome(
  a: { httpStatus: number | null; error: string | null; leaseEndsAt: Date | null },
  now = new Date(),
): AttemptOutcome {
  if (a.error !== null) return 'FAILED';
  if (a.httpStatus !== null) return 'ACKNOWLEDGED';
  return a.leaseEndsAt && a.leaseEndsAt > now ? 'SENDING' : 'INTERRUPTED';
}

/**
 * Claims due deliveries (leasing them) and logs an attempt for each in the same statement, without an outcome and
 * with the lease's end (attemptOutcome): at most `limit`, at most one per webhook (its lowest due id, so one process
 * sends a webhook's deliveries in order), none for the webhooks in `busy` (this process is sending to them already).
 */
async function claim(
  prisma: PrismaClient,
  busy: readonly number[],
  limit: number,
  leaseMs: number,
): Promise<Claimed[]> {
  // FOR UPDATE does not go with DISTINCT: the innermost query picks each webhook's first due delivery, the one
  // around it locks; it repeats the conditions so that a row another process claimed meanwhile is rechecked out.
  return prisma.$queryRaw<Claimed[]>`
    WITH claimed AS (
      UPDATE "WebhookDelivery" d
      SET "nextAttemptAt" = now() + ${leaseMs} * interval '1 millisecond', attempts = d.attempts + 1
      WHERE d.id IN (
        SELECT d.id FROM "WebhookDelivery" d
        WHERE d.status = 'PENDING' AND d."nextAttemptAt" <= now() AND d.id IN (
          SELECT DISTINCT ON (d."webhookId") d.id FROM "WebhookDelivery" d JOIN "Webhook" w ON w.id = d."webhookId"
          WHERE d.status = 'PENDING' AND d."nextAttemptAt" <= now() AND w."pausedAt" IS NULL
            AND NOT d."webhookId" = ANY(${[...busy]}::int[])
          ORDER BY d."webhookId", d.id)
        ORDER BY d.id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d."webhookId", d.sequence, d.attempts
    ),
    logged AS (
      INSERT INTO "DeliveryAttempt" ("deliveryId", "durationMs", "leaseEndsAt")
      SELECT id, 0, now() + ${leaseMs} * interval '1 millisecond' FROM claimed
      RETURNING id, "deliveryId"
    )
    SELECT c.*, l.id AS "attemptId" FROM claimed c JOIN logged l ON l."deliveryId" = c.id`;
}

interface Claimed {
  id: number;
  webhookId: number;
  sequence: bigint;
  attempts: number;
  attemptId: number;
}

/** Why an attempt failed: fetch() says only "fetch failed", with the reason (refused, reset, DNS, TLS) as its cause. */
function reason(err: unknown): string {
  // Not `instanceof Error`: fetch's errors come from Node's own realm, which a sandbox (a test's) does not share.
  type Failure = { message?: unknown; code?: unknown; cause?: Failure };
  const e = (typeof err === 'object' && err !== null ? err : {}) as Failure;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const cause = typeof e.cause === 'object' && e.cause !== null ? e.cause : undefined;
  const detail = cause && (typeof cause.message === 'string' && cause.message ? cause.message : cause.code);
  return detail ? `${message}: ${String(detail)}` : message;
}

/**
 * `work`, unless the attempt's deadline passes first. The whole send, not only the request, keeps to
 * WEBHOOK_TIMEOUT_MS: the lease is that plus a margin, and a slow DNS answer or database read outlasting it would let
 * another process claim and send the delivery while this one still may.
 */
function beforeDeadline<T>(deadline: AbortSignal, ms: number, doing: string, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const late = () => reject(new Error(`timed out after ${ms} ms ${doing}`));
    if (deadline.aborted) return late();
    deadline.addEventListener('abort', late, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', late));
  });
}

async function send(prisma: PrismaClient, config: Config, logger: Logger, d: Claimed): Promise<void> {
  const ms = config.webhooks.timeoutMs;
  const deadline = AbortSignal.timeout(ms);
  const started = Date.now();
  const hook = await prisma.webhook.findUnique({ where: { id: d.webhookId } });
  if (!hook) return;
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const why = await beforeDeadline(
      deadline,
      ms,
      'checking the address',
      refusal(hook.url, config.webhooks.allowPrivate, false),
    );
    if (why) throw new Error(`refused: ${why}`);
    // The server ends the read at the deadline too (statement_timeout for the time left): beforeDeadline only stops
    // waiting for it, and a read left running, on a table another session holds, kept its pool connection; a burst
    // of deliveries then took the whole pool, and every request to the hub waited. An error past the deadline is
    // that timeout.
    const reading = prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(started + ms - Date.now()))}`);
      return payloadOf(tx, d.id, d.sequence);
    });
    const payload = await beforeDeadline(
      deadline,
      ms,
      'reading the change',
      reading.catch((err: unknown) => {
        throw Date.now() >= started + ms ? new Error(`timed out after ${ms} ms reading the change`) : err;
      }),
    );
    const body = JSON.stringify(payload);
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'migstat-webhook',
        'x-migstat-delivery': String(d.id),
        'x-migstat-signature': signature(hook.secret, body),
      },
      body,
      redirect: 'manual',
      signal: deadline,
      ...(config.webhooks.allowPrivate ? {} : { dispatcher: guardedConnections }),
    });
    httpStatus = res.status;
    // The answer's status is the outcome; a body cut off after it (a reset, the deadline) does not undo a 2xx.
    await res.body?.cancel().catch(() => undefined);
    if (res.status < 200 || res.status > 299) error = `answered ${res.status}`;
  } catch (err) {
    error = reason(err);
  }
  const durationMs = Date.now() - started;
  const delay = Math.min(config.webhooks.retryBaseMs * 2 ** (d.attempts - 1), config.webhooks.retryMaxMs);
  await prisma.$transaction([
    prisma.deliveryAttempt.update({
      where: { id: d.attemptId },
      data: { httpStatus, error, durationMs, leaseEndsAt: null },
    }),
    prisma.webhookDelivery.update({
      where: { id: d.id },
      data: error ? { nextAttemptAt: new Date(Date.now() + delay) } : { status: 'DELIVERED', deliveredAt: new Date() },
    }),
  ]);
  if (error) logger.warn({ webhook: hook.id, delivery: d.id, attempts: d.attempts, error }, 'webhook delivery failed');
}

/**
 * Runs the delivery worker of this hub process: on every feed notification and every second (retries fall due),
 * enqueue then claim; each claimed delivery is sent on its own, and its end wakes the worker to claim that
 * webhook's next one, so a slow receiver delays only its own deliveries. Never two rounds at once in one process;
 * other processes coordinate through the database.
 */
export function startWebhookWorker(app: { config: Config; db: Database; logger: Logger }) {
  const { config, db, logger } = app;
  const inFlight = new Map<number, Promise<void>>(); // by webhook id
  let running: Promise<void> | null = null;
  let again = false;
  let feedMoved = true;
  let stopped = false;
  // While the database is unreachable every tick fails the same way: said once when it starts and once when it ends.
  let outage = false;
  const leaseMs = config.webhooks.timeoutMs + LEASE_MARGIN_MS;
  const round = async () => {
    do {
      again = false;
      if (feedMoved) {
        feedMoved = false;
        await enqueue(db.prisma);
      }
      // One claim: a webhook with a send in flight gets its next delivery when that send ends (and wakes us).
      const room = MAX_IN_FLIGHT - inFlight.size;
      if (room > 0 && !stopped)
        for (const d of await claim(db.prisma, [...inFlight.keys()], room, leaseMs)) {
          const sending = send(db.prisma, config, logger, d)
            .catch((err: unknown) => logger.error({ err, delivery: d.id }, 'webhook send failed'))
            .finally(() => {
              inFlight.delete(d.webhookId);
              wake(false);
            });
          inFlight.set(d.webhookId, sending);
        }
    } while (again && !stopped);
  };
  /** `fromFeed`: the feed may have moved (or retries fallen due), so enqueue before claiming. */
  const wake = (fromFeed: boolean) => {
    if (stopped) return;
    feedMoved ||= fromFeed;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .then(
        () => {
          if (!outage) return;
          outage = false;
          logger.info('webhook worker: the database answers again; deliveries resume');
        },
        (err: unknown) => {
          if (!isDatabaseUnavailable(err)) return logger.error({ err }, 'webhook worker round failed');
          if (outage) return;
          outage = true;
          logger.warn(
            { error: err instanceof Error ? err.message : String(err) },
            'webhook worker: the database is unavailable; retrying every second until it answers',
          );
        },
      )
      .finally(() => (running = null));
  };
  const timer = setInterval(() => wake(true), POLL_MS);
  timer.unref();
  const listening = db.listen(FEED_CHANNEL, () => wake(true));
  wake(true);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await (
        await listening.catch(() => undefined)
      )?.();
      await running;
      await Promise.all(inFlight.values());
    },
  };
}
