import Database from 'better-sqlite3';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { HttpError } from '../src/lib/httpError.js';
import { MAX_QUERY_LENGTH, MAX_TERMS, parseSearchQuery } from '../src/search/query.js';
import { highlightSnippet, markedToHtml } from '../src/search/snippet.js';
import { normalizedTokens } from '../src/search/text.js';

const match = (q: string) => parseSearchQuery(q).match;

function rejects(t: Test, q: string, pattern: RegExp) {
  const label = JSON.stringify(q.length > 40 ? `${q.slice(0, 40)}…` : q);
  try {
    parseSearchQuery(q);
    t.fail(`${label} should be a 400`);
  } catch (err) {
    t.ok(err instanceof HttpError && err.statusCode === 400, `${label} is a 400`);
    t.match((err as Error).message, pattern, `${label} says what is wrong`);
    t.same((err as HttpError).extra.errors?.[0]?.pointer, '/query/q');
  }
}

t.test('the query language', async (t) => {
  t.equal(match('kazakh election'), '"kazakh" AND "election"', 'words: all must match');
  t.equal(match('"grain corridor" port'), '"grain corridor" AND "port"', 'exact phrases');
  t.equal(match('strike -rumour -"op-ed"'), '("strike") NOT ("rumour" OR "op ed")', 'exclusions');
  t.equal(match('strike NOT rumour'), '("strike") NOT ("rumour")', 'NOT is an exclusion too');
  t.equal(match('ports OR harbours strike'), '("ports" OR "harbours") AND "strike"', 'OR binds tighter than AND');
  t.equal(match('a OR b OR c'), '("a" OR "b" OR "c")');
  t.equal(match('(ports OR harbours) strike'), '("ports" OR "harbours") AND "strike"', 'parentheses are ignored');
  t.equal(match('kaz*'), '"kaz"*', 'prefix');
  t.equal(match('"grain corr"*'), '"grain corr"*', 'phrase prefix');
  t.equal(match('Kőváros CAFÉ'), '"kovaros" AND "cafe"', 'case and accents are folded as the index folds them');
  t.equal(match('e-mail 10:30'), '"e mail" AND "10 30"', 'punctuation inside a word splits it like the index does');
  t.equal(match('headline:almaty'), '{headline} : "almaty"', 'field filter');
  t.equal(match('Tag:"civil aviation" -author:smith'), '({tags} : "civil aviation") NOT ({authors} : "smith")');
  t.equal(match('foo:bar'), '"foo bar"', 'an unknown field is just text');
  t.equal(match('apples AND pears'), '"apples" AND "pears"', 'AND means what a space means');
  t.equal(match('cats and or not dogs'), '"cats" AND "and" AND "or" AND "not" AND "dogs"', 'lower-case operators are words');
  t.equal(match('"unbalanced phrase'), '"unbalanced phrase"', 'an unbalanced quote runs to the end');
  t.equal(match('NEAR(a b)'), '"near" AND "a" AND "b"', 'NEAR is a word, not syntax');
  t.equal(match('x AND AND y'), '"x" AND "y"');
  t.equal(match("'; DROP TABLE articles; --"), '"drop" AND "table" AND "articles"', 'SQL is just words');
  t.equal(match('{headline}: x'), '"headline" AND "x"', 'FTS column syntax is just words');
  t.equal(match('word !!! ^ ( )'), '"word"', 'punctuation-only pieces are dropped');
});

t.test('what the parser refuses, and why', async (t) => {
  rejects(t, '-rumour', /only excludes/);
  rejects(t, 'NOT rumour', /only excludes/);
  rejects(t, 'AND AND', /no words/);
  rejects(t, '!!! ---', /no words/);
  rejects(t, '""', /no words/);
  rejects(t, '', /no words/);
  rejects(t, '*', /must follow a word/);
  rejects(t, 'k*', /at least 2 letters/);
  rejects(t, 'OR cats', /OR must stand between/);
  rejects(t, 'cats OR', /OR must stand between/);
  rejects(t, 'cats OR OR dogs', /OR must stand between/);
  rejects(t, 'cats OR -dogs', /excluded term cannot/);
  rejects(t, 'cats NOT', /NOT must be followed/);
  rejects(t, Array.from({ length: MAX_TERMS + 1 }, (_, i) => `w${i}`).join(' '), /limit is 32/);
  rejects(t, 'x'.repeat(MAX_QUERY_LENGTH + 1), /limit is 400/);
});

