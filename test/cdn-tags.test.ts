import t from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * Behind a CDN: every public answer names what it shows (Surrogate-Key, Cache-Tag) and may be kept
 * by the CDN far longer than by browsers (Surrogate-Control, CDN-Cache-Control); an answer to
 * credentials never carries any of it.
 */

const keysOf = (res: { headers: Record<string, unknown> }) => String(res.headers['surrogate-key'] ?? '').split(' ').filter(Boolean);

async function setup(t: { teardown(fn: () => unknown): void }) {
  const h = await buildTestApp(t, { env: { CDN_MAX_AGE_SECONDS: '7200', CDN_STALE_IF_ERROR_SECONDS: '86400', CACHE_STALE_SECONDS: '30' } });
  await seedTaxonomy(h.app, h.admin);
  const ids = async (url: string) => json(await h.app.inject({ url, headers: h.admin })) as { id: number };
  const world = await ids('/v1/sections/world');
  const business = await ids('/v1/sections/business');
  const energy = await ids('/v1/tags/energy');
  const ana = await ids('/v1/authors/ana-ruiz');
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption: 'Flooded port', credit: 'AGENCY/HANDOUT' }, [640, 480]) }]);
  const photo = json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload })) as {
    id: number;
    renditions: { url: string }[];
  };
  const story = await publish(h.app, h.admin, {
    headline: 'Port reopens after the floods',
    tags: ['energy'],
    featuredPhotoId: photo.id,
    bodyMarkdown: 'The port reopened on Monday, the agency said.',
  });
  return { h, world, business, energy, ana, photo, story };
}

t.test('an article names itself, its section, tags, authors and photos; the CDN may keep it long, browsers briefly', async (t) => {
  const { h, world, energy, ana, photo, story } = await setup(t);
  const res = await h.app.inject({ url: `/v1/articles/${story.slug}` });
  t.equal(res.statusCode, 200);
  t.same(new Set(keysOf(res)), new Set([`article:${story.id}`, `section:${world.id}`, `tag:${energy.id}`, `author:${ana.id}`, `photo:${photo.id}`, 'plans', 'all']));
  t.equal(res.headers['cache-tag'], keysOf(res).join(','), 'Cache-Tag: the same keys, comma-separated');
  t.equal(res.headers['surrogate-control'], 'max-age=7200, stale-while-revalidate=30, stale-if-error=86400');
  t.equal(res.headers['cdn-cache-control'], res.headers['surrogate-control']);
  t.match(res.headers['cache-control'], /^public, max-age=60,/, 'browsers keep it for CACHE_MAX_AGE_SECONDS');

  const again = await h.app.inject({ url: `/v1/articles/${story.slug}`, headers: { 'if-none-match': String(res.headers.etag) } });
  t.equal(again.statusCode, 304);
  t.ok(keysOf(again).includes(`article:${story.id}`), 'a 304 is tagged too');
  t.ok(again.headers['surrogate-control']);

  const ninjs = await h.app.inject({ url: `/v1/syndication/ninjs/articles/${story.slug}` });
  t.ok(keysOf(ninjs).includes(`article:${story.id}`) && keysOf(ninjs).includes(`section:${world.id}`), 'the ninjs view as the JSON one');
});

