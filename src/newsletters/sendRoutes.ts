import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../articles/revisions.js';
import { notFound, unprocessable } from '../lib/httpError.js';
import { problemResponses } from '../schemas/problem.js';
import { normaliseEmail } from '../subscriptions/email.js';
import {
  NewsletterParams, NewsletterPreview, NewsletterSend, NewsletterSendList, PreviewQuery, SendCreate, SendParams, Suppression, SuppressionCreate,
  SuppressionList, SuppressionParams, TestSend, TestSendAccepted, UnsubscribeQuery, Unsubscribed,
} from './schemas.js';
import type { SendsService } from './sends.js';
import type { SendsRepository } from './sendsRepository.js';

const tags = ['Newsletters'];
const HTML = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const page = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body style="font-family: Georgia, serif; max-width: 36em; margin: 3em auto; padding: 0 1em;">${body}</body></html>`;

export interface SendRoutesDeps {
  sends: SendsService;
  repo: SendsRepository;
  /** Delivers one test mail now (SMTP or outbox). */
  testSend(to: string, newsletterSlug: string, articleSlug: string, audience: 'free' | 'paid'): Promise<{ audience: string; subject: string }>;
  kick(): void;
}

/** Sending stories, previews and test sends (editors); unsubscribe links (readers); the suppression list (admins). */
export const sendRoutes: FastifyPluginAsyncZod<SendRoutesDeps> = async (app, { sends, repo, testSend, kick }) => {
  // Mail clients POST the one-click unsubscribe as a form (RFC 8058); its body says nothing we need.
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data'], { parseAs: 'string', bodyLimit: 4096 }, (_r, _body, done) => done(null, undefined));

  app.post('/v1/newsletters/:slug/sends', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Send a published story to a newsletter',
      description: 'Admin only. Once per story and newsletter (409 the second time, or while one is scheduled). The recipients are queued in the transaction that records the send; the mail is rendered once per audience through the reader\'s view. 409 for a story that is not published (publish it with `newsletter` instead).',
      params: NewsletterParams,
      body: SendCreate,
      response: { 201: NewsletterSend, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
    },
  }, async (request, reply) => {
    const send = await sends.sendPublished(request.params.slug, request.body.article, actorOf(request.identity));
    kick();
    reply.header('cache-control', 'private, no-store').header('location', `/v1/admin/newsletter-sends/${send.id}`);
    return reply.code(201).send(send);
  });

  app.get('/v1/newsletters/:slug/sends', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List a newsletter\'s sends',
      description: 'Admin only. The latest 100, newest first, each with its progress.',
      params: NewsletterParams,
      response: { 200: NewsletterSendList, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request) => ({ data: await sends.list(request.params.slug) }));

  app.get('/v1/admin/newsletter-sends/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'A send\'s progress',
      description: 'Admin only. Audience counts and delivery progress: queued, sending, sent, failed, suppressed, interrupted.',
      params: SendParams,
      response: { 200: NewsletterSend, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request) => sends.get(request.params.id));

  app.get('/v1/newsletters/:slug/preview', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Preview a story\'s mail',
      description: 'Admin only. The subject, preheader, headers, HTML and text one audience would get (`audience=free`: the teaser and the paywall\'s call to action for a story the free plan does not open).',
      params: NewsletterParams,
      querystring: PreviewQuery,
      response: { 200: NewsletterPreview, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request) => sends.preview(request.params.slug, request.query.article, request.query.audience));

  app.post('/v1/newsletters/:slug/test', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Send a test mail',
      description: 'Admin only. Mails the story as one audience would get it to one address, marked [Test]; records no send (the story can still be sent once).',
      params: NewsletterParams,
      body: TestSend,
      response: { 200: TestSendAccepted, ...problemResponses(400, 401, 403, 404, 415, 422) },
    },
  }, async (request, reply) => {
    const to = normaliseEmail(request.body.to);
    if (!to) throw unprocessable('The test address is not an email address', '/body/to');
    const sent = await testSend(to, request.params.slug, request.body.article, request.body.audience);
    reply.header('cache-control', 'private, no-store');
    return { status: 'sent' as const, to, audience: sent.audience, subject: sent.subject };
  });

  app.get('/v1/unsubscribe', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Unsubscribe page (asks first)',
      description: 'The List-Unsubscribe link opened in a browser: a page that asks, with a button that POSTs the same URL. Opening it changes nothing (mail scanners open links). A token that is not genuine: 400, saying nothing of whom it would name.',
      querystring: UnsubscribeQuery,
      response: { 200: HTML('A page asking to confirm'), ...problemResponses(400) },
    },
  }, async (request, reply) => {
    const target = await sends.unsubscribeTarget(request.query.token);
    const action = `/v1/unsubscribe?token=${encodeURIComponent(request.query.token)}`;
    reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer');
    return reply.type('text/html; charset=utf-8').send(page('Unsubscribe', `<h1>Unsubscribe from ${escapeHtml(target.newsletterName)}?</h1>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`));
  });

  app.post('/v1/unsubscribe', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Unsubscribe (one click)',
      description: 'RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` here and the reader no longer gets that newsletter. Any body (form, JSON, none) is accepted; the token decides. Repeating it is harmless. A token that is not genuine: 400, saying nothing of whom it would name.',
      querystring: UnsubscribeQuery,
      response: {
        200: { description: 'Unsubscribed (JSON; an HTML page for a browser\'s form post)', content: { 'application/json': { schema: Unsubscribed }, 'text/html': { schema: z.string() } } },
        ...problemResponses(400, 415),
      },
    },
  }, async (request, reply) => {
    const done = await sends.unsubscribe(request.query.token);
    reply.header('cache-control', 'private, no-store');
    const message = `You will no longer get ${done.newsletterName}.`;
    if (String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && String(request.headers.accept ?? '').includes('text/html')) {
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', `<h1>Unsubscribed</h1><p>${escapeHtml(message)}</p>`));
    }
    return reply.type('application/json; charset=utf-8').send({ status: 'unsubscribed' as const, newsletter: done.newsletter, message });
  });

  app.get('/v1/admin/suppressions', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'The suppression list',
      description: 'Admin only. Addresses never mailed again (hard bounces at send time, complaints, entries by hand), newest first (1,000 at most).',
      response: { 200: SuppressionList, ...problemResponses(401, 403) },
    },
  }, async () => ({ data: (await repo.suppressions(1000)).map((s) => ({ ...s, detail: s.detail ?? null })) }));

  app.post('/v1/admin/suppressions', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Suppress an address',
      description: 'Admin only. A bounce or complaint reported elsewhere (a provider\'s webhook, a mailbox): the address gets no newsletter from now on, queued ones included.',
      body: SuppressionCreate,
      response: { 201: Suppression, ...problemResponses(400, 401, 403, 415, 422) },
    },
  }, async (request, reply) => {
    const email = normaliseEmail(request.body.email);
    if (!email) throw unprocessable('Not an email address', '/body/email');
    const row = { email, reason: request.body.reason, detail: request.body.detail ?? null, createdAt: app.clock.now().toISOString() };
    await repo.suppress(row);
    return reply.code(201).header('cache-control', 'private, no-store').send(row);
  });

  app.delete('/v1/admin/suppressions/:email', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Lift a suppression',
      description: 'Admin only. 404 when the address is not suppressed.',
      params: SuppressionParams,
      response: { 204: z.undefined().describe('Lifted'), ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const email = normaliseEmail(request.params.email) ?? request.params.email;
    if (!(await repo.unsuppress(email))) throw notFound(`A suppression of ${email}`);
    return reply.code(204).send();
  });
};
