import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../articles/revisions.js';
import { IfMatchHeaders, assertIfMatch, versionFromIfMatch } from '../schemas/common.js';
import { ARTICLES_SET, authorKey, authorSetKey, photoKey } from '../lib/surrogateKeys.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { Author, AuthorCreate, AuthorList, AuthorListQuery, AuthorParams, AuthorUpdate, DetachQuery } from './schemas.js';
import type { AuthorsService } from './service.js';
import { createHash } from 'node:crypto';

const tags = ['Authors'];
/** Per version, and per content (article counts and photos change without the author changing). */
const etagOf = (a: Author) => `"v${a.version}-${createHash('sha1').update(JSON.stringify(a)).digest('hex').slice(0, 10)}"`;

export const authorsRoutes: FastifyPluginAsyncZod<{ authors: AuthorsService }> = async (app, { authors }) => {

  app.get('/v1/authors', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'List authors',
      description: 'Authors by name, with the number of published articles crediting each; paged by cursor.',
      querystring: AuthorListQuery,
      response: { 200: AuthorList, ...problemResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await authors.list(request.query.limit, request.query.cursor);
    setNextLink(request, reply, result.meta.nextCursor);
    // Each author's article count moves with the set of articles; their photos are shown.
    reply.surrogateKeys(['authors', ARTICLES_SET, ...result.data.flatMap((a) => (a.photoId ? [photoKey(a.photoId)] : []))]);
    return result;
  });

  app.get('/v1/authors/:slug', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get an author',
      description: 'Bio, photo and article count; their articles are at `articlesUrl` (`/v1/articles?author=…`).',
      params: AuthorParams,
      response: { 200: Author, ...problemResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const author = await authors.get(request.params.slug);
    reply.header('etag', etagOf(author)).surrogateKeys([authorKey(author.id), authorSetKey(author.id), ...(author.photoId ? [photoKey(author.photoId)] : [])]);
    return author;
  });

  app.post('/v1/authors', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create an author',
      description: 'Admin only. The slug is made from the name when omitted.',
      body: AuthorCreate,
      response: { 201: Author, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const author = await authors.create(request.body);
    reply.header('cache-control', 'private, no-store').header('etag', etagOf(author)).header('location', `/v1/authors/${author.slug}`);
    return reply.code(201).send(author);
  });

  app.patch('/v1/authors/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Update an author',
      description: 'Admin only. Send `If-Match` with the ETag you read: 412 when the author changed meanwhile.',
      params: AuthorParams,
      headers: IfMatchHeaders,
      body: AuthorUpdate,
      response: { 200: Author, ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422) },
    },
  }, async (request, reply) => {
    const author = await authors.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']));
    reply.header('cache-control', 'private, no-store').header('etag', etagOf(author));
    return author;
  });

  app.delete('/v1/authors/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete an author',
      description: 'Admin only. 409 while articles credit the author, unless `?detach=true` (the bylines are removed, each article gets a revision). With `If-Match`, 412 if the author changed since you read it.',
      params: AuthorParams,
      headers: IfMatchHeaders,
      querystring: DetachQuery,
      response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    assertIfMatch(versionFromIfMatch(request.headers['if-match']), (await authors.get(request.params.slug)).version, 'author');
    await authors.delete(request.params.slug, request.query.detach === 'true', actorOf(request.identity));
    return reply.header('cache-control', 'private, no-store').code(204).send();
  });
};
