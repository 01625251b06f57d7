import t, { type Test } from 'tap';
import { ARTICLE_FIELDS, ARTICLE_FORMATS, ARTICLE_INCLUDES } from '../src/articles/schemas.js';
import { buildTestApp, json } from './helpers/app.js';
import { GATED_MARKDOWN, SECRET, fakePhotos, post, publish, seedTaxonomy } from './helpers/articles.js';
import { startSmtp, tokenIn } from './helpers/smtp.js';
import { WEBHOOK_SECRET, sendStripeEvent, subscriber } from './helpers/subscribers.js';

const DAY = 86_400_000;

/** Only in the full text of the `registered` article (past its break). */
const MEMBERS_WORD = 'okapi-members-passage';
const MEMBERS_MARKDOWN = GATED_MARKDOWN.split(SECRET).join(MEMBERS_WORD);

async function setup(t: Test, env: Record<string, string> = {}) {
  const ctx = await buildTestApp(t, { env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env }, photoEmbedder: fakePhotos() });
  const { app, admin, clock } = ctx;
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['subscribers'], archive: true, stripePriceId: 'price_digital' });
  await publish(app, admin, { slug: 'members', headline: 'For registered readers', bodyMarkdown: MEMBERS_MARKDOWN, access: 'registered' });
  for (const n of [1, 2, 3]) {
    await publish(app, admin, { slug: `gated-${n}`, headline: `Subscriber story ${n}`, bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', tags: ['energy'] });
  }
  const old = new Date(clock.now().getTime() - 90 * DAY).toISOString();
  await publish(app, admin, { slug: 'archive-story', headline: 'From the archive', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', publishedAt: old });
  await publish(app, admin, { slug: 'open-story', headline: 'Open to all', bodyMarkdown: 'A public paragraph.\n\nAnother public paragraph.', access: 'public' });
  return ctx;
}

const read = async (app: Awaited<ReturnType<typeof setup>>['app'], slug: string, headers: Record<string, string> = {}) => {
  const res = await app.inject({ url: `/v1/articles/${slug}`, headers });
  return { res, body: json(res) };
};

t.test('end to end: sign up over SMTP → confirm → sign in → registered article in full → meter runs out → paywall', async (t) => {
  const smtp = await startSmtp(t);
  const { app, clock } = await setup(t, { SMTP_URL: smtp.url, METER_FREE_ARTICLES: '2' });

  // Anonymous: the registered article is a teaser asking to sign in.
  const anon = await read(app, 'members');
  t.equal(anon.body.access.granted, false);
  t.equal(anon.body.access.reason, 'sign_in_required');
  t.notOk(anon.res.body.includes(MEMBERS_WORD));
  t.same(anon.body.paywall.plans.map((p: { slug: string }) => p.slug), ['free', 'digital'], 'the free plan opens it');
  t.equal(anon.body.paywall.signUpUrl, '/v1/subscribers');
  t.match(anon.res.headers['cache-control'], /^public/);

  t.equal((await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'reader@example.com' } })).statusCode, 202);
  const confirmation = await smtp.next('reader@example.com');
  const confirmed = await app.inject({ method: 'POST', url: '/v1/subscribers/confirm', payload: { token: tokenIn(confirmation) } });
  t.equal(confirmed.statusCode, 200);

  t.equal((await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'reader@example.com' } })).statusCode, 202);
  const signIn = await smtp.next('reader@example.com');
  const session = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { token: tokenIn(signIn) } });
  t.equal(session.statusCode, 201);
  const auth = { authorization: `Bearer ${json(session).token}` };

  const members = await read(app, 'members', auth);
  t.equal(members.body.access.granted, true);
  t.ok(members.res.body.includes(MEMBERS_WORD), 'the registered article in full');
  t.same(members.body.access.meter, { limit: 2, remaining: 2 }, 'a registered article does not spend the meter');
  t.match(members.res.headers['cache-control'], /private/);
  t.match(members.res.headers.vary, /Authorization/);

  const first = await read(app, 'gated-1', auth);
  t.equal(first.body.access.granted, true, 'the meter opens a subscriber story');
  t.ok(first.res.body.includes(SECRET));
  t.same(first.body.access.meter, { limit: 2, remaining: 1 });
  const again = await read(app, 'gated-1', auth);
  t.equal(again.body.access.granted, true);
  t.same(again.body.access.meter, { limit: 2, remaining: 1 }, 're-reading counts once');
  t.equal(json(await app.inject({ url: '/v1/me', headers: auth })).meter.remaining, 1);

  // Lists never spend the meter, but show what was already opened.
  const list = json(await app.inject({ url: '/v1/articles?tag=energy&format=text', headers: auth }));
  const bySlug = Object.fromEntries(list.data.map((a: { slug: string }) => [a.slug, a]));
  t.equal(bySlug['gated-1'].access.granted, true);
  t.equal(bySlug['gated-2'].access.granted, false);
  t.equal(json(await app.inject({ url: '/v1/me', headers: auth })).meter.remaining, 1);

  t.equal((await read(app, 'gated-2', auth)).body.access.meter.remaining, 0);
  const out = await read(app, 'gated-3', auth);
  t.equal(out.body.access.granted, false);
  t.equal(out.body.access.reason, 'meter_exhausted');
  t.same(out.body.access.meter, { limit: 2, remaining: 0 });
  t.notOk(out.res.body.includes(SECRET), 'the paywall: teaser only');
  t.same(out.body.paywall.plans.map((p: { slug: string }) => p.slug), ['digital']);
  t.match(out.body.paywall.message, /Discover more from .*Subscribe now/);

  const archived = await read(app, 'archive-story', auth);
  t.equal(archived.body.access.granted, false, 'the meter does not open the archive');
  t.notOk(archived.res.body.includes(SECRET));

  // A new month, a new allowance.
  clock.set('2026-02-01T00:00:01Z');
  const nextMonth = await read(app, 'gated-3', auth);
  t.equal(nextMonth.body.access.granted, true);
  t.same(nextMonth.body.access.meter, { limit: 2, remaining: 1 });
});

