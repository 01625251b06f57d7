import type { ParsedMail } from 'mailparser';
import t, { type Test } from 'tap';
import type { EmbeddedPhoto, PhotoEmbedder } from '../src/schemas/photo.js';
import { buildTestApp, json } from './helpers/app.js';
import { GATED_MARKDOWN, SECRET, post, publish, seedTaxonomy } from './helpers/articles.js';
import { startSmtp } from './helpers/smtp.js';

/** Photos with WebP, AVIF and JPEG renditions: the mail may only use the JPEG ones. */
function photos(): PhotoEmbedder {
  const photo = (id: number): EmbeddedPhoto => ({
    id, caption: `Caption of photo ${id}`, altText: null, credit: 'AGENCY/HANDOUT', creator: null, copyright: null, width: 1200, height: 800,
    focalPoint: null, placeholder: null,
    renditions: ['webp', 'avif', 'jpeg'].map((format) => ({ url: `https://cdn.example/photos/${id}/w800.${format}`, width: 800, height: 533, format: format as 'jpeg' })),
  });
  return {
    async missing(ids) { return ids.filter((id) => id < 1 || id > 9); },
    async embed(ids) { return new Map(ids.filter((id) => id >= 1 && id <= 9).map((id) => [id, photo(id)])); },
  };
}

const TEASER_WITH_PHOTO = `![Harbour at dawn](photo:1 "The harbour at dawn")\n\n${GATED_MARKDOWN}`;

async function setup(t: Test, env: Record<string, string> = {}) {
  const smtp = await startSmtp(t);
  const ctx = await buildTestApp(t, {
    env: { SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://news.example', NEWSLETTER_WORKER: 'false', NEWSLETTER_RATE_PER_SECOND: '0', ...env },
    photoEmbedder: photos(),
  });
  const { app, admin } = ctx;
  await seedTaxonomy(app, admin);
  await post(app, admin, '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['subscribers'], archive: true });
  await post(app, admin, '/v1/newsletters', { slug: 'evening', name: 'The Evening Brief', senderName: 'Evening desk', senderEmail: 'evening@news.example' });
  const reader = (email: string, newsletters: string[], plan: string | null = null) =>
    app.subscriptions.admin.importSubscriber({ email, name: null, newsletters, createdAt: '2025-12-01T00:00:00.000Z', plan, currentPeriodEnd: null });
  const free = await reader('free.reader@example.com', ['evening']);
  const paid = await reader('paid.reader@example.com', ['evening'], 'digital');
  await reader('other.reader@example.com', ['daily-briefing']);
  return { ...ctx, smtp, free, paid, reader };
}

/** A header as it was received (its raw line). */
const header = (m: ParsedMail, name: string) => m.headerLines.find((h) => h.key === name)?.line ?? '';

/** Every part of a received mail a reader could see: subject, headers, text, html (and the preheader within it). */
function everything(m: ParsedMail): string {
  const headers = m.headerLines.map((h) => h.line).join('\n');
  return [m.subject ?? '', headers, m.text ?? '', typeof m.html === 'string' ? m.html : ''].join('\n');
}

t.test('a gated story sent as it is published: the free reader gets the teaser and the call to action in every part, the paid reader all of it', async (t) => {
  const { app, admin, smtp } = await setup(t);
  const draft = await post(app, admin, '/v1/articles', { slug: 'port-deal', headline: 'Port deal signed at dawn', standfirst: 'Officials confirmed the agreement.', bodyMarkdown: TEASER_WITH_PHOTO, access: 'subscribers', section: 'world', authors: ['ana-ruiz'] });
  t.equal(draft.status, 'draft');

  const published = await app.inject({ method: 'POST', url: '/v1/articles/port-deal/publish', headers: admin, payload: { newsletter: 'evening' } });
  t.equal(published.statusCode, 200);
  await app.newsletterDelivery.worker.drain();

  const freeMail = await smtp.next('free.reader@example.com');
  const paidMail = await smtp.next('paid.reader@example.com');
  t.equal(smtp.to('other.reader@example.com').length, 0, 'only the newsletter\'s subscribers');
  t.equal(freeMail.subject, 'Port deal signed at dawn');
  t.equal(freeMail.from?.value[0].address, 'evening@news.example');
  t.equal(freeMail.from?.value[0].name, 'Evening desk');

  const free = everything(freeMail);
  t.notOk(free.includes(SECRET), 'nothing past the break in any part of the free reader\'s mail');
  t.notOk(free.includes('third paragraph'), 'not the first sentence past the break either');
  t.match(freeMail.text, /The first teaser paragraph/);
  t.match(freeMail.text, /Discover more from/);
  t.match(freeMail.html, /Subscribe now/);
  t.match(freeMail.html, /style="/, 'inline styles');
  t.match(freeMail.html, /w800\.jpeg/, 'JPEG renditions');
  t.notOk(/\.webp|\.avif/.test(free), 'never WebP or AVIF');

  const paidText = everything(paidMail);
  t.match(paidMail.text, new RegExp(`third paragraph holds the ${SECRET}`), 'the paid reader gets the whole story');
  t.match(paidMail.html, new RegExp(SECRET));
  t.notOk(paidMail.html && /Discover more from/.test(paidMail.html as string), 'no paywall for the paid reader');
  void paidText;

  for (const m of [freeMail, paidMail]) {
    t.match(header(m, 'list-unsubscribe-post'), /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/);
    t.match(header(m, 'list-id'), /^List-I[dD]: "The Evening Brief" <evening\.news\.example>$/);
    t.match(header(m, 'list-unsubscribe'), /^List-Unsubscribe: <https:\/\/news\.example\/v1\/unsubscribe\?token=nlu_\d+_\d+_[A-Za-z0-9_-]{43}>$/);
  }

  // The send record: audience counts, progress, and no second send.
  const sends = json(await app.inject({ url: '/v1/newsletters/evening/sends', headers: admin })).data;
  t.equal(sends.length, 1);
  t.equal(sends[0].status, 'sent');
  t.equal(sends[0].recipients, 2);
  t.same(sends[0].audiences, { full: 1, 'teaser-subscription_required': 1 });
  t.match(sends[0].progress, { sent: 2, queued: 0, failed: 0 });
  const again = await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'port-deal' } });
  t.equal(again.statusCode, 409);
  t.match(again.headers['content-type'], /problem\+json/);
  const republish = await app.inject({ method: 'POST', url: '/v1/articles/port-deal/publish', headers: admin, payload: { newsletter: 'evening' } });
  t.equal(republish.statusCode, 409);
  t.equal(smtp.messages.length, 2, 'nobody got a second copy');
});

