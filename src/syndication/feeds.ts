import { Feed, type Item } from 'feed';
import type { Article } from '../articles/schemas.js';
import type { EmbeddedPhoto } from '../schemas/photo.js';

/**
 * RSS 2.0, Atom 1.0 and JSON Feed 1.1 from articles as a caller may see them (built by
 * viewArticle: gated articles carry their teaser only, with a "continue reading" link).
 * RSS and Atom are written by the `feed` package; JSON Feed 1.1 is written here (the package
 * writes version 1). Featured photos: an RSS enclosure plus Media RSS (media:content with
 * media:description = caption and media:credit = credit); an Atom link rel="enclosure" titled with
 * caption and credit; a JSON Feed `image` and `attachments` entry, caption and credit under `_newsdesk`.
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

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/**
 * Text the `feed` package writes into Atom XML attributes: its serialiser (xml-js) escapes only `"`
 * there, so a caption like "Smith & Co" made the whole document malformed. Enclosure titles get
 * nothing else from the package, so they are escaped here. Category labels and terms get `&`
 * escaped by the package (an entity written here would be escaped again), so their `<` travels as
 * LT_MARK and becomes `&lt;` in the finished document. test/syndication-feeds-escaping.test.ts checks both.
 */
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const LT_MARK = '\uFDD0'; // a Unicode noncharacter: never in real text
const markLt = (s: string) => s.replace(/\uFDD0/g, '').replace(/</g, LT_MARK);

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

function buildFeed(ch: FeedChannel, entries: FeedEntry[], forRss: boolean): Feed {
  const updated = updatedOf(entries, ch.now);
  const feed = new Feed({
    id: ch.selfUrl,
    title: ch.title,
    description: ch.description,
    link: ch.homeUrl,
    language: ch.language,
    updated,
    generator: 'Newsdesk',
    feedLinks: { rss: ch.selfUrl, atom: ch.selfUrl },
    copyright: copyrightOf(ch, updated),
    ttl: forRss ? 15 : undefined,
    // Atom: a feed-level author, required unless every entry has one (RFC 4287 §4.1.1; wire copy often has no byline).
    author: forRss ? undefined : { name: ch.publicationName },
  });
  for (const e of entries) {
    const a = e.article;
    const photo = featuredPhoto(a);
    const rendition = photo ? enclosureOf(photo) : null;
    // Atom writes title and summary as type="html": plain text must be escaped to mean itself there.
    const plain = (text: string) => (forRss ? text : escapeHtml(text));
    const summary = a.standfirst ?? a.excerpt;
    const item: Item = {
      title: plain(a.headline ?? a.slug),
      id: e.id,
      guid: e.id,
      link: e.url,
      date: new Date(a.updatedAt ?? a.publishedAt ?? ch.now.toISOString()),
      published: a.publishedAt ? new Date(a.publishedAt) : undefined,
      description: summary ? plain(summary) : undefined,
      content: contentHtml(e),
      // Atom and JSON: author names; RSS: dc:creator (RSS's own <author> wants an e-mail address).
      author: forRss ? undefined : (a.authors ?? []).map((p) => ({ name: p.name })),
      category: [
        ...(a.section ? [{ name: a.section.name, term: a.section.slug }] : []),
        ...(a.tags ?? []).map((t) => ({ name: t.name, term: t.slug })),
      ].map((c) => (forRss ? c : { name: markLt(c.name), term: markLt(c.term) })),
    };
    const extensions: NonNullable<Item['extensions']> = [];
    if (forRss && a.authors?.length) extensions.push({ name: 'dc:creator', objects: { _text: a.authors.map((p) => p.name).join(', ') } });
    if (photo && rendition) {
      // RSS: one enclosure with the real MIME type; Atom: a rel=enclosure link titled caption — credit.
      item.enclosure = forRss
        ? ({ url: rendition.url, type: MIME[rendition.format], length: 0 } as Item['enclosure'])
        : { url: rendition.url, title: photoTitle(photo) ? escapeAttr(photoTitle(photo)) : undefined };
      if (forRss) {
        extensions.push(
          {
            name: 'media:content',
            objects: {
              _attributes: { url: rendition.url, medium: 'image', type: MIME[rendition.format], width: rendition.width, height: rendition.height },
              ...(photo.caption ? { 'media:description': { _attributes: { type: 'plain' }, _text: photo.caption } } : {}),
              ...(photo.credit ? { 'media:credit': { _text: photo.credit } } : {}),
              ...(photo.copyright ? { 'media:copyright': { _text: photo.copyright } } : {}),
            },
          },
        );
      }
    }
    if (extensions.length) item.extensions = extensions;
    feed.addItem(item);
  }
  return feed;
}

export function renderRss(ch: FeedChannel, entries: FeedEntry[]): string {
  const xml = buildFeed(ch, entries, true).rss2();
  // Declare the Media RSS namespace the items use.
  return xml.replace('<rss version="2.0"', '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"');
}

export function renderAtom(ch: FeedChannel, entries: FeedEntry[]): string {
  const xml = buildFeed(ch, entries, false).atom1().replace(/\uFDD0/g, '&lt;');
  // The package names an enclosure's type after the URL's extension; give the real MIME type.
  return entries.reduce((out, e) => {
    const photo = featuredPhoto(e.article);
    const r = photo ? enclosureOf(photo) : null;
    if (!r) return out;
    const href = r.url.replace(/&/g, '&amp;');
    return out.replace(
      new RegExp(`(<link rel="enclosure" href="${escapeRegExp(href)}"[^>]*?type=")[^"]*(")`),
      `$1${MIME[r.format]}$2`,
    );
  }, xml);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
          ? { attachments: [{ url: r.url, mime_type: MIME[r.format], ...(photoTitle(photo) ? { title: photoTitle(photo) } : {}) }] }
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
  return JSON.stringify(doc);
}

export function renderFeed(file: FeedFile, ch: FeedChannel, entries: FeedEntry[]): string {
  const kind = FEED_FORMATS[file].kind;
  return kind === 'rss' ? renderRss(ch, entries) : kind === 'atom' ? renderAtom(ch, entries) : renderJsonFeed(ch, entries);
}
