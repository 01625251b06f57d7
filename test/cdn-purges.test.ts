import t from 'tap';
import type { PurgeRequestSpec } from '../src/cdn/targets.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * Every write that changes a public answer queues a purge of exactly the keys concerned, in its
 * own transaction; the worker sends it to every CDN_PURGE_URLS target, retries with backoff, and
 * records what happened (GET /v1/admin/cdn/purges). Time-based changes purge at their time.
 */

interface Sent extends PurgeRequestSpec {}

async function setup(t: { teardown(fn: () => unknown): void }, answer: (r: PurgeRequestSpec) => number = () => 200) {
  const sent: Sent[] = [];
  const h = await buildTestApp(t, {
    env: { CDN_PURGE_URLS: 'http://varnish.test:6081/', CDN_WORKER: 'false', CDN_RETRY_BASE_SECONDS: '10', CDN_PURGE_MAX_ATTEMPTS: '3' },
    cdnSender: async (request) => {
      sent.push(request);
      return { status: answer(request), text: '' };
    },
  });
  await seedTaxonomy(h.app, h.admin);
  const id = async (url: string) => (json(await h.app.inject({ url, headers: h.admin })) as { id: number }).id;
  const ids = { world: await id('/v1/sections/world'), business: await id('/v1/sections/business'), energy: await id('/v1/tags/energy'), ana: await id('/v1/authors/ana-ruiz') };
  await flush(h); // the taxonomy's own purges
  sent.length = 0;
  return { h, sent, ids };
}

async function flush(h: TestApp) {
  await h.app.cdn.worker.tick();
}

async function purges(h: TestApp, query = '') {
  const res = await h.app.inject({ url: `/v1/admin/cdn/purges${query}`, headers: h.admin });
  t.equal(res.statusCode, 200);
  return json(res).data as { id: number; keys: string[]; hard: boolean; reason: string; status: string; attempts: number; results: Record<string, { ok: boolean; status: number | null }>; lastError: string | null; nextAttemptAt: string | null }[];
}

const keysSent = (r: PurgeRequestSpec) => new Set((r.headers.xkey ?? r.headers['xkey-softpurge']).split(' '));

