import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { articles, authors, changes, sections, tags } from '../db/schema/index.js';
import { emitChange } from './changes.js';

/**
 * Reads for sitemaps and the scheduled-publication sweep. "Visible" is the articles feature's rule
 * (src/articles/workflow.ts isVisible): published, or scheduled whose time has come, and not deleted.
 */
export interface SitemapRow {
  id: number;
  slug: string;
  canonicalUrl: string | null;
  headline: string;
  language: string;
  publishedAt: string;
  updatedAt: string;
}

export function createSyndicationRepository(db: Db) {
  const visibleAt = (now: string) =>
    and(
      inArray(articles.status, ['published', 'scheduled']),
      lte(articles.publishedAt, now),
      isNull(articles.deletedAt),
    );
  const columns = {
    id: articles.id,
    slug: articles.slug,
    canonicalUrl: articles.canonicalUrl,
    headline: articles.headline,
    language: articles.language,
    publishedAt: sql<string>`${articles.publishedAt}`,
    updatedAt: articles.updatedAt,
  };

  return {
    /** The display name of a section, tag or author by slug (feed titles); undefined when there is none. */
    async nameOf(kind: 'sections' | 'tags' | 'authors', slug: string): Promise<{ id: number; name: string } | undefined> {
      const table = kind === 'sections' ? sections : kind === 'tags' ? tags : authors;
      return db.select({ id: table.id, name: table.name }).from(table).where(eq(table.slug, slug)).get();
    },
    async countVisible(now: string): Promise<number> {
      return db.$count(articles, visibleAt(now));
    },
    /** Sitemap page `page` (0-based) of `size`, in id order so pages stay put as articles are added. */
    async sitemapPage(now: string, page: number, size: number): Promise<SitemapRow[]> {
      return db.select(columns).from(articles).where(visibleAt(now)).orderBy(asc(articles.id)).limit(size).offset(page * size).all();
    },
    /** Newest update per sitemap page (for the index's lastmod). */
    async pageLastmods(now: string, size: number): Promise<{ page: number; lastmod: string; count: number }[]> {
      const rows = db.$client
        .prepare(
          // CAST: better-sqlite3 binds a JS number as REAL, and REAL division would put every row on its own "page".
          `SELECT (rn - 1) / CAST(? AS INTEGER) AS page, max(updated_at) AS lastmod, count(*) AS count FROM (
             SELECT updated_at, row_number() OVER (ORDER BY id) AS rn FROM articles
             WHERE status IN ('published', 'scheduled') AND published_at <= ? AND deleted_at IS NULL
           ) GROUP BY page ORDER BY page`,
        )
        .all(size, now) as { page: number; lastmod: string; count: number }[];
      return rows;
    },
    /** Articles published in [since, now], newest first (Google News: the last 48 hours, at most 1,000). */
    async publishedSince(since: string, now: string, limit: number): Promise<SitemapRow[]> {
      return db
        .select(columns)
        .from(articles)
        .where(and(visibleAt(now), sql`${articles.publishedAt} >= ${since}`))
        .orderBy(sql`${articles.publishedAt} DESC`, sql`${articles.id} DESC`)
        .limit(limit)
        .all();
    },

    /**
     * The news sitemap's lastmod: the newest change among articles published in [since, now]. A
     * change is an edit (updated_at), going live (published_at: a scheduled article goes live without
     * a write) or leaving the sitemap (an unpublish or delete is a write, so updated_at too; such
     * articles keep their published_at and are counted). An edit to an article that is no longer
     * visible may move it too: an early lastmod only costs a crawler one needless fetch. Articles
     * ageing out of the window do not move it. undefined when no article is or was in the window.
     */
    async newsLastmod(since: string, now: string): Promise<string | undefined> {
      const row = db
        .select({ lastmod: sql<string | null>`max(max(${articles.updatedAt}, ${articles.publishedAt}))` })
        .from(articles)
        .where(and(sql`${articles.publishedAt} >= ${since}`, lte(articles.publishedAt, now), inArray(articles.status, ['published', 'scheduled', 'unpublished'])))
        .get();
      return row?.lastmod ?? undefined;
    },

    /**
     * Scheduled articles go live by the clock, without a write. This records their
     * `article.published` change once their time has come (once per publication time), so the change feed
     * and webhooks hear about them. Returns how many it recorded.
     */
    async recordDuePublications(now: string): Promise<number> {
      return db.transaction((tx) => {
        const due = tx
          .select()
          .from(articles)
          .where(
            and(
              eq(articles.status, 'scheduled'),
              lte(articles.publishedAt, now),
              isNull(articles.deletedAt),
              // Not yet announced for this publication time (a re-scheduled article is announced again).
              sql`NOT EXISTS (SELECT 1 FROM ${changes} c WHERE c.entity = 'article' AND c.entity_id = ${articles.id}
                  AND c.event = 'article.published' AND c.occurred_at >= ${articles.publishedAt})`,
            ),
          )
          .orderBy(asc(articles.publishedAt), asc(articles.id))
          .limit(500)
          .all();
        for (const a of due) {
          emitChange(
            tx,
            {
              type: 'article.published',
              article: { id: a.id, slug: a.slug, version: a.version, status: 'published', firstPublishedAt: a.firstPublishedAt, publishedAt: a.publishedAt },
              data: { scheduled: true },
            },
            now,
          );
        }
        return due.length;
      });
    },
  };
}
