import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createHash } from 'node:crypto';
import { ALL_KEY, unique } from '../lib/surrogateKeys.js';

/**
 * HTTP caching for every GET:
 * - a strong ETag (a route may set its own, e.g. from a version, before rendering; otherwise the
 *   body is hashed) and If-None-Match → 304;
 * - Cache-Control by who asked: anonymous → public with stale-while-revalidate; anyone with
 *   credentials → private, no-store. `Vary: Authorization` tells shared caches the answer
 *   depends on the caller, so a subscriber's full text is never served from a shared cache;
 * - for CDNs, on public answers only: `Surrogate-Key` (space-separated, Varnish xkey and Fastly)
 *   and `Cache-Tag` (comma-separated, Cloudflare) naming what the answer shows (routes declare
 *   it with reply.surrogateKeys(); names in src/lib/surrogateKeys.ts; every public answer also
 *   has `all`), and `Surrogate-Control` / `CDN-Cache-Control` (RFC 9213) letting the CDN keep it
 *   CDN_MAX_AGE_SECONDS — far longer than browsers, since every change purges what it touched —
 *   with stale-while-revalidate and stale-if-error (an origin outage keeps readers served).
 *   Answers to credentials never carry them: they stay private, no-store.
 */
declare module 'fastify' {
  interface FastifyReply {
    /** Marks a public response cacheable for `seconds` (overrides the default max-age). */
    cacheFor(seconds: number): FastifyReply;
    /** Names what a public answer shows, for CDN purges (adds to what was declared before). */
    surrogateKeys(keys: readonly string[]): FastifyReply;
    /** The keys declared so far (null: none). */
    cdnKeys: string[] | null;
  }
}

/** True when the request's If-None-Match matches `etag` (weak comparison, lists and `*`). */
export function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

export function bodyEtag(payload: string | Buffer): string {
  return `"${createHash('sha1').update(payload).digest('base64url')}"`;
}

export default fp(async function cachingPlugin(app: FastifyInstance) {
  const { CACHE_MAX_AGE_SECONDS: maxAge, CACHE_STALE_SECONDS: stale, CDN_MAX_AGE_SECONDS: cdnMaxAge, CDN_STALE_IF_ERROR_SECONDS: staleIfError } = app.config;
  const cdnControl = (seconds: number) => `max-age=${seconds}, stale-while-revalidate=${stale}, stale-if-error=${staleIfError}`;

  app.decorateReply('cdnKeys', null);
  app.decorateReply('surrogateKeys', function (this: FastifyReply, keys: readonly string[]) {
    this.cdnKeys = this.cdnKeys ? [...this.cdnKeys, ...keys] : [...keys];
    return this;
  });

  app.decorateReply('cacheFor', function (this: FastifyReply, seconds: number) {
    return this.header('cache-control', `public, max-age=${seconds}, stale-while-revalidate=${stale}`);
  });

  // Callback style (no promise per response); onSend runs for every response.
  app.addHook('onSend', (request, reply, payload, done) => done(null, cacheHeaders(request, reply, payload)));

  function cacheHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
    // A public redirect (an old slug, cacheFor'd by its route) is tagged like the answer it points to.
    if (reply.statusCode === 301 || reply.statusCode === 308) {
      cdnHeaders(reply);
      return payload;
    }
    // A 304 a route answered itself (from an ETag it knew without rendering) gets the same
    // Vary and Cache-Control as the 200 would; other non-2xx answers are left alone (and never
    // tagged: a CDN keeps nothing without Surrogate-Control).
    if (reply.statusCode >= 300 && reply.statusCode !== 304) return payload;
    reply.header('vary', appendVary(reply.getHeader('vary'), 'Authorization'));
    if (request.identity && request.identity.kind !== 'anonymous') {
      // Credentials in, personal answer out: never let a shared cache keep it.
      const current = reply.getHeader('cache-control');
      if (typeof current !== 'string' || current.startsWith('public')) reply.header('cache-control', 'private, no-store');
    } else if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', `public, max-age=${maxAge}, stale-while-revalidate=${stale}`);
    }
    cdnHeaders(reply);
    if (reply.statusCode === 304) return payload;
    let etag = reply.getHeader('etag') as string | undefined;
    if (!etag && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      etag = bodyEtag(payload);
      reply.header('etag', etag);
    }
    if (etag && matchesIfNoneMatch(request, etag)) {
      reply.code(304);
      reply.removeHeader('content-length');
      reply.removeHeader('content-type');
      return '';
    }
    return payload;
  }

  /** Surrogate headers on a public answer; off anything else (whatever a route declared). */
  function cdnHeaders(reply: FastifyReply): void {
    const control = reply.getHeader('cache-control');
    if (typeof control !== 'string' || !control.startsWith('public')) {
      for (const h of ['surrogate-key', 'cache-tag', 'surrogate-control', 'cdn-cache-control']) reply.removeHeader(h);
      return;
    }
    const keys = unique([...(reply.cdnKeys ?? []), ALL_KEY]);
    reply.header('surrogate-key', keys.join(' '));
    reply.header('cache-tag', keys.join(','));
    // What browsers may keep longer (immutable renditions) the CDN may keep as long.
    const browser = Number(/max-age=(\d+)/.exec(control)?.[1] ?? 0);
    const value = cdnControl(Math.max(cdnMaxAge, browser));
    reply.header('surrogate-control', value);
    reply.header('cdn-cache-control', value);
  }
});

function appendVary(current: unknown, value: string): string {
  const existing = typeof current === 'string' && current ? current.split(',').map((s) => s.trim()) : [];
  if (existing.some((v) => v === '*' || v.toLowerCase() === value.toLowerCase())) return existing.join(', ');
  return [...existing, value].join(', ');
}
