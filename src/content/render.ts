import { decodeHTML } from 'entities';
import { LRUCache } from 'lru-cache';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import type { EmbeddedPhoto } from '../schemas/photo.js';
import type { Block } from './blocks.js';
import { INLINE_ATTRIBUTES, INLINE_SCHEMES, INLINE_TAGS } from './inlineHtml.js';

/**
 * Blocks → sanitised HTML and plain text, word count and reading time.
 *
 * Inline text is rendered with marked (inline Markdown only) and then cleaned by sanitize-html with
 * a small allow-list: whatever HTML an editor (or an attacker with an editor's key) typed, readers
 * get only these tags and http(s)/mailto links. Plain fields are escaped and URLs kept to http(s)
 * where they are written, so the document as a whole is within DOCUMENT_ALLOW_LIST without a
 * second, costly pass (a third of an uncached render); test/articles-render-safety.test.ts holds
 * every renderer to it with hostile input.
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });

// The inline allow-list is shared with the cleaning of stored block text (inlineHtml.ts).
const INLINE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...INLINE_TAGS],
  allowedAttributes: Object.fromEntries(Object.entries(INLINE_ATTRIBUTES).map(([tag, attrs]) => [tag, [...attrs]])),
  allowedSchemes: [...INLINE_SCHEMES],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};
/** What a rendered document may contain. */
export const DOCUMENT_ALLOW_LIST: sanitizeHtml.IOptions = {
  allowedTags: [...INLINE_TAGS, 'p', 'h2', 'h3', 'h4', 'blockquote', 'footer', 'cite', 'ul', 'ol', 'li', 'figure', 'figcaption', 'img', 'span'],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'srcset', 'sizes', 'alt', 'width', 'height', 'loading'],
    figure: ['class', 'data-photo-id'],
    span: ['class'],
  },
  allowedSchemes: [...INLINE_SCHEMES],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};
const TEXT_OPTIONS: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {} };

/** Escapes text for an HTML text node (as sanitize-html writes text: quotes stay as they are). */
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Escapes text for a double-quoted HTML attribute value. */
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/**
 * Rendering an article renders each paragraph several times over (its HTML, its text, the
 * excerpt, the teaser and the full view): a small memo of inline results, keyed by the source,
 * makes that once. Pure functions of their input, so nothing here can go stale.
 */
const inlineMemo = new LRUCache<string, { html: string; text?: string }>({ max: 4000 });

/** Inline Markdown → sanitised inline HTML. */
export function renderInline(source: string): string {
  return inlineRendering(source).html;
}

function inlineRendering(source: string): { html: string; text?: string } {
  let hit = inlineMemo.get(source);
  if (!hit) {
    let html: string;
    try {
      html = marked.parseInline(source) as string;
    } catch (err) {
      // marked recurses once per nested emphasis/link: thousands of levels exhaust the stack.
      // Such text is shown literally (escaped) rather than failing the save or the read.
      if (!(err instanceof RangeError)) throw err;
      html = escapeText(source);
    }
    inlineMemo.set(source, (hit = { html: sanitizeHtml(html, INLINE_OPTIONS).trim() }));
  }
  return hit;
}

/** Inline Markdown → plain text (markup, tags and script contents dropped, entities decoded). */
export function inlineText(source: string): string {
  const memo = inlineRendering(source);
  if (memo.text === undefined) {
    const html = memo.html.replace(/<br\s*\/?>/gi, ' ');
    memo.text = decodeHTML(sanitizeHtml(html, TEXT_OPTIONS)).replace(/\s+/g, ' ').trim();
  }
  return memo.text;
}

/**
 * Plain fields (attribution, captions, alt text, embed titles): any markup in them is removed,
 * entities decoded — the same text in HTML (escaped again) and in plain text.
 */
export function plainField(s: string): string {
  return decodeHTML(sanitizeHtml(s, TEXT_OPTIONS)).replace(/\s+/g, ' ').trim();
}

/** An http(s) URL in its normalised form (quotes and angle brackets percent-encoded); '' for anything else. */
function safeUrl(u: string): string {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '';
  } catch {
    return '';
  }
}

