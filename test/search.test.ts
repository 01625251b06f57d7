import fc from 'fast-check';
import t, { type Test } from 'tap';
import { authors, sections, tags } from '../src/db/schema/index.js';
import type { SQL } from 'drizzle-orm';
import { checkSearchIndex, rebuildSearchIndex, reindexArticle, type SqlRunner } from '../src/search/repository.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { multipart, picture } from './helpers/photos.js';

/** Sections, tags and authors straight into the database; articles through the API. */
function taxonomy(ctx: TestApp) {
  const at = ctx.clock.now().toISOString();
  for (const [slug, name] of [['world', 'World'], ['business', 'Business']]) {
    ctx.app.db.insert(sections).values({ slug, name, createdAt: at, updatedAt: at }).run();
  }
  for (const [slug, name] of [['kazakhstan', 'Kazakhstan'], ['trade', 'Trade'], ['kazan-region', 'Kazan region'], ['drafts-only', 'Kazoo festival']]) {
    ctx.app.db.insert(tags).values({ slug, name, createdAt: at, updatedAt: at }).run();
  }
  for (const [slug, name] of [['aigerim-sadykova', 'Aigerim Sadykova'], ['tom-reyes', 'Tom Reyes']]) {
    ctx.app.db.insert(authors).values({ slug, name, createdAt: at, updatedAt: at }).run();
  }
}

const FILLER = 'Officials said the talks would continue next week, according to a statement released by the ministry.';

async function create(ctx: TestApp, body: Record<string, unknown>): Promise<{ slug: string; id: number }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: ctx.admin,
    payload: { status: 'published', publishedAt: '2026-01-10T09:00:00Z', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return json(res);
}

async function search(ctx: TestApp, query: string, headers: Record<string, string> = {}) {
  const res = await ctx.app.inject({ url: `/v1/search?${query}`, headers });
  return { status: res.statusCode, body: json(res), headers: res.headers };
}
const slugs = (body: { data: { article: { slug: string } }[] }) => body.data.map((h) => h.article.slug);

function inStep(t: Test, ctx: TestApp, when: string) {
  t.same(checkSearchIndex(ctx.app.db), { missing: [], extra: [], stale: [] }, `the index is in step after ${when}`);
}

t.test('ranking: a headline match ranks above a standfirst match, which ranks above a body match', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Water levels fall along the river', bodyMarkdown: `${FILLER}\n\nFerries to Almaty were cancelled.` });
  await create(ctx, { headline: 'Almaty approves the new budget', bodyMarkdown: `${FILLER}\n\nThe council voted late on Tuesday.` });
  await create(ctx, { headline: 'Rail freight grows', standfirst: 'Almaty terminal handles record volumes', bodyMarkdown: `${FILLER}\n\nVolumes rose by a fifth.` });
  for (const topic of ['Budget', 'Harvest', 'Elections', 'Weather', 'Football', 'Theatre']) {
    await create(ctx, { headline: `${topic} news`, bodyMarkdown: FILLER });
  }

  const r = await search(ctx, 'q=almaty');
  t.equal(r.status, 200);
  t.same(slugs(r.body), ['almaty-approves-the-new-budget', 'rail-freight-grows', 'water-levels-fall-along-the-river']);
  t.equal(r.body.meta.total, 3);
  const scores = r.body.data.map((h: { score: number }) => h.score);
  t.ok(scores[0] > scores[1] && scores[1] > scores[2], 'scores fall with rank');
  t.equal(r.body.data[0].snippet.includes('<mark>Almaty</mark>'), true, 'the snippet highlights the match');
  t.equal(r.body.data[2].snippet, `${FILLER} Ferries to <mark>Almaty</mark> were cancelled.`, 'a body snippet');
  t.match(r.headers['cache-control'], /^public/, 'anonymous results are publicly cacheable');
  t.ok(r.headers.etag);
});

