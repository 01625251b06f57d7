import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PhotoEmbedder } from '../schemas/photo.js';
import { createPhotosRepository } from './repository.js';
import { photosRoutes } from './routes.js';
import { createPhotosService, type PhotosService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The photos service (uploads, renditions); the seed and imports upload through it. */
    photos: PhotosService;
    /** How other features validate and embed photos (articles, authors, feeds): decorated by the photos plugin. */
    photoEmbedder: PhotoEmbedder;
  }
}

export interface PhotosPluginOptions {
  /** Stands in for the photo library where other features embed photos (tests pass a fake). */
  embedder?: PhotoEmbedder;
}

/**
 * The photos feature: builds its service once, decorates it and its PhotoEmbedder (articles,
 * authors and feeds validate and embed photos through it; they declare the dependency 'photos'),
 * and registers the routes. Wrapped with fastify-plugin so the decorations reach the root; the
 * routes stay encapsulated, and the multipart parser is registered only in the upload route's scope.
 */
export default fp(async function photosPlugin(app: FastifyInstance, options: PhotosPluginOptions) {
  const photos = createPhotosService({ repo: createPhotosRepository(app.db, app.clock), clock: app.clock, config: app.config, log: app.log });
  app.decorate('photos', photos);
  app.decorate('photoEmbedder', options.embedder ?? photos.embedder);
  // Temp files a crash left behind (uploads and renditions being written) are removed at start.
  void photos.storage.sweepTemp(60 * 60 * 1000).catch(() => undefined);
  await app.register(photosRoutes, { photos });
}, { name: 'photos' });
