import t, { type Test } from 'tap';
import type { AccessExtensions } from '../src/access/extensions.js';
import type { Identity } from '../src/access/identity.js';
import { ARTICLE_FIELDS, ARTICLE_FORMATS, ARTICLE_INCLUDES } from '../src/articles/schemas.js';
import { buildTestApp, json } from './helpers/app.js';
import { GATED_MARKDOWN, SECRET, fakePhotos, post, publish, seedTaxonomy } from './helpers/articles.js';

const DAY = 86_400_000;

async function setup(t: Test, accessExtensions?: AccessExtensions) {
  const ctx = await buildTestApp(t, { photoEmbedder: fakePhotos(), accessExtensions });
  const { app, admin } = ctx;
  await seedTaxonomy(app, admin);
  await publish(app, admin, {
    slug: 'gated',
    headline: 'Grid operator warns of shortfall',
    bodyMarkdown: GATED_MARKDOWN,
    access: 'subscribers',
    tags: ['energy'],
    featuredPhotoId: 1,
  });
  await publish(app, admin, { slug: 'members', headline: 'Members only', bodyMarkdown: GATED_MARKDOWN, access: 'registered' });
  // No paywall block: the teaser is the first TEASER_BLOCKS (3) blocks.
  await publish(app, admin, {
    slug: 'no-break',
    headline: 'Five paragraphs',
    access: 'subscribers',
    body: [1, 2, 3, 4, 5].map((n) => ({ type: 'paragraph', text: n >= 4 ? `Paragraph ${n} with ${SECRET}.` : `Paragraph ${n}.` })),
  });
  return ctx;
}

t.test('anonymous readers never get text past the paywall, on any read path', async (t) => {
  const { app, admin } = await setup(t);
  const urls: string[] = [];
  for (const slug of ['gated', 'members', 'no-break']) {
    urls.push(`/v1/articles/${slug}`);
    for (const f of ARTICLE_FIELDS) urls.push(`/v1/articles/${slug}?fields=${f}`);
    for (const f of ARTICLE_FORMATS) urls.push(`/v1/articles/${slug}?format=${f}`);
    for (const i of ARTICLE_INCLUDES) urls.push(`/v1/articles/${slug}?include=${i}`);
    urls.push(`/v1/articles/${slug}?fields=${ARTICLE_FIELDS.join(',')}&format=blocks,html,text&include=${ARTICLE_INCLUDES.join(',')}`);
  }
  const lists = ['', 'format=blocks,html,text', `include=${ARTICLE_INCLUDES.join(',')}`, `fields=${ARTICLE_FIELDS.join(',')}`,
    `q=${SECRET}`, `q=${SECRET}&format=blocks,html,text&include=photos`, 'tag=energy&format=text', 'section=world&format=html',
    'author=ana-ruiz&format=blocks', 'access=subscribers&format=text,html', 'sort=publishedAt&format=text', 'sort=-updatedAt&format=html', 'limit=1&format=text'];
  for (const q of lists) urls.push(`/v1/articles?${q}`);
  for (const q of lists) urls.push(`/v1/articles?${q}&${q.includes('fields=') ? '' : 'fields=blocks,html,text,excerpt,photos'}`);

  for (const url of urls) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.notOk(res.body.includes(SECRET), `no text past the break: ${url}`);
    t.notOk(res.body.includes('quokka'), `not even a part of it: ${url}`);
  }
  // A HEAD carries no body either way, but it must not differ in status.
  t.equal((await app.inject({ method: 'HEAD', url: '/v1/articles/gated' })).statusCode, 200);

  // Search is no oracle: a word past the break does not find the article for a caller who may not read it.
  const found = json(await app.inject({ url: `/v1/articles?q=${SECRET}&format=text` }));
  t.same(found.data, [], 'a word past the break finds nothing');
  const byAdmin = json(await app.inject({ url: `/v1/articles?q=${SECRET}&format=text`, headers: admin }));
  t.same(byAdmin.data.map((a: { slug: string }) => a.slug).sort(), ['gated', 'members', 'no-break'], 'callers with access find it by the full text');

  // Positive control: an admin sees the whole text through the same paths.
  const full = await app.inject({ url: '/v1/articles/gated', headers: admin });
  t.ok(full.body.includes(SECRET), 'admins get the full text');
});

