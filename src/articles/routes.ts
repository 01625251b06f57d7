import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfMatchHeaders, versionFromIfMatch } from '../schemas/common.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import {
  Article,
  ArticleCreate,
  ArticleGetQuery,
  ArticleList,
  ArticleListQuery,
  ArticleParams,
  ArticleUpdate,
  CorrectionCreate,
  PublishBody,
  RevisionDetail,
  RevisionList,
  RevisionListQuery,
  RevisionParams,
  ScheduleBody,
} from './schemas.js';
import { actorOf } from './revisions.js';
import type { ArticlesService } from './service.js';
import { HttpError } from '../lib/httpError.js';
import './publishHooks.js';
import { sendNinjs, wantsNinjs } from '../syndication/routes.js';
import { NINJS_MEDIA_TYPE, NinjsDocument } from '../syndication/ninjs.js';
import { matchesIfNoneMatch } from '../plugins/caching.js';
import { articleKey } from '../lib/surrogateKeys.js';

const tags = ['Articles'];

/** Admin answers are personal: never stored by any cache. */
const noStore = (reply: FastifyReply) => reply.header('cache-control', 'private, no-store');
const etagOf = (a: { version?: number }) => `"v${a.version}"`;
/** Sends JSON that is already serialised (see ArticlesService.read/list). */
const sendJson = (reply: FastifyReply, json: Buffer) => reply.type('application/json; charset=utf-8').send(json);

