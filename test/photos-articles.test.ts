import exifr from 'exifr';
import sharp from 'sharp';
import t from 'tap';
import { samplePhotoJpeg } from '../src/photos/seed.js';
import { seedSampleContent } from '../src/seed/index.js';
import { SAMPLE_STORIES } from '../src/seed/stories.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

async function uploadPhoto(h: TestApp, caption: string, credit: string, size: [number, number] = [1000, 700]) {
  const body = multipart([
    { name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit, byline: 'Zoë Brandão' }, size) },
    { name: 'altText', value: `Alt for ${caption}` },
  ]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number; caption: string };
}

async function createArticle(h: TestApp, payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload });
}

const paragraph = (text: string) => ({ type: 'paragraph', text });

t.test('articles reference photos: validated on save, embedded with caption, credit and renditions', async (t) => {
  const h = await buildTestApp(t);
  const featured = await uploadPhoto(h, 'Featured caption from Kőváros', 'AGENCY/FEATURED');
  const inline = await uploadPhoto(h, 'Inline caption', 'AGENCY/INLINE', [800, 600]);

  const created = await createArticle(h, {
    headline: 'Flood waters recede',
    status: 'published',
    featuredPhotoId: featured.id,
    body: [paragraph('Water levels fell overnight, officials said.'), { type: 'image', photoId: inline.id, caption: 'A desk caption for this story' }],
  });
  t.equal(created.statusCode, 201, created.body);
  const slug = json(created).slug;

  const got = await h.app.inject({ url: `/v1/articles/${slug}` });
  t.equal(got.statusCode, 200);
  const article = json(got);
  t.same(article.photos.map((p: { id: number }) => p.id).sort(), [featured.id, inline.id].sort(), 'single view embeds its photos by default');
  const embedded = article.photos.find((p: { id: number }) => p.id === featured.id);
  t.equal(embedded.caption, 'Featured caption from Kőváros');
  t.equal(embedded.credit, 'AGENCY/FEATURED');
  t.equal(embedded.creator, 'Zoë Brandão');
  t.equal(embedded.altText, 'Alt for Featured caption from Kőváros');
  t.ok(embedded.renditions.length > 0);
  const rendition = embedded.renditions.find((r: { format: string }) => r.format === 'webp');
  const served = await h.app.inject({ url: new URL(rendition.url).pathname });
  t.equal(served.statusCode, 200, 'the embedded rendition URL serves the image');
  t.same(await sharp(served.rawPayload).metadata().then((m) => [m.width, m.height]), [rendition.width, rendition.height]);
  t.match(article.html, new RegExp(`/v1/photos/${inline.id}/renditions/`), 'the HTML body shows the image block');
  t.match(article.html, /A desk caption for this story/, 'an image block may override the caption');

  const listed = json(await h.app.inject({ url: '/v1/articles?include=photos' }));
  t.ok(listed.data[0].photos.some((p: { id: number }) => p.id === featured.id), 'lists embed photos with include=photos');

  // Unknown photo ids are a 4xx naming the field.
  const badFeatured = await createArticle(h, { headline: 'Bad featured', featuredPhotoId: 9999, body: [paragraph('x')] });
  t.ok(badFeatured.statusCode >= 400 && badFeatured.statusCode < 500, `unknown featured photo: ${badFeatured.statusCode}`);
  t.ok(json(badFeatured).errors.some((e: { pointer: string }) => e.pointer.endsWith('/featuredPhotoId')));
  const badBlock = await createArticle(h, { headline: 'Bad block', body: [paragraph('x'), { type: 'image', photoId: 9998 }] });
  t.ok(badBlock.statusCode >= 400 && badBlock.statusCode < 500, `unknown image block photo: ${badBlock.statusCode}`);
  t.ok(json(badBlock).errors.some((e: { pointer: string }) => e.pointer.endsWith('/body/1/photoId')));
});

