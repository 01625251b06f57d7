import { autop } from '@wordpress/autop';
import { parse } from '@wordpress/block-serialization-default-parser';
import * as shortcode from '@wordpress/shortcode';
import { parseDocument } from 'htmlparser2';
import { EMBED_MARK, htmlToDraftBlocks, plainText, type DraftBlock } from '../content/htmlToBlocks.js';

/**
 * A WordPress post's content → draft blocks, with WordPress's own readers:
 * @wordpress/block-serialization-default-parser for block-editor markup (`<!-- wp:paragraph -->`),
 * @wordpress/autop for classic content (paragraphs from blank lines, as the site showed them) and
 * @wordpress/shortcode for shortcodes. Blocks are serialised back to their HTML, with the ones
 * that have no HTML of their own turned into marker comments the HTML converter understands:
 *
 * - core/more and classic `<!--more-->`, and Jetpack's paywall block → the paywall break;
 * - core/embed (and the older core-embed/*) → an embed block (its URL, provider and caption);
 * - core/separator → an hr (left out and reported: Newsdesk has no divider);
 * - dynamic blocks that render only on the site (latest posts, archives, search, calendar…) and
 *   core/nextpage are left out and reported.
 * `[caption]` becomes a figure with its caption; `[embed]`, `[youtube]`, `[vimeo]` an embed; the
 * media and form shortcodes (gallery, audio, video, playlist, contact-form…) are removed and
 * reported; any other `[name …]` stays as text and is reported.
 */

type ParsedBlock = ReturnType<typeof parse>[number];

const PAYWALL_MARK = 'nd:paywall';
export const isWordpressBreak = (comment: string) => /^\s*more\b/.test(comment) || comment.trim() === PAYWALL_MARK;

const DYNAMIC = new Set([
  'core/latest-posts', 'core/latest-comments', 'core/archives', 'core/categories', 'core/calendar', 'core/search', 'core/rss',
  'core/tag-cloud', 'core/page-list', 'core/navigation', 'core/query', 'core/social-links', 'core/loginout', 'core/post-content',
  'core/post-title', 'core/site-title', 'core/site-logo', 'core/comments', 'core/block', 'core/legacy-widget', 'core/widget-group', 'core/footnotes',
]);
const SKIPPED = new Set(['core/spacer', 'core/nextpage', 'core/buttons-spacer']);
const EMBED_SHORTCODES = new Set(['embed', 'youtube', 'vimeo', 'tweet', 'twitter', 'instagram', 'dailymotion', 'soundcloud', 'spotify', 'ted', 'flickr']);
const REMOVED_SHORTCODES = new Set([
  'gallery', 'audio', 'video', 'playlist', 'contact-form', 'contact-field', 'jetpack_subscription_form', 'subscribe', 'polldaddy',
  'crowdsignal', 'wpvideo', 'recipe', 'googlemaps', 'archives', 'sitemap', 'slideshow', 'simple-payment', 'donation', 'gravityform',
  'wpforms', 'ninja_form', 'products', 'product', 'wp_ad_camp', 'jetpack-related-posts',
]);

const embedMark = (url: string, provider?: string, caption?: string) =>
  `<!--${EMBED_MARK}${encodeURIComponent(JSON.stringify({ url, provider, caption }))}-->`;

function captionOf(html: string): string | undefined {
  const m = /<figcaption[^>]*>([\s\S]*?)<\/figcaption>/i.exec(html);
  return m ? plainText(parseDocument(m[1]).children) || undefined : undefined;
}

function serialise(blocks: ParsedBlock[], warn: (code: string, detail?: string) => void): string {
  let html = '';
  for (const b of blocks) {
    const name = b.blockName;
    if (name === null || name === 'core/freeform') {
      if (b.innerHTML.trim()) html += autop(b.innerHTML);
      continue;
    }
    if (name === 'core/more') html += '<!--more-->';
    else if (name === 'jetpack/paywall') html += `<!--${PAYWALL_MARK}-->`;
    else if (name === 'core/embed' || name.startsWith('core-embed/')) {
      const url = typeof b.attrs?.url === 'string' ? b.attrs?.url : plainText(parseDocument(b.innerHTML).children).split(/\s+/)[0] ?? '';
      const provider = typeof b.attrs?.providerNameSlug === 'string' ? b.attrs?.providerNameSlug : name.startsWith('core-embed/') ? name.slice(11) : undefined;
      html += embedMark(url, provider, captionOf(b.innerHTML));
    } else if (name === 'core/separator') html += '<hr>';
    else if (SKIPPED.has(name)) {
      if (name === 'core/nextpage') warn('page-break', 'a page break (core/nextpage) was left out: the article is one page');
    } else if (DYNAMIC.has(name)) warn('block-not-converted', `${name} renders only on the WordPress site and was left out`);
    else {
      let i = 0;
      let inner = '';
      for (const part of b.innerContent) inner += part === null ? serialise([b.innerBlocks[i++]].filter(Boolean), warn) : part;
      if (!inner.trim() && b.innerBlocks.length === 0) warn('block-not-converted', `${name} has no content to import and was left out`);
      else if (!name.startsWith('core/') && !name.startsWith('jetpack/')) warn('block-as-html', `${name} was imported from its HTML`);
      html += inner;
    }
  }
  return html;
}

/** A figure for a `[caption]`: the image (or linked image) it wraps, and the rest of its text as the caption. */
function captionFigure(sc: shortcode.Shortcode): string {
  const content = sc.content ?? '';
  const img = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i.exec(content);
  const named = sc.attrs.named.caption;
  if (!img) return content;
  const caption = (img[2] ?? '').trim() || named || '';
  return `<figure>${img[1]}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
}

function firstUrl(sc: shortcode.Shortcode): string {
  const candidates = [sc.content ?? '', sc.attrs.named.url ?? '', sc.attrs.named.src ?? '', ...sc.attrs.numeric, ...Object.values(sc.attrs.named)];
  for (const c of candidates) {
    const m = /(https?:\/\/[^\s"'<>\]]+)/.exec((c ?? '').replace(/^=/, ''));
    if (m) return m[1];
  }
  return '';
}

function shortcodes(html: string, warn: (code: string, detail?: string) => void): string {
  if (!html.includes('[')) return html;
  const names = new Set<string>();
  for (const m of html.matchAll(/\[(?!\[)([A-Za-z][\w-]{0,40})(?=[\s\]/=])/g)) names.add(m[1].toLowerCase());
  let out = html;
  for (const name of names) {
    // The callback's undefined keeps the shortcode as written (as WordPress's own replace does).
    out = shortcode.replace(name, out, ((sc: shortcode.Shortcode) => {
      if (name === 'caption' || name === 'wp_caption') return captionFigure(sc);
      if (EMBED_SHORTCODES.has(name)) {
        const url = firstUrl(sc);
        if (url) return embedMark(url, name === 'embed' ? undefined : name);
      }
      if (REMOVED_SHORTCODES.has(name) || EMBED_SHORTCODES.has(name)) {
        warn('shortcode-removed', `[${name}] has no Newsdesk equivalent and was removed`);
        return '';
      }
      warn('shortcode-unknown', `[${name}] is not a shortcode Newsdesk knows; kept as text`);
      return undefined;
    }) as unknown as (sc: shortcode.Shortcode) => string);
  }
  return out;
}

/** The draft blocks of a post's `content:encoded`. */
export function wordpressContentToDrafts(content: string, warn: (code: string, detail?: string) => void): DraftBlock[] {
  const html = shortcodes(serialise(parse(content), warn), warn);
  return htmlToDraftBlocks(html, { isBreak: isWordpressBreak, warn });
}
