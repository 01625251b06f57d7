import type { ChildNode, Element } from 'domhandler';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Block } from '../../content/blocks.js';

/**
 * HTML (a WordPress post, a Ghost post's html, block-editor markup once serialised) → Newsdesk
 * body blocks, before photos are resolved. htmlparser2 builds the tree (entities decoded, broken
 * markup repaired the way it reads it); this walks it:
 *
 * - p, headings (h1 → 2, h5/h6 → 4), ul/ol (nested lists flattened into the same list),
 *   blockquote (a `<cite>`, or a last line starting with "—", "–" or "--", is the attribution),
 *   figure with img and figcaption, iframe (https) → embed, pre → literal text, table → a list of
 *   rows ("a | b"), div/section/… are containers;
 * - inline markup keeps what block text may hold: strong/b, em/i, a (http, https, mailto or
 *   relative href), code, br, del/s, sub, sup; other inline tags keep their text;
 * - an img inside a paragraph becomes an image block after that paragraph;
 * - the paywall marker comments (`<!--more-->`, `<!--members-only-->`, as the caller says) → the
 *   paywall block;
 * - script, style, forms, object, video and audio are dropped (reported); hr is dropped (Newsdesk
 *   has no divider block; reported).
 * Text is escaped for inline Markdown (`*`, `_`, `[`… stay literal). The articles service cleans it
 * again on save (src/articles/inlineHtml.ts), so nothing here is the last line of defence.
 */

export type DraftImage = { type: 'image'; src: string; caption?: string; altText?: string; attachmentId?: string };
export type DraftBlock = Exclude<Block, { type: 'image' }> | DraftImage;

export interface HtmlOptions {
  /** Whether a comment is the paywall break (e.g. `more`, `members-only`). */
  isBreak(comment: string): boolean;
  /** Rewrites a link target (Ghost's `__GHOST_URL__/…` → `/…`); null drops the link and keeps its text. */
  href?(href: string): string | null;
  /** Something was changed or left out: a short code (aggregated in the summary) and a detail. */
  warn(code: string, detail?: string): void;
}

/** A block produced by block-editor markup that has no HTML of its own (an embed), carried through as a comment. */
export const EMBED_MARK = 'nd:embed:';

const CONTAINERS = new Set(['div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'center', 'body', 'html', 'nav', 'details', 'dl', 'hgroup', 'picture', 'tbody', 'thead']);
const PARAGRAPHS = new Set(['p', 'address', 'dt', 'dd', 'li', 'figcaption', 'caption', 'summary', 'td', 'th']);
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'object', 'embed', 'applet', 'form', 'input', 'button', 'select', 'textarea', 'svg', 'math', 'canvas', 'video', 'audio', 'map', 'head', 'title', 'meta', 'link', 'base', 'frameset', 'frame', 'source', 'track', 'param']);
const INLINE: Record<string, string> = { strong: 'strong', b: 'strong', em: 'em', i: 'em', code: 'code', kbd: 'code', samp: 'code', tt: 'code', s: 'del', del: 'del', strike: 'del', sub: 'sub', sup: 'sup' };
const HEADING = /^h([1-6])$/;
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;
const DASH_LINE = /^\s*(?:—|–|--|―)\s*(.+)$/s;

/** Text as inline Markdown that reads literally: HTML whitespace collapsed, Markdown punctuation escaped. */
export function escapeText(s: string): string {
  return s
    .replace(CONTROLS, '')
    .replace(/[ \t\n\r\f]+/g, ' ')
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text of nodes (captions, attributions), whitespace collapsed. */
export function plainText(nodes: ChildNode | ChildNode[]): string {
  return DomUtils.textContent(nodes).replace(CONTROLS, '').replace(/\s+/g, ' ').trim();
}

/** Inline text with empty wrappers and leading/trailing line breaks removed. */
function tidy(s: string): string {
  let t = s.replace(/ {2,}/g, ' ');
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/<(strong|em|code|del|sub|sup)>\s*<\/\1>/g, ' ').trim();
    t = t.replace(/^(?:<br>\s*)+|(?:\s*<br>)+$/g, '').trim();
  }
  return t;
}

