import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createNewslettersRepository } from './repository.js';
import { newslettersRoutes } from './routes.js';
import { createNewslettersService, type NewslettersService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The newsletters service (imports match newsletters through it). */
    newsletters: NewslettersService;
  }
}

/**
 * Newsletters: what subscribers get by email. The newsletters themselves live here; who chose
 * which is written by the subscriptions feature's accounts repository, inside its sign-up and
 * profile transactions (it reads the newsletters table in the data layer, never this feature).
 */
export default fp(async function newslettersPlugin(app: FastifyInstance) {
  const newsletters = createNewslettersService({ repo: createNewslettersRepository(app.db), clock: app.clock });
  app.decorate('newsletters', newsletters);
  await app.register(newslettersRoutes, { newsletters });
}, { name: 'newsletters', dependencies: ['subscriptions', 'sections', 'tags'] });
