import { HttpError } from '../lib/httpError.js';
import { normalizedTokens } from './text.js';

/**
 * The search box's query language, parsed into a safe FTS5 MATCH expression.
 *
 *   kazakh election        every word must match (AND)
 *   "grain corridor"       an exact phrase
 *   -rumour  -"op-ed"      excluded words or phrases (also `NOT rumour`)
 *   ports OR harbours      either (OR binds tighter than the implicit AND: `a OR b c` = (a OR b) AND c)
 *   kaz*                   a prefix (at least MIN_PREFIX_LENGTH letters before the `*`)
 *   headline:almaty        a word or "phrase" in one field: headline, standfirst, body, tag(s),
 *                          author(s), caption(s)
 *
 * Matching is case- and accent-insensitive (the index uses `unicode61 remove_diacritics 2`; the
 * query is tokenized the same way by text.ts). Safety: every term is re-built from its normalised
 * tokens (letters and digits only) and quoted as an FTS5 string, so nothing a user types can
 * reach FTS5 as syntax: no NEAR, no column filters we did not build, no stray `*` or quotes.
 *
 * Everything else is either understood or a 400 that says what is wrong:
 * - punctuation inside a word splits it the way the index does, and the pieces must appear
 *   together (`e-mail` = the phrase "e mail"; `10:30` = "10 30"); parentheses are ignored;
 * - an unbalanced `"` runs the phrase to the end of the query;
 * - `AND` (upper case) is accepted and means what a space means; lower-case and/or/not are words;
 * - 400: no searchable word at all (`!!!`, `AND AND`), only exclusions (`-rumour`), a `*` without a
 *   word or after fewer than MIN_PREFIX_LENGTH letters (`*`, `k*`), `OR` or `NOT` without a term on
 *   the side that needs one, an excluded term inside an OR, more than MAX_TERMS terms.
 * - Length: a query longer than MAX_QUERY_LENGTH characters is a 400 (checked by the route
 *   schema), not truncated: cutting a query can silently drop an exclusion or split a phrase and
 *   answer a different question than the one asked.
 */

export const MAX_QUERY_LENGTH = 400;
export const MAX_TERMS = 32;
export const MIN_PREFIX_LENGTH = 2;

/** FTS5 columns of articles_fts, in order (bm25 weights are in the repository). */
export const SEARCH_FIELDS = ['headline', 'standfirst', 'body', 'tags', 'authors', 'captions'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

const FIELD_ALIASES: Record<string, SearchField> = {
  headline: 'headline',
  title: 'headline',
  standfirst: 'standfirst',
  body: 'body',
  text: 'body',
  tag: 'tags',
  tags: 'tags',
  author: 'authors',
  authors: 'authors',
  byline: 'authors',
  caption: 'captions',
  captions: 'captions',
};

export interface QueryTerm {
  /** Normalised tokens (lower case, accents removed); more than one means "in this order". */
  tokens: string[];
  /** The last token is a prefix. */
  prefix: boolean;
  /** Restricted to one field, or null for all. */
  field: SearchField | null;
  /** What the user typed, for messages. */
  raw: string;
}

export interface ParsedQuery {
  /** AND of groups; each group is an OR of terms. Never empty. */
  groups: QueryTerm[][];
  /** Terms no result may contain. */
  excluded: QueryTerm[];
  /** The FTS5 MATCH expression. */
  match: string;
}

type Item =
  | { kind: 'op'; op: 'OR' | 'AND' | 'NOT'; at: number }
  | { kind: 'term'; negate: boolean; term: QueryTerm | null; at: number };

const POINTER = '/query/q';

function invalid(detail: string): HttpError {
  return new HttpError(400, `The search query is not valid: ${detail}`, { errors: [{ pointer: POINTER, detail }] });
}

const isSpace = (c: string | undefined) => c !== undefined && (/\s/u.test(c) || c === '(' || c === ')');

function makeTerm(text: string, prefix: boolean, field: SearchField | null, raw: string): QueryTerm | null {
  const tokens = normalizedTokens(text);
  if (prefix) {
    if (tokens.length === 0) {
      throw invalid(`"${raw}": a * must follow a word, as in kaz* (at least ${MIN_PREFIX_LENGTH} letters)`);
    }
    const last = tokens[tokens.length - 1];
    if ([...last].length < MIN_PREFIX_LENGTH) {
      throw invalid(`"${raw}": type at least ${MIN_PREFIX_LENGTH} letters before * to search by prefix`);
    }
  }
  if (tokens.length === 0) return null; // only punctuation: nothing to match, drop it
  return { tokens, prefix, field, raw };
}

/** Splits the query into terms and operators. */
function lex(input: string): Item[] {
  const items: Item[] = [];
  const n = input.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(input[i])) i++;
    if (i >= n) break;
    const at = i;
    let negate = false;
    if ((input[i] === '-' || input[i] === '+') && i + 1 < n && !isSpace(input[i + 1])) {
      negate = input[i] === '-';
      i++;
    }
    let field: SearchField | null = null;
    const fieldMatch = /^([A-Za-z]+):(?=[^\s()])/.exec(input.slice(i, i + 20));
    if (fieldMatch && FIELD_ALIASES[fieldMatch[1].toLowerCase()]) {
      field = FIELD_ALIASES[fieldMatch[1].toLowerCase()];
      i += fieldMatch[0].length;
    }
    if (input[i] === '"') {
      const close = input.indexOf('"', i + 1);
      const end = close < 0 ? n : close;
      const text = input.slice(i + 1, end);
      i = close < 0 ? n : close + 1;
      let prefix = false;
      while (input[i] === '*') {
        prefix = true;
        i++;
      }
      const raw = input.slice(at, i);
      items.push({ kind: 'term', negate, term: makeTerm(text, prefix, field, raw), at });
      continue;
    }
    let j = i;
    while (j < n && !isSpace(input[j]) && input[j] !== '"') j++;
    const word = input.slice(i, j);
    i = j;
    const raw = input.slice(at, j);
    if (!negate && field === null && (word === 'OR' || word === 'AND' || word === 'NOT') && raw === word) {
      items.push({ kind: 'op', op: word, at });
      continue;
    }
    const prefix = word.endsWith('*');
    const text = word.replace(/\*+$/, '');
    items.push({ kind: 'term', negate, term: makeTerm(text, prefix, field, raw), at });
  }
  return items;
}

