import { z } from 'zod';
import { Article, ArticleListQuery, ArticleViewQuery } from '../articles/schemas.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';
import { MAX_QUERY_LENGTH } from './query.js';

const QUERY_HELP =
  'Words (all must match), "exact phrases", -excluded, a OR b, prefix kaz* (2+ letters), and field:word for ' +
  'headline, standfirst, body, tag, author, caption. Case and accents are ignored (café = cafe). ' +
  `At most ${MAX_QUERY_LENGTH} characters; a query that cannot be understood is a 400 saying why.`;

export const FACETS = ['section', 'tag'] as const;
export type Facet = (typeof FACETS)[number];

const listFilters = ArticleListQuery.shape;

export const SearchQuery = z.strictObject({
  q: z.string().min(1).max(MAX_QUERY_LENGTH).describe(QUERY_HELP),
  section: listFilters.section,
  tag: listFilters.tag,
  author: listFilters.author,
  from: listFilters.from,
  to: listFilters.to,
  access: listFilters.access,
  status: listFilters.status,
  facets: z
    .string()
    .max(100)
    .regex(/^[a-z, ]*$/, 'must be a comma-separated list: section, tag')
    .optional()
    .describe('Counts over the whole result set: section, tag (comma-separated)'),
  limit: limitQuery,
  cursor: cursorQuery,
  ...ArticleViewQuery,
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const FacetBucket = z
  .object({ slug: z.string(), name: z.string(), count: z.number().int().describe('Matching articles') })
  .meta({ id: 'FacetBucket' });

export const SearchHit = z
  .object({
    article: Article,
    snippet: z
      .string()
      .describe(
        'HTML-escaped text around the matches, each match in <mark>…</mark>. For a caller without access to the ' +
          'full text it comes only from the teaser (the text before the paywall break) and the standfirst, ' +
          'even when the article was found by words past the break.',
      ),
    score: z.number().describe('Relevance (bm25; higher is better). Comparable only within one result list'),
  })
  .meta({ id: 'SearchHit', description: 'One search result: the article as this caller may see it, with a snippet' });

export const SearchResults = z
  .object({
    data: z.array(SearchHit),
    meta: ListMeta,
    facets: z
      .object({ section: z.array(FacetBucket).optional(), tag: z.array(FacetBucket).optional() })
      .optional()
      .describe('Present when asked for with `facets=`: the most frequent sections/tags in the whole result set'),
  })
  .meta({ id: 'SearchResults', description: 'Search results, most relevant first' });
export type SearchResults = z.infer<typeof SearchResults>;

export const SuggestQuery = z.strictObject({
  q: z.string().min(1).max(100).describe('What has been typed so far; the last word is completed as a prefix (2+ letters)'),
  limit: z.coerce.number().int().min(1).max(20).default(5).describe('Completions of each kind (1–20, default 5)'),
});

export const Suggestions = z
  .object({
    tags: z.array(z.object({ slug: z.string(), name: z.string() })).describe('Tags whose name matches, with published articles'),
    headlines: z
      .array(
        z.object({
          slug: z.string(),
          headline: z.string(),
          highlighted: z.string().describe('The headline, HTML-escaped, with the typed words in <mark>…</mark>'),
        }),
      )
      .describe('Headlines of published articles that match, newest first'),
  })
  .meta({ id: 'Suggestions', description: 'Search-box completions' });
export type Suggestions = z.infer<typeof Suggestions>;