/** Renders blocks to sanitised HTML. `photos` supplies image data; without it images render from the block alone. */
export function renderHtml(blocks: readonly Block[], photos: ReadonlyMap<number, EmbeddedPhoto> = new Map()): string {
  const parts: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'paragraph':
        parts.push(`<p>${renderInline(b.text)}</p>`);
        break;
      case 'heading':
        parts.push(`<h${b.level}>${renderInline(b.text)}</h${b.level}>`);
        break;
      case 'quote':
        parts.push(
          `<blockquote><p>${renderInline(b.text)}</p>${b.attribution && plainField(b.attribution) ? `<footer>— <cite>${escapeText(plainField(b.attribution))}</cite></footer>` : ''}</blockquote>`,
        );
        break;
      case 'list': {
        const tag = b.ordered ? 'ol' : 'ul';
        parts.push(`<${tag}>${b.items.map((i) => `<li>${renderInline(i)}</li>`).join('')}</${tag}>`);
        break;
      }
      case 'image':
        parts.push(renderImage(b, photos.get(b.photoId)));
        break;
      case 'embed':
        parts.push(
          `<figure class="embed"><a href="${escapeAttr(safeUrl(b.url))}" rel="noopener nofollow">${escapeText((b.title && plainField(b.title)) || safeUrl(b.url))}</a>${
            b.provider && plainField(b.provider) ? ` <span class="provider">${escapeText(plainField(b.provider))}</span>` : ''
          }</figure>`,
        );
        break;
      case 'paywall':
        break; // a marker, not content
    }
  }
  // No second pass over the whole document: every part is made safe where it is made (inline
  // Markdown sanitised, plain fields escaped, URLs http(s) only), and a property test
  // (test/articles-render-safety.test.ts) holds the output to the document allow-list below.
  return parts.join('\n');
}

function renderImage(b: Extract<Block, { type: 'image' }>, photo: EmbeddedPhoto | undefined): string {
  const caption = (b.caption ? plainField(b.caption) : null) || photo?.caption || null;
  const alt = (b.altText ? plainField(b.altText) : null) || photo?.altText || caption || '';
  let img = '';
  if (photo && photo.renditions.length > 0) {
    const jpeg = photo.renditions.filter((r) => r.format === 'jpeg');
    const set = (jpeg.length > 0 ? jpeg : photo.renditions).slice().sort((x, y) => x.width - y.width);
    const largest = set[set.length - 1];
    img =
      `<img src="${escapeAttr(largest.url)}" srcset="${escapeAttr(set.map((r) => `${r.url} ${r.width}w`).join(', '))}" ` +
      `alt="${escapeAttr(alt)}" width="${photo.width}" height="${photo.height}" loading="lazy" />`;
  }
  const credit = photo?.credit ? ` <span class="credit">${escapeText(photo.credit)}</span>` : '';
  const figcaption = caption || credit ? `<figcaption>${caption ? escapeText(caption) : ''}${credit}</figcaption>` : '';
  return `<figure class="image" data-photo-id="${b.photoId}">${img}${figcaption}</figure>`;
}

/**
 * Renders blocks to plain text: one paragraph per block, separated by blank lines. Images show
 * their caption (when they have one), embeds their title or URL; the paywall marker shows nothing.
 */
export function renderText(blocks: readonly Block[], photos: ReadonlyMap<number, EmbeddedPhoto> = new Map()): string {
  const parts: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'paragraph':
      case 'heading':
        parts.push(inlineText(b.text));
        break;
      case 'quote': {
        const quote = inlineText(b.text);
        const quoted = /^["“«„']/.test(quote) ? quote : `“${quote}”`;
        const by = b.attribution ? plainField(b.attribution) : '';
        parts.push(`${quoted}${by ? `\n— ${by}` : ''}`);
        break;
      }
      case 'list':
        parts.push(b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${inlineText(item)}`).join('\n'));
        break;
      case 'image': {
        const caption = (b.caption ? plainField(b.caption) : null) || photos.get(b.photoId)?.caption;
        if (caption) parts.push(caption);
        break;
      }
      case 'embed': {
        const title = b.title ? plainField(b.title) : '';
        parts.push(title ? `${title} (${safeUrl(b.url)})` : safeUrl(b.url));
        break;
      }
      case 'paywall':
        break;
    }
  }
  return parts.filter((p) => p.length > 0).join('\n\n');
}

/** The prose of a body, for counting words: paragraphs, headings, quotes and lists (not captions or embeds). */
export function proseText(blocks: readonly Block[]): string {
  return renderText(blocks.filter((b) => b.type === 'paragraph' || b.type === 'heading' || b.type === 'quote' || b.type === 'list'));
}

/** Words are runs of non-space characters that contain a letter or a digit ("—" and "-" are not words). */
export function countWords(text: string): number {
  let n = 0;
  for (const token of text.split(/\s+/)) if (/[\p{L}\p{N}]/u.test(token)) n++;
  return n;
}

/** Reading time: words ÷ wpm, rounded up; at least 1 minute for any text, 0 for none. */
export function readingTimeMinutes(words: number, wpm: number): number {
  return words === 0 ? 0 : Math.ceil(words / wpm);
}

/**
 * The derived excerpt: the plain text of the first paragraph among `blocks` (callers pass the
 * TEASER, so it can never contain text past the paywall break), cut at a word boundary.
 */
export function deriveExcerpt(blocks: readonly Block[], maxLength = 300): string | null {
  const first = blocks.find((b) => b.type === 'paragraph');
  if (!first || first.type !== 'paragraph') return null;
  const text = inlineText(first.text);
  if (!text) return null;
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}