function ftsString(tokens: string[]): string {
  // Tokens hold only letters and digits; doubling quotes is belt and braces.
  return `"${tokens.join(' ').replace(/"/g, '""')}"`;
}

export function renderTerm(term: QueryTerm): string {
  const phrase = ftsString(term.tokens) + (term.prefix ? '*' : '');
  return term.field ? `{${term.field}} : ${phrase}` : phrase;
}

function renderGroup(group: QueryTerm[]): string {
  return group.length === 1 ? renderTerm(group[0]) : `(${group.map(renderTerm).join(' OR ')})`;
}

/** Parses what a user typed into a search box. Throws a 400 HttpError naming the problem. */
export function parseSearchQuery(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) {
    throw invalid(`it is ${input.length} characters long; the limit is ${MAX_QUERY_LENGTH}`);
  }
  const items = lex(input);
  const groups: QueryTerm[][] = [];
  const excluded: QueryTerm[] = [];
  let pendingOr = false;
  let pendingNot = false;
  let lastPositive = false;

  for (const item of items) {
    if (item.kind === 'op') {
      if (item.op === 'OR') {
        if (!lastPositive || pendingOr) throw invalid('OR must stand between two search terms, as in ports OR harbours');
        pendingOr = true;
      } else if (item.op === 'NOT') {
        if (pendingOr) throw invalid('an excluded term cannot be one side of an OR');
        pendingNot = true;
      } else if (pendingOr) {
        throw invalid('OR must stand between two search terms, as in ports OR harbours');
      }
      continue;
    }
    const negate = item.negate || pendingNot;
    pendingNot = false;
    if (!item.term) {
      // Punctuation only: it matches nothing and asks for nothing; an OR or NOT around it still needs a term.
      continue;
    }
    if (negate) {
      if (pendingOr) throw invalid('an excluded term cannot be one side of an OR');
      excluded.push(item.term);
      lastPositive = false;
    } else if (pendingOr) {
      groups[groups.length - 1].push(item.term);
      pendingOr = false;
      lastPositive = true;
    } else {
      groups.push([item.term]);
      lastPositive = true;
    }
  }
  if (pendingOr) throw invalid('OR must stand between two search terms, as in ports OR harbours');
  if (pendingNot) throw invalid('NOT must be followed by the word or "phrase" to exclude');
  if (groups.length === 0) {
    throw invalid(
      excluded.length > 0
        ? 'it only excludes; add at least one word to search for (exclusions like -word narrow a search down)'
        : 'it has no words to search for',
    );
  }
  const count = groups.reduce((sum, g) => sum + g.length, 0) + excluded.length;
  if (count > MAX_TERMS) throw invalid(`it has ${count} terms; the limit is ${MAX_TERMS}`);

  const positive = groups.map(renderGroup).join(' AND ');
  const match = excluded.length === 0
    ? positive
    : `(${positive}) NOT (${excluded.map(renderTerm).join(' OR ')})`;
  return { groups, excluded, match };
}

/** Positive terms that can match in `field` (for highlighting text of that field). */
export function termsForField(query: ParsedQuery, field: SearchField): QueryTerm[] {
  return query.groups.flat().filter((t) => t.field === null || t.field === field);
}
