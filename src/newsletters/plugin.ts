import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createNewslettersRepository } from './repository.js';
import { newslettersRoutes } from './routes.js';
import { sendRoutes } from './sendRoutes.js';
import { createSendsService, type SendsService } from './sends.js';
import { createSendsRepository } from './sendsRepository.js';
import { createNewslettersService, type NewslettersService } from './service.js';
import { createUnsubscribeTokens } from './unsubscribeTokens.js';
import { dkimOptions, NewsletterWorker, preparedHeaders, senderOf } from './worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The newsletters service (imports match newsletters through it). */
    newsletters: NewslettersService;
    /** Sending stories to newsletters, and the delivery worker. */
    newsletterDelivery: { sends: SendsService; worker: NewsletterWorker };
  }
}

/**
 * Newsletters: what subscribers get by email. The newsletters themselves live here; who chose
 * which is written by the subscriptions feature's accounts repository, inside its sign-up and
 * profile transactions (it reads the newsletters table in the data layer, never this feature).
 * Sending: a story goes to a newsletter once (with `newsletter` on publish, or the send endpoint),
 * rendered once per audience through the reader's view, delivered by the worker from a queue in
 * the database (started when the app is ready unless NEWSLETTER_WORKER=false).
 */
export default fp(async function newslettersPlugin(app: FastifyInstance) {
  const { config } = app;
  const newsletters = createNewslettersService({ repo: createNewslettersRepository(app.db), clock: app.clock });
  const repo = createSendsRepository(app.db);
  const tokens = createUnsubscribeTokens(config.NEWSLETTER_SECRET ?? (await repo.secret()));
  const sends = createSendsService(app, { repo, newsletters, tokens });
  const worker = new NewsletterWorker(repo, sends, app.clock, config, app.log.child({ module: 'newsletters' }));
  app.decorate('newsletters', newsletters);
  app.decorate('newsletterDelivery', { sends, worker });

  app.articlePublishHooks.newsletter = {
    check: (articleSlug, newsletter) => sends.checkPublish(articleSlug, newsletter),
    async published(articleSlug, newsletter, actor) {
      await sends.afterPublish(articleSlug, newsletter, actor);
      worker.kick();
    },
  };

  async function testSend(to: string, newsletterSlug: string, articleSlug: string, audience: 'free' | 'paid') {
    const { newsletter, mail } = await sends.testMail(newsletterSlug, articleSlug, audience);
    // A test mail carries a link that unsubscribes nobody.
    const url = `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/unsubscribe?token=test`;
    const body = sends.personalise(mail, url);
    const subject = `[Test] ${mail.subject}`;
    if (config.SMTP_URL) {
      const nodemailer = (await import('nodemailer')).default;
      const dkim = dkimOptions(config);
      const transport = nodemailer.createTransport({ url: config.SMTP_URL, ...(dkim ? { dkim } : {}) } as Parameters<typeof nodemailer.createTransport>[0]);
      try {
        await transport.sendMail({
          from: senderOf(newsletter, config.MAIL_FROM), to, subject, text: body.text, html: body.html,
          ...(newsletter.replyTo ? { replyTo: newsletter.replyTo } : {}), headers: preparedHeaders(sends.listHeaders(newsletter, url)),
        });
      } finally {
        transport.close();
      }
    } else {
      await repo.outbox({ subscriberId: null, toAddress: to, kind: 'newsletter-test', subject, textBody: body.text, htmlBody: body.html, status: 'outbox', createdAt: app.clock.now().toISOString() });
    }
    return { audience: mail.audience, subject };
  }

  await app.register(newslettersRoutes, { newsletters });
  await app.register(sendRoutes, { sends, repo, testSend, kick: () => worker.kick() });

  app.addHook('onReady', async () => {
    if (config.NEWSLETTER_WORKER) await worker.start();
  });
  app.addHook('preClose', async () => {
    await worker.stop();
  });
}, { name: 'newsletters', dependencies: ['subscriptions', 'sections', 'tags', 'photos', 'articles'] });
