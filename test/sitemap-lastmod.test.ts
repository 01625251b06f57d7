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
    ['sitemap-articles-1.xml', edited],
    ['sitemap-articles-2.xml', stamps[2]],
  ]);
});

t.test('the news sitemap\'s lastmod follows the newest change in its 48-hour window, not the newest publication', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const newsLastmod = async () => {
    const index = parser.parse((await app.inject({ url: '/sitemap.xml' })).body).sitemapindex.sitemap as { loc: string; lastmod?: string }[];
    return index.find((s) => s.loc.endsWith('/sitemap-news.xml'))!.lastmod;
  };

  const old = await publish(app, admin, { headline: 'Four days old', bodyMarkdown: 'Text.', publishedAt: new Date(clock.now().getTime() - 4 * 86_400_000).toISOString() });
  clock.advance(60_000);
  t.equal(await newsLastmod(), undefined, 'nothing in the window: no lastmod (not the date of a story outside it)');

  const older = await publish(app, admin, { headline: 'Older story', bodyMarkdown: 'Text.' });
  clock.advance(60_000);
  const newer = await publish(app, admin, { headline: 'Newer story', bodyMarkdown: 'Text.' });
  t.equal(await newsLastmod(), newer.updatedAt);

  clock.advance(60_000);
  const edit = await app.inject({ method: 'PATCH', url: `/v1/articles/${older.slug}`, headers: admin, payload: { headline: 'Older story, corrected' } });
  t.equal(edit.statusCode, 200, edit.body);
  t.equal(await newsLastmod(), JSON.parse(edit.body).updatedAt, 'an edit to an older story in the window moves it');

  clock.advance(60_000);
  const outside = await app.inject({ method: 'PATCH', url: `/v1/articles/${old.slug}`, headers: admin, payload: { standfirst: 'Edited' } });
  t.equal(outside.statusCode, 200);
  t.equal(await newsLastmod(), JSON.parse(edit.body).updatedAt, 'an edit to a story outside the window does not');

  clock.advance(60_000);
  const gone = await app.inject({ method: 'POST', url: `/v1/articles/${newer.slug}/unpublish`, headers: admin });
  t.equal(gone.statusCode, 200, gone.body);
  t.equal(await newsLastmod(), JSON.parse(gone.body).updatedAt, 'a story leaving the sitemap moves it');

  const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
  const scheduled = await app.inject({
    method: 'POST', url: '/v1/articles', headers: admin,
    payload: { headline: 'Scheduled story', section: 'world', bodyMarkdown: 'Text.', status: 'scheduled', scheduledFor: at },
  });
  t.equal(scheduled.statusCode, 201, scheduled.body);
  t.equal(await newsLastmod(), JSON.parse(gone.body).updatedAt, 'a story not yet live is not in it');
  clock.advance(2 * 3_600_000);
  t.equal(await newsLastmod(), at, 'a scheduled story going live (without a write) moves it to its publication time');

  clock.advance(60_000);
  const deletedAt = clock.now().toISOString();
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/articles/${older.slug}`, headers: admin })).statusCode, 204);
  t.equal(await newsLastmod(), deletedAt, 'so does a deletion');
});
