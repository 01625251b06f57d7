import { decodeHTMLAttribute } from 'entities';
import { HttpError } from '../lib/httpError.js';
import type { Block } from './blocks.js';

/**
 * HTML inside block text, cleaned on save (and again when a stored body is read).
 *
 * Block text is inline Markdown in which a few inline HTML tags are allowed. render.ts sanitises
 * what it renders to `html`, but `blocks` go to clients as stored, and a frontend that puts them
 * into a page unescaped must not receive live markup. So every HTML construct that is not an
 * allowed inline tag is removed from the text itself, found the way a browser's HTML tokenizer
 * finds it (so what remains is what a browser would see):
 *
 * - tags not in INLINE_TAGS are removed, start and end tags alike; the contents of script, style,
 *   iframe, textarea and similar raw-text elements go with them (a browser never shows them);
 * - allowed tags keep only their allowed attributes (links: href with an http, https or mailto
 *   URL, or a relative one; title). A tag that is already clean is kept byte for byte;
 * - comments, `<!…>` declarations and `<?…?>` processing instructions are removed;
 * - Markdown autolinks (`<https://…>`, `<name@example.com>`) stay; one with another scheme, or
 *   which a browser would read as an element with an event handler or style, becomes text;
 * - a construct left open at the end of the text (`a<b then`, `<img src=x onerror=…`) would
 *   swallow whatever markup a frontend puts after it: its `<` becomes `&lt;`, which Markdown and
 *   HTML both show as `<`. The same happens to a `<` that removing a tag would join to letters
 *   after it (`<<b>script>`).
 *
 * Everything else is text and stays exactly as written: `AT&T`, `a < b`, `5 > 3`, entities,
 * Markdown emphasis and links, quotes, any script. What `html` and `text` render is unchanged
 * (render.ts drops the same things). Cleaning is idempotent.
 */
export const INLINE_TAGS: readonly string[] = ['strong', 'em', 'b', 'i', 'a', 'code', 'br', 's', 'del', 'sub', 'sup'];
export const INLINE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = { a: ['href', 'title'] };
export const INLINE_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];

/** Elements whose contents are not markup to a browser (or not shown): removed with them. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'option']);

interface Attribute {
  name: string;
  /** Decoded value; null for an attribute without `=`. */
  value: string | null;
}
interface Tag {
  name: string;
  closing: boolean;
  attrs: Attribute[];
  /** Index just past the closing `>`. */
  end: number;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);

/**
 * Reads the tag starting at `start` (a `<` followed by a letter, or `</` and a letter) with the
 * HTML tokenizer's states for tag names, attributes and quoted values. Null when it never ends.
 */
function readTag(s: string, start: number, budget: { steps: number }): Tag | null {
  let i = start + 1;
  const spend = (to: number) => {
    budget.steps -= to - start;
    return null;
  };
  const closing = s[i] === '/';
  if (closing) i++;
  const nameStart = i;
  while (i < s.length && !isSpace(s[i]) && s[i] !== '/' && s[i] !== '>') i++;
  const name = s.slice(nameStart, i).toLowerCase();
  const attrs: Attribute[] = [];
  for (;;) {
    while (i < s.length && (isSpace(s[i]) || s[i] === '/')) i++;
    if (i >= s.length) return spend(i);
    if (s[i] === '>') return { name, closing, attrs, end: i + 1 };
    const attrStart = i++; // a first '=' belongs to the name
    while (i < s.length && !isSpace(s[i]) && s[i] !== '/' && s[i] !== '>' && s[i] !== '=') i++;
    const attrName = s.slice(attrStart, i).toLowerCase();
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) return spend(i);
    if (s[i] !== '=') {
      attrs.push({ name: attrName, value: null });
      continue;
    }
    i++;
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) return spend(i);
    let raw: string;
    if (s[i] === '"' || s[i] === "'") {
      const close = s.indexOf(s[i], i + 1);
      if (close < 0) return spend(s.length);
      raw = s.slice(i + 1, close);
      i = close + 1;
    } else {
      const valueStart = i;
      while (i < s.length && !isSpace(s[i]) && s[i] !== '>') i++;
      raw = s.slice(valueStart, i);
    }
    attrs.push({ name: attrName, value: decodeHTMLAttribute(raw) });
  }
}

