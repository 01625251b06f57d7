import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { fakePhotos, post, publish, seedTaxonomy } from './helpers/articles.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** n words of wire copy in paragraphs of 50 words. */
function wireCopy(words: number): string {
  const paras: string[] = [];
  for (let left = words; left > 0; left -= 50) {
    paras.push(Array.from({ length: Math.min(50, left) }, (_, i) => (i === 0 ? 'Officials' : 'said')).join(' ') + '.');
  }
  return paras.join('\n\n');
}

t.test('an editor creates a story in Markdown, publishes it, readers read it', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const md = [
    'Floodwater swept through the lower districts on Sunday, the interior ministry said.',
    '',
    '## Harbour closed',
    '',
    '> "No family will spend a night without shelter."',
    '>',
    '> — Mihály Dravec, Minister of the Interior',
    '',
    '- first point',
    '- second point',
    '',
    '<!-- paywall -->',
    '',
    'The rest of the story.',
  ].join('\n');
  const created = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: admin,
    payload: {
      headline: 'Floods force thousands from their homes',
      standfirst: 'More than 6,000 people were evacuated.',
      bodyMarkdown: md,
      section: 'world',
      authors: ['ana-ruiz', 'tomas-berg'],
      tags: ['floods'],
      dateline: 'VELGRAD, Ostravia',
      sources: ['OSTPRESS', 'Meridian Wire'],
    },
  });
  t.equal(created.statusCode, 201);
  const draft = json(created);
  t.equal(draft.slug, 'floods-force-thousands-from-their-homes', 'slug made from the headline');
  t.equal(created.headers.location, '/v1/articles/floods-force-thousands-from-their-homes');
  t.equal(created.headers['cache-control'], 'private, no-store', 'admin responses are never cached');
  t.equal(draft.status, 'draft');
  t.same(draft.blocks, [
    { type: 'paragraph', text: 'Floodwater swept through the lower districts on Sunday, the interior ministry said.' },
    { type: 'heading', level: 2, text: 'Harbour closed' },
    { type: 'quote', text: '"No family will spend a night without shelter."', attribution: 'Mihály Dravec, Minister of the Interior' },
    { type: 'list', ordered: false, items: ['first point', 'second point'] },
    { type: 'paywall' },
    { type: 'paragraph', text: 'The rest of the story.' },
  ]);
  t.same(draft.authorSlugs, ['ana-ruiz', 'tomas-berg'], 'byline order kept');
  t.same(draft.authors.map((a: { name: string }) => a.name), ['Ana Ruiz', 'Tomas Berg']);
  t.same(draft.sources, ['OSTPRESS', 'Meridian Wire']);
  t.equal(draft.section.slug, 'world');
  t.match(draft.html, /<blockquote><p>"No family will spend a night without shelter."<\/p><footer>— <cite>Mihály Dravec, Minister of the Interior<\/cite><\/footer><\/blockquote>/);

  t.equal((await app.inject({ url: `/v1/articles/${draft.slug}` })).statusCode, 404, 'drafts are invisible to readers');
  t.equal(json(await app.inject({ url: '/v1/articles' })).data.length, 0);

  const published = await app.inject({ method: 'POST', url: `/v1/articles/${draft.slug}/publish`, headers: admin });
  t.equal(published.statusCode, 200);
  t.equal(json(published).status, 'published');
  t.equal(json(published).publishedAt, '2026-01-15T12:00:00.000Z');
  t.equal(json(published).firstPublishedAt, '2026-01-15T12:00:00.000Z');

  const read = json(await app.inject({ url: `/v1/articles/${draft.slug}` }));
  t.equal(read.access.granted, true, 'public article');
  t.equal(read.paywall, null);
  t.equal(read.text.split('\n\n').pop(), 'The rest of the story.', 'public articles are read in full');

  // A second story with the same headline gets the next free slug.
  const again = await post(app, admin, '/v1/articles', { headline: 'Floods force thousands from their homes' });
  t.equal(again.slug, 'floods-force-thousands-from-their-homes-2');
});

