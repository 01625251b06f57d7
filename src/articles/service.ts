import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { articleViewContext, viewArticle, type ArticleView } from '../access/articleView.js';
import { isAdmin, type Identity } from '../access/identity.js';
import { archiveCutoff, fullTextScope, isArchived } from '../access/policy.js';
import { HttpError, badRequest, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { ListMeta, decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';
import { imagePhotoIds, type Block } from '../content/blocks.js';
import { teaserColumns } from './teasers.js';
import { articleKey, articleKeys, listKeys } from '../lib/surrogateKeys.js';
import { createRenderCache, type CachedJson, type RenderCache } from './cache.js';
import type { ContentEpochs } from '../db/contentEpoch.js';
import { cleanInputBlocks } from '../content/inlineHtml.js';
import { MarkdownError, checkBlocks, markdownToBlocks } from '../content/markdown.js';
import { countWords, proseText, readingTimeMinutes, renderText } from '../content/render.js';
import { parseSearchQuery } from '../search/query.js';
import { rankedPage } from '../search/ranking.js';
import {
  createArticlesRepository,
  filterConditions,
  matchingOf,
  sortKey,
  type ArticleChange,
  type ArticleFilter,
  type ArticleHead,
  type ArticlePageRow,
  type ArticleInsert,
  type ArticleRow,
  type AuthorRef,
  type CorrectionRef,
  type RevisionRow,
  type SectionRef,
  type TagRef,
} from './repository.js';
import {
  ARTICLE_FIELDS,
  ARTICLE_FORMATS,
  ARTICLE_INCLUDES,
  ARTICLE_SORTS,
  type Article,
  type ArticleCreate,
  type ArticleField,
  type ArticleFormat,
  type ArticleGetQuery,
  type ArticleInclude,
  type ArticleListQuery,
  type ArticleStatus,
  type ArticleUpdate,
} from './schemas.js';
import { Article as ArticleSchema } from './schemas.js';

/**
 * Articles: the newsroom's core resource. Readers only ever see what `visible` says (published
 * or scheduled whose time has come, not deleted — a query on app.clock, no cron); what they may
 * read of it is decided by viewArticle (src/access/articleView.ts), the one reader's view.
 */

/** An article with what every representation needs (section, bylines, tags, corrections). */
export interface ArticleRecord extends Omit<ArticleRow, 'body'> {
  blocks: Block[];
  sectionSlug: string | null;
  section: SectionRef | null;
  authors: AuthorRef[];
  tags: TagRef[];
  corrections: CorrectionRef[];
}

export interface PresentOptions {
  /** null = every field. id, slug and access are always sent (and paywall when not granted). */
  fields: Set<ArticleField> | null;
  formats: Set<ArticleFormat>;
  includes: Set<ArticleInclude>;
  /** Only the single-article view spends a reader's meter. */
  spendMeter?: boolean;
}

export const FULL_VIEW: PresentOptions = {
  fields: null,
  formats: new Set(ARTICLE_FORMATS),
  includes: new Set(ARTICLE_INCLUDES),
};

// The key is the row's timestamp, or '' for an admin list's drafts (no publishedAt): anything else was forged.
const ListCursor = z.tuple([z.enum(ARTICLE_SORTS), z.union([z.literal(''), z.iso.datetime({ offset: true })]), z.number().int().positive()]);
const RevisionCursor = z.tuple([z.literal('rev'), z.number().int().positive()]);

/** Who made a change, for revisions. */
export function actorOf(identity: Identity): string {
  switch (identity.kind) {
    case 'apiKey':
      return `${identity.name} (key ${identity.keyId})`;
    case 'subscriber':
      return `subscriber ${identity.subscriberId}`;
    default:
      return 'anonymous';
  }
}

/** Readers see it: published (or scheduled and its time has come) and not deleted. */
export function isVisible(row: Pick<ArticleRow, 'status' | 'publishedAt' | 'deletedAt'>, now: Date): boolean {
  return (
    (row.status === 'published' || row.status === 'scheduled') &&
    row.publishedAt !== null &&
    Date.parse(row.publishedAt) <= now.getTime() &&
    row.deletedAt === null
  );
}

/** The status a caller sees: a scheduled article whose time has come is published. */
export function effectiveStatus(row: Pick<ArticleRow, 'status' | 'publishedAt'>, now: Date): ArticleStatus {
  if (row.status === 'scheduled' && row.publishedAt && Date.parse(row.publishedAt) <= now.getTime()) return 'published';
  return row.status;
}

const iso = (s: string) => new Date(s).toISOString();
const isFuture = (s: string | null, now: Date) => s !== null && Date.parse(s) > now.getTime();

function parseList<T extends string>(raw: string | undefined, allowed: readonly T[], param: string): Set<T> | null {
  if (raw === undefined) return null;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new HttpError(400, `Unknown ${param} ${unknown.map((u) => `"${u}"`).join(', ')}; allowed: ${allowed.join(', ')}`, {
      errors: unknown.map((u) => ({ pointer: `/query/${param}`, detail: `"${u}" is not one of ${allowed.join(', ')}` })),
    });
  }
  return new Set(names as T[]);
}

/** Parses fields/format/include with their defaults (single article: everything; lists: no body, no embeds). */
export function viewOptions(query: { fields?: string; format?: string; include?: string }, single: boolean): PresentOptions {
  const fields = parseList(query.fields, ARTICLE_FIELDS, 'fields');
  let formats = parseList(query.format, ARTICLE_FORMATS, 'format');
  let includes = parseList(query.include, ARTICLE_INCLUDES, 'include');
  if (!formats) {
    formats = fields
      ? new Set(ARTICLE_FORMATS.filter((f) => fields.has(f)))
      : new Set(single ? ARTICLE_FORMATS : []);
  }
  if (!includes) {
    includes = fields
      ? new Set(ARTICLE_INCLUDES.filter((i) => fields.has(i)))
      : new Set(single ? ARTICLE_INCLUDES : []);
  }
  return { fields, formats, includes };
}

/** The state a revision keeps: every editable field, bylines and tags as slugs, workflow fields. */
function snapshotOf(r: ArticleRecord): Record<string, unknown> {
  return {
    slug: r.slug,
    headline: r.headline,
    standfirst: r.standfirst,
    excerpt: r.excerpt,
    body: r.blocks,
    dateline: r.dateline,
    section: r.sectionSlug,
    authors: r.authors.map((a) => a.slug),
    tags: r.tags.map((t) => t.slug),
    sources: r.sources,
    language: r.language,
    canonicalUrl: r.canonicalUrl,
    seoTitle: r.seoTitle,
    seoDescription: r.seoDescription,
    featuredPhotoId: r.featuredPhotoId,
    access: r.access,
    status: r.status,
    publishedAt: r.publishedAt,
    scheduledFor: r.scheduledFor,
    deletedAt: r.deletedAt,
    corrections: r.corrections.length,
  };
}

function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((k) => !k.startsWith('_') && JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after[k] ?? null));
}

