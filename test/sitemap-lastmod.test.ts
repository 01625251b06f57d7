import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { buildTestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/syndication.js';

const parser = new XMLParser({ isArray: (name) => name === 'sitemap' });

t.test('the sitemap index gives each page the newest lastmod of its URLs', async (t) => {
  const { app, admin, clock } = await buildTestApp(t, { env: { SITEMAP_PAGE_SIZE: '2' } });
  await seedTaxonomy(app, admin);
  const stamps: string[] = [];
  const slugs: string[] = [];
  for (let i = 0; i < 3; i++) {
    clock.advance(60_000);
    const a = await publish(app, admin, { headline: `Story ${i}`, bodyMarkdown: 'Text.' });
    slugs.push(a.slug);
    stamps.push(a.updatedAt);
  }
  // The second article on page 1 changes last: page 1's lastmod must follow it (not its first row's).
  clock.advance(60_000);
  const res = await app.inject({ method: 'PATCH', url: `/v1/articles/${slugs[1]}`, headers: admin, payload: { standfirst: 'Updated' } });
  t.equal(res.statusCode, 200, res.body);
  const edited = JSON.parse(res.body).updatedAt as string;

  const index = parser.parse((await app.inject({ url: '/sitemap.xml' })).body).sitemapindex.sitemap as { loc: string; lastmod?: string }[];
  t.same(index.slice(0, 2).map((s) => [s.loc.split('/').pop(), s.lastmod]), [
    ['articles-1.xml', edited],
    ['articles-2.xml', stamps[2]],
  ]);
});