t.test('word count and reading time: words ÷ READING_WPM, rounded up', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const a = await post(app, admin, '/v1/articles', { headline: 'Wire story', bodyMarkdown: wireCopy(550) });
  t.equal(a.wordCount, 550);
  t.equal(a.readingTimeMinutes, 3, 'a 550-word wire story reads "3 minutes"');
  const b = await post(app, admin, '/v1/articles', { headline: 'Short', body: [{ type: 'paragraph', text: 'Just — five words here, really.' }, { type: 'image', photoId: 1 }].slice(0, 1) });
  t.equal(b.wordCount, 5, 'a dash is not a word');
  t.equal(b.readingTimeMinutes, 1);
  const c = await app.inject({ method: 'PATCH', url: `/v1/articles/${a.slug}`, headers: admin, payload: { bodyMarkdown: wireCopy(601) } });
  t.equal(json(c).readingTimeMinutes, 4, 'recomputed on save');

  const slow = await buildTestApp(t, { env: { READING_WPM: '100' } });
  const d = await post(slow.app, slow.admin, '/v1/articles', { headline: 'Wire story', bodyMarkdown: wireCopy(550) });
  t.equal(d.readingTimeMinutes, 6, 'configurable');
});

t.test('scheduling needs no cron: visibility follows the clock', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const at = new Date(clock.now().getTime() + 2 * HOUR).toISOString();
  const a = await post(app, admin, '/v1/articles', { slug: 'later', headline: 'Later', status: 'scheduled', scheduledFor: at, bodyMarkdown: 'Text.' });
  t.equal(a.status, 'scheduled');
  t.equal(a.scheduledFor, at);
  t.equal(a.firstPublishedAt, null, 'not live yet');
  t.equal((await app.inject({ url: '/v1/articles/later' })).statusCode, 404);
  t.equal(json(await app.inject({ url: '/v1/articles' })).meta.total, 0);
  t.equal(json(await app.inject({ url: '/v1/articles?status=scheduled', headers: admin })).meta.total, 1);

  clock.advance(2 * HOUR - 1000);
  t.equal((await app.inject({ url: '/v1/articles/later' })).statusCode, 404, 'one second before');
  clock.advance(1000);
  const live = await app.inject({ url: '/v1/articles/later' });
  t.equal(live.statusCode, 200, 'on time');
  t.equal(json(live).status, 'published');
  t.equal(json(live).publishedAt, at);
  t.equal(json(await app.inject({ url: '/v1/articles' })).meta.total, 1);
  t.equal(json(await app.inject({ url: '/v1/articles?status=published', headers: admin })).meta.total, 1);
  t.equal(json(await app.inject({ url: '/v1/articles?status=scheduled', headers: admin })).meta.total, 0);

  // publish with a future `at` schedules; the schedule action refuses the past.
  await post(app, admin, '/v1/articles', { slug: 'next', headline: 'Next' });
  const future = new Date(clock.now().getTime() + DAY).toISOString();
  const p = await app.inject({ method: 'POST', url: '/v1/articles/next/publish', headers: admin, payload: { at: future } });
  t.equal(json(p).status, 'scheduled');
  t.equal((await app.inject({ url: '/v1/articles/next' })).statusCode, 404);
  const past = await app.inject({ method: 'POST', url: '/v1/articles/next/schedule', headers: admin, payload: { at: '2020-01-01T00:00:00Z' } });
  t.equal(past.statusCode, 422);
  t.equal(json(past).errors[0].pointer, '/body/at');
  // Unpublishing a scheduled article cancels it.
  const cancelled = json(await app.inject({ method: 'POST', url: '/v1/articles/next/unpublish', headers: admin }));
  t.equal(cancelled.status, 'unpublished');
  clock.advance(2 * DAY);
  t.equal((await app.inject({ url: '/v1/articles/next' })).statusCode, 404, 'a cancelled schedule never goes live');
});

t.test('unpublish and republish', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const a = await publish(app, admin, { slug: 'story', headline: 'Story', bodyMarkdown: 'Text.' });
  clock.advance(HOUR);
  const un = await app.inject({ method: 'POST', url: '/v1/articles/story/unpublish', headers: admin });
  t.equal(json(un).status, 'unpublished');
  t.equal((await app.inject({ url: '/v1/articles/story' })).statusCode, 404);
  clock.advance(HOUR);
  const re = json(await app.inject({ method: 'POST', url: '/v1/articles/story/publish', headers: admin }));
  t.equal(re.status, 'published');
  t.equal(re.publishedAt, a.publishedAt, 'republishing keeps the original date');
  t.equal(re.firstPublishedAt, a.firstPublishedAt);
  const backdated = json(await app.inject({ method: 'POST', url: '/v1/articles/story/publish', headers: admin, payload: { at: '2025-12-01T08:00:00+01:00' } }));
  t.equal(backdated.publishedAt, '2025-12-01T07:00:00.000Z', 'backdating, normalised to UTC');
});