export const articlesRoutes: FastifyPluginAsyncZod<{ articles: ArticlesService }> = async (app, { articles }) => {

  app.get('/v1/articles', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'List articles',
      description:
        'Published articles, newest first, keyset-paged (`cursor`). Filters: section, tag, author (slugs), from/to ' +
        '(publication date), access, q (simple text match). `fields=` picks fields, `format=` adds body ' +
        'representations (blocks, html, text), `include=` embeds authors, tags, section, photos. Callers without ' +
        'access to an article get its teaser only (`access.granted: false`, `paywall`). Admins also see drafts, ' +
        'scheduled and unpublished articles and may filter with `status=` (for anyone else only `status=published` is accepted, a no-op).',
      querystring: ArticleListQuery,
      response: { 200: ArticleList, ...problemResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    // Sent pre-serialised: items come from the rendered-article cache, each already encoded
    // through the Article schema (the response schema above documents it; a test checks it).
    const result = await articles.list(request.query, request.identity);
    setNextLink(request, reply, result.nextCursor);
    reply.header('etag', result.etag).surrogateKeys(result.keys);
    return sendJson(reply, result.json);
  });

  app.get('/v1/articles/:slug', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get an article',
      description:
        'One article as this caller may see it: the full body, or for callers without access the teaser ' +
        '(blocks before the paywall break), full metadata, `access.granted: false` and a `paywall` with plans. ' +
        'Defaults to every format and embed. An old slug answers 301 to the current one. ' +
        'The ETag depends on the version and on the audience (full or teaser). ' +
        'With `Accept: application/ninjs+json` the answer is the article as IPTC ninjs 3.1 instead ' +
        '(as /v1/syndication/ninjs/articles/{slug}).',
      params: ArticleParams,
      querystring: ArticleGetQuery,
      response: {
        200: {
          description: 'The article as this caller may see it; as IPTC ninjs 3.1 when Accept asks for application/ninjs+json',
          content: {
            'application/json': { schema: Article },
            [NINJS_MEDIA_TYPE]: { schema: NinjsDocument },
          },
        },
        301: z.undefined().describe('The article has a new slug: see Location'),
        304: z.undefined().describe('Not modified: the ETag in If-None-Match still matches'),
        ...problemResponses(400, 401, 404),
      },
    },
  }, async (request, reply) => {
    // Content negotiation: IPTC ninjs 3.1 for clients that ask for it (src/syndication).
    reply.header('vary', 'Accept');
    if (wantsNinjs(request.headers.accept)) return sendNinjs(app.syndication, request, reply, request.params.slug, '/v1/articles/');
    const result = await articles.read(request.params.slug, request.query, request.identity, {
      // Only a real GET of the single view may open an article by spending the reader's meter.
      spendMeter: request.method === 'GET',
      notModified: request.headers['if-none-match'] ? (etag) => matchesIfNoneMatch(request, etag) : undefined,
    });
    if ('notModified' in result) return reply.header('etag', result.etag).surrogateKeys(result.keys).code(304).send();
    if ('redirect' in result) {
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      if (request.identity.kind === 'anonymous') reply.cacheFor(app.config.CACHE_MAX_AGE_SECONDS).surrogateKeys([articleKey(result.id)]);
      else noStore(reply);
      return reply.redirect(`/v1/articles/${encodeURIComponent(result.redirect)}${search}`, 301);
    }
    reply.header('etag', result.etag).surrogateKeys(result.keys);
    // Pre-serialised (encoded through the Article schema when rendered) and cached per version and audience.
    return sendJson(reply, result.json);
  });

  app.post('/v1/articles', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create an article',
      description:
        'Admin only. Send the body as `body` (blocks) or `bodyMarkdown`. The slug is made from the headline when ' +
        'omitted. `status` may be draft (default), published (now, or backdated with publishedAt) or scheduled ' +
        '(with scheduledFor). Word count and reading time are computed from the full body.',
      body: ArticleCreate,
      response: { 201: Article, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const article = await articles.create(request.body, request.identity);
    noStore(reply).header('etag', etagOf(article)).header('location', `/v1/articles/${article.slug}`);
    return reply.code(201).send(article);
  });

  app.patch('/v1/articles/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Update an article',
      description:
        'Admin only. Send `If-Match` with the ETag (or version) you read: 412 when the article changed meanwhile. ' +
        'Every save keeps a revision. Changing the slug of a published article keeps the old slug as a 301.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      body: ArticleUpdate,
      response: { 200: Article, ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422) },
    },
  }, async (request, reply) => {
    const article = await articles.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']), request.identity);
    noStore(reply).header('etag', etagOf(article));
    return article;
  });

  app.delete('/v1/articles/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete an article',
      description: 'Admin only. A soft delete: readers no longer see it; `POST …/restore` brings it back.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      response: { 204: z.undefined().describe('Deleted (restorable)'), ...problemResponses(401, 403, 404, 412) },
    },
  }, async (request, reply) => {
    await articles.delete(request.params.slug, versionFromIfMatch(request.headers['if-match']), request.identity);
    return noStore(reply).code(204).send();
  });

  app.post('/v1/articles/:slug/restore', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Restore a deleted article',
      description: 'Admin only. Undoes a delete; the article keeps its workflow status.',
      params: ArticleParams,
      response: { 200: Article, ...problemResponses(401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const article = await articles.undelete(request.params.slug, request.identity);
    noStore(reply).header('etag', etagOf(article));
    return article;
  });

  app.post('/v1/articles/:slug/publish', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Publish an article',
      description:
        'Admin only. Publishes now; with `at` in the past it is backdated, with `at` in the future it is scheduled. ' +
        'Republishing an unpublished article keeps its original publication date unless `at` is given. ' +
        'With `newsletter` (a newsletter\'s slug) the story is mailed to that newsletter\'s subscribers as it goes live, once.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      body: PublishBody.nullish(),
      response: { 200: Article, ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422) },
    },
  }, async (request, reply) => {
    const newsletter = request.body?.newsletter;
    const hook = app.articlePublishHooks.newsletter;
    if (newsletter !== undefined) {
      if (!hook) throw new HttpError(422, 'Newsletters are not available', { errors: [{ pointer: '/body/newsletter', detail: 'no newsletters feature' }] });
      await hook.check(request.params.slug, newsletter);
    }
    const article = await articles.publish(request.params.slug, request.body?.at, versionFromIfMatch(request.headers['if-match']), request.identity);
    if (newsletter !== undefined && hook) await hook.published(article.slug, newsletter, actorOf(request.identity));
    noStore(reply).header('etag', etagOf(article));
    return article;
  });

  app.post('/v1/articles/:slug/schedule', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Schedule an article',
      description: 'Admin only. Readers see it from `at` on, with no cron: visibility is a query on the time.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      body: ScheduleBody,
      response: { 200: Article, ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422) },
    },
  }, async (request, reply) => {
    const article = await articles.schedule(request.params.slug, request.body.at, versionFromIfMatch(request.headers['if-match']), request.identity);
    noStore(reply).header('etag', etagOf(article));
    return article;
  });

  app.post('/v1/articles/:slug/unpublish', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Unpublish an article',
      description: 'Admin only. Readers no longer see it (its slug answers 404); it can be published again.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      response: { 200: Article, ...problemResponses(401, 403, 404, 412) },
    },
  }, async (request, reply) => {
    const article = await articles.unpublish(request.params.slug, versionFromIfMatch(request.headers['if-match']), request.identity);
    noStore(reply).header('etag', etagOf(article));
    return article;
  });

  app.post('/v1/articles/:slug/corrections', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Append a correction',
      description: 'Admin only. Readers see it in `corrections: [{at, text}]`; the article’s updatedAt and version move on.',
      params: ArticleParams,
      headers: IfMatchHeaders,
      body: CorrectionCreate,
      response: { 201: Article, ...problemResponses(400, 401, 403, 404, 412, 415) },
    },
  }, async (request, reply) => {
    const article = await articles.addCorrection(request.params.slug, request.body.text, versionFromIfMatch(request.headers['if-match']), request.identity);
    noStore(reply).header('etag', etagOf(article));
    return reply.code(201).send(article);
  });

  app.get('/v1/articles/:slug/revisions', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List revisions',
      description: 'Admin only. Every save, newest first: version, action, changed fields, who and when.',
      params: ArticleParams,
      querystring: RevisionListQuery,
      response: { 200: RevisionList, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const result = await articles.revisions(request.params.slug, request.query.limit, request.query.cursor);
    setNextLink(request, reply, result.meta.nextCursor);
    noStore(reply);
    return result;
  });

  app.get('/v1/articles/:slug/revisions/:version', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Get a revision',
      description: 'Admin only. The article as that save left it.',
      params: RevisionParams,
      response: { 200: RevisionDetail, ...problemResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    noStore(reply);
    return articles.revision(request.params.slug, request.params.version);
  });

  app.post('/v1/articles/:slug/revisions/:version/restore', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Restore a revision',
      description:
        'Admin only. Brings back that revision’s content (headline, body, bylines, tags, metadata — not the slug ' +
        'or workflow state) as a new revision. 409 when it refers to a section, author, tag or photo that no longer exists.',
      params: RevisionParams,
      headers: IfMatchHeaders,
      response: { 200: Article, ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    const article = await articles.restoreRevision(
      request.params.slug,
      request.params.version,
      versionFromIfMatch(request.headers['if-match']),
      request.identity,
    );
    noStore(reply).header('etag', etagOf(article));
    return article;
  });
};
