import { index, integer, primaryKey, sqliteTable } from 'drizzle-orm/sqlite-core';
import { articles } from './articles.js';

/**
 * Search. The index itself is the FTS5 table `articles_fts` (and `tags_fts` for suggestions),
 * created by a custom migration (migrations/*_search_fts.sql) because drizzle cannot describe
 * virtual tables. This regular table is part of the index: which photos each indexed article
 * shows (featured photo and image blocks), written by reindexArticle, so a caption edit can
 * re-index exactly the articles that show the photo without scanning every article body. The
 * photos feature reads it too: readers see a photo only while a visible article shows it.
 */
export const searchPhotoRefs = sqliteTable(
  'search_photo_refs',
  {
    /** A photo id (no FK: photos live in their own feature and may be deleted). */
    photoId: integer('photo_id').notNull(),
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    /**
     * 1 when every reader of the article is shown the photo: it is the featured photo or in an image
     * block of the teaser. 0: only shown past the paywall break, to callers who may read that far.
     */
    inTeaser: integer('in_teaser', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.photoId, t.articleId] }), index('search_photo_refs_article_idx').on(t.articleId)],
);