t.test('publish, edit, move and unpublish purge the article and exactly the sets it was or is in', async (t) => {
  const { h, sent, ids } = await setup(t);
  const story = await publish(h.app, h.admin, { headline: 'Port reopens', tags: ['energy'], bodyMarkdown: 'The port reopened.' });
  await flush(h);
  t.equal(sent.length, 1, 'one purge request');
  t.equal(sent[0].method, 'PURGE');
  t.equal(sent[0].url, 'http://varnish.test:6081/');
  t.ok(sent[0].headers['xkey-softpurge'], 'a publish is a soft purge');
  t.same(keysSent(sent[0]), new Set([`article:${story.id}`, 'articles', `articles:section:${ids.world}`, `articles:tag:${ids.energy}`, `articles:author:${ids.ana}`]));
  t.notOk([...keysSent(sent[0])].includes(`section:${ids.world}`), 'other stories of the section stay cached');
  const [row] = await purges(h);
  t.equal(row.status, 'done');
  t.equal(row.reason, 'article.create');
  t.same(row.results['http://varnish.test:6081/'].ok, true);

  sent.length = 0;
  const v = (json(await h.app.inject({ url: `/v1/articles/${story.slug}`, headers: h.admin })) as { version: number }).version;
  const edit = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${story.slug}`, headers: { ...h.admin, 'if-match': `"v${v}"` }, payload: { section: 'business' } });
  t.equal(edit.statusCode, 200);
  await flush(h);
  t.same(keysSent(sent[0]), new Set([`article:${story.id}`, 'articles', `articles:section:${ids.world}`, `articles:section:${ids.business}`, `articles:tag:${ids.energy}`, `articles:author:${ids.ana}`]), 'both sections’ lists');

  sent.length = 0;
  const stale = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${story.slug}`, headers: { ...h.admin, 'if-match': `"v${v}"` }, payload: { headline: 'Lost update' } });
  t.equal(stale.statusCode, 412);
  await flush(h);
  t.equal(sent.length, 0, 'a refused write queues nothing');

  const un = await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/unpublish`, headers: h.admin });
  t.equal(un.statusCode, 200);
  await flush(h);
  t.ok(sent[0].headers.xkey, 'an unpublish is a hard purge');
  t.notOk(sent[0].headers['xkey-softpurge']);
  t.ok(keysSent(sent[0]).has(`article:${story.id}`));
  t.equal((await purges(h))[0].reason, 'article.unpublish');
});

t.test('a draft’s edits purge nothing; a delete purges hard', async (t) => {
  const { h, sent } = await setup(t);
  const draft = json(await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload: { headline: 'Draft', section: 'world', bodyMarkdown: 'Not yet.' } }));
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${draft.slug}`, headers: h.admin, payload: { headline: 'Still a draft' } });
  await flush(h);
  t.equal(sent.length, 0);
  const story = await publish(h.app, h.admin, { headline: 'Out', bodyMarkdown: 'Out now.' });
  await flush(h);
  sent.length = 0;
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/articles/${story.slug}`, headers: h.admin })).statusCode, 204);
  await flush(h);
  t.ok(sent[0].headers.xkey, 'hard');
  t.ok(keysSent(sent[0]).has(`article:${story.id}`));
});

t.test('sections, tags, authors and photos purge their own keys and the lists of the articles showing them', async (t) => {
  const { h, sent, ids } = await setup(t);
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption: 'Port', credit: 'AGENCY/HANDOUT' }, [640, 480]) }]);
  const photo = json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload }));
  const story = await publish(h.app, h.admin, { headline: 'Port reopens', tags: ['energy'], featuredPhotoId: photo.id, bodyMarkdown: 'The port reopened.' });
  await flush(h);
  sent.length = 0;

  await h.app.inject({ method: 'PATCH', url: '/v1/tags/energy', headers: h.admin, payload: { name: 'Energy policy' } });
  await flush(h);
  t.same(keysSent(sent[0]), new Set([`tag:${ids.energy}`, `articles:tag:${ids.energy}`, 'tags', 'articles', `articles:section:${ids.world}`, `articles:author:${ids.ana}`]));

  sent.length = 0;
  await h.app.inject({ method: 'PATCH', url: '/v1/sections/world', headers: h.admin, payload: { name: 'World news' } });
  await flush(h);
  t.ok(keysSent(sent[0]).has(`section:${ids.world}`) && keysSent(sent[0]).has('sections'));

  sent.length = 0;
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { caption: 'The reopened port' } });
  await flush(h);
  t.ok(keysSent(sent[0]).has(`photo:${photo.id}`), 'the photo (its answer, renditions, the articles showing it)');
  t.ok(keysSent(sent[0]).has(`articles:section:${ids.world}`), 'and the lists of the articles showing it');
  t.ok(sent[0].headers['xkey-softpurge']);

  sent.length = 0;
  const created = await h.app.inject({ method: 'POST', url: '/v1/tags', headers: h.admin, payload: { slug: 'ports', name: 'Ports' } });
  t.equal(created.statusCode, 201);
  await flush(h);
  t.same(keysSent(sent[0]), new Set(['tags']), 'a new tag changes only the tag list');

  sent.length = 0;
  t.equal((await h.app.inject({ method: 'DELETE', url: '/v1/tags/energy?detach=true', headers: h.admin })).statusCode, 204);
  await flush(h);
  t.ok(sent.some((r) => r.headers.xkey && keysSent(r).has(`tag:${ids.energy}`)), 'a deleted tag: hard');
  t.ok(story);
});

t.test('failures are retried with backoff, recorded, and given up after CDN_PURGE_MAX_ATTEMPTS', async (t) => {
  let status = 503;
  const { h, sent } = await setup(t, () => status);
  await publish(h.app, h.admin, { headline: 'Port reopens', bodyMarkdown: 'The port reopened.' });
  await flush(h);
  let [row] = await purges(h);
  t.equal(row.status, 'pending');
  t.equal(row.attempts, 1);
  t.match(row.lastError, /HTTP 503/);
  t.equal(row.results['http://varnish.test:6081/'].status, 503);
  t.ok(row.nextAttemptAt && row.nextAttemptAt > h.clock.now().toISOString(), 'the next attempt is later');
  await flush(h);
  t.equal(sent.length, 1, 'not before its time');
  h.clock.advance(20_000);
  status = 200;
  await flush(h);
  [row] = await purges(h);
  t.equal(row.status, 'done');
  t.equal(row.attempts, 2);

  status = 500;
  await h.app.inject({ method: 'POST', url: '/v1/admin/cdn/purges', headers: h.admin, payload: { keys: ['all'], hard: true } });
  for (let i = 0; i < 3; i++) {
    await flush(h);
    h.clock.advance(3_600_000);
  }
  const failed = await purges(h, '?status=failed');
  t.equal(failed.length, 1);
  t.equal(failed[0].reason, 'manual');
  t.equal(failed[0].attempts, 3);
  t.same(failed[0].keys, ['all']);

  const anonymous = await h.app.inject({ url: '/v1/admin/cdn/purges' });
  t.equal(anonymous.statusCode, 401);
  const bad = await h.app.inject({ method: 'POST', url: '/v1/admin/cdn/purges', headers: h.admin, payload: { keys: ['no spaces'] } });
  t.equal(bad.statusCode, 400);
});

t.test('time-based changes purge at their time: a story going live, a photo expiring', async (t) => {
  const { h, sent } = await setup(t);
  const at = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
  const res = await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload: { headline: 'Embargoed', section: 'world', status: 'scheduled', scheduledFor: at, bodyMarkdown: 'Later.' } });
  t.equal(res.statusCode, 201);
  const story = json(res);
  await flush(h);
  t.equal(sent.length, 0, 'nothing public changed yet');
  h.clock.advance(3_600_000 + 1000);
  await flush(h);
  t.equal(sent.length, 1);
  t.ok(keysSent(sent[0]).has(`article:${story.id}`) && keysSent(sent[0]).has('articles'));
  t.equal((await purges(h))[0].reason, 'time.live');

  sent.length = 0;
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption: 'Port', credit: 'AGENCY/HANDOUT' }, [640, 480]) }]);
  const photo = json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload }));
  const expiresAt = new Date(h.clock.now().getTime() + 60_000).toISOString();
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { expiresAt } });
  await flush(h);
  sent.length = 0;
  h.clock.advance(120_000);
  await flush(h);
  const expiry = sent.find((r) => keysSent(r).has(`photo:${photo.id}`));
  t.ok(expiry, 'the expired photo is purged');
  t.ok(expiry?.headers.xkey, 'hard');
});

t.test('no purge target: rows are recorded as done', async (t) => {
  const h = await buildTestApp(t, { env: { CDN_WORKER: 'false' } });
  await seedTaxonomy(h.app, h.admin);
  await h.app.cdn.worker.tick();
  const rows = await purges(h);
  t.ok(rows.length > 0);
  t.ok(rows.every((r) => r.status === 'done'));
});

async function uploadPhoto(h: TestApp, caption: string) {
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY/HANDOUT' }, [640, 480]) }]);
  return json(await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload })) as { id: number };
}

const patch = (h: TestApp, slug: string, payload: Record<string, unknown>) => h.app.inject({ method: 'PATCH', url: `/v1/articles/${slug}`, headers: h.admin, payload });

t.test('an article edit purges the photos whose public answer it changes: removed, added, moved behind the break', async (t) => {
  const { h, sent } = await setup(t);
  const kept = await uploadPhoto(h, 'Kept');
  const moved = await uploadPhoto(h, 'Moved');
  const body = (where: 'teaser' | 'full') =>
    where === 'teaser'
      ? `The teaser.\n\n![The quay](photo:${moved.id})\n\n<!-- paywall -->\n\nThe rest.`
      : `The teaser.\n\n<!-- paywall -->\n\nThe rest.\n\n![The quay](photo:${moved.id})`;
  const story = await publish(h.app, h.admin, { headline: 'Quay rebuilt', access: 'subscribers', featuredPhotoId: kept.id, bodyMarkdown: body('teaser') });
  await flush(h);
  sent.length = 0;

  t.equal((await patch(h, story.slug, { headline: 'Quay rebuilt at last' })).statusCode, 200);
  await flush(h);
  t.notOk(keysSent(sent[0]).has(`photo:${kept.id}`) || keysSent(sent[0]).has(`photo:${moved.id}`), 'photos shown as before stay cached');

  sent.length = 0;
  t.equal((await patch(h, story.slug, { bodyMarkdown: body('full') })).statusCode, 200);
  await flush(h);
  t.ok(keysSent(sent[0]).has(`photo:${moved.id}`), 'a photo moved past the break (a 404 to readers now) is purged');
  t.notOk(keysSent(sent[0]).has(`photo:${kept.id}`));

  sent.length = 0;
  t.equal((await patch(h, story.slug, { featuredPhotoId: null })).statusCode, 200);
  await flush(h);
  t.ok(keysSent(sent[0]).has(`photo:${kept.id}`), 'a photo taken off the article is purged');

  sent.length = 0;
  t.equal((await patch(h, story.slug, { featuredPhotoId: kept.id })).statusCode, 200);
  await flush(h);
  t.ok(keysSent(sent[0]).has(`photo:${kept.id}`), 'and one put back');
});

t.test('a story crossing into the archive purges its photos with it', async (t) => {
  const sent: PurgeRequestSpec[] = [];
  const h = await buildTestApp(t, {
    env: { CDN_PURGE_URLS: 'http://varnish.test:6081/', CDN_WORKER: 'false', ARCHIVE_AFTER_DAYS: '30' },
    cdnSender: async (request) => (sent.push(request), { status: 200, text: '' }),
  });
  await seedTaxonomy(h.app, h.admin);
  const photo = await uploadPhoto(h, 'Archive');
  const story = await publish(h.app, h.admin, { headline: 'Old news', featuredPhotoId: photo.id, bodyMarkdown: 'Long ago.' });
  await flush(h);
  sent.length = 0;
  h.clock.advance(31 * 86_400_000);
  await flush(h);
  const archive = sent.find((r) => keysSent(r).has(`article:${story.id}`));
  t.ok(archive?.headers.xkey, 'hard');
  t.ok(archive && keysSent(archive).has(`photo:${photo.id}`), 'with its photo');
});

t.test('section, tag, author and photo purges are timed by the app clock', async (t) => {
  const { h } = await setup(t);
  h.clock.set('2030-06-01T08:00:00.000Z');
  await h.app.inject({ method: 'PATCH', url: '/v1/tags/energy', headers: h.admin, payload: { name: 'Energy policy' } });
  await h.app.inject({ method: 'PATCH', url: '/v1/sections/world', headers: h.admin, payload: { name: 'World news' } });
  await h.app.inject({ method: 'PATCH', url: '/v1/authors/ana-ruiz', headers: h.admin, payload: { name: 'Ana Ruiz-Vega' } });
  const photo = await uploadPhoto(h, 'Clock');
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/photos/${photo.id}`, headers: h.admin })).statusCode, 204);
  const rows = (await purges(h)).filter((r) => /^(tag|section|author|photo)\.(update|delete)$/.test(r.reason));
  t.same(rows.map((r) => r.reason).sort(), ['author.update', 'photo.delete', 'section.update', 'tag.update']);
  for (const r of rows as unknown as { reason: string; createdAt: string }[]) t.equal(r.createdAt, '2030-06-01T08:00:00.000Z', r.reason);
});
