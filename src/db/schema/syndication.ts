import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { apiKeys } from './apiKeys.js';

/**
 * Syndication: partner licences on API keys, per-key feed tokens, and the change feed.
 * Timestamps are ISO 8601 UTC text.
 */

/** The licence of a partner key (at most one per key). A key without a row reads as an anonymous reader. */
export const keyLicences = sqliteTable('key_licences', {
  keyId: text('key_id').primaryKey().references(() => apiKeys.id, { onDelete: 'cascade' }),
  /** Section slugs the key may take (JSON array); null = every section. */
  sections: text('sections', { mode: 'json' }).$type<string[] | null>(),
  /** 1 when the licence includes the full text of gated articles (in its sections). */
  fullText: integer('full_text', { mode: 'boolean' }).notNull().default(false),
  /** Echoed as `usageTerms` into every payload the key receives. */
  usageTerms: text('usage_terms'),
  /** Requests per rate-limit window for this key; null = RATE_LIMIT_KEY_MAX. */
  rateLimit: integer('rate_limit'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Feed tokens: for feed readers that cannot send headers (`?token=ndf_<id>_<secret>` on feed URLs
 * only). Only the SHA-256 of the secret is stored. Revoking the key disables its feed tokens too.
 */
export const feedTokens = sqliteTable(
  'feed_tokens',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id').notNull().references(() => apiKeys.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('feed_tokens_key_idx').on(t.keyId)],
);

/**
 * The change feed: one row per change, written in the same transaction as the change. `seq` is an
 * AUTOINCREMENT rowid: SQLite has one writer at a time and holds the write lock until commit, so
 * sequence numbers are assigned in commit order and a reader never sees seq N+1 before seq N.
 */
export const changes = sqliteTable(
  'changes',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** e.g. article.published, article.deleted, photo.updated */
    event: text('event').notNull(),
    /** article | photo */
    entity: text('entity').notNull(),
    entityId: integer('entity_id').notNull(),
    slug: text('slug'),
    /** The entity's version after the change, when it has one. */
    version: integer('version'),
    /** Workflow status after the change (articles): draft, scheduled, published, unpublished, deleted. */
    status: text('status'),
    /** 1 when partners may see this change (the entity is public, or the change withdraws it). */
    visible: integer('visible', { mode: 'boolean' }).notNull().default(true),
    /** Small facts about the change (never article text). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    occurredAt: text('occurred_at').notNull(),
  },
  (t) => [index('changes_entity_idx').on(t.entity, t.entityId, t.seq)],
);
