import type { Article } from '../articles/schemas.js';
import { el, xmlChars, xmlDocument } from '../lib/xml.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';

/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 from articles as a caller may see them (built by
 * viewArticle: gated articles carry their teaser only, with a "continue reading" link).
 * All three are written here (RSS and Atom with src/lib/xml.ts). Featured photos: an RSS
 * enclosure plus Media RSS (media:content with media:description = caption and media:credit =
 * credit); an Atom link rel="enclosure" titled with caption and credit; a JSON Feed `image` and
 * `attachments` entry, caption and credit under `_newsdesk`.
 */
export const FEED_FORMATS = {
  'rss.xml': { kind: 'rss', contentType: 'application/rss+xml; charset=utf-8' },
  'atom.xml': { kind: 'atom', contentType: 'application/atom+xml; charset=utf-8' },
  'feed.json': { kind: 'json', contentType: 'application/feed+json; charset=utf-8' },
} as const;
export type FeedFile = keyof typeof FEED_FORMATS;

export interface FeedChannel {
  title: string;
  description: string;
  /** The feed's own URL (without credentials). */
  selfUrl: string;
  /** Where a human goes (the publication or the section page). */
  homeUrl: string;
  language: string;
  publicationName: string;
  /** Usage terms of the caller's licence, else the publication default; in every feed. */
  usageTerms: string | null;
  /** For an empty feed's `updated`. */
  now: Date;
}

export interface FeedEntry {
  article: Article;
  /** Where a reader finds the article. */
  url: string;
  /** A stable id (survives slug changes). */
  id: string;
  /** Byte size of the enclosed rendition's file, when it has been made (null: not known). */
  enclosureBytes?: number | null;
}

const MIME: Record<string, string> = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

/** The rendition to enclose: the largest JPEG (what every reader understands), else the largest. */
export function enclosureOf(photo: EmbeddedPhoto) {
  const byWidth = [...photo.renditions].sort((a, b) => b.width - a.width);
  return byWidth.find((r) => r.format === 'jpeg') ?? byWidth[0] ?? null;
}

function featuredPhoto(a: Article): EmbeddedPhoto | null {
  const photos = a.photos ?? [];
  return photos.find((p) => p.id === a.featuredPhotoId) ?? null;
}

/** The photo and rendition an article's feed entry encloses, if any. */
export function enclosureFor(a: Article): { photoId: number; url: string } | null {
  const photo = featuredPhoto(a);
  const r = photo ? enclosureOf(photo) : null;
  return photo && r ? { photoId: photo.id, url: r.url } : null;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The body a feed carries: what viewArticle allowed, and for a teaser the way to the rest. */
function contentHtml(e: FeedEntry): string {
  const a = e.article;
  const html = a.html ?? '';
  if (a.access.granted) return html;
  const cta = a.paywall?.message ?? 'Subscribe to keep reading.';
  return `${html}<p><em>${escapeHtml(cta)}</em> <a href="${escapeHtml(e.url)}">Continue reading</a></p>`;
}

const photoTitle = (p: EmbeddedPhoto) => [p.caption, p.credit ? `Photo: ${p.credit}` : null].filter(Boolean).join(' — ');

const updatedOf = (entries: FeedEntry[], now: Date) =>
  entries.reduce<Date | null>((max, e) => {
    const t = new Date(e.article.updatedAt ?? e.article.publishedAt ?? now.toISOString());
    return !max || t > max ? t : max;
  }, null) ?? now;

const copyrightOf = (ch: FeedChannel, updated: Date) =>
  `Copyright ${updated.getUTCFullYear()} ${ch.publicationName}. All rights reserved.${ch.usageTerms ? ` Usage terms: ${ch.usageTerms}` : ''}`;

const categoriesOf = (a: Article) => [
  ...(a.section ? [{ name: a.section.name, term: a.section.slug }] : []),
  ...(a.tags ?? []).map((t) => ({ name: t.name, term: t.slug })),
];

const entryDate = (a: Article, now: Date) => new Date(a.updatedAt ?? a.publishedAt ?? now.toISOString());

/*
 * RSS and Atom are written with src/lib/xml.ts, which entity-escapes every text and attribute value
 * and drops the characters XML 1.0 forbids. (The `feed` package wrote them before: its serialiser
 * split only the first `]]>` inside a CDATA block, escaped only `"` in attributes and passed control
 * characters through, so a headline or caption could make the whole feed malformed.)
 * test/syndication-feeds-escaping.test.ts parses every feed with a strict XML parser.
 */
const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
};