t.test('phrases, exclusions, OR, prefixes, fields, accents', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Grain corridor reopens', bodyMarkdown: 'Ships carrying grain left the port through the corridor at dawn.', tags: ['trade'] });
  await create(ctx, { headline: 'Port strike ends', bodyMarkdown: 'The corridor for grain ships was not affected by the strike.' });
  await create(ctx, { headline: 'Kőváros café reopens after the floods', bodyMarkdown: 'Residents queued outside the CAFÉ on the main square.' });
  await create(ctx, { headline: 'Kazakhstan signs a gas deal', bodyMarkdown: 'The agreement runs for ten years.', tags: ['kazakhstan'], authors: ['aigerim-sadykova'] });

  t.same(slugs((await search(ctx, 'q=%22grain+corridor%22')).body), ['grain-corridor-reopens'], 'an exact phrase');
  t.same(slugs((await search(ctx, 'q=grain+corridor')).body).sort(), ['grain-corridor-reopens', 'port-strike-ends'], 'words in any order');
  t.same(slugs((await search(ctx, 'q=grain+-strike')).body), ['grain-corridor-reopens'], 'an exclusion');
  t.same(slugs((await search(ctx, 'q=grain+NOT+strike')).body), ['grain-corridor-reopens'], 'NOT excludes too');
  t.same(slugs((await search(ctx, 'q=strike+OR+floods')).body).sort(), ['kovaros-cafe-reopens-after-the-floods', 'port-strike-ends'], 'OR');
  t.same(slugs((await search(ctx, 'q=kaz*')).body), ['kazakhstan-signs-a-gas-deal'], 'a prefix');
  t.same(slugs((await search(ctx, 'q=headline:strike')).body), ['port-strike-ends'], 'a field filter');
  t.same(slugs((await search(ctx, 'q=tag:trade')).body), ['grain-corridor-reopens'], 'tags are searchable');
  t.same(slugs((await search(ctx, 'q=sadykova')).body), ['kazakhstan-signs-a-gas-deal'], 'authors are searchable');
  for (const q of ['kovaros cafe', 'KŐVÁROS Café', 'kováros', 'CAFE']) {
    t.same(slugs((await search(ctx, `q=${encodeURIComponent(q)}`)).body), ['kovaros-cafe-reopens-after-the-floods'], `accents and case: ${q}`);
  }
  const hit = (await search(ctx, 'q=cafe')).body.data[0];
  t.match(hit.snippet, /<mark>CAFÉ<\/mark>/, 'the accented original is highlighted');

  const tooShort = await search(ctx, 'q=k*');
  t.equal(tooShort.status, 400);
  t.match(tooShort.headers['content-type'], /application\/problem\+json/);
  t.equal(tooShort.body.errors[0].pointer, '/query/q');
  t.match(tooShort.body.detail, /at least 2 letters/);
  const onlyExcluded = await search(ctx, 'q=-strike');
  t.equal(onlyExcluded.status, 400);
  t.match(onlyExcluded.body.detail, /only excludes/);
  const tooLong = await search(ctx, `q=${'a'.repeat(401)}`);
  t.equal(tooLong.status, 400, 'a query over 400 characters is refused, not truncated');
  t.equal(tooLong.body.errors[0].pointer, '/query/q');
});

t.test('filters and facets', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Wheat exports rise', section: 'business', tags: ['trade', 'kazakhstan'], bodyMarkdown: 'Wheat shipments grew.', publishedAt: '2026-01-02T10:00:00Z' });
  await create(ctx, { headline: 'Wheat harvest record', section: 'world', tags: ['kazakhstan'], bodyMarkdown: 'A record wheat harvest.', publishedAt: '2026-01-05T10:00:00Z' });
  await create(ctx, { headline: 'Wheat prices fall', section: 'business', tags: ['trade'], access: 'subscribers', bodyMarkdown: 'Wheat is cheaper.', publishedAt: '2026-01-08T10:00:00Z' });
  await create(ctx, { headline: 'Barley prices fall', section: 'business', bodyMarkdown: 'Barley is cheaper.' });

  const all = await search(ctx, 'q=wheat&facets=section,tag');
  t.equal(all.body.meta.total, 3);
  t.same(all.body.facets.section, [
    { slug: 'business', name: 'Business', count: 2 },
    { slug: 'world', name: 'World', count: 1 },
  ]);
  t.same(all.body.facets.tag, [
    { slug: 'kazakhstan', name: 'Kazakhstan', count: 2 },
    { slug: 'trade', name: 'Trade', count: 2 },
  ]);
  t.notOk((await search(ctx, 'q=wheat')).body.facets, 'no facets unless asked');
  t.same(Object.keys((await search(ctx, 'q=wheat&facets=tag')).body.facets), ['tag']);

  const business = await search(ctx, 'q=wheat&section=business&facets=section');
  t.same(slugs(business.body).sort(), ['wheat-exports-rise', 'wheat-prices-fall']);
  t.same(business.body.facets.section, [{ slug: 'business', name: 'Business', count: 2 }], 'facets count the filtered set');
  t.same(slugs((await search(ctx, 'q=wheat&tag=kazakhstan&section=world')).body), ['wheat-harvest-record']);
  t.same(slugs((await search(ctx, 'q=wheat&access=subscribers')).body), ['wheat-prices-fall']);
  t.same(slugs((await search(ctx, 'q=wheat&from=2026-01-03&to=2026-01-06')).body), ['wheat-harvest-record']);
  t.equal((await search(ctx, 'q=wheat&section=nope')).status, 400, 'an unknown section is a 400');
  t.equal((await search(ctx, 'q=wheat&facets=colour')).status, 400, 'an unknown facet is a 400');
  t.equal((await search(ctx, 'q=wheat&status=draft')).status, 401, 'status filters are for admins');
  const published = await search(ctx, 'q=wheat&status=published');
  t.equal(published.status, 200, 'status=published is what readers get anyway: a no-op');
  t.same(slugs(published.body).sort(), slugs((await search(ctx, 'q=wheat')).body).sort());
});