/** Where the comment starting at `start` (`<!--`) ends, or -1 when it does not. */
function commentEnd(s: string, start: number): number {
  if (s.startsWith('<!-->', start)) return start + 5;
  if (s.startsWith('<!--->', start)) return start + 6;
  const a = s.indexOf('-->', start + 4);
  const b = s.indexOf('--!>', start + 4);
  if (a < 0 && b < 0) return -1;
  return a >= 0 && (b < 0 || a <= b) ? a + 3 : b + 4;
}

/** Where the raw-text element `name` (whose start tag ended at `from`) ends: past its end tag, or the end. */
function rawTextEnd(s: string, from: number, name: string, budget: { steps: number }): number {
  const re = new RegExp(`</${name}(?=[\\t\\n\\f\\r />]|$)`, 'gi');
  re.lastIndex = from;
  const m = re.exec(s);
  if (!m) return s.length;
  return readTag(s, m.index, budget)?.end ?? s.length;
}

/** An href sanitize-html keeps under render.ts's options: http(s)/mailto or relative, not protocol-relative. */
function safeHref(value: string): boolean {
  let href = value.replace(/[\x00-\x20]+/g, '');
  for (;;) {
    const open = href.indexOf('<!--');
    const close = open < 0 ? -1 : href.indexOf('-->', open + 4);
    if (close < 0) break;
    href = href.slice(0, open) + href.slice(close + 3);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9.\-+]*):/.exec(href);
  if (!scheme) return !/^[/\\]{2}/.test(href);
  return INLINE_SCHEMES.includes(scheme[1].toLowerCase());
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An allowed start tag as written when it is clean, else rebuilt with its allowed attributes only. */
function allowedStartTag(raw: string, tag: Tag): string {
  const allowed = INLINE_ATTRIBUTES[tag.name] ?? [];
  const kept: Attribute[] = [];
  let clean = true;
  for (const a of tag.attrs) {
    const ok = allowed.includes(a.name) && !kept.some((k) => k.name === a.name) && (a.name !== 'href' || (a.value !== null && safeHref(a.value)));
    if (ok) kept.push(a);
    else clean = false;
  }
  if (clean) return raw;
  return `<${tag.name}${kept.map((a) => (a.value === null ? ` ${a.name}` : ` ${a.name}="${escapeAttr(a.value)}"`)).join('')}>`;
}

