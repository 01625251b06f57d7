import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isAdmin, type Identity } from '../access/identity.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, badRequest, notFound } from '../lib/httpError.js';
import { articleKey, listKeys } from '../lib/surrogateKeys.js';
import { ListMeta, decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { PhotoEmbedder } from '../schemas/photo.js';
import type { ArticleCaches, CachedAnswer, CachedJson } from './cache.js';
import type { createInputResolver } from './input.js';
import { keysOf, type ArticleRecord, type createRecords } from './records.js';
import { sortKey, type ArticleFilter, type ArticleHead, type ArticlePageRow, type ArticleRow, type ArticlesRepository } from './repository.js';
import { ARTICLE_SORTS, type Article, type ArticleGetQuery, type ArticleListQuery } from './schemas.js';
import { articleJson, needsPhotos, optionsKey, viewOptions, type PresentOptions, type createPresenter } from './view.js';
import { isFuture, isVisible } from './workflow.js';

/**
 * Reading: THE read path of articles. A single article and a list page are each answered as the
 * JSON the API sends, from the render cache (src/articles/cache.ts) when it can, else rendered
 * through the presenter (src/articles/view.ts) and cached. Features that want objects (feeds,
 * ninjs, imports) get the same answer parsed (readArticle, listArticles): there is no second way
 * to read an article.
 */

// The key is the row's timestamp, or '' for an admin list's drafts (no publishedAt): anything else was forged.
const ListCursor = z.tuple([z.enum(ARTICLE_SORTS), z.union([z.literal(''), z.iso.datetime({ offset: true })]), z.number().int().positive()]);

const LIST_OPEN = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');

export type ReadAnswer = { redirect: string; id: number } | { notModified: true; etag: string; keys: string[] } | { json: Buffer; etag: string; keys: string[] };

export interface ReaderDeps {
  repo: ArticlesRepository;
  clock: Clock;
  photos: Pick<PhotoEmbedder, 'nextExpiry'>;
  records: ReturnType<typeof createRecords>;
  presenter: ReturnType<typeof createPresenter>;
  caches: ArticleCaches;
  input: Pick<ReturnType<typeof createInputResolver>, 'resolveFilter'>;
}

export function createReader(deps: ReaderDeps) {
  const { repo, caches, records } = deps;
  const { render: renderCache, heads } = caches;
  const now = () => deps.clock.now();

  /**
   * Article JSON (and ETag) for each row as `identity` sees it: from the rendered-article cache
   * when an entry for this version, view and audience is there, else rendered through present()
   * — THE reader's view — serialised through the Article schema and cached. Rows may be heads:
   * bodies are read only for what must be rendered.
   */
  async function renderJson(rows: (ArticlePageRow | ArticleHead | ArticleRow)[], identity: Identity, opts: PresentOptions, at: Date): Promise<CachedJson[]> {
    const mark = await renderCache.sync();
    const t = at.getTime();
    const view = optionsKey(opts);
    const keys = rows.map((r) => caches.keyOf(r, identity, view, at));
    const out = keys.map((k) => (k === null ? undefined : renderCache.get(k, t)));
    const missing = rows.filter((_, i) => out[i] === undefined);
    if (missing.length === 0) return out as CachedJson[];
    const full = missing.every((r) => 'body' in r) ? (missing as ArticleRow[]) : await records.withBodies(missing);
    const recs = await records.hydrate(full);
    const { items, views } = await deps.presenter.present(recs, identity, opts);
    const rendered = new Map<number, CachedJson>();
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      const json = Buffer.from(articleJson(items[i]));
      const digest = createHash('sha1').update(json).digest('hex').slice(0, 10);
      // What time alone would change: a first publication still ahead, a photo's expiry.
      let validUntil = isFuture(r.firstPublishedAt, at) ? Date.parse(r.firstPublishedAt!) : Infinity;
      if (needsPhotos(opts) && views[i].photoIds.length > 0 && deps.photos.nextExpiry) {
        const expiry = await deps.photos.nextExpiry(views[i].photoIds, at);
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

  /** The rows (heads) of one list page, its view options and its meta. */
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
    const filter = await deps.input.resolveFilter(query, identity, at);
    // With q the default order is relevance (bm25, keyset over rank and id; see src/search/ranking.ts).
    const sort = query.sort ?? (filter.q ? 'relevance' : '-publishedAt');
    if (sort === 'relevance') {
      if (!filter.q) throw badRequest('sort=relevance needs a search query in q', '/query/sort');
      const ranked = await repo.ranked(filter, query.cursor, query.limit);
      const rows = await records.withBodies(ranked.hits);
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
        ...(query.cursor ? {} : { total: await caches.countOf(filter, at) }),
      },
    };
  }

  /**
   * The article (head) behind a slug that this caller may see, or where an old slug moved; else 404.
   * Heads are cached beside rendered articles (any article write retires them); visibility is checked each time.
   */
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

  /**
   * The single-article read: an article this caller may see as JSON, a redirect when `slug` is an
   * old slug, or 404. Spends the meter (only here). The ETag is per version and audience; with
   * `notModified` a conditional GET whose ETag is still current is answered without rendering.
   */
  async function read(
    slug: string,
    query: ArticleGetQuery,
    identity: Identity,
    options: { spendMeter: boolean; notModified?: (etag: string) => boolean },
  ): Promise<ReadAnswer> {
    const opts = { ...viewOptions(query, true), spendMeter: options.spendMeter };
    const at = now();
    const found = await locate(slug, identity, at);
    if ('redirect' in found) return found;
    if (options.notModified) {
      const key = caches.keyOf(found.head, identity, optionsKey(opts), at);
      const etag = key === null ? undefined : renderCache.etag(key, at.getTime());
      // A 304 updates a CDN's stored copy, which keeps the keys it was stored with.
      if (etag !== undefined && options.notModified(etag)) return { notModified: true, etag, keys: [articleKey(found.head.id)] };
    }
    const [rendered] = await renderJson([found.head], identity, opts, at);
    return { json: rendered.json, etag: rendered.etag!, keys: rendered.keys ?? [articleKey(found.head.id)] };
  }

  /** A list page as JSON: items from the rendered-article cache, the page itself cached as a whole (cachedAnswer). */
  async function list(query: ArticleListQuery, identity: Identity): Promise<CachedAnswer> {
    return caches.cachedAnswer('list', query, identity, async () => {
      const page = await listPage(query, identity);
      const items = await renderJson(page.rows, identity, page.opts, page.at);
      const meta = JSON.stringify(ListMeta.encode(page.meta));
      const parts: Buffer[] = [LIST_OPEN];
      items.forEach((item, i) => parts.push(...(i > 0 ? [COMMA, item.json] : [item.json])));
      parts.push(Buffer.from(`],"meta":${meta}}`));
      // The items' ETags stand for their bytes: hashing them (and the meta) is hashing the page.
      const etag = `"l-${createHash('sha1').update(`${items.map((i) => i.etag).join(',')}|${meta}`).digest('base64url')}"`;
      const validUntil = await caches.answerValidUntil(page.rows, items.map((i) => i.validUntil), page.at, page.filter);
      return { json: Buffer.concat(parts), etag, nextCursor: page.meta.nextCursor, validUntil, keys: page.keys };
    });
  }

  return {
    read,
    list,

    /** read() as an object (the same answer, parsed), for features that build on it (ninjs, imports). */
    async readArticle(slug: string, query: ArticleGetQuery, identity: Identity, options: { spendMeter: boolean }): Promise<
      { redirect: string; id: number } | { article: Article; etag: string; keys: string[] }
    > {
      const answer = await read(slug, query, identity, options);
      if ('redirect' in answer) return answer;
      if ('notModified' in answer) throw new Error('readArticle asks for no conditional answer');
      return { article: JSON.parse(answer.json.toString()) as Article, etag: answer.etag, keys: answer.keys };
    },

    /** list() as objects (the same answer, parsed), for feeds and ninjs. */
    async listArticles(query: ArticleListQuery, identity: Identity): Promise<{ data: Article[]; meta: { nextCursor: string | null; total?: number }; keys: string[] }> {
      const answer = await list(query, identity);
      const { data, meta } = JSON.parse(answer.json.toString()) as { data: Article[]; meta: { nextCursor: string | null; total?: number } };
      return { data, meta, keys: answer.keys };
    },

    /** Visible (to readers, now) articles by id, in the order of `ids`. For search, feeds, webhooks. */
    async findVisibleByIds(ids: number[]): Promise<ArticleRecord[]> {
      const at = now();
      const rows = (await repo.findByIds(ids)).filter((r) => isVisible(r, at));
      const byId = new Map((await records.hydrate(rows)).map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id)).filter((r): r is ArticleRecord => !!r);
    },
  };
}
