import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './apiKeys.js';
import { changes } from './syndication.js';

/** Webhook endpoints registered by admins, and the durable delivery queue (one row per message per endpoint). */
export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  description: text('description'),
  /** Subscribed event names (JSON array). */
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  /** `whsec_<base64>`: needed in clear to sign; never returned after creation. */
  secret: text('secret').notNull(),
  /** The partner key whose licence governs payloads; null = payloads as an anonymous reader sees them. */
  keyId: text('key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  disabledAt: text('disabled_at'),
});

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    endpointId: integer('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    /** The `webhook-id` header: the same on every retry and on a redelivery, so receivers can de-duplicate. */
    messageId: text('message_id').notNull(),
    changeSeq: integer('change_seq').references(() => changes.seq),
    event: text('event').notNull(),
    /** The JSON body; rendered at the first attempt (access policy applied) and then frozen. */
    payload: text('payload'),
    /** pending | delivered | failed (gave up) | skipped (not sent: the endpoint's key may not see what changed) */
    status: text('status', { enum: ['pending', 'delivered', 'failed', 'skipped'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due; while an attempt is in flight, the lease expiry. Null when finished. */
    nextAttemptAt: text('next_attempt_at'),
    lastAttemptAt: text('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: text('delivered_at'),
    /** Set on a redelivery: the delivery it repeats. */
    redeliveryOf: integer('redelivery_of'),
    createdAt: text('created_at').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
  ],
);
