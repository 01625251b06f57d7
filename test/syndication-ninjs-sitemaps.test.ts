import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { seedSampleContent } from '../src/seed/index.js';
import { AFTER_PAYWALL_PHRASE, AFTER_PAYWALL_STORY } from '../src/seed/stories.js';
import { sitemapPageCount } from '../src/syndication/sitemaps.js';
import { buildTestApp, json } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/syndication.js';

// The official IPTC ninjs 3.1 schema, vendored with its licence (test/fixtures/ninjs-LICENSE.txt).
const schema = JSON.parse(readFileSync(new URL('./fixtures/ninjs-schema_3.1.json', import.meta.url), 'utf8'));
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: false });
(addFormats as unknown as typeof addFormats.default)(ajv);
// places[].geoJSON refers to the external GeoJSON schema; we never emit geoJSON, so any object will do.
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
const validateNinjs = ajv.compile(schema);

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['url', 'sitemap'].includes(name) });

t.test('every seeded article\'s ninjs validates against the official schema, for every kind of caller', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedSampleContent(app);
  const all = json(await app.inject({ url: '/v1/articles?limit=100&status=all', headers: admin })).data as { slug: string; status: string }[];
  t.ok(all.length >= 10, 'the sample stories, drafts and scheduled ones included');
  let checked = 0;
  for (const { slug, status } of all) {
    const callers: Record<string, string>[] = [admin];
    if (status === 'published') callers.push({});
    for (const headers of callers) {
      const res = await app.inject({ url: `/v1/syndication/ninjs/articles/${slug}`, headers });
      t.equal(res.statusCode, 200);
      const doc = json(res);
      const ok = validateNinjs(doc);
      t.ok(ok, `${slug} (${headers.authorization ? 'admin' : 'anonymous'}) is valid ninjs 3.1`, { errors: validateNinjs.errors });
      checked++;
    }
  }
  t.ok(checked > all.length, `${checked} documents validated`);

  const doc = json(await app.inject({ url: `/v1/syndication/ninjs/articles/${AFTER_PAYWALL_STORY}` }));
  t.equal(doc.type, 'text');
  t.equal(doc.representationType, 'partial', 'anonymous readers get the teaser');
  t.equal(doc.pubStatus, 'usable');
  t.notMatch(JSON.stringify(doc), AFTER_PAYWALL_PHRASE);
  t.ok(doc.headlines[0].value && doc.by && doc.located && doc.language && doc.versionCreated && doc.firstCreated && doc.contentCreated);
  t.same(doc.bodies.map((b: { contentType: string }) => b.contentType), ['text/html', 'text/plain']);
  t.ok(doc.bodies.every((b: { wordCount: number }) => b.wordCount > 0), 'word counts');
  t.ok(doc.subjects.some((s: { rel: string }) => s.rel === 'section') && doc.subjects.some((s: { rel: string }) => s.rel === 'tag'));
  t.ok(doc.infoSources.length > 0, 'agencies as infoSources');
  const pic = doc.associations[0];
  t.equal(pic.type, 'picture');
  t.ok(pic.descriptions[0].value && pic.by, 'caption and credit');
  t.ok(pic.renditions.length > 0 && pic.renditions.every((r: { href: string; contentType: string }) => r.href && r.contentType.startsWith('image/')));
  const full = json(await app.inject({ url: `/v1/syndication/ninjs/articles/${AFTER_PAYWALL_STORY}`, headers: admin }));
  t.equal(full.representationType, 'full');
  t.match(JSON.stringify(full.bodies), AFTER_PAYWALL_PHRASE);
  const draft = all.find((a) => a.status === 'draft')!;
  t.equal(json(await app.inject({ url: `/v1/syndication/ninjs/articles/${draft.slug}`, headers: admin })).pubStatus, 'withheld');
  t.equal((await app.inject({ url: `/v1/syndication/ninjs/articles/${draft.slug}` })).statusCode, 404, 'drafts do not exist for readers');

  // Content negotiation on the article itself.
  const negotiated = await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}`, headers: { accept: 'application/ninjs+json' } });
  t.match(negotiated.headers['content-type'], /^application\/ninjs\+json/);
  t.match(negotiated.headers.vary, /Accept/);
  t.same(json(negotiated), doc, 'the same document as the explicit path');
  const plain = await app.inject({ url: `/v1/articles/${AFTER_PAYWALL_STORY}` });
  t.match(plain.headers['content-type'], /^application\/json/);
  t.not(plain.headers.etag, negotiated.headers.etag, 'each representation has its own ETag');

  const list = json(await app.inject({ url: '/v1/syndication/ninjs/articles?limit=3&section=business' }));
  t.ok(list.data.length > 0);
  for (const d of list.data) t.ok(validateNinjs(d), 'list items are valid ninjs', { errors: validateNinjs.errors });
});

t.test('sitemaps: an index split at the page size, pages of URLs, and a Google News sitemap of the last 48 hours', async (t) => {
  t.equal(sitemapPageCount(0, 50_000), 1);
  t.equal(sitemapPageCount(50_000, 50_000), 1);
  t.equal(sitemapPageCount(50_001, 50_000), 2, 'the 50,001st URL starts a second page');

  const { app, admin, clock } = await buildTestApp(t, { env: { SITEMAP_PAGE_SIZE: '2' } });
  await seedTaxonomy(app, admin);
  const day = 86_400_000;
  const made: string[] = [];
  for (let i = 0; i < 5; i++) {
    const a = await publish(app, admin, { headline: `Story ${i}`, bodyMarkdown: 'Text.', publishedAt: new Date(clock.now().getTime() - (4 - i) * day).toISOString() });
    made.push(a.slug);
  }
  await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { headline: 'A draft', section: 'world' } });

  const index = await app.inject({ url: '/sitemap.xml' });
  t.match(index.headers['content-type'], /^application\/xml/);
  const sitemaps = parser.parse(index.body).sitemapindex.sitemap as { loc: string; lastmod: string }[];
  t.same(sitemaps.map((s) => s.loc), [
    'http://localhost:3000/sitemap-articles-1.xml',
    'http://localhost:3000/sitemap-articles-2.xml',
    'http://localhost:3000/sitemap-articles-3.xml',
    'http://localhost:3000/sitemap-news.xml',
  ], '5 URLs at 2 per page: 3 pages, at the root (a sitemap may only list URLs under its own directory)');
  const urls: string[] = [];
  for (const s of sitemaps.slice(0, 3)) {
    const res = await app.inject({ url: new URL(s.loc).pathname });
    t.equal(res.statusCode, 200);
    const set = parser.parse(res.body).urlset;
    t.equal(set['@xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9');
    for (const u of set.url) {
      t.ok(!Number.isNaN(Date.parse(u.lastmod)), 'lastmod is a date');
      urls.push(u.loc.split('/').pop());
    }
  }
  t.same(urls, made, 'every published article exactly once, no drafts');
  t.equal((await app.inject({ url: '/sitemap-articles-4.xml' })).statusCode, 404);
  t.equal((await app.inject({ url: '/sitemap-articles-0.xml' })).statusCode, 404);
  t.equal((await app.inject({ url: '/sitemap-articles-x.xml' })).statusCode, 404);
  // The former locations redirect (permanently) to the root ones.
  for (const [old, now] of [['/sitemaps/articles-2.xml', '/sitemap-articles-2.xml'], ['/sitemaps/news.xml', '/sitemap-news.xml']]) {
    const res = await app.inject({ url: old });
    t.equal(res.statusCode, 301, old);
    t.equal(res.headers.location, now);
  }
  t.equal((await app.inject({ url: '/sitemaps/other.xml' })).statusCode, 404);

  const news = parser.parse((await app.inject({ url: '/sitemap-news.xml' })).body).urlset;
  t.equal(news['@xmlns:news'], 'http://www.google.com/schemas/sitemap-news/0.9');
  t.same(news.url.map((u: { loc: string }) => u.loc.split('/').pop()), [made[4], made[3], made[2]], 'newest first');
  t.equal(news.url.length, 3, 'published within 48 hours: today, yesterday, two days ago (exactly 48 h)');
  const entry = news.url[0]['news:news'];
  t.equal(entry['news:publication']['news:name'], 'The Newsdesk Chronicle');
  t.equal(entry['news:publication']['news:language'], 'en');
  t.equal(entry['news:title'], 'Story 4');
  t.ok(!Number.isNaN(Date.parse(entry['news:publication_date'])));
});

t.test('robots.txt names the sitemaps on PUBLIC_BASE_URL, whatever Host the caller sends', async (t) => {
  const { app } = await buildTestApp(t, { env: { PUBLIC_BASE_URL: 'https://news.example.com/' } });
  for (const headers of [{}, { host: 'evil.example' }, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }]) {
    const res = await app.inject({ url: '/robots.txt', headers });
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/plain/);
    t.match(res.headers['cache-control'], /^public/);
    const lines = res.body.split('\n');
    t.ok(lines.includes('User-agent: *'), 'a group for every crawler');
    const sitemaps = lines.filter((l) => l.startsWith('Sitemap: ')).map((l) => l.slice('Sitemap: '.length));
    t.same(sitemaps, ['https://news.example.com/sitemap.xml', 'https://news.example.com/sitemap-news.xml'], 'absolute, on PUBLIC_BASE_URL');
    t.notMatch(res.body, /evil/, 'the Host header never names the sitemaps');
    for (const url of sitemaps) {
      const sitemap = await app.inject({ url: new URL(url).pathname });
      t.equal(sitemap.statusCode, 200, `${url} is served`);
      t.match(sitemap.headers['content-type'], /^application\/xml/);
    }
  }
  const head = await app.inject({ method: 'HEAD', url: '/robots.txt' });
  t.equal(head.statusCode, 200);
});
