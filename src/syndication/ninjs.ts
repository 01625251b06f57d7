import { z } from 'zod';
import { countWords, proseText } from '../content/render.js';
import type { Article } from '../articles/schemas.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';

/**
 * IPTC ninjs 3.1 (News in JSON) from an article as a caller may see it (built by viewArticle, so a
 * caller without access gets the teaser: `representationType: "partial"`). Every document
 * validates against the official schema (test/fixtures/ninjs-schema_3.1.json): the schema allows
 * no nulls and no properties of its own invention, so absent values are left out.
 *
 * Mapping: headline → headlines[main]; standfirst → descriptions[summary]; html and text bodies →
 * bodies (see bodyWordCount; charCount is the length of the value delivered); bylines → by + people[author];
 * dateline → located + places[dateline]; section and tags → subjects; sources/agencies →
 * infoSources; version and dates → version, firstCreated, versionCreated, contentCreated;
 * workflow → pubStatus (published: usable, unpublished/deleted: canceled, draft/scheduled:
 * withheld) and embargoedUntil; copyright and the licence's usage terms → copyrightHolder,
 * copyrightNotice, usageTerms; photos → associations of type picture with caption
 * (descriptions), credit (by), rights (copyrightNotice) and renditions.
 */
export const NINJS_MEDIA_TYPE = 'application/ninjs+json';
export const NINJS_SCHEMA_URI = 'https://www.iptc.org/std/ninjs/ninjs-schema_3.1.json';

export interface NinjsContext {
  baseUrl: string;
  publicationName: string;
  /** The caller's licence terms, else the publication's default (SYNDICATION_USAGE_TERMS). */
  usageTerms: string | null;
  /** Where readers find the article (its canonical URL or the API URL). */
  articleUrl: string;
}

const Text = z.object({ role: z.string().optional(), contentType: z.string().optional(), value: z.string() });
const Body = Text.extend({ charCount: z.number().int().optional(), wordCount: z.number().int().optional() });
const Ref = z.object({ name: z.string().optional(), rel: z.string().optional(), uri: z.string().optional(), literal: z.string().optional() });
const Rendition = z.object({
  name: z.string(),
  href: z.string().optional(),
  contentType: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  poi: z.object({ x: z.number().int(), y: z.number().int() }).optional(),
});
const NinjsCommon = {
  uri: z.string(),
  type: z.enum(['text', 'picture']),
  representationType: z.enum(['full', 'partial']).optional(),
  version: z.string().optional(),
  firstCreated: z.string().optional(),
  versionCreated: z.string().optional(),
  contentCreated: z.string().optional(),
  pubStatus: z.enum(['usable', 'withheld', 'canceled']).optional(),
  copyrightHolder: z.string().optional(),
  copyrightNotice: z.string().optional(),
  usageTerms: z.string().optional(),
  headlines: z.array(Text).optional(),
  descriptions: z.array(Text).optional(),
  by: z.string().optional(),
  renditions: z.array(Rendition).optional(),
  altIds: z.array(z.object({ role: z.string().optional(), value: z.string() })).optional(),
};
export const NinjsPicture = z
  .object({ ...NinjsCommon, name: z.string(), rel: z.string().optional() })
  .meta({ id: 'NinjsPicture', description: 'A photo as a ninjs association of type picture' });

export const NinjsDocument = z
  .object({
    ...NinjsCommon,
    profile: z.string().optional(),
    embargoedUntil: z.string().optional(),
    edNote: z.string().optional(),
    language: z.string().optional(),
    bodies: z.array(Body).optional(),
    people: z.array(Ref).optional(),
    places: z.array(Ref).optional(),
    subjects: z.array(Ref).optional(),
    infoSources: z.array(Ref.extend({ role: z.string().optional() })).optional(),
    located: z.string().optional(),
    associations: z.array(NinjsPicture).optional(),
    standard: z.object({ name: z.string(), version: z.string(), schema: z.string() }).optional(),
  })
  .meta({
    id: 'NinjsDocument',
    description: 'An article as IPTC ninjs 3.1 (application/ninjs+json); partial (teaser) when the caller has no access to the full text',
  });
export type NinjsDocument = z.infer<typeof NinjsDocument>;

const MIME: Record<string, string> = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host.replace(/:/g, '.') || 'localhost';
  } catch {
    return 'localhost';
  }
}

/** A stable identifier that survives slug changes. */
export const articleUri = (baseUrl: string, id: number) => `urn:newsdesk:${hostOf(baseUrl)}:article:${id}`;
export const photoUri = (baseUrl: string, id: number) => `urn:newsdesk:${hostOf(baseUrl)}:photo:${id}`;

/** Drops undefined values, empty strings and empty arrays: ninjs has no nulls. */
function clean<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

const joinNames = (names: string[]) =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

