import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { DomUtils, parseDocument } from 'htmlparser2';
import { runImport } from '../src/importers/cli.js';
import { readWxr } from '../src/importers/wordpress/wxr.js';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp as buildApp, json } from './helpers/app.js';

// The stories are dated March 2026 (and one 2099): the clock reads a day after the newest.
const buildTestApp = (t: Parameters<typeof buildApp>[0]) => buildApp(t, { clock: new ManualClock(new Date('2026-03-12T12:00:00Z')) });

const FIXTURE = join(import.meta.dirname, 'fixtures/import/wordpress-small.xml');
const quiet = { media: null, members: null, dryRun: false, progress: false, log: () => {} };
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The site's uploads folder, as --media gets it: one picture the export names (the ferry photo is missing on purpose). */
async function uploadsDir(t: { teardown(fn: () => void): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-wp-uploads-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '2026/03'), { recursive: true });
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 80, b: 140 } } }).jpeg().toBuffer();
  writeFileSync(join(dir, '2026/03/harbour-wall.jpg'), jpeg);
  return dir;
}

/** Paragraph, heading, quote, list and caption texts of the source post, read with htmlparser2. */
function sourceTexts(html: string): string[] {
  const doc = parseDocument(html);
  return DomUtils.getElementsByTagName((name) => ['p', 'h2', 'li', 'cite', 'figcaption'].includes(name), doc.children, true)
    .map((el) => norm(DomUtils.textContent(el)))
    .filter((s) => s && !/^https:/.test(s));
}

