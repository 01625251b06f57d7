import sharp from 'sharp';
import t, { type Test } from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * Rendition URLs are served as immutable, so they must change whenever the bytes behind them
 * would: every URL the API hands out carries a version token (`?v=`) of the original, the focal
 * point and the encoder settings. A URL without it, or with a stale one, still gets the current
 * image, cached briefly and never as immutable.
 */

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60, stale-while-revalidate=300';

async function setup(t: Test) {
  const h = await buildTestApp(t);
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption: 'Harbour', credit: 'AGENCY' }, [1600, 1000]) }]);
  const photo = json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload }));
  const article = json(
    await h.app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: h.admin,
      payload: { headline: 'Harbour reopens', status: 'published', featuredPhotoId: photo.id, body: [{ type: 'paragraph', text: 'Ships sailed again, the port said.' }, { type: 'image', photoId: photo.id }] },
    }),
  );
  return { h, photo, slug: article.slug as string };
}

const pathOf = (url: string) => { const u = new URL(url); return u.pathname + u.search; };
const tokenOf = (url: string) => new URL(url).searchParams.get('v');
const dims = async (bytes: Buffer) => sharp(bytes).metadata().then((m) => [m.width, m.height]);
const cropPixel = async (bytes: Buffer) => (await sharp(bytes).raw().toBuffer()).subarray(0, 3).toString('hex');

async function get(h: TestApp, url: string, headers: Record<string, string> = {}) {
  return h.app.inject({ url, headers });
}

t.test('every rendition URL carries the version token and is served as immutable; without it, briefly cached', async (t) => {
  const { h, photo, slug } = await setup(t);
  const token = tokenOf(photo.renditions[0].url);
  t.match(token, /^[0-9a-f]{12}$/);
  t.ok(photo.renditions.every((r: { url: string }) => tokenOf(r.url) === token), 'one token for all of a photo\'s renditions');
  t.match(photo.renditionUrlTemplate, new RegExp(`/renditions/\\{width\\}\\.\\{format\\}\\?v=${token}$`));

  // The same URLs on every surface that embeds the photo.
  const article = json(await get(h, `/v1/articles/${slug}`));
  t.same(article.photos[0].renditions.map((r: { url: string }) => r.url), photo.renditions.map((r: { url: string }) => r.url), 'article embed');
  t.match(json(await get(h, `/v1/articles/${slug}?format=html`)).html ?? '', `?v=${token}`, 'article HTML srcset');
  const ninjs = json(await get(h, `/v1/syndication/ninjs/articles/${slug}`));
  t.ok(ninjs.associations[0].renditions.every((r: { href: string }) => tokenOf(r.href) === token), 'ninjs renditions');
  const feed = json(await get(h, '/v1/feeds/feed.json'));
  t.equal(tokenOf(feed.items[0].image), token, 'JSON Feed image');
  const rss = (await get(h, '/v1/feeds/rss.xml')).body;
  t.match(rss, `?v=${token}`, 'RSS enclosure / media:content');

  const listed = photo.renditions.find((r: { width: number; format: string }) => r.width === 640 && r.format === 'webp');
  const withToken = await get(h, pathOf(listed.url));
  t.equal(withToken.statusCode, 200);
  t.equal(withToken.headers['cache-control'], IMMUTABLE);
  t.notOk(withToken.headers.link, 'no canonical hint needed');
  const template = pathOf(photo.renditionUrlTemplate.replace('{width}', '320').replace('{format}', 'jpeg'));
  t.equal((await get(h, `${template}&ar=16:9`)).headers['cache-control'], IMMUTABLE, 'template + &ar= is immutable too');

  const bare = await get(h, `/v1/photos/${photo.id}/renditions/640.webp`);
  t.equal(bare.statusCode, 200, 'no token: still served');
  t.ok(bare.rawPayload.equals(withToken.rawPayload), 'the same bytes');
  t.equal(bare.headers.etag, withToken.headers.etag, 'the same ETag (it names the bytes)');
  t.equal(bare.headers['cache-control'], SHORT, 'cached briefly, not immutable');
  t.equal(bare.headers.link, `<${listed.url}>; rel="canonical"`, 'pointing at the current URL');
  const revalidated = await get(h, `/v1/photos/${photo.id}/renditions/640.webp`, { 'if-none-match': withToken.headers.etag as string });
  t.equal(revalidated.statusCode, 304);
  t.equal(revalidated.headers['cache-control'], SHORT, 'a 304 carries the same Cache-Control as the 200');
  t.equal((await get(h, pathOf(listed.url), { 'if-none-match': withToken.headers.etag as string })).headers['cache-control'], IMMUTABLE);

  for (const bad of ['v=', 'v=xyz', `v=${'a'.repeat(65)}`, `v=${token}&v=${token}`]) {
    const res = await get(h, `/v1/photos/${photo.id}/renditions/640.webp?${bad}`);
    t.equal(res.statusCode, 400, `?${bad} is 400`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
});

t.test('moving the focal point gives new URLs; the old ones answer the current crop, not as immutable', async (t) => {
  const { h, photo, slug } = await setup(t);
  const oldToken = tokenOf(photo.renditionUrlTemplate);
  const cropUrl = (template: string) => `${pathOf(template.replace('{width}', '320').replace('{format}', 'jpeg'))}&ar=1:1`;
  const before = await get(h, cropUrl(photo.renditionUrlTemplate));
  t.equal(before.headers['cache-control'], IMMUTABLE);
  t.same(await dims(before.rawPayload), [320, 320]);

  const edited = await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { focalPoint: { x: 0, y: 0.5 } } });
  t.equal(edited.statusCode, 200, edited.body);
  const moved = json(edited);
  const newToken = tokenOf(moved.renditionUrlTemplate);
  t.not(newToken, oldToken, 'a new token');
  t.ok(moved.renditions.every((r: { url: string }) => tokenOf(r.url) === newToken), 'on every listed URL');
  const article = json(await get(h, `/v1/articles/${slug}`));
  t.equal(tokenOf(article.photos[0].renditions[0].url), newToken, 'articles embed the new URLs at once');

  const current = await get(h, cropUrl(moved.renditionUrlTemplate));
  t.equal(current.headers['cache-control'], IMMUTABLE);
  t.not(current.headers.etag, before.headers.etag, 'other bytes, other ETag');
  t.not(await cropPixel(current.rawPayload), await cropPixel(before.rawPayload), 'the crop moved');

  // An old URL (in a cached page, in someone's HTML) gets the current crop, cached briefly.
  const stale = await get(h, cropUrl(photo.renditionUrlTemplate));
  t.equal(stale.statusCode, 200);
  t.equal(stale.headers.etag, current.headers.etag, 'the current bytes');
  t.ok(stale.rawPayload.equals(current.rawPayload));
  t.equal(stale.headers['cache-control'], SHORT, 'not immutable: the old URL no longer names fixed bytes');
  t.equal(stale.headers.link, `<http://localhost:3000${cropUrl(moved.renditionUrlTemplate)}>; rel="canonical"`);
  const conditional = await get(h, cropUrl(photo.renditionUrlTemplate), { 'if-none-match': before.headers.etag as string });
  t.equal(conditional.statusCode, 200, 'a cache holding the old crop gets the new one, not a 304');

  // Editing the caption changes no bytes: the URLs stay.
  const captioned = json(await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { caption: 'New words' } }));
  t.equal(tokenOf(captioned.renditionUrlTemplate), newToken, 'a caption edit keeps the URLs (and browser caches) valid');
});

