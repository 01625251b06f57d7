import fc from 'fast-check';
import sanitizeHtml from 'sanitize-html';
import t from 'tap';
import { Block } from '../src/content/blocks.js';
import { DOCUMENT_ALLOW_LIST, renderHtml } from '../src/content/render.js';
import type { EmbeddedPhoto } from '../src/schemas/photo.js';

/**
 * renderHtml builds the document from parts that are each made safe where they are made (inline
 * Markdown through sanitize-html, plain fields escaped, URLs normalised to http(s)); it does not
 * run the whole document through the sanitiser again. This property holds it to that: for any
 * blocks the schema accepts, however hostile their text, and any photo data, the output is
 * already what the sanitiser's document allow-list would let through, so a second pass is a no-op.
 */

const HOSTILE = [
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<svg onload=alert(1)>', '<iframe src="javascript:alert(1)">',
  '[x](javascript:alert(1))', '[x](data:text/html,<script>1</script>)', '<a href="java\nscript:alert(1)">x</a>', '"><b onmouseover=1>',
  "' onerror='1", '<!-- c -->', '<style>*{}</style>', '&lt;script&gt;', '**bold** _em_ `code`', '<b>unclosed', '</p><p>', '\u0000\u2028',
  'AT&T < 5 > 3', '![i](x)', '<<b>>', '<a href="https://ok.example" onclick="x">ok</a>',
];
const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.array(fc.constantFrom(...HOSTILE), { maxLength: 4 }).map((a) => a.join(' ')));
const nonEmpty = text.filter((s) => s.trim().length > 0);
const block = fc.oneof(
  fc.record({ type: fc.constant('paragraph'), text: nonEmpty }),
  fc.record({ type: fc.constant('heading'), level: fc.constantFrom(2, 3, 4), text: nonEmpty }),
  fc.record({ type: fc.constant('quote'), text: nonEmpty, attribution: fc.option(text, { nil: undefined }) }),
  fc.record({ type: fc.constant('list'), ordered: fc.boolean(), items: fc.array(nonEmpty, { minLength: 1, maxLength: 3 }) }),
  fc.record({ type: fc.constant('image'), photoId: fc.constantFrom(1, 2), caption: fc.option(text, { nil: undefined }), altText: fc.option(text, { nil: undefined }) }),
  fc.record({ type: fc.constant('embed'), url: fc.constantFrom('https://video.example/1', 'https://x.example/a?b="c"&d=<e>'), title: fc.option(text, { nil: undefined }), provider: fc.option(text, { nil: undefined }) }),
  fc.constant({ type: 'paywall' }),
);
const photo = (id: number, s: string): EmbeddedPhoto =>
  ({
    id,
    caption: s,
    altText: s,
    credit: s,
    width: 800,
    height: 600,
    renditions: [{ url: `/v1/photos/${id}/renditions/640.jpeg?v=0a1b2c`, width: 640, height: 480, format: 'jpeg' }],
  }) as unknown as EmbeddedPhoto;

t.test('rendered HTML is already sanitised: a second pass changes nothing', async (t) => {
  let checked = 0;
  fc.assert(
    fc.property(fc.array(block, { maxLength: 6 }), text, (raw, photoText) => {
      const parsed = raw.map((b) => Block.safeParse(b)).filter((r) => r.success).map((r) => r.data!);
      const html = renderHtml(parsed, new Map([[1, photo(1, photoText)], [2, photo(2, 'plain')]]));
      checked++;
      return sanitizeHtml(html, DOCUMENT_ALLOW_LIST) === html;
    }),
    { numRuns: 1500 },
  );
  t.ok(checked >= 1500);
});
