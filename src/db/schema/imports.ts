import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { articles } from './articles.js';

/**
 * What the importers (src/importers/) own: which Newsdesk row each source item became (so a second
 * run updates nothing, and a run killed half way resumes where it stopped), the runs themselves,
 * and old permalink paths that answer 301 to the imported article.
 */

/**
 * One row per imported source item. `source` is the system (`wordpress`, `ghost`, `newsdesk`) and
 * the file's site (WordPress base_site_url, Ghost's export id…), `kind` what the item is
 * (article, photo, author, section, tag, subscriber), `sourceId` the source's own id.
 * `digest` is a hash of what was written: an unchanged item is skipped, a changed one updated.
 */
export const importItems = sqliteTable(
  'import_items',
  {
    source: text('source').notNull(),
    kind: text('kind').notNull(),
    sourceId: text('source_id').notNull(),
    /** The Newsdesk id (articles, photos, subscribers) or slug (authors, sections, tags). */
    targetId: text('target_id').notNull(),
    digest: text('digest').notNull(),
    importedAt: text('imported_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.kind, t.sourceId] }), index('import_items_target_idx').on(t.kind, t.targetId)],
);

/** One row per run of `npm run import`: a run without finishedAt was interrupted (and the next one resumes it). */
export const importRuns = sqliteTable(
  'import_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    source: text('source').notNull(),
    /** The file or directory imported (as given). */
    input: text('input').notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    /** Source items handled so far (progress of an interrupted run). */
    processed: integer('processed').notNull().default(0),
    /** The closing summary (counts per kind and outcome, warnings), JSON. */
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('import_runs_source_idx').on(t.source, t.startedAt)],
);

/**
 * Old permalink paths (`/2024/03/11/harbour-floods/`, a Ghost `/slug/`) of imported articles:
 * a GET on one answers 301 to the article. Paths are stored normalised (see src/importers/paths.ts).
 */
export const importRedirects = sqliteTable(
  'import_redirects',
  {
    path: text('path').primaryKey(),
    articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
    source: text('source').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('import_redirects_article_idx').on(t.articleId)],
);
