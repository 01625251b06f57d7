import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { subscribers } from './subscriptions.js';

/**
 * Newsletters: what a subscriber can get by email, and who is subscribed to which. A subscription
 * is a row (present: the reader gets it); unsubscribing deletes it.
 */

/**
 * A newsletter. status: active (listed at GET /v1/newsletters, can be chosen) | archived (hidden,
 * cannot be chosen or sent; its subscribers' rows are kept, so un-archiving restores them).
 * audience: who may receive it — `confirmed` (any confirmed subscriber) or `paid` (paid plans only).
 */
export const newsletters = sqliteTable('newsletters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  /** Null: the publication's MAIL_FROM name and address. */
  senderName: text('sender_name'),
  senderEmail: text('sender_email'),
  replyTo: text('reply_to'),
  /** Section and tag slugs whose stories feed it (digests; empty = every section). */
  sections: text('sections', { mode: 'json' }).$type<string[]>().notNull().default([]),
  tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([]),
  /** New sign-ups that choose no newsletters get the active ones with this set. */
  subscribeOnSignup: integer('subscribe_on_signup', { mode: 'boolean' }).notNull().default(false),
  audience: text('audience', { enum: ['confirmed', 'paid'] }).notNull().default('confirmed'),
  status: text('status', { enum: ['active', 'archived'] }).notNull().default('active'),
  position: integer('position').notNull().default(0),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  archivedAt: text('archived_at'),
  version: integer('version').notNull().default(1),
});

/** Who gets which newsletter. */
export const newsletterSubscriptions = sqliteTable(
  'newsletter_subscriptions',
  {
    newsletterId: integer('newsletter_id')
      .notNull()
      .references(() => newsletters.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.newsletterId, t.subscriberId] }), index('newsletter_subscriptions_subscriber_idx').on(t.subscriberId)],
);

/**
 * One story sent to one newsletter, at most once (unique newsletter + article). status: scheduled
 * (waits for the story to go live) → sending (recipients queued, in the same transaction) → sent
 * (nothing left to deliver). Audience counts are fixed when it starts.
 */
export const newsletterSends = sqliteTable(
  'newsletter_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    newsletterId: integer('newsletter_id')
      .notNull()
      .references(() => newsletters.id, { onDelete: 'cascade' }),
    articleId: integer('article_id').notNull(),
    status: text('status', { enum: ['scheduled', 'sending', 'sent'] }).notNull(),
    /** When it goes: the story's publication time. */
    scheduledFor: text('scheduled_for').notNull(),
    requestedBy: text('requested_by'),
    /** Recipients queued when it started, by audience ({ "full": n, "teaser-subscription_required": n }). */
    audiences: text('audiences', { mode: 'json' }).$type<Record<string, number>>().notNull().default({}),
    recipients: integer('recipients').notNull().default(0),
    createdAt: text('created_at').notNull(),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [uniqueIndex('newsletter_sends_unique').on(t.newsletterId, t.articleId), index('newsletter_sends_status_idx').on(t.status, t.scheduledFor)],
);

/** A send's mail, rendered once per audience (the unsubscribe link is the one per-reader part, filled in at delivery). */
export const newsletterRenditions = sqliteTable(
  'newsletter_renditions',
  {
    sendId: integer('send_id')
      .notNull()
      .references(() => newsletterSends.id, { onDelete: 'cascade' }),
    audience: text('audience').notNull(),
    subject: text('subject').notNull(),
    preheader: text('preheader').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sendId, t.audience] })],
);

/**
 * The delivery queue: one row per recipient of a send, written in the transaction that starts it.
 * status: queued → claimed (taken by the worker, not yet handed to SMTP) → sending (handed to SMTP)
 * → sent | failed (permanent) | suppressed (the address is on the suppression list) | interrupted
 * (the process died while SMTP had it: maybe delivered, never sent again).
 */
export const newsletterDeliveries = sqliteTable(
  'newsletter_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sendId: integer('send_id')
      .notNull()
      .references(() => newsletterSends.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    audience: text('audience').notNull(),
    status: text('status', { enum: ['queued', 'claimed', 'sending', 'sent', 'failed', 'suppressed', 'interrupted'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    sentAt: text('sent_at'),
  },
  (t) => [
    uniqueIndex('newsletter_deliveries_unique').on(t.sendId, t.subscriberId),
    index('newsletter_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('newsletter_deliveries_subscriber_idx').on(t.subscriberId),
  ],
);

/** Addresses never mailed again: hard bounces (SMTP 5xx at send time), complaints, or an admin's entry. */
export const mailSuppressions = sqliteTable('mail_suppressions', {
  email: text('email').primaryKey(),
  reason: text('reason', { enum: ['bounce', 'complaint', 'manual'] }).notNull(),
  detail: text('detail'),
  createdAt: text('created_at').notNull(),
});

/** The key that signs unsubscribe tokens (one row, made by the migration) unless NEWSLETTER_SECRET is set. */
export const newsletterSecrets = sqliteTable('newsletter_secrets', {
  id: integer('id').primaryKey(),
  secret: text('secret').notNull(),
});