t.test('a WordPress export becomes articles that read as they did, with sections, tags, authors, access and photos', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const media = await uploadsDir(t);
  const summary = await runImport(app, 'wordpress', FIXTURE, { ...quiet, media });
  t.equal(summary.get('article', 'created'), 4, 'four posts (published, classic, draft, scheduled)');
  t.equal(summary.get('page', 'skipped'), 1, 'pages are not articles');
  t.equal(summary.get('photo', 'created'), 1, 'the featured and inline picture, stored once');
  t.equal(summary.failures.length, 0, JSON.stringify(summary.failures));

  const res = await app.inject({ url: '/v1/articles/harbour-wall-gives-way', headers: admin });
  t.equal(res.statusCode, 200, 'the slug is kept');
  const a = json(res);
  t.equal(a.headline, 'Harbour wall gives way as storm surge floods Skarhavn');
  t.equal(a.sectionSlug, 'coast', 'the first category is the section');
  t.same(a.tagSlugs.sort(), ['floods', 'harbour'], 'the other categories and the tags are tags');
  t.same(a.authors.map((x: { name: string }) => x.name), ['Ilse Marten'], 'the display name, not the login');
  t.equal(a.access.level, 'registered', '_jetpack_newsletter_access subscribers → registered');
  t.equal(a.excerpt, 'The old harbour wall gave way before dawn.');
  t.equal(a.publishedAt, '2026-03-11T08:15:00.000Z', 'the GMT date');
  t.type(a.featuredPhotoId, 'number', 'the featured image came from --media');
  t.same(
    a.blocks.map((b: { type: string }) => b.type),
    ['paragraph', 'heading', 'list', 'paywall', 'quote', 'image', 'embed', 'paragraph'],
    'every block kind, the Jetpack paywall as the break, the separator left out',
  );
  const quote = a.blocks.find((b: { type: string }) => b.type === 'quote');
  t.equal(quote.attribution, 'Harbourmaster Tove Lind', 'the citation is the attribution');
  const image = a.blocks.find((b: { type: string }) => b.type === 'image');
  t.equal(image.photoId, a.featuredPhotoId, 'the inline image is the same photo (the attachment, not its resized copy)');
  t.equal(image.caption, 'Waves break over the harbour wall on Tuesday night.');
  const embed = a.blocks.find((b: { type: string }) => b.type === 'embed');
  t.same(embed, { type: 'embed', url: 'https://www.youtube.com/watch?v=abc123XYZ', provider: 'youtube', title: 'Footage from the harbour webcam' });
  t.match(a.html, /<a href="https:\/\/coastguard\.example\.org\/report">coastguard said<\/a>/, 'links are kept');
  t.match(a.html, /\*early\*/, 'Markdown punctuation in the source is text, not emphasis');

  // The same paragraphs, headings, list items, quote and caption as the source, in order.
  const source = readFileSync(FIXTURE, 'utf8');
  const post = source.slice(source.indexOf('<![CDATA[<!-- wp:paragraph -->'), source.indexOf(']]></content:encoded>'));
  const text = norm(a.text);
  let at = 0;
  for (const s of sourceTexts(post)) {
    const i = text.indexOf(s.replace(/^"|"$/g, ''), at);
    t.ok(i >= 0, `"${s}" reads as in the source`);
    if (i >= 0) at = i;
  }

  // Anonymous readers get the teaser: nothing past the Jetpack paywall block.
  const anon = json(await app.inject({ url: '/v1/articles/harbour-wall-gives-way' }));
  t.equal(anon.access.granted, false);
  t.notMatch(anon.text, /minutes, not hours/);

  // Classic HTML: autop paragraphs, [caption], <!--more-->, a script removed, a javascript: link kept as text.
  const ferry = json(await app.inject({ url: '/v1/articles/ferry-crews-vote', headers: admin }));
  t.equal(ferry.access.level, 'subscribers', 'paid_subscribers → subscribers');
  t.same(ferry.blocks.map((b: { type: string }) => b.type), ['paragraph', 'paragraph', 'paragraph', 'paywall', 'quote', 'paragraph']);
  t.equal(ferry.blocks[1].text, '<em>The morning ferry at its berth in Skarhavn.</em>', 'a picture not under --media keeps its caption as text');
  t.same(ferry.blocks[4], { type: 'quote', text: 'Nobody wants to strike, but the offer is an insult.', attribution: 'Union steward Ola Brenn' });
  t.equal(ferry.blocks[5].text, 'Talks resume on <em>Thursday</em>, according to the union.');
  t.notMatch(JSON.stringify(ferry), /alert|<script|javascript:/, 'no script anywhere');
  t.equal(ferry.sectionSlug, 'coast');
  t.same(ferry.authors.map((x: { name: string }) => x.name), ['Henrik Voss']);

  const drafts = json(await app.inject({ url: '/v1/articles?status=draft', headers: admin }));
  t.same(drafts.data.map((d: { headline: string }) => d.headline), ['Council budget: what the cuts mean'], 'the draft, with a slug made from its title');
  const scheduled = json(await app.inject({ url: '/v1/articles/bridge-reopening', headers: admin }));
  t.equal(scheduled.status, 'scheduled');
  t.equal(scheduled.scheduledFor, '2099-04-01T06:00:00.000Z');

  // Warnings say what was left out.
  const codes = [...summary.warnings.keys()];
  for (const code of ['separator-dropped', 'image-missing', 'shortcode-removed', 'script-removed', 'link-removed']) t.ok(codes.includes(code), `warns ${code}`);
  t.notOk(JSON.stringify(await app.inject({ url: '/v1/authors', headers: admin }).then(json)).includes('@'), 'no author e-mail imported');
});

t.test('the old permalink answers 301 to the article; unknown paths stay 404 problems', async (t) => {
  const { app } = await buildTestApp(t);
  await runImport(app, 'wordpress', FIXTURE, quiet);
  const res = await app.inject({ url: '/2026/03/11/harbour-wall-gives-way/?utm_source=x' });
  t.equal(res.statusCode, 301);
  t.equal(res.headers.location, '/v1/articles/harbour-wall-gives-way?utm_source=x');
  t.equal((await app.inject({ url: '/2026/03/11/harbour-wall-gives-way' })).statusCode, 301, 'with or without the trailing slash');
  const missing = await app.inject({ url: '/2026/03/11/no-such-story/' });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /application\/problem\+json/);
  t.equal((await app.inject({ url: '/2099/04/01/bridge-reopening/' })).statusCode, 404, 'a story not yet live does not redirect');
});

