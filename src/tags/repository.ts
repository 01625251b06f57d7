import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { atomic, single } from '../db/transaction.js';
import { purgeEntityWrite } from '../db/purgeQueue.js';
import { reindexArticlesWithTag } from '../search/repository.js';
import { articleTags, articles, tags } from '../db/schema/index.js';
import { visibleCondition } from '../articles/repository.js';

export type TagRow = typeof tags.$inferSelect;

/** `clock` times the purges it queues (the app's clock, so tests that move time see them at that time). */
export function createTagsRepository(db: Db, clock: Clock = systemClock) {
  return {
    async page(limit: number, after: { name: string; id: number } | null): Promise<TagRow[]> {
      const keyset = after ? or(gt(tags.name, after.name), and(eq(tags.name, after.name), gt(tags.id, after.id))) : undefined;
      return db.select().from(tags).where(keyset).orderBy(asc(tags.name), asc(tags.id)).limit(limit).all();
    },
    async count(): Promise<number> {
      return db.$count(tags);
    },
    async findBySlug(slug: string): Promise<TagRow | undefined> {
      return db.select().from(tags).where(eq(tags.slug, slug)).get();
    },
    /** Articles visible at `at` per tag, for a page of tags (one query). */
    async visibleArticleCounts(ids: number[], at: string): Promise<Map<number, number>> {
      if (ids.length === 0) return new Map();
      const rows = db
        .select({ id: articleTags.tagId, n: sql<number>`count(*)` })
        .from(articleTags)
        .innerJoin(articles, eq(articles.id, articleTags.articleId))
        .where(and(inArray(articleTags.tagId, ids), visibleCondition(at)))
        .groupBy(articleTags.tagId)
        .all();
      return new Map(rows.map((r) => [r.id, Number(r.n)]));
    },
    /** Articles of any state (drafts and deleted included) using the tag. */
    async usage(id: number): Promise<number> {
      return db.$count(articleTags, eq(articleTags.tagId, id));
    },
    /** ConflictError when the slug is taken. */
    async insert(row: typeof tags.$inferInsert): Promise<TagRow> {
      return atomic(db, (tx) => {
        const created = tx.insert(tags).values(row).returning().get();
        purgeEntityWrite(tx, 'tag', created.id, 'create', clock.now().toISOString()); // the CDN: its collection
        return created;
      });
    },
    /**
     * A rename re-indexes the articles that carry the name, in the same transaction (search).
     * Only if the stored version is still `expectedVersion`: undefined when it moved on. ConflictError
     * when the slug is taken.
     */
    async update(id: number, expectedVersion: number, patch: Partial<typeof tags.$inferInsert>): Promise<TagRow | undefined> {
      return atomic(db, (tx) => {
        const row = tx
          .update(tags)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(tags.id, id), eq(tags.version, expectedVersion)))
          .returning()
          .get();
        if (row && patch.name !== undefined) reindexArticlesWithTag(tx, id);
        if (row) purgeEntityWrite(tx, 'tag', id, 'update', clock.now().toISOString()); // the CDN, same transaction
        return row;
      });
    },
    /** ReferenceViolationError when an article gained the tag meanwhile (see `usage`). */
    async delete(id: number): Promise<void> {
      await atomic(db, (tx) => {
        purgeEntityWrite(tx, 'tag', id, 'delete', clock.now().toISOString()); // the CDN, hard, same transaction
        tx.delete(tags).where(eq(tags.id, id)).run();
      });
    },
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
