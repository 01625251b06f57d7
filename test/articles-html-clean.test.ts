import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { fakePhotos, post, publish, seedTaxonomy } from './helpers/articles.js';

/**
 * `blocks` reach clients as stored, and a frontend may put their text into a page unescaped:
 * HTML other than the inline allow-list is removed on save (and from rows stored before that,
 * on read), without touching ordinary text.
 */

// Markup a browser would read that is not the inline allow-list, an event handler or style on a
// tag, a javascript: link. (Text such as `&lt;img onerror=…` is text.)
const LIVE = /<(?!\/?(?:strong|em|b|i|a|code|br|s|del|sub|sup)[\s/>])(?:[a-z!?]|\/[a-z])|<[a-z][^>]*\s(?:on[a-z]+|style)\s*=|<a[^>]*href\s*=\s*["']?\s*javascript:/i;
const LIVE_HTML = /<(?:script|iframe|svg|style|img(?! src="https:\/\/cdn\.example\/))|<[a-z][^>]*\s(?:on[a-z]+|style)\s*=|href="javascript:/i;

const HOSTILE: [string, string][] = [
  ['script', 'Before <script>alert(1)</script> after'],
  ['img onerror', 'Look <img src=x onerror=alert(1)> here'],
  ['svg onload', '<svg onload=alert(1)><circle r="1"/></svg>Drawn'],
  ['iframe', 'Framed <iframe src="https://evil.example"></iframe> text'],
  ['javascript: link', 'A <a href="javascript:alert(1)">bad link</a> and <a href=" jav&#x09;ascript:alert(2)" title="t">another</a>'],
  ['handler on an allowed tag', 'Some <b onclick="alert(1)" style="x">bold</b> text'],
  ['nested', '<scr<script>ipt>alert(1)</script>Nested <<img>script>alert(2)<</img>/script>'],
  ['unclosed', 'Open tag at the end <img src=x onerror=alert(1)'],
  ['comment', 'Hidden <!-- <script>alert(1)</script> --> comment <!-- never closed'],
  ['style', 'Styled <style>body{display:none}</style>text'],
  ['autolink with a handler', 'See <https://x.example/onmouseover=alert(1)> and <javascript:alert(1)>'],
];

const BENIGN = [
  'AT&T said profits rose & costs fell; a < b and 5 > 3, so 3 <= 4.',
  'Markdown **bold**, *italic*, `code`, [a link](https://example.com/a?b=c&d=e "Title") and <https://example.com/auto>.',
  '“Curly quotes”, \'single\', "double" — and Zoë, Kőváros, 北京, Москва.',
  'Allowed inline HTML: H<sub>2</sub>O, <b>bold</b>, <a href="https://example.com" title="x">link</a>, line<br>break.',
  'Entities stay: &amp; &lt;tag&gt; &copy;',
];

t.test('hostile HTML in block text is removed on save, in blocks sent as JSON and as Markdown', async (t) => {
  const { app, admin } = await buildTestApp(t, { photoEmbedder: fakePhotos() });
  await seedTaxonomy(app, admin);
  const body = [
    ...HOSTILE.map(([, text]) => ({ type: 'paragraph', text })),
    { type: 'heading', level: 2, text: '<img src=x onerror=alert(1)>Heading' },
    { type: 'quote', text: 'Quoted <svg/onload=alert(1)>words', attribution: '<b>Ministry</b> <script>alert(1)</script>statement' },
    { type: 'list', ordered: false, items: ['<iframe src=x></iframe>one', 'two <a href="javascript:alert(1)">x</a>'] },
    { type: 'image', photoId: 1, caption: 'Caption <img src=x onerror=alert(1)>', altText: '<b>Alt</b>' },
    { type: 'embed', url: 'https://example.com/v', title: 'Title <script>alert(1)</script>', provider: '<i>Prov</i>' },
  ];
  await publish(app, admin, { slug: 'json', headline: 'JSON', body });
  await publish(app, admin, { slug: 'md', headline: 'Markdown', bodyMarkdown: HOSTILE.map(([, text]) => text).join('\n\n') });

  for (const slug of ['json', 'md']) {
    for (const headers of [{}, admin]) {
      const a = json(await app.inject({ url: `/v1/articles/${slug}`, headers }));
      const texts: string[] = a.blocks.flatMap((b: Record<string, unknown>) =>
        [b.text, b.attribution, b.caption, b.altText, b.title, b.provider, ...((b.items as string[]) ?? [])].filter((x): x is string => typeof x === 'string'),
      );
      t.ok(texts.length >= HOSTILE.length, `${slug}: blocks are there`);
      for (const text of texts) t.notMatch(text, LIVE, `${slug}: no live markup in ${JSON.stringify(text)}`);
      t.notMatch(a.html, LIVE_HTML);
    }
  }
  const a = json(await app.inject({ url: '/v1/articles/json' }));
  const texts = a.blocks.map((b: { text?: string }) => b.text);
  t.equal(texts[0], 'Before  after', 'script and its content removed');
  t.equal(texts[1], 'Look  here');
  t.equal(texts[3], 'Framed  text');
  t.equal(texts[4], 'A <a>bad link</a> and <a title="t">another</a>', 'unsafe href removed, the link text and safe attributes kept');
  t.equal(texts[5], 'Some <b>bold</b> text', 'an allowed tag loses its attributes');
  t.equal(texts[7], 'Open tag at the end &lt;img src=x onerror=alert(1)', 'a tag left open is text, not markup');
  t.equal(texts[8], 'Hidden  comment &lt;!-- never closed');
  t.equal(a.blocks[HOSTILE.length + 1].attribution, 'Ministry statement', 'plain fields keep no tags at all');
  t.same(a.blocks[HOSTILE.length + 2].items, ['one', 'two <a>x</a>']);
  t.same(a.blocks[HOSTILE.length + 3], { type: 'image', photoId: 1, caption: 'Caption', altText: 'Alt' });
  t.same(a.blocks[HOSTILE.length + 4], { type: 'embed', url: 'https://example.com/v', title: 'Title', provider: 'Prov' });
});

t.test('ordinary text survives unchanged in blocks, and html/text render as before', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'benign', headline: 'Benign', body: BENIGN.map((text) => ({ type: 'paragraph', text })) });
  await publish(app, admin, { slug: 'benign-md', headline: 'Benign', bodyMarkdown: BENIGN.join('\n\n') });
  for (const slug of ['benign', 'benign-md']) {
    const a = json(await app.inject({ url: `/v1/articles/${slug}` }));
    t.same(a.blocks.map((b: { text: string }) => b.text), BENIGN, `${slug}: text as written`);
    t.equal(
      a.html.split('\n')[0],
      '<p>AT&amp;T said profits rose &amp; costs fell; a &lt; b and 5 &gt; 3, so 3 &lt;= 4.</p>',
    );
    t.match(a.html, '<a href="https://example.com/a?b=c&amp;d=e" title="Title">a link</a>');
    t.match(a.html, '<a href="https://example.com/auto">https://example.com/auto</a>');
    t.match(a.html, 'H<sub>2</sub>O, <b>bold</b>, <a href="https://example.com" title="x">link</a>, line<br />break.');
    t.match(a.text, 'AT&T said profits rose & costs fell; a < b and 5 > 3, so 3 <= 4.');
    t.match(a.text, 'Entities stay: & <tag> ©');
  }
});