t.test('a scheduled story is mailed when it goes live, once; an already published one through the send endpoint', async (t) => {
  const { app, admin, smtp, clock } = await setup(t);
  await post(app, admin, '/v1/articles', { slug: 'later', headline: 'Tomorrow morning', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', section: 'world', authors: ['ana-ruiz'] });
  const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
  const res = await app.inject({ method: 'POST', url: '/v1/articles/later/publish', headers: admin, payload: { at, newsletter: 'evening' } });
  t.equal(res.statusCode, 200);
  t.equal(json(res).status, 'scheduled');
  await app.newsletterDelivery.worker.drain();
  t.equal(smtp.messages.length, 0, 'nothing before the story is live');
  const [scheduled] = json(await app.inject({ url: '/v1/newsletters/evening/sends', headers: admin })).data;
  t.equal(scheduled.status, 'scheduled');
  t.equal(scheduled.scheduledFor, at);

  clock.advance(3_600_001);
  await app.newsletterDelivery.worker.drain();
  await app.newsletterDelivery.worker.drain();
  t.equal(smtp.messages.length, 2, 'sent at its time, once');
  t.equal(json(await app.inject({ url: `/v1/admin/newsletter-sends/${scheduled.id}`, headers: admin })).status, 'sent');

  await publish(app, admin, { slug: 'already-out', headline: 'Already out', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  const sent = await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'already-out' } });
  t.equal(sent.statusCode, 201);
  t.equal(json(sent).status, 'sending');
  t.same(json(sent).progress.queued, 2);
  t.equal(sent.headers.location, `/v1/admin/newsletter-sends/${json(sent).id}`);
  await app.newsletterDelivery.worker.drain();
  t.equal(smtp.messages.length, 4);
});

t.test('hostile input is a 4xx problem that changes nothing', async (t) => {
  const { app, admin, smtp } = await setup(t);
  await post(app, admin, '/v1/articles', { slug: 'draft-story', headline: 'Draft', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', section: 'world', authors: ['ana-ruiz'] });
  await post(app, admin, '/v1/newsletters', { slug: 'retired', name: 'Retired' });
  await app.inject({ method: 'POST', url: '/v1/newsletters/retired/archive', headers: admin });

  for (const [newsletter, status] of [['no-such-letter', 422], ['retired', 422], ['Bad Slug!', 400]] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/articles/draft-story/publish', headers: admin, payload: { newsletter } });
    t.equal(res.statusCode, status, `publish with newsletter ${newsletter}`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
  t.equal(json(await app.inject({ url: '/v1/articles/draft-story', headers: admin })).status, 'draft', 'nothing was published');

  const draftSend = await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'draft-story' } });
  t.equal(draftSend.statusCode, 409, 'a draft cannot be sent');
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'nope' } })).statusCode, 404);
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/nope/sends', headers: admin, payload: { article: 'draft-story' } })).statusCode, 422);
  t.same(json(await app.inject({ url: '/v1/newsletters/evening/sends', headers: admin })).data, [], 'no send recorded');

  const badTest = await app.inject({ method: 'POST', url: '/v1/newsletters/evening/test', headers: admin, payload: { article: 'draft-story', to: 'not an address' } });
  t.equal(badTest.statusCode, 422);
  const badSender = await app.inject({ method: 'PATCH', url: '/v1/newsletters/evening', headers: admin, payload: { senderEmail: 'evening at news' } });
  t.equal(badSender.statusCode, 422);

  // Editors only.
  t.equal((await app.inject({ url: '/v1/newsletters/evening/preview?article=draft-story' })).statusCode, 401);
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', payload: { article: 'draft-story' } })).statusCode, 401);
  await app.newsletterDelivery.worker.drain();
  t.equal(smtp.messages.length, 0, 'nobody was mailed');
});