export function renderRss(ch: FeedChannel, entries: FeedEntry[]): string {
  const updated = updatedOf(entries, ch.now);
  const items = entries.map((e) => {
    const a = e.article;
    const photo = featuredPhoto(a);
    const r = photo ? enclosureOf(photo) : null;
    const summary = a.standfirst ?? a.excerpt;
    return el(
      'item',
      null,
      // RSS titles are plain text; description and content:encoded are HTML (so plain text is escaped for HTML first).
      el('title', null, a.headline ?? a.slug),
      el('link', null, e.url),
      el('guid', { isPermaLink: 'false' }, e.id),
      el('pubDate', null, (a.publishedAt ? new Date(a.publishedAt) : entryDate(a, ch.now)).toUTCString()),
      summary ? el('description', null, escapeHtml(summary)) : null,
      el('content:encoded', null, contentHtml(e)),
      // Bylines as dc:creator (RSS's own <author> wants an e-mail address).
      a.authors?.length ? el('dc:creator', null, a.authors.map((p) => p.name).join(', ')) : null,
      categoriesOf(a).map((c) => el('category', null, c.name)),
      photo && r
        ? [
            // RSS requires a length. It is the size of the rendition file when that has been made;
            // renditions are made on their first request and building a feed never makes one, so
            // until then the size is unknown and the length is 0, which is what the RSS Best
            // Practices Profile asks for then (the original's size would be a different file's).
            el('enclosure', { url: r.url, length: e.enclosureBytes ?? 0, type: MIME[r.format] }),
            // Media RSS: caption and credit of the featured photo.
            el(
              'media:content',
              { url: r.url, fileSize: e.enclosureBytes ?? undefined, medium: 'image', type: MIME[r.format], width: r.width, height: r.height },
              photo.caption ? el('media:description', { type: 'plain' }, photo.caption) : null,
              photo.credit ? el('media:credit', null, photo.credit) : null,
              photo.copyright ? el('media:copyright', null, photo.copyright) : null,
            ),
          ]
        : null,
    );
  });
  return xmlDocument(
    el(
      'rss',
      { version: '2.0', 'xmlns:atom': NS.atom, 'xmlns:content': NS.content, 'xmlns:dc': NS.dc, 'xmlns:media': NS.media },
      el(
        'channel',
        null,
        el('title', null, ch.title),
        el('link', null, ch.homeUrl),
        el('description', null, ch.description),
        el('language', null, ch.language),
        el('copyright', null, copyrightOf(ch, updated)),
        el('lastBuildDate', null, updated.toUTCString()),
        el('docs', null, 'https://www.rssboard.org/rss-specification'),
        el('generator', null, 'Newsdesk'),
        el('ttl', null, 15),
        el('atom:link', { href: ch.selfUrl, rel: 'self', type: 'application/rss+xml' }),
        items,
      ),
    ),
  );
}