t.test('end to end: a paid plan from a signed webhook opens subscriber and archive stories; cancellation brings the paywall back', async (t) => {
  const { app, admin } = await setup(t, { METER_FREE_ARTICLES: '0' });
  const s = await subscriber(app, admin, 'payer@example.com', { plan: 'digital' });

  const before = await read(app, 'gated-1', s.auth);
  t.equal(before.body.access.granted, false);
  t.equal(before.body.access.reason, 'subscription_required');
  t.notOk(before.body.access.meter, 'no meter when METER_FREE_ARTICLES=0');

  const paid = await sendStripeEvent(app, {
    id: 'evt_checkout', type: 'checkout.session.completed',
    object: { client_reference_id: String(s.id), payment_status: 'paid', customer: 'cus_9', subscription: 'sub_9' },
  });
  t.equal(json(paid).outcome, 'activated');

  for (const slug of ['gated-1', 'gated-2', 'archive-story', 'members']) {
    const r = await read(app, slug, s.auth);
    t.equal(r.body.access.granted, true, `${slug} in full`);
    t.ok(r.res.body.includes(slug === 'members' ? MEMBERS_WORD : SECRET));
    t.match(r.res.headers['cache-control'], /private/, 'entitled responses are private');
    t.notOk(r.body.access.meter, 'a paid plan has no meter');
  }

  const cancelled = await sendStripeEvent(app, { id: 'evt_deleted', type: 'customer.subscription.deleted', object: { id: 'sub_9', customer: 'cus_9', status: 'canceled' } });
  t.equal(json(cancelled).outcome, 'cancelled');
  const after = await read(app, 'gated-1', s.auth);
  t.equal(after.body.access.granted, false, 'the paywall again');
  t.notOk(after.res.body.includes(SECRET));
  t.equal((await read(app, 'archive-story', s.auth)).body.access.granted, false);
  t.equal((await read(app, 'members', s.auth)).body.access.granted, true, 'still a registered reader');
});

