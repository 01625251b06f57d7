import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Subscription access: plans, subscribers and their subscription, one-time mail tokens,
 * sessions, metered reads, the mail outbox and processed payment events.
 * Secrets (mail tokens, session tokens) are never stored, only their SHA-256.
 */

/** What a reader can buy (or get for free). Prices are in the currency's minor unit (cents). */
export const plans = sqliteTable('plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  priceCents: integer('price_cents').notNull().default(0),
  currency: text('currency').notNull().default('EUR'),
  interval: text('interval', { enum: ['month', 'year', 'none'] }).notNull().default('none'),
  /** Access levels the plan opens: `registered`, `subscribers`. */
  levels: text('levels', { mode: 'json' }).$type<string[]>().notNull(),
  archive: integer('archive', { mode: 'boolean' }).notNull().default(false),
  /** Section slugs gated articles are open in; null = all sections. */
  sections: text('sections', { mode: 'json' }).$type<string[] | null>(),
  /** Readers on this plan get METER_FREE_ARTICLES gated articles a month beyond what it opens. */
  metered: integer('metered', { mode: 'boolean' }).notNull().default(false),
  /** Stripe price id, to recognise the plan in subscription events. */
  stripePriceId: text('stripe_price_id').unique(),
  /** Offered to readers (public list, paywalls, sign-up). Retired plans keep their subscribers. */
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  position: integer('position').notNull().default(0),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
});

/**
 * A reader known by email. status: pending (not confirmed yet) → active (confirmed) →
 * cancelled (closed their membership) | erased (personal data removed; the row is a tombstone).
 */
export const subscribers = sqliteTable(
  'subscribers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Normalised (trimmed, lower-cased, IDN domain in punycode); null once erased. */
    email: text('email').unique(),
    name: text('name'),
    status: text('status', { enum: ['pending', 'active', 'cancelled', 'erased'] }).notNull().default('pending'),
    /** The plan chosen at sign-up, applied on confirmation. */
    requestedPlanId: integer('requested_plan_id').references(() => plans.id, { onDelete: 'set null' }),
    stripeCustomerId: text('stripe_customer_id').unique(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    confirmedAt: text('confirmed_at'),
    cancelledAt: text('cancelled_at'),
    erasedAt: text('erased_at'),
  },
  (t) => [index('subscribers_created_idx').on(t.createdAt, t.id), index('subscribers_status_idx').on(t.status, t.createdAt, t.id)],
);

/**
 * A subscriber's current subscription (one row each, changed in place). status: active |
 * pending_payment (a paid plan chosen, not paid yet) | past_due (a payment failed; access kept
 * until the provider gives up) | cancelled. Entitlements come from the plan while active or
 * past_due (and before currentPeriodEnd for hand-granted ones), otherwise from the free plan.
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .unique()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id),
    status: text('status', { enum: ['active', 'pending_payment', 'past_due', 'cancelled'] }).notNull(),
    /** free | stripe | admin: who manages it. */
    source: text('source', { enum: ['free', 'stripe', 'admin'] }).notNull(),
    stripeSubscriptionId: text('stripe_subscription_id').unique(),
    currentPeriodEnd: text('current_period_end'),
    cancelAtPeriodEnd: integer('cancel_at_period_end', { mode: 'boolean' }).notNull().default(false),
    startedAt: text('started_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    endedAt: text('ended_at'),
  },
  (t) => [index('subscriptions_plan_idx').on(t.planId, t.status)],
);

/** One-time tokens sent by mail: confirmation and sign-in. Single-use, expiring. */
export const authTokens = sqliteTable(
  'auth_tokens',
  {
    id: text('id').primaryKey(),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['confirm', 'sign_in'] }).notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [index('auth_tokens_subscriber_idx').on(t.subscriberId, t.purpose, t.createdAt)],
);

/** Bearer sessions of subscribers (`nds_<id>_<secret>`). Expiring, revocable. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('sessions_subscriber_idx').on(t.subscriberId)],
);

/** Gated articles a metered reader opened, once per article per calendar month ('YYYY-MM', UTC). */
export const meteredReads = sqliteTable(
  'metered_reads',
  {
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    articleId: integer('article_id').notNull(),
    period: text('period').notNull(),
    readAt: text('read_at').notNull(),
  },
  (t) => [uniqueIndex('metered_reads_unique').on(t.subscriberId, t.period, t.articleId)],
);

/**
 * Every mail the system sends. Without SMTP_URL this table is the mailbox (admins read it at
 * GET /v1/admin/outbox); with SMTP the body is dropped once delivered.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriberId: integer('subscriber_id').references(() => subscribers.id, { onDelete: 'cascade' }),
    toAddress: text('to_address').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body'),
    htmlBody: text('html_body'),
    status: text('status', { enum: ['outbox', 'queued', 'sent', 'failed'] }).notNull(),
    error: text('error'),
    createdAt: text('created_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [index('mail_outbox_to_idx').on(t.toAddress, t.id)],
);

/** Payment provider events already applied: a redelivered event is acknowledged, not re-applied. */
export const paymentEvents = sqliteTable('payment_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  outcome: text('outcome').notNull(),
  subscriberId: integer('subscriber_id').references(() => subscribers.id, { onDelete: 'set null' }),
  receivedAt: text('received_at').notNull(),
});