t.test('a changed slug answers 301 from the old one', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'old-slug', headline: 'Story', bodyMarkdown: 'Text.' });
  const renamed = await app.inject({ method: 'PATCH', url: '/v1/articles/old-slug', headers: admin, payload: { slug: 'new-slug' } });
  t.equal(renamed.statusCode, 200);
  const moved = await app.inject({ url: '/v1/articles/old-slug?fields=headline' });
  t.equal(moved.statusCode, 301);
  t.equal(moved.headers.location, '/v1/articles/new-slug?fields=headline');
  t.equal((await app.inject({ url: '/v1/articles/new-slug' })).statusCode, 200);

  // A chain of renames: every old slug points at the current one.
  await app.inject({ method: 'PATCH', url: '/v1/articles/new-slug', headers: admin, payload: { slug: 'newest-slug' } });
  t.equal((await app.inject({ url: '/v1/articles/old-slug' })).headers.location, '/v1/articles/newest-slug');
  t.equal((await app.inject({ url: '/v1/articles/new-slug' })).headers.location, '/v1/articles/newest-slug');

  // Old slugs stay reserved for their article…
  const taken = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { slug: 'old-slug', headline: 'Other' } });
  t.equal(taken.statusCode, 409);
  t.equal(json(taken).errors[0].pointer, '/body/slug');
  // …which may take one back.
  const back = await app.inject({ method: 'PATCH', url: '/v1/articles/newest-slug', headers: admin, payload: { slug: 'old-slug' } });
  t.equal(back.statusCode, 200);
  t.equal((await app.inject({ url: '/v1/articles/old-slug' })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/articles/newest-slug' })).headers.location, '/v1/articles/old-slug');

  // Unpublished articles do not leak through their old slugs.
  await app.inject({ method: 'POST', url: '/v1/articles/old-slug/unpublish', headers: admin });
  t.equal((await app.inject({ url: '/v1/articles/new-slug' })).statusCode, 404);

  // A draft that was never published keeps no redirect.
  await post(app, admin, '/v1/articles', { slug: 'draft-a', headline: 'Draft' });
  await app.inject({ method: 'PATCH', url: '/v1/articles/draft-a', headers: admin, payload: { slug: 'draft-b' } });
  t.equal((await app.inject({ url: '/v1/articles/draft-a', headers: admin })).statusCode, 404);
});

t.test('revisions: every save is kept, and one can be restored', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/articles', { slug: 's', headline: 'First headline', bodyMarkdown: 'First body.', tags: ['energy'] });
  clock.advance(60_000);
  await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: admin, payload: { headline: 'Second headline', bodyMarkdown: 'Second body.' } });
  clock.advance(60_000);
  await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: admin, payload: { tags: ['floods'], section: 'business' } });
  await app.inject({ method: 'POST', url: '/v1/articles/s/publish', headers: admin });

  const list = await app.inject({ url: '/v1/articles/s/revisions', headers: admin });
  t.equal(list.statusCode, 200);
  t.equal(list.headers['cache-control'], 'private, no-store');
  const revs = json(list).data;
  t.same(revs.map((r: { version: number; action: string }) => [r.version, r.action]), [[4, 'publish'], [3, 'update'], [2, 'update'], [1, 'create']]);
  t.same(revs[2].changedFields.sort(), ['body', 'headline']);
  t.same(revs[1].changedFields.sort(), ['section', 'tags']);
  t.match(revs[0].actor, /test admin \(key /);
  t.equal(revs[2].at, '2026-01-15T12:01:00.000Z');

  const paged = json(await app.inject({ url: '/v1/articles/s/revisions?limit=3', headers: admin }));
  const rest = json(await app.inject({ url: `/v1/articles/s/revisions?limit=3&cursor=${paged.meta.nextCursor}`, headers: admin }));
  t.same(rest.data.map((r: { version: number }) => r.version), [1]);

  const first = json(await app.inject({ url: '/v1/articles/s/revisions/1', headers: admin }));
  t.equal(first.snapshot.headline, 'First headline');
  t.same(first.snapshot.tags, ['energy']);

  const restored = await app.inject({ method: 'POST', url: '/v1/articles/s/revisions/1/restore', headers: admin });
  t.equal(restored.statusCode, 200);
  const r = json(restored);
  t.equal(r.headline, 'First headline');
  t.equal(r.text, 'First body.');
  t.same(r.tagSlugs, ['energy']);
  t.equal(r.sectionSlug, null);
  t.equal(r.status, 'published', 'restoring content does not change the workflow');
  t.equal(r.version, 5);
  const latest = json(await app.inject({ url: '/v1/articles/s/revisions?limit=1', headers: admin })).data[0];
  t.equal(latest.action, 'restore');
  t.ok(latest.changedFields.includes('headline'));

  t.equal((await app.inject({ url: '/v1/articles/s/revisions/99', headers: admin })).statusCode, 404);
  t.equal((await app.inject({ url: '/v1/articles/s/revisions' })).statusCode, 401, 'revisions are for admins');
});