t.test('a second run writes nothing and says so; a changed post is updated', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const media = await uploadsDir(t);
  await runImport(app, 'wordpress', FIXTURE, { ...quiet, media });
  const before = json(await app.inject({ url: '/v1/articles/harbour-wall-gives-way', headers: admin }));
  const again = await runImport(app, 'wordpress', FIXTURE, { ...quiet, media });
  t.equal(again.get('article', 'unchanged'), 4);
  t.equal(again.wroteAnything, false);
  t.match(again.format(), /Nothing changed since the last import/);
  const after = json(await app.inject({ url: '/v1/articles/harbour-wall-gives-way', headers: admin }));
  t.equal(after.version, before.version, 'not even a new version');

  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-wp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const changed = join(dir, 'changed.xml');
  writeFileSync(changed, readFileSync(FIXTURE, 'utf8').replace('Talks resume on', 'Talks will resume on'));
  const third = await runImport(app, 'wordpress', changed, { ...quiet, media });
  t.equal(third.get('article', 'updated'), 1);
  t.equal(third.get('article', 'unchanged'), 3);
  const ferry = json(await app.inject({ url: '/v1/articles/ferry-crews-vote', headers: admin }));
  t.match(ferry.text, /Talks will resume on Thursday/);
  t.equal(json(await app.inject({ url: '/v1/articles?status=all&limit=100', headers: admin })).data.length, 4, 'no duplicate');
});

t.test('--dry-run reports what would be imported and writes nothing', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const summary = await runImport(app, 'wordpress', FIXTURE, { ...quiet, dryRun: true });
  t.equal(summary.get('article', 'created'), 4);
  t.match(summary.format(), /Dry run: nothing was written[\s\S]*4 would be created/);
  t.equal(json(await app.inject({ url: '/v1/articles?status=all', headers: admin })).data.length, 0);
  t.equal(json(await app.inject({ url: '/v1/sections' })).data.length, 0);
});

t.test('hostile and wrong files are refused with a clear message, never a crash', async (t) => {
  const { app } = await buildTestApp(t);
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-wp-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const head = '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>';
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty.xml', '', /empty or not XML/],
    ['binary.xml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]), /not well-formed XML/],
    ['json.xml', '{"db":[]}', /not well-formed XML/],
    ['html.xml', '<html><body><p>hi</p></body></html>', /root element is <html>/],
    ['noversion.xml', `${head}<item><title>x</title></item></channel></rss>`, /no wp:wxr_version/],
    ['version.xml', `${head}<wp:wxr_version>2.0</wp:wxr_version></channel></rss>`, /WXR version 2\.0 is not supported/],
    [
      'laughs.xml',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss><channel><wp:wxr_version>1.2</wp:wxr_version><item><title>&lol3;</title></item></channel></rss>',
      /DOCTYPE/,
    ],
    ['deep.xml', `${head}<wp:wxr_version>1.2</wp:wxr_version>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</channel></rss>`, /nested more than/],
    ['truncated.xml', `${head}<wp:wxr_version>1.2</wp:wxr_version><item><title>cut off`, /not well-formed XML/],
  ];
  for (const [name, body, message] of cases) {
    await t.rejects(runImport(app, 'wordpress', file(name, body), quiet), { name: 'ImportFileError', message }, name);
  }

  // An item too large to hold is skipped with its reason; the rest of the file is imported.
  const big = `${head}<wp:wxr_version>1.2</wp:wxr_version><item><title>Big</title><wp:post_id>1</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><content:encoded xmlns:content="c"><![CDATA[<p>${'word '.repeat(3_500_000)}</p>]]></content:encoded></item><item><title>Small</title><wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_name>small</wp:post_name><content:encoded xmlns:content="c">&lt;p&gt;fine&lt;/p&gt;</content:encoded></item></channel></rss>`;
  const summary = await runImport(app, 'wordpress', file('big.xml', big), quiet);
  t.equal(summary.get('article', 'failed'), 1);
  t.match(summary.failures[0].reason, /more than 16 MB/);
  t.equal(summary.get('article', 'created'), 1);
});

t.test('the reader streams: items arrive one at a time in document order', async (t) => {
  const seen: string[] = [];
  const info = await readWxr(FIXTURE, { item: (it) => void seen.push(`${it.postType}:${it.postId}`) });
  t.equal(info.version, '1.2');
  t.equal(info.siteUrl, 'https://courier.example.org');
  t.same(seen, ['post:101', 'post:102', 'post:103', 'post:104', 'page:2', 'attachment:11']);
});
