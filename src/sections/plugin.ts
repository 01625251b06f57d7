import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createSectionsRepository } from './repository.js';
import { sectionsRoutes } from './routes.js';
import { createSectionsService, type SectionsService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The sections service (the seed and imports create sections through it). */
    sections: SectionsService;
  }
}

/** Sections: the service, built once, and its routes (in their own scope). */
export default fp(async function sectionsPlugin(app: FastifyInstance) {
  const sections = createSectionsService({ repo: createSectionsRepository(app.db, app.clock), clock: app.clock });
  app.decorate('sections', sections);
  await app.register(sectionsRoutes, { sections });
}, { name: 'sections' });