// CommonMark autolinks, as marked reads them.
const URL_AUTOLINK = /^<([a-zA-Z][a-zA-Z0-9+.-]{1,31}):[^\s\x00-\x1f<>]*>$/;
const EMAIL_AUTOLINK = /^<[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+>$/;

/** A browser reads `<https://x/onmouseover=alert(1)>` as an element with a handler (or a style). */
const isLive = (tag: Tag) => tag.attrs.some((a) => a.value !== null && (/^on[a-z]+$/.test(a.name) || a.name === 'style'));

/** 'keep' a harmless autolink, 'text' one to show as text, null for something that is not an autolink. */
function autolink(raw: string, tag: Tag): 'keep' | 'text' | null {
  const url = URL_AUTOLINK.exec(raw);
  if (!url && !EMAIL_AUTOLINK.test(raw)) return null;
  if (isLive(tag) || (url && !INLINE_SCHEMES.includes(url[1].toLowerCase()))) return 'text';
  return 'keep';
}

const oddBackslashes = (text: string) => {
  let n = 0;
  while (n < text.length && text[text.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
};

/**
 * A code span that holds `<`, as an HTML `<code>` element: to marked the same thing (the text
 * escaped; every ASCII punctuation mark as a character reference, which Markdown never reads as
 * markup), and to a browser text instead of tags. Content as CommonMark normalises it.
 */
function codeElement(content: string): string {
  let text = content.replace(/\r\n?|\n/g, ' ');
  if (/^ [\s\S]*[^ ][\s\S]* $/.test(text)) text = text.slice(1, -1);
  const refs: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
  return `<code>${text.replace(/[!-/:-@[-`{-~]/g, (c) => refs[c] ?? `&#${c.charCodeAt(0)};`)}</code>`;
}

function clean(s: string, allowTags: boolean): string {
  if (!s.includes('<')) return s;
  const out: string[] = []; // text runs and tokens, never empty strings
  const push = (part: string) => part && out.push(part);
  // Removing a construct must not join a preceding text "<" (or "</") to the letters after it.
  const removed = () => {
    const last = out.length - 1;
    if (out[last] === '<') out[last] = '&lt;';
    else if (out[last] === '/' && out[last - 1] === '<') out[last - 1] = '&lt;';
  };
  const lastGt = s.lastIndexOf('>');
  let commentsEnd = true; // false once a comment was found open to the end: so is every later one
  // Constructs left open are read to the end of the text: a budget keeps hostile text linear.
  // Past it, the rest of the text is kept as text (every "<" as "&lt;").
  const budget = { steps: 8 * s.length + 4096 };
  // Markdown code spans matter only where Markdown is rendered (block text, not plain fields).
  const special = allowTags ? /[<`]/g : /</g;
  let i = 0;
  while (i < s.length) {
    special.lastIndex = i;
    const found = special.exec(s);
    if (!found) {
      push(s.slice(i));
      break;
    }
    const text = s.slice(i, found.index);
    push(text);
    i = found.index;
    if (budget.steps <= 0) {
      push(s.slice(i).replace(/</g, '&lt;'));
      break;
    }
    if (s[i] === '`') {
      let n = 1;
      while (s[i + n] === '`') n++;
      if (oddBackslashes(text)) {
        push('`'); // an escaped backtick; the rest of the run may open a span
        i++;
        continue;
      }
      const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
      close.lastIndex = i + n;
      const m = close.exec(s);
      const content = m ? s.slice(i + n, m.index) : '';
      if (!m || !content) {
        budget.steps -= (m ? m.index : s.length) - i;
        push(s.slice(i, i + n)); // no span: literal backticks
        i += n;
        continue;
      }
      push(content.includes('<') ? codeElement(content) : s.slice(i, m.index + n));
      i = m.index + n;
      continue;
    }
    const next = s[i + 1];
    const tagLike = isAlpha(next) || (next === '/' && isAlpha(s[i + 2]));
    if (!tagLike && next !== '!' && next !== '?') {
      push('<'); // not markup: "a < b", "<3", "</ 2"
      i++;
      continue;
    }
    if (oddBackslashes(text)) {
      // Markdown's `\<b>` (a literal "<b>"): the same text as `&lt;b>`, which no browser reads as a tag.
      out[out.length - 1] = text.slice(0, -1);
      push('&lt;');
      i++;
      continue;
    }
    let end = -1;
    if (s.startsWith('<!--', i)) {
      end = commentsEnd ? commentEnd(s, i) : -1;
      if (end < 0) commentsEnd = false;
    } else if (!tagLike) end = lastGt > i ? s.indexOf('>', i + 2) + 1 : -1;
    else {
      const tag = lastGt > i ? readTag(s, i, budget) : null;
      if (tag) {
        const raw = s.slice(i, tag.end);
        const link = tag.closing ? null : autolink(raw, tag);
        if (link === 'keep') push(raw);
        else if (link === 'text') push(`&lt;${raw.slice(1, -1)}&gt;`);
        else if (allowTags && !tag.closing && text.endsWith('](') && !/[\n<>]/.test(raw.slice(1, -1))) {
          // A Markdown link destination in angle brackets: `[text](<https://example.com/a b>)`.
          push(isLive(tag) ? `&lt;${raw.slice(1)}` : raw);
        } else if (allowTags && INLINE_TAGS.includes(tag.name)) {
          push(tag.closing ? (tag.attrs.length === 0 ? raw : `</${tag.name}>`) : allowedStartTag(raw, tag));
        } else {
          removed();
          i = !tag.closing && tag.name === 'plaintext' ? s.length : !tag.closing && RAW_TEXT.has(tag.name) ? rawTextEnd(s, tag.end, tag.name, budget) : tag.end;
          continue;
        }
        i = tag.end;
        continue;
      }
    }
    if (end < 0) {
      push('&lt;'); // left open: shown as text
      i++;
      continue;
    }
    removed();
    i = end;
  }
  return out.join('');
}

