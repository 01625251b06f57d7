import { marked } from 'marked';
import { EMBED_MARK } from '../content/htmlToBlocks.js';

/**
 * Ghost's stored post formats → HTML for the shared HTML converter (src/importers/content/): the
 * lexical JSON of Ghost 5–6 and the mobiledoc JSON of Ghost 4–5. The paywall card becomes
 * `<!--members-only-->` (what Ghost itself renders), an embed card an embed marker; cards that
 * have no Newsdesk block (video, audio, file, product, signup, header…) are reported and left out.
 */
type Warn = (code: string, detail?: string) => void;
type Json = Record<string, unknown>;

const esc = (s: unknown) => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: unknown) => esc(s).replace(/"/g, '&quot;');
const embed = (url: unknown, caption?: unknown) =>
  `<!--${EMBED_MARK}${encodeURIComponent(JSON.stringify({ url: String(url ?? ''), caption: caption ? String(caption).replace(/<[^>]*>/g, '') : undefined }))}-->`;
const figure = (src: unknown, alt: unknown, caption: unknown) =>
  `<figure><img src="${attr(src)}" alt="${attr(alt)}">${caption ? `<figcaption>${String(caption)}</figcaption>` : ''}</figure>`;
const UNSUPPORTED = new Set(['video', 'audio', 'file', 'product', 'signup', 'header', 'email', 'email-cta', 'transistor', 'collection', 'call-to-action']);

/** Lexical text format bits, as Lexical defines them. */
const FORMATS: [number, string][] = [[16, 'code'], [1, 'strong'], [2, 'em'], [4, 'del'], [32, 'sub'], [64, 'sup']];

function text(node: Json): string {
  let html = esc(node.text);
  const format = Number(node.format ?? 0);
  for (const [bit, tag] of FORMATS) if (format & bit) html = `<${tag}>${html}</${tag}>`;
  return html;
}

function lexicalNode(node: Json, warn: Warn, depth: number): string {
  if (depth > 50) return '';
  const kids = () => ((node.children as Json[] | undefined) ?? []).map((c) => lexicalNode(c, warn, depth + 1)).join('');
  switch (node.type) {
    case 'text':
    case 'extended-text':
      return text(node);
    case 'linebreak':
      return '<br>';
    case 'tab':
      return ' ';
    case 'link':
    case 'autolink':
      return `<a href="${attr(node.url)}">${kids()}</a>`;
    case 'paragraph':
      return `<p>${kids()}</p>`;
    case 'heading':
    case 'extended-heading': {
      const tag = /^h[1-6]$/.test(String(node.tag)) ? String(node.tag) : 'h2';
      return `<${tag}>${kids()}</${tag}>`;
    }
    case 'quote':
    case 'extended-quote':
    case 'aside':
      return `<blockquote>${kids()}</blockquote>`;
    case 'list': {
      const tag = node.listType === 'number' || node.tag === 'ol' ? 'ol' : 'ul';
      return `<${tag}>${kids()}</${tag}>`;
    }
    case 'listitem':
      return `<li>${kids()}</li>`;
    case 'image':
      return figure(node.src, node.alt, node.caption);
    case 'gallery':
      return `<figure>${((node.images as Json[] | undefined) ?? []).map((i) => figure(i.src, i.alt, i.caption)).join('')}${node.caption ? `<figcaption>${String(node.caption)}</figcaption>` : ''}</figure>`;
    case 'paywall':
      return '<!--members-only-->';
    case 'horizontalrule':
      return '<hr>';
    case 'embed':
      return embed(node.url, node.caption);
    case 'bookmark': {
      const meta = (node.metadata as Json | undefined) ?? {};
      return `<p><a href="${attr(node.url)}">${esc(meta.title || node.url)}</a></p>`;
    }
    case 'html':
      return String(node.html ?? '');
    case 'markdown':
      return marked.parse(String(node.markdown ?? ''), { async: false }) as string;
    case 'codeblock':
      return `<pre>${esc(node.code)}</pre>`;
    case 'callout':
      return `<p>${String(node.calloutText ?? '')}</p>`;
    case 'toggle':
      return `<h3>${String(node.heading ?? '')}</h3>${String(node.content ?? '')}`;
    case 'button':
      return `<p><a href="${attr(node.buttonUrl)}">${esc(node.buttonText)}</a></p>`;
    default:
      if (UNSUPPORTED.has(String(node.type))) warn('card-not-converted', `a Ghost ${String(node.type)} card has no Newsdesk block and was left out`);
      else if (node.children) return kids();
      else warn('card-not-converted', `a Ghost "${String(node.type)}" node is not known and was left out`);
      return '';
  }
}

/** A post's `lexical` (a JSON string) as HTML. */
export function lexicalToHtml(lexical: string, warn: Warn): string {
  const doc = JSON.parse(lexical) as { root?: Json };
  return ((doc.root?.children as Json[] | undefined) ?? []).map((n) => lexicalNode(n, warn, 0)).join('');
}

type Marker = [number, number[], number, unknown];

/** A post's `mobiledoc` (a JSON string, 0.3.x) as HTML. */
export function mobiledocToHtml(mobiledoc: string, warn: Warn): string {
  const doc = JSON.parse(mobiledoc) as { markups?: [string, string[]?][]; atoms?: [string, string, Json][]; cards?: [string, Json][]; sections?: unknown[][] };
  const markups = doc.markups ?? [];
  const atoms = doc.atoms ?? [];
  const cards = doc.cards ?? [];
  const markers = (list: Marker[]) => {
    let html = '';
    const open: string[] = [];
    for (const [kind, opens, closes, value] of list) {
      for (const i of opens) {
        const [tag, attrs = []] = markups[i] ?? ['span'];
        const t = String(tag).toLowerCase();
        const href = t === 'a' ? attrs[attrs.indexOf('href') + 1] : undefined;
        html += t === 'a' ? `<a href="${attr(href)}">` : `<${t === 'b' ? 'strong' : t === 'i' ? 'em' : t}>`;
        open.push(t === 'b' ? 'strong' : t === 'i' ? 'em' : t);
      }
      if (kind === 0) html += esc(value);
      else {
        const atom = atoms[Number(value)];
        html += atom?.[0] === 'soft-return' ? '<br>' : esc(atom?.[1] ?? '');
      }
      for (let n = 0; n < closes; n++) html += `</${open.pop()}>`;
    }
    while (open.length) html += `</${open.pop()}>`;
    return html;
  };
  let html = '';
  for (const section of doc.sections ?? []) {
    const kind = section[0];
    if (kind === 1) {
      const tag = String(section[1]).toLowerCase();
      const t = tag === 'pull-quote' || tag === 'aside' ? 'blockquote' : /^(p|h[1-6]|blockquote)$/.test(tag) ? tag : 'p';
      html += `<${t}>${markers(section[2] as Marker[])}</${t}>`;
    } else if (kind === 3) {
      const tag = String(section[1]).toLowerCase() === 'ol' ? 'ol' : 'ul';
      html += `<${tag}>${(section[2] as Marker[][]).map((item) => `<li>${markers(item)}</li>`).join('')}</${tag}>`;
    } else if (kind === 2) {
      html += figure(section[1], '', '');
    } else if (kind === 10) {
      const [name, payload = {}] = cards[Number(section[1])] ?? ['unknown', {}];
      if (name === 'paywall') html += '<!--members-only-->';
      else if (name === 'image') html += figure(payload.src, payload.alt, payload.caption);
      else if (name === 'html') html += String(payload.html ?? '');
      else if (name === 'markdown' || name === 'card-markdown') html += marked.parse(String(payload.markdown ?? ''), { async: false }) as string;
      else if (name === 'hr') html += '<hr>';
      else if (name === 'embed') html += embed(payload.url, payload.caption);
      else if (name === 'code') html += `<pre>${esc(payload.code)}</pre>`;
      else if (name === 'bookmark') html += `<p><a href="${attr(payload.url)}">${esc((payload.metadata as Json | undefined)?.title || payload.url)}</a></p>`;
      else if (name === 'gallery') html += `<figure>${((payload.images as Json[] | undefined) ?? []).map((i) => figure(i.src, i.alt, i.caption)).join('')}</figure>`;
      else warn('card-not-converted', `a Ghost ${name} card has no Newsdesk block and was left out`);
    }
  }
  return html;
}