t.test('keyset paging over (rank, id)', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  for (let i = 1; i <= 7; i++) {
    await create(ctx, { headline: `Harbour report ${i}`, bodyMarkdown: `${'harbour '.repeat(i)}${FILLER}` });
  }
  const seen: string[] = [];
  let scores: number[] = [];
  let url = 'q=harbour&limit=3';
  let pages = 0;
  for (;;) {
    const r = await search(ctx, url);
    t.equal(r.status, 200);
    t.equal(r.body.meta.total, 7);
    seen.push(...slugs(r.body));
    scores = scores.concat(r.body.data.map((h: { score: number }) => h.score));
    pages++;
    if (!r.body.meta.nextCursor) break;
    t.match(r.headers.link, /rel="next"/);
    url = `q=harbour&limit=3&cursor=${r.body.meta.nextCursor}`;
  }
  t.equal(pages, 3);
  t.equal(new Set(seen).size, 7, 'every article once');
  t.same(scores, [...scores].sort((a, b) => b - a), 'pages continue in relevance order');
  const first = await search(ctx, 'q=harbour&limit=3');
  const other = await search(ctx, `q=report&limit=3&cursor=${first.body.meta.nextCursor}`);
  t.equal(other.status, 400, 'a cursor from another query is a 400');
  t.equal(other.body.errors[0].pointer, '/query/cursor');
  t.equal((await search(ctx, 'q=harbour&cursor=bm9wZQ')).status, 400, 'a forged cursor is a 400');
});

t.test('suggestions: headline and tag completions of published articles', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Kazakhstan signs a gas deal', tags: ['kazakhstan'], bodyMarkdown: FILLER });
  await create(ctx, { headline: 'Flooding in the Kazan region', tags: ['kazan-region'], bodyMarkdown: FILLER });
  await create(ctx, { headline: 'Kazoo festival draft', tags: ['drafts-only'], status: 'draft', publishedAt: undefined, bodyMarkdown: FILLER });

  const res = await ctx.app.inject({ url: '/v1/search/suggest?q=kaz' });
  t.equal(res.statusCode, 200);
  const body = json(res);
  t.same(body.tags.map((x: { slug: string }) => x.slug).sort(), ['kazakhstan', 'kazan-region'], 'tags with published articles only');
  t.same(body.headlines.map((h: { slug: string }) => h.slug).sort(), ['flooding-in-the-kazan-region', 'kazakhstan-signs-a-gas-deal'], 'no draft headlines');
  const kaz = body.headlines.find((h: { slug: string }) => h.slug === 'kazakhstan-signs-a-gas-deal');
  t.equal(kaz.highlighted, '<mark>Kazakhstan</mark> signs a gas deal');

  const two = json(await ctx.app.inject({ url: '/v1/search/suggest?q=flooding%20ka' }));
  t.same(two.headlines.map((h: { slug: string }) => h.slug), ['flooding-in-the-kazan-region'], 'earlier words must match, the last is a prefix');
  const short = json(await ctx.app.inject({ url: '/v1/search/suggest?q=k' }));
  t.same(short, { tags: [], headlines: [] }, 'one letter is too short to complete');
  const accents = json(await ctx.app.inject({ url: `/v1/search/suggest?q=${encodeURIComponent('KÁZ')}` }));
  t.equal(accents.tags.length, 2, 'accent- and case-insensitive');
  const limited = json(await ctx.app.inject({ url: '/v1/search/suggest?q=kaz&limit=1' }));
  t.equal(limited.headlines.length, 1);
  t.equal((await ctx.app.inject({ url: '/v1/search/suggest?q=' })).statusCode, 400);
  t.equal((await ctx.app.inject({ url: `/v1/search/suggest?q=${'x'.repeat(101)}` })).statusCode, 400);
});

