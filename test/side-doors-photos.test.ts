import t from 'tap';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { post, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';
import { subscriber } from './helpers/subscribers.js';

/**
 * Issue 12, side door 1: a photo placed only after a story's paywall break. A caller who may not
 * read past the break must not reach it by any path — its JSON, its renditions, the article's
 * embeds, feeds, ninjs, search — and it must answer exactly like a photo that does not exist.
 * Readers see a photo only while a visible article SHOWS it to them: the featured photo, or an
 * image block in the part they may read.
 */
const HIDDEN_CAPTION = 'Quokkagate ledger photographed inside the ministry vault';
let colour = 0;
async function upload(h: TestApp, caption: string) {
  colour += 25;
  const body = multipart([
    { name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY/HANDOUT' }, [640 + colour, 480]) },
  ]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number; renditions: { url: string }[] };
}
const p = (text: string) => ({ type: 'paragraph', text });
const pathOf = (url: string) => { const u = new URL(url); return u.pathname + u.search; };

t.test('a photo shown only past the break is not there for callers who may not read past it', async (t) => {
  // No meter: a free subscriber's read would open the story (and so its photos) for them.
  const h = await buildTestApp(t, { env: { METER_FREE_ARTICLES: '0' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['registered', 'subscribers'], archive: true });
  const featured = await upload(h, 'The ministry building at dawn');
  const teaser = await upload(h, 'Officials arrive for the hearing');
  const hidden = await upload(h, HIDDEN_CAPTION);
  const story = await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', authors: ['ana-ruiz'], access: 'subscribers', slug: 'vault',
    headline: 'Hearing on the ministry accounts', featuredPhotoId: featured.id,
    body: [p('The hearing opened on Monday, the agency said.'), { type: 'image', photoId: teaser.id }, { type: 'paywall' },
      p('Auditors described the ledger.'), { type: 'image', photoId: hidden.id }],
  });

  const unknown = json(await app.inject({ url: '/v1/photos/999999' }));
  const partner = json(await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'Wire', scopes: ['syndication'] } }));
  const licensed = json(await app.inject({
    method: 'POST', url: '/v1/admin/keys', headers: admin,
    payload: { name: 'Licensed', scopes: ['syndication'], licence: { sections: ['world'], fullText: true } },
  }));
  const free = await subscriber(app, admin, 'free@example.com');
  const paid = await subscriber(app, admin, 'paid@example.com');
  const grant = await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${paid.id}/subscription`, headers: admin, payload: { plan: 'digital', currentPeriodEnd: '2027-12-01T00:00:00Z' } });
  t.equal(grant.statusCode, 200, grant.body);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const withoutAccess: [string, Record<string, string>][] = [
    ['anonymous', {}], ['a partner key without a licence', bearer(partner.token)], ['a free subscriber', free.auth],
  ];
  const withAccess: [string, Record<string, string>][] = [
    ['an admin', admin], ['a licensed partner', bearer(licensed.token)], ['a paying subscriber', paid.auth],
  ];

  for (const [who, headers] of withoutAccess) {
    const res = await app.inject({ url: `/v1/photos/${hidden.id}`, headers });
    t.equal(res.statusCode, 404, `${who}: GET /v1/photos/{id} is 404`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.notMatch(res.body, /Quokkagate|ledger/, 'nothing of the caption');
    t.same({ ...json(res), detail: null, instance: null }, { ...unknown, detail: null, instance: null }, 'the same problem as an unknown id');
    for (const r of hidden.renditions.slice(0, 3)) {
      const served = await app.inject({ url: pathOf(r.url), headers });
      t.equal(served.statusCode, 404, `${who}: rendition ${pathOf(r.url)} is 404`);
      t.equal(served.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    const noToken = await app.inject({ url: pathOf(hidden.renditions[0].url).replace(/\?.*$/, ''), headers });
    t.equal(noToken.statusCode, 404, `${who}: nor without the version token`);
    for (const shown of [featured, teaser]) {
      t.equal((await app.inject({ url: `/v1/photos/${shown.id}`, headers })).statusCode, 200, `${who}: the featured and teaser photos are shown`);
      t.equal((await app.inject({ url: pathOf(shown.renditions[0].url), headers })).statusCode, 200);
    }

    // Every surface that embeds photos leaves it out.
    const surfaces = [
      `/v1/articles/${story.slug}`,
      `/v1/articles/${story.slug}?include=photos&format=html,text,blocks`,
      `/v1/articles/${story.slug}?fields=photos,html,text,blocks,featuredPhotoId`,
      '/v1/articles?include=photos&format=html,text,blocks',
      '/v1/articles?fields=photos,html,text',
      `/v1/syndication/ninjs/articles/${story.slug}`,
      '/v1/syndication/ninjs/articles',
      '/v1/feeds/feed.json', '/v1/feeds/rss.xml', '/v1/feeds/atom.xml',
      '/v1/search?q=hearing&include=photos&format=html,text,blocks',
      '/v1/search?q=caption:quokkagate',
      '/v1/search?q=quokkagate&facets=section,tag',
      '/v1/search?q=ledger+OR+hearing&include=photos&format=html,text',
    ];
    for (const url of surfaces) {
      const res = await app.inject({ url, headers });
      t.ok(res.statusCode === 200 || res.statusCode === 401 || res.statusCode === 403, `${who}: ${url} → ${res.statusCode}`);
      t.notMatch(res.body, /Quokkagate|ledger photographed/i, `${who}: ${url} shows nothing of the hidden photo's caption`);
      t.notOk(res.body.includes(`/v1/photos/${hidden.id}/`), `${who}: ${url} gives no rendition URL of it`);
    }
    const found = json(await app.inject({ url: '/v1/search?q=quokkagate', headers }));
    t.same(found.data, [], `${who}: its caption does not find the story`);
    t.equal(found.meta.total, 0);
  }

  for (const [who, headers] of withAccess) {
    const res = await app.inject({ url: `/v1/photos/${hidden.id}`, headers });
    t.equal(res.statusCode, 200, `${who} sees the photo`);
    t.match(json(res).caption, /Quokkagate/);
    const served = await app.inject({ url: pathOf(hidden.renditions[0].url), headers });
    t.equal(served.statusCode, 200, `${who} gets its renditions`);
    t.match(served.headers['cache-control'], /private/, 'never stored by a shared cache for the next caller');
    const embedded = json(await app.inject({ url: `/v1/articles/${story.slug}?include=photos`, headers }));
    t.ok(embedded.photos.some((ph: { id: number }) => ph.id === hidden.id), `${who}: embedded in the article`);
    const found = json(await app.inject({ url: '/v1/search?q=quokkagate', headers }));
    t.same(found.data.map((d: { article: { slug: string } }) => d.article.slug), [story.slug], `${who}: its caption finds the story`);
  }
});

