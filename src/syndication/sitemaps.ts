/**
 * Sitemaps (https://www.sitemaps.org/protocol.html): /sitemap.xml is always an index of pages of at
 * most SITEMAP_PAGE_SIZE URLs (the protocol's limit is 50,000), plus the Google News sitemap
 * (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap): articles
 * published in the last 48 hours, at most 1,000.
 */
export const NEWS_WINDOW_HOURS = 48;
export const NEWS_MAX_URLS = 1000;
export const SITEMAP_CONTENT_TYPE = 'application/xml; charset=utf-8';

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** How many pages `total` URLs need at `size` per page (at least one, so the index is never empty). */
export function sitemapPageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

export function sitemapIndex(pages: { loc: string; lastmod: string | null }[]): string {
  const body = pages
    .map((p) => `  <sitemap>\n    <loc>${xml(p.loc)}</loc>${p.lastmod ? `\n    <lastmod>${xml(p.lastmod)}</lastmod>` : ''}\n  </sitemap>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</sitemapindex>\n`;
}

export function urlSet(urls: { loc: string; lastmod: string }[]): string {
  const body = urls.map((u) => `  <url>\n    <loc>${xml(u.loc)}</loc>\n    <lastmod>${xml(u.lastmod)}</lastmod>\n  </url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}${body ? '\n' : ''}</urlset>\n`;
}

export function newsSitemap(publication: { name: string }, urls: { loc: string; title: string; language: string; publishedAt: string }[]): string {
  const body = urls
    .map(
      (u) =>
        `  <url>\n    <loc>${xml(u.loc)}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>${xml(publication.name)}</news:name>\n` +
        `        <news:language>${xml(newsLanguage(u.language))}</news:language>\n      </news:publication>\n` +
        `      <news:publication_date>${xml(u.publishedAt)}</news:publication_date>\n      <news:title>${xml(u.title)}</news:title>\n    </news:news>\n  </url>`,
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ` +
    `xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n${body}${body ? '\n' : ''}</urlset>\n`
  );
}

/** Google News wants ISO 639 codes, except zh-cn / zh-tw. */
function newsLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  if (lower === 'zh-cn' || lower === 'zh-tw') return lower;
  return lower.split('-')[0];
}
