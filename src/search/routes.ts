import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ARTICLES_SET } from '../lib/surrogateKeys.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { SearchQuery, SearchResults, SuggestQuery, Suggestions } from './schemas.js';
import { createSearchService } from './service.js';

const tags = ['Search'];

export const searchRoutes: FastifyPluginAsyncZod = async (app) => {
  const search = createSearchService(app);

  app.get('/v1/search', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Search articles',
      description:
        'Full-text search over headline, standfirst, body, tags, authors and photo captions, most relevant first ' +
        '(bm25; a headline match outranks a body match). Query language: words (all must match), "exact phrases", ' +
        '-excluded, a OR b, prefix kaz*, field:word (headline, standfirst, body, tag, author, caption); case and ' +
        'accents are ignored. Combine with section, tag, author, from, to, access (and status for admins); ' +
        '`facets=section,tag` adds counts over the whole result set. Each result is the article as this caller may ' +
        'see it (teaser and paywall without access; the meter is never spent) with a highlighted snippet. A caller ' +
        'without access to an article\'s full text matches it only by what they may read: metadata, the teaser ' +
        '(before the paywall break) and captions of the photos they are shown, so no word past the break finds, ' +
        'counts or excludes anything for them (unless the publisher set SEARCH_FULL_TEXT_DISCOVERY); snippets come ' +
        'only from what the caller may read. Keyset-paged by (relevance, id).',
      querystring: SearchQuery,
      response: { 200: SearchResults, ...problemResponses(400, 401, 403) },
    },
  }, async (request, reply) => {
    // Sent pre-serialised (encoded through SearchResults), and cached per query and audience as list pages are.
    const result = await search.searchJson(request.query, request.identity);
    setNextLink(request, reply, result.nextCursor);
    reply.header('etag', result.etag).surrogateKeys(result.keys);
    return reply.type('application/json; charset=utf-8').send(result.json as never);
  });

  app.get('/v1/search/suggest', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Search-box suggestions',
      description:
        'Completions while typing: tags and headlines of published articles matching every typed word, the last ' +
        'one as a prefix (from 2 letters). Cheap enough to call on every keystroke.',
      querystring: SuggestQuery,
      response: { 200: Suggestions, ...problemResponses(400, 401) },
    },
  }, async (request, reply) => {
    reply.surrogateKeys([ARTICLES_SET, 'tags']);
    return search.suggest(request.query.q, request.query.limit);
  });
};
