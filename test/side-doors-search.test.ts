import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/lib/clock.js';
import { checkSearchIndex } from '../src/search/repository.js';
import { buildTestApp, json } from './helpers/app.js';
import { post, seedTaxonomy } from './helpers/articles.js';
import { subscriber } from './helpers/subscribers.js';

/**
 * Issue 12, side door 2: search as an oracle for the text past a paywall break. For a caller
 * without access, an article may match only by what that caller may read (metadata, the teaser,
 * captions of the photos they are shown): no word, phrase, prefix, field, OR or exclusion may
 * tell them anything about the rest. Callers with access keep full-text matching.
 */
const HIDDEN = 'Wolframite';
const body = [
  'Port officials in Aktau confirmed on Monday that negotiations had resumed, the agency said.',
  '',
  'The talks had stalled in the autumn over tariffs.',
  '',
  '<!-- paywall -->',
  '',
  `Documents seen by the Chronicle name ${HIDDEN} Holdings as the buyer of the terminal for 812 million.`,
].join('\n');

const slugsOf = (res: { body: string }) => json(res).data.map((d: { article?: { slug: string }; slug?: string }) => d.article?.slug ?? d.slug);

t.test('words past the break find nothing for callers who may not read them, however asked', async (t) => {
  const h = await buildTestApp(t, { env: { METER_FREE_ARTICLES: '0' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['registered', 'subscribers'], archive: true });
  const gated = await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', authors: ['ana-ruiz'], tags: ['energy'], access: 'subscribers',
    slug: 'terminal', headline: 'Aktau port talks resume', standfirst: 'Negotiations restart after a pause', bodyMarkdown: body,
  });
  // A public story, so that "nothing found" is not simply an empty index.
  await post(app, admin, '/v1/articles', { status: 'published', section: 'business', headline: 'Tariffs debated', bodyMarkdown: 'Tariffs were debated in Astana.\n\nMore later.' });

  const partner = json(await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'Wire', scopes: ['syndication'] } }));
  const licensed = json(await app.inject({
    method: 'POST', url: '/v1/admin/keys', headers: admin,
    payload: { name: 'Licensed', scopes: ['syndication'], licence: { sections: ['world'], fullText: true } },
  }));
  const free = await subscriber(app, admin, 'free@example.com');
  const paid = await subscriber(app, admin, 'paid@example.com');
  await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${paid.id}/subscription`, headers: admin, payload: { plan: 'digital', currentPeriodEnd: '2027-12-01T00:00:00Z' } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const probes = [
    HIDDEN, HIDDEN.toLowerCase(), 'wolfram*', 'wolf*', `"${HIDDEN} Holdings"`, `"name ${HIDDEN} Holdings as the buyer"`,
    `body:${HIDDEN}`, `text:${HIDDEN}`, `body:"${HIDDEN} Holdings"`, `standfirst:${HIDDEN}`, `caption:${HIDDEN}`,
    `${HIDDEN} OR zzzqqq`, `zzzqqq OR wolfram*`, `aktau ${HIDDEN}`, `aktau "812 million"`, '812', 'terminal buyer',
    `Documents Chronicle`, `(${HIDDEN})`, `+${HIDDEN}`, `AND ${HIDDEN}`,
  ];
  const searches = (q: string) => [
    `/v1/search?q=${encodeURIComponent(q)}`,
    `/v1/search?q=${encodeURIComponent(q)}&facets=section,tag`,
    `/v1/search?q=${encodeURIComponent(q)}&section=world&access=subscribers&fields=headline`,
    `/v1/articles?q=${encodeURIComponent(q)}`,
    `/v1/articles?q=${encodeURIComponent(q)}&sort=-publishedAt`,
    `/v1/articles?q=${encodeURIComponent(q)}&section=world&limit=1`,
  ];

  for (const [who, headers] of [['anonymous', {}], ['a partner key without a licence', bearer(partner.token)], ['a free subscriber', free.auth]] as const) {
    for (const q of probes) {
      for (const url of searches(q)) {
        const res = await app.inject({ url, headers });
        t.equal(res.statusCode, 200, `${who}: ${url}`);
        const answer = json(res);
        t.same(answer.data, [], `${who}: ${url} finds nothing`);
        t.equal(answer.meta.total ?? 0, 0, 'and counts nothing');
        if (answer.facets) t.same(answer.facets, { section: [], tag: [] }, 'and no facet counts it');
      }
    }
    // Exclusion: excluding a hidden word must not drop the story (that would confirm the word is there).
    for (const q of [`aktau -${HIDDEN}`, `aktau -"${HIDDEN} Holdings"`, `aktau NOT wolfram*`, `aktau -body:${HIDDEN}`]) {
      for (const url of searches(q)) {
        t.same(slugsOf(await app.inject({ url, headers })), [gated.slug], `${who}: ${url} still finds it (the exclusion sees only the teaser)`);
      }
      const control = await app.inject({ url: `/v1/search?q=${encodeURIComponent('aktau -tariffs')}`, headers });
      t.same(slugsOf(control), [], `${who}: excluding a teaser word does drop it`);
    }
    // What they may read still finds it: headline, standfirst, teaser, tag, author; a phrase with a wrong word does not.
    for (const q of ['aktau', 'headline:aktau', 'standfirst:negotiations', '"talks had stalled"', 'stall*', 'tag:energy', 'author:ruiz', 'body:tariffs']) {
      const res = await app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}&section=world`, headers });
      t.same(slugsOf(res), [gated.slug], `${who}: "${q}" finds it by what they may read`);
      t.notMatch(res.body, new RegExp(`${HIDDEN}|812|Documents`, 'i'), 'and the answer shows nothing past the break');
    }
    t.same(slugsOf(await app.inject({ url: `/v1/search?q=${encodeURIComponent('"talks had paused"')}`, headers })), [], 'a phrase with a wrong word finds nothing');
    // Suggestions complete headlines and tags only.
    const suggest = await app.inject({ url: '/v1/search/suggest?q=wolfr', headers });
    t.equal(suggest.statusCode, 200);
    t.same(json(suggest), { tags: [], headlines: [] }, `${who}: no suggestion from the hidden text`);
  }

  for (const [who, headers] of [['an admin', admin], ['a licensed partner', bearer(licensed.token)], ['a paying subscriber', paid.auth]] as const) {
    for (const q of [HIDDEN, 'wolfram*', `"${HIDDEN} Holdings"`, `body:${HIDDEN}`, `${HIDDEN} OR zzzqqq`, '"812 million"']) {
      const res = await app.inject({ url: `/v1/search?q=${encodeURIComponent(q)}&facets=section`, headers });
      t.same(slugsOf(res), [gated.slug], `${who}: "${q}" finds it by the full text`);
      t.same(json(res).facets.section.map((f: { slug: string }) => f.slug), ['world']);
      t.same(slugsOf(await app.inject({ url: `/v1/articles?q=${encodeURIComponent(q)}`, headers })), [gated.slug], `${who}: /v1/articles?q="${q}" too`);
    }
    const excluded = await app.inject({ url: `/v1/search?q=${encodeURIComponent(`aktau -${HIDDEN}`)}`, headers });
    t.same(slugsOf(excluded), [], `${who}: an exclusion sees the full text`);
  }
});

