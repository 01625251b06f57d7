import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp, json } from './helpers/app.js';
import { XML_ILLEGAL, xmlErrors } from './helpers/xml.js';

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
  // title/summary are plain text (type="text"): once parsed, the headline itself.
  t.equal(entry.title['@type'], 'text');
  t.equal(entry.title['#text'], headline, 'the headline');
  t.equal(entry.summary['#text'], standfirst, 'the standfirst');

  const rss = await app.inject({ url: '/v1/feeds/rss.xml' });
  t.same(attributeProblems(rss.body), [], 'RSS too');
  const item = parser.parse(rss.body).rss.channel.item.find((i: any) => String(i.link).endsWith(json(created).slug));
  t.equal(item.title, headline, 'RSS titles stay plain text');
  t.equal(item['media:content']['media:description']['#text'], caption);
});

/** Text with everything that has broken XML feeds: `]]>` twice, markup characters, and C0 controls XML 1.0 forbids. */
const HOSTILE = (what: string) => `${what} ]]> one ]]> two & <b>bold</b> \u0001\u0008\u000B\u000C\u001F\uFFFE end`;
/** What the API accepts on input: the same without the control characters (refused with a 400 there). */
const ACCEPTED = (what: string) => HOSTILE(what).replace(/[\u0000-\u001F\uFFFE]/g, '');
/**
 * Control characters still reach stored rows by other ways (rows from before input validation, a
 * CLI or the sqlite3 shell): put them back directly, as such a writer would.
 */
function storeRaw(app: import('fastify').FastifyInstance, table: string, column: string, where: string, what: string) {
  app.db.$client.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${where}`).run(HOSTILE(what));
}
/** The same text as a reader must get it back: the forbidden characters dropped, the rest meaning itself. */
const CLEAN = (what: string) => `${what} ]]> one ]]> two & <b>bold</b>  end`;

t.test('every feed, site-wide and per section, tag and author, is well-formed XML to a strict parser whatever the text holds', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedSampleContent(app);
  const photo = json(await app.inject({ url: '/v1/photos?limit=1', headers: admin })).data[0];
  const patched = await app.inject({
    method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: { ...admin, 'if-match': `"v${photo.version}"` },
    payload: { caption: ACCEPTED('Caption'), credit: ACCEPTED('Credit'), copyright: ACCEPTED('Copyright') },
  });
  t.equal(patched.statusCode, 200, patched.body);
  for (const column of ['caption', 'credit', 'copyright']) storeRaw(app, 'photos', column, `id = ${Number(photo.id)}`, column[0].toUpperCase() + column.slice(1));
  for (const [url, slug, name] of [['/v1/sections', 'hostile-section', 'Section'], ['/v1/tags', 'hostile-tag', 'Tag'], ['/v1/authors', 'hostile-author', 'Author']]) {
    const res = await app.inject({ method: 'POST', url, headers: admin, payload: { slug, name: ACCEPTED(name) } });
    t.equal(res.statusCode, 201, res.body);
    storeRaw(app, url.slice(4), 'name', `slug = '${slug}'`, name);
  }
  const created = await app.inject({
    method: 'POST', url: '/v1/articles', headers: admin,
    payload: {
      headline: ACCEPTED('Headline'), standfirst: ACCEPTED('Standfirst'), section: 'hostile-section', tags: ['hostile-tag'], authors: ['hostile-author'],
      status: 'published', featuredPhotoId: photo.id, bodyMarkdown: `${ACCEPTED('Body')}\n\nA second ]]> paragraph ]]> here.`,
    },
  });
  t.equal(created.statusCode, 201, created.body);
  const slug = json(created).slug as string;
  storeRaw(app, 'articles', 'headline', `slug = '${slug}'`, 'Headline');
  storeRaw(app, 'articles', 'standfirst', `slug = '${slug}'`, 'Standfirst');

  const scopes = ['/v1/feeds', '/v1/feeds/sections/hostile-section', '/v1/feeds/tags/hostile-tag', '/v1/feeds/authors/hostile-author'];
  for (const scope of scopes) {
    const rss = await app.inject({ url: `${scope}/rss.xml` });
    t.equal(rss.statusCode, 200, `${scope}/rss.xml`);
    t.same(xmlErrors(rss.body), [], `${scope}/rss.xml is well-formed`);
    t.notMatch(rss.body, XML_ILLEGAL, 'no character XML 1.0 forbids');
    const atom = await app.inject({ url: `${scope}/atom.xml` });
    t.same(xmlErrors(atom.body), [], `${scope}/atom.xml is well-formed`);
    t.notMatch(atom.body, XML_ILLEGAL);
    const feed = await app.inject({ url: `${scope}/feed.json` });
    t.equal(feed.statusCode, 200);
    t.notMatch(JSON.stringify(json(feed)), /\\u00(?:0[0-8bcef]|1[0-9a-f])|\uFFFE/, `${scope}/feed.json carries no control characters either`);
  }

  // What the texts mean once parsed: themselves, less the forbidden characters.
  const rss = parser.parse((await app.inject({ url: '/v1/feeds/sections/hostile-section/rss.xml' })).body).rss.channel;
  t.equal(rss.title, `The Newsdesk Chronicle: ${CLEAN('Section')}`);
  const item = rss.item.find((i: any) => String(i.link).endsWith(slug));
  t.equal(item.title, CLEAN('Headline'), 'RSS title: plain text');
  t.equal(item.description, escapeHtml(CLEAN('Standfirst')), 'RSS description: HTML, so the standfirst is escaped to mean itself');
  t.match(item['content:encoded'], 'A second ]]&gt; paragraph ]]&gt; here.', 'the body HTML survives');
  t.equal(item['dc:creator'], CLEAN('Author'));
  t.ok(item.category.includes(CLEAN('Tag')), 'tag as category');
  t.equal(item['media:content']['media:description']['#text'], CLEAN('Caption'));
  t.equal(item['media:content']['media:credit'], CLEAN('Credit'));
  t.equal(item['media:content']['media:copyright'], CLEAN('Copyright'));

  const atom = parser.parse((await app.inject({ url: '/v1/feeds/tags/hostile-tag/atom.xml' })).body).feed;
  const entry = atom.entry.find((e: any) => e.link.some((l: any) => String(l['@href']).endsWith(slug)));
  t.equal(entry.title['#text'], CLEAN('Headline'));
  t.equal(entry.summary['#text'], CLEAN('Standfirst'));
  t.equal(entry.author[0].name, CLEAN('Author'));
  t.ok(entry.category.some((c: any) => c['@label'] === CLEAN('Tag')));
  t.equal(entry.link.find((l: any) => l['@rel'] === 'enclosure')['@title'], `${CLEAN('Caption')} — Photo: ${CLEAN('Credit')}`);

  const jf = json(await app.inject({ url: '/v1/feeds/authors/hostile-author/feed.json' }));
  t.equal(jf.items[0].title, CLEAN('Headline'));
  t.equal(jf.items[0]._newsdesk.photo.caption, CLEAN('Caption'));
});

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
