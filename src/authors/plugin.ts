import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createArticlesRepository } from '../articles/repository.js';
import { createAuthorsRepository } from './repository.js';
import { authorsRoutes } from './routes.js';
import { createAuthorsService, type AuthorsService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The authors service (the seed and imports create authors through it). */
    authors: AuthorsService;
  }
}

/** Authors: the service, built once, and its routes. Author photos come from the photos feature. */
export default fp(async function authorsPlugin(app: FastifyInstance) {
  const authors = createAuthorsService({
    repo: createAuthorsRepository(app.db, app.clock),
    articles: createArticlesRepository(app.db),
    photos: app.photoEmbedder,
    clock: app.clock,
  });
  app.decorate('authors', authors);
  await app.register(authorsRoutes, { authors });
}, { name: 'authors', dependencies: ['photos'] });
