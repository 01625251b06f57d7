import Database from 'better-sqlite3';
import t from 'tap';
import { Article, ArticleList } from '../src/articles/schemas.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { post, publish, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * The single article and the list are sent pre-serialised from the rendered-article cache
 * (src/articles/cache.ts). These tests hold them to the response schema, and check that nothing
 * a reader sees goes stale: writes anywhere (this process or another), and time alone.
 */
const DAY = 86_400_000;
const GATED = 'First teaser paragraph.\n\nSecond one.\n\n<!-- paywall -->\n\nWhat only subscribers read.';

async function uploadPhoto(h: TestApp, caption: string) {
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY/POOL' }, [800, 600]) }]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number; version: number };
}

t.test('single articles and lists are exactly what the response schemas describe', async (t) => {
  const h = await buildTestApp(t);
  await seedTaxonomy(h.app, h.admin);
  await publish(h.app, h.admin, { slug: 'open', headline: 'Open story', tags: ['energy'], bodyMarkdown: 'One.\n\nTwo.' });
  await publish(h.app, h.admin, { slug: 'gated', headline: 'Gated story', access: 'subscribers', bodyMarkdown: GATED });
  for (const headers of [{}, h.admin]) {
    for (const url of ['/v1/articles/open', '/v1/articles/gated', '/v1/articles/open?fields=headline,html&include=tags']) {
      for (let pass = 0; pass < 2; pass++) {
        // The second pass is served from the cache: the same bytes.
        const res = await h.app.inject({ url, headers });
        t.equal(res.statusCode, 200);
        t.match(res.headers['content-type'], /^application\/json; charset=utf-8$/);
        const body = json(res);
        t.same(Article.encode(body), body, `${url}: valid, no field outside the schema`);
        t.same(Object.keys(Article.encode(body)), Object.keys(body), `${url}: in schema order`);
      }
    }
    const list = await h.app.inject({ url: '/v1/articles?limit=1', headers });
    const body = json(list);
    t.same(ArticleList.encode(body), body, 'the list too');
    t.equal(body.data.length, 1);
    t.ok(body.meta.nextCursor);
  }
});

t.test('cached articles follow every write, in this process or another, and the clock', async (t) => {
  const h = await buildTestApp(t, { env: { ARCHIVE_AFTER_DAYS: '30', CACHE_EXTERNAL_WRITES_MS: '20' } });
  const { app, admin, clock } = h;
  await seedTaxonomy(app, admin);
  const photo = await uploadPhoto(h, 'Old caption');
  await publish(app, admin, {
    slug: 'story',
    headline: 'A story',
    tags: ['energy'],
    featuredPhotoId: photo.id,
    body: [{ type: 'paragraph', text: 'The ferry was delayed, officials said.' }, { type: 'image', photoId: photo.id }],
  });
  const get = (headers: Record<string, string> = {}) => app.inject({ url: '/v1/articles/story', headers });

  const first = await get();
  t.match(json(first).html, /Old caption/);
  t.equal((await get({ 'if-none-match': first.headers.etag as string })).statusCode, 304, '304 for the cached ETag');

  // A caption edit is a write to another resource: the article shows it at once, with a new ETag.
  const edited = await app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: admin, payload: { caption: 'New caption' } });
  t.equal(edited.statusCode, 200, edited.body);
  const second = await get();
  t.match(json(second).html, /New caption/);
  t.not(second.headers.etag, first.headers.etag);
  t.equal((await get({ 'if-none-match': first.headers.etag as string })).statusCode, 200, 'the old ETag no longer matches');

  // A write by another process (another connection to the database file): a tag renamed under us.
  const other = new Database(h.config.databasePath);
  other.prepare("UPDATE tags SET name = 'Power' WHERE slug = 'energy'").run();
  other.close();
  // Another process's write is looked for every CACHE_EXTERNAL_WRITES_MS (20 ms here).
  await new Promise((r) => setTimeout(r, 40));
  t.same(json(await get()).tags.map((x: { name: string }) => x.name), ['Power']);

  // Time alone: the photo expires (no write), then the story passes into the archive.
  const expiry = new Date(clock.now().getTime() + DAY).toISOString();
  await app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: admin, payload: { expiresAt: expiry } });
  t.equal(json(await get()).photos.length, 1);
  clock.advance(2 * DAY);
  const expired = json(await get());
  t.same(expired.photos, [], 'an expired photo leaves the cached article');
  t.notMatch(expired.html, /<img/);
  t.equal(expired.access.granted, true);
  clock.advance(30 * DAY);
  const archived = json(await get());
  t.same([archived.access.granted, archived.access.reason], [false, 'archive'], 'the archive rule applies without a write');
  t.same(json(await get(admin)).access.granted, true, 'admins still read it all');
});

