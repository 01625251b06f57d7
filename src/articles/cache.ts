import { LRUCache } from 'lru-cache';
import type { Identity } from '../access/identity.js';
import { isArchived } from '../access/policy.js';
import type { Config } from '../config.js';
import type { ContentEpochs } from '../db/contentEpoch.js';
import type { Clock } from '../lib/clock.js';
import type { ArticleFilter, ArticleHead, ArticleRow, ArticlesRepository } from './repository.js';

/**
 * The rendered-article cache: article JSON as the API serialises it (body rendered to HTML and
 * text, teaser and paywall applied, photos embedded), keyed by article id, version, the view
 * options and the AUDIENCE — what makes two callers get the same bytes (anonymous; a subscriber's
 * entitlements; archived or not). Whole list pages, counts and slug lookups live here too.
 * Personal answers (a metered reader's meter, a partner's licence terms, an admin's view) are
 * never cached.
 *
 * Invalidation is by the database itself, through the content epochs (src/db/contentEpoch.ts),
 * which move with committed writes from this process (at once) or another (within
 * CACHE_EXTERNAL_WRITES_MS):
 * - `shared` (authors, tags, sections, photos, plans: anything any article may show) moving
 *   empties the cache;
 * - `articles` (any article, its bylines, tags, corrections, old slugs) is part of the keys of
 *   what depends on the set of articles — list pages, counts, slug lookups — so publishing one
 *   story retires the front page but not the rendering of every other story. A single article's
 *   own edits change its version, which is in its key.
 * Reader-side writes (metered reads, sessions, mail) move neither. What changes with time alone
 * is in the key (archived) or bounds the entry (`validUntil`: a photo's expiry, a scheduled story
 * going live, an item entering the archive).
 *
 * Bounded by size (CACHE_ARTICLES_MB, JSON bytes plus a little per entry); least recently used
 * (retired keys among them) go first.
 */
export interface CachedJson {
  /** UTF-8 JSON, sent as is (no per-request string encoding). */
  json: Buffer;
  /** Epoch ms after which the entry must not be served (Infinity when only a write can stale it). */
  validUntil: number;
  etag?: string;
  /** What it shows, as CDN surrogate keys (src/lib/surrogateKeys.ts). */
  keys?: string[];
}

export interface RenderCache<V> {
  /** Reads the content epochs and empties the cache when `shared` moved. Call once per request, first. */
  sync(): Promise<ContentEpochs>;
  get(key: string, now: number): V | undefined;
  /**
   * The ETag of what is (or was lately) cached under `key`: kept for many more entries than the
   * JSON itself, so a conditional GET is answered 304 without rendering even after the bytes
   * were evicted. Retired like the JSON (same key, same shared epoch, same time limit).
   */
  etag(key: string, now: number): string | undefined;
  /**
   * Stores an entry rendered under `epochs` (what sync() returned before rendering), unless a
   * shared write came since (the rendering may mix before and after). Keys that depend on the set
   * of articles must contain `epochs.articles`.
   */
  set(key: string, value: V, epochs: ContentEpochs): void;
  clear(): void;
  readonly size: number;
}

export function createRenderCache<V extends { validUntil: number; json: Buffer; etag?: string }>(options: {
  maxBytes: number;
  maxEntries?: number;
  maxEtags?: number;
  epochs: () => Promise<ContentEpochs>;
}): RenderCache<V> {
  const enabled = options.maxBytes > 0;
  const lru = new LRUCache<string, V>({
    max: options.maxEntries ?? 100_000,
    maxSize: Math.max(1, options.maxBytes),
    // JSON bytes, the key, and a rough allowance for the entry (and any small object it carries).
    sizeCalculation: (value, key) => value.json.byteLength + 2 * key.length + 600,
  });
  // ~200 bytes an entry: 50,000 ETags cost ~10 MB, for as many articles' conditional GETs.
  const etags = new LRUCache<string, { etag: string; validUntil: number }>({ max: options.maxEtags ?? 50_000 });
  let shared: number | null = null;
  return {
    async sync() {
      const current = await options.epochs();
      if (current.shared !== shared) {
        lru.clear();
        etags.clear();
        shared = current.shared;
      }
      return current;
    },
    etag(key, now) {
      if (!enabled) return undefined;
      const known = lru.get(key) ?? etags.get(key);
      return known?.etag !== undefined && now < known.validUntil ? known.etag : undefined;
    },
    get(key, now) {
      if (!enabled) return undefined;
      const hit = lru.get(key);
      if (hit && now >= hit.validUntil) {
        lru.delete(key);
        return undefined;
      }
      return hit;
    },
    set(key, value, renderedUnder) {
      if (!enabled || renderedUnder.shared !== shared) return;
      lru.set(key, value);
      if (value.etag !== undefined) etags.set(key, { etag: value.etag, validUntil: value.validUntil });
    },
    clear() {
      lru.clear();
      etags.clear();
    },
    get size() {
      return lru.size;
    },
  };
}

// ---- the articles feature's caches ---------------------------------------------------------------

