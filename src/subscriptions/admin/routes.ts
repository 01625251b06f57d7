import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { setNextLink } from '../../schemas/pagination.js';
import { problemResponses } from '../../schemas/problem.js';
import {
  AdminSubscriberDetail,
  AdminSubscriberExportQuery,
  AdminSubscriberList,
  AdminSubscriberListQuery,
  AdminSubscriberParams,
  GrantSubscription,
  OutboxList,
  OutboxQuery,
} from './schemas.js';
import type { AdminService } from './service.js';

const tags = ['Subscriptions'];

export function adminRoutes(admin: AdminService): FastifyPluginAsyncZod {
  return async (app) => {

    app.get('/v1/admin/subscribers', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'List and search subscribers',
        description: 'Admin only. Newest first, keyset-paged. Filter by `plan`, membership `status`, `subscriptionStatus`; `q` finds text in the address or name.',
        querystring: AdminSubscriberListQuery,
        response: { 200: AdminSubscriberList, ...problemResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const { limit, cursor, plan, ...rest } = request.query;
      const result = await admin.list({ ...rest, planSlug: plan }, limit, cursor);
      setNextLink(request, reply, result.meta.nextCursor);
      return result;
    });

    app.get('/v1/admin/subscribers/export', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Export subscribers as CSV',
        description: 'Admin only. The same filters as the list, every matching subscriber, streamed as `text/csv` (RFC 4180; cells that a spreadsheet would run as formulas are prefixed with an apostrophe).',
        querystring: AdminSubscriberExportQuery,
        response: {
          200: { description: 'CSV with a header row', content: { 'text/csv': { schema: z.string() } } },
          ...problemResponses(400, 401, 403),
        },
      },
    }, async (request, reply) => {
      const { plan, ...rest } = request.query;
      const date = new Date().toISOString().slice(0, 10);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="subscribers-${date}.csv"`);
      // A stream is piped as is (no JSON serialisation); the schema documents the CSV text.
      return reply.send(admin.exportCsv({ ...rest, planSlug: plan }) as unknown as string);
    });

    app.get('/v1/admin/subscribers/:id', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'View a subscriber',
        description: 'Admin only. With active session count and meter state.',
        params: AdminSubscriberParams,
        response: { 200: AdminSubscriberDetail, ...problemResponses(400, 401, 403, 404) },
      },
    }, async (request) => admin.detail(request.params.id));

    app.put('/v1/admin/subscribers/:id/subscription', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Grant or change a subscription by hand',
        description:
          'Admin only. Puts the subscriber on `plan` now (a complimentary or corrected subscription), until `currentPeriodEnd` when given. ' +
          'It replaces a provider-billed subscription locally; stop the billing with the provider too.',
        params: AdminSubscriberParams,
        body: GrantSubscription,
        response: { 200: AdminSubscriberDetail, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
      },
    }, async (request) => admin.grant(request.params.id, request.body));

    app.delete('/v1/admin/subscribers/:id/subscription', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Cancel a subscription by hand',
        description: 'Admin only. Ends a paid subscription now; the subscriber stays a registered reader on the free plan. 409 when there is none.',
        params: AdminSubscriberParams,
        response: { 200: AdminSubscriberDetail, ...problemResponses(400, 401, 403, 404, 409) },
      },
    }, async (request) => admin.cancel(request.params.id));

    app.get('/v1/admin/outbox', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Read the mail outbox',
        description:
          'Admin only. Every mail the system sent or holds, newest first. Without SMTP_URL this is where confirmation and sign-in mails wait ' +
          '(with their one-time links); with SMTP the body is dropped once delivered.',
        querystring: OutboxQuery,
        response: { 200: OutboxList, ...problemResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const result = await admin.outbox({ to: request.query.to }, request.query.limit, request.query.cursor);
      setNextLink(request, reply, result.meta.nextCursor);
      return result;
    });
  };
}