t.test('the teaser view: blocks before the break, full metadata, access and paywall', async (t) => {
  const { app, admin } = await setup(t, {
    plansFor: async (level, archive) => [{ slug: `plan-${level}${archive ? '-archive' : ''}`, name: 'Digital', price: 9, currency: 'EUR', interval: 'month' }],
    recordMeteredRead: async () => undefined,
  });
  const res = await app.inject({ url: '/v1/articles/gated' });
  const a = json(res);
  t.same(a.blocks.map((b: { type: string }) => b.type), ['paragraph', 'paragraph'], 'blocks before the paywall marker');
  t.equal(a.html, '<p>The first teaser paragraph, attributed to agencies.</p>\n<p>The second teaser paragraph.</p>');
  t.equal(a.text, 'The first teaser paragraph, attributed to agencies.\n\nThe second teaser paragraph.');
  t.equal(a.excerpt, 'The first teaser paragraph, attributed to agencies.');
  t.same(a.access, { level: 'subscribers', granted: false, reason: 'subscription_required' });
  t.match(a.paywall, {
    title: 'Discover more from The Newsdesk Chronicle',
    message: 'Discover more from The Newsdesk Chronicle. Subscribe now to keep reading and get access to the full archive.',
    callToAction: 'Subscribe now',
    plans: [{ slug: 'plan-subscribers' }],
    signUpUrl: '/v1/subscribers',
    signInUrl: '/v1/auth/magic-link',
  });
  t.same(a.photos.map((p: { id: number }) => p.id), [1], 'the featured photo, not the image past the break');

  const adminView = json(await app.inject({ url: '/v1/articles/gated', headers: admin }));
  t.equal(a.wordCount, adminView.wordCount, 'the full article word count');
  t.ok(a.wordCount > 20);
  t.equal(a.readingTimeMinutes, adminView.readingTimeMinutes);
  t.same(adminView.access, { level: 'subscribers', granted: true, reason: null });
  t.equal(adminView.paywall, null);
  t.same(adminView.photos.map((p: { id: number }) => p.id), [1, 2]);
  t.equal(a.headline, adminView.headline);
  t.same(a.tagSlugs, ['energy']);

  const members = json(await app.inject({ url: '/v1/articles/members' }));
  t.same(members.access, { level: 'registered', granted: false, reason: 'sign_in_required' });
  t.equal(members.paywall.callToAction, 'Sign in or register for free to continue reading');

  const noBreak = json(await app.inject({ url: '/v1/articles/no-break?format=text' }));
  t.equal(noBreak.text, 'Paragraph 1.\n\nParagraph 2.\n\nParagraph 3.', 'no break: the first TEASER_BLOCKS blocks');

  // fields= never hides the access decision or the paywall from a caller without access.
  const slim = json(await app.inject({ url: '/v1/articles/gated?fields=headline' }));
  t.same(Object.keys(slim).sort(), ['access', 'headline', 'id', 'paywall', 'slug']);

  // Lists carry the same view per item.
  const list = json(await app.inject({ url: '/v1/articles?format=text' }));
  const item = list.data.find((x: { slug: string }) => x.slug === 'gated');
  t.equal(item.text, a.text);
  t.equal(item.access.granted, false);
  t.ok(item.paywall);
});

