import { Lexer, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { decodeHTML } from 'entities';
import { Block, MAX_BLOCKS } from './blocks.js';
import { cleanBlock } from './inlineHtml.js';

/**
 * Markdown (an editor's input convenience) → body blocks, with marked's lexer.
 *
 * - paragraphs, headings (`#`/`##` → level 2, `###` → 3, deeper → 4), lists (ordered or not);
 * - a line `<!-- paywall -->` → the paywall block;
 * - a blockquote whose last line starts with "— " or "-- " → a quote with that attribution;
 * - a paragraph that is only `![alt](photo:123 "caption")` → an image block (photo 123);
 * - a paragraph that is only a bare https URL → an embed block;
 * - other raw HTML blocks keep their text only; code blocks become paragraphs of literal text;
 *   horizontal rules are dropped.
 * Inline Markdown inside text is kept as written (render.ts renders and sanitises it); HTML in it
 * is cleaned as in blocks sent as JSON (see inlineHtml.ts), and a block left without text is dropped.
 */
export class MarkdownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkdownError';
  }
}

const PAYWALL = /^<!--\s*paywall\s*-->$/i;
const ATTRIBUTION = /^(?:—|--)\s+(.+)$/;
const PHOTO_SRC = /^photo:(\d{1,12})$/;

/** Escapes characters inline Markdown would interpret, so literal text stays literal. */
function escapeInline(text: string): string {
  return text.replace(/([\\`*_[\]<>!#|~])/g, '\\$1');
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

function htmlToText(html: string): string {
  return decodeHTML(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })).replace(/\s+/g, ' ').trim();
}

/**
 * A paywall marker that is not alone on its line (`… <!-- paywall --> …`, `<!-- paywall -->Text`,
 * inside a list item or a blockquote) would otherwise be read as an inline HTML comment and
 * dropped, and the text after it would reach readers without access. Every marker becomes a
 * block of its own, splitting whatever it sat in.
 */
function isolatePaywallMarkers(markdown: string): string {
  return markdown.replace(/[ \t]*<!--\s*paywall\s*-->[ \t]*/gi, '\n\n<!-- paywall -->\n\n');
}

export function markdownToBlocks(markdown: string): Block[] {
  let tokens: Token[];
  try {
    tokens = new Lexer({ gfm: true }).lex(isolatePaywallMarkers(markdown.replace(/\r\n?/g, '\n')));
  } catch (err) {
    // marked's block lexer recurses once per nesting level (blockquotes, lists): thousands of
    // levels exhaust the stack. That is the editor's input, not a server fault.
    if (err instanceof RangeError) throw new MarkdownError('the Markdown is nested too deeply (blockquotes or lists inside each other)');
    throw err;
  }
  const blocks: Block[] = [];
  const push = (b: Block) => {
    const clean = cleanBlock(b).block;
    if (!clean) return;
    if (blocks.length >= MAX_BLOCKS) throw new MarkdownError(`the body has more than ${MAX_BLOCKS} blocks`);
    blocks.push(clean);
  };
  for (const token of tokens) convert(token, push);
  return blocks;
}

function convert(token: Token, push: (b: Block) => void): void {
  switch (token.type) {
    case 'space':
    case 'hr':
    case 'def':
      return;
    case 'heading': {
      const t = token as Tokens.Heading;
      const text = oneLine(t.text);
      if (text) push({ type: 'heading', level: Math.min(4, Math.max(2, t.depth)) as 2 | 3 | 4, text });
      return;
    }
    case 'paragraph': {
      const t = token as Tokens.Paragraph;
      const inner = (t.tokens ?? []).filter((x) => !(x.type === 'text' && x.raw.trim() === ''));
      if (inner.length === 1 && inner[0].type === 'image') {
        const img = inner[0] as Tokens.Image;
        const m = PHOTO_SRC.exec(img.href.trim());
        if (!m) throw new MarkdownError(`images must reference a photo as ![alt](photo:<id> "caption"); got "${img.href}"`);
        push({
          type: 'image',
          photoId: Number(m[1]),
          ...(img.text.trim() ? { altText: img.text.trim() } : {}),
          ...(img.title?.trim() ? { caption: img.title.trim() } : {}),
        });
        return;
      }
      if (inner.length === 1 && inner[0].type === 'link') {
        const link = inner[0] as Tokens.Link;
        if (link.text === link.href && /^https:\/\//.test(link.href) && t.text.trim() === link.href) {
          push({ type: 'embed', url: link.href });
          return;
        }
      }
      const text = oneLine(t.text);
      if (text) push({ type: 'paragraph', text });
      return;
    }
    case 'blockquote': {
      const t = token as Tokens.Blockquote;
      const lines = t.text.split('\n').map((l) => l.trim()).filter(Boolean);
      let attribution: string | undefined;
      const last = lines[lines.length - 1];
      const m = last ? ATTRIBUTION.exec(last) : null;
      if (m && lines.length > 1) {
        attribution = m[1].trim();
        lines.pop();
      }
      const text = oneLine(lines.join('\n').replace(/^>\s?/gm, ''));
      if (text) push({ type: 'quote', text, ...(attribution ? { attribution } : {}) });
      return;
    }
    case 'list': {
      const t = token as Tokens.List;
      const items = t.items.map((i) => oneLine(i.text)).filter(Boolean);
      if (items.length > 200) throw new MarkdownError('a list has more than 200 items');
      if (items.length > 0) push({ type: 'list', ordered: t.ordered, items });
      return;
    }
    case 'html': {
      const t = token as Tokens.HTML;
      if (PAYWALL.test(t.text.trim())) {
        push({ type: 'paywall' });
        return;
      }
      // Raw HTML is not markup here: keep its visible text only (scripts and comments dropped).
      const text = htmlToText(t.text);
      if (text) push({ type: 'paragraph', text: escapeInline(text) });
      return;
    }
    case 'code': {
      const text = oneLine((token as Tokens.Code).text);
      if (text) push({ type: 'paragraph', text: escapeInline(text) });
      return;
    }
    case 'table': {
      const t = token as Tokens.Table;
      const rows = [t.header.map((c) => c.text), ...t.rows.map((r) => r.map((c) => c.text))];
      push({ type: 'list', ordered: false, items: rows.map((r) => oneLine(r.join(' | '))).filter(Boolean) });
      return;
    }
    default: {
      const raw = 'text' in token && typeof token.text === 'string' ? token.text : token.raw;
      const text = oneLine(raw);
      if (text) push({ type: 'paragraph', text });
    }
  }
}

/** Validates converted blocks against the block schema (lengths etc.); returns the first problem or null. */
export function checkBlocks(blocks: Block[]): string | null {
  for (let i = 0; i < blocks.length; i++) {
    const r = Block.safeParse(blocks[i]);
    if (!r.success) return `block ${i + 1} (${blocks[i].type}): ${r.error.issues[0]?.message ?? 'invalid'}`;
  }
  return null;
}