t.test('If-Match: a stale version is refused with 412; writes without it are accepted', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 's', headline: 'Original', bodyMarkdown: 'Text.' });
  const read = await app.inject({ url: '/v1/articles/s', headers: admin });
  const etag = read.headers.etag as string;
  t.match(etag, /^"v1-full-/);

  const ok = await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: { ...admin, 'if-match': etag }, payload: { headline: 'Edited' } });
  t.equal(ok.statusCode, 200, 'the ETag of a GET works as If-Match');
  t.equal(ok.headers.etag, '"v2"');
  const stale = await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: { ...admin, 'if-match': etag }, payload: { headline: 'Lost update' } });
  t.equal(stale.statusCode, 412);
  t.match(stale.headers['content-type'], /problem\+json/);
  t.equal(json(await app.inject({ url: '/v1/articles/s' })).headline, 'Edited', 'nothing changed');
  for (const [method, url, payload] of [
    ['POST', '/v1/articles/s/unpublish', undefined],
    ['POST', '/v1/articles/s/corrections', { text: 'x' }],
    ['DELETE', '/v1/articles/s', undefined],
  ] as const) {
    const res = await app.inject({ method, url, headers: { ...admin, 'if-match': '"v1"' }, ...(payload ? { payload } : {}) });
    t.equal(res.statusCode, 412, `${method} ${url} with a stale If-Match`);
  }
  const noHeader = await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: admin, payload: { headline: 'Without If-Match' } });
  t.equal(noHeader.statusCode, 200);
  t.equal(json(noHeader).version, 3);
  const withNumber = await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: { ...admin, 'if-match': '3' }, payload: { headline: 'With a bare version' } });
  t.equal(withNumber.statusCode, 200);
});

t.test('corrections log', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 's', headline: 'Story', bodyMarkdown: 'Text.' });
  clock.advance(DAY);
  const res = await app.inject({ method: 'POST', url: '/v1/articles/s/corrections', headers: admin, payload: { text: 'An earlier version gave the wrong date for the vote.' } });
  t.equal(res.statusCode, 201);
  const a = json(await app.inject({ url: '/v1/articles/s' }));
  t.same(a.corrections, [{ at: '2026-01-16T12:00:00.000Z', text: 'An earlier version gave the wrong date for the vote.' }]);
  t.equal(a.updatedAt, '2026-01-16T12:00:00.000Z');
  t.equal(a.version, 2);
  const bad = await app.inject({ method: 'POST', url: '/v1/articles/s/corrections', headers: admin, payload: { text: '' } });
  t.equal(bad.statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: '/v1/articles/s/corrections', payload: { text: 'x' } })).statusCode, 401);
});

t.test('soft delete and restore', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 's', headline: 'Story', bodyMarkdown: 'Text.' });
  const del = await app.inject({ method: 'DELETE', url: '/v1/articles/s', headers: admin });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ url: '/v1/articles/s' })).statusCode, 404);
  t.equal(json(await app.inject({ url: '/v1/articles' })).meta.total, 0);
  t.equal(json(await app.inject({ url: '/v1/articles', headers: admin })).meta.total, 0, 'not in the default admin list either');
  const trash = json(await app.inject({ url: '/v1/articles?status=deleted', headers: admin }));
  t.equal(trash.data[0].slug, 's');
  t.ok(trash.data[0].deletedAt);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/articles/s', headers: admin, payload: { headline: 'x' } })).statusCode, 404, 'deleted articles are not edited');
  t.equal((await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { slug: 's', headline: 'x' } })).statusCode, 409, 'its slug stays reserved');

  const restored = await app.inject({ method: 'POST', url: '/v1/articles/s/restore', headers: admin });
  t.equal(restored.statusCode, 200);
  t.equal(json(restored).deletedAt, null);
  t.equal((await app.inject({ url: '/v1/articles/s' })).statusCode, 200, 'readers see it again');
  const actions = json(await app.inject({ url: '/v1/articles/s/revisions', headers: admin })).data.map((r: { action: string }) => r.action);
  t.same(actions.slice(0, 2), ['undelete', 'delete']);
});