t.test('deleting a photo a published or scheduled article shows is 409 unless forced', async (t) => {
  const h = await buildTestApp(t);
  const featured = await uploadPhoto(h, 'Featured', 'A');
  const inline = await uploadPhoto(h, 'Inline', 'B');
  const scheduledOnly = await uploadPhoto(h, 'Scheduled', 'C');
  const draftOnly = await uploadPhoto(h, 'Draft', 'D');

  const published = json(await createArticle(h, { headline: 'Published one', status: 'published', featuredPhotoId: featured.id, body: [paragraph('x'), { type: 'image', photoId: inline.id }] }));
  await createArticle(h, { headline: 'Scheduled one', status: 'scheduled', scheduledFor: '2026-02-01T00:00:00Z', body: [paragraph('x'), { type: 'image', photoId: scheduledOnly.id }] });
  await createArticle(h, { headline: 'Draft one', featuredPhotoId: draftOnly.id, body: [paragraph('x')] });

  const del = (id: number, force = false) => h.app.inject({ method: 'DELETE', url: `/v1/photos/${id}${force ? '?force=true' : ''}`, headers: h.admin });

  const r1 = await del(featured.id);
  t.equal(r1.statusCode, 409, 'featured photo of a published article');
  t.match(json(r1).detail, /published-one/);
  t.equal((await del(inline.id)).statusCode, 409, 'image block of a published article');
  t.equal((await del(scheduledOnly.id)).statusCode, 409, 'image block of a scheduled article');
  t.equal((await del(draftOnly.id)).statusCode, 204, 'a draft does not keep a photo');

  // Unpublishing frees the photos.
  const unpub = await h.app.inject({ method: 'POST', url: `/v1/articles/${published.slug}/unpublish`, headers: h.admin });
  t.equal(unpub.statusCode, 200, unpub.body);
  t.equal((await del(inline.id)).statusCode, 204, 'no longer published: deletable');

  // Forced delete: the article stays, without the photo.
  const republished = await h.app.inject({ method: 'POST', url: `/v1/articles/${published.slug}/publish`, headers: h.admin, payload: {} });
  t.equal(republished.statusCode, 200, republished.body);
  t.equal((await del(featured.id)).statusCode, 409);
  t.equal((await del(featured.id, true)).statusCode, 204, '?force=true overrides');
  const after = await h.app.inject({ url: `/v1/articles/${published.slug}` });
  t.equal(after.statusCode, 200);
  t.same(json(after).photos, [], 'the article no longer embeds the deleted photo');
});

t.test('an expired photo disappears from articles for readers', async (t) => {
  const h = await buildTestApp(t);
  const photo = await uploadPhoto(h, 'Handout', 'HANDOUT');
  const created = json(await createArticle(h, { headline: 'With handout', status: 'published', featuredPhotoId: photo.id, body: [paragraph('x')] }));
  t.equal(json(await h.app.inject({ url: `/v1/articles/${created.slug}` })).photos.length, 1);
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { expiresAt: '2026-01-16T00:00:00Z' } });
  h.clock.set('2026-01-17T00:00:00Z');
  t.same(json(await h.app.inject({ url: `/v1/articles/${created.slug}` })).photos, []);
});

t.test('seed: every sample story gets a generated photo with IPTC/XMP metadata, uploaded like any other', async (t) => {
  const story = SAMPLE_STORIES[0];
  const bytes = await samplePhotoJpeg(story.slug, story.photo, new Date('2026-01-12T12:00:00Z'));
  const meta = await sharp(bytes).metadata();
  t.same([meta.format, meta.width, meta.height], ['jpeg', 1600, 1067]);
  const raw = await exifr.parse(bytes, { iptc: true, xmp: true });
  t.equal(Buffer.from(raw.Credit, 'latin1').toString('utf8'), story.photo.credit, 'the file carries an IPTC credit');
  t.ok(meta.xmp, 'and an XMP packet');

  const h = await buildTestApp(t);
  const seeded = await seedSampleContent(h.app);
  t.equal(seeded?.photos, SAMPLE_STORIES.length);
  const photos = json(await h.app.inject({ url: '/v1/photos?limit=100', headers: h.admin }));
  t.equal(photos.meta.total, SAMPLE_STORIES.length);

  for (const s of SAMPLE_STORIES) {
    const res = await h.app.inject({ url: `/v1/articles/${s.slug}?include=photos&format=blocks`, headers: h.admin });
    t.equal(res.statusCode, 200, s.slug);
    const a = json(res);
    t.ok(a.featuredPhotoId, `${s.slug} has a featured photo`);
    const last = a.blocks[a.blocks.length - 1];
    t.same(last, { type: 'image', photoId: a.featuredPhotoId }, `${s.slug} ends with its photo`);
    const p = a.photos.find((x: { id: number }) => x.id === a.featuredPhotoId);
    t.equal(p.caption, s.photo.caption, `${s.slug}: caption read from the file`);
    t.equal(p.credit, s.photo.credit);
    t.equal(p.creator, s.photo.creator);
    t.equal(p.altText, s.photo.altText);
  }
  const first = photos.data[0];
  t.equal(first.width, 1600);
  t.ok(first.takenAt, 'date taken read from the file');
});
