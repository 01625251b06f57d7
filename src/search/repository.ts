import Database from 'better-sqlite3';
import { and, sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { articles } from '../db/schema/index.js';
import { MARK_CLOSE, MARK_OPEN, ELLIPSIS, SNIPPET_TOKENS } from './snippet.js';

/**
 * SQL of the search index (SQLite FTS5). Nothing above this file knows about FTS5.
 *
 * The index, `articles_fts` (migrations/0007_search_fts.sql), is a standalone FTS5 table: one row
 * per non-deleted article (rowid = article id) holding headline, standfirst, the full body text,
 * tag names, author names and photo captions. Standalone rather than external-content because
 * half of a document lives in other tables (tags, bylines, photos): an external-content table
 * must be told the OLD values to delete a row, which a write path that already changed them no
 * longer knows; a standalone row is simply replaced by rowid. It also lets snippet() read any
 * column. The price is a second copy of the text (the index is roughly 2× the article text).
 * Visibility (status, publication time) is NOT in the index: every query joins `articles` and
 * applies the same `visibleCondition` as the article lists, so publishing, scheduling and
 * unpublishing cannot leave the index showing something it should not.
 *
 * Beside it, `articles_fts_teaser` (migrations/0015_search_teaser.sql) holds, with the same
 * columns, what a reader WITHOUT access may read of each article: the teaser text (stored on the
 * article at save time, src/articles/teasers.ts) and the captions of the featured photo and of the
 * teaser's images. Queries pick per article which one applies to the caller (`Matching`).
 *
 * Keeping it in step: `reindexArticle(tx, id)` rebuilds one article's row inside the caller's
 * write transaction (articles create/update/publish/unpublish/delete/restore, tag and author
 * renames and deletions, photo caption edits via `reindexArticlesShowingPhoto`). A trigger covers
 * hard deletes. `rebuildSearchIndex` (npm run search:reindex) rebuilds everything.
 */

/** A drizzle transaction (or the database itself): reindexing runs inside the caller's write transaction. */
export type SqlRunner = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * bm25 weights per column: headline, standfirst, body, tags, authors, captions. A headline hit
 * counts ten times a body hit; tags and authors are short, deliberate labels.
 */
export const BM25_WEIGHTS = [10, 4, 1, 3, 3, 2] as const;

/** Captions of the featured photo and of image blocks (all of them, or those before block `teaserBlocks`). */
function captionsOf(teaserOnly: boolean): SQL {
  const inTeaser = teaserOnly ? sql.raw(' AND b.key < coalesce(a.teaser_blocks, 0)') : sql.raw('');
  return sql`coalesce((SELECT group_concat(c.caption, char(10) ORDER BY c.k) FROM (
        SELECT p.caption AS caption, -1 AS k FROM photos p WHERE p.id = a.featured_photo_id
        UNION ALL
        SELECT coalesce(json_extract(b.value, '$.caption'), p.caption), b.key
        FROM json_each(a.body) b LEFT JOIN photos p ON p.id = json_extract(b.value, '$.photoId')
        WHERE json_extract(b.value, '$.type') = 'image'${inTeaser}
      ) c WHERE c.caption IS NOT NULL AND c.caption <> ''), '')`;
}

/**
 * The indexed document of every article matching `where` (over alias `a`), one statement.
 * `teaser`: the document of what a reader without access may read (articles_fts_teaser): the
 * teaser text instead of the body, captions of the featured photo and the teaser's images only.
 */
function documentSelect(where: SQL, teaser = false): SQL {
  return sql`
    SELECT a.id, a.headline, coalesce(a.standfirst, ''), ${teaser ? sql`coalesce(a.teaser_text, '')` : sql`a.body_text`},
      coalesce((SELECT group_concat(t.name, char(10) ORDER BY x.position) FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id), ''),
      coalesce((SELECT group_concat(au.name, char(10) ORDER BY x.position) FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id), ''),
      ${captionsOf(teaser)}
    FROM articles a WHERE a.deleted_at IS NULL AND ${where}`;
}

/** Photos each article shows, and whether every reader is shown them (featured, or an image in the teaser). */
function photoRefsSelect(where: SQL): SQL {
  return sql`
    SELECT photo_id, article_id, max(in_teaser) FROM (
      SELECT a.featured_photo_id AS photo_id, a.id AS article_id, 1 AS in_teaser FROM articles a
      WHERE a.deleted_at IS NULL AND a.featured_photo_id IS NOT NULL AND ${where}
      UNION ALL
      SELECT json_extract(b.value, '$.photoId'), a.id, b.key < coalesce(a.teaser_blocks, 0) FROM articles a, json_each(a.body) b
      WHERE a.deleted_at IS NULL AND json_extract(b.value, '$.type') = 'image' AND json_extract(b.value, '$.photoId') IS NOT NULL AND ${where}
    ) GROUP BY photo_id, article_id`;
}

const FTS_COLUMNS = sql.raw('rowid, headline, standfirst, body, tags, authors, captions');

/** The better-sqlite3 connection under a drizzle database or transaction (a driver detail kept here). */
function clientOf(runner: SqlRunner): Database.Database | null {
  if ('$client' in runner) return runner.$client;
  const session = (runner as unknown as { session?: { client?: unknown } }).session;
  return session?.client instanceof Database ? session.client : null;
}

/** Prepared once per connection: reindexing is on every write path and in bulk rebuilds. */
const prepared = new WeakMap<Database.Database, { statement: Database.Statement; arity: number }[]>();
const dialect = new SQLiteSyncDialect();
const reindexSql = (id: unknown): SQL[] => [
  sql`DELETE FROM articles_fts WHERE rowid = ${id}`,
  sql`DELETE FROM articles_fts_teaser WHERE rowid = ${id}`,
  sql`DELETE FROM search_photo_refs WHERE article_id = ${id}`,
  sql`INSERT INTO articles_fts(${FTS_COLUMNS}) ${documentSelect(sql`a.id = ${id}`)}`,
  sql`INSERT INTO articles_fts_teaser(${FTS_COLUMNS}) ${documentSelect(sql`a.id = ${id}`, true)}`,
  sql`INSERT OR IGNORE INTO search_photo_refs(photo_id, article_id, in_teaser) ${photoRefsSelect(sql`a.id = ${id}`)}`,
];

/**
 * Re-indexes one article from its stored state: call it inside the write transaction, after the
 * article, its bylines and tags are written. A deleted (or missing) article leaves the index.
 * Synchronous on purpose: better-sqlite3 transactions are synchronous.
 */
export function reindexArticle(tx: SqlRunner, articleId: number): void {
  const client = clientOf(tx);
  if (!client) {
    // Not a connection we can prepare on (should not happen with better-sqlite3): plain drizzle.
    for (const q of reindexSql(articleId)) tx.run(q);
    return;
  }
  let statements = prepared.get(client);
  if (!statements) {
    statements = reindexSql(sql.placeholder('id')).map((q) => {
      const { sql: text, params } = dialect.sqlToQuery(q);
      return { statement: client.prepare(text), arity: params.length };
    });
    prepared.set(client, statements);
  }
  for (const { statement, arity } of statements) statement.run(Array(arity).fill(articleId));
}

function reindexAll(tx: SqlRunner, ids: number[]): number {
  for (const id of ids) reindexArticle(tx, id);
  return ids.length;
}

/** Re-indexes the articles that show a photo (featured or in the body): call after a caption edit. */
export function reindexArticlesShowingPhoto(tx: SqlRunner, photoId: number): number {
  const rows = tx.all<{ id: number }>(sql`SELECT article_id AS id FROM search_photo_refs WHERE photo_id = ${photoId}`);
  return reindexAll(tx, rows.map((r) => r.id));
}

/** Re-indexes the articles carrying a tag: call after the tag's name changes. */
export function reindexArticlesWithTag(tx: SqlRunner, tagId: number): number {
  const rows = tx.all<{ id: number }>(sql`SELECT article_id AS id FROM article_tags WHERE tag_id = ${tagId}`);
  return reindexAll(tx, rows.map((r) => r.id));
}

/** Re-indexes the articles bylined to an author: call after the author's name changes. */
export function reindexArticlesByAuthor(tx: SqlRunner, authorId: number): number {
  const rows = tx.all<{ id: number }>(sql`SELECT article_id AS id FROM article_authors WHERE author_id = ${authorId}`);
  return reindexAll(tx, rows.map((r) => r.id));
}

/** Rebuilds the whole index in one transaction (readers keep the old index until it commits). */
export function rebuildSearchIndex(db: Db): { articles: number; tags: number } {
  const result = db.transaction((tx) => {
    tx.run(sql`DELETE FROM articles_fts`);
    tx.run(sql`DELETE FROM articles_fts_teaser`);
    tx.run(sql`DELETE FROM search_photo_refs`);
    tx.run(sql`INSERT INTO articles_fts(${FTS_COLUMNS}) ${documentSelect(sql`1 = 1`)}`);
    tx.run(sql`INSERT INTO articles_fts_teaser(${FTS_COLUMNS}) ${documentSelect(sql`1 = 1`, true)}`);
    tx.run(sql`INSERT OR IGNORE INTO search_photo_refs(photo_id, article_id, in_teaser) ${photoRefsSelect(sql`1 = 1`)}`);
    tx.run(sql`INSERT INTO tags_fts(tags_fts) VALUES ('rebuild')`);
    const a = tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts`)!.n;
    const t = tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM tags`)!.n;
    return { articles: a, tags: t };
  });
  db.run(sql`INSERT INTO articles_fts(articles_fts) VALUES ('optimize')`);
  db.run(sql`INSERT INTO articles_fts_teaser(articles_fts_teaser) VALUES ('optimize')`);
  return result;
}