export function photoToNinjs(photo: EmbeddedPhoto, name: string, rel: string, ctx: Pick<NinjsContext, 'baseUrl' | 'usageTerms'>): z.infer<typeof NinjsPicture> {
  const focal = photo.focalPoint;
  return clean({
    name,
    rel,
    uri: photoUri(ctx.baseUrl, photo.id),
    type: 'picture' as const,
    representationType: 'full' as const,
    descriptions: [
      ...(photo.caption ? [{ role: 'caption', contentType: 'text/plain', value: photo.caption }] : []),
      ...(photo.altText ? [{ role: 'alt', contentType: 'text/plain', value: photo.altText }] : []),
    ],
    by: photo.credit ?? photo.creator ?? undefined,
    copyrightNotice: photo.copyright ?? undefined,
    usageTerms: ctx.usageTerms ?? undefined,
    renditions: photo.renditions.map((r) =>
      clean({
        name: `${r.format}-${r.width}`,
        href: r.url,
        contentType: MIME[r.format] ?? `image/${r.format}`,
        width: r.width,
        height: r.height,
        poi: focal ? { x: Math.round(focal.x * r.width), y: Math.round(focal.y * r.height) } : undefined,
      }),
    ),
  });
}

/**
 * A body's wordCount, counted as the article's own `wordCount` is (src/content/render.ts
 * proseText: paragraphs, headings, quotes and lists; image captions and embeds are not words of the
 * story), over what the body holds: for the full text exactly the article's wordCount, for a teaser
 * the teaser's prose. The html and text bodies carry the same blocks, so the same count.
 */
function bodyWordCount(a: Article, partial: boolean): number {
  if (!partial && a.wordCount !== undefined) return a.wordCount;
  if (a.blocks) return countWords(proseText(a.blocks));
  throw new Error('articleToNinjs needs the blocks of a teaser (format=blocks) to count its words');
}

export function articleToNinjs(a: Article, ctx: NinjsContext): NinjsDocument {
  const base = ctx.baseUrl.replace(/\/$/, '');
  const partial = !a.access.granted;
  const html = a.html ?? '';
  const text = a.text ?? '';
  const words = bodyWordCount(a, partial);
  const status = a.deletedAt ? 'deleted' : a.status;
  const pubStatus = status === 'published' ? 'usable' : status === 'unpublished' || status === 'deleted' ? 'canceled' : 'withheld';
  const year = (a.firstPublishedAt ?? a.publishedAt ?? a.createdAt ?? new Date(0).toISOString()).slice(0, 4);
  const photos = a.photos ?? [];
  const authors = a.authors ?? [];

  return clean({
    uri: articleUri(base, a.id),
    type: 'text' as const,
    representationType: partial ? ('partial' as const) : ('full' as const),
    profile: 'newsdesk-article',
    standard: { name: 'ninjs', version: '3.1', schema: NINJS_SCHEMA_URI },
    version: a.version !== undefined ? String(a.version) : undefined,
    firstCreated: a.createdAt,
    versionCreated: a.updatedAt,
    contentCreated: a.firstPublishedAt ?? a.publishedAt ?? a.createdAt,
    embargoedUntil: a.status === 'scheduled' && a.publishedAt ? a.publishedAt : undefined,
    pubStatus,
    copyrightHolder: ctx.publicationName,
    copyrightNotice: `Copyright ${year} ${ctx.publicationName}. All rights reserved.`,
    usageTerms: ctx.usageTerms ?? undefined,
    edNote: partial
      ? `Teaser only (${a.access.reason ?? 'not licensed'}): the full article has ${a.wordCount ?? 0} words. Full text needs a licence that covers it.`
      : undefined,
    language: a.language,
    headlines: a.headline ? [{ role: 'main', contentType: 'text/plain', value: a.headline }] : [],
    descriptions: [
      ...(a.standfirst ? [{ role: 'summary', contentType: 'text/plain', value: a.standfirst }] : []),
      ...(a.excerpt ? [{ role: 'excerpt', contentType: 'text/plain', value: a.excerpt }] : []),
    ],
    bodies: [
      { role: partial ? 'teaser' : 'main', contentType: 'text/html', value: html, charCount: html.length, wordCount: words },
      { role: partial ? 'teaser' : 'main', contentType: 'text/plain', value: text, charCount: text.length, wordCount: words },
    ],
    by: authors.length ? joinNames(authors.map((p) => p.name)) : undefined,
    people: authors.map((p) =>
      clean({ name: p.name, rel: 'author', literal: p.slug, uri: `${base}/v1/articles?author=${encodeURIComponent(p.slug)}` }),
    ),
    located: a.dateline ?? undefined,
    places: a.dateline ? [{ name: a.dateline, rel: 'dateline' }] : [],
    subjects: [
      ...(a.section ? [{ name: a.section.name, rel: 'section', literal: a.section.slug, uri: `${base}/v1/sections/${encodeURIComponent(a.section.slug)}` }] : []),
      ...(a.tags ?? []).map((t) => ({ name: t.name, rel: 'tag', literal: t.slug, uri: `${base}/v1/articles?tag=${encodeURIComponent(t.slug)}` })),
    ],
    infoSources: (a.sources ?? []).map((s) => ({ name: s, role: 'source' })),
    altIds: [
      { role: 'id', value: String(a.id) },
      { role: 'slug', value: a.slug },
      { role: 'url', value: ctx.articleUrl },
    ],
    associations: photos.map((p, i) =>
      photoToNinjs(p, p.id === a.featuredPhotoId ? 'featured' : `image-${i + 1}`, p.id === a.featuredPhotoId ? 'featured' : 'inline', { baseUrl: base, usageTerms: ctx.usageTerms }),
    ),
  });
}