t.test('the index follows every write path, inside the write', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  const { app, admin } = ctx;
  const found = async (q: string, headers: Record<string, string> = {}) => slugs((await search(ctx, `q=${encodeURIComponent(q)}`, headers)).body);

  const a = await create(ctx, { headline: 'Bridge closes for repairs', bodyMarkdown: 'Engineers found cracks in the pylons.', status: 'draft', publishedAt: undefined, tags: ['trade'] });
  inStep(t, ctx, 'create');
  t.same(await found('pylons'), [], 'a draft is not found by readers');
  t.same(await found('pylons', admin), [a.slug], 'but is by admins');

  await app.inject({ method: 'POST', url: `/v1/articles/${a.slug}/publish`, headers: admin, payload: {} });
  inStep(t, ctx, 'publish');
  t.same(await found('pylons'), [a.slug], 'published: found');

  const upd = await app.inject({ method: 'PATCH', url: `/v1/articles/${a.slug}`, headers: admin, payload: { bodyMarkdown: 'Engineers found corrosion in the cables.', tags: ['kazakhstan'] } });
  t.equal(upd.statusCode, 200);
  inStep(t, ctx, 'update');
  t.same(await found('pylons'), [], 'old words are gone');
  t.same(await found('corrosion'), [a.slug], 'new words are found');
  t.same(await found('tag:kazakhstan'), [a.slug], 'new tags are found');
  t.same(await found('tag:trade'), [], 'old tags are gone');

  await app.inject({ method: 'POST', url: `/v1/articles/${a.slug}/unpublish`, headers: admin, payload: {} });
  inStep(t, ctx, 'unpublish');
  t.same(await found('corrosion'), [], 'unpublished: not found');

  await app.inject({ method: 'POST', url: `/v1/articles/${a.slug}/publish`, headers: admin, payload: {} });
  const del = await app.inject({ method: 'DELETE', url: `/v1/articles/${a.slug}`, headers: admin });
  t.equal(del.statusCode, 204);
  inStep(t, ctx, 'delete');
  t.same(await found('corrosion', admin), [], 'deleted: not found, even by admins');

  const restored = await app.inject({ method: 'POST', url: `/v1/articles/${a.slug}/restore`, headers: admin, payload: {} });
  t.equal(restored.statusCode, 200);
  inStep(t, ctx, 'restore');
  t.same(await found('corrosion'), [a.slug], 'restored: found again');

  // Scheduling needs no index write: visibility is decided at query time.
  const s = await create(ctx, { headline: 'Scheduled ferry timetable', bodyMarkdown: 'New timetable.', status: 'scheduled', publishedAt: undefined, scheduledFor: '2026-01-16T08:00:00Z' });
  t.same(await found('timetable'), [], 'scheduled: not yet');
  ctx.clock.set('2026-01-16T09:00:00Z');
  t.same(await found('timetable'), [s.slug], 'its time has come: found');

  // A rebuild gives the same index; so does re-indexing through a runner that is not a better-sqlite3 one.
  rebuildSearchIndex(app.db);
  inStep(t, ctx, 'a rebuild');
  app.db.$client.prepare('DELETE FROM articles_fts WHERE rowid = ?').run(s.id);
  t.same(checkSearchIndex(app.db).missing, [s.id], 'the check notices a missing row');
  reindexArticle({ run: (q: SQL) => app.db.run(q) } as unknown as SqlRunner, s.id);
  inStep(t, ctx, 'reindexing through plain drizzle');
});

