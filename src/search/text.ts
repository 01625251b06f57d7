/**
 * Text normalisation that mirrors SQLite FTS5's `unicode61 remove_diacritics 2` tokenizer, the
 * tokenizer of the search index. The index itself does all matching; this copy is used where
 * JavaScript has to agree with it: splitting the user's query into the same tokens, checking
 * prefix lengths, and highlighting matches in teaser text (see snippet.ts).
 *
 * What unicode61 does, and what we do:
 * - token characters are letters (L*), numbers (N*) and private-use characters (Co); everything
 *   else separates tokens. A few combining accents (U+0300–U+0331, the ones SQLite's diacritic
 *   table knows) are token characters that fold to nothing, so "cafe\u0301" is one token `cafe`;
 * - case folding (Unicode simple folding: `ſ` → `s`, `ς` → `σ`, `µ` → `μ`);
 * - with remove_diacritics 2, accents are removed from Latin letters (é → e, ő → o, ṩ → s), but
 *   not from Greek or Cyrillic (`й` stays `й`), and not where the base letter is not ASCII (`ǣ`).
 * test/search-query.test.ts ("normalisation agrees with the index tokenizer") compares this module with
 * SQLite's tokenizer character by character.
 */

/** Combining marks SQLite's unicode61 folds away (token characters that produce nothing). */
const FOLDED_MARKS = new Set<number>([
  0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x307, 0x308, 0x309, 0x30a, 0x30b, 0x30c, 0x30f, 0x311, 0x323,
  0x324, 0x325, 0x326, 0x327, 0x328, 0x32d, 0x32e, 0x330, 0x331, 0x31b,
]);

const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const ASCII_LETTER = /^[A-Za-z]$/;
/** Latin letters whose decomposition SQLite's table does not strip (found by the comparison test). */
const KEEP_ACCENTS = new Set<number>([0x1e0, 0x1e1]);
/** Fixed folds where SQLite's tables differ from JavaScript's (dotted/dotless i; letters newer than its tables). */
const FIXED_FOLDS = new Map<number, string>([
  [0x130, 'i'],
  [0x131, '\u0131'],
  [0x37f, '\u037f'],
  [0x528, '\u0528'],
  [0x52a, '\u052a'],
  [0x52c, '\u052c'],
  [0x52e, '\u052e'],
]);

const foldCache = new Map<number, string>();

/** Folds one code point the way unicode61 does; '' for a folded-away diacritic. */
export function foldChar(cp: number): string {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  let out: string;
  if (cp < 0x80) {
    out = String.fromCharCode(cp).toLowerCase();
  } else if (FOLDED_MARKS.has(cp)) {
    out = '';
  } else if (FIXED_FOLDS.has(cp)) {
    out = FIXED_FOLDS.get(cp)!;
  } else {
    const ch = String.fromCodePoint(cp);
    // Simple case folding: upper then lower maps ſ→s, ς→σ, ϐ→β; keep single-code-point results only.
    const upper = ch.toUpperCase();
    let lower = [...upper].length === 1 ? upper.toLowerCase() : ch.toLowerCase();
    if ([...lower].length !== 1) lower = ch;
    const decomposed = lower.normalize('NFD');
    const base = decomposed[0];
    if (
      decomposed.length > 1 &&
      ASCII_LETTER.test(base) &&
      !KEEP_ACCENTS.has(cp) &&
      [...decomposed.slice(1)].every((c) => /\p{Mn}/u.test(c))
    ) {
      out = base;
    } else {
      out = lower;
    }
  }
  if (foldCache.size < 10_000) foldCache.set(cp, out);
  return out;
}

export function isTokenChar(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  }
  // U+2066–U+2069 (bidi isolates) are newer than SQLite's tables, which count them as token characters.
  return FOLDED_MARKS.has(cp) || (cp >= 0x2066 && cp <= 0x2069) || TOKEN_CHAR.test(String.fromCodePoint(cp));
}

export interface Token {
  /** Normalised (folded, accent-free) token text, as the index stores it. */
  norm: string;
  /** UTF-16 offsets of the token in the original text. */
  start: number;
  end: number;
}

/** Splits text into the tokens the index sees, with their positions in the original. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let norm = '';
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    if (isTokenChar(cp)) {
      if (start < 0) start = i;
      norm += foldChar(cp);
    } else if (start >= 0) {
      if (norm) tokens.push({ norm, start, end: i });
      norm = '';
      start = -1;
    }
    i += width;
  }
  if (start >= 0 && norm) tokens.push({ norm, start, end: text.length });
  return tokens;
}

/** The normalised tokens of a piece of text. */
export function normalizedTokens(text: string): string[] {
  return tokenize(text).map((t) => t.norm);
}

/** Lower-cased, accent-free text with single spaces between tokens (used for prefix lookups). */
export function normalizeText(text: string): string {
  return normalizedTokens(text).join(' ');
}
