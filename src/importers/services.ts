import type { FastifyInstance } from 'fastify';
import type { Identity } from '../access/identity.js';
import { createArticlesService, type ArticlesService } from '../articles/service.js';

/**
 * The services the importers write through, taken from the app buildApp made (the same code the
 * HTTP API runs: validation, cleaning, revisions, search indexing, the change feed). One place, so
 * the storage refactor (issue 11) changes one file here: the articles service is taken from
 * `app.articles` once the app builds it there; authors, tags and sections are the app's own.
 */
export function servicesOf(app: FastifyInstance) {
  const built = (app as unknown as { articles?: ArticlesService }).articles;
  return {
    articles: built ?? createArticlesService(app),
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