// Control characters block text may not hold (the schema refuses them; a row stored before it did not).
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/** Block text (paragraphs, headings, quotes, list items): keeps the inline allow-list. */
export function cleanInlineHtml(text: string): string {
  return clean(text.replace(CONTROLS, ''), true).trim();
}

/** Plain block fields (attribution, caption, alt text, embed title and provider): no tags at all. */
export function stripHtml(text: string): string {
  return clean(text.replace(CONTROLS, ''), false).trim();
}

/**
 * A block with its text fields cleaned (see above), and the fields that cleaning left empty
 * (`text`, `items/2`, …). `block` is null when the block has no text left (a list: no items);
 * emptied optional fields are omitted. The same object when nothing changed.
 */
export function cleanBlock(b: Block): { block: Block | null; emptied: string[] } {
  const emptied: string[] = [];
  const plain = <K extends string>(o: Partial<Record<K, string>>, keys: readonly K[]) => {
    const out: Partial<Record<K, string>> = {};
    for (const k of keys) {
      const v = o[k];
      if (v === undefined) continue;
      const c = stripHtml(v);
      if (c) out[k] = c;
    }
    return out;
  };
  let block: Block | null;
  switch (b.type) {
    case 'paragraph':
    case 'heading': {
      const text = cleanInlineHtml(b.text);
      if (!text) emptied.push('text');
      block = text === b.text ? b : text ? { ...b, text } : null;
      break;
    }
    case 'quote': {
      const text = cleanInlineHtml(b.text);
      if (!text) emptied.push('text');
      const { attribution, ...rest } = b;
      const by = plain({ attribution }, ['attribution'] as const);
      block = text === b.text && by.attribution === attribution ? b : text ? { ...rest, text, ...by } : null;
      break;
    }
    case 'list': {
      const items: string[] = [];
      b.items.forEach((item, i) => {
        const c = cleanInlineHtml(item);
        if (c) items.push(c);
        else emptied.push(`items/${i}`);
      });
      block = items.length === b.items.length && items.every((it, i) => it === b.items[i]) ? b : items.length > 0 ? { ...b, items } : null;
      break;
    }
    case 'image': {
      const { caption, altText, ...rest } = b;
      const fields = plain({ caption, altText }, ['caption', 'altText'] as const);
      block = fields.caption === caption && fields.altText === altText ? b : { ...rest, ...fields };
      break;
    }
    case 'embed': {
      const { provider, title, ...rest } = b;
      const fields = plain({ provider, title }, ['provider', 'title'] as const);
      block = fields.provider === provider && fields.title === title ? b : { ...rest, ...fields };
      break;
    }
    default:
      block = b;
  }
  return { block, emptied };
}

/** A stored body with its text cleaned, as readers get it (blocks left without text are dropped). The same array when clean. */
export function cleanStoredBlocks(blocks: readonly Block[]): Block[] {
  let changed = false;
  const out: Block[] = [];
  for (const b of blocks) {
    const { block } = cleanBlock(b);
    if (block !== b) changed = true;
    if (block) out.push(block);
  }
  return changed ? out : (blocks as Block[]);
}

/**
 * An editor's body (blocks as sent) with its text cleaned. A text field left with nothing once
 * HTML is removed is a 400 naming it (`pointer`: where the blocks are in the request).
 */
export function cleanInputBlocks(blocks: Block[], pointer = '/body/body'): Block[] {
  const errors: { pointer: string; detail: string }[] = [];
  const out = blocks.map((b, i) => {
    const { block, emptied } = cleanBlock(b);
    for (const field of emptied) errors.push({ pointer: `${pointer}/${i}/${field}`, detail: 'has no text once HTML tags are removed' });
    return block ?? b;
  });
  if (errors.length > 0) {
    throw new HttpError(400, `The body has text made only of HTML: ${errors.map((e) => e.pointer).join(', ')}`, { errors });
  }
  return out;
}
