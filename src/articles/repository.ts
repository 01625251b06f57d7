import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  articleAuthors,
  articleCorrections,
  articleRevisions,
  articleSlugs,
  articleTags,
  articles,
  authors,
  sections,
  tags,
} from '../db/schema/index.js';
import { matchCondition, reindexArticle } from '../search/repository.js';
import { recordArticleChange } from '../syndication/changes.js';
import type { ArticleSort } from './schemas.js';

/**
 * SQL for articles. Reads are async functions; every write is ONE synchronous SQLite transaction
 * inside one function here (insert/change), so nothing is ever half-saved.
 */
export type ArticleRow = typeof articles.$inferSelect;
export type ArticleInsert = typeof articles.$inferInsert;
export type RevisionRow = typeof articleRevisions.$inferSelect;

export interface SectionRef { id: number; slug: string; name: string }
export interface AuthorRef { id: number; slug: string; name: string; role: string | null; photoId: number | null }
export interface TagRef { id: number; slug: string; name: string }
export interface CorrectionRef { at: string; text: string }

export interface ArticleFilter {
  /** Readers: only what is visible at this instant (published or scheduled, time has come, not deleted). */
  visibleAt?: string;
  /** Admins: workflow status, evaluated at `now`. */
  status?: 'draft' | 'scheduled' | 'published' | 'unpublished' | 'deleted' | 'all';
  now: string;
  sectionId?: number;
  tagId?: number;
  authorId?: number;
  from?: string;
  to?: string;
  access?: 'public' | 'registered' | 'subscribers';
  /** A full-text search: an FTS5 MATCH expression made by parseSearchQuery (src/search/query.ts). */
  q?: string;
}

export interface RevisionWrite {
  action: string;
  changedFields: string[];
  snapshot: Record<string, unknown>;
  actor: string;
  createdAt: string;
}

export interface ArticleChange {
  id: number;
  expectedVersion: number;
  patch: Partial<ArticleInsert>;
  authorIds?: number[];
  tagIds?: number[];
  /** Keep this (previous) slug as a redirect to the article. */
  keepOldSlug?: string;
  /** The article takes back one of its own old slugs: drop that redirect. */
  releaseOldSlug?: string;
  correction?: { text: string; actor: string; createdAt: string };
  revision: RevisionWrite;
}

/** A visible-to-readers condition at `at` (ISO): the one definition of "published". */
export function visibleCondition(at: string): SQL {
  return and(
    // Unary + keeps SQLite from choosing the status index, so reader lists walk
    // articles_published_id_idx in order (a keyset seek, no sort of every visible row).
    sql`+${articles.status} IN ('published', 'scheduled')`,
    isNotNull(articles.publishedAt),
    lte(articles.publishedAt, at),
    isNull(articles.deletedAt),
  )!;
}

/** The WHERE conditions of a filter (exported for search, which ranks with FTS5 under the same filters). */
export function filterConditions(f: ArticleFilter): SQL[] {
  const c: SQL[] = [];
  if (f.visibleAt) c.push(visibleCondition(f.visibleAt));
  else {
    switch (f.status) {
      case undefined:
        c.push(isNull(articles.deletedAt));
        break;
      case 'all':
        break;
      case 'deleted':
        c.push(isNotNull(articles.deletedAt));
        break;
      case 'published':
        c.push(visibleCondition(f.now));
        break;
      case 'scheduled':
        c.push(and(eq(articles.status, 'scheduled'), gt(articles.publishedAt, f.now), isNull(articles.deletedAt))!);
        break;
      default:
        c.push(and(eq(articles.status, f.status), isNull(articles.deletedAt))!);
    }
  }
  if (f.sectionId !== undefined) c.push(eq(articles.sectionId, f.sectionId));
  if (f.tagId !== undefined) {
    c.push(inArray(articles.id, sql`(SELECT ${articleTags.articleId} FROM ${articleTags} WHERE ${articleTags.tagId} = ${f.tagId})`));
  }
  if (f.authorId !== undefined) {
    c.push(inArray(articles.id, sql`(SELECT ${articleAuthors.articleId} FROM ${articleAuthors} WHERE ${articleAuthors.authorId} = ${f.authorId})`));
  }
  if (f.from) c.push(sql`${articles.publishedAt} >= ${f.from}`);
  if (f.to) c.push(sql`${articles.publishedAt} < ${f.to}`);
  if (f.access) c.push(eq(articles.access, f.access));
  if (f.q) c.push(matchCondition(f.q));
  return c;
}

