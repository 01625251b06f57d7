/**
 * Search benchmark (not a test): `npm run bench:search [-- --articles 100000 --runs 40]`.
 *
 * Seeds N generated articles (default 100,000) into a temporary database through the articles
 * repository (which indexes each one with reindexArticle, as the API does) in a single
 * transaction, then measures the search repository — a relevance page of 20 plus the total, as
 * GET /v1/search runs them — next to the naive alternative on the same data: a
 * `LIKE '%word%'` scan over headline, standfirst and body text with the same page and count.
 * Prints a Markdown table of p50/p95/p99 latencies. The temporary database is deleted at the end
 * (`--keep` keeps it for a closer look).
 */
import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createArticlesRepository, visibleCondition } from '../src/articles/repository.js';
import { closeDatabase, openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import { authors, sections, tags } from '../src/db/schema/index.js';
import { parseSearchQuery } from '../src/search/query.js';
import { rankedPage } from '../src/search/ranking.js';
import { createSearchRepository } from '../src/search/repository.js';

const { values: opts } = parseArgs({
  options: {
    articles: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(opts.articles);
const RUNS = Number(opts.runs);
const LIKE_RUNS = RUNS;

// ---- deterministic generated text ------------------------------------------------------------------
let seed = 42;
const rand = () => {
  // mulberry32
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

const SYLLABLES = ['ka', 'zan', 'lo', 'mir', 'ta', 'ren', 'vo', 'sk', 'al', 'ma', 'ty', 'pe', 'tro', 'dan', 'ul', 'bek', 'or', 'is', 'ne', 'gra', 'in', 'sol', 've', 'ri', 'ust', 'ba', 'che', 'nov', 'el', 'ka'];
const VOCAB_SIZE = 20_000;
const vocab: string[] = [];
const seen = new Set<string>();
while (vocab.length < VOCAB_SIZE) {
  const n = 2 + Math.floor(rand() * 3);
  let w = '';
  for (let i = 0; i < n; i++) w += pick(SYLLABLES);
  if (!seen.has(w)) {
    seen.add(w);
    vocab.push(w);
  }
}
// Zipf-like word frequencies: rank r has weight 1/(r+1).
const cumulative: number[] = [];
let total = 0;
for (let r = 0; r < VOCAB_SIZE; r++) cumulative.push((total += 1 / (r + 1)));
function word(): string {
  const x = rand() * total;
  let lo = 0;
  let hi = VOCAB_SIZE - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return vocab[lo];
}
const sentence = (words: number) => {
  const ws = Array.from({ length: words }, word);
  ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
  return `${ws.join(' ')}.`;
};
const paragraph = () => `${sentence(12)} ${sentence(10)} the agency quoted the ministry as saying.`;

// ---- seed -----------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'newsdesk-bench-'));
const dbPath = join(dir, 'bench.db');
const db = openDatabase(dbPath, { synchronous: 'NORMAL' });
runMigrations(db);
const articlesRepo = createArticlesRepository(db);
const search = createSearchRepository(db);

const nowIso = '2026-01-15T12:00:00.000Z';
const t0 = performance.now();
db.$client.exec('BEGIN');
const sectionIds = ['world', 'business', 'politics', 'sport', 'culture', 'science', 'opinion', 'regions'].map(
  (slug, i) => db.insert(sections).values({ slug, name: slug[0].toUpperCase() + slug.slice(1), position: i, createdAt: nowIso, updatedAt: nowIso }).returning().get().id,
);
const tagIds = Array.from({ length: 200 }, (_, i) => {
  const name = i === 0 ? 'Kazakhstan' : i === 1 ? 'Almaty' : `${vocab[i * 7][0].toUpperCase()}${vocab[i * 7].slice(1)} ${i}`;
  return db.insert(tags).values({ slug: `tag-${i}`, name, createdAt: nowIso, updatedAt: nowIso }).returning().get().id;
});
const authorIds = Array.from({ length: 50 }, (_, i) =>
  db.insert(authors).values({ slug: `author-${i}`, name: `${pick(vocab)} ${pick(vocab)}`, createdAt: nowIso, updatedAt: nowIso }).returning().get().id,
);
const start = Date.parse('2024-01-01T00:00:00Z');
const span = Date.parse(nowIso) - start;
for (let i = 0; i < N; i++) {
  if (i > 0 && i % 10_000 === 0) process.stderr.write(`  seeded ${i.toLocaleString('en')} articles (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const blocks = [
    { type: 'paragraph' as const, text: paragraph() },
    { type: 'paragraph' as const, text: paragraph() },
    { type: 'paywall' as const },
    { type: 'paragraph' as const, text: paragraph() },
    { type: 'paragraph' as const, text: paragraph() },
  ];
  const bodyText = blocks.filter((b) => b.type === 'paragraph').map((b) => (b as { text: string }).text).join('\n\n');
  const at = new Date(start + Math.floor((span * i) / N)).toISOString();
  const headline = sentence(8).slice(0, -1);
  await articlesRepo.insert(
    {
      slug: `article-${i}`,
      headline,
      standfirst: sentence(14),
      body: blocks,
      bodyText,
      sectionId: pick(sectionIds),
      access: pick(['public', 'public', 'registered', 'subscribers'] as const),
      status: 'published',
      publishedAt: at,
      firstPublishedAt: at,
      wordCount: 150,
      readingTimeMinutes: 1,
      createdAt: at,
      updatedAt: at,
    },
    [pick(authorIds)],
    [...new Set([pick(tagIds), pick(tagIds), pick(tagIds)])],
    { action: 'create', changedFields: ['headline'], snapshot: { headline }, actor: 'bench', createdAt: at },
  );
}
db.$client.exec('COMMIT');
const seedSeconds = (performance.now() - t0) / 1000;
db.run(sql`INSERT INTO articles_fts(articles_fts) VALUES ('optimize')`);
db.$client.pragma('wal_checkpoint(TRUNCATE)');
const indexed = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles_fts`)!.n;

// ---- measure ----------------------------------------------------------------------------------------
const visible = [visibleCondition(nowIso)];
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
/** Up to `runs` timed runs after a warm-up, fewer (at least 10) when one run is slow: about BUDGET_MS per case. */
const BUDGET_MS = 4000;
async function time(runs: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const w = performance.now();
  await fn(); // warm up
  const once = performance.now() - w;
  const n = Math.max(10, Math.min(runs, Math.floor(BUDGET_MS / Math.max(once, 0.01))));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await fn();
    out.push(performance.now() - a);
  }
  return out;
}
const likeSearch = (terms: string[]) => {
  const conds = terms.map((t) => {
    const p = `%${t}%`;
    return sql`(headline LIKE ${p} OR standfirst LIKE ${p} OR body_text LIKE ${p})`;
  });
  const where = sql.join([...visible, ...conds], sql` AND `);
  const rows = db.all(sql`SELECT id FROM articles WHERE ${where} ORDER BY published_at DESC, id DESC LIMIT 20`);
  const n = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM articles WHERE ${where}`)!.n;
  return { rows, n };
};

const rare = vocab[12_000];
const medium = vocab[300];
const common = vocab[3];
const cases: { label: string; q: string; like: string[] | null }[] = [
  { label: `rare word (\`${rare}\`)`, q: rare, like: [rare] },
  { label: `medium word (\`${medium}\`)`, q: medium, like: [medium] },
  { label: `common word (\`${common}\`)`, q: common, like: [common] },
  { label: 'two words (AND)', q: `${medium} ${vocab[40]}`, like: [medium, vocab[40]] },
  { label: 'phrase', q: `"agency quoted the ministry"`, like: ['agency quoted the ministry'] },
  { label: 'prefix (`kaz*`)', q: 'kaz*', like: ['kaz'] },
  { label: 'exclusion', q: `${medium} -${vocab[40]}`, like: null },
  { label: 'tag filter: `tag:kazakhstan` + word', q: `tag:kazakhstan ${medium}`, like: null },
];

const rows: string[] = [];
for (const c of cases) {
  const match = { match: parseSearchQuery(c.q).match, granted: null };
  const first = await rankedPage(db, match, visible, undefined, 20);
  const fts = await time(RUNS, () => rankedPage(db, match, visible, undefined, 20));
  const runsNote = fts.length < RUNS ? ` (${fts.length} runs)` : '';
  let likeCells = '— | — | — | —';
  if (c.like) {
    const terms = c.like;
    const n = likeSearch(terms).n;
    const like = await time(LIKE_RUNS, () => likeSearch(terms));
    likeCells = `${n}${like.length < LIKE_RUNS ? ` (${like.length} runs)` : ''} | ${percentile(like, 50).toFixed(1)} | ${percentile(like, 95).toFixed(1)} | ${percentile(like, 99).toFixed(1)}`;
  }
  rows.push(`| ${c.label} | ${first.total}${runsNote} | ${percentile(fts, 50).toFixed(2)} | ${percentile(fts, 95).toFixed(2)} | ${percentile(fts, 99).toFixed(2)} | ${likeCells} |`);
}

const facetTimes = await time(RUNS, async () => {
  const match = parseSearchQuery(medium).match;
  await search.sectionFacets({ match, granted: null }, visible, 25);
  await search.tagFacets({ match, granted: null }, visible, 25);
});
const suggestRows: string[] = [];
for (const prefix of ['ka', 'kaz', 'kazan', 'almaty']) {
  const m = `{headline} : "${prefix}"*`;
  const tm = `"${prefix}"*`;
  const ts = await time(RUNS, async () => {
    await search.headlineSuggestions(m, visible, 5);
    await search.tagSuggestions(tm, visible, 5);
  });
  suggestRows.push(`| suggest \`${prefix}\` | ${percentile(ts, 50).toFixed(2)} | ${percentile(ts, 95).toFixed(2)} | ${percentile(ts, 99).toFixed(2)} |`);
}

const size = statSync(dbPath).size / 1024 / 1024;
console.log(`\n## Search benchmark: ${N.toLocaleString('en')} articles\n`);
console.log(`Seeded and indexed ${indexed.toLocaleString('en')} articles in ${seedSeconds.toFixed(1)} s (one transaction, through the articles repository); database ${size.toFixed(0)} MB.`);
console.log(`Node ${process.version}, SQLite ${db.get<{ v: string }>(sql`SELECT sqlite_version() AS v`)!.v}, ${os.cpus().length} CPUs (load average ${os.loadavg()[0].toFixed(1)}). Up to ${RUNS} runs per query after a warm-up (fewer, at least 10, when a run is slow). Times in ms; each search = first page of 20 by relevance + total count (LIKE: newest 20 + count).\n`);
console.log('| query | FTS matches | FTS p50 | FTS p95 | FTS p99 | LIKE matches | LIKE p50 | LIKE p95 | LIKE p99 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
console.log(`\nLIKE matches substrings (\`kaz\` inside any word), FTS matches tokens, so counts differ; LIKE has no ranking.\n`);
console.log('| other | p50 | p95 | p99 |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| facets (section + tag) for the medium word | ${percentile(facetTimes, 50).toFixed(2)} | ${percentile(facetTimes, 95).toFixed(2)} | ${percentile(facetTimes, 99).toFixed(2)} |`);
for (const r of suggestRows) console.log(r);

closeDatabase(db);
if (opts.keep) console.log(`\nKept the database at ${dbPath}`);
else rmSync(dir, { recursive: true, force: true });
