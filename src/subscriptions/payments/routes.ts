import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../schemas/problem.js';
import type { PaymentsService } from './service.js';

export const PaymentAck = z
  .object({
    received: z.literal(true),
    duplicate: z.boolean().describe('True when this event id was already processed (nothing was applied again)'),
    outcome: z.string().describe('What the event did: activated, renewed, cancelled, status_past_due, unmatched, ignored, …'),
  })
  .meta({ id: 'PaymentAck' });

/**
 * POST /v1/webhooks/payments. Registered in its own scope: Stripe signs the exact bytes it sent,
 * so this route keeps the raw body (any content type) instead of parsing JSON.
 */
export function paymentsRoutes(payments: PaymentsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post('/v1/webhooks/payments', {
      config: { access: 'public' },
      schema: {
        tags: ['Subscriptions'],
        summary: 'Payment provider webhook (Stripe)',
        description:
          'Receives Stripe events: `checkout.session.completed` (activates the plan of the subscriber named by `client_reference_id` or ' +
          '`metadata.subscriberId`; the plan comes from `metadata.plan` or the one chosen at sign-up), `customer.subscription.updated`/`deleted`, ' +
          '`invoice.paid` (renews to the invoiced period end), `invoice.payment_failed` (past due). The `Stripe-Signature` header is verified ' +
          'against STRIPE_WEBHOOK_SECRET; unsigned, mis-signed or too old (replayed) events are a 400. A redelivered event id is acknowledged ' +
          'and not applied twice.',
        headers: z.object({ 'stripe-signature': z.string().max(2000).optional().describe('Stripe\'s signature: t=<unix>,v1=<hmac>') }),
        response: { 200: PaymentAck, ...problemResponses(400, 413, 503) },
      },
    }, async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return payments.receive(raw, request.headers['stripe-signature']);
    });
  };
}