const isElement = (n: ChildNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';
const httpsUrl = (s: string) => /^https:\/\/[^\s<>"]+$/.test(s);

class Converter {
  readonly out: DraftBlock[] = [];
  private buf = '';
  private lifted: DraftImage[] = [];
  /** A paywall marker met inside inline markup: the break goes after the block it was in. */
  private pendingBreak = false;

  constructor(private readonly opts: HtmlOptions) {}

  /** Ends the paragraph being gathered (a bare https URL alone is an embed, as WordPress and Markdown read it). */
  flush(): void {
    const text = tidy(this.buf);
    this.buf = '';
    if (text) {
      const raw = text.replace(/\\(.)/g, '$1');
      if (httpsUrl(raw)) this.out.push({ type: 'embed', url: raw });
      else this.out.push({ type: 'paragraph', text });
    }
    this.out.push(...this.lifted);
    this.lifted = [];
    if (this.pendingBreak) {
      this.pendingBreak = false;
      this.out.push({ type: 'paywall' });
    }
  }

  flow(nodes: ChildNode[]): void {
    for (const n of nodes) this.node(n);
  }

  private node(n: ChildNode): void {
    if (n.type === 'text') {
      this.buf += escapeText(n.data);
      return;
    }
    if (n.type === 'comment') {
      this.comment(n.data);
      return;
    }
    if (!isElement(n)) return; // directives, CDATA
    const name = n.name.toLowerCase();
    const heading = HEADING.exec(name);
    if (heading) {
      this.flush();
      const text = tidy(this.inline(n.children));
      if (text) this.out.push({ type: 'heading', level: Math.min(4, Math.max(2, Number(heading[1]))) as 2 | 3 | 4, text });
      this.afterBlock();
      return;
    }
    if (PARAGRAPHS.has(name)) {
      // flow, not inline: a marker comment directly in a paragraph (`<p><!--more--></p>`, as autop
      // writes it) is a break between what precedes and follows it.
      this.flush();
      this.flow(n.children);
      this.flush();
      return;
    }
    if (CONTAINERS.has(name)) {
      this.flush();
      this.flow(n.children);
      this.flush();
      return;
    }
    if (DROPPED.has(name)) {
      if (name === 'script' || name === 'style' || name === 'noscript') this.opts.warn('script-removed', `<${name}> removed`);
      else this.opts.warn('element-removed', `<${name}> has no Newsdesk block and was left out`);
      return;
    }
    switch (name) {
      case 'ul':
      case 'ol':
        this.flush();
        this.list(n);
        return;
      case 'blockquote':
        this.flush();
        this.quote(n, null);
        return;
      case 'figure':
        this.flush();
        this.figure(n);
        return;
      case 'img':
        this.flush();
        this.pushImage(n, undefined);
        return;
      case 'iframe':
        this.flush();
        this.iframe(n);
        return;
      case 'hr':
        this.flush();
        this.opts.warn('separator-dropped', 'a separator (hr) was left out: Newsdesk has no divider block');
        return;
      case 'pre':
        this.flush();
        this.literal(n);
        return;
      case 'table':
        this.flush();
        this.table(n);
        return;
      default:
        this.buf += this.inline([n]);
    }
  }

  private comment(data: string): void {
    if (this.opts.isBreak(data)) {
      this.flush();
      this.out.push({ type: 'paywall' });
      return;
    }
    if (data.startsWith(EMBED_MARK)) {
      this.flush();
      let embed: { url?: string; provider?: string; caption?: string } = {};
      try {
        embed = JSON.parse(decodeURIComponent(data.slice(EMBED_MARK.length)));
      } catch {
        /* a comment that only looks like ours: ignored */
      }
      if (embed.url) this.embed(embed.url, embed.provider, embed.caption);
    }
  }

  /** After a block of its own: the images lifted out of it, then a break met inside it (before anything that follows). */
  private afterBlock(): void {
    this.out.push(...this.lifted);
    this.lifted = [];
    if (this.pendingBreak) {
      this.pendingBreak = false;
      this.out.push({ type: 'paywall' });
    }
  }

  /** Inline content as block text; images met on the way are lifted out (placed after the block). */
  inline(nodes: ChildNode[]): string {
    let s = '';
    for (const n of nodes) {
      if (n.type === 'text') s += escapeText(n.data);
      else if (n.type === 'comment') {
        if (this.opts.isBreak(n.data)) {
          this.opts.warn('break-inline', 'a paywall marker inside inline text was moved to the end of its block');
          this.pendingBreak = true;
        }
      } else if (isElement(n)) s += this.inlineElement(n);
    }
    return s;
  }

  private inlineElement(el: Element): string {
    const name = el.name.toLowerCase();
    if (name === 'br') return '<br>';
    if (name === 'img') {
      const image = this.imageOf(el, undefined);
      if (image) this.lifted.push(image);
      return '';
    }
    if (DROPPED.has(name)) {
      if (name === 'script' || name === 'style') this.opts.warn('script-removed', `<${name}> removed`);
      return '';
    }
    if (name === 'a') {
      const inner = this.inline(el.children);
      if (!tidy(inner)) return inner;
      const href = this.href(el.attribs.href);
      if (!href) return inner;
      const title = el.attribs.title ? ` title="${escapeAttr(el.attribs.title.replace(CONTROLS, ''))}"` : '';
      return `<a href="${escapeAttr(href)}"${title}>${inner}</a>`;
    }
    const tag = INLINE[name];
    const inner = this.inline(el.children);
    if (tag && tidy(inner)) return `<${tag}>${inner}</${tag}>`;
    // A block element inside inline content (a div in a link): its text, set apart.
    if (CONTAINERS.has(name) || PARAGRAPHS.has(name) || HEADING.test(name)) return ` ${inner} `;
    return inner;
  }

  private href(raw: string | undefined): string | null {
    if (!raw) return null;
    const value = raw.replace(CONTROLS, '').trim();
    const rewritten = this.opts.href ? this.opts.href(value) : value;
    if (!rewritten) return null;
    const scheme = /^([a-zA-Z][a-zA-Z0-9.+-]*):/.exec(rewritten);
    if (scheme && !['http', 'https', 'mailto'].includes(scheme[1].toLowerCase())) {
      this.opts.warn('link-removed', `a ${scheme[1]}: link was kept as text`);
      return null;
    }
    if (!scheme && /^[/\\]{2}/.test(rewritten)) return `https:${rewritten}`;
    return rewritten;
  }

  private list(el: Element): void {
    const items: string[] = [];
    const walk = (list: Element) => {
      for (const li of list.children) {
        if (!isElement(li)) continue;
        if (li.name !== 'li') {
          if (li.name === 'ul' || li.name === 'ol') walk(li);
          continue;
        }
        const nested = li.children.filter((c): c is Element => isElement(c) && (c.name === 'ul' || c.name === 'ol'));
        const own = li.children.filter((c) => !nested.includes(c as Element));
        const text = tidy(this.inline(own));
        if (text) items.push(text);
        for (const n of nested) walk(n);
      }
    };
    walk(el);
    if (items.length > 0) this.out.push({ type: 'list', ordered: el.name === 'ol', items });
    this.afterBlock();
  }

  /** A quote: its paragraphs joined by line breaks, the attribution from `cite` or a last "— Name" line. */
  quote(el: Element, extraCite: string | null): void {
    let attribution = extraCite;
    const cites = DomUtils.getElementsByTagName('cite', el.children, true);
    // A cite that is a block of its own (Gutenberg's `<cite>` after the paragraphs, or in a footer) is the attribution;
    // one inside a sentence is a title being cited, and stays in the text.
    const blockCite = cites.find((c) => c.parent === el || (isElement(c.parent as ChildNode) && ['footer', 'figcaption'].includes((c.parent as Element).name)));
    if (blockCite) {
      attribution = plainText(blockCite) || attribution;
      DomUtils.removeElement(blockCite);
    }
    const inner = new Converter(this.opts);
    inner.flow(el.children);
    inner.flush();
    const parts: string[] = [];
    for (const b of inner.out) {
      if (b.type === 'paragraph' || b.type === 'heading') parts.push(b.text);
      else if (b.type === 'list') parts.push(...b.items);
      else if (b.type === 'image') this.lifted.push(b);
      else if (b.type === 'quote') parts.push(b.text);
      else if (b.type === 'paywall') this.opts.warn('break-inline', 'a paywall marker inside a quote was moved after it');
    }
    if (!attribution && parts.length > 0) {
      // Ghost and many WordPress themes: "“…”<br><em>— Name, role</em>", or a last paragraph "— Name".
      const last = parts[parts.length - 1];
      const lines = last.split(/<br>/);
      const tail = lines[lines.length - 1];
      const m = DASH_LINE.exec(plainText(parseDocument(tail).children).replace(/\\(.)/g, '$1'));
      if (m) {
        attribution = m[1].trim();
        lines.pop();
        const rest = tidy(lines.join('<br>'));
        if (rest) parts[parts.length - 1] = rest;
        else parts.pop();
      }
    }
    const text = tidy(parts.join('<br><br>'));
    if (text) this.out.push({ type: 'quote', text, ...(attribution ? { attribution } : {}) });
    else if (attribution) this.out.push({ type: 'paragraph', text: escapeText(attribution) });
    this.afterBlock();
  }

  private figure(el: Element): void {
    const caption = el.children.find((c): c is Element => isElement(c) && c.name === 'figcaption');
    const captionText = caption ? plainText(caption) : '';
    if (caption && DomUtils.getElementsByTagName('a', caption, true).length > 0) {
      this.opts.warn('caption-link', 'a link in a caption was kept as text (captions are plain text)');
    }
    const body = el.children.filter((c) => c !== caption);
    const quote = body.find((c): c is Element => isElement(c) && c.name === 'blockquote');
    if (quote) {
      this.quote(quote, captionText || null);
      return;
    }
    const table = body.find((c): c is Element => isElement(c) && c.name === 'table');
    if (table) {
      this.table(table);
      if (captionText) this.out.push({ type: 'paragraph', text: escapeText(captionText) });
      return;
    }
    const classes = el.attribs.class ?? '';
    if (/\bwp-block-embed\b/.test(classes)) {
      const iframe = DomUtils.getElementsByTagName('iframe', body, true)[0];
      const url = plainText(body) || iframe?.attribs.src || '';
      const provider = /\bis-provider-([a-z0-9-]+)/.exec(classes)?.[1];
      this.embed(url, provider, captionText || undefined);
      return;
    }
    const nestedFigures = DomUtils.getElementsByTagName('figure', body, true);
    const images = DomUtils.getElementsByTagName('img', body, true);
    if (nestedFigures.length > 0 || images.length > 1) {
      // A gallery: each picture with its own caption, then the gallery's caption.
      const inner = new Converter(this.opts);
      inner.flow(body);
      inner.flush();
      this.out.push(...inner.out);
      if (captionText) this.out.push({ type: 'paragraph', text: escapeText(captionText) });
      return;
    }
    if (images.length === 1) {
      this.pushImage(images[0], captionText || undefined);
      return;
    }
    const iframe = DomUtils.getElementsByTagName('iframe', body, true)[0];
    if (iframe) {
      this.iframe(iframe, captionText || undefined);
      return;
    }
    // A figure around something else (audio, a video): its text, if any.
    this.flow(body);
    this.flush();
    if (captionText) this.out.push({ type: 'paragraph', text: escapeText(captionText) });
  }

  private imageOf(img: Element, caption: string | undefined): DraftImage | null {
    const src = (img.attribs.src || img.attribs['data-src'] || img.attribs['data-orig-file'] || '').trim();
    if (!src) return null;
    const alt = (img.attribs.alt ?? '').replace(CONTROLS, '').trim();
    const attachmentId = /\bwp-image-(\d+)\b/.exec(img.attribs.class ?? '')?.[1] ?? img.attribs['data-id'] ?? undefined;
    return { type: 'image', src, ...(caption ? { caption } : {}), ...(alt ? { altText: alt } : {}), ...(attachmentId ? { attachmentId } : {}) };
  }

  private pushImage(img: Element, caption: string | undefined): void {
    const image = this.imageOf(img, caption);
    if (image) this.out.push(image);
    else if (caption) this.out.push({ type: 'paragraph', text: escapeText(caption) });
  }

  private iframe(el: Element, caption?: string): void {
    const src = (el.attribs.src ?? '').trim();
    if (src) this.embed(src.startsWith('//') ? `https:${src}` : src, undefined, caption);
    else if (caption) this.out.push({ type: 'paragraph', text: escapeText(caption) });
  }

  /** An embed when the URL is https; otherwise a paragraph linking to it (Newsdesk embeds are https only). */
  embed(url: string, provider: string | undefined, caption: string | undefined): void {
    const u = url.replace(CONTROLS, '').trim();
    if (httpsUrl(u) && u.length <= 2000) {
      this.out.push({ type: 'embed', url: u, ...(provider ? { provider } : {}), ...(caption ? { title: caption.slice(0, 300) } : {}) });
      return;
    }
    if (!u) return;
    this.opts.warn('embed-not-https', `an embed of ${u.slice(0, 100)} became a link: embeds must be https`);
    const href = this.href(u);
    const label = escapeText(caption || u);
    this.out.push({ type: 'paragraph', text: href ? `<a href="${escapeAttr(href)}">${label}</a>` : label });
  }

  private literal(el: Element): void {
    const text = DomUtils.textContent(el).replace(CONTROLS, '').replace(/\r\n?/g, '\n').trim();
    if (!text) return;
    const escaped = text.split('\n').map((line) => escapeText(line)).join('<br>');
    this.out.push({ type: 'paragraph', text: escaped });
  }

  private table(el: Element): void {
    const rows = DomUtils.getElementsByTagName('tr', el.children, true);
    const items = rows
      .map((tr) => tr.children.filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th')).map((cell) => tidy(this.inline(cell.children))))
      .map((cells) => cells.filter(Boolean).join(' | '))
      .filter(Boolean);
    if (items.length > 0) this.out.push({ type: 'list', ordered: false, items });
    this.afterBlock();
  }
}

/** Converts an HTML fragment into draft blocks (images still name their source). */
export function htmlToDraftBlocks(html: string, opts: HtmlOptions): DraftBlock[] {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const c = new Converter(opts);
  c.flow(doc.children);
  c.flush();
  return onePaywall(c.out, opts);
}

/** Keeps the first paywall block (readers without access see what precedes the first one). */
function onePaywall(blocks: DraftBlock[], opts: HtmlOptions): DraftBlock[] {
  let seen = false;
  return blocks.filter((b) => {
    if (b.type !== 'paywall') return true;
    if (seen) opts.warn('extra-break', 'a second paywall marker was dropped (the first one is the break)');
    const keep = !seen;
    seen = true;
    return keep;
  });
}
