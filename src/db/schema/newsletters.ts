import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
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