t.test('ETag and caching per audience', async (t) => {
  const { app, admin } = await setup(t);
  const anon = await app.inject({ url: '/v1/articles/gated' });
  t.match(anon.headers.etag, /^"v1-teaser-[0-9a-f]+"$/);
  t.match(anon.headers['cache-control'], /^public/);
  t.equal(anon.headers.vary, 'Accept, Authorization', 'the representation depends on Accept (ninjs) and on the caller');
  const full = await app.inject({ url: '/v1/articles/gated', headers: admin });
  t.match(full.headers.etag, /^"v1-full-[0-9a-f]+"$/);
  t.equal(full.headers['cache-control'], 'private, no-store');
  t.not(anon.headers.etag, full.headers.etag);
  const again = await app.inject({ url: '/v1/articles/gated', headers: { 'if-none-match': anon.headers.etag as string } });
  t.equal(again.statusCode, 304);
  // A new version changes the ETag.
  await app.inject({ method: 'PATCH', url: '/v1/articles/gated', headers: admin, payload: { standfirst: 'New dek' } });
  const after = await app.inject({ url: '/v1/articles/gated', headers: { 'if-none-match': anon.headers.etag as string } });
  t.equal(after.statusCode, 200);
  t.match(after.headers.etag, /^"v2-teaser-/);
});

t.test('archive rule: old public articles are teasers for anonymous readers', async (t) => {
  const { app, admin, clock } = await setup(t);
  await publish(app, admin, {
    slug: 'old-news',
    headline: 'Old news',
    access: 'public',
    publishedAt: new Date(clock.now().getTime() - 61 * DAY).toISOString(),
    bodyMarkdown: GATED_MARKDOWN,
  });
  const a = json(await app.inject({ url: '/v1/articles/old-news' }));
  t.same(a.access, { level: 'public', granted: false, reason: 'archive' });
  t.notOk(JSON.stringify(a).includes(SECRET));
});

t.test('the meter is spent only by the single-article view', async (t) => {
  const recorded: number[] = [];
  const { app } = await setup(t, { plansFor: async () => [], recordMeteredRead: async (_id, articleId) => void recorded.push(articleId) });
  const reader: Identity = {
    kind: 'subscriber',
    subscriberId: 7,
    sessionId: 's1',
    email: 'reader@example.com',
    planSlug: 'free',
    entitlements: { levels: ['registered'], archive: false, sections: null, meter: { remaining: 2, readThisPeriod: new Set() } },
  };
  app.addTokenResolver('tstreader_', async () => reader);
  const headers = { authorization: 'Bearer tstreader_1' };

  const list = json(await app.inject({ url: '/v1/articles?format=text', headers }));
  const gated = list.data.find((a: { slug: string }) => a.slug === 'gated');
  t.equal(gated.access.granted, false);
  t.notOk(JSON.stringify(gated).includes(SECRET), 'lists show the teaser of metered articles');
  t.same(recorded, [], 'and spend nothing');

  const members = json(await app.inject({ url: '/v1/articles/members', headers }));
  t.equal(members.access.granted, true, 'the plan opens registered articles');
  t.same(recorded, [], 'without the meter');

  const single = await app.inject({ url: '/v1/articles/gated', headers });
  t.equal(json(single).access.granted, true, 'the single view opens a gated article with the meter');
  t.ok(single.body.includes(SECRET));
  t.equal(single.headers['cache-control'], 'private, no-store');
  t.equal(recorded.length, 1, 'and records the read');
});

t.test('paywall settings: message, teaser size', async (t) => {
  const { app, admin } = await buildTestApp(t, {
    env: { PAYWALL_MESSAGE: 'Join us to read on.', PUBLICATION_NAME: 'The Daily Test', TEASER_BLOCKS: '1' },
  });
  await seedTaxonomy(app, admin);
  await publish(app, admin, {
    slug: 'x',
    headline: 'X',
    access: 'subscribers',
    body: [{ type: 'paragraph', text: 'One.' }, { type: 'paragraph', text: 'Two.' }],
  });
  const a = json(await app.inject({ url: '/v1/articles/x' }));
  t.equal(a.paywall.message, 'Discover more from The Daily Test. Join us to read on.');
  t.equal(a.text, 'One.');
  t.ok(await post(app, admin, '/v1/articles/x/corrections', { text: 'An earlier version misspelt a name.' }));
  t.equal(json(await app.inject({ url: '/v1/articles/x' })).corrections[0].text, 'An earlier version misspelt a name.', 'corrections are public metadata');
});

t.test('a short gated story without a break is never given away whole', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, {
    slug: 'short',
    headline: 'Short scoop',
    access: 'subscribers',
    body: [{ type: 'paragraph', text: 'The opening paragraph.' }, { type: 'paragraph', text: `The scoop: ${SECRET}.` }],
  });
  await publish(app, admin, { slug: 'one-para', headline: 'One paragraph', access: 'subscribers', body: [{ type: 'paragraph', text: `Only ${SECRET}.` }] });
  await publish(app, admin, { slug: 'public-one', headline: 'Public', body: [{ type: 'paragraph', text: 'A public brief.' }] });
  for (const url of ['/v1/articles/short', '/v1/articles/one-para', '/v1/articles?format=blocks,html,text', `/v1/articles?q=${SECRET.split('-')[0]}&format=text`, `/v1/search?q=${SECRET.split('-')[0]}`]) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.notOk(res.body.includes(SECRET), `${url}: nothing of the held-back block`);
  }
  const short = json(await app.inject({ url: '/v1/articles/short' }));
  t.equal(short.text, 'The opening paragraph.', 'all but the last block');
  t.equal(short.access.granted, false);
  t.equal(short.wordCount, 6, 'the full word count');
  const one = json(await app.inject({ url: '/v1/articles/one-para' }));
  t.same(one.blocks, []);
  t.equal(one.excerpt, null, 'no derived excerpt from the held-back block');
  const full = json(await app.inject({ url: '/v1/articles/one-para', headers: admin }));
  t.match(full.text, SECRET, 'callers with access get it all');
  t.equal(json(await app.inject({ url: '/v1/articles/public-one' })).excerpt, 'A public brief.', 'open articles keep their derived excerpt');
});
