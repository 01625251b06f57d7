import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp, json } from './helpers/app.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['entry', 'item', 'link', 'category', 'author'].includes(name),
});

/**
 * fast-xml-parser accepts a raw `&` or `<` inside an attribute value, which XML forbids (and strict
 * readers then reject the whole feed), so check that here: every attribute value is `<`-free and
 * each `&` starts an entity.
 */
function attributeProblems(xml: string): string[] {
  const bad: string[] = [];
  for (const tag of xml.match(/<[A-Za-z][^<>]*?\/?>/g) ?? []) {
    for (const m of tag.matchAll(/\s[\w:-]+="([^"]*)"/g)) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(m[1])) bad.push(m[0]);
    }
  }
  // A `<` inside a quoted attribute shows up as a tag the regex above could not close.
  for (const m of xml.matchAll(/="[^"]*</g)) bad.push(m[0]);
  return bad;
}

t.test('Atom: captions, credits, tag names and headlines with &, < and quotes stay well-formed and mean themselves; entries without a byline', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedSampleContent(app);
  const photos = json(await app.inject({ url: '/v1/photos?limit=1', headers: admin })).data;
  const photo = photos[0];
  const caption = 'Dock workers & "stevedores" <on strike> at the quay';
  const credit = 'SMITH & CO/"HANDOUT"';
  const patched = await app.inject({
    method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: { ...admin, 'if-match': `"v${photo.version}"` },
    payload: { caption, credit },
  });
  t.equal(patched.statusCode, 200, patched.body);
  const tag = await app.inject({ method: 'POST', url: '/v1/tags', headers: admin, payload: { slug: 'arts-culture', name: 'Arts & <Culture>' } });
  t.equal(tag.statusCode, 201, tag.body);
  const headline = 'Salt & <pepper> "quoted" tale';
  const standfirst = 'When A < B & C';
  const created = await app.inject({
    method: 'POST', url: '/v1/articles', headers: admin,
    payload: { headline, standfirst, section: 'world', tags: ['arts-culture'], status: 'published', featuredPhotoId: photo.id, bodyMarkdown: 'Body.' },
  });
  t.equal(created.statusCode, 201, created.body);

  const res = await app.inject({ url: '/v1/feeds/atom.xml' });
  t.equal(res.statusCode, 200);
  t.same(attributeProblems(res.body), [], 'no raw & or < in attribute values');
  const feed = parser.parse(res.body).feed;
  t.same(feed.author?.map((a: { name: string }) => a.name), ['The Newsdesk Chronicle'], 'a feed-level author (RFC 4287 §4.1.1: entries may have none)');
  const entry = feed.entry.find((e: any) => e.link.some((l: any) => String(l['@href']).endsWith(json(created).slug)));
  t.ok(entry, 'the entry is in the feed');
  t.notOk(entry.author, 'this entry has no byline');
  const enclosure = entry.link.find((l: any) => l['@rel'] === 'enclosure');
  t.equal(enclosure['@title'], `${caption} — Photo: ${credit}`, 'the enclosure title decodes to the caption and credit');
  t.ok(entry.category.some((c: any) => c['@label'] === 'Arts & <Culture>'), 'the category label decodes to the tag name (not double-escaped)', { labels: entry.category.map((c: any) => c['@label']), raw: res.body.match(/<category[^>]*arts-culture[^>]*>/)?.[0] });
  // title/summary are type="html": the CDATA holds HTML, whose text must be the headline itself.
  t.equal(entry.title['@type'], 'html');
  t.equal(entry.title['#text'], 'Salt &amp; &lt;pepper&gt; &quot;quoted&quot; tale', 'the headline as escaped HTML');
  t.equal(entry.summary['#text'], 'When A &lt; B &amp; C', 'the standfirst as escaped HTML');

  const rss = await app.inject({ url: '/v1/feeds/rss.xml' });
  t.same(attributeProblems(rss.body), [], 'RSS too');
  const item = parser.parse(rss.body).rss.channel.item.find((i: any) => String(i.link).endsWith(json(created).slug));
  t.equal(item.title, headline, 'RSS titles stay plain text');
  t.equal(item['media:content']['media:description']['#text'], caption);
});