/**
 * Compares the index with what it should hold. Empty arrays mean it is in step.
 * missing: articles not indexed; extra: index rows with no live article; stale: rows whose text differs.
 */
export function checkSearchIndex(db: SqlRunner): { missing: number[]; extra: number[]; stale: number[] } {
  const ids = (q: SQL) => db.all<{ id: number }>(q).map((r) => r.id);
  const union = (a: number[], b: number[]) => [...new Set([...a, ...b])].sort((x, y) => x - y);
  const check = (table: 'articles_fts' | 'articles_fts_teaser') => {
    const t = sql.raw(table);
    return {
      missing: ids(sql`SELECT a.id FROM articles a WHERE a.deleted_at IS NULL AND a.id NOT IN (SELECT rowid FROM ${t}) ORDER BY 1`),
      extra: ids(sql`SELECT rowid AS id FROM ${t} WHERE rowid NOT IN (SELECT id FROM articles WHERE deleted_at IS NULL) ORDER BY 1`),
      stale: ids(sql`SELECT id FROM (
        SELECT rowid AS id, headline, standfirst, body, tags, authors, captions FROM ${t}
        EXCEPT ${documentSelect(sql`1 = 1`, table === 'articles_fts_teaser')}
      ) ORDER BY 1`),
    };
  };
  const full = check('articles_fts');
  const teaser = check('articles_fts_teaser');
  // The photo refs are part of the index: which photos each article shows, and to whom.
  const refs = ids(sql`SELECT article_id AS id FROM (
    SELECT photo_id, article_id, in_teaser FROM search_photo_refs EXCEPT ${photoRefsSelect(sql`1 = 1`)}
    UNION ALL
    SELECT * FROM (${photoRefsSelect(sql`1 = 1`)} EXCEPT SELECT photo_id, article_id, in_teaser FROM search_photo_refs)
  ) ORDER BY 1`);
  return {
    missing: union(full.missing, teaser.missing),
    extra: union(full.extra, teaser.extra),
    stale: union(union(full.stale, teaser.stale), refs),
  };
}

