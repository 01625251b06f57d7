import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../articles/revisions.js';
import { IfMatchHeaders, assertIfMatch, versionFromIfMatch } from '../schemas/common.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { Tag, TagCreate, TagDeleteQuery, TagList, TagListQuery, TagParams, TagUpdate } from './schemas.js';
import { ARTICLES_SET, tagKey, tagSetKey } from '../lib/surrogateKeys.js';
import type { TagsService } from './service.js';

const tags = ['Tags'];
/** Per version, and per content (article counts change without the tag changing). */
const etagOf = (t: Tag) => `"v${t.version}-${createHash('sha1').update(JSON.stringify(t)).digest('hex').slice(0, 10)}"`;

export const tagsRoutes: FastifyPluginAsyncZod<{ tags: TagsService }> = async (app, { tags: service }) => {

  app.get('/v1/tags', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'List tags',
      description: 'Tags by name, with the number of published articles using each; paged by cursor.',
      querystring: TagListQuery,
      response: { 200: TagList, ...problemResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await service.list(request.query.limit, request.query.cursor);
    setNextLink(request, reply, result.meta.nextCursor);
    // Each tag's article count moves with the set of articles.
    reply.surrogateKeys(['tags', ARTICLES_SET]);
    return result;
  });

  app.get('/v1/tags/:slug', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get a tag',
      description: 'With its article count; its articles are at `articlesUrl` (`/v1/articles?tag=…`).',
      params: TagParams,
      response: { 200: Tag, ...problemResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const tag = await service.get(request.params.slug);
    reply.header('etag', etagOf(tag)).surrogateKeys([tagKey(tag.id), tagSetKey(tag.id)]);
    return tag;
  });

  app.post('/v1/tags', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create a tag',
      description: 'Admin only. The slug is made from the name when omitted.',
      body: TagCreate,
      response: { 201: Tag, ...problemResponses(400, 401, 403, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const tag = await service.create(request.body);
    reply.header('cache-control', 'private, no-store').header('etag', etagOf(tag)).header('location', `/v1/tags/${tag.slug}`);
    return reply.code(201).send(tag);
  });

  app.patch('/v1/tags/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Update a tag',
      description: 'Admin only. Send `If-Match` with the ETag you read: 412 when the tag changed meanwhile.',
      params: TagParams,
      headers: IfMatchHeaders,
      body: TagUpdate,
      response: { 200: Tag, ...problemResponses(400, 401, 403, 404, 409, 412, 415) },
    },
  }, async (request, reply) => {
    const tag = await service.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']));
    reply.header('cache-control', 'private, no-store').header('etag', etagOf(tag));
    return tag;
  });

  app.delete('/v1/tags/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete a tag',
      description: 'Admin only. 409 while articles use the tag, unless `?detach=true` (it is removed from them, each article gets a revision). With `If-Match`, 412 if the tag changed since you read it.',
      params: TagParams,
      headers: IfMatchHeaders,
      querystring: TagDeleteQuery,
      response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    assertIfMatch(versionFromIfMatch(request.headers['if-match']), (await service.get(request.params.slug)).version, 'tag');
    await service.delete(request.params.slug, request.query.detach === 'true', actorOf(request.identity));
    return reply.header('cache-control', 'private, no-store').code(204).send();
  });
};
