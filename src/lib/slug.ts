import slugify from '@sindresorhus/slugify';
import { createHash } from 'node:crypto';
import { transliterate } from 'transliteration';

/**
 * URL slugs from any text.
 *
 * @sindresorhus/slugify transliterates Latin, Greek, Cyrillic, Arabic, Georgian, Armenian and
 * more, but drops what it cannot read (Chinese, Japanese, Korean, Thai, Hebrew, Devanagari,
 * polytonic Greek…), so "北京" and "上海" both came out empty. Those letters are read first by
 * the `transliteration` package (Unidecode-style tables: Chinese as pinyin, Hangul and kana
 * romanised, Japanese kanji by their Chinese reading): "北京" → "bei-jing", "서울" → "seoul".
 * Text with nothing to read at all (emoji, punctuation) gets `item-` and a short hash of the
 * text: stable, and distinct for distinct texts.
 */
export function toSlug(text: string, maxLength = 80): string {
  const s = slugify(romanise(text), { decamelize: false }).slice(0, maxLength).replace(/-+$/, '');
  return s || `item-${createHash('sha256').update(text.normalize('NFC').trim()).digest('hex').slice(0, 8)}`;
}

// A letter or digit with the marks that go with it.
const CLUSTER = /[\p{L}\p{N}]\p{M}*|[^]/gu;
const LETTER = /^[\p{L}\p{N}]/u;
// Scripts written without spaces between words: their readings are set apart from what follows.
const SPACELESS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const known = new Map<string, boolean>();
/** Whether slugify keeps something of this letter. */
function slugifyReads(cluster: string): boolean {
  let hit = known.get(cluster);
  if (hit === undefined) {
    hit = slugify(cluster, { decamelize: false }) !== '';
    if (known.size < 10_000) known.set(cluster, hit);
  }
  return hit;
}

/** The text with every run of letters slugify cannot read replaced by its Latin reading. */
function romanise(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  let out = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    const latin = transliterate(run);
    out += SPACELESS.test(run) ? ` ${latin} ` : latin;
    run = '';
  };
  for (const [c] of text.matchAll(CLUSTER)) {
    if (LETTER.test(c) && !slugifyReads(c)) run += c;
    else {
      flush();
      out += c;
    }
  }
  flush();
  return out;
}
