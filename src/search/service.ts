import type { FastifyInstance } from 'fastify';
import type { Identity } from '../access/identity.js';
import { createArticlesRepository, filterConditions, matchingOf, visibleCondition, type ArticleFilter, type ArticleRow } from '../articles/repository.js';
import { createHash } from 'node:crypto';
import { listKeys } from '../lib/surrogateKeys.js';
import type { CachedAnswer } from '../articles/cache.js';
import { viewOptions } from '../articles/view.js';
import { HttpError } from '../lib/httpError.js';
import { parseSearchQuery, termsForField, MIN_PREFIX_LENGTH, type ParsedQuery, type QueryTerm } from './query.js';
import { rankedPage } from './ranking.js';
import { createSearchRepository } from './repository.js';
import type { Facet, SearchQuery, Suggestions } from './schemas.js';
import { FACETS, SearchResults } from './schemas.js';
import { hasMark, highlightSnippet, markedToHtml } from './snippet.js';
import { normalizedTokens } from './text.js';

/**
 * Search: finds articles with the FTS5 index, then shows each one through the articles feature's
 * reader view (src/access/articleView.ts via ArticlesService.present): the same JSON, teaser and
 * paywall as the article list, and the meter is never spent.
 *
 * THE PAYWALL RULE. Search is not an oracle for text past a paywall break:
 * - matching: each article matches by its full text only where the access policy's grant scope
 *   (fullTextScope) covers it for this caller, and by its teaser copy (articles_fts_teaser)
 *   everywhere else, in the same query (src/search/repository.ts `Matching`): results, totals,
 *   facets and exclusions alike. SEARCH_FULL_TEXT_DISCOVERY=true opts in to full-text matching
 *   for everyone (anyone can then confirm words in paid text);
 * - full-text snippets (FTS5 snippet() over the whole body) are computed only for articles the
 *   view granted to this caller;
 * - everyone else gets a snippet highlighted in JavaScript over the teaser text the view gave
 *   them (`view.text()`), or the standfirst, with the same tokenizer rules as the index.
 */
export const FACET_LIMIT = 25;
const MAX_SUGGEST_WORDS = 8;

