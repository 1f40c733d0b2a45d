// Webhooks (CONTRACT §10), ADMIN only: `createWebhook(input: { url, secret, events })`, `updateWebhook` (URL, secret,
// events, pause and resume), `deleteWebhook`, the registered webhooks and their deliveries with every attempt. The
// delivery itself is webhooks.service.ts.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { actorOf } from '../access/audit.js';
import { builder } from '../schema/builder.js';
import { connectionOf, orderBy } from '../schema/connections.js';
import { userErrors } from '../schema/errors.js';
import { adminOnlyNode, localId } from '../schema/global-id.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { ChangeKind } from './feed.schema.js';
import {
  attemptOutcome,
  createWebhook,
  deleteWebhook,
  updateWebhook,
  type AttemptOutcome,
  type ChangeKindName,
} from './webhooks.service.js';

const DeliveryStatus = builder.enumType('DeliveryStatus', {
  description: 'Where a webhook delivery stands.',
  values: {
    PENDING: { description: 'Not acknowledged yet: retried with backoff.' },
    DELIVERED: { description: 'Acknowledged with a 2xx.' },
  },
});

const DeliveryAttemptOutcome = builder.enumType('DeliveryAttemptOutcome', {
  description: 'Where an attempt at a delivery stands.',
  values: {
    SENDING: {
      description:
        'Claimed by a hub process and not answered yet, within its lease (WEBHOOK_TIMEOUT_MS and a few seconds).',
    },
    ACKNOWLEDGED: { description: 'The receiver answered with a 2xx.' },
    FAILED: { description: 'Not acknowledged: the error says why (network error, refused address, non-2xx, timeout).' },
    INTERRUPTED: { description: 'The sending hub process stopped before an answer; another attempt follows.' },
  } satisfies Record<AttemptOutcome, unknown>,
});

const INTERRUPTED = 'interrupted: the sending hub process stopped before an answer';

builder.prismaObject('DeliveryAttempt', {
  description: 'One attempt at a delivery.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When the attempt was claimed.' }),
    outcome: t.field({
      type: DeliveryAttemptOutcome,
      description: 'SENDING until the answer, then ACKNOWLEDGED or FAILED; INTERRUPTED if its process stopped first.',
      resolve: (a) => attemptOutcome(a),
    }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true, description: 'The HTTP status answered, if any.' }),
    error: t.string({
      nullable: true,
      description: 'Why it failed or was interrupted; null when acknowledged and while sending.',
      resolve: (a) => (attemptOutcome(a) === 'INTERRUPTED' ? INTERRUPTED : a.error),
    }),
    durationMs: t.exposeInt('durationMs', { description: 'How long it took; 0 until it has an outcome.' }),
  }),
});

const WebhookDelivery = builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  nullable: true,
  findUnique: adminOnlyNode,
  authScopes: { admin: true },
  description: 'One change POSTed to one webhook, retried until acknowledged.',
  fields: (t) => ({
    delivery: t.string({
      description: 'The X-Migstat-Delivery header value.',
      resolve: (d) => String(d.id),
    }),
    sequence: t.string({ description: 'The feed entry delivered.', resolve: (d) => d.sequence.toString() }),
    status: t.expose('status', { type: DeliveryStatus }),
    attempts: t.exposeInt('attempts'),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due; null once DELIVERED (no attempt is due then).',
      // The column keeps the last lease's time after the acknowledgement; it is not a due date any more.
      resolve: (d) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
    }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    log: t.relation('log', { description: 'Every attempt, oldest first.', query: { orderBy: { id: 'asc' } } }),
  }),
});

const WebhookDeliveryConnection = connectionOf(WebhookDelivery, 'WebhookDelivery');

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  description: "Narrows a webhook's deliveries.",
  fields: (t) => ({
    status: t.field({ type: DeliveryStatus, description: 'Only PENDING or only DELIVERED deliveries.' }),
  }),
});

/** Newest first, as the review queues: the deliveries an operator looks at are the latest. */
const deliveryOrder = orderBy('WebhookDeliveryOrder', {
  items: 'webhook deliveries',
  fields: {
    CREATED_AT: { description: 'When the delivery was queued.', keys: () => [] },
    SEQUENCE: { description: 'The feed sequence of the change delivered.', keys: (d) => [{ sequence: d }] },
    NEXT_ATTEMPT_AT: { description: 'When its next attempt is due.', keys: (d) => [{ nextAttemptAt: d }] },
  },
  default: { field: 'CREATED_AT', direction: 'DESC' },
  defaultIs: 'newest first',
});

const Webhook = builder.prismaNode('Webhook', {
  id: { field: 'id' },
  nullable: true,
  findUnique: adminOnlyNode,
  authScopes: { admin: true },
  description:
    'A receiver of the change feed (ADMIN only): the changes an anonymous caller sees, POSTed as JSON with ' +
    'X-Migstat-Signature: sha256=<hex HMAC-SHA256 of the body with the secret> and X-Migstat-Delivery.',
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.field({
      type: [ChangeKind],
      description: 'The kinds of change it receives.',
      resolve: (w) => w.events as ChangeKindName[],
    }),
    cursor: t.string({
      description:
        "How far its deliveries have reached in the published feed, as an anonymous caller's `changes(after:)` " +
        'cursor ("p:<sequence>"): the changes after it are the ones not yet turned into deliveries.',
      resolve: (w) => `p:${w.cursor}`,
    }),
    paused: t.boolean({
      description: 'Whether it is paused: no deliveries until resumed, then every change committed meanwhile.',
      resolve: (w) => w.pausedAt !== null,
    }),
    pausedAt: t.expose('pausedAt', { type: 'DateTime', nullable: true, description: 'When it was paused.' }),
    createdBy: t.exposeString('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.relatedConnection(
      'deliveries',
      {
        cursor: 'id',
        description: 'Its deliveries, newest first unless ordered otherwise.',
        args: {
          filter: t.arg({ type: WebhookDeliveryFilter, description: 'Which deliveries; all when omitted.' }),
          ...deliveryOrder.args,
        },
        query: ({ filter, orderBy }) => ({
          where: filter?.status ? { status: filter.status } : {},
          orderBy: deliveryOrder.prismaOrderBy(orderBy),
        }),
        totalCount: true,
      },
      WebhookDeliveryConnection,
    ),
  }),
});