t.test('SEARCH_FULL_TEXT_DISCOVERY=true: found by the full text, snippets still only from readable text', async (t) => {
  const h = await buildTestApp(t, { env: { SEARCH_FULL_TEXT_DISCOVERY: 'true' } });
  const { app, admin } = h;
  await seedTaxonomy(app, admin);
  const gated = await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', authors: ['ana-ruiz'], access: 'subscribers', headline: 'Aktau port talks resume', bodyMarkdown: body,
  });
  const res = await app.inject({ url: `/v1/search?q=${HIDDEN}&format=html,text` });
  t.same(slugsOf(res), [gated.slug], 'the publisher opted in: anyone can confirm the word is in the story');
  t.notMatch(res.body, new RegExp(`${HIDDEN}|812|Documents`, 'i'), 'but no word past the break is shown');
  t.same(slugsOf(await app.inject({ url: `/v1/articles?q=${HIDDEN}` })), [gated.slug], 'the article list too');
});

t.test('a start with another TEASER_BLOCKS recomputes the stored teasers before answering', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-teasers-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = async (teaserBlocks: string) => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', RATE_LIMIT_MAX: '0', TEASER_BLOCKS: teaserBlocks });
    const app = await buildApp({ config, clock: new ManualClock(), logger: false });
    await app.ready();
    return app;
  };
  let app = await start('3');
  const { token } = await app.keys.create({ name: 'admin', scopes: ['admin'] });
  const admin = { authorization: `Bearer ${token}` };
  await post(app, admin, '/v1/sections', { slug: 'world', name: 'World' });
  // No paywall block: with TEASER_BLOCKS=3 the third paragraph is in the teaser.
  await post(app, admin, '/v1/articles', {
    status: 'published', section: 'world', access: 'subscribers', headline: 'Port story',
    bodyMarkdown: 'First paragraph.\n\nSecond paragraph.\n\nThird names Wolframite.\n\nFourth paragraph.',
  });
  t.equal(json(await app.inject({ url: '/v1/search?q=wolframite' })).data.length, 1, 'TEASER_BLOCKS=3: in the teaser, found');
  await app.close();

  app = await start('1');
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/v1/search?q=wolframite' });
  t.same(json(res).data, [], 'TEASER_BLOCKS=1: past the teaser now, not found');
  t.equal(json(await app.inject({ url: '/v1/search?q=first+paragraph' })).data.length, 1, 'the new teaser is found');
  t.same(checkSearchIndex(app.db), { missing: [], extra: [], stale: [] }, 'the index is in step');
});
