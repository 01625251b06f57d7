import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { buildTestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/syndication.js';
import { XML_ILLEGAL, xmlErrors } from './helpers/xml.js';

const parser = new XMLParser({ isArray: (name) => ['url', 'sitemap'].includes(name) });

t.test('sitemaps are well-formed XML to a strict parser whatever a headline holds', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { PUBLICATION_NAME: 'Smith & <Sons> ]]> Gazette' } });
  await seedTaxonomy(app, admin);
  const headline = 'Wharf ]]> strike ]]> ends & <b>pay</b> \u0001\u0008\u000B\u000C\u001F\uFFFE deal';
  // The API refuses control characters in a headline; a row from before that rule (or the sqlite3 shell) may hold them.
  await publish(app, admin, { headline: 'Wharf strike ends', slug: 'wharf-strike', bodyMarkdown: 'Text.' });
  app.db.$client.prepare("UPDATE articles SET headline = ? WHERE slug = 'wharf-strike'").run(headline);

  for (const url of ['/sitemap.xml', '/sitemap-articles-1.xml', '/sitemap-news.xml']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.same(xmlErrors(res.body), [], `${url} is well-formed`);
    t.notMatch(res.body, XML_ILLEGAL, `${url} has no character XML 1.0 forbids`);
  }
  const news = parser.parse((await app.inject({ url: '/sitemap-news.xml' })).body).urlset.url[0]['news:news'];
  t.equal(news['news:title'], 'Wharf ]]> strike ]]> ends & <b>pay</b>  deal', 'the headline, less the forbidden characters');
  t.equal(news['news:publication']['news:name'], 'Smith & <Sons> ]]> Gazette');
});

t.test('sitemap URLs are on this publication\'s host: a canonical URL elsewhere is not listed, one on this host is', async (t) => {
  const { app, admin, clock } = await buildTestApp(t, { env: { PUBLIC_BASE_URL: 'https://news.example.com' } });
  await seedTaxonomy(app, admin);
  await publish(app, admin, { headline: 'Syndicated from a partner', slug: 'partner-story', bodyMarkdown: 'Text.', canonicalUrl: 'https://partner.example.org/2026/partner-story' });
  clock.advance(1000);
  await publish(app, admin, { headline: 'Same host but another port', slug: 'port-story', bodyMarkdown: 'Text.', canonicalUrl: 'https://news.example.com:8443/port-story' });
  clock.advance(1000);
  await publish(app, admin, { headline: 'Our own page', slug: 'own-story', bodyMarkdown: 'Text.', canonicalUrl: 'https://news.example.com/world/own-story' });
  clock.advance(1000);
  await publish(app, admin, { headline: 'No canonical', slug: 'plain-story', bodyMarkdown: 'Text.' });

  const expected = [
    'https://news.example.com/v1/articles/partner-story',
    'https://news.example.com/v1/articles/port-story',
    'https://news.example.com/world/own-story',
    'https://news.example.com/v1/articles/plain-story',
  ];
  const page = parser.parse((await app.inject({ url: '/sitemap-articles-1.xml' })).body).urlset.url as { loc: string }[];
  t.same(page.map((u) => u.loc), expected, 'article sitemap');
  const news = parser.parse((await app.inject({ url: '/sitemap-news.xml' })).body).urlset.url as { loc: string }[];
  t.same(news.map((u) => u.loc), [...expected].reverse(), 'news sitemap (newest first)');

  // Feeds still point readers at the canonical URL, wherever it is.
  const rss = await app.inject({ url: '/v1/feeds/rss.xml' });
  t.match(rss.body, '<link>https://partner.example.org/2026/partner-story</link>');
});