t.test('the index follows tag and author renames, tag removal and photo caption edits', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  const { app, admin } = ctx;
  const found = async (q: string) => slugs((await search(ctx, `q=${encodeURIComponent(q)}`)).body);

  const jpeg = await picture(640, 480).jpeg().toBuffer();
  const form = multipart([
    { name: 'caption', value: 'Fishermen mend nets at dawn in Aralsk' },
    { name: 'file', filename: 'nets.jpg', contentType: 'image/jpeg', data: jpeg },
  ]);
  const up = await app.inject({ method: 'POST', url: '/v1/photos', headers: { ...admin, ...form.headers }, payload: form.payload });
  t.equal(up.statusCode, 201, up.body);
  const photo = json(up);
  const a = await create(ctx, {
    headline: 'The sea returns',
    bodyMarkdown: `${FILLER}\n\n![Nets](photo:${photo.id})`,
    tags: ['trade'],
    authors: ['tom-reyes'],
  });
  t.same(await found('aralsk'), [a.slug], 'a photo caption is searchable');
  t.same(await found('caption:fishermen'), [a.slug]);

  const edit = await app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: admin, payload: { caption: 'Trawlers return to Aralsk harbour' } });
  t.equal(edit.statusCode, 200, edit.body);
  inStep(t, ctx, 'a caption edit');
  t.same(await found('fishermen'), [], 'the old caption is gone');
  t.same(await found('trawlers'), [a.slug], 'the new caption is found');

  const tag = await app.inject({ method: 'PATCH', url: '/v1/tags/trade', headers: admin, payload: { name: 'Commerce' } });
  t.equal(tag.statusCode, 200, tag.body);
  inStep(t, ctx, 'a tag rename');
  t.same(await found('tag:commerce'), [a.slug], 'the new tag name is found');
  t.same(await found('tag:trade'), [], 'the old one is gone');

  const author = await app.inject({ method: 'PATCH', url: '/v1/authors/tom-reyes', headers: admin, payload: { name: 'Tomás Reyes-Ortega' } });
  t.equal(author.statusCode, 200, author.body);
  inStep(t, ctx, 'an author rename');
  t.same(await found('author:tomas'), [a.slug], 'the new byline is found (accent-insensitive)');

  const del = await app.inject({ method: 'DELETE', url: '/v1/tags/trade?detach=true', headers: admin });
  t.equal(del.statusCode, 204, del.body);
  inStep(t, ctx, 'a tag removal');
  t.same(await found('tag:commerce'), [], 'a removed tag is gone from its articles');
});

t.test('THE PAYWALL RULE: a caller without access finds an article only by what they may read', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  const markdown = [
    'Port officials in Aktau confirmed on Monday that negotiations with the shipping consortium had resumed.',
    'The talks had stalled in the autumn over tariffs.',
    '<!-- paywall -->',
    'Documents seen by the Chronicle describe a secret harbour deal worth two billion dollars.',
    'The consortium declined to comment.',
  ].join('\n\n');
  const gated = await create(ctx, { headline: 'Aktau port talks resume', standfirst: 'Negotiations restart after a pause', access: 'subscribers', bodyMarkdown: markdown });

  const anon = await search(ctx, 'q=%22secret+harbour+deal%22');
  t.equal(anon.status, 200);
  t.same(slugs(anon.body), [], 'words past the break do not find the article for an anonymous reader');
  t.equal(anon.body.meta.total, 0);

  const teaserWord = await search(ctx, 'q=aktau+tariffs');
  const hit = teaserWord.body.data[0];
  t.same(slugs(teaserWord.body), [gated.slug], 'teaser words find it');
  t.equal(hit.article.access.granted, false);
  t.ok(hit.article.paywall, 'with the paywall');
  for (const word of ['secret', 'harbour', 'deal', 'billion', 'Documents', 'consortium declined']) {
    t.notOk(JSON.stringify(teaserWord.body).includes(word), `"${word}" (past the break) appears nowhere in the anonymous answer`);
  }
  t.match(hit.snippet, /<mark>Aktau<\/mark>.*<mark>tariffs<\/mark>/, 'teaser words are highlighted for everyone');

  const admin = await search(ctx, 'q=%22secret+harbour+deal%22', ctx.admin);
  t.equal(admin.body.data[0].article.access.granted, true);
  t.match(admin.body.data[0].snippet, /<mark>secret harbour deal<\/mark>/, 'a caller with access finds it by the full text and sees the real snippet');
  t.match(admin.headers['cache-control'], /private/, 'and it is never stored by a shared cache');

  const list = await ctx.app.inject({ url: '/v1/articles?q=%22secret+harbour+deal%22&fields=headline,excerpt,text' });
  t.equal(list.statusCode, 200);
  t.same(json(list).data, [], 'nor does the article list');
  const listTeaser = await ctx.app.inject({ url: '/v1/articles?q=tariffs&fields=headline,excerpt,text' });
  t.same(json(listTeaser).data.map((a: { slug: string }) => a.slug), [gated.slug], 'which finds it by the teaser');
  t.notOk(listTeaser.body.includes('secret'), 'and shows only the teaser');
});