t.test('an old slug redirects with the article key', async (t) => {
  const { h, story } = await setup(t);
  const v = json(await h.app.inject({ url: `/v1/articles/${story.slug}`, headers: h.admin })).version;
  const moved = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${story.slug}`, headers: { ...h.admin, 'if-match': `"v${v}"` }, payload: { slug: 'port-reopens' } });
  t.equal(moved.statusCode, 200);
  const res = await h.app.inject({ url: `/v1/articles/${story.slug}` });
  t.equal(res.statusCode, 301);
  t.ok(keysOf(res).includes(`article:${story.id}`));
  t.ok(res.headers['surrogate-control']);
});

t.test('lists, feeds, sitemaps and search name the sets they show, not each item', async (t) => {
  const { h, world, energy, ana, story } = await setup(t);
  await publish(h.app, h.admin, { headline: 'Markets calm', section: 'business', bodyMarkdown: 'Markets were calm.' });
  const expect = async (url: string, keys: string[]) => {
    const res = await h.app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.same(new Set(keysOf(res)), new Set([...keys, 'all']), url);
    t.notOk(keysOf(res).some((k) => k.startsWith('article:')), `${url}: no key per item`);
    t.ok(res.headers['surrogate-control'], `${url}: Surrogate-Control`);
  };
  await expect('/v1/articles', ['articles', 'plans']);
  await expect('/v1/articles?section=world', [`articles:section:${world.id}`, `section:${world.id}`, 'plans']);
  await expect('/v1/articles?tag=energy&author=ana-ruiz', [`articles:tag:${energy.id}`, `tag:${energy.id}`, `articles:author:${ana.id}`, `author:${ana.id}`, 'plans']);
  await expect('/v1/search?q=port', ['articles', 'plans']);
  await expect('/v1/search?q=port&section=world&facets=tag', [`articles:section:${world.id}`, `section:${world.id}`, 'plans', 'tags']);
  await expect('/v1/search/suggest?q=po', ['articles', 'tags']);
  await expect('/v1/feeds/rss.xml', ['articles']);
  await expect('/v1/feeds/sections/world/atom.xml', [`articles:section:${world.id}`, `section:${world.id}`, 'plans']);
  await expect('/v1/syndication/ninjs/articles?tag=energy', [`articles:tag:${energy.id}`, `tag:${energy.id}`, 'plans']);
  await expect('/sitemap.xml', ['articles']);
  await expect('/sitemap-articles-1.xml', ['articles']);
  await expect('/sitemap-news.xml', ['articles']);
  t.ok(story);
});

t.test('sections, tags, authors, photos and renditions carry their own keys', async (t) => {
  const { h, world, energy, ana, photo } = await setup(t);
  const keys = async (url: string) => {
    const res = await h.app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.ok(res.headers['surrogate-control'], `${url}: Surrogate-Control`);
    return new Set(keysOf(res));
  };
  t.same(await keys('/v1/sections'), new Set(['sections', 'all']));
  t.same(await keys('/v1/sections/world'), new Set([`section:${world.id}`, 'all']));
  t.same(await keys('/v1/tags'), new Set(['tags', 'articles', 'all']), 'article counts move with the articles');
  t.same(await keys('/v1/tags/energy'), new Set([`tag:${energy.id}`, `articles:tag:${energy.id}`, 'all']));
  t.same(await keys('/v1/authors'), new Set(['authors', 'articles', 'all']));
  t.same(await keys('/v1/authors/ana-ruiz'), new Set([`author:${ana.id}`, `articles:author:${ana.id}`, 'all']));
  t.same(await keys(`/v1/photos/${photo.id}`), new Set([`photo:${photo.id}`, 'all']));
  const rendition = new URL(photo.renditions[0].url);
  const r = await h.app.inject({ url: rendition.pathname + rendition.search });
  t.equal(r.statusCode, 200);
  t.same(new Set(keysOf(r)), new Set([`photo:${photo.id}`, 'all']));
  t.match(r.headers['surrogate-control'], /^max-age=31536000,/, 'an immutable rendition: as long for the CDN as for browsers');
  t.same(await keys('/v1/plans'), new Set(['plans', 'all']));
  t.same(await keys('/v1/newsletters'), new Set(['newsletters', 'all']));
});

t.test('answers to credentials (admin, partner key) never carry CDN headers; errors are not tagged', async (t) => {
  const { h, story, photo } = await setup(t);
  const { token: partner } = await h.app.keys.create({ name: 'partner', scopes: ['syndication'] });
  for (const headers of [h.admin, { authorization: `Bearer ${partner}` }]) {
    for (const url of [`/v1/articles/${story.slug}`, '/v1/articles', '/v1/feeds/rss.xml', `/v1/photos/${photo.id}`, '/v1/search?q=port']) {
      const res = await h.app.inject({ url, headers });
      t.equal(res.statusCode, 200, url);
      t.match(res.headers['cache-control'], /private/, `${url}: private`);
      for (const h of ['surrogate-key', 'cache-tag', 'surrogate-control', 'cdn-cache-control']) t.notOk(res.headers[h], `${url}: no ${h}`);
    }
  }
  const missing = await h.app.inject({ url: '/v1/articles/no-such-story' });
  t.equal(missing.statusCode, 404);
  t.notOk(missing.headers['surrogate-control'], 'a 404 is not for the CDN to keep');
  t.notOk(missing.headers['surrogate-key']);
  const write = await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.admin, payload: { slug: 'sport', name: 'Sport' } });
  t.notOk(write.headers['surrogate-control'], 'writes are not tagged');
});

t.test('a subscriber session gets a private answer, never tagged', async (t) => {
  const { h, story } = await setup(t);
  const { subscriber } = await import('./helpers/subscribers.js');
  const s = await subscriber(h.app, h.admin, 'reader@example.com');
  const res = await h.app.inject({ url: `/v1/articles/${story.slug}`, headers: s.auth });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'private, no-store');
  t.notOk(res.headers['surrogate-key']);
  t.notOk(res.headers['surrogate-control']);
});