/** The sort key of a list, as SQL and as read from a row (for cursors). */
export function sortKey(sort: ArticleSort, readers: boolean): { expr: SQL; desc: boolean; of: (r: ArticleRow) => string } {
  if (sort === '-updatedAt') return { expr: sql`${articles.updatedAt}`, desc: true, of: (r) => r.updatedAt };
  // Readers only see rows with a publication time, so the plain column (and its index) serves;
  // admin lists include drafts, which sort as '' (last in -publishedAt).
  const expr = readers ? sql`${articles.publishedAt}` : sql`ifnull(${articles.publishedAt}, '')`;
  return { expr, desc: sort === '-publishedAt', of: (r) => r.publishedAt ?? '' };
}

export function createArticlesRepository(db: Db) {
  return {
    async findBySlug(slug: string): Promise<ArticleRow | undefined> {
      return db.select().from(articles).where(eq(articles.slug, slug)).get();
    },
    async findById(id: number): Promise<ArticleRow | undefined> {
      return db.select().from(articles).where(eq(articles.id, id)).get();
    },
    async findByIds(ids: number[]): Promise<ArticleRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(articles).where(inArray(articles.id, ids)).all();
    },
    /** The article that used to have `slug`. */
    async findByOldSlug(slug: string): Promise<ArticleRow | undefined> {
      const row = db.select({ id: articleSlugs.articleId }).from(articleSlugs).where(eq(articleSlugs.slug, slug)).get();
      return row ? db.select().from(articles).where(eq(articles.id, row.id)).get() : undefined;
    },
    /** Which article (if any) holds `slug`, as its current or an old slug. */
    async slugOwner(slug: string): Promise<number | null> {
      const cur = db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug)).get();
      if (cur) return cur.id;
      const old = db.select({ id: articleSlugs.articleId }).from(articleSlugs).where(eq(articleSlugs.slug, slug)).get();
      return old ? old.id : null;
    },
    /** Slugs starting with `base` (current or old), to pick a free `base-N`. */
    async slugsLike(base: string): Promise<Set<string>> {
      const p = `${base.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const cur = db.select({ s: articles.slug }).from(articles).where(sql`${articles.slug} LIKE ${p} ESCAPE '\\'`).all();
      const old = db.select({ s: articleSlugs.slug }).from(articleSlugs).where(sql`${articleSlugs.slug} LIKE ${p} ESCAPE '\\'`).all();
      return new Set([...cur, ...old].map((r) => r.s));
    },

    async page(filter: ArticleFilter, sort: ArticleSort, after: { key: string; id: number } | null, limit: number): Promise<ArticleRow[]> {
      const readers = filter.visibleAt !== undefined;
      const k = sortKey(sort, readers);
      const conds = filterConditions(filter);
      if (after) {
        conds.push(
          k.desc
            ? sql`(${k.expr} < ${after.key} OR (${k.expr} = ${after.key} AND ${articles.id} < ${after.id}))`
            : sql`(${k.expr} > ${after.key} OR (${k.expr} = ${after.key} AND ${articles.id} > ${after.id}))`,
        );
      }
      return db
        .select()
        .from(articles)
        .where(and(...conds))
        .orderBy(k.desc ? desc(k.expr) : asc(k.expr), k.desc ? desc(articles.id) : asc(articles.id))
        .limit(limit)
        .all();
    },
    async count(filter: ArticleFilter): Promise<number> {
      return db.$count(articles, and(...filterConditions(filter)));
    },

    /** Sections, bylines, tags and corrections of many articles at once (no N+1). */
    async related(rows: ArticleRow[]) {
      const ids = rows.map((r) => r.id);
      const sectionIds = [...new Set(rows.map((r) => r.sectionId).filter((v): v is number => v !== null))];
      const sectionMap = new Map<number, SectionRef>();
      if (sectionIds.length > 0) {
        for (const s of db.select({ id: sections.id, slug: sections.slug, name: sections.name }).from(sections).where(inArray(sections.id, sectionIds)).all()) {
          sectionMap.set(s.id, s);
        }
      }
      const bylines = new Map<number, AuthorRef[]>();
      const tagMap = new Map<number, TagRef[]>();
      const corrections = new Map<number, CorrectionRef[]>();
      if (ids.length > 0) {
        const a = db
          .select({ articleId: articleAuthors.articleId, id: authors.id, slug: authors.slug, name: authors.name, role: authors.role, photoId: authors.photoId })
          .from(articleAuthors)
          .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
          .where(inArray(articleAuthors.articleId, ids))
          .orderBy(asc(articleAuthors.articleId), asc(articleAuthors.position))
          .all();
        for (const { articleId, ...ref } of a) (bylines.get(articleId) ?? bylines.set(articleId, []).get(articleId)!).push(ref);
        const t = db
          .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
          .from(articleTags)
          .innerJoin(tags, eq(tags.id, articleTags.tagId))
          .where(inArray(articleTags.articleId, ids))
          .orderBy(asc(articleTags.articleId), asc(articleTags.position))
          .all();
        for (const { articleId, ...ref } of t) (tagMap.get(articleId) ?? tagMap.set(articleId, []).get(articleId)!).push(ref);
        const c = db
          .select({ articleId: articleCorrections.articleId, at: articleCorrections.createdAt, text: articleCorrections.text })
          .from(articleCorrections)
          .where(inArray(articleCorrections.articleId, ids))
          .orderBy(asc(articleCorrections.articleId), asc(articleCorrections.createdAt), asc(articleCorrections.id))
          .all();
        for (const { articleId, ...ref } of c) (corrections.get(articleId) ?? corrections.set(articleId, []).get(articleId)!).push(ref);
      }
      return { sections: sectionMap, bylines, tags: tagMap, corrections };
    },

    async sectionBySlug(slug: string): Promise<SectionRef | undefined> {
      return db.select({ id: sections.id, slug: sections.slug, name: sections.name }).from(sections).where(eq(sections.slug, slug)).get();
    },
    async authorsBySlugs(slugs: string[]): Promise<Map<string, number>> {
      if (slugs.length === 0) return new Map();
      const rows = db.select({ id: authors.id, slug: authors.slug }).from(authors).where(inArray(authors.slug, slugs)).all();
      return new Map(rows.map((r) => [r.slug, r.id]));
    },
    async tagsBySlugs(slugs: string[]): Promise<Map<string, number>> {
      if (slugs.length === 0) return new Map();
      const rows = db.select({ id: tags.id, slug: tags.slug }).from(tags).where(inArray(tags.slug, slugs)).all();
      return new Map(rows.map((r) => [r.slug, r.id]));
    },

    async sectionSlugById(id: number): Promise<string | null> {
      return db.select({ slug: sections.slug }).from(sections).where(eq(sections.id, id)).get()?.slug ?? null;
    },
    async slugsByIds(kind: 'author' | 'tag', ids: number[]): Promise<Map<number, string>> {
      if (ids.length === 0) return new Map();
      const table = kind === 'author' ? authors : tags;
      const rows = db.select({ id: table.id, slug: table.slug }).from(table).where(inArray(table.id, ids)).all();
      return new Map(rows.map((r) => [r.id, r.slug]));
    },

    /** Inserts an article with its bylines, tags and first revision, in one transaction. */
    async insert(row: ArticleInsert, authorIds: number[], tagIds: number[], revision: RevisionWrite): Promise<ArticleRow> {
      return db.transaction((tx) => {
        const created = tx.insert(articles).values({ ...row, version: 1 }).returning().get();
        if (authorIds.length > 0) {
          tx.insert(articleAuthors).values(authorIds.map((authorId, position) => ({ articleId: created.id, authorId, position }))).run();
        }
        if (tagIds.length > 0) tx.insert(articleTags).values(tagIds.map((tagId, position) => ({ articleId: created.id, tagId, position }))).run();
        tx.insert(articleRevisions).values({ ...revision, articleId: created.id, version: 1 }).run();
        reindexArticle(tx, created.id); // the search index, in the same transaction
        recordArticleChange(tx, 'create', created, revision.createdAt); // the change feed and webhooks, same transaction
        return created;
      });
    },

    /**
     * Applies a change if the stored version is still `expectedVersion` (undefined when it moved on),
     * with bylines, tags, slug redirects, a correction and the revision, in one transaction.
     */
    async change(c: ArticleChange): Promise<ArticleRow | undefined> {
      return db.transaction((tx) => {
        const version = c.expectedVersion + 1;
        const updated = tx
          .update(articles)
          .set({ ...c.patch, version })
          .where(and(eq(articles.id, c.id), eq(articles.version, c.expectedVersion)))
          .returning()
          .get();
        if (!updated) return undefined;
        if (c.authorIds) {
          tx.delete(articleAuthors).where(eq(articleAuthors.articleId, c.id)).run();
          if (c.authorIds.length > 0) {
            tx.insert(articleAuthors).values(c.authorIds.map((authorId, position) => ({ articleId: c.id, authorId, position }))).run();
          }
        }
        if (c.tagIds) {
          tx.delete(articleTags).where(eq(articleTags.articleId, c.id)).run();
          if (c.tagIds.length > 0) tx.insert(articleTags).values(c.tagIds.map((tagId, position) => ({ articleId: c.id, tagId, position }))).run();
        }
        if (c.releaseOldSlug) {
          tx.delete(articleSlugs).where(and(eq(articleSlugs.slug, c.releaseOldSlug), eq(articleSlugs.articleId, c.id))).run();
        }
        if (c.keepOldSlug) {
          tx.insert(articleSlugs).values({ slug: c.keepOldSlug, articleId: c.id, createdAt: c.revision.createdAt }).onConflictDoNothing().run();
        }
        if (c.correction) tx.insert(articleCorrections).values({ ...c.correction, articleId: c.id }).run();
        tx.insert(articleRevisions).values({ ...c.revision, articleId: c.id, version }).run();
        reindexArticle(tx, c.id); // the search index, in the same transaction (update, publish, unpublish, delete, restore…)
        recordArticleChange(tx, c.revision.action, updated, c.revision.createdAt); // the change feed and webhooks, same transaction
        return updated;
      });
    },

    /**
     * Removes an author or tag from every article that uses it, bumping each article's version and
     * recording a revision (the previous snapshot without it), then deletes the author/tag — one transaction.
     */
    async detachAndDelete(kind: 'author' | 'tag', id: number, slug: string, actor: string, at: string): Promise<number> {
      return db.transaction((tx) => {
        const link = kind === 'author' ? articleAuthors : articleTags;
        const linkCol = kind === 'author' ? articleAuthors.authorId : articleTags.tagId;
        const affected = tx.select({ articleId: link.articleId }).from(link).where(eq(linkCol, id)).all().map((r) => r.articleId);
        tx.delete(link).where(eq(linkCol, id)).run();
        for (const articleId of affected) {
          const row = tx.update(articles).set({ version: sql`${articles.version} + 1`, updatedAt: at }).where(eq(articles.id, articleId)).returning().get();
          const last = tx
            .select()
            .from(articleRevisions)
            .where(eq(articleRevisions.articleId, articleId))
            .orderBy(desc(articleRevisions.version))
            .limit(1)
            .get();
          const field = kind === 'author' ? 'authors' : 'tags';
          const snapshot = { ...(last?.snapshot ?? {}) };
          snapshot[field] = ((snapshot[field] as string[] | undefined) ?? []).filter((s) => s !== slug);
          tx.insert(articleRevisions)
            .values({ articleId, version: row!.version, action: 'update', changedFields: [field], snapshot, actor, createdAt: at })
            .run();
          reindexArticle(tx, articleId); // its tag/byline is gone from the search index too
          recordArticleChange(tx, 'update', row!, at); // the change feed and webhooks too
        }
        if (kind === 'author') tx.delete(authors).where(eq(authors.id, id)).run();
        else tx.delete(tags).where(eq(tags.id, id)).run();
        return affected.length;
      });
    },

    async revisions(articleId: number, limit: number, beforeVersion: number | null): Promise<RevisionRow[]> {
      return db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), beforeVersion === null ? undefined : lt(articleRevisions.version, beforeVersion)))
        .orderBy(desc(articleRevisions.version))
        .limit(limit)
        .all();
    },
    async revision(articleId: number, version: number): Promise<RevisionRow | undefined> {
      return db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.version, version)))
        .get();
    },
    async revisionCount(articleId: number): Promise<number> {
      return db.$count(articleRevisions, eq(articleRevisions.articleId, articleId));
    },
  };
}

export type ArticlesRepository = ReturnType<typeof createArticlesRepository>;
