import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { GrantScope } from '../access/policy.js';
import { grantedCondition, visibleCondition } from '../articles/repository.js';
import type { Db } from '../db/client.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { atomic } from '../db/transaction.js';
import { purgePhotoWrite } from '../db/purgeQueue.js';
import { articles, authors, photos, searchPhotoRefs } from '../db/schema/index.js';
import { reindexArticlesShowingPhoto } from '../search/repository.js';
import { emitChange } from '../syndication/changes.js';

export type PhotoRow = typeof photos.$inferSelect;
export type NewPhotoRow = typeof photos.$inferInsert;

export interface PhotoFilter {
  q?: string;
  /** Upload time (created_at), ISO. */
  from?: string;
  to?: string;
  /** Date taken (taken_at), ISO; photos without one never match. */
  takenFrom?: string;
  takenTo?: string;
}

/** An article that keeps a photo in use (published or scheduled, not deleted). */
export interface PhotoUse {
  id: number;
  slug: string;
  status: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `clock` times the purges it queues (the app's clock, so tests that move time see them at that time). */
export function createPhotosRepository(db: Db, clock: Clock = systemClock) {
  // Prepared on first use: every article render embeds its photos through findByIds.
  const prepareByIds = () => db.select().from(photos).where(inArray(photos.id, sql`(SELECT value FROM json_each(${sql.placeholder('ids')}))`)).prepare();
  let byIds: ReturnType<typeof prepareByIds> | undefined;
  /**
   * A photo every reader may see at `at`: shown to all readers of an article visible then (its
   * featured photo or an image block in its teaser, through search_photo_refs.in_teaser, which
   * every article write keeps in step in its own transaction) or an author's portrait. One
   * statement on primary keys and indexes (the rendition path asks it on every request), and a
   * question on time, like the article lists: a scheduled story's photos appear when the story
   * does, with no write.
   */
  const prepareShown = () =>
    db
      .select()
      .from(photos)
      .where(
        and(
          eq(photos.id, sql.placeholder('id')),
          or(
            sql`EXISTS (SELECT 1 FROM ${searchPhotoRefs} JOIN ${articles} ON ${articles.id} = ${searchPhotoRefs.articleId}
                 WHERE ${searchPhotoRefs.photoId} = ${photos.id} AND ${searchPhotoRefs.inTeaser} = 1
                   AND ${visibleCondition(sql.placeholder('at') as unknown as string)})`,
            sql`EXISTS (SELECT 1 FROM ${authors} WHERE ${authors.photoId} = ${photos.id})`,
          ),
        ),
      )
      .prepare();
  let shown: ReturnType<typeof prepareShown> | undefined;
  function where(filter: PhotoFilter, after: { createdAt: string; id: number } | null): SQL | undefined {
    const conditions: (SQL | undefined)[] = [];
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q)}%`;
      conditions.push(
        or(
          sql`${photos.caption} LIKE ${pattern} ESCAPE '\\'`,
          sql`${photos.headline} LIKE ${pattern} ESCAPE '\\'`,
          sql`${photos.credit} LIKE ${pattern} ESCAPE '\\'`,
        ),
      );
    }
    if (filter.from) conditions.push(gte(photos.createdAt, filter.from));
    if (filter.to) conditions.push(lt(photos.createdAt, filter.to));
    if (filter.takenFrom) conditions.push(gte(photos.takenAt, filter.takenFrom));
    if (filter.takenTo) conditions.push(lt(photos.takenAt, filter.takenTo));
    if (after) {
      conditions.push(or(lt(photos.createdAt, after.createdAt), and(eq(photos.createdAt, after.createdAt), lt(photos.id, after.id))));
    }
    return conditions.length > 0 ? and(...conditions) : undefined;
  }

  return {
    /** Newest first, keyset on (created_at, id). */
    async page(filter: PhotoFilter, limit: number, after: { createdAt: string; id: number } | null): Promise<PhotoRow[]> {
      return db.select().from(photos).where(where(filter, after)).orderBy(desc(photos.createdAt), desc(photos.id)).limit(limit).all();
    },
    async count(filter: PhotoFilter): Promise<number> {
      return db.$count(photos, where(filter, null));
    },
    async findById(id: number): Promise<PhotoRow | undefined> {
      return db.select().from(photos).where(eq(photos.id, id)).get();
    },
    /** The photo if readers may see it at `at` (see prepareShown); undefined when unknown or not shown. */
    async findShown(id: number, at: string): Promise<PhotoRow | undefined> {
      shown ??= prepareShown();
      return shown.get({ id, at });
    },
    /**
     * The photo if an article visible at `at` shows it anywhere (past its paywall break too) and
     * the caller's grant scope (access/policy.ts fullTextScope; `cutoff` its archiveCutoff) covers
     * that article: the caller may read it in full.
     */
    async findShownInFull(id: number, at: string, scope: GrantScope, cutoff: string | null): Promise<PhotoRow | undefined> {
      const granted = grantedCondition(scope, cutoff);
      return db
        .select()
        .from(photos)
        .where(
          and(
            eq(photos.id, id),
            sql`EXISTS (SELECT 1 FROM ${searchPhotoRefs} JOIN ${articles} ON ${articles.id} = ${searchPhotoRefs.articleId}
                 WHERE ${searchPhotoRefs.photoId} = ${photos.id} AND ${visibleCondition(at)}${granted ? sql` AND ${granted} = 1` : sql``})`,
          ),
        )
        .get();
    },
    async findBySha(sha256: string): Promise<PhotoRow | undefined> {
      return db.select().from(photos).where(eq(photos.sha256, sha256)).get();
    },
    async findByIds(ids: number[]): Promise<PhotoRow[]> {
      if (ids.length === 0) return [];
      byIds ??= prepareByIds();
      return byIds.all({ ids: JSON.stringify(ids) });
    },
    /**
     * Inserts the row and, inside the same transaction, runs `placeFile` (which moves the original
     * into place). If either fails nothing is committed; the caller removes a placed file when the
     * commit itself fails. ConflictError when a photo with the same bytes (sha256) was committed
     * first: the file is then not placed. A crash after the file is placed and before the commit
     * leaves a file no row names, which the same bytes uploaded again reuse.
     */
    async insertWithFile(row: NewPhotoRow, placeFile: () => void): Promise<PhotoRow> {
      return atomic(db, (tx) => {
        const inserted = tx.insert(photos).values(row).returning().get();
        placeFile();
        return inserted;
      });
    },
    /**
     * Updates only if the stored version is still `expectedVersion`; undefined when it moved on.
     * A caption edit re-indexes the articles showing the photo, in the same transaction (search).
     */
    async update(id: number, expectedVersion: number, patch: Partial<NewPhotoRow>): Promise<PhotoRow | undefined> {
      return atomic(db, (tx) => {
        const row = tx
          .update(photos)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(photos.id, id), eq(photos.version, expectedVersion)))
          .returning()
          .get();
        if (row && patch.caption !== undefined) reindexArticlesShowingPhoto(tx, id);
        // The change feed and photo.updated webhooks, in the same transaction.
        if (row) emitChange(tx, { type: 'photo.updated', photo: { id, version: row.version } }, row.updatedAt);
        if (row) purgePhotoWrite(tx, id, 'update', row.updatedAt); // the CDN: the photo and every answer showing it
        return row;
      });
    },
    /** The row and its search-index traces, together. */
    async delete(id: number): Promise<void> {
      await atomic(db, (tx) => {
        purgePhotoWrite(tx, id, 'delete', clock.now().toISOString()); // hard: never served again
        tx.delete(photos).where(eq(photos.id, id)).run();
        reindexArticlesShowingPhoto(tx, id); // its caption leaves the search index
      });
    },
    /**
     * Published or scheduled (not deleted) articles that show the photo: as featured photo or in an
     * image block of the body (`{"type":"image","photoId":N}`). Empty before the articles feature
     * exists.
     */
    async usedBy(photoId: number, limit = 5): Promise<PhotoUse[]> {
      const client = db.$client;
      const hasArticles = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'").get();
      if (!hasArticles) return [];
      return client
        .prepare(
          `SELECT a.id, a.slug, a.status FROM articles a
            WHERE a.status IN ('published', 'scheduled') AND a.deleted_at IS NULL
              AND (a.featured_photo_id = @id
                   OR (instr(a.body, '"photoId"') > 0 AND EXISTS (
                         SELECT 1 FROM json_each(a.body) b
                          WHERE json_extract(b.value, '$.type') = 'image' AND json_extract(b.value, '$.photoId') = @id)))
            ORDER BY a.id LIMIT @limit`,
        )
        .all({ id: photoId, limit }) as PhotoUse[];
    },
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