export function createSearchService(app: FastifyInstance) {
  const repo = createSearchRepository(app.db);
  const articleRows = createArticlesRepository(app.db);
  const { articles } = app;

  async function rowsInOrder(ids: number[]): Promise<ArticleRow[]> {
    const byId = new Map((await articleRows.findByIds(ids)).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is ArticleRow => r !== undefined);
  }

  function teaserSnippet(parsed: ParsedQuery, teaser: string, standfirst: string | null): string {
    const fromTeaser = highlightSnippet(teaser, termsForField(parsed, 'body'));
    if (hasMark(fromTeaser)) return fromTeaser;
    if (standfirst) {
      const fromStandfirst = highlightSnippet(standfirst, termsForField(parsed, 'standfirst'));
      if (hasMark(fromStandfirst) || !fromTeaser) return fromStandfirst;
    }
    return fromTeaser;
  }

  function fullSnippet(snip: { body: string; best: string } | undefined, standfirst: string | null): string {
    const body = markedToHtml(snip?.body ?? '');
    if (hasMark(body)) return body;
    const best = markedToHtml(snip?.best ?? '');
    if (hasMark(best)) return best;
    return body || (standfirst ? highlightSnippet(standfirst, []) : '');
  }

  function parseFacets(raw: string | undefined): Facet[] {
    if (raw === undefined) return [];
    const names = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
    const unknown = names.filter((n) => !(FACETS as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new HttpError(400, `Unknown facet ${unknown.map((u) => `"${u}"`).join(', ')}; allowed: ${FACETS.join(', ')}`, {
        errors: [{ pointer: '/query/facets', detail: `must be among ${FACETS.join(', ')}` }],
      });
    }
    return names as Facet[];
  }

  /** Results as JSON, cached per query and audience like list pages (ArticlesService.cachedAnswer). */
  async function searchJson(query: SearchQuery, identity: Identity): Promise<CachedAnswer> {
    return articles.cachedAnswer('search', query, identity, async () => {
      const at = app.clock.now();
      const { result, rows, photoIds, filter, keys } = await run(query, identity);
      const json = Buffer.from(JSON.stringify(SearchResults.encode(result)));
      const expiry = photoIds.length > 0 && app.photoEmbedder.nextExpiry ? await app.photoEmbedder.nextExpiry(photoIds, at) : null;
      const validUntil = await articles.answerValidUntil(rows, expiry ? [Date.parse(expiry)] : [], at, filter);
      const etag = `"s-${createHash('sha1').update(json).digest('base64url')}"`;
      return { json, etag, nextCursor: result.meta.nextCursor, validUntil, keys };
    });
  }

  /** One search: the results, the rows shown and the photos embedded in them. */
  async function run(query: SearchQuery, identity: Identity): Promise<{ result: SearchResults; rows: { publishedAt: string | null }[]; photoIds: number[]; filter: ArticleFilter; keys: string[] }> {
    const parsed = parseSearchQuery(query.q);
    const facets = parseFacets(query.facets);
    const opts = viewOptions(query, false);
    const at = app.clock.now();
    // The article list's own filters (visibility for readers, statuses for admins, section, tag…).
    const filter = await articles.resolveFilter(query, identity, at);
    const conditions = filterConditions({ ...filter, q: undefined });
    // Per article: its full text where this caller may read it, else only its teaser (the policy's grant scope).
    const matching = matchingOf(filter)!;

    const ranked = await rankedPage(app.db, matching, conditions, query.cursor, query.limit);
    const records = await articles.hydrate(await rowsInOrder(ranked.hits.map((h) => h.id)));
    const { items, views } = await articles.present(records, identity, opts);

    // Full-text snippets only for what this caller may read in full.
    const grantedIds = records.filter((_, i) => views[i].granted).map((r) => r.id);
    const full = await repo.fullTextSnippets(parsed.match, grantedIds);
    const rankOf = new Map(ranked.hits.map((h) => [h.id, h.rank]));

    const data = records.map((r, i) => {
      const view = views[i];
      const snippet = view.granted ? fullSnippet(full.get(r.id), r.standfirst) : teaserSnippet(parsed, view.text(), r.standfirst);
      return { article: items[i], snippet, score: Number((-(rankOf.get(r.id) ?? 0)).toPrecision(6)) };
    });

    const result: SearchResults = { data, meta: { nextCursor: ranked.nextCursor, total: ranked.total } };
    if (facets.length > 0) {
      result.facets = {};
      if (facets.includes('section')) result.facets.section = await repo.sectionFacets(matching, conditions, FACET_LIMIT);
      if (facets.includes('tag')) result.facets.tag = await repo.tagFacets(matching, conditions, FACET_LIMIT);
    }
    const embedsPhotos = opts.includes.has('photos') || opts.formats.has('html') || opts.formats.has('text');
    // Facets count over sections and tags: their names are shown too.
    const keys = [...listKeys(filter), ...(facets.includes('section') ? ['sections'] : []), ...(facets.includes('tag') ? ['tags'] : [])];
    return { result, rows: records, photoIds: embedsPhotos ? [...new Set(views.flatMap((v) => v.photoIds))] : [], filter, keys };
  }

  return {
    searchJson,

    /**
     * Completions for a search box: every typed word must match, the last one as a prefix (when
     * it has MIN_PREFIX_LENGTH letters; a shorter last word is ignored until it grows). Only
     * published, visible articles and tags that label one. Cheap: FTS5 prefix indexes (2–4
     * letters), newest-first by rowid with a LIMIT, no ranking pass.
     */
    async suggest(q: string, limit: number): Promise<Suggestions> {
      let words = normalizedTokens(q).slice(-MAX_SUGGEST_WORDS);
      const typing = !/\s$/.test(q);
      if (typing && words.length > 0 && [...words[words.length - 1]].length < MIN_PREFIX_LENGTH) words = words.slice(0, -1);
      if (words.length === 0) return { tags: [], headlines: [] };
      const phrase = (w: string, i: number) => `"${w}"${typing && i === words.length - 1 ? '*' : ''}`;
      const visible = [visibleCondition(app.clock.now().toISOString())];
      const headlineMatch = words.map((w, i) => `{headline} : ${phrase(w, i)}`).join(' AND ');
      const tagMatch = words.map(phrase).join(' AND ');
      const terms: QueryTerm[] = words.map((w, i) => ({ tokens: [w], prefix: typing && i === words.length - 1, field: null, raw: w }));
      const [tags, headlines] = await Promise.all([
        repo.tagSuggestions(tagMatch, visible, limit),
        repo.headlineSuggestions(headlineMatch, visible, limit),
      ]);
      return {
        tags,
        headlines: headlines.map((h) => ({
          slug: h.slug,
          headline: h.headline,
          highlighted: highlightSnippet(h.headline, terms, 10_000),
        })),
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
