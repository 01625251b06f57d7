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
  await publish(app, admin, { headline, slug: 'wharf-strike', bodyMarkdown: 'Text.' });

  for (const url of ['/sitemap.xml', '/sitemaps/articles-1.xml', '/sitemaps/news.xml']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.same(xmlErrors(res.body), [], `${url} is well-formed`);
    t.notMatch(res.body, XML_ILLEGAL, `${url} has no character XML 1.0 forbids`);
  }
  const news = parser.parse((await app.inject({ url: '/sitemaps/news.xml' })).body).urlset.url[0]['news:news'];
  t.equal(news['news:title'], 'Wharf ]]> strike ]]> ends & <b>pay</b>  deal', 'the headline, less the forbidden characters');
  t.equal(news['news:publication']['news:name'], 'Smith & <Sons> ]]> Gazette');
});