/** Fields restoring a revision brings back: content, not slug or workflow. */
const RESTORABLE = [
  'headline', 'standfirst', 'excerpt', 'body', 'dateline', 'section', 'authors', 'tags', 'sources', 'language',
  'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access',
] as const;

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

/** What the render cache holds: article JSON, whole answers (list pages, search results, with their next cursor), counts. */
type CacheEntry = CachedJson & { nextCursor?: string | null };

/** A whole JSON answer (a list page, search results), as cachedAnswer keeps it. */
export interface CachedAnswer {
  json: Buffer;
  etag: string;
  nextCursor: string | null;
  /** Epoch ms until which time alone leaves it true (Infinity: only a write changes it). */
  validUntil: number;
  /** The sets of articles it shows, as CDN surrogate keys (src/lib/surrogateKeys.ts). */
  keys: string[];
}

/** One rendered-article cache per database, shared by every service instance (routes, search, feeds). */
const renderCaches = new WeakMap<object, RenderCache<CacheEntry>>();

/** The article JSON exactly as the API sends it: encoded through the Article schema (which checks it), then stringified. */
export const articleJson = (article: Article): string => JSON.stringify(ArticleSchema.encode(article));

const LIST_OPEN = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');

/**
 * Article heads by slug (what locate() reads on every single-article request), one small LRU per
 * database beside the render cache (a head is ~100 bytes: they do not take the JSON's room).
 * The key holds the articles epoch, so any article write retires them; heads show nothing from
 * shared tables, so a shared write leaves them.
 */
const headCaches = new WeakMap<object, LRUCache<string, ArticleHead>>();
function headsOf(db: object) {
  let lru = headCaches.get(db);
  if (!lru) headCaches.set(db, (lru = new LRUCache<string, ArticleHead>({ max: 50_000 })));
  const cache = lru;
  const key = (slug: string, epochs: ContentEpochs) => `${epochs.articles}:${slug}`;
  return {
    get: (slug: string, epochs: ContentEpochs) => cache.get(key(slug, epochs)),
    set: (slug: string, head: ArticleHead, epochs: ContentEpochs) => void cache.set(key(slug, epochs), head),
  };
}

/** The view options as part of a cache key. */
const optionsKey = (o: PresentOptions) =>
  `${o.fields ? [...o.fields].sort().join(',') : '*'}|${[...o.formats].sort().join(',')}|${[...o.includes].sort().join(',')}`;

