import t from 'tap';
import { teaserOf, type Block } from '../src/content/blocks.js';
import { MarkdownError, markdownToBlocks } from '../src/content/markdown.js';
import { countWords, deriveExcerpt, inlineText, readingTimeMinutes, renderHtml, renderText } from '../src/content/render.js';

t.test('Markdown to blocks', async (t) => {
  t.same(markdownToBlocks('# Top\n\n### Third\n\n##### Deep'), [
    { type: 'heading', level: 2, text: 'Top' },
    { type: 'heading', level: 3, text: 'Third' },
    { type: 'heading', level: 4, text: 'Deep' },
  ]);
  t.same(markdownToBlocks('Line one\nline two.'), [{ type: 'paragraph', text: 'Line one line two.' }], 'soft breaks join');
  t.same(markdownToBlocks('a\n\n<!--   PAYWALL -->\n\nb').map((b) => b.type), ['paragraph', 'paywall', 'paragraph']);
  t.same(markdownToBlocks('> Words here.\n> -- A. Person'), [{ type: 'quote', text: 'Words here.', attribution: 'A. Person' }], '"-- " attribution');
  t.same(markdownToBlocks('> — Only a dash line'), [{ type: 'quote', text: '— Only a dash line' }], 'a one-line quote keeps its text');
  t.same(markdownToBlocks('1. one\n2. two'), [{ type: 'list', ordered: true, items: ['one', 'two'] }]);
  t.same(markdownToBlocks('![Alt](photo:12 "Cap")'), [{ type: 'image', photoId: 12, altText: 'Alt', caption: 'Cap' }]);
  t.same(markdownToBlocks('![](photo:12)'), [{ type: 'image', photoId: 12 }]);
  t.same(markdownToBlocks('https://video.example/watch/1'), [{ type: 'embed', url: 'https://video.example/watch/1' }]);
  t.same(markdownToBlocks('See https://x.example now'), [{ type: 'paragraph', text: 'See https://x.example now' }]);
  t.same(markdownToBlocks('---\n\n<!-- a comment -->\n\n<script>alert(1)</script>'), [], 'rules, comments and scripts vanish');
  t.same(markdownToBlocks('    <b>code</b>'), [{ type: 'paragraph', text: '&lt;b\\>code&lt;/b\\>' }], 'code is kept literally (no "<" a browser reads as a tag)');
  t.equal(renderText(markdownToBlocks('    <b>code</b> *x*')), '<b>code</b> *x*');
  t.throws(() => markdownToBlocks('![a](https://x.example/a.png)'), MarkdownError);
  t.same(markdownToBlocks(''), []);
});

t.test('a paywall marker anywhere in Markdown is a break, never a dropped comment', async (t) => {
  const types = (md: string) => markdownToBlocks(md).map((b) => b.type);
  t.same(types('Para one.\n\nPara three <!-- paywall --> HIDDEN after.'), ['paragraph', 'paragraph', 'paywall', 'paragraph'], 'mid-paragraph');
  t.same(types('A\n\n<!-- paywall -->HIDDEN\n\nC'), ['paragraph', 'paywall', 'paragraph', 'paragraph'], 'text glued after the marker');
  t.same(types('- item\n- <!-- paywall -->\n- HIDDEN'), ['list', 'paywall', 'list'], 'inside a list');
  t.same(types('> quote\n> <!-- paywall -->\n> HIDDEN'), ['quote', 'paywall', 'quote'], 'inside a blockquote');
  for (const md of ['Para three <!-- paywall --> HIDDEN after.', 'A\n\n<!-- paywall -->HIDDEN', '> q\n> <!--paywall-->\n> HIDDEN']) {
    const teaser = teaserOf(markdownToBlocks(md), 3);
    t.notMatch(renderText(teaser), /HIDDEN/, `teaser of ${JSON.stringify(md)} stops at the marker`);
  }
});

t.test('inline formatting, HTML and text', async (t) => {
  t.equal(inlineText('**Bold** and _it_ and [link](https://a.example) &amp; `code`'), 'Bold and it and link & code');
  const blocks: Block[] = [
    { type: 'paragraph', text: 'P with [a link](https://a.example "T").' },
    { type: 'list', ordered: false, items: ['one', 'two'] },
    { type: 'image', photoId: 3, caption: 'A caption' },
    { type: 'embed', url: 'https://v.example/1', title: 'Video', provider: 'V' },
    { type: 'paywall' },
  ];
  t.equal(
    renderHtml(blocks),
    '<p>P with <a href="https://a.example" title="T">a link</a>.</p>\n<ul><li>one</li><li>two</li></ul>\n' +
      '<figure class="image" data-photo-id="3"><figcaption>A caption</figcaption></figure>\n' +
      '<figure class="embed"><a href="https://v.example/1" rel="noopener nofollow">Video</a> <span class="provider">V</span></figure>',
  );
  t.equal(renderText(blocks), 'P with a link.\n\n- one\n- two\n\nA caption\n\nVideo (https://v.example/1)');
});

t.test('word count, reading time, excerpt, teaser', async (t) => {
  t.equal(countWords('The RIA news agency — quoted 3 officials, "at 10:00".'), 9);
  t.equal(countWords(''), 0);
  t.equal(countWords('Ostravia’s über-fast 東京 reply'), 4);
  t.equal(readingTimeMinutes(0, 200), 0);
  t.equal(readingTimeMinutes(1, 200), 1);
  t.equal(readingTimeMinutes(200, 200), 1);
  t.equal(readingTimeMinutes(201, 200), 2);
  t.equal(readingTimeMinutes(550, 200), 3);

  const long = 'word '.repeat(100).trim();
  const excerpt = deriveExcerpt([{ type: 'heading', level: 2, text: 'H' }, { type: 'paragraph', text: long }])!;
  t.ok(excerpt.length <= 300);
  t.match(excerpt, /word…$/);
  t.equal(deriveExcerpt([{ type: 'heading', level: 2, text: 'Only a heading' }]), null);

  const body: Block[] = [1, 2, 3, 4, 5].map((n) => ({ type: 'paragraph', text: `p${n}` }));
  t.same(teaserOf(body, 3).length, 3);
  t.same(teaserOf([...body.slice(0, 1), { type: 'paywall' }, ...body.slice(1)], 3), body.slice(0, 1), 'the break wins');
  t.same(teaserOf([{ type: 'paywall' }, ...body], 3), [], 'a break first: nothing');
});
