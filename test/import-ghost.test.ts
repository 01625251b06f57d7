import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { runImport } from '../src/importers/cli.js';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp as buildApp, json } from './helpers/app.js';

const FIXTURE = join(import.meta.dirname, 'fixtures/import/ghost-small.json');
const CSV = join(import.meta.dirname, 'fixtures/import/ghost-members.csv');
const quiet = { media: null, members: null, dryRun: false, progress: false, log: () => {} };
const buildTestApp = (t: Parameters<typeof buildApp>[0]) => buildApp(t, { clock: new ManualClock(new Date('2026-03-10T12:00:00Z')) });

/** A Ghost site folder as --media gets it: content/images/… */
async function siteDir(t: { teardown(fn: () => void): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-ghost-site-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'content/images/2026/03'), { recursive: true });
  writeFileSync(join(dir, 'content/images/2026/03/pier.jpg'), await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).jpeg().toBuffer());
  return dir;
}

async function withDigitalPlan(app: Awaited<ReturnType<typeof buildTestApp>>) {
  const res = await app.app.inject({ method: 'POST', url: '/v1/plans', headers: app.admin, payload: { slug: 'digital', name: 'Digital', price: 500, levels: ['registered', 'subscribers'] } });
  if (res.statusCode !== 201) throw new Error(res.body);
}

t.test('a Ghost export: lexical, mobiledoc and html posts read as they did, with the paywall, visibility, tags and images', async (t) => {
  const ctx = await buildTestApp(t);
  const { app, admin } = ctx;
  await withDigitalPlan(ctx);
  const summary = await runImport(app, 'ghost', FIXTURE, { ...quiet, media: await siteDir(t) });
  t.equal(summary.get('article', 'created'), 4);
  t.equal(summary.get('page', 'skipped'), 1);
  t.equal(summary.failures.length, 0, JSON.stringify(summary.failures));

  const pier = json(await app.inject({ url: '/v1/articles/pier-vote', headers: admin }));
  t.equal(pier.access.level, 'registered', 'members → registered');
  t.same(pier.blocks.map((b: { type: string }) => b.type), ['paragraph', 'paywall', 'heading', 'paragraph', 'quote', 'list', 'image', 'paragraph']);
  t.equal(pier.blocks[0].text, 'TALLMOOR, Mar 3 — The county council voted to <a href="https://council.example.org/minutes">close the old ferry pier</a> on Monday.');
  t.equal(pier.blocks[3].text, 'Repairs would cost <strong>2.4 million</strong> crowns, engineers said.');
  t.same(pier.blocks[4], { type: 'quote', text: '“The pier has served us for ninety years.”', attribution: 'Mayor Elin Stray' });
  t.same(pier.blocks[5].items, ['Closure from April', 'A new pontoon by 2028']);
  t.equal(pier.blocks[6].caption, 'The pier at low tide. Photo: Tallmoor Post', 'an HTML caption as text');
  t.equal(pier.blocks[6].altText, 'The old pier at low tide');
  t.equal(pier.blocks[7].text, 'Embedded note', 'the html card, its script removed');
  t.equal(pier.sectionSlug, 'local', 'the primary tag is the section');
  t.same(pier.tagSlugs, ['transport'], 'other public tags are tags; the internal #tag is skipped');
  t.same(pier.authors.map((a: { name: string }) => a.name), ['Elsa Brandt', 'Jon Aas'], 'authors in byline order');
  t.equal(pier.excerpt, 'The pier closes in April.');
  t.equal(pier.canonicalUrl, 'https://www.tallmoor-post.example.org/2026/03/pier');
  t.equal(pier.seoTitle, 'Pier vote');
  t.equal(pier.publishedAt, '2026-03-03T09:00:00.000Z');
  t.type(pier.featuredPhotoId, 'number');
  const photo = json(await app.inject({ url: `/v1/photos/${pier.featuredPhotoId}`, headers: admin }));
  t.equal(photo.altText, 'The pier from the shore', 'feature image alt from posts_meta');
  t.equal(pier.blocks[6].photoId, pier.featuredPhotoId, 'the same file is one photo');

  const budget = json(await app.inject({ url: '/v1/articles/pier-budget', headers: admin }));
  t.equal(budget.access.level, 'subscribers', 'paid → subscribers');
  t.same(budget.blocks.map((b: { type: string }) => b.type), ['paragraph', 'paywall', 'heading', 'paragraph', 'list', 'image'], 'mobiledoc with the paywall card');
  t.equal(budget.blocks[0].text, 'Paid readers get the full <strong>budget</strong> breakdown.');
  t.equal(budget.blocks[3].text, '<a href="/pier-vote/">An earlier story</a> has the vote.', '__GHOST_URL__ links become site-relative');
  t.equal(budget.blocks[5].caption, 'Waves at the pier', 'a resized image (size/w600) is found as its original');

  const pontoon = json(await app.inject({ url: '/v1/articles/pontoon-bidders', headers: admin }));
  t.equal(pontoon.access.level, 'subscribers', 'tiers → subscribers');
  t.same(pontoon.blocks.map((b: { type: string }) => b.type), ['paragraph', 'paywall', 'paragraph'], '<!--members-only--> is the break');
  t.match([...summary.warnings.get('tier-access')!.examples].join(), /tier Insider.*no Newsdesk plan matches/);
  const anon = json(await app.inject({ url: '/v1/articles/pontoon-bidders' }));
  t.notMatch(JSON.stringify(anon), /Nordvik/, 'nothing past the break for readers without access');

  t.equal(json(await app.inject({ url: '/v1/articles/harbour-fees', headers: admin })).status, 'draft');
  t.ok(summary.warnings.has('internal-tag-skipped'));
  t.equal((await app.inject({ url: '/pier-vote/' })).headers.location, '/v1/articles/pier-vote', "the Ghost path redirects");
  t.notMatch(JSON.stringify(json(await app.inject({ url: '/v1/authors/elsa' }))), /example\.org|REDACTED/, 'no staff email or password');
});

