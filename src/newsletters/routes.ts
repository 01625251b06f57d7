import { NEWSLETTERS_KEY } from '../lib/surrogateKeys.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IfMatchHeaders, versionFromIfMatch } from '../schemas/common.js';
import { problemResponses } from '../schemas/problem.js';
import {
  AdminNewsletterQuery, Newsletter, NewsletterCreate, NewsletterList, NewsletterParams, NewsletterUpdate, PublicNewsletter, PublicNewsletterList,
} from './schemas.js';
import type { NewslettersService } from './service.js';

const tags = ['Newsletters'];

/** Newsletters as a resource: the public list, and the editors' create, edit, archive. */
export const newslettersRoutes: FastifyPluginAsyncZod<{ newsletters: NewslettersService }> = async (app, { newsletters }) => {
  app.get('/v1/newsletters', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'List newsletters',
      description: 'The newsletters a subscriber can choose (by slug: `newsletters` at sign-up and in `PATCH /v1/me`), in display order. Archived ones are not listed.',
      response: { 200: PublicNewsletterList, ...problemResponses(401) },
    },
  }, async (_request, reply) => {
    reply.surrogateKeys([NEWSLETTERS_KEY]);
    return { data: await newsletters.publicList() };
  });

  app.get('/v1/newsletters/:slug', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get a newsletter',
      description: 'One newsletter a subscriber can choose; 404 when archived or unknown.',
      params: NewsletterParams,
      response: { 200: PublicNewsletter, ...problemResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    reply.surrogateKeys([NEWSLETTERS_KEY]);
    return newsletters.publicGet(request.params.slug);
  });

  app.get('/v1/admin/newsletters', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List newsletters (admin)',
      description: 'Admin only. Every newsletter with its settings and subscriber count, archived ones included unless `status` says otherwise.',
      querystring: AdminNewsletterQuery,
      response: { 200: NewsletterList, ...problemResponses(400, 401, 403) },
    },
  }, async (request) => ({ data: await newsletters.adminList(request.query.status) }));

  app.get('/v1/admin/newsletters/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Get a newsletter (admin)',
      description: 'Admin only. With an ETag (`"v{version}"`) that If-Match accepts.',
      params: NewsletterParams,
      response: { 200: Newsletter, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const n = await newsletters.adminGet(request.params.slug);
    reply.header('etag', `"v${n.version}"`);
    return n;
  });

  app.post('/v1/newsletters', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create a newsletter',
      description: 'Admin only. The slug is made from the name when omitted; sender and reply-to must be addresses (422), sections and tags must exist (422).',
      body: NewsletterCreate,
      response: { 201: Newsletter, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const n = await newsletters.create(request.body);
    reply.header('cache-control', 'private, no-store').header('etag', `"v${n.version}"`).header('location', `/v1/admin/newsletters/${n.slug}`);
    return reply.code(201).send(n);
  });

  app.patch('/v1/newsletters/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Update a newsletter',
      description: 'Admin only. Send `If-Match` with the ETag you read: 412 when the newsletter changed meanwhile. A new slug is what subscribers then choose.',
      params: NewsletterParams,
      headers: IfMatchHeaders,
      body: NewsletterUpdate,
      response: { 200: Newsletter, ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422) },
    },
  }, async (request, reply) => {
    const n = await newsletters.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']));
    reply.header('cache-control', 'private, no-store').header('etag', `"v${n.version}"`);
    return n;
  });

  app.post('/v1/newsletters/:slug/archive', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Archive a newsletter',
      description: 'Admin only. No longer listed, chosen or sent; who chose it is kept (un-archiving restores them). 409 when already archived.',
      params: NewsletterParams,
      headers: IfMatchHeaders,
      response: { 200: Newsletter, ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const n = await newsletters.archive(request.params.slug, versionFromIfMatch(request.headers['if-match']));
    reply.header('cache-control', 'private, no-store').header('etag', `"v${n.version}"`);
    return n;
  });

  app.post('/v1/newsletters/:slug/unarchive', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Un-archive a newsletter',
      description: 'Admin only. Listed and choosable again, with the subscribers it had. 409 when it is not archived.',
      params: NewsletterParams,
      headers: IfMatchHeaders,
      response: { 200: Newsletter, ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const n = await newsletters.unarchive(request.params.slug, versionFromIfMatch(request.headers['if-match']));
    reply.header('cache-control', 'private, no-store').header('etag', `"v${n.version}"`);
    return n;
  });
};
