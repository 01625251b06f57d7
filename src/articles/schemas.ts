import { z } from 'zod';
import { ArticleAccess, Paywall, SubscribePrompt } from '../access/articleView.js';
import { ACCESS_LEVELS } from '../access/policy.js';
import { IsoDateTime, MULTI_LINE, MULTI_LINE_MESSAGE, Slug, multiLine, oneLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';
import { EmbeddedPhoto } from '../schemas/photo.js';
import { MAX_QUERY_LENGTH } from '../search/query.js';
import { Block, Blocks } from '../content/blocks.js';

export const ARTICLE_STATUSES = ['draft', 'scheduled', 'published', 'unpublished'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

export const MAX_MARKDOWN_CHARS = 500_000;

/** Fields a response may carry; `fields=` picks among them (id, slug and access are always sent). */
export const ARTICLE_FIELDS = [
  'id', 'slug', 'headline', 'standfirst', 'excerpt', 'dateline', 'language', 'canonicalUrl', 'seoTitle',
  'seoDescription', 'featuredPhotoId', 'sectionSlug', 'authorSlugs', 'tagSlugs', 'sources', 'wordCount',
  'readingTimeMinutes', 'status', 'access', 'paywall', 'publishedAt', 'firstPublishedAt', 'scheduledFor',
  'createdAt', 'updatedAt', 'deletedAt', 'version', 'corrections', 'blocks', 'html', 'text',
  'section', 'authors', 'tags', 'photos', 'subscribePrompt',
] as const;
export type ArticleField = (typeof ARTICLE_FIELDS)[number];
export const ARTICLE_FORMATS = ['blocks', 'html', 'text'] as const;
export type ArticleFormat = (typeof ARTICLE_FORMATS)[number];
export const ARTICLE_INCLUDES = ['authors', 'tags', 'section', 'photos'] as const;
export type ArticleInclude = (typeof ARTICLE_INCLUDES)[number];
export const ARTICLE_SORTS = ['-publishedAt', 'publishedAt', '-updatedAt'] as const;
export type ArticleSort = (typeof ARTICLE_SORTS)[number];

export const ArticleAuthorRef = z
  .object({ id: z.number().int(), slug: z.string(), name: z.string(), role: z.string().nullable(), photoId: z.number().int().nullable() })
  .meta({ id: 'ArticleAuthorRef', description: 'An author as credited in a byline' });
export const ArticleTagRef = z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).meta({ id: 'ArticleTagRef' });
export const ArticleSectionRef = z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).meta({ id: 'ArticleSectionRef' });
export const Correction = z
  .object({ at: IsoDateTime, text: z.string() })
  .meta({ id: 'Correction', description: 'A published correction note' });

export const Article = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    headline: z.string().optional(),
    standfirst: z.string().nullable().optional().describe('Dek / subheadline'),
    excerpt: z
      .string()
      .nullable()
      .optional()
      .describe("The editor's excerpt, or the first paragraph of the teaser (never text past the paywall break)"),
    dateline: z.string().nullable().optional().describe('Where the story was filed, e.g. "KYIV"'),
    language: z.string().optional(),
    canonicalUrl: z.string().nullable().optional(),
    seoTitle: z.string().nullable().optional(),
    seoDescription: z.string().nullable().optional(),
    featuredPhotoId: z.number().int().nullable().optional(),
    sectionSlug: z.string().nullable().optional(),
    authorSlugs: z.array(z.string()).optional().describe('Byline order'),
    tagSlugs: z.array(z.string()).optional(),
    sources: z.array(z.string()).optional().describe('Agencies and sources credited'),
    wordCount: z.number().int().optional().describe("The full article's word count, whatever this caller may read"),
    readingTimeMinutes: z.number().int().optional().describe('ceil(wordCount ÷ READING_WPM)'),
    status: z.enum(ARTICLE_STATUSES).optional().describe('A scheduled article whose time has come reads as published'),
    access: ArticleAccess,
    paywall: Paywall.nullable().optional().describe('Present (non-null) when access.granted is false'),
    subscribePrompt: SubscribePrompt.optional().describe('Anonymous readers of public articles: a soft "Discover more from …" invitation'),
    publishedAt: IsoDateTime.nullable().optional(),
    firstPublishedAt: IsoDateTime.nullable().optional(),
    scheduledFor: IsoDateTime.nullable().optional(),
    createdAt: IsoDateTime.optional(),
    updatedAt: IsoDateTime.optional(),
    deletedAt: IsoDateTime.nullable().optional().describe('Admins only: set when the article is in the trash'),
    version: z.number().int().optional().describe('Increments on every change; send it back in If-Match'),
    corrections: z.array(Correction).optional(),
    blocks: z.array(Block).optional().describe('The body (the teaser only when access.granted is false)'),
    html: z.string().optional().describe('Sanitised HTML of `blocks`'),
    text: z.string().optional().describe('Plain text of `blocks`'),
    section: ArticleSectionRef.nullable().optional().describe('include=section'),
    authors: z.array(ArticleAuthorRef).optional().describe('include=authors'),
    tags: z.array(ArticleTagRef).optional().describe('include=tags'),
    photos: z.array(EmbeddedPhoto).optional().describe('include=photos: the featured photo and the images in `blocks`'),
    usageTerms: z.string().optional().describe("Partner keys only: the usage terms of the key's syndication licence"),
  })
  .meta({
    id: 'Article',
    description:
      'An article as this caller may see it. Callers without access get the teaser in blocks/html/text/excerpt, ' +
      'full metadata, access.granted=false and a paywall.',
  });
