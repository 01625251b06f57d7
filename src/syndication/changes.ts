import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import * as schema from '../db/schema/index.js';
import { changes, webhookDeliveries, webhookEndpoints } from '../db/schema/index.js';
import type { ChangeEvent } from '../webhooks/events.js';

/**
 * The one place a change is recorded: `emitChange(tx, change)` appends it to the change feed and
 * queues a webhook delivery for every endpoint subscribed to it, in the caller's write
 * transaction. Either the change, its feed entry and its deliveries all commit, or none does.
 *
 * It is synchronous on purpose: better-sqlite3 transactions are synchronous, and the write lock
 * SQLite holds until commit is what makes the sequence numbers follow commit order.
 */
export type Tx = BaseSQLiteDatabase<'sync', unknown, typeof schema>;

export type ArticleStatus = 'draft' | 'scheduled' | 'published' | 'unpublished';

export interface ArticleChange {
  type: Exclude<ChangeEvent, 'photo.updated'>;
  article: {
    id: number;
    slug: string;
    /** The article's version after the change. */
    version: number;
    /** Status after the change (a deleted article keeps the status it had). */
    status: ArticleStatus;
    /** Null while the article has never been public: then partners do not see its changes. */
    firstPublishedAt: string | null;
    /** When readers see it (for scheduled articles: the scheduled time). */
    publishedAt?: string | null;
  };
  /** Small facts to record with the change (never article text), e.g. the correction id. */
  data?: Record<string, unknown>;
}

export interface PhotoChange {
  type: 'photo.updated';
  photo: { id: number; version: number };
  data?: Record<string, unknown>;
}

export type Change = ArticleChange | PhotoChange;

/** Whether partners and webhooks see a change: a public article, or one withdrawn from the public. */
export function isPublicChange(change: Change, occurredAt: string): boolean {
  if (change.type === 'photo.updated') return true;
  const a = change.article;
  const wasLive = a.firstPublishedAt !== null && a.firstPublishedAt <= occurredAt;
  if (change.type === 'article.deleted' || change.type === 'article.unpublished') return wasLive;
  // Published, or scheduled and its time has come (the articles feature's visibility rule).
  if (a.status !== 'published' && a.status !== 'scheduled') return false;
  return a.publishedAt ? a.publishedAt <= occurredAt : a.status === 'published';
}

/**
 * Records `change` (at `occurredAt`, an ISO timestamp from the app clock) inside the caller's
 * transaction and returns its sequence number. Call it once per change, after the write itself.
 */
export function emitChange(tx: Tx, change: Change, occurredAt: string): number {
  const visible = isPublicChange(change, occurredAt);
  const isArticle = change.type !== 'photo.updated';
  const entityId = isArticle ? (change as ArticleChange).article.id : (change as PhotoChange).photo.id;
  const row = tx
    .insert(changes)
    .values({
      event: change.type,
      entity: isArticle ? 'article' : 'photo',
      entityId,
      slug: isArticle ? (change as ArticleChange).article.slug : null,
      version: isArticle ? (change as ArticleChange).article.version : (change as PhotoChange).photo.version,
      status: isArticle ? (change.type === 'article.deleted' ? 'deleted' : (change as ArticleChange).article.status) : null,
      visible,
      data: change.data ?? {},
      occurredAt,
    })
    .returning({ seq: changes.seq })
    .get();

  // Webhooks hear only about what partners may see (no drafts, no scheduled stories).
  if (visible) {
    const endpoints = tx
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.active, true))
      .all()
      .filter((e) => e.events.includes(change.type));
    if (endpoints.length > 0) {
      tx.insert(webhookDeliveries)
        .values(
          endpoints.map((e) => ({
            endpointId: e.id,
            messageId: `msg_${row.seq}`,
            changeSeq: row.seq,
            event: change.type,
            status: 'pending' as const,
            nextAttemptAt: occurredAt,
            createdAt: occurredAt,
            data: { entity: isArticle ? 'article' : 'photo', id: entityId },
          })),
        )
        .run();
    }
  }
  return row.seq;
}

export type ChangeRow = typeof changes.$inferSelect;

export function createChangesRepository(db: Db) {
  return {
    /** Changes after `since` in sequence order; `publicOnly` leaves out drafts' and scheduled stories' changes. */
    async after(since: number, limit: number, options: { publicOnly: boolean; entities?: string[]; events?: string[] }): Promise<ChangeRow[]> {
      const filters = [gt(changes.seq, since)];
      if (options.publicOnly) filters.push(eq(changes.visible, true));
      if (options.entities?.length) filters.push(inArray(changes.entity, options.entities));
      if (options.events?.length) filters.push(inArray(changes.event, options.events));
      return db.select().from(changes).where(and(...filters)).orderBy(asc(changes.seq)).limit(limit).all();
    },
    async latestSeq(): Promise<number> {
      const row = db.$client.prepare('SELECT max(seq) AS seq FROM changes').get() as { seq: number | null };
      return row.seq ?? 0;
    },
    async bySeq(seq: number): Promise<ChangeRow | undefined> {
      return db.select().from(changes).where(eq(changes.seq, seq)).get();
    },
  };
}

/** What the articles repository has after a write (an articles row). */
export interface ArticleState {
  id: number;
  slug: string;
  version: number;
  status: ArticleStatus;
  firstPublishedAt: string | null;
  publishedAt: string | null;
  deletedAt: string | null;
}

/**
 * For the articles repository: records the change an article write made, from the revision's
 * action (create, update, publish, schedule, unpublish, delete, undelete, correction, restore) and
 * the row after the write. Call inside the write transaction.
 */
export function recordArticleChange(tx: Tx, action: string, row: ArticleState, occurredAt: string, data: Record<string, unknown> = {}): void {
  const article = {
    id: row.id,
    slug: row.slug,
    version: row.version,
    status: row.status,
    firstPublishedAt: row.firstPublishedAt,
    publishedAt: row.publishedAt,
  };
  const live = row.deletedAt === null && isPublicChange({ type: 'article.published', article }, occurredAt);
  const types: ArticleChange['type'][] =
    action === 'create'
      ? live ? ['article.created', 'article.published'] : ['article.created']
      : action === 'publish'
        ? ['article.published']
        : action === 'unpublish'
          ? ['article.unpublished']
          : action === 'delete'
            ? ['article.deleted']
            : action === 'undelete'
              ? [live ? 'article.published' : 'article.updated']
              : action === 'correction'
                ? ['article.corrected']
                : ['article.updated'];
  for (const type of types) emitChange(tx, { type, article, data: { action, ...data } }, occurredAt);
}
