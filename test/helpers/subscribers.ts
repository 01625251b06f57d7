import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { tokenIn } from './smtp.js';

export const WEBHOOK_SECRET = 'whsec_test_newsdesk_secret';

/** The latest mail the outbox holds for `email` (no SMTP configured). */
export async function outboxMail(app: FastifyInstance, admin: { authorization: string }, email: string) {
  await app.subscriptions.mailer.idle();
  const res = await app.inject({ url: `/v1/admin/outbox?to=${encodeURIComponent(email)}&limit=1`, headers: admin });
  const mail = JSON.parse(res.body).data[0];
  if (!mail) throw new Error(`no mail to ${email} in the outbox`);
  return mail as { id: number; kind: string; subject: string; text: string; html: string; status: string };
}

/** Signs up, confirms through the outbox mail, and returns the session token and subscriber id. */
export async function subscriber(
  app: FastifyInstance,
  admin: { authorization: string },
  email: string,
  body: Record<string, unknown> = {},
): Promise<{ token: string; id: number; auth: { authorization: string } }> {
  const signup = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email, ...body } });
  if (signup.statusCode !== 202) throw new Error(`sign-up failed: ${signup.statusCode} ${signup.body}`);
  const mail = await outboxMail(app, admin, email);
  const confirmed = await app.inject({ method: 'POST', url: '/v1/subscribers/confirm', payload: { token: tokenIn(mail) } });
  if (confirmed.statusCode !== 200) throw new Error(`confirm failed: ${confirmed.statusCode} ${confirmed.body}`);
  const session = JSON.parse(confirmed.body);
  return { token: session.token, id: session.subscriber.id, auth: { authorization: `Bearer ${session.token}` } };
}

/** POSTs a Stripe event signed like Stripe does (timestamp from `at`, default the app clock). */
export async function sendStripeEvent(
  app: FastifyInstance,
  event: { id: string; type: string; object: Record<string, unknown> },
  options: { secret?: string; at?: Date; signature?: string | null; rawBody?: string } = {},
) {
  const payload = options.rawBody ?? JSON.stringify({
    id: event.id,
    object: 'event',
    api_version: '2025-10-29.clover',
    created: Math.floor((options.at ?? app.clock.now()).getTime() / 1000),
    type: event.type,
    livemode: false,
    data: { object: event.object },
  });
  const header = options.signature !== undefined
    ? options.signature
    : Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? WEBHOOK_SECRET,
        timestamp: Math.floor((options.at ?? app.clock.now()).getTime() / 1000),
      });
  return app.inject({
    method: 'POST',
    url: '/v1/webhooks/payments',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(header !== null ? { 'stripe-signature': header } : {}) },
    payload,
  });
}
