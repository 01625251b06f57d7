import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, notFound } from '../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { KeysService } from '../keys/service.js';
import { createWebhooksRepository, type DeliveryRow, type DeliveryStatus, type EndpointRow } from './repository.js';
import type { WebhookEvent } from './events.js';
import { newWebhookSecret } from './signing.js';
import { createTargetGuard, type TargetGuard } from './targets.js';

const DeliveryCursor = z.tuple([z.number().int()]);

export const toEndpoint = (r: EndpointRow) => ({
  id: r.id,
  url: r.url,
  description: r.description ?? null,
  events: r.events as WebhookEvent[],
  keyId: r.keyId ?? null,
  active: r.active,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toDelivery = (r: DeliveryRow, withPayload = false) => ({
  id: r.id,
  endpointId: r.endpointId,
  messageId: r.messageId,
  event: r.event,
  changeSeq: r.changeSeq ?? null,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt : null,
  lastAttemptAt: r.lastAttemptAt,
  lastStatusCode: r.lastStatusCode,
  lastError: r.lastError,
  deliveredAt: r.deliveredAt,
  redeliveryOf: r.redeliveryOf,
  createdAt: r.createdAt,
  ...(withPayload ? { payload: r.payload } : {}),
});

export interface EndpointInput {
  url: string;
  events: WebhookEvent[];
  description?: string | null;
  keyId?: string | null;
}

/** Admin side of webhooks: endpoints, their delivery log, redelivery. */
export function createWebhooksService(
  db: Db,
  clock: Clock,
  keys: KeysService,
  onQueued: () => void = () => undefined,
  guard: TargetGuard = createTargetGuard(false),
) {
  const repo = createWebhooksRepository(db);

  /** Loopback, private, link-local, metadata… targets are refused here and again at every delivery (targets.ts). */
  async function checkTarget(url: string): Promise<void> {
    const refusal = await guard.check(url);
    if (refusal) {
      throw new HttpError(422, `url: ${refusal.message}`, {
        errors: [{ pointer: '/body/url', detail: `${refusal.range} address refused (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)` }],
      });
    }
  }

  async function endpointOr404(id: number): Promise<EndpointRow> {
    const row = await repo.endpoint(id);
    if (!row) throw notFound(`Webhook endpoint ${id}`);
    return row;
  }

  /** A partner key must exist, be active and carry the syndication scope. */
  async function checkKey(keyId: string | null | undefined): Promise<void> {
    if (!keyId) return;
    const key = await keys.get(keyId);
    const problem = !key ? 'no such key' : key.revokedAt ? 'the key is revoked' : !key.scopes.includes('syndication') ? 'the key lacks the syndication scope' : null;
    if (problem) throw new HttpError(422, `keyId: ${problem}`, { errors: [{ pointer: '/body/keyId', detail: problem }] });
  }

  return {
    repo,

    async create(input: EndpointInput) {
      await checkTarget(input.url);
      await checkKey(input.keyId);
      const now = clock.now().toISOString();
      const secret = newWebhookSecret();
      const row = await repo.insertEndpoint({
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description ?? null,
        keyId: input.keyId ?? null,
        secret,
        createdAt: now,
        updatedAt: now,
      });
      return { endpoint: toEndpoint(row), secret };
    },

    async list() {
      const data = (await repo.endpoints()).map(toEndpoint);
      return { data, meta: { nextCursor: null, total: data.length } };
    },

    async get(id: number) {
      return toEndpoint(await endpointOr404(id));
    },

    async update(id: number, patch: Partial<EndpointInput> & { active?: boolean }) {
      const current = await endpointOr404(id);
      if (patch.url !== undefined) await checkTarget(patch.url);
      if (patch.keyId !== undefined) await checkKey(patch.keyId);
      const now = clock.now().toISOString();
      const row = await repo.updateEndpoint(id, {
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.keyId !== undefined ? { keyId: patch.keyId } : {}),
        ...(patch.active !== undefined
          ? { active: patch.active, disabledAt: patch.active ? null : (current.disabledAt ?? now) }
          : {}),
        updatedAt: now,
      });
      return toEndpoint(row!);
    },

    async remove(id: number): Promise<void> {
      if (!(await repo.deleteEndpoint(id))) throw notFound(`Webhook endpoint ${id}`);
    },

    async rotateSecret(id: number) {
      await endpointOr404(id);
      const secret = newWebhookSecret();
      const row = await repo.updateEndpoint(id, { secret, updatedAt: clock.now().toISOString() });
      return { endpoint: toEndpoint(row!), secret };
    },

    async deliveries(endpointId: number, limit: number, cursor: string | undefined, status?: DeliveryStatus) {
      await endpointOr404(endpointId);
      const before = cursor ? decodeCursor(cursor, DeliveryCursor)[0] : null;
      const rows = await repo.deliveries(endpointId, limit + 1, before, status);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map((r) => toDelivery(r)),
        meta: {
          nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null,
          total: await repo.countDeliveries(endpointId, status),
        },
      };
    },

    async delivery(endpointId: number, id: number) {
      const row = await repo.delivery(endpointId, id);
      if (!row) throw notFound(`Delivery ${id} of webhook endpoint ${endpointId}`);
      return toDelivery(row, true);
    },

    /**
     * Sends a delivery again as a new delivery of the same message (same webhook-id and body, so a
     * receiver that already processed it can tell), due at once.
     */
    async redeliver(endpointId: number, id: number) {
      const endpoint = await endpointOr404(endpointId);
      if (!endpoint.active) throw new HttpError(409, 'The endpoint is paused; activate it first');
      const original = await repo.delivery(endpointId, id);
      if (!original) throw notFound(`Delivery ${id} of webhook endpoint ${endpointId}`);
      const now = clock.now().toISOString();
      const row = await repo.insertDelivery({
        endpointId,
        messageId: original.messageId,
        changeSeq: original.changeSeq,
        event: original.event,
        payload: original.payload,
        status: 'pending',
        nextAttemptAt: now,
        redeliveryOf: original.id,
        createdAt: now,
        data: original.data,
      });
      onQueued();
      return toDelivery(row, true);
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