/** What the render cache holds: article JSON, whole answers (list pages, search results, with their next cursor), counts. */
export type CacheEntry = CachedJson & { nextCursor?: string | null };

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

export interface ArticleCachesDeps {
  repo: ArticlesRepository;
  clock: Clock;
  config: Pick<Config, 'CACHE_ARTICLES_MB' | 'CACHE_EXTERNAL_WRITES_MS' | 'ARCHIVE_AFTER_DAYS'>;
}

/**
 * The articles service's caches, built with it (one per service, so one per app): the rendered
 * JSON and whole answers (createRenderCache above), article heads by slug, and the keys and time
 * limits that say who shares an entry and until when.
 */
export function createArticleCaches(deps: ArticleCachesDeps) {
  const { repo, config } = deps;
  const policy = { archiveAfterDays: config.ARCHIVE_AFTER_DAYS };
  const render = createRenderCache<CacheEntry>({
    maxBytes: config.CACHE_ARTICLES_MB * 1024 * 1024,
    epochs: () => repo.contentEpochs(config.CACHE_EXTERNAL_WRITES_MS),
  });
  /**
   * Article heads by slug (what locate() reads on every single-article request), beside the
   * render cache (a head is ~100 bytes: they do not take the JSON's room). The key holds the
   * articles epoch, so any article write retires them; heads show nothing from shared tables,
   * so a shared write leaves them.
   */
  const headLru = new LRUCache<string, ArticleHead>({ max: 50_000 });
  const headKey = (slug: string, epochs: ContentEpochs) => `${epochs.articles}:${slug}`;
  const heads = {
    get: (slug: string, epochs: ContentEpochs) => headLru.get(headKey(slug, epochs)),
    set: (slug: string, head: ArticleHead, epochs: ContentEpochs) => void headLru.set(headKey(slug, epochs), head),
  };

  /** The audience of a whole list page: anonymous, or a subscriber's entitlements without a meter; null when personal. */
  function listAudienceOf(identity: Identity): string | null {
    if (identity.kind === 'anonymous') return 'anonymous';
    if (identity.kind === 'subscriber' && identity.entitlements.meter === null) {
      const e = identity.entitlements;
      return `subscriber:${e.levels.join('+')}:${e.archive}:${e.sections?.join('+') ?? '*'}`;
    }
    return null;
  }

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
  function keyOf(row: Pick<ArticleRow, 'id' | 'version' | 'access' | 'publishedAt'>, identity: Identity, view: string, at: Date): string | null {
    const audience = audienceOf(identity, row, at);
    return audience === null ? null : `${row.id}:${row.version}:${view}:${audience}`;
  }

  /** When (epoch ms) an article passes into the archive, if that is still ahead; else Infinity. */
  function archivedFrom(row: Pick<ArticleRow, 'publishedAt'>, at: Date): number {
    if (policy.archiveAfterDays <= 0 || !row.publishedAt) return Infinity;
    // isArchived: older than the limit, strictly — archived from the millisecond after it.
    const from = Date.parse(row.publishedAt) + policy.archiveAfterDays * 86_400_000 + 1;
    return from > at.getTime() ? from : Infinity;
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

  /**
   * The number of articles a list filter matches, cached until an article write (the key holds
   * the articles epoch) or the next scheduled article going live, since that changes the count.
   */
  async function countOf(filter: ArticleFilter, at: Date): Promise<number> {
    const mark = await render.sync();
    const { now: _now, visibleAt, archiveCutoff: cutoff, ...rest } = filter;
    const key = `count:${mark.articles}:${visibleAt !== undefined ? 'readers' : 'admin'}:${JSON.stringify(rest)}`;
    const hit = render.get(key, at.getTime());
    if (hit) return Number(hit.json.toString());
    const n = await repo.count(filter);
    const next = await repo.nextVisibleAfter(at.toISOString());
    const validUntil = Math.min(next ? Date.parse(next) : Infinity, await nextArchiveCrossing(cutoff));
    render.set(key, { json: Buffer.from(String(n)), validUntil }, mark);
    return n;
  }

  /**
   * A whole answer that depends on the set of articles (a list page, search results), cached for
   * callers whose answer is not personal: keyed by `scope`, the query as validated and the
   * articles epoch, so any article write retires it (a shared write empties the cache), and
   * bounded by the answer's own `validUntil` (see answerValidUntil). Personal callers get `build()`.
   */
  async function cachedAnswer(scope: string, query: object, identity: Identity, build: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const mark = await render.sync();
    const audience = listAudienceOf(identity);
    if (audience === null) return build();
    const key = `${scope}:${mark.articles}:${audience}:${JSON.stringify(query, Object.keys(query).sort())}`;
    const hit = render.get(key, deps.clock.now().getTime());
    if (hit) return { json: hit.json, etag: hit.etag!, nextCursor: hit.nextCursor ?? null, validUntil: hit.validUntil, keys: hit.keys ?? [] };
    const answer = await build();
    render.set(key, answer, mark);
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

  return { render, heads, keyOf, countOf, cachedAnswer, answerValidUntil };
}

export type ArticleCaches = ReturnType<typeof createArticleCaches>;