t.test('subscribers may send status=published (a no-op) but no other status', async (t) => {
  const { app, admin } = await setup(t);
  const s = await subscriber(app, admin, 'status@example.com');
  const all = json(await app.inject({ url: '/v1/articles?limit=100', headers: s.auth }));
  const published = await app.inject({ url: '/v1/articles?limit=100&status=published', headers: s.auth });
  t.equal(published.statusCode, 200);
  t.same(json(published).data.map((a: { slug: string }) => a.slug), all.data.map((a: { slug: string }) => a.slug));
  t.equal((await app.inject({ url: '/v1/articles?status=draft', headers: s.auth })).statusCode, 403);
});

t.test('every read path, as anonymous, free and paid callers: no text past the break without access', async (t) => {
  const { app, admin } = await setup(t, { METER_FREE_ARTICLES: '1' });
  const free = await subscriber(app, admin, 'free@example.com');
  // Spend the free reader's only metered read on a story outside this walk.
  await publish(app, admin, { slug: 'decoy', headline: 'Decoy', bodyMarkdown: 'One.\n\nTwo.', access: 'subscribers', section: 'business' });
  t.equal((await read(app, 'decoy', free.auth)).body.access.granted, true);
  const paid = await subscriber(app, admin, 'paid@example.com');
  await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${paid.id}/subscription`, headers: admin, payload: { plan: 'digital' } });

  const urls: string[] = [];
  for (const slug of ['members', 'gated-1', 'archive-story']) {
    urls.push(`/v1/articles/${slug}`);
    for (const f of ARTICLE_FIELDS) urls.push(`/v1/articles/${slug}?fields=${f}`);
    for (const f of ARTICLE_FORMATS) urls.push(`/v1/articles/${slug}?format=${f}`);
    for (const i of ARTICLE_INCLUDES) urls.push(`/v1/articles/${slug}?include=${i}`);
    urls.push(`/v1/articles/${slug}?fields=${ARTICLE_FIELDS.join(',')}&format=blocks,html,text&include=${ARTICLE_INCLUDES.join(',')}`);
  }
  const lists = ['', 'format=blocks,html,text', `include=${ARTICLE_INCLUDES.join(',')}`, `fields=${ARTICLE_FIELDS.join(',')}`,
    `q=${SECRET}`, `q=${MEMBERS_WORD}&format=blocks,html,text&include=photos`, 'tag=energy&format=text', 'section=world&format=html',
    'access=subscribers&format=text,html', 'sort=publishedAt&format=text', 'limit=1&format=text'];
  for (const q of lists) urls.push(`/v1/articles?${q}`, `/v1/articles?${q}${q.includes('fields=') ? '' : '&fields=blocks,html,text,excerpt,photos'}`);
  const search = await app.inject({ url: `/v1/search?q=${SECRET}` });
  if (search.statusCode !== 404) urls.push(`/v1/search?q=${SECRET}`, `/v1/search?q=${MEMBERS_WORD}`, `/v1/search?q=${SECRET}&format=text`);

  const callers = [
    { name: 'anonymous', headers: {}, mustNotSee: [SECRET, MEMBERS_WORD] },
    { name: 'free', headers: free.auth, mustNotSee: [SECRET] },
  ];
  for (const caller of callers) {
    for (const url of urls) {
      const res = await app.inject({ url, headers: caller.headers });
      t.ok(res.statusCode === 200 || (url.startsWith('/v1/search') && res.statusCode === 400), `${caller.name} ${url} → ${res.statusCode}`);
      for (const word of caller.mustNotSee) {
        if (res.body.includes(word) || res.body.includes(word.split('-')[0])) t.fail(`${caller.name} saw "${word}" at ${url}`);
      }
    }
    t.pass(`${caller.name}: ${urls.length} read paths walked`);
  }
  t.equal(json(await app.inject({ url: '/v1/me', headers: free.auth })).meter.remaining, 0, 'walking lists spent nothing');

  // The paid reader gets the full text on the single view and in lists.
  for (const slug of ['gated-1', 'archive-story']) t.ok((await read(app, slug, paid.auth)).res.body.includes(SECRET), `paid reads ${slug}`);
  const paidList = await app.inject({ url: '/v1/articles?tag=energy&format=text', headers: paid.auth });
  t.ok(paidList.body.includes(SECRET), 'paid lists carry the full text');
  t.match(paidList.headers['cache-control'], /private/);
});

t.test('anonymous readers of public articles get a soft subscribe prompt; the response stays publicly cacheable', async (t) => {
  const { app, admin } = await setup(t);
  const open = await read(app, 'open-story');
  t.equal(open.body.access.granted, true);
  t.match(open.body.subscribePrompt, { title: /^Discover more from /, signUpUrl: '/v1/subscribers', signInUrl: '/v1/auth/magic-link' });
  t.same(open.body.subscribePrompt.plans.map((p: { slug: string }) => p.slug), ['digital']);
  t.match(open.res.headers['cache-control'], /^public/);
  const s = await subscriber(app, admin, 'p@example.com');
  t.notOk((await read(app, 'open-story', s.auth)).body.subscribePrompt, 'no prompt for a subscriber');
  t.notOk((await read(app, 'gated-1')).body.subscribePrompt, 'no prompt next to a paywall');
});

t.test('the meter is never exceeded by simultaneous first reads: check and record are one transaction', async (t) => {
  const { app, admin } = await setup(t, { METER_FREE_ARTICLES: '1' });
  const free = await subscriber(app, admin, 'racer@example.com');

  // One read left; three different gated stories asked for at the same time (three tabs opened at once).
  const results = await Promise.all(['gated-1', 'gated-2', 'gated-3'].map((slug) => read(app, slug, free.auth)));
  const granted = results.filter((r) => r.body.access.granted);
  t.equal(granted.length, 1, 'exactly one is opened by the meter');
  for (const r of results) {
    t.equal(r.res.statusCode, 200);
    if (r.body.access.granted) {
      t.ok(r.res.body.includes(SECRET), 'the one granted gets the full text');
      t.same(r.body.access.meter, { limit: 1, remaining: 0 });
    } else {
      t.equal(r.body.access.reason, 'meter_exhausted', 'the others get the paywall for an exhausted meter');
      t.notOk(r.res.body.includes(SECRET), 'and no text past the break');
      t.same(r.body.access.meter, { limit: 1, remaining: 0 });
      t.ok(r.body.paywall, 'with the paywall');
    }
  }
  const me = json(await app.inject({ url: '/v1/me', headers: free.auth }));
  t.same([me.meter.used, me.meter.remaining], [1, 0], 'one read recorded');

  // The one opened stays open (re-reading counts once), even read twice at the same time.
  const winner = ['gated-1', 'gated-2', 'gated-3'][results.indexOf(granted[0])];
  const again = await Promise.all([read(app, winner, free.auth), read(app, winner, free.auth)]);
  t.ok(again.every((r) => r.body.access.granted), 're-reads of the opened story are granted');
  t.equal(json(await app.inject({ url: '/v1/me', headers: free.auth })).meter.used, 1);
});

t.test('a larger meter under a burst of simultaneous reads: granted reads never exceed the allowance', async (t) => {
  const { app, admin } = await setup(t, { METER_FREE_ARTICLES: '2' });
  for (const n of [4, 5, 6, 7]) {
    await publish(app, admin, { slug: `gated-${n}`, headline: `Subscriber story ${n}`, bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  }
  const free = await subscriber(app, admin, 'burst@example.com');
  const slugs = [1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`gated-${n}`, `gated-${n}`]);
  const results = await Promise.all(slugs.map((slug) => read(app, slug, free.auth)));
  const opened = new Set(slugs.filter((_, i) => results[i].body.access.granted));
  t.equal(opened.size, 2, 'two stories opened, no more');
  t.equal(json(await app.inject({ url: '/v1/me', headers: free.auth })).meter.used, 2);
  t.ok(results.every((r, i) => r.body.access.granted === opened.has(slugs[i])), 'both requests for an opened story are granted');
});