export type Article = z.infer<typeof Article>;

export const ArticleList = z.object({ data: z.array(Article), meta: ListMeta }).meta({ id: 'ArticleList' });

// ---- input ------------------------------------------------------------------------------------

const nullableText = (max: number) => multiLine(max).nullable().optional();
const nullableLine = (max: number) => oneLine(max, 0).nullable().optional();
const slugList = (max: number, what: string) =>
  z
    .array(Slug)
    .max(max)
    .refine((a) => new Set(a).size === a.length, `${what} must not repeat`);

const ArticleFieldsInput = {
  slug: Slug.optional().describe('Made from the headline when omitted (collisions get -2, -3…)'),
  headline: oneLine(300),
  standfirst: nullableText(1000),
  excerpt: nullableText(1000).describe('Omit to derive it from the first paragraph'),
  body: Blocks.optional().describe('The body as blocks (or send bodyMarkdown)'),
  bodyMarkdown: z
    .string()
    .max(MAX_MARKDOWN_CHARS)
    .regex(MULTI_LINE, MULTI_LINE_MESSAGE)
    .optional()
    .describe('The body as Markdown: `<!-- paywall -->` marks the break, `![alt](photo:123 "caption")` an image, a blockquote ending "— Name" a quote with attribution'),
  dateline: nullableLine(120),
  section: Slug.nullable().optional().describe('Section slug'),
  authors: slugList(20, 'authors').optional().describe('Author slugs in byline order'),
  tags: slugList(50, 'tags').optional().describe('Tag slugs'),
  sources: z.array(oneLine(200)).max(30).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as "en" or "en-GB"')
    .optional(),
  canonicalUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional(),
  seoTitle: nullableLine(300),
  seoDescription: nullableText(500),
  featuredPhotoId: z.number().int().positive().nullable().optional(),
  access: z.enum(ACCESS_LEVELS).optional(),
};

const oneBody = (v: { body?: unknown; bodyMarkdown?: unknown }) => !(v.body !== undefined && v.bodyMarkdown !== undefined);
const oneBodyIssue = { message: 'send either body or bodyMarkdown, not both', path: ['bodyMarkdown'] };

export const ArticleCreate = z
  .strictObject({
    ...ArticleFieldsInput,
    status: z.enum(['draft', 'published', 'scheduled']).default('draft').describe('draft (default), published now/at publishedAt, or scheduled for scheduledFor'),
    publishedAt: IsoDateTime.optional().describe('With status=published: the publication time (default now; may be in the past)'),
    scheduledFor: IsoDateTime.optional().describe('With status=scheduled: when it goes live (must be in the future)'),
  })
  .refine(oneBody, oneBodyIssue)
  .meta({ id: 'ArticleCreate' });
export type ArticleCreate = z.infer<typeof ArticleCreate>;