t.test('what decides is what some visible article shows the caller, as the article changes', async (t) => {
  const h = await buildTestApp(t, { env: { ARCHIVE_AFTER_DAYS: '30' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  const hidden = await upload(h, HIDDEN_CAPTION);
  const status = async (headers: Record<string, string> = {}) => (await app.inject({ url: `/v1/photos/${hidden.id}`, headers })).statusCode;

  // No paywall block: the teaser is the first TEASER_BLOCKS (3) blocks; the photo is the fourth.
  const gated = await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', access: 'registered', headline: 'Ledger story',
    body: [p('One.'), p('Two.'), p('Three.'), { type: 'image', photoId: hidden.id }],
  });
  t.equal(await status(), 404, 'fourth block of a gated story without a break: hidden from anonymous readers');

  // The editor moves it up into the teaser: now every reader is shown it.
  const moved = await app.inject({
    method: 'PATCH', url: `/v1/articles/${gated.slug}`, headers: admin,
    payload: { body: [p('One.'), { type: 'image', photoId: hidden.id }, p('Three.'), p('Four.')] },
  });
  t.equal(moved.statusCode, 200, moved.body);
  t.equal(await status(), 200, 'in the teaser: shown to everyone');

  // Back past the break, and a public story shows it past its break: public means anyone may read on.
  await app.inject({ method: 'PATCH', url: `/v1/articles/${gated.slug}`, headers: admin, payload: { body: [p('One.'), { type: 'paywall' }, { type: 'image', photoId: hidden.id }] } });
  t.equal(await status(), 404, 'past the break again: hidden again');
  await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', access: 'public', headline: 'Open story',
    body: [p('Open one.'), { type: 'paywall' }, { type: 'image', photoId: hidden.id }],
  });
  t.equal(await status(), 200, 'a public story that shows it past its break: anonymous readers may read on, so they see it');

  // Time alone: the public story enters the archive, where anonymous readers get only its teaser.
  h.clock.advance(31 * 86_400_000);
  t.equal(await status(), 404, 'archived public story: past its break is for archive subscribers only');
});
