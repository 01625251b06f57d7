import { z } from 'zod';
import { IsoDateTime, multiLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';
import { WEBHOOK_EVENTS } from './events.js';

const HttpUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2000)
  .describe('Where deliveries are POSTed (http or https)');

export const WebhookEndpoint = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    keyId: z.string().nullable().describe('Partner key whose licence governs the payloads; null = as an anonymous reader'),
    active: z.boolean(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
  })
  .meta({ id: 'WebhookEndpoint', description: 'A registered webhook endpoint (its secret is shown only at creation and rotation)' });

export const WebhookEndpointCreate = z
  .strictObject({
    url: HttpUrl,
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
    description: multiLine(500).nullable().optional(),
    keyId: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .describe('A syndication key: its licence decides whether payloads carry the full text of gated articles'),
  })
  .meta({ id: 'WebhookEndpointCreate' });

export const WebhookEndpointUpdate = z
  .strictObject({
    url: HttpUrl.optional(),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).optional(),
    description: multiLine(500).nullable().optional(),
    keyId: z.string().max(100).nullable().optional(),
    active: z.boolean().optional().describe('false pauses deliveries (new events are not queued while paused)'),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'WebhookEndpointUpdate' });

export const WebhookEndpointCreated = z
  .object({
    endpoint: WebhookEndpoint,
    secret: z.string().describe('whsec_… signing secret (Standard Webhooks); shown only now'),
  })
  .meta({ id: 'WebhookEndpointCreated' });

export const WebhookEndpointList = z
  .object({ data: z.array(WebhookEndpoint), meta: z.object({ nextCursor: z.null(), total: z.number().int() }) })
  .meta({ id: 'WebhookEndpointList' });

export const WebhookDelivery = z
  .object({
    id: z.number().int(),
    endpointId: z.number().int(),
    messageId: z.string().describe('The webhook-id header: the same on retries and redeliveries'),
    event: z.string(),
    changeSeq: z.number().int().nullable().describe('The change-feed sequence number of the event'),
    status: z
      .enum(['pending', 'delivered', 'failed', 'skipped'])
      .describe("skipped: never sent, because the endpoint's key may not see what changed (a photo shown to it by no article it may read)"),
    attempts: z.number().int(),
    nextAttemptAt: IsoDateTime.nullable().describe('When the next attempt is due (pending only)'),
    lastAttemptAt: IsoDateTime.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: IsoDateTime.nullable(),
    redeliveryOf: z.number().int().nullable(),
    createdAt: IsoDateTime,
    payload: z.string().nullable().optional().describe('The exact signed body (single delivery view only; null before the first attempt)'),
  })
  .meta({ id: 'WebhookDelivery', description: 'One message to one endpoint, with its attempts so far' });

export const WebhookDeliveryList = z
  .object({ data: z.array(WebhookDelivery), meta: ListMeta })
  .meta({ id: 'WebhookDeliveryList' });

export const EndpointParams = z.strictObject({ id: z.coerce.number().int().min(1).describe('Endpoint id') });
export const DeliveryParams = z.strictObject({
  id: z.coerce.number().int().min(1).describe('Endpoint id'),
  deliveryId: z.coerce.number().int().min(1).describe('Delivery id'),
});
export const DeliveryListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']).optional().describe('Only deliveries in this state'),
});