export function renderAtom(ch: FeedChannel, entries: FeedEntry[]): string {
  const updated = updatedOf(entries, ch.now);
  const items = entries.map((e) => {
    const a = e.article;
    const photo = featuredPhoto(a);
    const r = photo ? enclosureOf(photo) : null;
    const summary = a.standfirst ?? a.excerpt;
    const title = photo ? photoTitle(photo) : '';
    return el(
      'entry',
      null,
      el('id', null, e.id),
      // Headline and standfirst are plain text: type="text", escaped only for XML.
      el('title', { type: 'text' }, a.headline ?? a.slug),
      el('link', { rel: 'alternate', href: e.url }),
      el('updated', null, entryDate(a, ch.now).toISOString()),
      a.publishedAt ? el('published', null, new Date(a.publishedAt).toISOString()) : null,
      (a.authors ?? []).map((p) => el('author', null, el('name', null, p.name))),
      categoriesOf(a).map((c) => el('category', { term: c.term, label: c.name })),
      summary ? el('summary', { type: 'text' }, summary) : null,
      el('content', { type: 'html' }, contentHtml(e)),
      photo && r
        ? el('link', { rel: 'enclosure', href: r.url, type: MIME[r.format], title: title || undefined, length: e.enclosureBytes ?? undefined })
        : null,
    );
  });
  return xmlDocument(
    el(
      'feed',
      { xmlns: NS.atom },
      el('id', null, ch.selfUrl),
      el('title', { type: 'text' }, ch.title),
      el('subtitle', { type: 'text' }, ch.description),
      el('updated', null, updated.toISOString()),
      el('link', { rel: 'alternate', href: ch.homeUrl }),
      el('link', { rel: 'self', href: ch.selfUrl, type: 'application/atom+xml' }),
      // A feed-level author, required unless every entry has one (RFC 4287 §4.1.1; wire copy often has no byline).
      el('author', null, el('name', null, ch.publicationName)),
      el('rights', { type: 'text' }, copyrightOf(ch, updated)),
      el('generator', null, 'Newsdesk'),
      items,
    ),
  );
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function renderJsonFeed(ch: FeedChannel, entries: FeedEntry[]): string {
  const updated = updatedOf(entries, ch.now);
  const doc = {
    version: 'https://jsonfeed.org/version/1.1',
    title: ch.title,
    home_page_url: ch.homeUrl,
    feed_url: ch.selfUrl,
    description: ch.description,
    language: ch.language,
    _newsdesk: { copyright: copyrightOf(ch, updated), usageTerms: ch.usageTerms },
    items: entries.map((e) => {
      const a = e.article;
      const photo = featuredPhoto(a);
      const r = photo ? enclosureOf(photo) : null;
      return {
        id: e.id,
        url: e.url,
        title: a.headline ?? a.slug,
        content_html: contentHtml(e),
        ...(a.standfirst || a.excerpt ? { summary: a.standfirst ?? a.excerpt } : {}),
        ...(r ? { image: r.url } : {}),
        ...(a.publishedAt ? { date_published: a.publishedAt } : {}),
        ...(a.updatedAt ? { date_modified: a.updatedAt } : {}),
        ...(a.authors?.length ? { authors: a.authors.map((p) => ({ name: p.name })) } : {}),
        tags: [...(a.section ? [a.section.name] : []), ...(a.tags ?? []).map((t) => t.name)],
        ...(a.language ? { language: a.language } : {}),
        ...(photo && r
          ? {
              attachments: [
                {
                  url: r.url,
                  mime_type: MIME[r.format],
                  ...(photoTitle(photo) ? { title: photoTitle(photo) } : {}),
                  ...(e.enclosureBytes ? { size_in_bytes: e.enclosureBytes } : {}),
                },
              ],
            }
          : {}),
        _newsdesk: {
          access: a.access,
          wordCount: a.wordCount,
          readingTimeMinutes: a.readingTimeMinutes,
          ...(photo ? { photo: { id: photo.id, caption: photo.caption, credit: photo.credit, altText: photo.altText } } : {}),
        },
      };
    }),
  };
  // JSON can carry any character, but feed readers pass these texts on into XML and HTML: the
  // characters XML 1.0 forbids are dropped here too, so every format says the same thing.
  return JSON.stringify(doc, (_key, value) => (typeof value === 'string' ? xmlChars(value) : value));
}

export function renderFeed(file: FeedFile, ch: FeedChannel, entries: FeedEntry[]): string {
  const kind = FEED_FORMATS[file].kind;
  return kind === 'rss' ? renderRss(ch, entries) : kind === 'atom' ? renderAtom(ch, entries) : renderJsonFeed(ch, entries);
}
