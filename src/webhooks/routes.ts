import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import {
  DeliveryListQuery,
  DeliveryParams,
  EndpointParams,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
  WebhookEndpointList,
  WebhookEndpointUpdate,
} from './schemas.js';
import type { WebhooksService } from './service.js';

const tags = ['Webhooks'];

/** Admin endpoints for webhook endpoints and their delivery log. */
export function webhooksRoutes(service: WebhooksService): FastifyPluginAsyncZod {
  return async (app) => {

    app.get('/v1/admin/webhooks', {
      config: { access: 'admin' },
      schema: { tags, summary: 'List webhook endpoints', description: 'Admin only. Every registered endpoint, with the events it subscribes to (secrets are never shown).', response: { 200: WebhookEndpointList, ...problemResponses(401, 403) } },
    }, async () => service.list());

    app.post('/v1/admin/webhooks', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Register a webhook endpoint',
        description:
          'Admin only. Deliveries are JSON POSTs `{ type, timestamp, data }` signed with the Standard Webhooks scheme ' +
          '(`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`) using the `whsec_…` ' +
          'secret returned here once. Events: article.published, article.updated, article.unpublished, ' +
          'article.deleted, article.corrected, photo.updated. With `keyId`, payloads follow that partner key\'s ' +
          'licence; otherwise gated articles carry their teaser only. Failed deliveries are retried with exponential ' +
          'backoff and jitter; 2xx within WEBHOOK_TIMEOUT_MS counts as delivered (redirects are not followed). ' +
          'The URL must be on a public address: loopback, private, link-local (cloud metadata), CGNAT, unique-local ' +
          'and other non-public targets are refused (422 naming /body/url; names are resolved), and checked again at ' +
          'every delivery, unless the server runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true.',
        body: WebhookEndpointCreate,
        response: { 201: WebhookEndpointCreated, ...problemResponses(400, 401, 403, 415, 422) },
      },
    }, async (request, reply) => {
      const created = await service.create(request.body);
      reply.header('location', `/v1/admin/webhooks/${created.endpoint.id}`);
      return reply.code(201).send(created);
    });

    app.get('/v1/admin/webhooks/:id', {
      config: { access: 'admin' },
      schema: { tags, summary: 'Get a webhook endpoint', description: 'Admin only. One endpoint by id (its secret is never shown).', params: EndpointParams, response: { 200: WebhookEndpoint, ...problemResponses(400, 401, 403, 404) } },
    }, async (request) => service.get(request.params.id));

    app.patch('/v1/admin/webhooks/:id', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description:
          'Admin only. `active: false` pauses it: no new deliveries are queued and queued ones are not sent. A new `url` ' +
          'is checked as at registration (non-public targets: 422).',
        params: EndpointParams,
        body: WebhookEndpointUpdate,
        response: { 200: WebhookEndpoint, ...problemResponses(400, 401, 403, 404, 415, 422) },
      },
    }, async (request) => service.update(request.params.id, request.body));

    app.delete('/v1/admin/webhooks/:id', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a webhook endpoint',
        description: 'Admin only. Its delivery log goes with it.',
        params: EndpointParams,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      await service.remove(request.params.id);
      return reply.code(204).send();
    });

    app.post('/v1/admin/webhooks/:id/rotate-secret', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rotate the signing secret',
        description: 'Admin only. The new secret signs every later attempt; it is shown only now.',
        params: EndpointParams,
        response: { 200: WebhookEndpointCreated, ...problemResponses(400, 401, 403, 404) },
      },
    }, async (request) => service.rotateSecret(request.params.id));

    app.get('/v1/admin/webhooks/:id/deliveries', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delivery log of an endpoint',
        description: 'Admin only. Newest first: status, attempts, last status code and error, next attempt.',
        params: EndpointParams,
        querystring: DeliveryListQuery,
        response: { 200: WebhookDeliveryList, ...problemResponses(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      const result = await service.deliveries(request.params.id, request.query.limit, request.query.cursor, request.query.status);
      setNextLink(request, reply, result.meta.nextCursor);
      return result;
    });

    app.get('/v1/admin/webhooks/:id/deliveries/:deliveryId', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Get one delivery',
        description: 'Admin only. Includes the exact signed body.',
        params: DeliveryParams,
        response: { 200: WebhookDelivery, ...problemResponses(400, 401, 403, 404) },
      },
    }, async (request) => service.delivery(request.params.id, request.params.deliveryId));

    app.post('/v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Redeliver a delivery',
        description: 'Admin only. Queues the same message (same webhook-id and body) again as a new delivery, due now.',
        params: DeliveryParams,
        response: { 202: WebhookDelivery, ...problemResponses(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => reply.code(202).send(await service.redeliver(request.params.id, request.params.deliveryId)));
  };
}