t.test('code spans holding HTML keep their text; escaped tags stay literal', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const a = await publish(app, admin, { slug: 'code', headline: 'Code', body: [
    { type: 'paragraph', text: 'Use `<script src="x.js">` with care; write \\<b> for a literal tag.' },
  ] });
  t.equal(a.blocks[0].text, 'Use <code>&lt;script src&#61;&#34;x&#46;js&#34;&gt;</code> with care; write &lt;b> for a literal tag.');
  t.equal(a.html, '<p>Use <code>&lt;script src="x.js"&gt;</code> with care; write &lt;b&gt; for a literal tag.</p>', 'rendered as before');
});

t.test('a text field that is nothing but HTML is a 400 naming it', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const res = await app.inject({
    method: 'POST', url: '/v1/articles', headers: admin,
    payload: { headline: 'x', body: [{ type: 'paragraph', text: 'fine' }, { type: 'list', items: ['ok', '<script>alert(1)</script>'] }, { type: 'paragraph', text: '<img src=x onerror=alert(1)>' }] },
  });
  t.equal(res.statusCode, 400);
  t.same(json(res).errors.map((e: { pointer: string }) => e.pointer), ['/body/body/1/items/1', '/body/body/2/text']);
  t.equal(json(await app.inject({ url: '/v1/articles?status=all', headers: admin })).meta.total, 0, 'nothing saved');
  // In Markdown such a paragraph simply vanishes, as raw HTML blocks always did.
  const md = await post(app, admin, '/v1/articles', { headline: 'y', bodyMarkdown: 'Text\n\nOnly <img src=x onerror=alert(1)> **<script>x</script>**' });
  t.same(md.blocks, [{ type: 'paragraph', text: 'Text' }, { type: 'paragraph', text: 'Only  ****' }]);
});