t.test('the photo expiring soon bounds both kinds of answer', async (t) => {
  const { h, photo } = await setup(t);
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { expiresAt: '2026-01-15T12:00:30Z' } });
  const fresh = json(await get(h, `/v1/photos/${photo.id}`));
  t.equal((await get(h, pathOf(fresh.renditions[0].url))).headers['cache-control'], 'public, max-age=30, immutable');
  t.equal((await get(h, `/v1/photos/${photo.id}/renditions/320.webp`)).headers['cache-control'], 'public, max-age=30');
});

t.test('only canonical decimal widths name a rendition: aliases of 640 are 400 with a clear problem', async (t) => {
  const { h, photo } = await setup(t);
  const base = `/v1/photos/${photo.id}/renditions`;
  const v = tokenOf(photo.renditionUrlTemplate);
  t.equal((await get(h, `${base}/640.webp?v=${v}`)).statusCode, 200);
  for (const alias of ['0640', '640.0', '640e0', '6.4e2', '%20640', '640%20', '+640', '0x280', '%EF%BC%96%EF%BC%94%EF%BC%90']) {
    const res = await get(h, `${base}/${alias}.webp?v=${v}`);
    t.equal(res.statusCode, 400, `${alias}.webp is 400`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = json(res);
    t.same(problem.errors.map((e: { pointer: string }) => e.pointer), ['/params/width'], `${alias}: names the width`);
    t.match(problem.errors[0].detail, /plain decimal digits/);
  }
  const other = json(await get(h, `${base}/500.webp`));
  t.match(other.errors[0].detail, 'must be one of the configured widths: 320, 640, 960, 1280, 1920', 'a width outside the set says which are');
});
