import { z } from 'zod';
import { cursorQuery, limitQuery } from '../schemas/pagination.js';
import { Slug } from '../schemas/common.js';
import { ListMeta } from '../schemas/pagination.js';
import { CHANGE_EVENTS } from '../webhooks/events.js';
import { NinjsDocument } from './ninjs.js';

export const FeedFileParam = z.enum(['rss.xml', 'atom.xml', 'feed.json']).describe('rss.xml (RSS 2.0), atom.xml (Atom 1.0) or feed.json (JSON Feed 1.1)');

export const FeedParams = z.strictObject({ file: FeedFileParam });
export const ScopedFeedParams = z.strictObject({
  kind: z.enum(['sections', 'tags', 'authors']).describe('Feed of one section, tag or author'),
  slug: z.string().max(200).describe('Its slug'),
  file: FeedFileParam,
});
export const FeedQuery = z.strictObject({
  token: z
    .string()
    .max(200)
    .optional()
    .describe('A partner feed token (ndf_…) for readers that cannot send headers: the feed then follows that key\'s licence. Never logged.'),
});

/** Feed responses: documented per content type; the body is the feed document. */
export const FeedResponse = {
  description: 'The feed, newest first. Gated articles carry their teaser only unless the caller\'s licence covers them.',
  content: {
    'application/rss+xml': { schema: z.string().describe('RSS 2.0 with Media RSS (media:content, media:description, media:credit)') },
    'application/atom+xml': { schema: z.string().describe('Atom 1.0 (RFC 4287); featured photos as link rel="enclosure"') },
    'application/feed+json': {
      schema: z
        .object({
          version: z.literal('https://jsonfeed.org/version/1.1'),
          title: z.string(),
          home_page_url: z.string(),
          feed_url: z.string(),
          description: z.string(),
          language: z.string().describe('BCP 47 language of the publication (PUBLICATION_LANGUAGE)'),
          _newsdesk: z
            .object({
              copyright: z.string(),
              usageTerms: z.string().nullable().describe("The caller's licence's usage terms (or SYNDICATION_USAGE_TERMS); null = none"),
            })
            .describe('Newsdesk extension (JSON Feed allows keys starting with an underscore)'),
          items: z.array(z.record(z.string(), z.unknown())),
        })
        .describe('JSON Feed 1.1'),
    },
  },
};

export const NinjsParams = z.strictObject({ slug: z.string().max(200).describe('Article slug (an old slug answers 301)') });
export const NinjsListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  section: Slug.optional().describe('Section slug'),
  tag: Slug.optional().describe('Tag slug'),
  author: Slug.optional().describe('Author slug'),
});
export const NinjsList = z.object({ data: z.array(NinjsDocument), meta: ListMeta }).meta({ id: 'NinjsList' });

export const SitemapParams = z.strictObject({ file: z.string().max(100).describe('articles-<n>.xml or news.xml') });
export const SitemapPageParams = z.strictObject({ page: z.string().max(20).describe('The page number, from 1') });
export const XmlResponse = (description: string) => ({
  description,
  content: { 'application/xml': { schema: z.string() } },
});

export const ChangesQuery = z.strictObject({
  since: z.string().max(200).optional().describe('meta.nextCursor of your previous call (omit to start at the beginning)'),
  limit: limitQuery,
  type: z
    .union([z.enum(CHANGE_EVENTS), z.array(z.enum(CHANGE_EVENTS))])
    .optional()
    .describe('Only these change types (repeat the parameter for several)'),
});

export const ChangeEntry = z
  .object({
    seq: z.number().int().describe('Position in the feed: strictly increasing in commit order'),
    cursor: z.string().describe('Resume after this change with ?since=<cursor>'),
    type: z.enum(CHANGE_EVENTS),
    entity: z.enum(['article', 'photo']),
    id: z.number().int(),
    slug: z.string().nullable(),
    version: z.number().int().nullable().describe('The version after the change'),
    status: z.string().nullable().describe('Article status after the change (deleted for tombstones)'),
    tombstone: z.boolean().describe('true for unpublished and deleted: remove your copy'),
    occurredAt: z.string(),
    href: z.string().nullable().describe('Where to fetch the current state (null for tombstones)'),
  })
  .meta({ id: 'ChangeEntry', description: 'One change: created, updated, published, unpublished, deleted (tombstone), corrected' });

export const ChangeList = z
  .object({
    data: z.array(ChangeEntry),
    meta: z.object({
      nextCursor: z.string().describe('Always set: pass it as ?since= next time, even when data is empty'),
      hasMore: z.boolean().describe('true when more changes are waiting right now'),
    }),
  })
  .meta({ id: 'ChangeList' });
