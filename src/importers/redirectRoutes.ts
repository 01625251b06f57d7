import type { FastifyPluginAsync } from 'fastify';
import { normalisePath } from './paths.js';
import { createImportsRepository } from './repository.js';

/**
 * Old permalinks of imported articles: `GET /2024/03/11/harbour-floods/` (a WordPress permalink,
 * a Ghost `/slug/`) answers 301 to `/v1/articles/{slug}`, so links and search engines that knew
 * the old site keep working once its domain points here (or a frontend can forward unknown paths).
 * A catch-all route, so it only ever sees paths no other route answers; anything it does not
 * know goes to the usual 404 problem. Only paths of articles readers can see redirect (a story
 * since unpublished or deleted is a 404, as its slug would be).
 */
export const importRedirectRoutes: FastifyPluginAsync = async (app) => {
  const repo = createImportsRepository(app.db);
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const q = request.url.indexOf('?');
    const path = normalisePath(q >= 0 ? request.url.slice(0, q) : request.url);
    const target = path ? await repo.redirectTarget(path, app.clock.now().toISOString()) : undefined;
    if (!target) return reply.callNotFound();
    if (request.identity.kind === 'anonymous') reply.cacheFor(app.config.CACHE_MAX_AGE_SECONDS);
    else reply.header('cache-control', 'private, no-store');
    return reply.redirect(`/v1/articles/${encodeURIComponent(target)}${q >= 0 ? request.url.slice(q) : ''}`, 301);
  });
};
