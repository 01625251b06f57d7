import { LRUCache } from 'lru-cache';

/**
 * The rendered-article cache: article JSON as the API serialises it (body rendered to HTML and
 * text, teaser and paywall applied, photos embedded), keyed by article id, version, the view
 * options and the AUDIENCE — what makes two callers get the same bytes (anonymous; a subscriber's
 * entitlements; archived or not). Personal answers (a metered reader's meter, a partner's licence
 * terms, an admin's view) are never cached.
 *
 * Invalidation is by the database itself: `changeMark` (the content epoch, src/db/contentEpoch.ts)
 * changes after any committed write to rendered content — articles, bylines, tags, authors,
 * sections, photos, plans — from this process (at once) or another (within
 * CACHE_EXTERNAL_WRITES_MS), and a changed mark empties the cache. Reader-side writes (metered
 * reads, sessions, mail) leave it alone. An article's own edits also change its version, hence its key. What changes
 * with time alone is in the key (archived) or bounds the entry (`validUntil`: a photo's expiry, a
 * first-publication time still ahead).
 *
 * Bounded by size (CACHE_ARTICLES_MB, JSON bytes plus a little per entry); least recently used go first.
 */
export interface CachedJson {
  /** UTF-8 JSON, sent as is (no per-request string encoding). */
  json: Buffer;
  /** Epoch ms after which the entry must not be served (Infinity when only a write can stale it). */
  validUntil: number;
  etag?: string;
}

export interface RenderCache<V> {
  /** Checks the database's change mark and empties the cache when it moved. Call once per request, first. */
  sync(): Promise<string>;
  get(key: string, now: number): V | undefined;
  /** Stores an entry rendered under `mark` (what sync() returned before rendering), unless a write came since. */
  set(key: string, value: V, mark: string): void;
  clear(): void;
  readonly size: number;
}

export function createRenderCache<V extends { validUntil: number; json: Buffer }>(options: {
  maxBytes: number;
  maxEntries?: number;
  changeMark: () => Promise<string>;
}): RenderCache<V> {
  const enabled = options.maxBytes > 0;
  const lru = new LRUCache<string, V>({
    max: options.maxEntries ?? 100_000,
    maxSize: Math.max(1, options.maxBytes),
    // JSON bytes, the key, and a rough allowance for the entry (and any small object it carries).
    sizeCalculation: (value, key) => value.json.byteLength + 2 * key.length + 600,
  });
  let mark: string | null = null;
  return {
    async sync() {
      const current = await options.changeMark();
      if (current !== mark) {
        lru.clear();
        mark = current;
      }
      return current;
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
      if (!enabled || renderedUnder !== mark) return;
      lru.set(key, value);
    },
    clear() {
      lru.clear();
    },
    get size() {
      return lru.size;
    },
  };
}