export function createArticlesService(app: FastifyInstance) {
  const repo = createArticlesRepository(app.db);
  const now = () => app.clock.now();
  let cache = renderCaches.get(app.db);
  if (!cache) {
    cache = createRenderCache<CacheEntry>({ maxBytes: app.config.CACHE_ARTICLES_MB * 1024 * 1024, epochs: () => repo.contentEpochs(app.config.CACHE_EXTERNAL_WRITES_MS) });
    renderCaches.set(app.db, cache);
  }
  const renderCache = cache;
  const heads = headsOf(app.db);
  const policy = { archiveAfterDays: app.config.ARCHIVE_AFTER_DAYS };

  /**
   * The audience of a cache key: everything about the caller (and the time) that shapes an
   * article's JSON, so that callers with the same audience get the same bytes. Null when the
   * answer is personal and rendered each time: a metered reader (the meter is in the answer and
   * a read may spend it), API keys (licence terms; admins see drafts and deletedAt).
   */
  function audienceOf(identity: Identity, row: Pick<ArticleRow, 'id' | 'access' | 'publishedAt'>, at: Date): string | null {
    const caller = listAudienceOf(identity);
    if (caller === null) return null;
    const archived = isArchived({ id: row.id, level: row.access, publishedAt: row.publishedAt, sectionSlug: null }, at, policy);
    return `${caller}:${archived ? 'archive' : 'recent'}`;
  }

  /** The cache key of an article's JSON for this caller and view (`optionsKey`), or null when the answer is personal. */
  function cacheKeyOf(row: Pick<ArticleRow, 'id' | 'version' | 'access' | 'publishedAt'>, identity: Identity, view: string, at: Date): string | null {
    const audience = audienceOf(identity, row, at);
    return audience === null ? null : `${row.id}:${row.version}:${view}:${audience}`;
  }

  /** The audience of a whole list page: anonymous, or a subscriber's entitlements without a meter; null when personal. */
  function listAudienceOf(identity: Identity): string | null {
    if (identity.kind === 'anonymous') return 'anonymous';
    if (identity.kind === 'subscriber' && identity.entitlements.meter === null) {
      const e = identity.entitlements;
      return `subscriber:${e.levels.join('+')}:${e.archive}:${e.sections?.join('+') ?? '*'}`;
    }
    return null;
  }

  /** When (epoch ms) an article passes into the archive, if that is still ahead; else Infinity. */
  function archivedFrom(row: Pick<ArticleRow, 'publishedAt'>, at: Date): number {
    if (policy.archiveAfterDays <= 0 || !row.publishedAt) return Infinity;
    // isArchived: older than the limit, strictly — archived from the millisecond after it.
    const from = Date.parse(row.publishedAt) + policy.archiveAfterDays * 86_400_000 + 1;
    return from > at.getTime() ? from : Infinity;
  }

  /** Whole rows for heads (or page rows), in the same order. */
  async function withBodies(heads: { id: number }[]): Promise<ArticleRow[]> {
    const byId = new Map((await repo.findByIds(heads.map((h) => h.id))).map((r) => [r.id, r]));
    return heads.map((h) => byId.get(h.id)).filter((r): r is ArticleRow => r !== undefined);
  }

  /**
   * Article JSON (and ETag) for each row as `identity` sees it: from the rendered-article cache
   * (src/articles/cache.ts) when an entry for this version, view and audience is there, else
   * rendered through present() — THE reader's view — serialised through the Article schema and
   * cached. Rows may be heads: bodies are read only for what must be rendered.
   */
  async function renderJson(rows: (ArticlePageRow | ArticleHead | ArticleRow)[], identity: Identity, opts: PresentOptions, at: Date): Promise<CachedJson[]> {
    const mark = await renderCache.sync();
    const t = at.getTime();
    const view = optionsKey(opts);
    const keys = rows.map((r) => cacheKeyOf(r, identity, view, at));
    const out = keys.map((k) => (k === null ? undefined : renderCache.get(k, t)));
    const missing = rows.filter((_, i) => out[i] === undefined);
    if (missing.length === 0) return out as CachedJson[];
    const full = missing.every((r) => 'body' in r) ? (missing as ArticleRow[]) : await withBodies(missing);
    const records = await hydrate(full);
    const { items, views } = await present(records, identity, opts);
    const needPhotos = opts.includes.has('photos') || opts.formats.has('html') || opts.formats.has('text');
    const rendered = new Map<number, CachedJson>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const json = Buffer.from(articleJson(items[i]));
      const digest = createHash('sha1').update(json).digest('hex').slice(0, 10);
      // What time alone would change: a first publication still ahead, a photo's expiry.
      let validUntil = isFuture(r.firstPublishedAt, at) ? Date.parse(r.firstPublishedAt!) : Infinity;
      if (needPhotos && views[i].photoIds.length > 0 && app.photoEmbedder.nextExpiry) {
        const expiry = await app.photoEmbedder.nextExpiry(views[i].photoIds, at);
        if (expiry) validUntil = Math.min(validUntil, Date.parse(expiry));
      }
      rendered.set(r.id, { json, etag: `"v${r.version}-${views[i].audience}-${digest}"`, validUntil, keys: keysOf(r) });
    }
    return rows.map((r, i) => {
      const hit = out[i];
      if (hit) return hit;
      const entry = rendered.get(r.id);
      if (!entry) throw new Error(`article ${r.id} vanished while rendering`);
      if (keys[i] !== null) renderCache.set(keys[i]!, entry, mark);
      return entry;
    });
  }

  /**
   * The number of articles a list filter matches, cached until an article write (the key holds
   * the articles epoch) or the next scheduled article going live, since that changes the count.
   */
  async function countOf(filter: ArticleFilter, at: Date): Promise<number> {
    const mark = await renderCache.sync();
    const { now: _now, visibleAt, archiveCutoff: cutoff, ...rest } = filter;
    const key = `count:${mark.articles}:${visibleAt !== undefined ? 'readers' : 'admin'}:${JSON.stringify(rest)}`;
    const hit = renderCache.get(key, at.getTime());
    if (hit) return Number(hit.json.toString());
    const n = await repo.count(filter);
    const next = await repo.nextVisibleAfter(at.toISOString());
    const validUntil = Math.min(next ? Date.parse(next) : Infinity, await nextArchiveCrossing(cutoff));
    renderCache.set(key, { json: Buffer.from(String(n)), validUntil }, mark);
    return n;
  }

  /**
   * When the next live article enters the archive (epoch ms), for answers whose MATCHES depend on
   * it (q: an archived article is matched by its teaser for callers without archive access);
   * Infinity without a cutoff (no q, or no archive rule).
   */
  async function nextArchiveCrossing(cutoff: string | null | undefined): Promise<number> {
    if (!cutoff) return Infinity;
    const oldest = await repo.oldestPublishedFrom(cutoff);
    // isArchived: older than the limit, strictly — archived from the millisecond after it.
    return oldest ? Date.parse(oldest) + policy.archiveAfterDays * 86_400_000 + 1 : Infinity;
  }

  /** The CDN keys of an answer showing this article: itself and everything it may embed. */
  function keysOf(r: ArticleRecord): string[] {
    const photoIds = [
      ...(r.featuredPhotoId ? [r.featuredPhotoId] : []),
      ...imagePhotoIds(r.blocks),
      ...r.authors.map((a) => a.photoId).filter((id): id is number => id !== null),
    ];
    return articleKeys({ id: r.id, sectionId: r.sectionId, tagIds: r.tags.map((t) => t.id), authorIds: r.authors.map((a) => a.id), photoIds });
  }

  /** Loads sections, bylines, tags and corrections for rows (four queries for any number of rows). */
  async function hydrate(rows: ArticleRow[]): Promise<ArticleRecord[]> {
    const rel = await repo.related(rows);
    return rows.map(({ body, ...r }) => {
      const section = r.sectionId !== null ? rel.sections.get(r.sectionId) ?? null : null;
      return {
        ...r,
        blocks: body as Block[],
        section,
        sectionSlug: section?.slug ?? null,
        authors: rel.bylines.get(r.id) ?? [],
        tags: rel.tags.get(r.id) ?? [],
        corrections: rel.corrections.get(r.id) ?? [],
      };
    });
  }

  async function recordBySlug(slug: string, options: { allowDeleted?: boolean } = {}): Promise<ArticleRecord> {
    const row = await repo.findBySlug(slug);
    if (!row || (row.deletedAt && !options.allowDeleted)) throw notFound(`Article "${slug}"`);
    return (await hydrate([row]))[0];
  }

  function checkVersion(current: ArticleRecord, expected: number | null | 'any') {
    if (typeof expected === 'number' && expected !== current.version) {
      throw new HttpError(412, `The article is at version ${current.version}; your change was based on another`);
    }
  }

  /**
   * Renders records for `identity`: each through viewArticle (teaser for callers without access),
   * photos embedded in one call for the whole page.
   */
  async function present(records: ArticleRecord[], identity: Identity, opt: PresentOptions): Promise<{ items: Article[]; views: ArticleView[] }> {
    const at = now();
    const ctx = articleViewContext(app, { spendMeter: opt.spendMeter ?? false, now: at });
    const views: ArticleView[] = [];
    for (const r of records) views.push(await viewArticle(r, identity, ctx));
    const needPhotos = opt.includes.has('photos') || opt.formats.has('html') || opt.formats.has('text');
    const photoIds = needPhotos ? [...new Set(views.flatMap((v) => v.photoIds))] : [];
    const photos: Map<number, EmbeddedPhoto> = photoIds.length > 0 ? await app.photoEmbedder.embed(photoIds, at) : new Map();
    const admin = isAdmin(identity);
    const usageTerms = identity.kind === 'apiKey' ? identity.licence?.usageTerms ?? undefined : undefined;

    const items = records.map((r, i) => {
      const v = views[i];
      const full: Article = {
        id: r.id,
        slug: r.slug,
        headline: r.headline,
        standfirst: r.standfirst,
        excerpt: v.excerpt,
        dateline: r.dateline,
        language: r.language,
        canonicalUrl: r.canonicalUrl,
        seoTitle: r.seoTitle,
        seoDescription: r.seoDescription,
        featuredPhotoId: r.featuredPhotoId,
        sectionSlug: r.sectionSlug,
        authorSlugs: r.authors.map((a) => a.slug),
        tagSlugs: r.tags.map((t) => t.slug),
        sources: r.sources,
        wordCount: r.wordCount,
        readingTimeMinutes: r.readingTimeMinutes,
        status: effectiveStatus(r, at),
        access: v.access,
        paywall: v.paywall,
        ...(v.subscribePrompt ? { subscribePrompt: v.subscribePrompt } : {}),
        publishedAt: r.publishedAt,
        firstPublishedAt: isFuture(r.firstPublishedAt, at) ? null : r.firstPublishedAt,
        scheduledFor: r.scheduledFor,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        ...(admin ? { deletedAt: r.deletedAt } : {}),
        version: r.version,
        corrections: r.corrections,
        ...(opt.formats.has('blocks') ? { blocks: v.blocks } : {}),
        ...(opt.formats.has('html') ? { html: v.html(photos) } : {}),
        ...(opt.formats.has('text') ? { text: v.text(photos) } : {}),
        ...(opt.includes.has('section') ? { section: r.section } : {}),
        ...(opt.includes.has('authors') ? { authors: r.authors } : {}),
        ...(opt.includes.has('tags') ? { tags: r.tags } : {}),
        ...(opt.includes.has('photos') ? { photos: v.photoIds.map((id) => photos.get(id)).filter((p): p is EmbeddedPhoto => !!p) } : {}),
        // A partner's licence terms travel with every article it receives (src/keys/licences.ts).
        ...(usageTerms ? { usageTerms } : {}),
      };
      if (!opt.fields) return full;
      const out: Record<string, unknown> = { id: full.id, slug: full.slug, access: full.access, ...(usageTerms ? { usageTerms } : {}) };
      if (!v.granted) out.paywall = full.paywall;
      for (const f of opt.fields) if (f in full) out[f] = full[f as keyof Article];
      return out as Article;
    });
    return { items, views };
  }

  // ---- validation of references ------------------------------------------------------------------

  interface Resolved {
    blocks?: Block[];
    sectionId?: number | null;
    authorIds?: number[];
    tagIds?: number[];
  }

  function blocksFromInput(input: { body?: Block[]; bodyMarkdown?: string }): Block[] | undefined {
    if (input.bodyMarkdown !== undefined) {
      let blocks: Block[];
      try {
        blocks = markdownToBlocks(input.bodyMarkdown);
      } catch (err) {
        if (err instanceof MarkdownError) throw badRequest(`bodyMarkdown: ${err.message}`, '/body/bodyMarkdown');
        throw err;
      }
      const problem = checkBlocks(blocks);
      if (problem) throw badRequest(`bodyMarkdown: ${problem}`, '/body/bodyMarkdown');
      return blocks;
    }
    return input.body && cleanInputBlocks(input.body);
  }

  async function resolve(input: Partial<ArticleCreate>, pointerBase = '/body'): Promise<Resolved> {
    const out: Resolved = {};
    const errors: { pointer: string; detail: string }[] = [];
    out.blocks = blocksFromInput(input);
    if (input.section !== undefined) {
      if (input.section === null) out.sectionId = null;
      else {
        const s = await repo.sectionBySlug(input.section);
        if (!s) errors.push({ pointer: `${pointerBase}/section`, detail: `no section has the slug "${input.section}"` });
        else out.sectionId = s.id;
      }
    }
    if (input.authors !== undefined) {
      const map = await repo.authorsBySlugs(input.authors);
      input.authors.forEach((slug, i) => {
        if (!map.has(slug)) errors.push({ pointer: `${pointerBase}/authors/${i}`, detail: `no author has the slug "${slug}"` });
      });
      out.authorIds = input.authors.map((s) => map.get(s)!);
    }
    if (input.tags !== undefined) {
      const map = await repo.tagsBySlugs(input.tags);
      input.tags.forEach((slug, i) => {
        if (!map.has(slug)) errors.push({ pointer: `${pointerBase}/tags/${i}`, detail: `no tag has the slug "${slug}"` });
      });
      out.tagIds = input.tags.map((s) => map.get(s)!);
    }
    // Photos: only those this change references.
    const featured = input.featuredPhotoId ?? null;
    const images = out.blocks ? imagePhotoIds(out.blocks) : [];
    const ids = [...new Set([...(featured !== null ? [featured] : []), ...images])];
    if (ids.length > 0) {
      const missing = new Set(await app.photoEmbedder.missing(ids));
      if (featured !== null && missing.has(featured)) {
        errors.push({ pointer: `${pointerBase}/featuredPhotoId`, detail: `no photo has the id ${featured}` });
      }
      out.blocks?.forEach((b, i) => {
        if (b.type === 'image' && missing.has(b.photoId)) {
          errors.push({
            pointer: input.bodyMarkdown !== undefined ? `${pointerBase}/bodyMarkdown` : `${pointerBase}/body/${i}/photoId`,
            detail: `no photo has the id ${b.photoId}`,
          });
        }
      });
    }
    if (errors.length > 0) {
      throw new HttpError(422, `The article refers to things that do not exist: ${errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`, { errors });
    }
    return out;
  }

  function bodyColumns(blocks: Block[]) {
    const words = countWords(proseText(blocks));
    return {
      body: blocks,
      bodyText: renderText(blocks),
      ...teaserColumns(blocks, app.config.TEASER_BLOCKS),
      wordCount: words,
      readingTimeMinutes: readingTimeMinutes(words, app.config.READING_WPM),
    };
  }

  async function freeSlug(base: string): Promise<string> {
    const taken = await repo.slugsLike(base);
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  /** Applies a change with its revision; maps races to 412/409. */
  async function apply(current: ArticleRecord, change: Omit<ArticleChange, 'id' | 'expectedVersion' | 'revision'>, action: string, actor: string, extraSnapshot: Record<string, unknown> = {}): Promise<ArticleRecord> {
    const at = now().toISOString();
    const patch = { ...change.patch, updatedAt: at };
    // The revision's snapshot: the current state with the change laid over it.
    const after = await snapshotAfter(current, { ...change, patch });
    const snapshot = { ...after, ...extraSnapshot };
    let updated: ArticleRow | undefined;
    try {
      updated = await repo.change({
        ...change,
        patch,
        id: current.id,
        expectedVersion: current.version,
        revision: { action, changedFields: changedFields(snapshotOf(current), after), snapshot, actor, createdAt: at },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('Another article took that slug meanwhile; choose another');
      throw err;
    }
    if (!updated) throw new HttpError(412, 'The article changed while you were editing it; fetch it and try again');
    return (await hydrate([updated]))[0];
  }

  async function snapshotAfter(current: ArticleRecord, change: Omit<ArticleChange, 'id' | 'expectedVersion' | 'revision'>): Promise<Record<string, unknown>> {
    const p = change.patch;
    const s = snapshotOf(current);
    for (const k of ['slug', 'headline', 'standfirst', 'excerpt', 'dateline', 'sources', 'language', 'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access', 'status', 'publishedAt', 'scheduledFor', 'deletedAt'] as const) {
      if (p[k] !== undefined) s[k] = p[k];
    }
    if (p.body !== undefined) s.body = p.body;
    if (p.sectionId !== undefined) {
      s.section = p.sectionId === null ? null : await repo.sectionSlugById(p.sectionId);
    }
    if (change.authorIds) {
      const rel = await repo.slugsByIds('author', change.authorIds);
      s.authors = change.authorIds.map((id) => rel.get(id));
    }
    if (change.tagIds) {
      const rel = await repo.slugsByIds('tag', change.tagIds);
      s.tags = change.tagIds.map((id) => rel.get(id));
    }
    if (change.correction) s.corrections = current.corrections.length + 1;
    return s;
  }

  /**
   * Workflow columns for publishing at `at` (now when omitted): past/now = published, future = scheduled.
   * `t`: the write's own time (create passes the instant it stamps createdAt and the change with).
   */
  function publishColumns(current: Pick<ArticleRow, 'publishedAt' | 'firstPublishedAt' | 'status'> | null, atInput: string | undefined, t: Date = now()): Partial<ArticleInsert> {
    if (atInput !== undefined && Date.parse(atInput) > t.getTime()) return scheduleColumns(current, atInput, t);
    const keepDate = current && current.publishedAt && !isFuture(current.publishedAt, t) && atInput === undefined;
    const publishedAt = atInput !== undefined ? iso(atInput) : keepDate ? current!.publishedAt! : t.toISOString();
    const firstLive = current?.firstPublishedAt && !isFuture(current.firstPublishedAt, t) ? current.firstPublishedAt : publishedAt;
    return { status: 'published', publishedAt, scheduledFor: null, firstPublishedAt: firstLive };
  }

  function scheduleColumns(current: Pick<ArticleRow, 'firstPublishedAt'> | null, atInput: string, t: Date = now()): Partial<ArticleInsert> {
    const at = iso(atInput);
    const firstLive = current?.firstPublishedAt && !isFuture(current.firstPublishedAt, t) ? current.firstPublishedAt : at;
    return { status: 'scheduled', publishedAt: at, scheduledFor: at, firstPublishedAt: firstLive };
  }

  async function resolveFilter(
    query: Pick<ArticleListQuery, 'status' | 'section' | 'tag' | 'author' | 'from' | 'to' | 'access' | 'q'>,
    identity: Identity,
    at: Date,
  ): Promise<ArticleFilter> {
    const admin = isAdmin(identity);
    if (query.status !== undefined && query.status !== 'published' && !admin) {
      if (identity.kind === 'anonymous') {
        throw new HttpError(401, 'Listing by workflow status needs an API key with the "admin" scope', { headers: { 'www-authenticate': 'Bearer' } });
      }
      throw new HttpError(403, 'Listing by workflow status needs the "admin" scope');
    }
    const filter: ArticleFilter = { now: at.toISOString() };
    if (admin) filter.status = query.status;
    else filter.visibleAt = at.toISOString();
    const errors: { pointer: string; detail: string }[] = [];
    if (query.section) {
      const s = await repo.sectionBySlug(query.section);
      if (s) filter.sectionId = s.id;
      else errors.push({ pointer: '/query/section', detail: `no section has the slug "${query.section}"` });
    }
    if (query.tag) {
      const id = (await repo.tagsBySlugs([query.tag])).get(query.tag);
      if (id !== undefined) filter.tagId = id;
      else errors.push({ pointer: '/query/tag', detail: `no tag has the slug "${query.tag}"` });
    }
    if (query.author) {
      const id = (await repo.authorsBySlugs([query.author])).get(query.author);
      if (id !== undefined) filter.authorId = id;
      else errors.push({ pointer: '/query/author', detail: `no author has the slug "${query.author}"` });
    }
    if (errors.length > 0) throw new HttpError(400, errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), { errors });
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
    if (query.from) filter.from = iso(dateOnly.test(query.from) ? `${query.from}T00:00:00Z` : query.from);
    if (query.to) {
      filter.to = dateOnly.test(query.to)
        ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000).toISOString()
        : iso(query.to);
    }
    if (filter.from && filter.to && filter.from >= filter.to) throw badRequest('"from" must be before "to"', '/query/from');
    if (query.access) filter.access = query.access;
    // Full-text search: the query language of src/search/query.ts (a 400 that says why when it can't be understood).
    if (query.q) {
      filter.q = parseSearchQuery(query.q).match;
      // Matching is the access policy's too: a caller without access to an article's full text
      // matches it by what they may read (its teaser), unless the publisher opted in to discovery
      // by the full text (SEARCH_FULL_TEXT_DISCOVERY). Snippets never come from unreadable text.
      filter.qScope = app.config.SEARCH_FULL_TEXT_DISCOVERY ? 'all' : fullTextScope(identity);
      filter.archiveCutoff = archiveCutoff(at, policy);
    }
    return filter;
  }

  /** The rows (heads) of one list page, its view options and its meta; both list() and listJson() use it. */
  async function listPage(query: ArticleListQuery, identity: Identity): Promise<{
    rows: (ArticlePageRow | ArticleRow)[];
    opts: PresentOptions;
    at: Date;
    filter: ArticleFilter;
    meta: { nextCursor: string | null; total?: number };
    keys: string[];
  }> {
    const opts = viewOptions(query, false);
    const at = now();
    const filter = await resolveFilter(query, identity, at);
    // With q the default order is relevance (bm25, keyset over rank and id; see src/search/ranking.ts).
    const sort = query.sort ?? (filter.q ? 'relevance' : '-publishedAt');
    if (sort === 'relevance') {
      if (!filter.q) throw badRequest('sort=relevance needs a search query in q', '/query/sort');
      const ranked = await rankedPage(app.db, matchingOf(filter)!, filterConditions({ ...filter, q: undefined }), query.cursor, query.limit);
      const byId = new Map((await repo.findByIds(ranked.hits.map((h) => h.id))).map((r) => [r.id, r]));
      const rows = ranked.hits.map((h) => byId.get(h.id)).filter((r): r is ArticleRow => r !== undefined);
      return { rows, opts, at, filter, meta: { nextCursor: ranked.nextCursor, total: ranked.total }, keys: listKeys(filter) };
    }
    let after: { key: string; id: number } | null = null;
    if (query.cursor) {
      const [cursorSort, key, id] = decodeCursor(query.cursor, ListCursor);
      if (cursorSort !== sort) {
        throw new HttpError(400, 'The cursor belongs to a list with another sort order', {
          errors: [{ pointer: '/query/cursor', detail: `was issued for sort=${cursorSort}` }],
        });
      }
      after = { key, id };
    }
    const rows = await repo.page(filter, sort, after, query.limit + 1);
    const more = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const key = sortKey(sort, filter.visibleAt !== undefined);
    return {
      rows: page,
      opts,
      at,
      filter,
      keys: listKeys(filter),
      meta: {
        nextCursor: more && last ? encodeCursor([sort, key.of(last), last.id]) : null,
        // The count costs a pass over everything the filter matches: only the first page has it.
        ...(query.cursor ? {} : { total: await countOf(filter, at) }),
      },
    };
  }

  /**
   * The article (head) behind a slug that this caller may see, or where an old slug moved; else 404.
   * Heads are cached with rendered articles (any write empties both); visibility is checked each time.
   */
  /**
   * A whole answer that depends on the set of articles (a list page, search results), cached for
   * callers whose answer is not personal: keyed by `scope`, the query as validated and the
   * articles epoch, so any article write retires it (a shared write empties the cache), and
   * bounded by the answer's own `validUntil` (see answerValidUntil). Personal callers get `build()`.
   */
  async function cachedAnswer(scope: string, query: object, identity: Identity, build: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const mark = await renderCache.sync();
    const audience = listAudienceOf(identity);
    if (audience === null) return build();
    const key = `${scope}:${mark.articles}:${audience}:${JSON.stringify(query, Object.keys(query).sort())}`;
    const hit = renderCache.get(key, now().getTime());
    if (hit) return { json: hit.json, etag: hit.etag!, nextCursor: hit.nextCursor ?? null, validUntil: hit.validUntil, keys: hit.keys ?? [] };
    const answer = await build();
    renderCache.set(key, answer, mark);
    return answer;
  }

  /**
   * When an answer showing `rows` stops being true by time alone: the next scheduled story going
   * live, an item entering the archive, an item's own limit (`itemLimits`: a photo's expiry).
   */
  async function answerValidUntil(rows: Pick<ArticleRow, 'publishedAt'>[], itemLimits: number[], at: Date, filter?: ArticleFilter): Promise<number> {
    const next = await repo.nextVisibleAfter(at.toISOString());
    const crossing = await nextArchiveCrossing(filter?.archiveCutoff);
    return Math.min(next ? Date.parse(next) : Infinity, crossing, ...itemLimits, ...rows.map((r) => archivedFrom(r, at)));
  }

  async function locate(slug: string, identity: Identity, at: Date): Promise<{ redirect: string; id: number } | { head: ArticleHead }> {
    const admin = isAdmin(identity);
    const canSee = (r: ArticleHead) => (admin ? true : isVisible(r, at));
    const mark = await renderCache.sync();
    let head = heads.get(slug, mark);
    if (!head) {
      head = await repo.headBySlug(slug);
      if (head) heads.set(slug, head, mark);
    }
    if (!head) {
      const moved = await repo.findByOldSlug(slug);
      if (moved && canSee(moved)) return { redirect: moved.slug, id: moved.id };
      throw notFound(`Article "${slug}"`);
    }
    if (!canSee(head)) throw notFound(`Article "${slug}"`);
    return { head };
  }

  async function writeResult(record: ArticleRecord, identity: Identity): Promise<Article> {
    return (await present([record], identity, FULL_VIEW)).items[0];
  }

  return {
    hydrate,
    present,
    /** List query → repository filter (visibility for readers, status for admins, slugs → ids). Throws 4xx. */
    resolveFilter,

    /** Visible (to readers, now) articles by id, in the order of `ids`. For search, feeds, webhooks. */
    async findVisibleByIds(ids: number[]): Promise<ArticleRecord[]> {
      const at = now();
      const rows = (await repo.findByIds(ids)).filter((r) => isVisible(r, at));
      const byId = new Map((await hydrate(rows)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id)).filter((r): r is ArticleRecord => !!r);
    },

    /** A list page (and, apart, the CDN keys of the set it shows). */
    async list(query: ArticleListQuery, identity: Identity): Promise<{ data: Article[]; meta: { nextCursor: string | null; total?: number }; keys: string[] }> {
      const page = await listPage(query, identity);
      const { items } = await present(await hydrate(await withBodies(page.rows)), identity, page.opts);
      return { data: items, meta: page.meta, keys: page.keys };
    },

    /** list() as the JSON the API sends (ArticleList), items from the rendered-article cache. */
    cachedAnswer,
    answerValidUntil,

    /** A list page as JSON: items from the rendered-article cache, the page itself cached as a whole (cachedAnswer). */
    async listJson(query: ArticleListQuery, identity: Identity): Promise<CachedAnswer> {
      return cachedAnswer('list', query, identity, async () => {
        const page = await listPage(query, identity);
        const items = await renderJson(page.rows, identity, page.opts, page.at);
        const meta = JSON.stringify(ListMeta.encode(page.meta));
        const parts: Buffer[] = [LIST_OPEN];
        items.forEach((item, i) => parts.push(...(i > 0 ? [COMMA, item.json] : [item.json])));
        parts.push(Buffer.from(`],"meta":${meta}}`));
        // The items' ETags stand for their bytes: hashing them (and the meta) is hashing the page.
        const etag = `"l-${createHash('sha1').update(`${items.map((i) => i.etag).join(',')}|${meta}`).digest('base64url')}"`;
        const validUntil = await answerValidUntil(page.rows, items.map((i) => i.validUntil), page.at, page.filter);
        return { json: Buffer.concat(parts), etag, nextCursor: page.meta.nextCursor, validUntil, keys: page.keys };
      });
    },

    /**
     * The single-article read: an article this caller may see, a redirect when `slug` is an old
     * slug, or 404. Spends the meter (only here). The ETag is per version and audience.
     */
    async read(slug: string, query: ArticleGetQuery, identity: Identity, options: { spendMeter: boolean }): Promise<
      { redirect: string; id: number } | { article: Article; etag: string; keys: string[] }
    > {
      const opts = { ...viewOptions(query, true), spendMeter: options.spendMeter };
      const at = now();
      const found = await locate(slug, identity, at);
      if ('redirect' in found) return found;
      const [row] = await withBodies([found.head]);
      if (!row) throw notFound(`Article "${slug}"`);
      const records = await hydrate([row]);
      const { items, views } = await present(records, identity, opts);
      const article = items[0];
      const digest = createHash('sha1').update(articleJson(article)).digest('hex').slice(0, 10);
      return { article, etag: `"v${row.version}-${views[0].audience}-${digest}"`, keys: keysOf(records[0]) };
    },

    /** read() as the JSON the API sends, from the rendered-article cache when it can. */
    async readJson(
      slug: string,
      query: ArticleGetQuery,
      identity: Identity,
      options: { spendMeter: boolean; notModified?: (etag: string) => boolean },
    ): Promise<{ redirect: string; id: number } | { notModified: true; etag: string; keys: string[] } | { json: Buffer; etag: string; keys: string[] }> {
      const opts = { ...viewOptions(query, true), spendMeter: options.spendMeter };
      const at = now();
      const found = await locate(slug, identity, at);
      if ('redirect' in found) return found;
      // A conditional GET whose ETag is still current is answered without rendering.
      if (options.notModified) {
        const key = cacheKeyOf(found.head, identity, optionsKey(opts), at);
        const etag = key === null ? undefined : renderCache.etag(key, at.getTime());
        // A 304 updates a CDN's stored copy, which keeps the keys it was stored with.
        if (etag !== undefined && options.notModified(etag)) return { notModified: true, etag, keys: [articleKey(found.head.id)] };
      }
      const [rendered] = await renderJson([found.head], identity, opts, at);
      return { json: rendered.json, etag: rendered.etag!, keys: rendered.keys ?? [articleKey(found.head.id)] };
    },

    async create(input: ArticleCreate, identity: Identity): Promise<Article> {
      const actor = actorOf(identity);
      const t = now();
      if (input.publishedAt !== undefined && input.status !== 'published') {
        throw badRequest('publishedAt goes with status "published" (use scheduledFor with "scheduled")', '/body/publishedAt');
      }
      if (input.scheduledFor !== undefined && input.status !== 'scheduled') {
        throw badRequest('scheduledFor goes with status "scheduled"', '/body/scheduledFor');
      }
      if (input.status === 'scheduled' && input.scheduledFor === undefined) {
        throw badRequest('a scheduled article needs scheduledFor', '/body/scheduledFor');
      }
      if (input.status === 'scheduled' && !isFuture(input.scheduledFor!, t)) {
        throw new HttpError(422, 'scheduledFor must be in the future', { errors: [{ pointer: '/body/scheduledFor', detail: 'must be in the future' }] });
      }
      if (input.status === 'published' && input.publishedAt !== undefined && isFuture(input.publishedAt, t)) {
        throw new HttpError(422, 'publishedAt is in the future: use status "scheduled" with scheduledFor', {
          errors: [{ pointer: '/body/publishedAt', detail: 'must not be in the future' }],
        });
      }
      const resolved = await resolve(input);
      let slug = input.slug;
      if (slug !== undefined) {
        if ((await repo.slugOwner(slug)) !== null) {
          throw new HttpError(409, `An article already uses the slug "${slug}"`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });
        }
      } else {
        slug = await freeSlug(toSlug(input.headline));
      }
      const workflow =
        input.status === 'published'
          ? publishColumns(null, input.publishedAt, t) // the same instant as createdAt and the change: published "now" is not after it
          : input.status === 'scheduled'
            ? scheduleColumns(null, input.scheduledFor!, t)
            : { status: 'draft' as const };
      const at = t.toISOString();
      const row: ArticleInsert = {
        slug,
        headline: input.headline,
        standfirst: input.standfirst ?? null,
        excerpt: input.excerpt ?? null,
        ...bodyColumns(resolved.blocks ?? []),
        dateline: input.dateline ?? null,
        sectionId: resolved.sectionId ?? null,
        language: input.language ?? 'en',
        canonicalUrl: input.canonicalUrl ?? null,
        seoTitle: input.seoTitle ?? null,
        seoDescription: input.seoDescription ?? null,
        featuredPhotoId: input.featuredPhotoId ?? null,
        access: input.access ?? 'public',
        sources: input.sources ?? [],
        ...workflow,
        createdAt: at,
        updatedAt: at,
      };
      const authorSlugs = input.authors ?? [];
      const tagSlugs = input.tags ?? [];
      const snapshot = {
        slug, headline: row.headline, standfirst: row.standfirst, excerpt: row.excerpt, body: row.body, dateline: row.dateline,
        section: input.section ?? null, authors: authorSlugs, tags: tagSlugs, sources: row.sources, language: row.language,
        canonicalUrl: row.canonicalUrl, seoTitle: row.seoTitle, seoDescription: row.seoDescription, featuredPhotoId: row.featuredPhotoId,
        access: row.access, status: row.status, publishedAt: row.publishedAt ?? null, scheduledFor: row.scheduledFor ?? null,
        deletedAt: null, corrections: 0,
      };
      let created: ArticleRow;
      try {
        created = await repo.insert(row, resolved.authorIds ?? [], resolved.tagIds ?? [], {
          action: 'create', changedFields: changedFields(null, snapshot).filter((k) => snapshot[k as keyof typeof snapshot] !== null), snapshot, actor, createdAt: at,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpError(409, `An article already uses the slug "${slug}"`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });
        throw err;
      }
      return writeResult((await hydrate([created]))[0], identity);
    },

    async update(slug: string, patch: ArticleUpdate, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      const resolved = await resolve(patch);
      const change: Omit<ArticleChange, 'id' | 'expectedVersion' | 'revision'> = { patch: {} };
      const p = change.patch;
      if (patch.slug !== undefined && patch.slug !== current.slug) {
        const owner = await repo.slugOwner(patch.slug);
        if (owner !== null && owner !== current.id) {
          throw new HttpError(409, `An article already uses the slug "${patch.slug}"`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });
        }
        if (owner === current.id) change.releaseOldSlug = patch.slug;
        // Once readers may have seen it, the old slug keeps working (301).
        if (current.firstPublishedAt && !isFuture(current.firstPublishedAt, now())) change.keepOldSlug = current.slug;
        p.slug = patch.slug;
      }
      for (const k of ['headline', 'standfirst', 'excerpt', 'dateline', 'language', 'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access', 'sources'] as const) {
        if (patch[k] !== undefined) (p as Record<string, unknown>)[k] = patch[k];
      }
      if (resolved.blocks !== undefined) Object.assign(p, bodyColumns(resolved.blocks));
      if (resolved.sectionId !== undefined) p.sectionId = resolved.sectionId;
      if (resolved.authorIds !== undefined) change.authorIds = resolved.authorIds;
      if (resolved.tagIds !== undefined) change.tagIds = resolved.tagIds;
      return writeResult(await apply(current, change, 'update', actorOf(identity)), identity);
    },

    async publish(slug: string, at: string | undefined, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      if (at === undefined && isVisible(current, now())) return writeResult(current, identity);
      const cols = publishColumns(current, at);
      return writeResult(await apply(current, { patch: cols }, cols.status === 'scheduled' ? 'schedule' : 'publish', actorOf(identity)), identity);
    },

    async schedule(slug: string, at: string, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      if (!isFuture(at, now())) {
        throw new HttpError(422, 'The scheduled time must be in the future (publish it to go live now)', { errors: [{ pointer: '/body/at', detail: 'must be in the future' }] });
      }
      return writeResult(await apply(current, { patch: scheduleColumns(current, at) }, 'schedule', actorOf(identity)), identity);
    },

    async unpublish(slug: string, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      if (current.status === 'unpublished' || current.status === 'draft') return writeResult(current, identity);
      const t = now();
      const neverLive = isFuture(current.firstPublishedAt, t);
      const patch: Partial<ArticleInsert> = {
        status: 'unpublished',
        scheduledFor: null,
        ...(neverLive ? { firstPublishedAt: null, publishedAt: null } : {}),
      };
      return writeResult(await apply(current, { patch }, 'unpublish', actorOf(identity)), identity);
    },

    async delete(slug: string, expected: number | null | 'any', identity: Identity): Promise<void> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      await apply(current, { patch: { deletedAt: now().toISOString() } }, 'delete', actorOf(identity));
    },

    async undelete(slug: string, identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug, { allowDeleted: true });
      if (!current.deletedAt) return writeResult(current, identity);
      return writeResult(await apply(current, { patch: { deletedAt: null } }, 'undelete', actorOf(identity)), identity);
    },

    async addCorrection(slug: string, text: string, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      const actor = actorOf(identity);
      return writeResult(
        await apply(current, { patch: {}, correction: { text, actor, createdAt: now().toISOString() } }, 'correction', actor),
        identity,
      );
    },

    async revisions(slug: string, limit: number, cursor: string | undefined) {
      const current = await recordBySlug(slug, { allowDeleted: true });
      const before = cursor ? decodeCursor(cursor, RevisionCursor)[1] : null;
      const rows = await repo.revisions(current.id, limit + 1, before);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toRevision),
        meta: { nextCursor: more && last ? encodeCursor(['rev', last.version]) : null, total: await repo.revisionCount(current.id) },
      };
    },

    async revision(slug: string, version: number) {
      const current = await recordBySlug(slug, { allowDeleted: true });
      const row = await repo.revision(current.id, version);
      if (!row) throw notFound(`Revision ${version} of "${slug}"`);
      return { ...toRevision(row), snapshot: row.snapshot };
    },

    /** Brings back a revision's content (not its slug or workflow state) as a new revision. */
    async restoreRevision(slug: string, version: number, expected: number | null | 'any', identity: Identity): Promise<Article> {
      const current = await recordBySlug(slug);
      checkVersion(current, expected);
      const rev = await repo.revision(current.id, version);
      if (!rev) throw notFound(`Revision ${version} of "${slug}"`);
      const s = rev.snapshot;
      const input: Partial<ArticleCreate> = {};
      for (const k of RESTORABLE) if (k in s && k !== 'body') (input as Record<string, unknown>)[k] = s[k];
      if (Array.isArray(s.body)) input.body = s.body as Block[];
      let resolved: Resolved;
      try {
        resolved = await resolve(input);
      } catch (err) {
        if (err instanceof HttpError && err.statusCode === 422) {
          throw new HttpError(409, `Revision ${version} refers to things that no longer exist: ${err.message}`);
        }
        throw err;
      }
      const patch: Partial<ArticleInsert> = {};
      for (const k of ['headline', 'standfirst', 'excerpt', 'dateline', 'language', 'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access', 'sources'] as const) {
        if (k in s) (patch as Record<string, unknown>)[k] = s[k] ?? null;
      }
      if (resolved.blocks) Object.assign(patch, bodyColumns(resolved.blocks));
      if (resolved.sectionId !== undefined) patch.sectionId = resolved.sectionId;
      const restored = await apply(
        current,
        { patch, authorIds: resolved.authorIds, tagIds: resolved.tagIds },
        'restore',
        actorOf(identity),
        { _restoredFrom: version },
      );
      return writeResult(restored, identity);
    },
  };
}

function toRevision(r: RevisionRow) {
  return { version: r.version, action: r.action, changedFields: r.changedFields, actor: r.actor, at: r.createdAt };
}

export type ArticlesService = ReturnType<typeof createArticlesService>;
