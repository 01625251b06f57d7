import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createWebhooksRepository } from '../webhooks/repository.js';
import { webhooksRoutes } from '../webhooks/routes.js';
import { createWebhooksService, type WebhooksService } from '../webhooks/service.js';
import { WebhookWorker } from '../webhooks/worker.js';
import { createTargetGuard, type LookupFunction } from '../webhooks/targets.js';
import { systemClock } from '../lib/clock.js';
import { syndicationRoutes } from './routes.js';
import { createSyndicationService, type SyndicationService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Feeds, ninjs, sitemaps, change feed, webhook payloads. */
    syndication: SyndicationService;
    /** Webhook endpoints (admin) and the in-process delivery worker. */
    webhooks: { service: WebhooksService; worker: WebhookWorker };
  }
}

/**
 * Syndication and webhooks: routes, the delivery worker (started when the app is ready unless
 * WEBHOOK_WORKER=false, stopped before the app closes), and the announcement of scheduled articles
 * whose time has come. Changes themselves are recorded by emitChange (src/syndication/changes.ts)
 * inside the articles' and photos' own write transactions.
 */
export interface SyndicationOptions {
  /** The DNS lookup webhook targets are resolved with (tests pass a fake to play DNS rebinding). */
  webhookLookup?: LookupFunction;
}

export default fp(async function syndicationPlugin(app: FastifyInstance, options: SyndicationOptions) {
  const config = app.config;
  const service = createSyndicationService(app);
  const guard = createTargetGuard(config.WEBHOOK_ALLOW_PRIVATE_TARGETS, options.webhookLookup);
  const worker = new WebhookWorker(
    createWebhooksRepository(app.db),
    app.clock,
    {
      pollMs: config.WEBHOOK_POLL_MS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      retryBaseSeconds: config.WEBHOOK_RETRY_BASE_SECONDS,
      retryMaxSeconds: config.WEBHOOK_RETRY_MAX_SECONDS,
      concurrency: config.WEBHOOK_CONCURRENCY,
    },
    (delivery, endpoint) => service.renderWebhook(delivery, endpoint),
    app.log.child({ module: 'webhooks' }),
    systemClock,
    guard,
  );
  worker.beforeTick = () => service.sweepScheduled();
  const webhooks = createWebhooksService(app.db, app.clock, app.keys, () => worker.kick(), guard);

  app.decorate('syndication', service);
  app.decorate('webhooks', { service: webhooks, worker });

  await app.register(syndicationRoutes(service));
  await app.register(webhooksRoutes(webhooks));

  // A write may have queued deliveries: send them now rather than at the next poll.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) worker.kick();
  });
  app.addHook('onReady', async () => {
    if (config.WEBHOOK_WORKER) worker.start();
  });
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}, { name: 'syndication', dependencies: ['articles', 'photos'] });