t.test('preview per audience and a test send to one address', async (t) => {
  const { app, admin, smtp } = await setup(t);
  await post(app, admin, '/v1/articles', { slug: 'draft-story', headline: 'Draft headline', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', section: 'world', authors: ['ana-ruiz'] });
  const free = json(await app.inject({ url: '/v1/newsletters/evening/preview?article=draft-story&audience=free', headers: admin }));
  t.equal(free.audience, 'teaser-subscription_required');
  t.notOk(JSON.stringify(free).includes(SECRET), 'the free preview holds nothing past the break');
  t.match(free.text, /Subscribe now/);
  t.equal(free.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  const paid = json(await app.inject({ url: '/v1/newsletters/evening/preview?article=draft-story&audience=paid', headers: admin }));
  t.equal(paid.audience, 'full');
  t.match(paid.text, new RegExp(SECRET));
  t.equal((await app.inject({ url: '/v1/newsletters/evening/preview?article=draft-story&audience=everyone', headers: admin })).statusCode, 400);

  const test = await app.inject({ method: 'POST', url: '/v1/newsletters/evening/test', headers: admin, payload: { article: 'draft-story', to: 'Editor@Example.com', audience: 'free' } });
  t.equal(test.statusCode, 200);
  const mail = await smtp.next('editor@example.com');
  t.equal(mail.subject, '[Test] Draft headline');
  t.notOk(everything(mail).includes(SECRET));
  t.equal(smtp.messages.length, 1, 'one address only');
  t.same(json(await app.inject({ url: '/v1/newsletters/evening/sends', headers: admin })).data, [], 'a test records no send');
});

t.test('one-click unsubscribe: the link asks, the POST unsubscribes, the next issue skips the reader; forged tokens reveal nothing', async (t) => {
  const { app, admin, smtp } = await setup(t);
  await publish(app, admin, { slug: 'first', headline: 'First issue', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'first' } });
  await app.newsletterDelivery.worker.drain();
  const mail = await smtp.next('free.reader@example.com');
  const link = /<(https:\/\/news\.example(\/v1\/unsubscribe\?token=[^>]+))>/.exec(header(mail, 'list-unsubscribe'))![2];
  t.ok(String(mail.html).includes(link.replace(/&/g, '&amp;')) || String(mail.html).includes(link), 'the footer links to the same place');

  const page = await app.inject({ url: link });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.body, /Unsubscribe from The Evening Brief\?/);
  t.match(page.body, /<form method="post"/);
  t.notOk(page.body.includes('free.reader@example.com'));

  const token = new URL(`https://x${link}`).searchParams.get('token')!;
  const forged = [
    token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'),
    token.replace(/^nlu_(\d+)_/, (_m, id) => `nlu_${Number(id) + 1}_`),
    'nlu_1_1_' + 'A'.repeat(43),
    'not-a-token',
  ];
  const { createUnsubscribeTokens } = await import('../src/newsletters/unsubscribeTokens.js');
  forged.push(createUnsubscribeTokens('another publication entirely, another key').make(1, 4));
  const bodies = new Set<string>();
  for (const f of forged) {
    const res = await app.inject({ method: 'POST', url: `/v1/unsubscribe?token=${encodeURIComponent(f)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    t.equal(res.statusCode, 400, `forged ${f.slice(0, 12)}…`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    t.notOk(res.body.includes('@'), 'says nothing of the address');
    bodies.add(JSON.stringify({ ...json(res), instance: undefined }));
    t.equal((await app.inject({ url: `/v1/unsubscribe?token=${encodeURIComponent(f)}` })).statusCode, 400);
  }
  t.equal(bodies.size, 1, 'every refusal is the same');
  t.equal(json(await app.inject({ url: '/v1/admin/newsletters/evening', headers: admin })).subscriberCount, 2, 'nobody was unsubscribed');

  const done = await app.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
  t.equal(done.statusCode, 200);
  t.equal(json(done).status, 'unsubscribed');
  t.equal(json(done).newsletter, 'evening');
  t.equal((await app.inject({ method: 'POST', url: link })).statusCode, 200, 'again: harmless');
  const adminView = json(await app.inject({ url: '/v1/admin/subscribers?q=free.reader', headers: admin })).data[0];
  t.same(adminView.newsletters, [], 'the reader no longer gets it');

  await publish(app, admin, { slug: 'second', headline: 'Second issue', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'second' } });
  await app.newsletterDelivery.worker.drain();
  t.equal(smtp.to('free.reader@example.com').length, 1, 'the next issue skipped them');
  t.equal(smtp.to('paid.reader@example.com').length, 2);
});

t.test('without SMTP_URL the mails go to the outbox', async (t) => {
  const ctx = await buildTestApp(t, { env: { NEWSLETTER_WORKER: 'false', PUBLIC_BASE_URL: 'https://news.example' }, photoEmbedder: photos() });
  const { app, admin } = ctx;
  await seedTaxonomy(app, admin);
  await app.subscriptions.admin.importSubscriber({ email: 'box@example.com', name: null, newsletters: ['daily-briefing'], createdAt: '2025-12-01T00:00:00.000Z', plan: null, currentPeriodEnd: null });
  await publish(app, admin, { slug: 'boxed', headline: 'Boxed story', bodyMarkdown: GATED_MARKDOWN, access: 'registered' });
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/daily-briefing/sends', headers: admin, payload: { article: 'boxed' } })).statusCode, 201);
  await app.newsletterDelivery.worker.drain();
  const box = json(await app.inject({ url: '/v1/admin/outbox?to=box%40example.com', headers: admin })).data;
  t.equal(box.length, 1);
  t.equal(box[0].kind, 'newsletter');
  t.equal(box[0].subject, 'Boxed story');
  t.match(box[0].text, new RegExp(SECRET), 'a confirmed reader reads registered stories in full');
  t.match(box[0].text, /https:\/\/news\.example\/v1\/unsubscribe\?token=nlu_/);
});

t.test('with a DKIM key configured, newsletter mails are signed', async (t) => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const { app, admin, smtp } = await setup(t, { DKIM_DOMAIN: 'news.example', DKIM_SELECTOR: 'nd2026', DKIM_PRIVATE_KEY: privateKey });
  await publish(app, admin, { slug: 'signed', headline: 'Signed story', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  await app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: admin, payload: { article: 'signed' } });
  await app.newsletterDelivery.worker.drain();
  const mail = await smtp.next('paid.reader@example.com');
  t.match(header(mail, 'dkim-signature'), /d=news\.example;.*s=nd2026;|s=nd2026;.*d=news\.example;|d=news\.example/s);
  t.match(header(mail, 'dkim-signature'), /s=nd2026/);
});
