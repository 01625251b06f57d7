import { el, xmlDocument } from '../lib/xml.js';

/**
 * Sitemaps (https://www.sitemaps.org/protocol.html): /sitemap.xml is always an index of pages
 * (/sitemap-articles-<n>.xml) of at most SITEMAP_PAGE_SIZE URLs (the protocol's limit is 50,000),
 * plus the Google News sitemap (/sitemap-news.xml,
 * https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap): articles
 * published in the last 48 hours, at most 1,000. All at the root, because a sitemap may only list
 * URLs on its own host and under its own directory.
 */
export const NEWS_WINDOW_HOURS = 48;
export const NEWS_MAX_URLS = 1000;
export const SITEMAP_CONTENT_TYPE = 'application/xml; charset=utf-8';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

/** How many pages `total` URLs need at `size` per page (at least one, so the index is never empty). */
export function sitemapPageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

// Written with src/lib/xml.ts: every value entity-escaped, characters XML 1.0 forbids dropped (a
// headline with a control character made news.xml malformed).

export function sitemapIndex(pages: { loc: string; lastmod: string | null }[]): string {
  return xmlDocument(
    el('sitemapindex', { xmlns: SITEMAP_NS }, pages.map((p) => el('sitemap', null, el('loc', null, p.loc), p.lastmod ? el('lastmod', null, p.lastmod) : null))),
  );
}

export function urlSet(urls: { loc: string; lastmod: string }[]): string {
  return xmlDocument(el('urlset', { xmlns: SITEMAP_NS }, urls.map((u) => el('url', null, el('loc', null, u.loc), el('lastmod', null, u.lastmod)))));
}

export function newsSitemap(publication: { name: string }, urls: { loc: string; title: string; language: string; publishedAt: string }[]): string {
  return xmlDocument(
    el(
      'urlset',
      { xmlns: SITEMAP_NS, 'xmlns:news': NEWS_NS },
      urls.map((u) =>
        el(
          'url',
          null,
          el('loc', null, u.loc),
          el(
            'news:news',
            null,
            el('news:publication', null, el('news:name', null, publication.name), el('news:language', null, newsLanguage(u.language))),
            el('news:publication_date', null, u.publishedAt),
            el('news:title', null, u.title),
          ),
        ),
      ),
    ),
  );
}

/** Google News wants ISO 639 codes, except zh-cn / zh-tw. */
function newsLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  if (lower === 'zh-cn' || lower === 'zh-tw') return lower;
  return lower.split('-')[0];
}
