import { and, desc, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { articles, importItems, importRedirects, importRuns } from '../db/schema/index.js';

export type ImportItemRow = typeof importItems.$inferSelect;
export type ImportRunRow = typeof importRuns.$inferSelect;

/**
 * The importers' own tables (src/db/schema/imports.ts). Every write is one atomic statement or
 * one transaction; nothing here touches another feature's tables (articles are written through
 * the articles service; this only reads an article's slug to answer a redirect).
 */
export function createImportsRepository(db: Db) {
  return {
    async item(source: string, kind: string, sourceId: string): Promise<ImportItemRow | undefined> {
      return db
        .select()
        .from(importItems)
        .where(and(eq(importItems.source, source), eq(importItems.kind, kind), eq(importItems.sourceId, sourceId)))
        .get();
    },

    /** Records (or moves on) what a source item became, with the digest of what was written. */
    async recordItem(row: { source: string; kind: string; sourceId: string; targetId: string; digest: string; at: string }): Promise<void> {
      db.insert(importItems)
        .values({ source: row.source, kind: row.kind, sourceId: row.sourceId, targetId: row.targetId, digest: row.digest, importedAt: row.at, updatedAt: row.at })
        .onConflictDoUpdate({
          target: [importItems.source, importItems.kind, importItems.sourceId],
          set: { targetId: row.targetId, digest: row.digest, updatedAt: row.at },
        })
        .run();
    },

    /** The import item that became this Newsdesk row, if any. */
    async itemForTarget(kind: string, targetId: string): Promise<ImportItemRow | undefined> {
      return db.select().from(importItems).where(and(eq(importItems.kind, kind), eq(importItems.targetId, targetId))).get();
    },

    /** An imported article's bookkeeping and its old paths, in one transaction. */
    async recordArticle(row: { source: string; sourceId: string; articleId: number; digest: string; paths: string[]; at: string }): Promise<void> {
      db.transaction((tx) => {
        tx.insert(importItems)
          .values({ source: row.source, kind: 'article', sourceId: row.sourceId, targetId: String(row.articleId), digest: row.digest, importedAt: row.at, updatedAt: row.at })
          .onConflictDoUpdate({
            target: [importItems.source, importItems.kind, importItems.sourceId],
            set: { targetId: String(row.articleId), digest: row.digest, updatedAt: row.at },
          })
          .run();
        for (const path of row.paths) {
          tx.insert(importRedirects)
            .values({ path, articleId: row.articleId, source: row.source, createdAt: row.at })
            .onConflictDoUpdate({ target: importRedirects.path, set: { articleId: row.articleId, source: row.source } })
            .run();
        }
      });
    },

    /** The current slug of an article (read only: articles are written by the articles service). */
    async articleSlug(id: number): Promise<string | undefined> {
      return db.select({ slug: articles.slug }).from(articles).where(eq(articles.id, id)).get()?.slug;
    },

    /** The last run of this source and input that never finished (killed), if any. */
    async unfinishedRun(source: string, input: string): Promise<ImportRunRow | undefined> {
      return db
        .select()
        .from(importRuns)
        .where(and(eq(importRuns.source, source), eq(importRuns.input, input), isNull(importRuns.finishedAt)))
        .orderBy(desc(importRuns.id))
        .get();
    },

    async startRun(source: string, input: string, at: string): Promise<number> {
      return db.insert(importRuns).values({ source, input, startedAt: at }).returning({ id: importRuns.id }).get().id;
    },

    async progress(id: number, processed: number): Promise<void> {
      db.update(importRuns).set({ processed }).where(eq(importRuns.id, id)).run();
    },

    /** Closes a run, and any earlier unfinished run of the same input it resumed. */
    async finishRun(id: number, source: string, input: string, at: string, processed: number, summary: Record<string, unknown>): Promise<void> {
      db.transaction((tx) => {
        tx.update(importRuns).set({ finishedAt: at, processed, summary }).where(eq(importRuns.id, id)).run();
        tx.update(importRuns)
          .set({ finishedAt: at, summary: { resumedBy: id } })
          .where(and(eq(importRuns.source, source), eq(importRuns.input, input), isNull(importRuns.finishedAt)))
          .run();
      });
    },

    /** Points an old path at an article (an existing path moves to it: the newest import wins). */
    async recordRedirect(path: string, articleId: number, source: string, at: string): Promise<void> {
      db.insert(importRedirects)
        .values({ path, articleId, source, createdAt: at })
        .onConflictDoUpdate({ target: importRedirects.path, set: { articleId, source } })
        .run();
    },

    /** The current slug of the article an old path points to, when readers can see it at `now`; else undefined. */
    async redirectTarget(path: string, now: string): Promise<string | undefined> {
      return db
        .select({ slug: articles.slug })
        .from(importRedirects)
        .innerJoin(articles, eq(articles.id, importRedirects.articleId))
        .where(
          and(
            eq(importRedirects.path, path),
            inArray(articles.status, ['published', 'scheduled']),
            lte(articles.publishedAt, now),
            isNull(articles.deletedAt),
          ),
        )
        .get()?.slug;
    },

    async redirects(): Promise<{ path: string; articleId: number; source: string; createdAt: string }[]> {
      return db.select().from(importRedirects).orderBy(importRedirects.path).all();
    },
  };
}

export type ImportsRepository = ReturnType<typeof createImportsRepository>;
