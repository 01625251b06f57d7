import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { normalisePath } from './paths.js';
import { createImportsRepository } from './repository.js';

/**
 * Old permalinks of imported articles: `GET /2024/03/11/harbour-floods/` (a WordPress permalink,
 * a Ghost `/slug/`) answers 301 to `/v1/articles/{slug}`, so links and search engines that knew
 * the old site keep working once its domain points here (or a frontend forwards unknown paths).
 * It looks only at GET and HEAD requests no route matched (fastify's 404), so it costs nothing on
 * any other request and leaves the 404/405 problems as they were for paths it does not know. Only
 * paths of articles readers can see redirect (a story since unpublished or deleted stays a 404).
 */
export default fp(async function importRedirects(app: FastifyInstance) {
  const repo = createImportsRepository(app.db);
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD')) return done();
    const q = request.url.indexOf('?');
    const path = normalisePath(q >= 0 ? request.url.slice(0, q) : request.url);
    if (!path) return done();
    repo.redirectTarget(path, app.clock.now().toISOString()).then(
      (slug) => {
        if (!slug) return done();
        reply
          .header('cache-control', `public, max-age=${app.config.CACHE_MAX_AGE_SECONDS}, stale-while-revalidate=${app.config.CACHE_STALE_SECONDS}`)
          .redirect(`/v1/articles/${encodeURIComponent(slug)}${q >= 0 ? request.url.slice(q) : ''}`, 301);
      },
      (err) => done(err),
    );
  });
}, { name: 'import-redirects' });
