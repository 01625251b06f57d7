import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createHash } from 'node:crypto';

/**
 * HTTP caching for every GET:
 * - a strong ETag (a route may set its own, e.g. from a version, before rendering; otherwise the
 *   body is hashed) and If-None-Match → 304;
 * - Cache-Control by who asked: anonymous → public with stale-while-revalidate; anyone with
 *   credentials → private, no-store. `Vary: Authorization` tells shared caches the answer
 *   depends on the caller, so a subscriber's full text is never served from a shared cache.
 */
declare module 'fastify' {
  interface FastifyReply {
    /** Marks a public response cacheable for `seconds` (overrides the default max-age). */
    cacheFor(seconds: number): FastifyReply;
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
  const { CACHE_MAX_AGE_SECONDS: maxAge, CACHE_STALE_SECONDS: stale } = app.config;

  app.decorateReply('cacheFor', function (this: FastifyReply, seconds: number) {
    return this.header('cache-control', `public, max-age=${seconds}, stale-while-revalidate=${stale}`);
  });

  // Callback style (no promise per response); onSend runs for every response.
  app.addHook('onSend', (request, reply, payload, done) => done(null, cacheHeaders(request, reply, payload)));

  function cacheHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    if (request.method !== 'GET' && request.method !== 'HEAD') return payload;
    // A 304 a route answered itself (from an ETag it knew without rendering) gets the same
    // Vary and Cache-Control as the 200 would; other non-2xx answers are left alone.
    if (reply.statusCode >= 300 && reply.statusCode !== 304) return payload;
    reply.header('vary', appendVary(reply.getHeader('vary'), 'Authorization'));
    if (request.identity && request.identity.kind !== 'anonymous') {
      // Credentials in, personal answer out: never let a shared cache keep it.
      const current = reply.getHeader('cache-control');
      if (typeof current !== 'string' || current.startsWith('public')) reply.header('cache-control', 'private, no-store');
    } else if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', `public, max-age=${maxAge}, stale-while-revalidate=${stale}`);
    }
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
});

function appendVary(current: unknown, value: string): string {
  const existing = typeof current === 'string' && current ? current.split(',').map((s) => s.trim()) : [];
  if (existing.some((v) => v === '*' || v.toLowerCase() === value.toLowerCase())) return existing.join(', ');
  return [...existing, value].join(', ');
}