t.test('normalisation agrees with the index tokenizer', async (t) => {
  t.same(normalizedTokens('Kőváros café ÉLÈVE naïve Straße Ærø'), ['kovaros', 'cafe', 'eleve', 'naive', 'straße', 'ærø']);
  t.same(normalizedTokens('cafe\u0301'), ['cafe'], 'a combining accent folds away');
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  db.exec("CREATE VIRTUAL TABLE d USING fts5(x, tokenize='unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(d, 'instance');");
  const insert = db.prepare('INSERT INTO d(rowid, x) VALUES (?, ?)');
  const ranges: [number, number][] = [[0x20, 0x24f], [0x300, 0x36f], [0x370, 0x52f], [0x1e00, 0x1eff], [0x2000, 0x206f], [0xff00, 0xff5f]];
  const cps: number[] = [];
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) if (!/\p{Cn}|\p{Cs}/u.test(String.fromCodePoint(c))) cps.push(c);
  db.transaction(() => cps.forEach((c) => insert.run(c, `q${String.fromCodePoint(c)}z`)))();
  const sqlite = new Map<number, string[]>();
  for (const r of db.prepare('SELECT doc, term FROM v ORDER BY doc, offset').all() as { doc: number; term: string }[]) {
    sqlite.set(r.doc, [...(sqlite.get(r.doc) ?? []), r.term]);
  }
  const differ = cps.filter((c) => JSON.stringify(sqlite.get(c) ?? []) !== JSON.stringify(normalizedTokens(`q${String.fromCodePoint(c)}z`)));
  t.same(differ.map((c) => c.toString(16)), [], `every one of ${cps.length} characters tokenizes as SQLite does`);
});

t.test('teaser highlighting', async (t) => {
  const q = parseSearchQuery('"grain corridor" kaz* café');
  const terms = q.groups.flat();
  const html = highlightSnippet('The <b>Grain Corridor</b> talks in Kazan, at the Cafe Nord, resumed.', terms);
  t.equal(html, 'The &lt;b&gt;<mark>Grain Corridor</mark>&lt;/b&gt; talks in <mark>Kazan</mark>, at the <mark>Cafe</mark> Nord, resumed.');
  t.equal(highlightSnippet('Nothing here matches.', terms), 'Nothing here matches.', 'no match: the start, unmarked');
  const long = `${'filler '.repeat(100)}the grain corridor reopened ${'more '.repeat(100)}`;
  const snip = highlightSnippet(long, terms);
  t.match(snip, /^….*<mark>grain corridor<\/mark>.*…$/, 'a window around the match with ellipses');
  t.ok(snip.split(' ').length <= 30, 'a short window');
  t.equal(markedToHtml('a \u0002<x>\u0003 b \u0003'), 'a <mark>&lt;x&gt;</mark> b', 'FTS5 markers become <mark>, text is escaped');
});

// Property tests: nothing a user types makes FTS5 fail. Every query either parses to an
// expression SQLite accepts, or is a 400 HttpError.
const db = new Database(':memory:');
db.exec("CREATE VIRTUAL TABLE f USING fts5(headline, standfirst, body, tags, authors, captions, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')");
db.prepare('INSERT INTO f VALUES (?, ?, ?, ?, ?, ?)').run('Kőváros grain corridor', 'x', 'body text café', 'tag', 'author', 'caption');
const search = db.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rank LIMIT 5');
t.teardown(() => db.close());

function parsesOrRefuses(q: string): boolean {
  let expr: string;
  try {
    expr = parseSearchQuery(q).match;
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 400) return true;
    throw err;
  }
  search.all(expr); // throws on an FTS5 syntax error
  return true;
}

const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '*', '-', '+', 'OR', 'AND', 'NOT', 'NEAR(', 'NEAR', '(', ')', ':', 'headline:', 'body:', '{headline}', '^', '\\', "'", ';', '--', 'DROP TABLE articles', '\u0000', '\u0002', '\ud800', 'é', 'Kőváros', 'kaz*', 'a*', '**', '""', ' ', '  ', '\t', '\n', 'x', 'grain'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

t.test('fuzz: random strings never produce an FTS5 syntax error', async (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 500, unit: 'binary' }), parsesOrRefuses), { numRuns: 3000 });
  t.pass('3000 random strings: each parsed to valid FTS5 or refused with a 400');
});

t.test('fuzz: hostile token soup never produces an FTS5 syntax error', async (t) => {
  fc.assert(fc.property(hostile, parsesOrRefuses), { numRuns: 5000 });
  t.pass('5000 hostile queries: each parsed to valid FTS5 or refused with a 400');
});
