import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createArticlesRepository } from '../articles/repository.js';
import { createTagsRepository } from './repository.js';
import { tagsRoutes } from './routes.js';
import { createTagsService, type TagsService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The tags service (the seed and imports create tags through it). */
    tags: TagsService;
  }
}

/** Tags: the service, built once, and its routes. */
export default fp(async function tagsPlugin(app: FastifyInstance) {
  const tags = createTagsService({ repo: createTagsRepository(app.db, app.clock), articles: createArticlesRepository(app.db), clock: app.clock });
  app.decorate('tags', tags);
  await app.register(tagsRoutes, { tags });
}, { name: 'tags' });
