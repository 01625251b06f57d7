import t from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * Readers see a photo only while something they can see shows it: a visible article (featured
 * photo or image block) or an author's portrait. A scheduled story's photo must not leak the story
 * (its caption, its pixels) before the story is out: 404, exactly like an unknown id.
 */

let colour = 0;
async function uploadPhoto(h: TestApp, caption: string) {
  colour += 20;
  const body = multipart([
    { name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY/HANDOUT' }, [700 + colour, 500]) },
  ]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number; renditions: { url: string; format: string; width: number }[] };
}

async function article(h: TestApp, payload: Record<string, unknown>) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { slug: string };
}

const paragraph = (text: string) => ({ type: 'paragraph', text });
const path = (url: string) => { const u = new URL(url); return u.pathname + u.search; };

t.test('photos of a scheduled story stay hidden from readers until it is out, then appear without a write', async (t) => {
  const h = await buildTestApp(t);
  const featured = await uploadPhoto(h, 'Minister resigns over the port deal, embargoed');
  const inline = await uploadPhoto(h, 'The minister leaves the building');
  await article(h, {
    headline: 'Minister resigns',
    status: 'scheduled',
    scheduledFor: '2026-01-16T06:00:00Z',
    featuredPhotoId: featured.id,
    body: [paragraph('The minister resigned, the ministry said.'), { type: 'image', photoId: inline.id }],
  });
  const { token } = await h.app.keys.create({ name: 'partner', scopes: ['syndication'] });
  const partner = { authorization: `Bearer ${token}` };
  const unknown = await h.app.inject({ url: '/v1/photos/9999' });

  for (const photo of [featured, inline]) {
    for (const [who, headers] of [['anonymous', {}], ['a partner key', partner]] as const) {
      const res = await h.app.inject({ url: `/v1/photos/${photo.id}`, headers });
      t.equal(res.statusCode, 404, `${who}: the photo JSON is 404 before the story is out`);
      t.notMatch(res.body, /embargoed|minister/i, 'nothing of the caption');
      t.same({ ...json(res), instance: null }, { ...json(unknown), detail: json(res).detail, instance: null }, 'the same problem as an unknown id');
      t.match(json(res).detail, `Photo ${photo.id}`);
      for (const r of photo.renditions.slice(0, 2)) {
        const served = await h.app.inject({ url: path(r.url), headers });
        t.equal(served.statusCode, 404, `${who}: ${r.width}.${r.format} is 404`);
        t.equal(served.headers['content-type'], 'application/problem+json; charset=utf-8');
      }
    }
    t.equal((await h.app.inject({ url: `/v1/photos/${photo.id}`, headers: h.admin })).statusCode, 200, 'admins see it');
  }
  // An admin's request puts the rendition bytes in memory: readers still get a 404, not those bytes.
  const r640 = path(featured.renditions.find((r) => r.width === 640 && r.format === 'webp')!.url);
  t.equal((await h.app.inject({ url: r640, headers: h.admin })).statusCode, 200);
  t.equal((await h.app.inject({ url: r640 })).statusCode, 404, 'the in-memory rendition cache does not bypass the check');

  // Time passes; nobody writes anything.
  h.clock.set('2026-01-16T06:00:00Z');
  for (const photo of [featured, inline]) {
    const res = await h.app.inject({ url: `/v1/photos/${photo.id}` });
    t.equal(res.statusCode, 200, 'visible once the story is');
    t.equal((await h.app.inject({ url: path(photo.renditions[0].url) })).statusCode, 200);
  }
  const served = await h.app.inject({ url: r640 });
  t.equal(served.statusCode, 200);
  t.equal(served.headers['content-type'], 'image/webp');
});