// ---- queries -------------------------------------------------------------------------------------

/**
 * What a query matches against, per article. `granted` is SQL over `articles` that is 1 for the
 * articles this caller may read in full (the access policy's grant scope, made SQL by
 * src/articles/repository.ts grantCondition) and 0 for the others: those are matched against
 * articles_fts_teaser, what a reader without access may read, so no word past the paywall break
 * can make them a result (nor their count, nor a facet). null: every article by its full text
 * (admins, full-text partners, or SEARCH_FULL_TEXT_DISCOVERY).
 */
export interface Matching {
  match: string;
  granted: SQL | null;
}

type FtsTable = 'articles_fts' | 'articles_fts_teaser';

/** bm25 with BM25_WEIGHTS over one index (both have the same columns, so ranking means the same). */
const rankOf = (table: FtsTable) => sql.raw(`bm25(${table}, ${BM25_WEIGHTS.map((w) => w.toFixed(1)).join(', ')})`);

/** `articles.id` is one of the articles matching (for date-sorted lists with q). */
export function matchCondition(m: Matching): SQL {
  const full = sql`${articles.id} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ${m.match})`;
  if (m.granted === null) return full;
  const teaser = sql`${articles.id} IN (SELECT rowid FROM articles_fts_teaser WHERE articles_fts_teaser MATCH ${m.match})`;
  return sql`(CASE WHEN ${m.granted} = 1 THEN ${full} ELSE ${teaser} END)`;
}

