import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { GATED_MARKDOWN, SECRET, post, publish, seedTaxonomy } from './helpers/articles.js';
import { subscriber } from './helpers/subscribers.js';

/**
 * Search results are cached per query and audience like list pages (ArticlesService.cachedAnswer).
 * Nothing may go stale — a new story, a renamed tag, time alone — and above all one audience's
 * answer must never reach another: a paying reader's full-text snippet is not an anonymous one.
 */
const DAY = 86_400_000;

t.test('cached search results follow writes and time, and stay per audience', async (t) => {
  const h = await buildTestApp(t, { env: { ARCHIVE_AFTER_DAYS: '30' } });
  const { app, admin, clock } = h;
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['registered', 'subscribers'], archive: true });
  await publish(app, admin, { slug: 'gated', headline: 'Harbour story', access: 'subscribers', tags: ['energy'], bodyMarkdown: GATED_MARKDOWN.split('\n![')[0] });
  const paid = await subscriber(app, admin, 'paid@example.com');
  const grant = await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${paid.id}/subscription`, headers: admin, payload: { plan: 'digital', currentPeriodEnd: '2027-12-01T00:00:00Z' } });
  t.equal(grant.statusCode, 200, grant.body);

  const search = async (q: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}&facets=tag`, headers });
    t.equal(res.statusCode, 200, res.body);
    return { body: json(res), raw: res.body, etag: res.headers.etag };
  };

  // The paying reader asks first: their answer (full-text snippet) is cached under their audience…
  const forPaid = await search(SECRET, paid.auth);
  t.match(forPaid.raw, SECRET, 'the paying reader sees the words past the break in the snippet');
  // …and the anonymous reader asking the same does not find it (they may not read those words).
  for (let i = 0; i < 2; i++) {
    const anon = await search(SECRET);
    t.equal(anon.body.data.length, 0, `words past the break find nothing for an anonymous caller (${i === 0 ? 'first' : 'cached'})`);
    t.notMatch(anon.raw, SECRET);
  }
  const teaser = await search('teaser paragraph');
  t.equal(teaser.body.data.length, 1, 'the teaser finds it');
  t.notMatch(teaser.raw, SECRET, 'with a teaser-only snippet');
  t.notMatch((await search(SECRET)).raw, SECRET);
  t.match((await search(SECRET, paid.auth)).raw, SECRET, 'and the paying reader still gets theirs');

  // A new story shows at once; so does a tag renamed under the cached facets.
  await publish(app, admin, { slug: 'second', headline: 'Second harbour story', tags: ['energy'], bodyMarkdown: 'Harbour repairs went on.' });
  t.same((await search('harbour')).body.data.map((d: { article: { slug: string } }) => d.article.slug).sort(), ['gated', 'second']);
  const renamed = await app.inject({ method: 'PATCH', url: '/v1/tags/energy', headers: admin, payload: { name: 'Power' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  t.same((await search('harbour')).body.facets.tag.map((f: { name: string }) => f.name), ['Power']);

  // Time alone: the public story passes into the archive, which the cached answer must follow.
  // A one-paragraph story's teaser holds nothing back of its body but the paragraph itself, so once
  // archived it is found by its headline only: the cached answer must follow that too.
  const before = await search('repairs');
  t.equal(before.body.data[0].article.access.granted, true);
  const byHeadline = await search('second harbour');
  clock.advance(31 * DAY);
  const after = await search('second harbour');
  t.same([after.body.data[0].article.access.granted, after.body.data[0].article.access.reason], [false, 'archive']);
  t.not(after.etag, byHeadline.etag, 'with a new ETag');
  t.same((await search('repairs')).body.data, [], 'its body (past what an anonymous reader may read of it now) no longer finds it');
});
