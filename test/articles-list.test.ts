import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { post, publish, seedTaxonomy } from './helpers/articles.js';

const HOUR = 3_600_000;
const slugs = (res: { body: string }) => json(res).data.map((a: { slug: string }) => a.slug);

t.test('keyset paging stays consistent across inserts', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  for (let i = 1; i <= 5; i++) {
    await publish(app, admin, { slug: `a${i}`, headline: `A${i}`, bodyMarkdown: 'x' });
    clock.advance(HOUR);
  }
  const p1 = await app.inject({ url: '/v1/articles?limit=2' });
  t.same(slugs(p1), ['a5', 'a4']);
  t.equal(json(p1).meta.total, 5);
  const next = json(p1).meta.nextCursor;
  t.match(p1.headers.link, new RegExp(`^</v1/articles\\?limit=2&cursor=${next}>; rel="next"$`));

  // New stories arrive while a reader pages: they appear on top, not shifting later pages.
  await publish(app, admin, { slug: 'b1', headline: 'B1', bodyMarkdown: 'x' });
  clock.advance(HOUR);
  await publish(app, admin, { slug: 'b2', headline: 'B2', bodyMarkdown: 'x' });
  const p2 = await app.inject({ url: `/v1/articles?limit=2&cursor=${next}` });
  t.same(slugs(p2), ['a3', 'a2'], 'no item repeated or skipped');
  t.notOk('total' in json(p2).meta, 'the count comes with the first page only');
  const p3 = await app.inject({ url: `/v1/articles?limit=2&cursor=${json(p2).meta.nextCursor}` });
  t.same(slugs(p3), ['a1']);
  t.equal(json(p3).meta.nextCursor, null);
  t.equal(p3.headers.link, undefined);

  // Same publication time: the id breaks the tie.
  const same = await buildTestApp(t);
  await seedTaxonomy(same.app, same.admin);
  for (let i = 1; i <= 3; i++) await publish(same.app, same.admin, { slug: `s${i}`, headline: `S${i}`, bodyMarkdown: 'x' });
  const q1 = await same.app.inject({ url: '/v1/articles?limit=2' });
  const q2 = await same.app.inject({ url: `/v1/articles?limit=2&cursor=${json(q1).meta.nextCursor}` });
  t.same([...slugs(q1), ...slugs(q2)], ['s3', 's2', 's1']);

  // Ascending and by update time.
  const asc1 = await app.inject({ url: '/v1/articles?limit=3&sort=publishedAt' });
  t.same(slugs(asc1), ['a1', 'a2', 'a3']);
  const asc2 = await app.inject({ url: `/v1/articles?limit=3&sort=publishedAt&cursor=${json(asc1).meta.nextCursor}` });
  t.same(slugs(asc2), ['a4', 'a5', 'b1']);
  clock.advance(HOUR);
  await app.inject({ method: 'PATCH', url: '/v1/articles/a1', headers: admin, payload: { standfirst: 'Updated' } });
  const upd = await app.inject({ url: '/v1/articles?limit=2&sort=-updatedAt' });
  t.same(slugs(upd), ['a1', 'b2']);
  const wrongSort = await app.inject({ url: `/v1/articles?sort=-updatedAt&cursor=${json(asc1).meta.nextCursor}` });
  t.equal(wrongSort.statusCode, 400, "a cursor from another sort order is refused");
  t.equal(json(wrongSort).errors[0].pointer, '/query/cursor');
});

t.test('filters: section, tag, author, from/to, access, q', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'w1', headline: 'Floods in Velgrad', section: 'world', tags: ['floods'], authors: ['ana-ruiz'], publishedAt: '2026-01-10T08:00:00Z', bodyMarkdown: 'The river rose overnight.' });
  await publish(app, admin, { slug: 'b1', headline: 'Power prices', section: 'business', tags: ['energy'], authors: ['tomas-berg'], access: 'subscribers', publishedAt: '2026-01-12T08:00:00Z', bodyMarkdown: 'Grid operator warns of 50% shortfall.' });
  await publish(app, admin, { slug: 'w2', headline: 'Energy summit', section: 'world', tags: ['energy', 'floods'], authors: ['tomas-berg', 'ana-ruiz'], publishedAt: '2026-01-14T23:30:00Z', standfirst: 'Ministers meet in Skarhavn', bodyMarkdown: 'Talks.' });

  t.same(slugs(await app.inject({ url: '/v1/articles?section=world' })), ['w2', 'w1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?tag=energy' })), ['w2', 'b1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?author=ana-ruiz' })), ['w2', 'w1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?author=tomas-berg&tag=floods' })), ['w2']);
  t.same(slugs(await app.inject({ url: '/v1/articles?access=subscribers' })), ['b1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?from=2026-01-11' })), ['w2', 'b1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?to=2026-01-14' })), ['w2', 'b1', 'w1'], 'a date "to" includes that whole day');
  t.same(slugs(await app.inject({ url: '/v1/articles?to=2026-01-13' })), ['b1', 'w1']);
  t.same(slugs(await app.inject({ url: '/v1/articles?from=2026-01-10T08:00:00Z&to=2026-01-12T08:00:00Z' })), ['w1'], 'from inclusive, a timestamp "to" exclusive');
  t.same(slugs(await app.inject({ url: '/v1/articles?q=velgrad' })), ['w1'], 'q matches the headline, case-insensitively');
  t.same(slugs(await app.inject({ url: '/v1/articles?q=skarhavn' })), ['w2'], 'and the standfirst');
  t.same(slugs(await app.inject({ url: '/v1/articles?q=river%20rose' })), ['w1'], 'and the body');
  t.same(slugs(await app.inject({ url: '/v1/articles?q=shortfall&sort=-publishedAt', headers: admin })), ['b1'], 'q with a date order');
  t.same(slugs(await app.inject({ url: '/v1/articles?q=shortfall&sort=-publishedAt' })), [], 'a word an anonymous reader may not read (past the teaser) finds nothing for them');
  const noWords = await app.inject({ url: '/v1/articles?q=%25' });
  t.equal(noWords.statusCode, 400, 'a query without words is a 400, not a 500');
  t.equal(json(noWords).errors[0].pointer, '/query/q');
  t.equal(json(await app.inject({ url: '/v1/articles?tag=energy' })).meta.total, 2);

  for (const [param, value] of [['section', 'sport'], ['tag', 'nope'], ['author', 'nobody']]) {
    const res = await app.inject({ url: `/v1/articles?${param}=${value}` });
    t.equal(res.statusCode, 400, `unknown ${param}`);
    t.equal(json(res).errors[0].pointer, `/query/${param}`);
  }
});

t.test('fields, format and include', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'w1', headline: 'Floods', tags: ['floods'], bodyMarkdown: 'One **two**.' });

  const list = json(await app.inject({ url: '/v1/articles' })).data[0];
  t.notOk('blocks' in list || 'html' in list || 'text' in list, 'lists carry no body by default');
  t.notOk('authors' in list || 'tags' in list || 'section' in list || 'photos' in list, 'and no embeds');
  t.equal(list.excerpt, 'One two.');
  t.same(list.authorSlugs, ['ana-ruiz']);

  const one = json(await app.inject({ url: '/v1/articles/w1' }));
  for (const k of ['blocks', 'html', 'text', 'authors', 'tags', 'section', 'photos']) t.ok(k in one, `single article has ${k} by default`);

  const sparse = json(await app.inject({ url: '/v1/articles?fields=headline,publishedAt' })).data[0];
  t.same(Object.keys(sparse).sort(), ['access', 'headline', 'id', 'publishedAt', 'slug']);
  const html = json(await app.inject({ url: '/v1/articles/w1?format=html' }));
  t.equal(html.html, '<p>One <strong>two</strong>.</p>');
  t.notOk('blocks' in html || 'text' in html);
  const byField = json(await app.inject({ url: '/v1/articles?fields=text,tags' })).data[0];
  t.same(Object.keys(byField).sort(), ['access', 'id', 'slug', 'tags', 'text'], 'fields naming a format or an embed bring it');
  t.same(byField.tags, [{ id: 1, slug: 'floods', name: 'Floods' }].map((x) => ({ ...x, id: byField.tags[0].id })));
  const inc = json(await app.inject({ url: '/v1/articles?include=authors,section' })).data[0];
  t.same(inc.authors.map((a: { slug: string }) => a.slug), ['ana-ruiz']);
  t.equal(inc.section.slug, 'world');
  const none = json(await app.inject({ url: '/v1/articles/w1?include=' }));
  t.notOk('authors' in none, 'an empty include embeds nothing');

  for (const [param, value] of [['fields', 'headline,bodyText'], ['format', 'pdf'], ['include', 'comments']]) {
    const res = await app.inject({ url: `/v1/articles?${param}=${value}` });
    t.equal(res.statusCode, 400, `unknown ${param}`);
    const p = json(res);
    t.equal(p.errors[0].pointer, `/query/${param}`);
    t.match(p.errors[0].detail, value.split(',').pop()!, 'names the unknown name');
    t.equal((await app.inject({ url: `/v1/articles/w1?${param}=${value}` })).statusCode, 400);
  }
});

t.test('authors and tags: public reads with counts, admin CRUD, 409 unless detach', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'a', headline: 'A', authors: ['ana-ruiz', 'tomas-berg'], tags: ['energy'], bodyMarkdown: 'x' });
  await post(app, admin, '/v1/articles', { slug: 'draft', headline: 'Draft', authors: ['ana-ruiz'], tags: ['energy'] });

  const authors = json(await app.inject({ url: '/v1/authors' }));
  t.same(authors.data.map((a: { slug: string; articleCount: number }) => [a.slug, a.articleCount]), [['ana-ruiz', 1], ['tomas-berg', 1]], 'counts published articles only');
  const ana = await app.inject({ url: '/v1/authors/ana-ruiz' });
  t.equal(json(ana).bio, 'Ana Ruiz reports for us.');
  t.equal(json(ana).articlesUrl, '/v1/articles?author=ana-ruiz');
  t.equal(json(ana).photo, null);
  t.match(ana.headers['cache-control'], /^public/);
  t.equal((await app.inject({ url: '/v1/authors/ana-ruiz', headers: { 'if-none-match': ana.headers.etag as string } })).statusCode, 304);
  t.same(json(await app.inject({ url: '/v1/tags/energy' })).articleCount, 1);
  t.equal((await app.inject({ url: '/v1/tags/nope' })).statusCode, 404);

  const renamed = await app.inject({ method: 'PATCH', url: '/v1/authors/ana-ruiz', headers: { ...admin, 'if-match': ana.headers.etag as string }, payload: { name: 'Ana Ruiz Vidal' } });
  t.equal(renamed.statusCode, 200);
  t.equal(json(await app.inject({ url: '/v1/articles/a?include=authors' })).authors[0].name, 'Ana Ruiz Vidal', 'bylines follow the author');
  const stale = await app.inject({ method: 'PATCH', url: '/v1/authors/ana-ruiz', headers: { ...admin, 'if-match': ana.headers.etag as string }, payload: { name: 'X' } });
  t.equal(stale.statusCode, 412);

  const refused = await app.inject({ method: 'DELETE', url: '/v1/tags/energy', headers: admin });
  t.equal(refused.statusCode, 409, 'a tag in use is not deleted');
  t.match(json(refused).detail, /detach=true/);
  const refusedAuthor = await app.inject({ method: 'DELETE', url: '/v1/authors/ana-ruiz', headers: admin });
  t.equal(refusedAuthor.statusCode, 409, 'even when only a draft uses it');

  const staleAuthorDelete = await app.inject({ method: 'DELETE', url: '/v1/authors/ana-ruiz?detach=true', headers: { ...admin, 'if-match': ana.headers.etag as string } });
  t.equal(staleAuthorDelete.statusCode, 412, 'a delete based on an old version of the author is refused');
  const unusedTag = await post(app, admin, '/v1/tags', { name: 'Spare Tag' });
  await app.inject({ method: 'PATCH', url: '/v1/tags/spare-tag', headers: admin, payload: { name: 'Spare' } });
  const staleTagDelete = await app.inject({ method: 'DELETE', url: '/v1/tags/spare-tag', headers: { ...admin, 'if-match': `"v${unusedTag.version}"` } });
  t.equal(staleTagDelete.statusCode, 412, 'a delete based on an old version of the tag is refused');
  const tagNow = await app.inject({ url: '/v1/tags/spare-tag' });
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/spare-tag', headers: { ...admin, 'if-match': tagNow.headers.etag as string } })).statusCode, 204, 'the current ETag deletes');

  const before = json(await app.inject({ url: '/v1/articles/a', headers: admin })).version;
  const detached = await app.inject({ method: 'DELETE', url: '/v1/authors/ana-ruiz?detach=true', headers: admin });
  t.equal(detached.statusCode, 204);
  const a = json(await app.inject({ url: '/v1/articles/a', headers: admin }));
  t.same(a.authorSlugs, ['tomas-berg'], 'the byline was removed');
  t.equal(a.version, before + 1, 'as a new version');
  const rev = json(await app.inject({ url: '/v1/articles/a/revisions?limit=1', headers: admin })).data[0];
  t.same(rev.changedFields, ['authors']);
  const snapshot = json(await app.inject({ url: `/v1/articles/a/revisions/${rev.version}`, headers: admin })).snapshot;
  t.same(snapshot.authors, ['tomas-berg']);
  t.equal((await app.inject({ url: '/v1/authors/ana-ruiz' })).statusCode, 404);

  await post(app, admin, '/v1/tags', { name: 'Unused Tag' });
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/unused-tag', headers: admin })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/tags/energy?detach=true', headers: admin })).statusCode, 204);
  t.same(json(await app.inject({ url: '/v1/articles/a', headers: admin })).tagSlugs, []);

  const dup = await app.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { slug: 'tomas-berg', name: 'Another' } });
  t.equal(dup.statusCode, 409);
  t.equal((await app.inject({ method: 'POST', url: '/v1/tags', payload: { name: 'x' } })).statusCode, 401);
  const badPhoto = await app.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { name: 'P', photoId: 12345 } });
  t.equal(badPhoto.statusCode, 422);
  t.equal(json(badPhoto).errors[0].pointer, '/body/photoId');
  await post(app, admin, '/v1/tags', { name: 'Trade' });
  const page = await app.inject({ url: '/v1/tags?limit=1' });
  t.equal(json(page).data.length, 1);
  t.equal(json(page).meta.total, 2);
  t.same(json(await app.inject({ url: `/v1/tags?limit=1&cursor=${json(page).meta.nextCursor}` })).data.map((x: { slug: string }) => x.slug), ['trade'], 'tags by name');
});