export interface RankedId {
  id: number;
  /** bm25 with BM25_WEIGHTS: lower is better (negative). */
  rank: number;
}

export interface FacetCount {
  slug: string;
  name: string;
  count: number;
}

/**
 * The matches in one index, as (id[, rank]) rows. CROSS JOIN: SQLite keeps the FTS table as the
 * outer loop (the match list drives; without it the planner may walk every visible article and
 * probe the index once per row). INDEXED BY: each match's filter columns come from a covering
 * index; the row itself keeps them behind the body, and reading there walks its overflow pages.
 */
function branch(table: FtsTable, match: string, conditions: (SQL | undefined)[], withRank: boolean, after: RankedId | null): SQL {
  const t = sql.raw(table);
  const rank = rankOf(table);
  const keyset = after ? sql`(${rank} > ${after.rank} OR (${rank} = ${after.rank} AND ${articles.id} > ${after.id}))` : undefined;
  return sql`SELECT ${articles.id} AS id${withRank ? sql`, ${rank} AS rank` : sql``}
    FROM ${t} CROSS JOIN ${articles} INDEXED BY articles_id_filter_idx ON ${articles.id} = ${t}.rowid
    WHERE ${and(sql`${t} MATCH ${match}`, ...conditions, keyset)}`;
}

/** Every match under `conditions`: by full text where granted, by the teaser elsewhere. */
function hits(m: Matching, conditions: SQL[], withRank: boolean, after: RankedId | null = null): SQL {
  if (m.granted === null) return branch('articles_fts', m.match, conditions, withRank, after);
  return sql`${branch('articles_fts', m.match, [...conditions, sql`${m.granted} = 1`], withRank, after)}
    UNION ALL ${branch('articles_fts_teaser', m.match, [...conditions, sql`${m.granted} = 0`], withRank, after)}`;
}

const FTS_JOIN = sql`articles_fts CROSS JOIN ${articles} INDEXED BY articles_id_filter_idx ON ${articles.id} = articles_fts.rowid`;
const where = (match: string, conditions: SQL[]) => and(sql`articles_fts MATCH ${match}`, ...conditions)!;