t.test('q on GET /v1/articles: ranked by relevance unless another sort is asked for', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Steppe wildfires spread', bodyMarkdown: FILLER, publishedAt: '2026-01-01T10:00:00Z' });
  await create(ctx, { headline: 'Rain expected', bodyMarkdown: `${FILLER} Steppe villages prepare.`, publishedAt: '2026-01-09T10:00:00Z' });
  const ranked = json(await ctx.app.inject({ url: '/v1/articles?q=steppe' }));
  t.same(ranked.data.map((a: { slug: string }) => a.slug), ['steppe-wildfires-spread', 'rain-expected'], 'relevance by default with q');
  t.equal(ranked.meta.total, 2);
  const newest = json(await ctx.app.inject({ url: '/v1/articles?q=steppe&sort=-publishedAt' }));
  t.same(newest.data.map((a: { slug: string }) => a.slug), ['rain-expected', 'steppe-wildfires-spread'], 'sort=-publishedAt still works');
  const paged = json(await ctx.app.inject({ url: '/v1/articles?q=steppe&limit=1' }));
  const next = json(await ctx.app.inject({ url: `/v1/articles?q=steppe&limit=1&cursor=${paged.meta.nextCursor}` }));
  t.same(next.data.map((a: { slug: string }) => a.slug), ['rain-expected'], 'relevance pages');
  t.equal((await ctx.app.inject({ url: '/v1/articles?q=-steppe' })).statusCode, 400, 'the same query language and errors');
  t.equal((await ctx.app.inject({ url: '/v1/articles?sort=relevance' })).statusCode, 400, 'relevance needs q');
});

t.test('fuzz through HTTP: no query makes a 5xx', async (t) => {
  const ctx = await buildTestApp(t);
  taxonomy(ctx);
  await create(ctx, { headline: 'Kőváros grain corridor', bodyMarkdown: `${FILLER}\n\n<!-- paywall -->\n\nSecret words here.`, access: 'registered', tags: ['kazakhstan'] });
  const hostile = fc
    .array(
      fc.oneof(
        fc.constantFrom('"', '*', '-', 'OR', 'AND', 'NOT', 'NEAR(', ')', ':', 'headline:', '{', '}', '^', "'", ';', '--', '%', '&', '=', '#', '+', '\\', '\u0000', 'é', 'Kőváros', 'kaz*', ' '),
        fc.string({ maxLength: 5 }),
      ),
      { maxLength: 30 },
    )
    .map((p) => p.join(''));
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(hostile, fc.string({ maxLength: 450, unit: 'binary' })), async (q) => {
      for (const url of [`/v1/search?q=${encodeURIComponent(q)}&facets=section,tag`, `/v1/search/suggest?q=${encodeURIComponent(q)}`, `/v1/articles?q=${encodeURIComponent(q)}`]) {
        const res = await ctx.app.inject({ url });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
      }
    }),
    { numRuns: 300 },
  );
  t.ok([...seen.keys()].every((s) => s === 200 || s === 400), `only 200s and 400s: ${JSON.stringify(Object.fromEntries(seen))}`);
  // Raw query strings, not just encoded ones.
  for (const raw of ['q=%', 'q=%ZZ', 'q=a&q=b', 'q[]=x', 'q=%00', 'q=%22', 'q=*', 'q=NEAR(a%20b)', 'q=a%20AND%20AND', 'q=headline:']) {
    const res = await ctx.app.inject({ url: `/v1/search?${raw}` });
    t.ok(res.statusCode < 500, `${raw} → ${res.statusCode}`);
  }
});
