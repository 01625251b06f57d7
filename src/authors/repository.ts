import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { atomic, single } from '../db/transaction.js';
import { purgeEntityWrite } from '../db/purgeQueue.js';
import { reindexArticlesByAuthor } from '../search/repository.js';
import { articleAuthors, articles, authors } from '../db/schema/index.js';
import { visibleCondition } from '../articles/repository.js';

export type AuthorRow = typeof authors.$inferSelect;

/** `clock` times the purges it queues (the app's clock, so tests that move time see them at that time). */
export function createAuthorsRepository(db: Db, clock: Clock = systemClock) {
  return {
    async page(limit: number, after: { name: string; id: number } | null): Promise<AuthorRow[]> {
      const keyset = after ? or(gt(authors.name, after.name), and(eq(authors.name, after.name), gt(authors.id, after.id))) : undefined;
      return db.select().from(authors).where(keyset).orderBy(asc(authors.name), asc(authors.id)).limit(limit).all();
    },
    async count(): Promise<number> {
      return db.$count(authors);
    },
    async findBySlug(slug: string): Promise<AuthorRow | undefined> {
      return db.select().from(authors).where(eq(authors.slug, slug)).get();
    },
    /** Articles visible at `at` per author, for a page of authors (one query). */
    async visibleArticleCounts(ids: number[], at: string): Promise<Map<number, number>> {
      if (ids.length === 0) return new Map();
      const rows = db
        .select({ id: articleAuthors.authorId, n: sql<number>`count(*)` })
        .from(articleAuthors)
        .innerJoin(articles, eq(articles.id, articleAuthors.articleId))
        .where(and(inArray(articleAuthors.authorId, ids), visibleCondition(at)))
        .groupBy(articleAuthors.authorId)
        .all();
      return new Map(rows.map((r) => [r.id, Number(r.n)]));
    },
    /** Bylines of any article (drafts and deleted included). */
    async usage(id: number): Promise<number> {
      return db.$count(articleAuthors, eq(articleAuthors.authorId, id));
    },
    /** ConflictError when the slug is taken. */
    async insert(row: typeof authors.$inferInsert): Promise<AuthorRow> {
      return atomic(db, (tx) => {
        const created = tx.insert(authors).values(row).returning().get();
        purgeEntityWrite(tx, 'author', created.id, 'create', clock.now().toISOString()); // the CDN: its collection
        return created;
      });
    },
    /**
     * A rename re-indexes the articles that carry the name, in the same transaction (search).
     * Only if the stored version is still `expectedVersion`: undefined when it moved on. ConflictError
     * when the slug is taken.
     */
    async update(id: number, expectedVersion: number, patch: Partial<typeof authors.$inferInsert>): Promise<AuthorRow | undefined> {
      return atomic(db, (tx) => {
        const row = tx
          .update(authors)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(authors.id, id), eq(authors.version, expectedVersion)))
          .returning()
          .get();
        if (row && patch.name !== undefined) reindexArticlesByAuthor(tx, id);
        if (row) purgeEntityWrite(tx, 'author', id, 'update', clock.now().toISOString()); // the CDN, same transaction
        return row;
      });
    },
    /** ReferenceViolationError when an article gained the author meanwhile (see `usage`). */
    async delete(id: number): Promise<void> {
      await atomic(db, (tx) => {
        purgeEntityWrite(tx, 'author', id, 'delete', clock.now().toISOString()); // the CDN, hard, same transaction
        tx.delete(authors).where(eq(authors.id, id)).run();
      });
    },
  };
}

export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>;
