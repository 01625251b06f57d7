import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AccessExtensions } from './access/extensions.js';
import type { Config } from './config.js';
import { HttpError } from './lib/httpError.js';
import type { PhotoEmbedder } from './schemas/photo.js';
import { refusePostgresForNow } from './db/engine.js';
import { closeDatabase, openDatabase, type Db } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { refreshTeasers } from './articles/teasers.js';
import { keysRoutes } from './keys/routes.js';
import syndicationPlugin from './syndication/plugin.js';
import type { LookupFunction } from './webhooks/targets.js';
import { createKeysService, type KeysService } from './keys/service.js';
import { systemClock, type Clock } from './lib/clock.js';
import { opsRoutes } from './ops/routes.js';
import photosPlugin from './photos/plugin.js';
import authPlugin from './plugins/auth.js';
import cachingPlugin from './plugins/caching.js';
import openapiPlugin, { DOCS_PREFIX } from './plugins/openapi.js';
import problemPlugin, { clientErrorProblem, frameworkErrorProblem } from './plugins/problem.js';
import routeAccessPlugin from './plugins/routeAccess.js';
import securityPlugin from './plugins/security.js';
import sectionsPlugin from './sections/plugin.js';
import articlesPlugin from './articles/plugin.js';
import type { PublishHooks } from './articles/publishHooks.js';
import authorsPlugin from './authors/plugin.js';
import tagsPlugin from './tags/plugin.js';
import searchPlugin from './search/plugin.js';
import subscriptionsPlugin from './subscriptions/plugin.js';
import newslettersPlugin from './newsletters/plugin.js';
import importRedirects from './importers/redirectRoutes.js';
import cdnPlugin from './cdn/plugin.js';
import type { PurgeSender } from './cdn/worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    clock: Clock;
    keys: KeysService;
  }
}

export interface BuildOptions {
  config: Config;
  /** An open database; when omitted the app opens config.databasePath and closes it on shutdown. */
  db?: Db;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
  /** Stands in for the photo library where articles, authors and feeds embed photos (tests pass a fake). */
  photoEmbedder?: PhotoEmbedder;
  /** Stands in for the subscriptions feature's plans and meter where articles are shown (tests pass a fake). */
  accessExtensions?: AccessExtensions;
  /** The DNS lookup webhook targets are resolved with (tests pass a fake). */
  webhookLookup?: LookupFunction;
  /** Sends CDN purge requests (tests pass a fake; default fetch). */
  cdnSender?: PurgeSender;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Replaces credential-bearing query values (feed tokens: `?token=…`) in a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

/** The app's pino options (exported so tests can add a stream and see what would be logged). */
export function loggerOptions(config: Config) {
  return {
    level: config.LOG_LEVEL,
    // Credentials never reach the log: not the headers, and not a feed token in the URL.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.query.token'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}

/**
 * Why a request's body cannot be read as sent, when it carries a Content-Encoding other than
 * identity (gzip, br, deflate…); null when it has no body or an identity one.
 */
export function unsupportedContentEncoding(headers: Record<string, string | string[] | undefined>): string | null {
  const raw = headers['content-encoding'];
  const value = (Array.isArray(raw) ? raw.join(',') : raw ?? '').trim();
  if (!value) return null;
  const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  if (!hasBody) return null;
  const codings = value.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  const unsupported = codings.filter((c) => c !== 'identity');
  if (unsupported.length === 0) return null;
  return `Content-Encoding ${unsupported.map((c) => `"${c}"`).join(', ')} is not supported: send the request body uncompressed`;
}

/** Builds the whole application. The server and the tests both call this. */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const ownsDb = !options.db;
  if (!options.db) refusePostgresForNow(config);
  const db = options.db ?? openDatabase(config.databasePath, { synchronous: config.DB_SYNCHRONOUS });
  runMigrations(db);
  // Teasers kept for search and photo visibility follow TEASER_BLOCKS (recomputed when it changed).
  refreshTeasers(db, config.TEASER_BLOCKS);

  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    return503OnClosing: true,
    clientErrorHandler: clientErrorProblem,
    frameworkErrors: frameworkErrorProblem,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body means "no body" (curl -X POST … -H 'Content-Type: application/json' on an
  // action such as publish); routes that need a body still answer 400 naming it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    parseJson(request, body.toString(), done);
  });

  // A compressed body would be parsed as if it were plain: refuse any coding but identity (415,
  // with Accept-Encoding saying what is accepted, as RFC 9110 §15.5.16 suggests).
  // Callback style: it runs for every request, most of which have no body.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const problem = unsupportedContentEncoding(request.headers);
    if (!problem) return done(null, payload);
    reply.header('accept-encoding', 'identity');
    done(new HttpError(415, problem, { errors: [{ pointer: '/headers/content-encoding', detail: 'must be identity (or absent)' }] }));
  });

  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('clock', options.clock ?? systemClock);
  app.decorate('keys', createKeysService(db, options.clock ?? systemClock));
  // Filled by the features that act on a publish (newsletters); see src/articles/publishHooks.ts.
  app.decorate('articlePublishHooks', { newsletter: null } as PublishHooks);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  if (ownsDb) app.addHook('onClose', async () => closeDatabase(db));

  await app.register(problemPlugin);
  await app.register(securityPlugin);
  await app.register(authPlugin);
  // From here on every route declares who may call it (config.access); the docs UI is not the API.
  await app.register(routeAccessPlugin, { exemptPrefixes: [DOCS_PREFIX] });
  await app.register(cachingPlugin);
  await app.register(openapiPlugin);

  // Features. Each is a named plugin that declares the features it needs (fastify-plugin refuses to
  // start when one is registered after a feature that needs it), and decorates its service once.
  await app.register(opsRoutes);
  await app.register(sectionsPlugin);
  await app.register(subscriptionsPlugin, { accessExtensions: options.accessExtensions });
  await app.register(photosPlugin, { embedder: options.photoEmbedder });
  await app.register(articlesPlugin);
  await app.register(authorsPlugin);
  await app.register(tagsPlugin);
  // Newsletters (subscribers choose them through the subscriptions feature).
  await app.register(newslettersPlugin);
  await app.register(searchPlugin);
  await app.register(keysRoutes);
  // Feeds, ninjs, sitemaps, change feed, webhooks (and their delivery worker).
  await app.register(syndicationPlugin, { webhookLookup: options.webhookLookup });
  // Behind a CDN: the purge worker and the admin view of its queue.
  await app.register(cdnPlugin, { sender: options.cdnSender });
  // Old permalinks of imported articles (only requests no route above answers).
  await app.register(importRedirects);

  return app;
}
