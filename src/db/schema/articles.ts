import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sections } from './sections.js';

/**
 * Articles and their taxonomy (authors, tags), old slugs, revisions and corrections.
 * Timestamps are ISO 8601 UTC text from Date#toISOString(), so they sort as text.
 * Column names are stable: change them only through new migrations.
 */

/** An article body block, as stored in `articles.body` (validated by src/content/blocks.ts). */
export type StoredBlock = { type: string } & Record<string, unknown>;

export const authors = sqliteTable('authors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  bio: text('bio'),
  /** Job title as credited, e.g. "Moscow correspondent". */
  role: text('role'),
  /** A photo id (validated through app.photoEmbedder; no FK, photos live in their own feature). */
  photoId: integer('photo_id'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
}, (t) => [
  // "Is this photo an author's portrait?" — asked on every reader request for a photo or rendition.
  index('authors_photo_id_idx').on(t.photoId),
]);

export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
});

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    slug: text('slug').notNull().unique(),
    headline: text('headline').notNull(),
    standfirst: text('standfirst'),
    /** Editor-given excerpt; null means "derive it from the first paragraph". */
    excerpt: text('excerpt'),
    /** Ordered array of typed blocks (JSON). */
    body: text('body', { mode: 'json' }).$type<StoredBlock[]>().notNull(),
    /** Plain text of the FULL body, for search. Never serve it to a caller without access. */
    bodyText: text('body_text').notNull().default(''),
    /**
     * Plain text of what a reader WITHOUT access sees of the body (content/blocks.ts readerTeaser),
     * for the search index's teaser copy. Null until computed (then search sees no teaser body).
     */
    teaserText: text('teaser_text'),
    /** How many body blocks that teaser is (image blocks before it are shown to every reader). */
    teaserBlocks: integer('teaser_blocks'),
    /** The TEASER_BLOCKS setting both were computed with: a start with another one recomputes them. */
    teaserSetting: integer('teaser_setting'),
    dateline: text('dateline'),
    sectionId: integer('section_id').references(() => sections.id),
    language: text('language').notNull().default('en'),
    canonicalUrl: text('canonical_url'),
    seoTitle: text('seo_title'),
    seoDescription: text('seo_description'),
    /** A photo id; validated through app.photoEmbedder, no FK. */
    featuredPhotoId: integer('featured_photo_id'),
    access: text('access', { enum: ['public', 'registered', 'subscribers'] }).notNull().default('public'),
    status: text('status', { enum: ['draft', 'scheduled', 'published', 'unpublished'] }).notNull().default('draft'),
    /** Agencies and sources credited (JSON string array). */
    sources: text('sources', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    wordCount: integer('word_count').notNull().default(0),
    readingTimeMinutes: integer('reading_time_minutes').notNull().default(0),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    /** When readers see it; a scheduled article carries its scheduled time here. */
    publishedAt: text('published_at'),
    scheduledFor: text('scheduled_for'),
    firstPublishedAt: text('first_published_at'),
    /** Soft delete: set means deleted (restorable). */
    deletedAt: text('deleted_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    // Reader lists walk this index in (published_at, id) order; status, deleted_at, access and version
    // make it covering for what a list page needs before any body is read (visibility, counts, cache keys).
    index('articles_published_id_idx').on(t.publishedAt, t.id, t.status, t.deletedAt, t.access, t.version),
    index('articles_updated_id_idx').on(t.updatedAt, t.id),
    // A single-article request finds its article by slug with this index alone: the row itself
    // holds the body ahead of these columns, and reading past it walks the body's overflow pages.
    // Search joins its matches to articles by id and filters them (visibility, section, access):
    // this index answers that without reading rows (src/search/repository.ts, INDEXED BY).
    index('articles_id_filter_idx').on(t.id, t.status, t.publishedAt, t.deletedAt, t.access, t.sectionId),
    index('articles_slug_head_idx').on(t.slug, t.id, t.version, t.access, t.status, t.publishedAt, t.deletedAt),
    index('articles_section_published_idx').on(t.sectionId, t.publishedAt, t.id),
    index('articles_status_published_idx').on(t.status, t.publishedAt),
    // Every start asks which articles' stored teasers were computed with another TEASER_BLOCKS
    // (src/articles/teasers.ts): without it that is a walk past every body's overflow pages.
    index('articles_teaser_setting_idx').on(t.teaserSetting),
  ],
);

/** Ordered bylines. Deleting an author in use is refused unless detached first (no cascade). */
export const articleAuthors = sqliteTable(
  'article_authors',
  {
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').notNull().references(() => authors.id),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.authorId] }), index('article_authors_author_idx').on(t.authorId, t.articleId)],
);

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id').notNull().references(() => tags.id),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.tagId] }), index('article_tags_tag_idx').on(t.tagId, t.articleId)],
);

/** Slugs an article used to have: GET on one answers 301 to the current slug. */
export const articleSlugs = sqliteTable(
  'article_slugs',
  {
    slug: text('slug').primaryKey(),
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('article_slugs_article_idx').on(t.articleId)],
);

/** One row per save: a full snapshot of the editable state after the save, who and what changed. */
export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    /** The article version this revision produced. */
    version: integer('version').notNull(),
    /** What the save did: create, update, publish, unpublish, schedule, restore, delete, undelete, correction. */
    action: text('action').notNull(),
    /** Names of the fields that changed (camelCase). */
    changedFields: text('changed_fields', { mode: 'json' }).$type<string[]>().notNull(),
    /** JSON snapshot of the article (editable fields, body, author/tag slugs) after the save. */
    snapshot: text('snapshot', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Who saved: API key name/id or "system". */
    actor: text('actor').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('article_revisions_article_version_idx').on(t.articleId, t.version)],
);

/** The public corrections log. */
export const articleCorrections = sqliteTable(
  'article_corrections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    actor: text('actor').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('article_corrections_article_idx').on(t.articleId, t.createdAt)],
);