t.test('which photos readers see: visible articles and author portraits, not drafts, unpublished, deleted or unused ones', async (t) => {
  const h = await buildTestApp(t);
  const published = await uploadPhoto(h, 'In a published story');
  const draft = await uploadPhoto(h, 'In a draft');
  const unused = await uploadPhoto(h, 'In the library only');
  const portrait = await uploadPhoto(h, 'Ana Ruiz');
  const later = await uploadPhoto(h, 'In a story unpublished later');
  const deleted = await uploadPhoto(h, 'In a story deleted later');

  await h.app.inject({ method: 'POST', url: '/v1/sections', headers: h.admin, payload: { slug: 'world', name: 'World' } });
  const author = await h.app.inject({ method: 'POST', url: '/v1/authors', headers: h.admin, payload: { slug: 'ana-ruiz', name: 'Ana Ruiz', photoId: portrait.id } });
  t.equal(author.statusCode, 201, author.body);
  const story = await article(h, {
    headline: 'Floods recede',
    status: 'published',
    section: 'world',
    authors: ['ana-ruiz'],
    access: 'subscribers',
    featuredPhotoId: published.id,
    body: [paragraph('Water levels fell, officials said.')],
  });
  await article(h, { headline: 'A draft', featuredPhotoId: draft.id, body: [paragraph('x')] });
  const toUnpublish = await article(h, { headline: 'Unpublished later', status: 'published', body: [paragraph('x'), { type: 'image', photoId: later.id }] });
  const toDelete = await article(h, { headline: 'Deleted later', status: 'published', featuredPhotoId: deleted.id, body: [paragraph('x')] });

  const status = async (id: number) => (await h.app.inject({ url: `/v1/photos/${id}` })).statusCode;
  t.equal(await status(published.id), 200, 'featured photo of a published (even subscriber-only) story');
  t.equal(await status(portrait.id), 200, "an author's portrait");
  t.equal(await status(later.id), 200, 'image block of a published story');
  t.equal(await status(deleted.id), 200);
  t.equal(await status(draft.id), 404, 'a draft does not show it');
  t.equal(await status(unused.id), 404, 'an unused library photo');

  await h.app.inject({ method: 'POST', url: `/v1/articles/${toUnpublish.slug}/unpublish`, headers: h.admin });
  await h.app.inject({ method: 'DELETE', url: `/v1/articles/${toDelete.slug}`, headers: h.admin });
  t.equal(await status(later.id), 404, 'unpublished: hidden again');
  t.equal(await status(deleted.id), 404, 'deleted: hidden again');

  // What readers are given to fetch works, on every surface that embeds photos.
  const single = json(await h.app.inject({ url: `/v1/articles/${story.slug}` }));
  const urls: string[] = single.photos.flatMap((p: { renditions: { url: string }[] }) => p.renditions.map((r) => r.url));
  const listed = json(await h.app.inject({ url: '/v1/articles?include=photos,authors' }));
  urls.push(...listed.data.flatMap((a: { photos: { renditions: { url: string }[] }[] }) => a.photos.flatMap((p) => p.renditions.map((r) => r.url))));
  const ninjs = json(await h.app.inject({ url: `/v1/syndication/ninjs/articles/${story.slug}` }));
  urls.push(...ninjs.associations.flatMap((a: { renditions: { href: string }[] }) => a.renditions.map((r) => r.href)));
  const feed = json(await h.app.inject({ url: '/v1/feeds/feed.json' }));
  urls.push(...feed.items.map((i: { image?: string }) => i.image).filter(Boolean));
  const authorView = json(await h.app.inject({ url: '/v1/authors/ana-ruiz' }));
  if (authorView.photo) urls.push(...authorView.photo.renditions.map((r: { url: string }) => r.url));
  t.ok(urls.length > 10, `${urls.length} rendition URLs from articles, lists, ninjs, feeds`);
  t.ok(feed.items.some((i: { image?: string }) => i.image), 'the feed carries the featured photo');
  for (const url of new Set(urls)) {
    t.equal((await h.app.inject({ url: path(url) })).statusCode, 200, `${path(url)} serves`);
  }
});