t.test('Ghost members become confirmed subscribers with their newsletters and comps; a second run changes nothing', async (t) => {
  const ctx = await buildTestApp(t);
  const { app, admin } = ctx;
  await withDigitalPlan(ctx);
  const summary = await runImport(app, 'ghost', FIXTURE, quiet);
  t.equal(summary.get('subscriber', 'created'), 3);
  const list = json(await app.inject({ url: '/v1/admin/subscribers?limit=100', headers: admin })).data as { email: string; status: string; plan: string; newsletters: string[] }[];
  const by = Object.fromEntries(list.map((s) => [s.email, s]));
  t.equal(by['reader.one@example.com'].status, 'active', 'confirmed');
  t.same(by['reader.one@example.com'].newsletters, ['daily-briefing'], 'the newsletter Newsdesk has; the other is reported');
  t.ok(summary.warnings.has('newsletter-unmatched'));
  t.equal(by['comp@example.net'].plan, 'digital', 'the comp on tier "Digital" → the Digital plan');
  t.same(by['quiet@example.org'].newsletters, [], 'no consent to email: no newsletter');

  const again = await runImport(app, 'ghost', FIXTURE, quiet);
  t.equal(again.get('subscriber', 'unchanged'), 3);
  t.equal(again.get('article', 'unchanged'), 4);
  t.equal(again.wroteAnything, false);
});

t.test('--members CSV: consent, comps, and never Stripe ids or notes', async (t) => {
  const ctx = await buildTestApp(t);
  const { app, admin } = ctx;
  await withDigitalPlan(ctx);
  const summary = await runImport(app, 'ghost', FIXTURE, { ...quiet, members: CSV });
  t.equal(summary.get('subscriber', 'created'), 3, 'the CSV replaces the export’s member tables');
  const list = json(await app.inject({ url: '/v1/admin/subscribers?limit=100', headers: admin })).data as { email: string; plan: string; newsletters: string[] }[];
  const by = Object.fromEntries(list.map((s) => [s.email, s]));
  t.same(by['csv.reader@example.com'].newsletters, ['daily-briefing'], 'subscribed: the newsletters new sign-ups get');
  t.same(by['csv.quiet@example.com'].newsletters, []);
  t.equal(by['csv.comp@example.com'].plan, 'digital');
  const detail = JSON.stringify(list);
  t.notMatch(detail, /cus_123|A note|VIP/);
});

t.test('bad Ghost files are refused with a clear message', async (t) => {
  const { app } = await buildTestApp(t);
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-ghost-bad-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, body: string) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const cases: [string, string, RegExp][] = [
    ['empty.json', '', /empty/],
    ['notjson.json', '<rss/>', /not JSON/],
    ['other.json', '{"hello":1}', /not a Ghost export/],
    ['old.json', '{"db":[{"meta":{"version":"2.31.0"},"data":{"posts":[]}}]}', /Ghost 2\.31\.0 exports are not supported/],
  ];
  for (const [name, body, message] of cases) await t.rejects(runImport(app, 'ghost', file(name, body), quiet), { name: 'ImportFileError', message }, name);
  const broken = file('broken.json', JSON.stringify({ db: [{ meta: { version: '6.0.0' }, data: { posts: [{ id: 'x', title: 'Broken', slug: 'broken', lexical: '{not json', type: 'post', status: 'published', visibility: 'public' }] } }] }));
  const summary = await runImport(app, 'ghost', broken, quiet);
  t.match(summary.failures[0]?.reason, /lexical is not JSON/, 'a damaged post is reported, the run goes on');
});
