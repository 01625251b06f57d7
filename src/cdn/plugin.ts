import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createCdnRepository } from './repository.js';
import { cdnRoutes } from './routes.js';
import { parseTarget } from './targets.js';
import { CdnWorker, type PurgeSender } from './worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The CDN purge worker (src/cdn/worker.ts). */
    cdn: { worker: CdnWorker };
  }
}

export interface CdnOptions {
  /** Stands in for HTTP (tests). */
  sender?: PurgeSender;
}

/**
 * Behind a CDN: the purge worker (started when the app is ready unless CDN_WORKER=false, stopped
 * before it closes) and the admin view of the queue. Purges themselves are queued by the writers'
 * repositories inside their transactions (src/db/purgeQueue.ts).
 */
export default fp(async function cdnPlugin(app: FastifyInstance, options: CdnOptions) {
  const config = app.config;
  const repo = createCdnRepository(app.db);
  const targets = config.CDN_PURGE_URLS.map((entry) =>
    parseTarget(entry, {
      fastlyApiUrl: config.FASTLY_API_URL,
      fastlyApiToken: config.FASTLY_API_TOKEN,
      cloudflareApiUrl: config.CLOUDFLARE_API_URL,
      cloudflareApiToken: config.CLOUDFLARE_API_TOKEN,
    }),
  );
  const worker = new CdnWorker(
    repo,
    targets,
    app.clock,
    {
      pollMs: config.CDN_POLL_MS,
      timeoutMs: config.CDN_PURGE_TIMEOUT_MS,
      maxAttempts: config.CDN_PURGE_MAX_ATTEMPTS,
      retryBaseSeconds: config.CDN_RETRY_BASE_SECONDS,
      retryMaxSeconds: config.CDN_RETRY_MAX_SECONDS,
      archiveMs: config.ARCHIVE_AFTER_DAYS > 0 ? config.ARCHIVE_AFTER_DAYS * 86_400_000 : null,
      retentionDays: config.CDN_PURGE_RETENTION_DAYS,
    },
    app.log.child({ module: 'cdn' }),
    options.sender,
  );
  app.decorate('cdn', { worker });
  await app.register(cdnRoutes(repo, () => worker.kick()));

  // A write may have queued purges: send them now rather than at the next poll.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) worker.kick();
  });
  app.addHook('onReady', async () => {
    if (config.CDN_WORKER) worker.start();
  });
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}, { name: 'cdn' });