export const ArticleUpdate = z
  .strictObject({ ...ArticleFieldsInput, headline: ArticleFieldsInput.headline.optional() })
  .refine(oneBody, oneBodyIssue)
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'ArticleUpdate', description: 'Changes to an article; workflow changes use the publish/unpublish/schedule actions' });
export type ArticleUpdate = z.infer<typeof ArticleUpdate>;

export const PublishBody = z
  .strictObject({
    at: IsoDateTime.optional().describe('Publication time: omitted or past = now/backdated; future = scheduled'),
    newsletter: Slug.optional().describe('Slug of a newsletter to mail the story to as it goes live (now, or at its scheduled time), once. Unknown or archived: 422; already sent to it: 409; either way nothing is published'),
  })
  .meta({ id: 'PublishArticle' });
export const ScheduleBody = z.strictObject({ at: IsoDateTime.describe('When it goes live (future)') }).meta({ id: 'ScheduleArticle' });
export const CorrectionCreate = z
  .strictObject({ text: multiLine(2000, 1).describe('The correction note readers will see') })
  .meta({ id: 'CorrectionCreate' });

export const Revision = z
  .object({
    version: z.number().int(),
    action: z.string().describe('create, update, publish, unpublish, schedule, restore, delete, undelete, correction'),
    changedFields: z.array(z.string()),
    actor: z.string(),
    at: IsoDateTime,
  })
  .meta({ id: 'Revision' });
export const RevisionDetail = Revision.extend({ snapshot: z.record(z.string(), z.unknown()) }).meta({ id: 'RevisionDetail' });
export const RevisionList = z.object({ data: z.array(Revision), meta: ListMeta }).meta({ id: 'RevisionList' });

// ---- query / params -----------------------------------------------------------------------------

const commaList = (description: string) =>
  z
    .string()
    .max(1000)
    .regex(/^[A-Za-z, ]*$/, 'must be a comma-separated list of names')
    .optional()
    .describe(description);
const dateOrDateTime = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) ? z.iso.date().safeParse(s).success : IsoDateTime.safeParse(s).success, 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp')
  .optional();

export const ArticleViewQuery = {
  fields: commaList(`Only these fields (id, slug and access are always sent): ${ARTICLE_FIELDS.join(', ')}`),
  format: commaList('Body representations: blocks, html, text (default: all three on a single article, none on lists)'),
  include: commaList('Embeds: authors, tags, section, photos (default: all on a single article, none on lists)'),
};

export const ArticleListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  section: Slug.optional().describe('Section slug'),
  tag: Slug.optional().describe('Tag slug'),
  author: Slug.optional().describe('Author slug'),
  from: dateOrDateTime.describe('Published at or after (date or timestamp)'),
  to: dateOrDateTime.describe('Published before this timestamp, or on/before this date'),
  access: z.enum(ACCESS_LEVELS).optional(),
  q: z
    .string()
    .min(1)
    .max(MAX_QUERY_LENGTH)
    .optional()
    .describe('Full-text search, in the query language of GET /v1/search (words, "phrases", -exclusions, OR, prefix*)'),
  sort: z
    .enum([...ARTICLE_SORTS, 'relevance'])
    .optional()
    .describe('Default: relevance when q is given, else -publishedAt. relevance needs q'),
  status: z
    .enum([...ARTICLE_STATUSES, 'deleted', 'all'])
    .optional()
    .describe(
      'Workflow status. Admins: filter by it (default: every status but deleted). Everyone else only ever sees published ' +
      'articles: `published` is accepted and changes nothing; any other value is 401 without credentials, 403 with ' +
      'credentials lacking the admin scope',
    ),
  ...ArticleViewQuery,
});
export type ArticleListQuery = z.infer<typeof ArticleListQuery>;

export const ArticleGetQuery = z.strictObject(ArticleViewQuery);
export type ArticleGetQuery = z.infer<typeof ArticleGetQuery>;

export const ArticleParams = z.strictObject({ slug: z.string().max(200).describe('Article slug (an old slug answers 301)') });
export const RevisionParams = z.strictObject({
  slug: z.string().max(200),
  version: z.coerce.number().int().min(1).max(1_000_000_000),
});
export const RevisionListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });
