import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';

t.test('sections: create, read, update with If-Match, delete', async (t) => {
  const { app, admin } = await buildTestApp(t);

  const created = await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'World News', description: 'Abroad' } });
  t.equal(created.statusCode, 201);
  t.equal(json(created).slug, 'world-news', 'slug is made from the name');
  t.equal(created.headers.location, '/v1/sections/world-news');

  const got = await app.inject({ url: '/v1/sections/world-news' });
  t.equal(got.statusCode, 200);
  t.equal(json(got).name, 'World News');
  t.match(got.headers['cache-control'], /^public, max-age=\d+/);
  const etag = got.headers.etag as string;
  t.ok(etag, 'has an ETag');

  const notModified = await app.inject({ url: '/v1/sections/world-news', headers: { 'if-none-match': etag } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');

  const patched = await app.inject({ method: 'PATCH', url: '/v1/sections/world-news', headers: { ...admin, 'if-match': etag }, payload: { name: 'World' } });
  t.equal(patched.statusCode, 200);
  t.equal(json(patched).version, 2);

  const stale = await app.inject({ method: 'PATCH', url: '/v1/sections/world-news', headers: { ...admin, 'if-match': etag }, payload: { name: 'Abroad' } });
  t.equal(stale.statusCode, 412, 'a change based on an old version is refused');
  t.equal(json((await app.inject({ url: '/v1/sections/world-news' }))).name, 'World', 'the refused change was not applied');

  const changed = await app.inject({ url: '/v1/sections/world-news', headers: { 'if-none-match': etag } });
  t.equal(changed.statusCode, 200, 'the old ETag no longer matches after a change');

  const staleDelete = await app.inject({ method: 'DELETE', url: '/v1/sections/world-news', headers: { ...admin, 'if-match': etag } });
  t.equal(staleDelete.statusCode, 412, 'a delete based on an old version is refused');
  t.equal((await app.inject({ url: '/v1/sections/world-news' })).statusCode, 200, 'still there');
  const del = await app.inject({ method: 'DELETE', url: '/v1/sections/world-news', headers: { ...admin, 'if-match': patched.headers.etag as string } });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ url: '/v1/sections/world-news' })).statusCode, 404);
});

t.test('sections: bad input is a 4xx problem naming the field', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { slug: 'world', name: 'World' } });

  const dup = await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { slug: 'world', name: 'World again' } });
  t.equal(dup.statusCode, 409);
  t.match(dup.headers['content-type'], /^application\/problem\+json/);

  const bad = await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { slug: 'Not A Slug!', name: '', colour: 'red' } });
  t.equal(bad.statusCode, 400);
  const pointers = json(bad).errors.map((e: { pointer: string }) => e.pointer).sort();
  t.same(pointers, ['/body/colour', '/body/name', '/body/slug']);

  const emptyPatch = await app.inject({ method: 'PATCH', url: '/v1/sections/world', headers: admin, payload: {} });
  t.equal(emptyPatch.statusCode, 400);

  const unknownQuery = await app.inject({ url: '/v1/sections?colour=red' });
  t.equal(unknownQuery.statusCode, 400);
  t.same(json(unknownQuery).errors[0].pointer, '/query/colour');

  const badLimit = await app.inject({ url: '/v1/sections?limit=1000' });
  t.equal(badLimit.statusCode, 400);
  t.equal(json(badLimit).errors[0].pointer, '/query/limit');

  const forged = await app.inject({ url: '/v1/sections?cursor=bm90LWEtY3Vyc29y' });
  t.equal(forged.statusCode, 400);
  t.equal(json(forged).errors[0].pointer, '/query/cursor');
});

t.test('sections: keyset paging with Link header', async (t) => {
  const { app, admin } = await buildTestApp(t);
  for (let i = 0; i < 5; i++) {
    await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: `Section ${i}`, position: i } });
  }
  const first = await app.inject({ url: '/v1/sections?limit=2' });
  const page1 = json(first);
  t.same(page1.data.map((s: { slug: string }) => s.slug), ['section-0', 'section-1']);
  t.equal(page1.meta.total, 5);
  t.match(first.headers.link, /rel="next"/);
  const page2 = json(await app.inject({ url: `/v1/sections?limit=2&cursor=${page1.meta.nextCursor}` }));
  t.same(page2.data.map((s: { slug: string }) => s.slug), ['section-2', 'section-3']);
  const page3 = json(await app.inject({ url: `/v1/sections?limit=2&cursor=${page2.meta.nextCursor}` }));
  t.same(page3.data.map((s: { slug: string }) => s.slug), ['section-4']);
  t.equal(page3.meta.nextCursor, null);
});

t.test('sections: writes need an admin key', async (t) => {
  const { app } = await buildTestApp(t);
  const anon = await app.inject({ method: 'POST', url: '/v1/sections', payload: { name: 'X' } });
  t.equal(anon.statusCode, 401);
  const { token } = await app.keys.create({ name: 'partner', scopes: ['syndication'] });
  const partner = await app.inject({ method: 'POST', url: '/v1/sections', headers: { authorization: `Bearer ${token}` }, payload: { name: 'X' } });
  t.equal(partner.statusCode, 403);
});
