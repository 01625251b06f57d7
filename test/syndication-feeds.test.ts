import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { AFTER_PAYWALL_PHRASE, AFTER_PAYWALL_STORY } from '../src/seed/stories.js';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp, json } from './helpers/app.js';

// Feeds are parsed back with an independent parser (fast-xml-parser), never with the package that wrote them.
const ARRAYS = ['rss.channel.item', 'rss.channel.item.category', 'feed.entry', 'feed.entry.link', 'feed.entry.category', 'feed.entry.author'];
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_name, jpath) => ARRAYS.includes(String(jpath)) });
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

async function seeded(t: Parameters<typeof buildTestApp>[0]) {
  const ctx = await buildTestApp(t);
  await seedSampleContent(ctx.app);
  // Every published (visible) article, newest first, as the admin sees it (full text).
  const list = json(await ctx.app.inject({ url: '/v1/articles?limit=100&include=photos,section&format=text', headers: ctx.admin }));
  const visible = list.data.filter((a: { status: string }) => a.status === 'published');
  return { ...ctx, visible };
}

t.test('RSS 2.0: valid channel, newest first, enclosures with caption and credit, teaser only for gated stories', async (t) => {
  const { app, visible } = await seeded(t);
  const res = await app.inject({ url: '/v1/feeds/rss.xml' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/rss\+xml/);
  t.match(res.headers['cache-control'], /^public/);
  t.ok(res.headers.etag);
  const doc = parser.parse(res.body);
  t.equal(doc.rss['@version'], '2.0');
  const channel = doc.rss.channel;
  t.equal(channel.title, 'The Newsdesk Chronicle');
  const items = asArray(channel.item) as Record<string, any>[];
  t.equal(items.length, visible.length, 'every published article, no drafts or scheduled stories');
  t.same(items.map((i) => i.link), visible.map((a: { slug: string }) => `http://localhost:3000/v1/articles/${a.slug}`), 'newest first');
  const dates = items.map((i) => Date.parse(i.pubDate));
  t.same(dates, [...dates].sort((a, b) => b - a), 'pubDate descending');

  const withPhoto = items.find((i) => i.enclosure);
  t.ok(withPhoto, 'featured photos are enclosed');
  t.equal(withPhoto!.enclosure['@type'], 'image/jpeg');
  t.match(withPhoto!.enclosure['@url'], /^http:\/\/localhost:3000\/v1\/photos\/\d+\/renditions\//);
  const media = withPhoto!['media:content'];
  t.ok(media['media:description']['#text'].length > 20, 'Media RSS caption');
  t.match(media['media:credit'], /HANDOUT|\//, 'Media RSS credit line');
  t.ok(withPhoto!['dc:creator'], 'bylines as dc:creator');

  const gated = items.find((i) => i.link.endsWith(AFTER_PAYWALL_STORY))!;
  t.ok(gated, 'the gated story is in the feed');
  t.notMatch(gated['content:encoded'], AFTER_PAYWALL_PHRASE, 'no text past the paywall break');
  t.match(gated['content:encoded'], /Continue reading/);
  t.notMatch(res.body, AFTER_PAYWALL_PHRASE, 'nowhere in the feed');
  const open = items.find((i) => !i['content:encoded'].includes('Continue reading'));
  t.ok(open, 'public stories carry their full text');
});

t.test('Atom 1.0 and JSON Feed 1.1: parsed back, same stories, enclosure and attachments, teasers', async (t) => {
  const { app, visible } = await seeded(t);
  const atomRes = await app.inject({ url: '/v1/feeds/atom.xml' });
  t.match(atomRes.headers['content-type'], /^application\/atom\+xml/);
  const feed = parser.parse(atomRes.body).feed;
  t.equal(feed['@xmlns'], 'http://www.w3.org/2005/Atom');
  t.ok(feed.id && feed.updated && feed.title, 'required feed elements');
  const entries = asArray(feed.entry) as Record<string, any>[];
  t.equal(entries.length, visible.length);
  for (const e of entries) {
    t.ok(e.id && e.updated && e.title, 'required entry elements');
  }
  const enclosure = entries.flatMap((e) => e.link).find((l: Record<string, string>) => l['@rel'] === 'enclosure');
  t.equal(enclosure['@type'], 'image/jpeg', 'the real MIME type');
  t.match(enclosure['@title'], /Photo: /, 'caption and credit on the enclosure');
  t.notMatch(atomRes.body, AFTER_PAYWALL_PHRASE);

  const jsonRes = await app.inject({ url: '/v1/feeds/feed.json' });
  t.match(jsonRes.headers['content-type'], /^application\/feed\+json/);
  const jf = json(jsonRes);
  t.equal(jf.version, 'https://jsonfeed.org/version/1.1');
  t.equal(jf.feed_url, 'http://localhost:3000/v1/feeds/feed.json');
  t.equal(jf.items.length, visible.length);
  t.same(jf.items.map((i: { url: string }) => i.url.split('/').pop()), visible.map((a: { slug: string }) => a.slug));
  for (const item of jf.items) t.ok(item.id && (item.content_html || item.content_text), 'each item has an id and content');
  const att = jf.items.find((i: { attachments?: unknown[] }) => i.attachments)!;
  t.equal(att.attachments[0].mime_type, 'image/jpeg');
  t.ok(att._newsdesk.photo.caption && att._newsdesk.photo.credit, 'caption and credit');
  const gated = jf.items.find((i: { url: string }) => i.url.endsWith(AFTER_PAYWALL_STORY));
  t.equal(gated._newsdesk.access.granted, false);
  t.notMatch(jsonRes.body, AFTER_PAYWALL_PHRASE);
});

t.test('per section, tag and author feeds; unknown ones are 404', async (t) => {
  const { app, visible } = await seeded(t);
  const business = visible.filter((a: { section: { slug: string } | null }) => a.section?.slug === 'business');
  t.ok(business.length > 0);
  const rss = parser.parse((await app.inject({ url: '/v1/feeds/sections/business/rss.xml' })).body).rss.channel;
  t.match(rss.title, /Business/);
  t.same(asArray(rss.item).map((i: any) => i.link.split('/').pop()), business.map((a: { slug: string }) => a.slug));

  const tagged = json(await app.inject({ url: '/v1/feeds/tags/energy/feed.json' }));
  t.ok(tagged.items.length > 0 && tagged.items.every((i: { tags: string[] }) => i.tags.includes('Energy')), 'tag feed');
  const byAuthor = parser.parse((await app.inject({ url: '/v1/feeds/authors/zoe-brandao/atom.xml' })).body).feed;
  t.ok(asArray(byAuthor.entry).length > 0, 'author feed');
  t.ok(asArray(byAuthor.entry).every((e: any) => asArray(e.author).some((p: any) => p.name === 'Zoë Brandão' || /Brand/.test(p.name))), 'by that author');

  t.equal((await app.inject({ url: '/v1/feeds/sections/sport/rss.xml' })).statusCode, 404);
  t.equal((await app.inject({ url: '/v1/feeds/people/x/rss.xml' })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/feeds/rss.json' })).statusCode, 400);
});

t.test('licences: a partner reads in full exactly what its licence covers, with its usage terms everywhere', async (t) => {
  const { app, admin } = await seeded(t);
  const terms = 'Licensed to Wire Partner: web and print, 30 days.';
  const full = json(await app.inject({
    method: 'POST', url: '/v1/admin/keys', headers: admin,
    payload: { name: 'Wire Partner', scopes: ['syndication'], licence: { sections: ['business'], fullText: true, usageTerms: terms } },
  }));
  const other = json(await app.inject({
    method: 'POST', url: '/v1/admin/keys', headers: admin,
    payload: { name: 'World only', scopes: ['syndication'], licence: { sections: ['world'], fullText: true } },
  }));
  const teaserOnly = json(await app.inject({
    method: 'POST', url: '/v1/admin/keys', headers: admin,
    payload: { name: 'Headlines partner', scopes: ['syndication'], licence: { sections: null, fullText: false, usageTerms: 'Headlines only' } },
  }));
  const auth = (k: { token: string }) => ({ authorization: `Bearer ${k.token}` });

  // The JSON API
  const a = json(await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}`, headers: auth(full) }));
  t.equal(a.access.granted, true, 'a business licence opens a gated business story');
  t.match(a.text, AFTER_PAYWALL_PHRASE);
  t.equal(a.usageTerms, terms, 'usage terms in the JSON');
  const b = json(await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}`, headers: auth(other) }));
  t.equal(b.access.granted, false, 'a world licence does not');
  t.equal(b.access.reason, 'not_licensed');
  t.notMatch(b.text, AFTER_PAYWALL_PHRASE);
  const c = json(await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}`, headers: auth(teaserOnly) }));
  t.equal(c.access.granted, false, 'a licence without full text reads teasers');
  t.equal(c.usageTerms, 'Headlines only');

  // ninjs
  const n = json(await app.inject({ url: `/v1/syndication/ninjs/articles/${AFTER_PAYWALL_STORY}`, headers: auth(full) }));
  t.equal(n.representationType, 'full');
  t.equal(n.usageTerms, terms, 'usage terms in ninjs');
  t.ok(n.bodies.some((body: { value: string }) => body.value.includes(AFTER_PAYWALL_PHRASE)));
  const nOther = json(await app.inject({ url: `/v1/syndication/ninjs/articles/${AFTER_PAYWALL_STORY}`, headers: auth(other) }));
  t.equal(nOther.representationType, 'partial');
  t.notMatch(JSON.stringify(nOther), AFTER_PAYWALL_PHRASE);

  // Feeds, with the Authorization header or a feed token
  const headerFeed = await app.inject({ url: '/v1/feeds/sections/business/rss.xml', headers: auth(full) });
  t.match(headerFeed.body, AFTER_PAYWALL_PHRASE, 'the licensed partner gets the full text in its feed');
  t.match(headerFeed.headers['cache-control'], /private|no-store/, 'never cached publicly');
  t.match(parser.parse(headerFeed.body).rss.channel.copyright, terms);

  const ft = json(await app.inject({ method: 'POST', url: `/v1/admin/keys/${full.key.id}/feed-tokens`, headers: admin }));
  const viaToken = await app.inject({ url: `/v1/feeds/sections/business/feed.json?token=${ft.token}` });
  t.equal(viaToken.statusCode, 200);
  t.match(viaToken.body, AFTER_PAYWALL_PHRASE, 'a feed token reads with the key\'s licence');
  t.equal(json(viaToken)._newsdesk.usageTerms, terms);
  t.match(viaToken.headers['cache-control'], /private|no-store/);
  t.equal((await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}?token=${ft.token}` })).statusCode, 400, 'feed tokens work on feed URLs only');
  t.equal((await app.inject({ url: `/v1/feeds/rss.xml?token=${ft.token}`, headers: auth(full) })).statusCode, 400, 'not both credentials');
  t.equal((await app.inject({ url: '/v1/feeds/rss.xml?token=ndf_0000000000000000_' + 'x'.repeat(43) })).statusCode, 401);
  await app.inject({ method: 'DELETE', url: `/v1/admin/keys/${full.key.id}/feed-tokens/${ft.feedToken.id}`, headers: admin });
  t.equal((await app.inject({ url: `/v1/feeds/rss.xml?token=${ft.token}` })).statusCode, 401, 'a revoked feed token is refused');

  // Anonymous readers of every format never see it.
  for (const url of ['/v1/feeds/rss.xml', '/v1/feeds/atom.xml', '/v1/feeds/feed.json', `/v1/syndication/ninjs/articles/${AFTER_PAYWALL_STORY}`, '/v1/syndication/ninjs/articles?limit=100']) {
    t.notMatch((await app.inject({ url })).body, AFTER_PAYWALL_PHRASE, `${url} as anonymous`);
  }
});