t.test('the first page count follows scheduled stories going live', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'now', headline: 'Now', bodyMarkdown: 'x' });
  const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
  await post(app, admin, '/v1/articles', { slug: 'later', headline: 'Later', status: 'scheduled', scheduledFor: at, section: 'world', bodyMarkdown: 'y' });
  const page = async () => json(await app.inject({ url: '/v1/articles' }));
  t.equal((await page()).meta.total, 1);
  t.equal((await page()).meta.total, 1, 'cached');
  clock.advance(2 * 3_600_000);
  const later = await page();
  t.equal(later.meta.total, 2, 'counted once its time came, with no write');
  t.same(later.data.map((a: { slug: string }) => a.slug), ['later', 'now']);
});

t.test('plans in the paywall follow plan edits', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['subscribers'], archive: true });
  await publish(app, admin, { slug: 'gated', headline: 'Gated', access: 'subscribers', bodyMarkdown: GATED });
  const price = async () => json(await app.inject({ url: '/v1/articles/gated' })).paywall.plans.find((p: { slug: string }) => p.slug === 'digital')?.price;
  t.equal(await price(), 999);
  const res = await app.inject({ method: 'PATCH', url: '/v1/plans/digital', headers: admin, payload: { price: 1299 } });
  t.equal(res.statusCode, 200, res.body);
  t.equal(await price(), 1299);
});

t.test('cached list pages follow writes, the archive rule and photo expiry, and stay per audience', async (t) => {
  const h = await buildTestApp(t, { env: { ARCHIVE_AFTER_DAYS: '30' } });
  const { app, admin, clock } = h;
  await seedTaxonomy(app, admin);
  const photo = await uploadPhoto(h, 'A caption');
  await publish(app, admin, { slug: 'story', headline: 'A story', featuredPhotoId: photo.id, bodyMarkdown: 'The ferry was delayed.' });
  const page = async (url = '/v1/articles?include=photos', headers: Record<string, string> = {}) => json(await app.inject({ url, headers }));

  t.equal((await page()).data[0].photos.length, 1);
  t.equal((await page()).data[0].access.granted, true, 'cached');

  await publish(app, admin, { slug: 'second', headline: 'Second', bodyMarkdown: 'More news.' });
  t.same((await page()).data.map((a: { slug: string }) => a.slug), ['second', 'story'], 'a new story shows at once');

  await app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: admin, payload: { expiresAt: new Date(clock.now().getTime() + DAY).toISOString() } });
  t.equal((await page()).data[1].photos.length, 1);
  clock.advance(2 * DAY);
  t.same((await page()).data[1].photos, [], 'the expired photo leaves the cached page');

  clock.advance(29 * DAY);
  const archived = (await page()).data;
  t.same(archived.map((a: { access: { granted: boolean } }) => a.access.granted), [false, false], 'both crossed into the archive without a write');
  t.same((await page('/v1/articles?include=photos', admin)).data.map((a: { access: { granted: boolean } }) => a.access.granted), [true, true], 'admins get their own page');
});

t.test('conditional GETs: 304 from a known ETag after the bytes left the cache, never for a stale one', async (t) => {
  // 1 MB of JSON cache: a few dozen stories push the first one's bytes out; its ETag stays known.
  const h = await buildTestApp(t, { env: { CACHE_ARTICLES_MB: '1' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} of a long wire story, the agency said.`).join('\n\n');
  for (let i = 0; i < 60; i++) await publish(app, admin, { slug: `story-${i}`, headline: `Story ${i}`, tags: ['energy'], bodyMarkdown: long });
  const first = await app.inject({ url: '/v1/articles/story-0' });
  const etag = first.headers.etag as string;
  for (let i = 1; i < 60; i++) await app.inject({ url: `/v1/articles/story-${i}` });

  const again = await app.inject({ url: '/v1/articles/story-0', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);
  t.match(again.headers['cache-control'], /^public, max-age=/);
  t.match(again.headers.vary, /Authorization/);
  t.equal((await app.inject({ url: '/v1/articles/story-0', headers: { 'if-none-match': '"v1-full-other"' } })).statusCode, 200, 'another ETag gets the article');

  // A write to what the article shows (its tag) retires the ETag: the next conditional GET gets the new bytes.
  const renamed = await app.inject({ method: 'PATCH', url: '/v1/tags/energy', headers: admin, payload: { name: 'Power' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  const after = await app.inject({ url: '/v1/articles/story-0', headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200);
  t.match(after.body, /Power/);
  t.not(after.headers.etag, etag);
});
