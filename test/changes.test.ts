import t from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/syndication.js';

interface Entry { seq: number; type: string; id: number; slug: string; version: number; tombstone: boolean; cursor: string }

/** Pages through the change feed from `since` to the end. */
async function readAll(h: TestApp, headers: Record<string, string>, since?: string, limit = 7): Promise<{ entries: Entry[]; cursor: string }> {
  const entries: Entry[] = [];
  let cursor = since;
  for (;;) {
    const res = await h.app.inject({ url: `/v1/changes?limit=${limit}${cursor ? `&since=${cursor}` : ''}`, headers });
    if (res.statusCode !== 200) throw new Error(res.body);
    const page = json(res);
    entries.push(...page.data);
    cursor = page.meta.nextCursor;
    if (!page.meta.hasMore) return { entries, cursor: cursor! };
  }
}

t.test('the change feed: every change in order with tombstones; partners see only what was public', async (t) => {
  const h = await buildTestApp(t);
  await seedTaxonomy(h.app, h.admin);
  const partner = await h.app.keys.create({ name: 'Partner', scopes: ['syndication'] });
  const p = { authorization: `Bearer ${partner.token}` };

  const draft = json(await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload: { headline: 'Secret draft', section: 'world' } }));
  const story = await publish(h.app, h.admin, { headline: 'Public story', bodyMarkdown: 'Text.' });
  await h.app.inject({ method: 'PATCH', url: `/v1/articles/${story.slug}`, headers: h.admin, payload: { standfirst: 'Now with a standfirst' } });
  await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/corrections`, headers: h.admin, payload: { text: 'Fixed a name.' } });
  await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/unpublish`, headers: h.admin });
  await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/publish`, headers: h.admin });
  await h.app.inject({ method: 'DELETE', url: `/v1/articles/${story.slug}`, headers: h.admin });
  await h.app.inject({ method: 'DELETE', url: `/v1/articles/${draft.slug}`, headers: h.admin });

  const admin = (await readAll(h, h.admin)).entries;
  t.same(admin.map((e) => e.type), [
    'article.created', // the draft
    'article.created', 'article.published', 'article.updated', 'article.corrected', 'article.unpublished', 'article.published', 'article.deleted',
    'article.deleted', // the draft
  ], 'admins see every change');
  const seqs = admin.map((e) => e.seq);
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'in sequence order');

  const seen = await readAll(h, p);
  t.same(seen.entries.map((e) => e.type), ['article.created', 'article.published', 'article.updated', 'article.corrected', 'article.unpublished', 'article.published', 'article.deleted']);
  t.ok(seen.entries.every((e) => e.id === story.id), 'nothing about the draft reaches partners');
  const del = seen.entries[seen.entries.length - 1];
  t.match(del, { tombstone: true, slug: story.slug });
  t.equal((del as unknown as { href: string | null }).href, null);
  t.ok(seen.entries.map((e) => e.version).every((v, i, all) => i === 0 || v >= all[i - 1]), 'versions grow');

  const empty = json(await h.app.inject({ url: `/v1/changes?since=${seen.cursor}`, headers: p }));
  t.same(empty.data, [], 'nothing new');
  t.equal(empty.meta.nextCursor, seen.cursor, 'the cursor to poll with stays put');
  const filtered = json(await h.app.inject({ url: '/v1/changes?type=article.deleted&type=article.unpublished', headers: p }));
  t.same(filtered.data.map((e: Entry) => e.type), ['article.unpublished', 'article.deleted']);

  t.equal((await h.app.inject({ url: '/v1/changes' })).statusCode, 401, 'needs a key');
  t.equal((await h.app.inject({ url: '/v1/changes?since=garbage', headers: p })).statusCode, 400);
  t.equal(json(await h.app.inject({ url: '/v1/changes?since=garbage', headers: p })).errors[0].pointer, '/query/since');
});

t.test('a scheduled story is announced when its time comes (no write happens then)', async (t) => {
  const h = await buildTestApp(t, { env: { WEBHOOK_WORKER: 'false' } });
  await seedTaxonomy(h.app, h.admin);
  const partner = await h.app.keys.create({ name: 'Partner', scopes: ['syndication'] });
  const p = { authorization: `Bearer ${partner.token}` };
  const at = new Date(h.clock.now().getTime() + 3600_000).toISOString();
  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload: { headline: 'Embargoed', section: 'world', status: 'scheduled', scheduledFor: at } });
  await h.app.webhooks.worker.drain();
  t.same(json(await h.app.inject({ url: '/v1/changes', headers: p })).data, [], 'not before its time');
  h.clock.advance(3600_000);
  await h.app.webhooks.worker.drain(); // the worker's tick announces due scheduled stories
  await h.app.webhooks.worker.drain();
  t.same(json(await h.app.inject({ url: '/v1/changes', headers: p })).data.map((e: Entry) => e.type), ['article.published'], 'announced once');
});

t.test('under concurrent writes, paging through the feed yields every change exactly once', async (t) => {
  const h = await buildTestApp(t, { env: { WEBHOOK_WORKER: 'false' } });
  await seedTaxonomy(h.app, h.admin);
  const partner = await h.app.keys.create({ name: 'Partner', scopes: ['syndication'] });
  const p = { authorization: `Bearer ${partner.token}` };
  const stories = await Promise.all(Array.from({ length: 10 }, (_, i) => publish(h.app, h.admin, { headline: `Base ${i}`, bodyMarkdown: 'Text.' })));

  // A reader pages through the feed while 120 writes run in parallel; it must never skip or repeat.
  const collected: Entry[] = [];
  let cursor: string | undefined;
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const r = await readAll(h, p, cursor, 5);
      collected.push(...r.entries);
      cursor = r.cursor;
      await new Promise((res) => setImmediate(res));
    }
  })();
  const writes = Array.from({ length: 120 }, (_, i) => {
    const s = stories[i % stories.length];
    return i % 3 === 0
      ? publish(h.app, h.admin, { headline: `Concurrent ${i}`, bodyMarkdown: 'Text.' })
      : h.app.inject({ method: 'POST', url: `/v1/articles/${s.slug}/corrections`, headers: h.admin, payload: { text: `Correction ${i}` } });
  });
  const results = await Promise.all(writes);
  writing = false;
  await reader;
  const rest = await readAll(h, p, cursor, 5);
  collected.push(...rest.entries);

  t.ok(results.every((r) => !('statusCode' in r) || (r as { statusCode: number }).statusCode < 300), 'every write succeeded');
  const all = (await readAll(h, p, undefined, 100)).entries;
  // 10 base stories (created + published), 40 new ones (created + published), 80 corrections.
  t.equal(all.length, 10 * 2 + 40 * 2 + 80, 'every change is in the feed');
  const seqs = collected.map((e) => e.seq);
  t.equal(new Set(seqs).size, seqs.length, 'no change seen twice');
  t.same(seqs, all.map((e) => e.seq), 'the concurrent reader saw exactly the changes, in order');
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'strictly increasing');
  const corrections = collected.filter((e) => e.type === 'article.corrected').length;
  t.equal(corrections, 80);
});