t.test('a body stored before cleaning existed is cleaned when read', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'old', headline: 'Old', body: [{ type: 'paragraph', text: 'placeholder' }, { type: 'paragraph', text: 'second' }] });
  const dirty = [
    { type: 'paragraph', text: 'Old <img src=x onerror=alert(1)>row' },
    { type: 'paragraph', text: '<script>alert(1)</script>' },
    { type: 'paragraph', text: 'AT&T a < b' },
  ];
  app.db.$client.prepare("UPDATE articles SET body = ? WHERE slug = 'old'").run(JSON.stringify(dirty));
  for (const headers of [{}, admin]) {
    const a = json(await app.inject({ url: '/v1/articles/old', headers }));
    t.same(a.blocks, [{ type: 'paragraph', text: 'Old row' }, { type: 'paragraph', text: 'AT&T a < b' }], 'cleaned; a block left empty is dropped');
  }
});

t.test('cleaning is idempotent and leaves no live markup, whatever the text', async (t) => {
  const fc = (await import('fast-check')).default;
  const { cleanInlineHtml, stripHtml } = await import('../src/content/inlineHtml.js');
  const pieces = ['<', '>', '/', '!', '?', '-', '"', "'", '=', ' ', '\n', '`', '\\', '&', 'a', 'b', 'img', 'script', 'on', 'onerror', 'style', 'href', 'javascript:', 'https:', '@x.io', '--', '<!--', '-->'];
  const text = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(''));
  fc.assert(
    fc.property(text, (s) => {
      const once = cleanInlineHtml(s);
      // Autolinks stay (`<https://…>`, `<a@b.io>`), unless a browser would find a handler or a style in them.
      const autolinks = /<(?:[a-z][a-z0-9+.-]+:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>/gi;
      // A code span is an element between its neighbours: dropping it must not join `<` and `img` into a tag that is not there.
      const harmless = (x: string) => !LIVE.test(x.replace(/<code>[^<]*<\/code>/g, ' ').replace(autolinks, ' ')) && !/<[^\s<>]*\/(?:on[a-z]+|style)=[^\s<>]*>/i.test(x);
      return cleanInlineHtml(once) === once && harmless(once) && harmless(stripHtml(s)) && !/<(?!https?:|mailto:|[^\s<>@]+@)(?:[a-z!?]|\/[a-z])/i.test(stripHtml(s));
    }),
    { numRuns: 5000 },
  );
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('<')), (s) => cleanInlineHtml(s) === s.trim()));
  t.pass('properties hold');
});
