import type { FastifyInstance } from 'fastify';
import type { Identity } from '../access/identity.js';

/**
 * The services the importers write through, taken from the app buildApp made (the same code the
 * HTTP API runs: validation, cleaning, revisions, search indexing, the change feed), each built
 * once by its feature's plugin.
 */
export function servicesOf(app: FastifyInstance) {
  return {
    articles: app.articles,
    authors: app.authors,
    tags: app.tags,
    sections: app.sections,
    photos: app.photos,
    plans: app.subscriptions.plans,
    newsletters: app.newsletters,
  };
}

export type ImportServices = ReturnType<typeof servicesOf>;

/** Who an import acts as: revisions credit it ("wordpress import (key import)"). */
export function importIdentity(source: string): Identity {
  return { kind: 'apiKey', keyId: 'import', name: `${source} import`, scopes: ['admin'] };
}
