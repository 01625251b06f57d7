import type { QueryTerm } from './query.js';
import { tokenize, type Token } from './text.js';

/**
 * Snippets: a short window of text around the matches, HTML-escaped, with each match wrapped in
 * <mark>…</mark>. Two sources:
 * - callers with access: FTS5 snippet() over the indexed full text, asked for with the private
 *   marker characters below, then escaped here by `markedToHtml`;
 * - callers without access: `highlightSnippet` over the TEASER text only (the reader's view of the
 *   article), matching tokens the same way the index does (text.ts). So a word past the paywall
 *   break can make an article a result, but never appears in what a non-subscriber sees.
 */

/** Marker characters handed to FTS5 snippet() (control characters, never in article text; stray ones are dropped). */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';
export const ELLIPSIS = '…';
/** Tokens in a snippet window (what FTS5 snippet() is asked for too). */
export const SNIPPET_TOKENS = 24;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** FTS5 snippet output (with MARK_OPEN/MARK_CLOSE) → escaped HTML with <mark>. Stray markers are dropped. */
export function markedToHtml(marked: string): string {
  let out = '';
  let open = false;
  for (const part of marked.split(/([\u0002\u0003])/)) {
    if (part === MARK_OPEN) {
      if (!open) out += '<mark>';
      open = true;
    } else if (part === MARK_CLOSE) {
      if (open) out += '</mark>';
      open = false;
    } else {
      out += escapeHtml(part);
    }
  }
  if (open) out += '</mark>';
  return collapse(out);
}

export function hasMark(html: string): boolean {
  return html.includes('<mark>');
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Hit {
  first: number; // token index
  last: number;
  term: number;
}

function findHits(tokens: Token[], terms: QueryTerm[]): Hit[] {
  const hits: Hit[] = [];
  terms.forEach((term, ti) => {
    const k = term.tokens.length;
    for (let i = 0; i + k <= tokens.length; i++) {
      let ok = true;
      for (let j = 0; j < k && ok; j++) {
        const want = term.tokens[j];
        const got = tokens[i + j].norm;
        ok = term.prefix && j === k - 1 ? got.startsWith(want) : got === want;
      }
      if (ok) hits.push({ first: i, last: i + k - 1, term: ti });
    }
  });
  return hits.sort((a, b) => a.first - b.first || b.last - a.last).slice(0, 500);
}

/**
 * A snippet of `text` around the best cluster of matches of `terms`: the window of
 * SNIPPET_TOKENS tokens that holds the most different terms (then the most matches, then the
 * earliest). Without a match it is the start of the text, unmarked.
 */
export function highlightSnippet(text: string, terms: QueryTerm[], windowTokens = SNIPPET_TOKENS): string {
  const tokens = tokenize(text);
  if (tokens.length === 0) return collapse(escapeHtml(text.slice(0, 200)));
  const hits = findHits(tokens, terms);

  let start = 0;
  if (hits.length > 0) {
    let best = { distinct: -1, count: -1, start: 0 };
    for (const h of hits) {
      // Windows starting a little before each hit, so the match has some context on its left.
      const s = Math.max(0, Math.min(h.first - 3, tokens.length - windowTokens));
      const inWindow = hits.filter((x) => x.first >= s && x.last < s + windowTokens);
      const distinct = new Set(inWindow.map((x) => x.term)).size;
      if (distinct > best.distinct || (distinct === best.distinct && inWindow.length > best.count)) {
        best = { distinct, count: inWindow.length, start: s };
      }
    }
    start = best.start;
  }
  const end = Math.min(tokens.length, start + windowTokens); // exclusive token index
  const from = start === 0 ? 0 : tokens[start].start;
  const to = end === tokens.length ? text.length : tokens[end - 1].end;

  // Mark spans (merged when they overlap), within the window.
  const spans: [number, number][] = [];
  for (const h of hits) {
    if (h.first < start || h.last >= end) continue;
    const a = tokens[h.first].start;
    const b = tokens[h.last].end;
    const prev = spans[spans.length - 1];
    if (prev && a <= prev[1]) prev[1] = Math.max(prev[1], b);
    else spans.push([a, b]);
  }
  let out = start > 0 ? ELLIPSIS : '';
  let at = from;
  for (const [a, b] of spans) {
    out += escapeHtml(text.slice(at, a)) + '<mark>' + escapeHtml(text.slice(a, b)) + '</mark>';
    at = b;
  }
  out += escapeHtml(text.slice(at, to));
  if (end < tokens.length) out += ELLIPSIS;
  return collapse(out);
}