export function createSearchRepository(db: Db) {
  return {
    /**
     * One page of matches in relevance order (bm25, then id), after the keyset `after`.
     * `conditions` are filters over the `articles` table (visibility, section, tag…).
     */
    async page(m: Matching, conditions: SQL[], after: RankedId | null, limit: number): Promise<RankedId[]> {
      return db.all<RankedId>(sql`SELECT id, rank FROM (${hits(m, conditions, true, after)}) ORDER BY 2, 1 LIMIT ${limit}`);
    },

    async count(m: Matching, conditions: SQL[]): Promise<number> {
      return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (${hits(m, conditions, false)})`)!.n;
    },

    /** Counts per section over the whole result set, most first. */
    async sectionFacets(m: Matching, conditions: SQL[], limit: number): Promise<FacetCount[]> {
      return db.all<FacetCount>(sql`
        SELECT s.slug AS slug, s.name AS name, count(*) AS count
        FROM (${hits(m, conditions, false)}) h JOIN ${articles} ON ${articles.id} = h.id JOIN sections s ON s.id = ${articles.sectionId}
        GROUP BY s.id ORDER BY count DESC, s.name LIMIT ${limit}`);
    },

    /** Counts per tag over the whole result set, most first. */
    async tagFacets(m: Matching, conditions: SQL[], limit: number): Promise<FacetCount[]> {
      return db.all<FacetCount>(sql`
        SELECT t.slug AS slug, t.name AS name, count(*) AS count
        FROM (${hits(m, conditions, false)}) h JOIN article_tags x ON x.article_id = h.id JOIN tags t ON t.id = x.tag_id
        GROUP BY t.id ORDER BY count DESC, t.name LIMIT ${limit}`);
    },

    /**
     * FTS5 snippets of the FULL indexed text for `ids`, with MARK_OPEN/MARK_CLOSE around matches:
     * from the body when it matches there, else from whichever column matched best.
     * Call it only for articles the caller may read in full.
     */
    async fullTextSnippets(match: string, ids: number[]): Promise<Map<number, { body: string; best: string }>> {
      if (ids.length === 0) return new Map();
      const args = sql`${MARK_OPEN}, ${MARK_CLOSE}, ${ELLIPSIS}, ${SNIPPET_TOKENS}`;
      const rows = db.all<{ id: number; body: string; best: string }>(sql`
        SELECT rowid AS id, snippet(articles_fts, 2, ${args}) AS body, snippet(articles_fts, -1, ${args}) AS best
        FROM articles_fts WHERE articles_fts MATCH ${match} AND rowid IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
      return new Map(rows.map((r) => [r.id, { body: r.body ?? '', best: r.best ?? '' }]));
    },

    /** Newest articles (under `conditions`, e.g. visible ones) whose headline matches `match`. */
    async headlineSuggestions(match: string, conditions: SQL[], limit: number): Promise<{ id: number; slug: string; headline: string }[]> {
      // Newest first by rowid: FTS5 walks its doclist backwards and stops at LIMIT, no ranking pass.
      return db.all(sql`
        SELECT ${articles.id} AS id, ${articles.slug} AS slug, ${articles.headline} AS headline
        FROM ${FTS_JOIN}
        WHERE ${where(match, conditions)}
        ORDER BY articles_fts.rowid DESC LIMIT ${limit}`);
    },

    /** Tags whose name matches `match` and that label at least one article under `conditions`. */
    async tagSuggestions(match: string, conditions: SQL[], limit: number): Promise<{ slug: string; name: string }[]> {
      return db.all(sql`
        SELECT t.slug AS slug, t.name AS name FROM tags_fts JOIN tags t ON t.id = tags_fts.rowid
        WHERE tags_fts MATCH ${match}
          AND EXISTS (SELECT 1 FROM article_tags x JOIN ${articles} ON ${articles.id} = x.article_id
                      WHERE x.tag_id = t.id AND ${and(...conditions) ?? sql`1 = 1`})
        ORDER BY tags_fts.rank, t.name LIMIT ${limit}`);
    },
  };
}

export type SearchRepository = ReturnType<typeof createSearchRepository>;
