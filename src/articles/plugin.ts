import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { articleViewContext } from '../access/articleView.js';
import { createArticlesRepository } from './repository.js';
import { articlesRoutes } from './routes.js';
import { buildArticlesService, type ArticlesService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The articles service, built once (its render cache is its own): search, feeds, mail, imports and the seed read and write through it. */
    articles: ArticlesService;
  }
}

/**
 * Articles: the service, built once from its deps, decorated as app.articles, and its routes.
 * Photos are validated and embedded through app.photoEmbedder (photos) and the paywall asks
 * app.accessExtensions (subscriptions): both are declared, so a wrong registration order fails at start.
 */
export default fp(async function articlesPlugin(app: FastifyInstance) {
  const articles = buildArticlesService({
    repo: createArticlesRepository(app.db),
    clock: app.clock,
    config: app.config,
    photos: app.photoEmbedder,
    viewContext: (options) => articleViewContext(app, options),
  });
  app.decorate('articles', articles);
  await app.register(articlesRoutes, { articles });
}, { name: 'articles', dependencies: ['photos', 'subscriptions'] });