t.test('admin lists: drafts, status filter; readers cannot filter by status', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/articles', { slug: 'd', headline: 'Draft' });
  await publish(app, admin, { slug: 'p', headline: 'Published', bodyMarkdown: 'Text.' });
  await publish(app, admin, { slug: 'u', headline: 'Unpublished', bodyMarkdown: 'Text.' });
  await app.inject({ method: 'POST', url: '/v1/articles/u/unpublish', headers: admin });

  const all = await app.inject({ url: '/v1/articles', headers: admin });
  t.same(json(all).data.map((a: { slug: string }) => a.slug), ['u', 'p', 'd'], 'drafts (no date) last in -publishedAt');
  t.equal(all.headers['cache-control'], 'private, no-store');
  for (const [status, slugs] of [['draft', ['d']], ['published', ['p']], ['unpublished', ['u']], ['all', ['u', 'p', 'd']]] as const) {
    const res = json(await app.inject({ url: `/v1/articles?status=${status}`, headers: admin }));
    t.same(res.data.map((a: { slug: string }) => a.slug), slugs, `status=${status}`);
  }
  t.same(json(await app.inject({ url: '/v1/articles' })).data.map((a: { slug: string }) => a.slug), ['p']);
  t.equal((await app.inject({ url: '/v1/articles?status=draft' })).statusCode, 401);
  t.equal((await app.inject({ url: '/v1/articles?status=published' })).statusCode, 200, 'what readers see anyway');
  const { token } = await app.keys.create({ name: 'partner', scopes: ['syndication'] });
  t.equal((await app.inject({ url: '/v1/articles?status=draft', headers: { authorization: `Bearer ${token}` } })).statusCode, 403);
  const asPartner = await app.inject({ url: '/v1/articles?status=published', headers: { authorization: `Bearer ${token}` } });
  t.equal(asPartner.statusCode, 200, 'status=published is a no-op for any non-admin');
  t.same(json(asPartner).data.map((a: { slug: string }) => a.slug), ['p']);
  t.same(json(await app.inject({ url: '/v1/articles?status=published' })).data.map((a: { slug: string }) => a.slug), ['p'], 'the same list readers get without it');
  for (const status of ['scheduled', 'unpublished', 'deleted', 'all']) {
    t.equal((await app.inject({ url: `/v1/articles?status=${status}` })).statusCode, 401, `anonymous status=${status}`);
  }
  t.equal((await app.inject({ url: '/v1/articles/d', headers: { authorization: `Bearer ${token}` } })).statusCode, 404, 'partners do not see drafts');
  t.equal((await app.inject({ url: '/v1/articles/d', headers: admin })).statusCode, 200, 'admins do');
});

t.test('photos: validated through the photo embedder and embedded', async (t) => {
  const photos = fakePhotos();
  const { app, admin } = await buildTestApp(t, { photoEmbedder: photos });
  await seedTaxonomy(app, admin);
  const a = await publish(app, admin, {
    slug: 'p',
    headline: 'With photos',
    featuredPhotoId: 3,
    bodyMarkdown: 'Text.\n\n![Boats in the street](photo:4 "Rescue boats, Velgrad")',
  });
  t.same(a.blocks[1], { type: 'image', photoId: 4, altText: 'Boats in the street', caption: 'Rescue boats, Velgrad' });
  t.same(a.photos.map((p: { id: number }) => p.id), [3, 4]);
  t.match(a.html, /<figure class="image" data-photo-id="4"><img src="https:\/\/cdn.example\/photos\/4\/w800.jpeg" srcset="[^"]+" alt="Boats in the street" width="1200" height="800" loading="lazy" ?\/?><figcaption>Rescue boats, Velgrad <span class="credit">AGENCY\/HANDOUT<\/span><\/figcaption><\/figure>/);

  const list = json(await app.inject({ url: '/v1/articles?include=photos' }));
  t.same(list.data[0].photos.map((p: { id: number }) => p.id), [3, 4]);
  const before = photos.calls.length;
  for (let i = 0; i < 5; i++) await publish(app, admin, { headline: `More ${i}`, featuredPhotoId: 5 + (i % 3), bodyMarkdown: 'x' });
  const callsBefore = photos.calls.length;
  await app.inject({ url: '/v1/articles?include=photos,authors,tags,section&format=html' });
  t.equal(photos.calls.length - callsBefore, 1, 'one embedder call for a whole page');
  t.ok(before > 0);

  const unknown = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { headline: 'x', featuredPhotoId: 77, body: [{ type: 'paragraph', text: 'a' }, { type: 'image', photoId: 88 }] } });
  t.equal(unknown.statusCode, 422);
  t.same(json(unknown).errors.map((e: { pointer: string }) => e.pointer), ['/body/featuredPhotoId', '/body/body/1/photoId']);
  const unknownMd = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { headline: 'x', bodyMarkdown: '![a](photo:99)' } });
  t.equal(unknownMd.statusCode, 422);
  t.equal(json(unknownMd).errors[0].pointer, '/body/bodyMarkdown');
});
