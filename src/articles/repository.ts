import { and, asc, desc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { createContentEpoch, type ContentEpochs } from '../db/contentEpoch.js';
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
import { matchCondition, reindexArticle, type Matching } from '../search/repository.js';
import { recordArticleChange } from '../syndication/changes.js';
import { articlePurgeState, purgeArticleWrite, purgeEntityWrite } from '../db/purgeQueue.js';
import type { GrantScope } from '../access/policy.js';
import { rankedPage, type RankedPage } from '../search/ranking.js';
import type { ArticleSort } from './schemas.js';

/**
 * SQL for articles. Reads are async functions; every write is ONE synchronous SQLite transaction
 * inside one function here (insert/change), so nothing is ever half-saved.
 */
/** An article as read for rendering: every column but body_text (a plain-text copy kept for search). */
export type ArticleRow = Omit<typeof articles.$inferSelect, 'bodyText' | 'teaserText' | 'teaserBlocks' | 'teaserSetting'>;
/** An article row without its body and body text: enough to find, page, check and cache-key it. */
/** What a single-article request needs before rendering (visibility, cache key, redirect): all in articles_slug_head_idx. */
export type ArticleHead = Pick<ArticleRow, 'id' | 'slug' | 'version' | 'access' | 'status' | 'publishedAt' | 'deletedAt'>;
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
  /**
   * With q: the articles whose full text the caller may match (the access policy's grantScope);
   * every other article matches by its teaser only. Absent: none (teasers only).
   */
  qScope?: GrantScope;
  /** With qScope: the oldest publication time not in the archive (policy archiveCutoff); null without the rule. */
  archiveCutoff?: string | null;
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
export function visibleCondition(at: string, options: { seek?: boolean } = {}): SQL {
  return and(
    // Unary + keeps SQLite from choosing the status index, so reader lists walk
    // articles_published_id_idx in order (a keyset seek, no sort of every visible row).
    sql`+${articles.status} IN ('published', 'scheduled')`,
    isNotNull(articles.publishedAt),
    // seek: false when a cursor bounds the walk: SQLite would otherwise seek from `at` and read every
    // row down to the cursor (page 5,000 cost 4× page 1); with + it seeks to the cursor itself.
    options.seek === false ? sql`+${articles.publishedAt} <= ${at}` : lte(articles.publishedAt, at),
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
  const m = matchingOf(f);
  if (m) c.push(matchCondition(m));
  return c;
}

/** What a filter's q matches, per article: full text where its qScope grants it, else the teaser. */
export function matchingOf(f: ArticleFilter): Matching | null {
  return f.q ? { match: f.q, granted: grantedCondition(f.qScope ?? [], f.archiveCutoff ?? null) } : null;
}

/**
 * The SQL form of a grant scope (src/access/policy.ts fullTextScope): 1 for the articles the
 * caller may read in full, 0 for the others (never NULL, so NOT of it is the rest); null for
 * 'all'. `cutoff`: the oldest publication time not archived (archiveCutoff), null when the
 * archive rule is off.
 */
export function grantedCondition(scope: GrantScope, cutoff: string | null): SQL | null {
  if (scope === 'all') return null;
  const rules = scope.map((r) =>
    and(
      inArray(articles.access, r.levels),
      r.sections === null
        ? undefined
        : sql`${articles.sectionId} IN (SELECT ${sections.id} FROM ${sections} WHERE ${sections.slug} IN (${sql.join([sql`NULL`, ...r.sections.map((x) => sql`${x}`)], sql`, `)}))`,
      r.archive || cutoff === null ? undefined : sql`(${articles.publishedAt} IS NULL OR ${articles.publishedAt} >= ${cutoff})`,
      r.ids === undefined ? undefined : sql`${articles.id} IN (${sql.join([sql`NULL`, ...r.ids.map((x) => sql`${x}`)], sql`, `)})`,
    ),
  );
  return rules.length === 0 ? sql`0` : sql`coalesce((${or(...rules)}), 0)`;
}

/** The sort key of a list, as SQL and as read from a row (for cursors). */
export function sortKey(sort: ArticleSort, readers: boolean): { expr: SQL; desc: boolean; of: (r: { updatedAt?: string; publishedAt: string | null }) => string } {
  if (sort === '-updatedAt') return { expr: sql`${articles.updatedAt}`, desc: true, of: (r) => r.updatedAt ?? '' };
  // Readers only see rows with a publication time, so the plain column (and its index) serves;
  // admin lists include drafts, which sort as '' (last in -publishedAt).
  const expr = readers ? sql`${articles.publishedAt}` : sql`ifnull(${articles.publishedAt}, '')`;
  return { expr, desc: sort === '-publishedAt', of: (r) => r.publishedAt ?? '' };
}

/** Every column but the plain-text copy of the body (kept for search and excerpts, never rendered). */
const { bodyText: _bodyText, teaserText: _teaserText, teaserBlocks: _teaserBlocks, teaserSetting: _teaserSetting, ...ROW_COLUMNS } = getTableColumns(articles);

/** What a list page reads per article before rendering: all in articles_published_id_idx. */
const PAGE_COLUMNS = { id: articles.id, version: articles.version, access: articles.access, publishedAt: articles.publishedAt };
export type ArticlePageRow = Pick<ArticleRow, 'id' | 'version' | 'access' | 'publishedAt'> & { updatedAt?: string };
/** Filter fields that become statement parameters (the others shape the statement). */
const FILTER_PARAMS = ['sectionId', 'tagId', 'authorId', 'from', 'to', 'access'] as const;

/** Statements of the hot read paths, prepared once per connection (drizzle builds and SQLite parses them once). */
function buildPrepared(db: Db) {
  const ids = sql`(SELECT value FROM json_each(${sql.placeholder('ids')}))`;
  return {
    bySlug: db.select(ROW_COLUMNS).from(articles).where(eq(articles.slug, sql.placeholder('slug'))).prepare(),
    // INDEXED BY: the planner would take the unique slug index and then read the row past its body.
    headBySlug: db.$client.prepare<[string], ArticleHead>(
      'SELECT id, slug, version, access, status, published_at AS publishedAt, deleted_at AS deletedAt ' +
        'FROM articles INDEXED BY articles_slug_head_idx WHERE slug = ?',
    ),
    byIds: db.select(ROW_COLUMNS).from(articles).where(inArray(articles.id, ids)).prepare(),
    sections: db.select({ id: sections.id, slug: sections.slug, name: sections.name }).from(sections).where(inArray(sections.id, ids)).prepare(),
    bylines: db
      .select({ articleId: articleAuthors.articleId, id: authors.id, slug: authors.slug, name: authors.name, role: authors.role, photoId: authors.photoId })
      .from(articleAuthors)
      .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
      .where(inArray(articleAuthors.articleId, ids))
      .orderBy(asc(articleAuthors.articleId), asc(articleAuthors.position))
      .prepare(),
    tags: db
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(inArray(articleTags.articleId, ids))
      .orderBy(asc(articleTags.articleId), asc(articleTags.position))
      .prepare(),
    corrections: db
      .select({ articleId: articleCorrections.articleId, at: articleCorrections.createdAt, text: articleCorrections.text })
      .from(articleCorrections)
      .where(inArray(articleCorrections.articleId, ids))
      .orderBy(asc(articleCorrections.articleId), asc(articleCorrections.createdAt), asc(articleCorrections.id))
      .prepare(),
    /** Keyset page statements by filter shape (see page()). */
    pages: new Map<string, { all(params: Record<string, unknown>): unknown[] }>(),
    nextVisible: db
      .select({ at: sql<string | null>`min(${articles.publishedAt})` })
      .from(articles)
      .where(and(inArray(articles.status, ['published', 'scheduled']), gt(articles.publishedAt, sql.placeholder('at')), isNull(articles.deletedAt)))
      .prepare(),
  };
}
const prepared = new WeakMap<object, ReturnType<typeof buildPrepared>>();
const epochs = new WeakMap<object, () => ContentEpochs>();
function preparedFor(db: Db) {
  let p = prepared.get(db.$client);
  if (!p) prepared.set(db.$client, (p = buildPrepared(db)));
  return p;
}

export function createArticlesRepository(db: Db) {
  const q = preparedFor(db);
  return {
    async findBySlug(slug: string): Promise<ArticleRow | undefined> {
      return q.bySlug.get({ slug });
    },
    /** The article with this slug, without its body (see findByIds for the whole row). */
    async headBySlug(slug: string): Promise<ArticleHead | undefined> {
      return q.headBySlug.get(slug);
    },
    /**
     * Numbers that change after committed writes to rendered content (src/db/contentEpoch.ts),
     * by this process (at once) or another (within `externalWritesMs`): what caches of rendered
     * articles key on (src/articles/cache.ts).
     */
    async contentEpochs(externalWritesMs: number): Promise<ContentEpochs> {
      let epoch = epochs.get(db.$client);
      if (!epoch) epochs.set(db.$client, (epoch = createContentEpoch(db, externalWritesMs)));
      return epoch();
    },
    /** The earliest publication time after `at` (ISO) of an article that is not visible yet: lists change then. */
    async nextVisibleAfter(at: string): Promise<string | null> {
      return q.nextVisible.get({ at })?.at ?? null;
    },
    /** The oldest publication time at or after `cutoff` of a live article: the next one to enter the archive. */
    async oldestPublishedFrom(cutoff: string): Promise<string | null> {
      const row = db
        .select({ at: sql<string | null>`min(${articles.publishedAt})` })
        .from(articles)
        .where(and(sql`${articles.publishedAt} >= ${cutoff}`, inArray(articles.status, ['published', 'scheduled']), isNull(articles.deletedAt)))
        .get();
      return row?.at ?? null;
    },
    async findById(id: number): Promise<ArticleRow | undefined> {
      return db.select(ROW_COLUMNS).from(articles).where(eq(articles.id, id)).get();
    },
    async findByIds(ids: number[]): Promise<ArticleRow[]> {
      if (ids.length === 0) return [];
      return q.byIds.all({ ids: JSON.stringify(ids) });
    },
    /** The article that used to have `slug`. */
    async findByOldSlug(slug: string): Promise<ArticleRow | undefined> {
      const row = db.select({ id: articleSlugs.articleId }).from(articleSlugs).where(eq(articleSlugs.slug, slug)).get();
      return row ? db.select(ROW_COLUMNS).from(articles).where(eq(articles.id, row.id)).get() : undefined;
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

    /**
     * One keyset page: the keys of its articles (id, version, access, publishedAt — from the
     * covering articles_published_id_idx for reader lists, no body read), not the articles: fetch
     * those with findByIds for what must be rendered. The statement is prepared once per filter shape.
     */
    async page(filter: ArticleFilter, sort: ArticleSort, after: { key: string; id: number } | null, limit: number): Promise<ArticlePageRow[]> {
      const readers = filter.visibleAt !== undefined;
      const k = sortKey(sort, readers);
      const query = (f: ArticleFilter, visibleAt: string, afterKey: unknown, afterId: unknown, lim: unknown) => {
        const conds = readers
          ? [...filterConditions({ ...f, status: 'all' }), visibleCondition(visibleAt, { seek: !after })]
          : filterConditions(f);
        if (after) {
          conds.push(k.desc ? sql`(${k.expr}, ${articles.id}) < (${afterKey}, ${afterId})` : sql`(${k.expr}, ${articles.id}) > (${afterKey}, ${afterId})`);
        }
        return db
          .select(sort === '-updatedAt' ? { ...PAGE_COLUMNS, updatedAt: articles.updatedAt } : PAGE_COLUMNS)
          .from(articles)
          .where(and(...conds))
          .orderBy(k.desc ? desc(k.expr) : asc(k.expr), k.desc ? desc(articles.id) : asc(articles.id))
          .limit(lim as number);
      };
      // With q the SQL depends on the caller's grant scope (which articles match by full text):
      // built for this request. (The FTS5 match costs far more than preparing.)
      if (filter.q !== undefined) return query(filter, filter.visibleAt ?? '', after?.key, after?.id, limit).all() as ArticlePageRow[];
      const present = FILTER_PARAMS.filter((name) => filter[name] !== undefined);
      const shape = `${sort}|${readers ? 'readers' : filter.status ?? '-'}|${after ? 'after' : 'first'}|${present.join(',')}`;
      let statement = q.pages.get(shape);
      if (!statement) {
        const p = <T>(name: string) => sql.placeholder(name) as unknown as T;
        const f: ArticleFilter = { now: p('now'), status: filter.status };
        for (const name of present) (f as unknown as Record<string, unknown>)[name] = sql.placeholder(name);
        statement = query(f, p('visibleAt'), sql.placeholder('afterKey'), sql.placeholder('afterId'), sql.placeholder('limit')).prepare();
        q.pages.set(shape, statement);
      }
      const params: Record<string, unknown> = { now: filter.now, visibleAt: filter.visibleAt, afterKey: after?.key, afterId: after?.id, limit };
      for (const name of present) params[name] = filter[name];
      return statement.all(params) as ArticlePageRow[];
    },
    /** A relevance-ordered page for a filter with q (bm25 keyset over rank and id; src/search/ranking.ts). */
    async ranked(filter: ArticleFilter, cursor: string | undefined, limit: number): Promise<RankedPage> {
      return rankedPage(db, matchingOf(filter)!, filterConditions({ ...filter, q: undefined }), cursor, limit);
    },
    async count(filter: ArticleFilter): Promise<number> {
      return db.$count(articles, and(...filterConditions(filter)));
    },

    /** Sections, bylines, tags and corrections of many articles at once (no N+1). */
    async related(rows: Pick<ArticleRow, 'id' | 'sectionId'>[]) {
      const ids = rows.map((r) => r.id);
      const sectionIds = [...new Set(rows.map((r) => r.sectionId).filter((v): v is number => v !== null))];
      const sectionMap = new Map<number, SectionRef>();
      if (sectionIds.length > 0) {
        for (const s of q.sections.all({ ids: JSON.stringify(sectionIds) })) sectionMap.set(s.id, s);
      }
      const bylines = new Map<number, AuthorRef[]>();
      const tagMap = new Map<number, TagRef[]>();
      const corrections = new Map<number, CorrectionRef[]>();
      if (ids.length > 0) {
        const list = { ids: JSON.stringify(ids) };
        for (const { articleId, ...ref } of q.bylines.all(list)) (bylines.get(articleId) ?? bylines.set(articleId, []).get(articleId)!).push(ref);
        for (const { articleId, ...ref } of q.tags.all(list)) (tagMap.get(articleId) ?? tagMap.set(articleId, []).get(articleId)!).push(ref);
        const c = q.corrections.all(list);
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
        purgeArticleWrite(tx, null, articlePurgeState(tx, created.id, revision.createdAt), 'create', revision.createdAt); // the CDN, same transaction
        return created;
      });
    },

    /**
     * Applies a change if the stored version is still `expectedVersion` (undefined when it moved on),
     * with bylines, tags, slug redirects, a correction and the revision, in one transaction.
     */
    async change(c: ArticleChange): Promise<ArticleRow | undefined> {
      return db.transaction((tx) => {
        const before = articlePurgeState(tx, c.id, c.revision.createdAt);
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
        purgeArticleWrite(tx, before, articlePurgeState(tx, c.id, c.revision.createdAt), c.revision.action, c.revision.createdAt); // the CDN too
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
        purgeEntityWrite(tx, kind, id, 'delete', at); // its answers and every list of the articles that showed it, same transaction
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
