import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { enqueuePurge, photoPurgeKeys, setKeysOfArticles } from '../db/purgeQueue.js';
import { articles, cdnPurges, cdnSweep, photos, searchPhotoRefs } from '../db/schema/index.js';
import { articleKey, photoKey } from '../lib/surrogateKeys.js';

export type PurgeRow = typeof cdnPurges.$inferSelect;

/** The CDN feature's queries: claiming due purges, recording them, listing them, and the time sweep. */
export function createCdnRepository(db: Db) {
  return {
    /** Claims up to `limit` due purges (a lease in next_attempt_at), oldest first, atomically. */
    async claimDue(now: string, lease: string, limit: number): Promise<PurgeRow[]> {
      return db.transaction((tx) => {
        const due = tx
          .select()
          .from(cdnPurges)
          .where(and(eq(cdnPurges.status, 'pending'), or(isNull(cdnPurges.nextAttemptAt), lte(cdnPurges.nextAttemptAt, now))))
          .orderBy(cdnPurges.id)
          .limit(limit)
          .all();
        if (due.length > 0) tx.update(cdnPurges).set({ nextAttemptAt: lease }).where(inArray(cdnPurges.id, due.map((d) => d.id))).run();
        return due;
      });
    },
    async record(id: number, patch: Partial<Pick<PurgeRow, 'status' | 'attempts' | 'nextAttemptAt' | 'results' | 'lastError' | 'completedAt'>>): Promise<void> {
      db.update(cdnPurges).set(patch).where(eq(cdnPurges.id, id)).run();
    },
    /** Newest first, keyset on id. */
    async list(filter: { status?: PurgeRow['status'] }, limit: number, beforeId: number | null): Promise<PurgeRow[]> {
      return db
        .select()
        .from(cdnPurges)
        .where(and(filter.status ? eq(cdnPurges.status, filter.status) : undefined, beforeId !== null ? lt(cdnPurges.id, beforeId) : undefined))
        .orderBy(desc(cdnPurges.id))
        .limit(limit)
        .all();
    },
    async enqueue(keys: string[], hard: boolean, reason: string, at: string): Promise<void> {
      enqueuePurge(db, { keys, hard, reason, at });
    },
    /** Finished purges created before `before` are forgotten. */
    async prune(before: string): Promise<void> {
      db.delete(cdnPurges).where(and(inArray(cdnPurges.status, ['done', 'failed']), lt(cdnPurges.createdAt, before))).run();
    },

    /**
     * Purges what changed by time alone since the last sweep (to `now`), in one transaction with
     * the new watermark: stories whose publication time came (lists gain them), stories crossing
     * into the archive (`archiveMs` after publication: their answers change for readers without
     * archive access; hard), photos past their expiry (hard: never served stale). The first sweep
     * only sets the watermark.
     */
    async sweep(now: string, archiveMs: number | null): Promise<number> {
      return db.transaction((tx) => {
        const last = tx.select().from(cdnSweep).where(eq(cdnSweep.id, 1)).get();
        if (!last) {
          tx.insert(cdnSweep).values({ id: 1, sweptUntil: now }).run();
          return 0;
        }
        const from = last.sweptUntil;
        if (from >= now) return 0;
        let queued = 0;
        const live = sql`${articles.status} IN ('published', 'scheduled') AND ${articles.deletedAt} IS NULL`;
        const crossing = (lo: string, hi: string) =>
          tx.select({ id: articles.id }).from(articles).where(and(live, sql`${articles.publishedAt} > ${lo}`, sql`${articles.publishedAt} <= ${hi}`)).all().map((r) => r.id);
        const wentLive = crossing(from, now);
        if (wentLive.length > 0) {
          enqueuePurge(tx, { keys: [...wentLive.map(articleKey), ...setKeysOfArticles(tx, wentLive)], reason: 'time.live', at: now });
          queued++;
        }
        if (archiveMs !== null) {
          const shift = (iso: string) => new Date(Date.parse(iso) - archiveMs).toISOString();
          const archived = crossing(shift(from), shift(now));
          if (archived.length > 0) {
            // Their photos too: a photo shown only by archived stories is no longer shown to readers without archive access.
            const shown = tx.selectDistinct({ id: searchPhotoRefs.photoId }).from(searchPhotoRefs).where(inArray(searchPhotoRefs.articleId, sql`(SELECT value FROM json_each(${JSON.stringify(archived)}))`)).all().map((r) => photoKey(r.id));
            enqueuePurge(tx, { keys: [...archived.map(articleKey), ...setKeysOfArticles(tx, archived), ...shown], hard: true, reason: 'time.archive', at: now });
            queued++;
          }
        }
        const expired = tx
          .select({ id: photos.id })
          .from(photos)
          .where(and(sql`${photos.expiresAt} > ${from}`, sql`${photos.expiresAt} <= ${now}`))
          .all()
          .map((r) => r.id);
        if (expired.length > 0) {
          enqueuePurge(tx, { keys: photoPurgeKeys(tx, expired), hard: true, reason: 'time.photo-expiry', at: now });
          queued++;
        }
        tx.update(cdnSweep).set({ sweptUntil: now }).where(eq(cdnSweep.id, 1)).run();
        return queued;
      });
    },
  };
}

export type CdnRepository = ReturnType<typeof createCdnRepository>;
