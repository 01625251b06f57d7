import { LRUCache } from 'lru-cache';
import type { ContentEpochs } from '../db/contentEpoch.js';

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