builder.queryField('webhooks', (t) =>
  t.prismaField({
    type: [Webhook],
    authScopes: { admin: true },
    description: 'The registered webhooks, oldest first (ADMIN only).',
    resolve: (query, _root, _args, ctx) => ctx.prisma.webhook.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
);

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  description: 'A webhook to register: where to POST, the signing secret and the kinds of change.',
  fields: (t) => ({
    url: t.string({
      required: true,
      description: 'http(s) URL to POST to; private and loopback addresses are refused unless configured.',
    }),
    secret: t.string({ required: true, description: 'The HMAC-SHA256 key of the signatures, at least 16 characters.' }),
    events: t.field({ type: [ChangeKind], description: 'The kinds of change to receive (default: all).' }),
  }),
});

const CreateWebhookPayload = builder.objectRef<{ id: number }>('CreateWebhookPayload').implement({
  description: 'The webhook registered.',
  fields: (t) => ({
    webhook: t.prismaField({
      type: Webhook,
      description: 'The new webhook, with its feed cursor at the current end of the feed.',
      resolve: (query, p, _args, ctx) => ctx.prisma.webhook.findUniqueOrThrow({ ...query, where: { id: p.id } }),
    }),
  }),
});

builder.mutationField('createWebhook', (t) =>
  t.field({
    type: CreateWebhookPayload,
    description: 'Registers a webhook (ADMIN only); it receives the changes committed from now on.',
    authScopes: { admin: true },
    errors: { types: userErrors },
    args: { input: t.arg({ type: CreateWebhookInput, required: true, description: 'The webhook to register.' }) },
    resolve: (_root, { input }, ctx) => createWebhook(ctx.prisma, ctx.app.config, actorOf(ctx.viewer), input),
  }),
);

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'Changes to a webhook. Absent fields are left alone.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The webhook's global id." }),
    url: t.string({
      description: 'A new http(s) URL; private and loopback addresses are refused unless configured.',
    }),
    secret: t.string({ description: 'A new signing secret, at least 16 characters (signs the next attempts).' }),
    events: t.field({
      type: [ChangeKind],
      description: 'The kinds of change to receive from now on (changes not yet queued for it).',
    }),
    paused: t.boolean({
      description:
        'true pauses it: nothing is sent, its pending deliveries and the changes committed meanwhile wait; false ' +
        'resumes it, and they are delivered in order.',
    }),
  }),
});

const UpdateWebhookPayload = builder.objectRef<{ id: number }>('UpdateWebhookPayload').implement({
  description: 'The webhook as updated.',
  fields: (t) => ({
    webhook: t.prismaField({
      type: Webhook,
      description: 'The webhook.',
      resolve: (query, p, _args, ctx) => ctx.prisma.webhook.findUniqueOrThrow({ ...query, where: { id: p.id } }),
    }),
  }),
});

builder.mutationField('updateWebhook', (t) =>
  t.field({
    type: UpdateWebhookPayload,
    description: "Changes a webhook's URL, secret or events, or pauses or resumes it (ADMIN only).",
    authScopes: { admin: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: UpdateWebhookInput, required: true, description: 'The webhook and the changes.' }) },
    resolve: async (_root, { input: { id, ...changes } }, ctx) =>
      updateWebhook(ctx.prisma, ctx.app.config, actorOf(ctx.viewer), localId(id, 'Webhook'), changes),
  }),
);

const DeleteWebhookInput = builder.inputType('DeleteWebhookInput', {
  description: 'The webhook to remove.',
  fields: (t) => ({ id: t.id({ required: true, description: "The webhook's global id." }) }),
});

const DeleteWebhookPayload = builder.objectRef<{ id: number; url: string }>('DeleteWebhookPayload').implement({
  description: 'The webhook removed, with its deliveries and their log.',
  fields: (t) => ({
    deletedWebhookId: t.id({
      description: "The removed webhook's global id.",
      resolve: (p) => encodeGlobalID('Webhook', p.id),
    }),
    url: t.string({ description: 'The URL it posted to.', resolve: (p) => p.url }),
  }),
});

builder.mutationField('deleteWebhook', (t) =>
  t.field({
    type: DeleteWebhookPayload,
    description: 'Removes a webhook with its deliveries (ADMIN only); nothing more is sent to it.',
    authScopes: { admin: true },
    errors: { types: [ValidationError, NotFoundError] },
    args: { input: t.arg({ type: DeleteWebhookInput, required: true, description: 'The webhook to remove.' }) },
    resolve: (_root, { input }, ctx) => deleteWebhook(ctx.prisma, actorOf(ctx.viewer), localId(input.id, 'Webhook')),
  }),
);
