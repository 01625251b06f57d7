import { ARTICLES_SET, articleKey } from '../lib/surrogateKeys.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, notFound } from '../lib/httpError.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { FEED_FORMATS, type FeedFile } from './feeds.js';
import { NINJS_MEDIA_TYPE, NinjsDocument } from './ninjs.js';
import {
  ChangeList,
  ChangesQuery,
  FeedParams,
  FeedQuery,
  FeedResponse,
  NinjsList,
  NinjsListQuery,
  NinjsParams,
  ScopedFeedParams,
  SitemapPageParams,
  SitemapParams,
  XmlResponse,
} from './schemas.js';
import type { FeedScope, SyndicationService } from './service.js';
import { SITEMAP_CONTENT_TYPE } from './sitemaps.js';

const tags = ['Syndication'];

/**
 * Feed URLs accept `?token=ndf_…` (a per-key feed token) for readers that cannot send headers.
 * Only these routes do: everywhere else `token` is an unknown parameter (400). Runs after the auth
 * plugin and before the rate limiter, so the partner's own bucket and licence apply.
 */
export function feedTokenHook(service: { resolve(token: string): Promise<import('../access/identity.js').Identity | null> }) {
  return async (request: FastifyRequest) => {
    const token = (request.query as { token?: unknown } | undefined)?.token;
    if (token === undefined) return;
    if (typeof token !== 'string') throw new HttpError(400, 'Send one token', { errors: [{ pointer: '/query/token', detail: 'must be a single value' }] });
    if (request.headers.authorization !== undefined) {
      throw new HttpError(400, 'Send credentials either in the Authorization header or as ?token=, not both', {
        errors: [{ pointer: '/query/token', detail: 'conflicts with the Authorization header' }],
      });
    }
    const identity = await service.resolve(token);
    if (!identity) {
      throw new HttpError(401, 'The feed token is unknown or revoked', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    request.identity = identity;
  };
}

/** The feed's own URL without credentials (for rel="self"). */
const selfPath = (request: FastifyRequest) => request.url.split('?')[0];

export function syndicationRoutes(service: SyndicationService): FastifyPluginAsyncZod {
  return async (app) => {
    const onRequest = feedTokenHook({ resolve: (token) => app.keys.licences.resolveFeedToken(token) });

    const sendFeed = async (request: FastifyRequest, reply: FastifyReply, scope: FeedScope, file: FeedFile) => {
      const { body, keys } = await service.feed(scope, file, request.identity, selfPath(request));
      return reply.type(FEED_FORMATS[file].contentType).surrogateKeys(keys).send(body);
    };

    app.get('/v1/feeds/:file', {
      config: { access: 'public' },
      onRequest,
      schema: {
        tags,
        summary: 'Site-wide feed',
        description:
          'The newest articles as RSS 2.0 (`rss.xml`), Atom 1.0 (`atom.xml`) or JSON Feed 1.1 (`feed.json`), with ' +
          'featured photos (caption and credit) as enclosures/media. Gated articles carry their teaser and a link; a ' +
          'partner (Authorization header, or `?token=` feed token) gets what its licence covers, with its usage terms.',
        params: FeedParams,
        querystring: FeedQuery,
        response: { 200: FeedResponse, ...problemResponses(400, 401, 429) },
      },
    }, async (request, reply) => sendFeed(request, reply, { kind: 'all' }, request.params.file));

    app.get('/v1/feeds/:kind/:slug/:file', {
      config: { access: 'public' },
      onRequest,
      schema: {
        tags,
        summary: 'Feed of a section, tag or author',
        description: 'As the site-wide feed, for one section (`/v1/feeds/sections/world/rss.xml`), tag or author.',
        params: ScopedFeedParams,
        querystring: FeedQuery,
        response: { 200: FeedResponse, ...problemResponses(400, 401, 404, 429) },
      },
    }, async (request, reply) =>
      sendFeed(request, reply, { kind: request.params.kind, slug: request.params.slug }, request.params.file));

    app.get('/v1/syndication/ninjs/articles/:slug', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'An article as IPTC ninjs 3.1',
        description:
          'The same as `GET /v1/articles/{slug}` with `Accept: application/ninjs+json`, for clients that cannot set ' +
          'headers. Callers without access get `representationType: "partial"` with the teaser; a partner key gets ' +
          'what its licence covers and its `usageTerms`.',
        params: NinjsParams,
        response: {
          200: { description: 'A ninjs 3.1 document', content: { [NINJS_MEDIA_TYPE]: { schema: NinjsDocument } } },
          301: z.undefined().describe('The article has a new slug: see Location'),
          ...problemResponses(400, 401, 404, 429),
        },
      },
    }, async (request, reply) => sendNinjs(service, request, reply, request.params.slug, '/v1/syndication/ninjs/articles/'));

    app.get('/v1/syndication/ninjs/articles', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Articles as IPTC ninjs 3.1',
        description: 'Newest first, filtered like the article list; each item a ninjs document as this caller may see it.',
        querystring: NinjsListQuery,
        response: { 200: NinjsList, ...problemResponses(400, 401, 429) },
      },
    }, async (request, reply) => {
      const result = await service.ninjsList(request.query, request.identity);
      setNextLink(request, reply, result.body.meta.nextCursor);
      reply.surrogateKeys(result.keys);
      // Sent as is (the documents are already exactly what the ninjs schema allows).
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body) as never);
    });

    app.get('/sitemap.xml', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sitemap index',
        description: `An index of article sitemaps (at most SITEMAP_PAGE_SIZE, ≤ 50,000, URLs each) and the Google News sitemap.`,
        response: { 200: XmlResponse('A sitemap index (sitemaps.org 0.9)'), ...problemResponses(429) },
      },
    }, async (_request, reply) =>
      reply.type(SITEMAP_CONTENT_TYPE).surrogateKeys([ARTICLES_SET]).send(await service.sitemapIndex(app.config.SITEMAP_PAGE_SIZE)));

    // Sitemaps live at the root: a sitemap may only list URLs under its own directory
    // (https://www.sitemaps.org/protocol.html#location), and articles are under /v1/.
    app.get('/sitemap-articles-:page.xml', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A page of the article sitemap',
        description: 'Page n of the published articles (by id), at most SITEMAP_PAGE_SIZE URLs, each on this host.',
        params: SitemapPageParams,
        response: { 200: XmlResponse('A sitemap (sitemaps.org 0.9)'), ...problemResponses(404, 429) },
      },
    }, async (request, reply) => {
      const page = request.params.page;
      if (!/^[1-9]\d{0,6}$/.test(page)) throw notFound(`Sitemap page "${page}"`);
      return reply.type(SITEMAP_CONTENT_TYPE).surrogateKeys([ARTICLES_SET]).send(await service.sitemapPage(Number(page), app.config.SITEMAP_PAGE_SIZE));
    });

    app.get('/sitemap-news.xml', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Google News sitemap',
        description: 'The articles published in the last 48 hours (at most 1,000), newest first, with the Google News namespace.',
        response: { 200: XmlResponse('A sitemap (sitemaps.org 0.9 with the Google News namespace)'), ...problemResponses(429) },
      },
    }, async (_request, reply) => reply.type(SITEMAP_CONTENT_TYPE).surrogateKeys([ARTICLES_SET]).send(await service.newsSitemap()));

    // Crawlers find the sitemaps here (https://www.sitemaps.org/protocol.html#submit_robots): the
    // Sitemap: lines must be absolute, so they are on PUBLIC_BASE_URL.
    app.get('/robots.txt', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'robots.txt',
        description:
          'Names the sitemap index and the Google News sitemap (`Sitemap:` lines on PUBLIC_BASE_URL); crawlers may fetch ' +
          'everything but the admin endpoints.',
        response: {
          200: { description: 'robots.txt (RFC 9309)', content: { 'text/plain': { schema: z.string() } } },
          ...problemResponses(429),
        },
      },
    }, async (_request, reply) => {
      const base = app.config.PUBLIC_BASE_URL;
      const body = ['User-agent: *', 'Disallow: /v1/admin/', '', `Sitemap: ${base}/sitemap.xml`, `Sitemap: ${base}/sitemap-news.xml`, ''].join('\n');
      return reply.type('text/plain; charset=utf-8').surrogateKeys(['robots']).send(body);
    });

    app.get('/sitemaps/:file', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Former sitemap locations',
        description: '`articles-<n>.xml` and `news.xml` moved to `/sitemap-articles-<n>.xml` and `/sitemap-news.xml`: 301 there.',
        params: SitemapParams,
        response: { 301: z.undefined().describe('Moved: see Location'), ...problemResponses(404, 429) },
      },
    }, async (request, reply) => {
      const file = request.params.file;
      if (file === 'news.xml') return reply.redirect('/sitemap-news.xml', 301);
      const m = /^articles-([1-9]\d{0,6})\.xml$/.exec(file);
      if (!m) throw notFound(`Sitemap "${file}"`);
      return reply.redirect(`/sitemap-articles-${m[1]}.xml`, 301);
    });

    app.get('/v1/changes', {
      config: { access: 'syndication' },
      schema: {
        tags: ['Change feed'],
        summary: 'The change feed',
        description:
          'Every change in commit order — created, updated, published, unpublished and deleted (tombstones), ' +
          'corrected, photo updated — so a partner stays in sync without re-crawling. Start without `since`, then ' +
          'always pass the last `meta.nextCursor`: cursors never skip or repeat a change, even under concurrent ' +
          'writes. Partners (syndication scope) see changes of public articles and the withdrawal of ones that ' +
          'were public, and photo updates only of photos they may see (as GET /v1/photos/{id} decides: not a ' +
          'scheduled story\'s photo, nor one shown only past a paywall break their licence does not open; such ' +
          'entries are stepped over, so a page may be short while hasMore is true); admins see every change. ' +
          'Entries carry ids and versions, never text: fetch `href`.',
        querystring: ChangesQuery,
        response: { 200: ChangeList, ...problemResponses(400, 401, 403, 429) },
      },
    }, async (request, reply) => {
      const type = request.query.type === undefined ? undefined : ([] as string[]).concat(request.query.type);
      const result = await service.changes({ since: request.query.since, limit: request.query.limit, type }, request.identity);
      if (result.meta.hasMore) {
        const url = new URL(request.url, 'http://placeholder');
        url.searchParams.set('since', result.meta.nextCursor);
        reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
      }
      return result as z.infer<typeof ChangeList>;
    });
  };
}

/**
 * Answers with an article as ninjs (also used by GET /v1/articles/{slug} when the client asks for
 * application/ninjs+json). `movedPrefix` is where an old slug redirects.
 */
export async function sendNinjs(service: SyndicationService, request: FastifyRequest, reply: FastifyReply, slug: string, movedPrefix: string) {
  reply.header('vary', 'Accept');
  const result = await service.ninjsArticle(slug, request.identity);
  if ('redirect' in result) {
    if (request.identity.kind === 'anonymous') reply.cacheFor(request.server.config.CACHE_MAX_AGE_SECONDS).surrogateKeys([articleKey(result.id)]);
    return reply.redirect(`${movedPrefix}${encodeURIComponent(result.redirect)}`, 301);
  }
  reply.header('etag', result.etag).surrogateKeys(result.keys);
  return reply.type(`${NINJS_MEDIA_TYPE}; charset=utf-8`).send(JSON.stringify(result.doc));
}

/** True when the Accept header prefers ninjs (the articles route asks this). */
export function wantsNinjs(accept: string | undefined): boolean {
  return !!accept && /application\/ninjs\+json/i.test(accept);
}
