import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ManualClock } from '../src/lib/clock.js';
import { retryDelayMs } from '../src/webhooks/worker.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { SECRET, publish, seedTaxonomy } from './helpers/syndication.js';

/** A gated body whose SECRET words come only after the paywall break. */
const GATED_MARKDOWN = ['The teaser paragraph, attributed to agencies.', '', '<!-- paywall -->', '', `The rest holds the ${SECRET} words.`].join('\n');

/** A real HTTP receiver on 127.0.0.1 that records deliveries and answers as told. */
interface Received { headers: IncomingHttpHeaders; body: string }
async function receiver(t: Test) {
  const received: Received[] = [];
  const state = { status: 200, hang: false };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (state.hang) return; // never answers: the sender must time out
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status < 300 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, state };
}

async function register(h: TestApp, payload: Record<string, unknown>) {
  const res = await h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { endpoint: { id: number }; secret: string };
}
const deliveries = async (h: TestApp, id: number) => json(await h.app.inject({ url: `/v1/admin/webhooks/${id}/deliveries`, headers: h.admin })).data;
// The receiver is on 127.0.0.1: these tests allow private targets (the guard's own tests below do not).
const QUIET = { WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };

t.test('a published story is delivered, signed (Standard Webhooks), to a real receiver; teaser only without a licence', async (t) => {
  const rx = await receiver(t);
  const h = await buildTestApp(t, { env: QUIET });
  await seedTaxonomy(h.app, h.admin);
  const { endpoint, secret } = await register(h, { url: rx.url, events: ['article.published', 'article.corrected'], description: 'CMS' });
  t.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  t.notMatch(JSON.stringify(json(await h.app.inject({ url: '/v1/admin/webhooks', headers: h.admin }))), secret, 'the secret is shown once');

  await h.app.inject({ method: 'POST', url: '/v1/articles', headers: h.admin, payload: { headline: 'Draft only', section: 'world' } });
  const story = await publish(h.app, h.admin, { headline: 'Levee holds', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  await h.app.webhooks.worker.drain();

  t.equal(rx.received.length, 1, 'one delivery: drafts are not announced');
  const [got] = rx.received;
  t.equal(got.headers['content-type'], 'application/json');
  t.match(got.headers['webhook-id'], /^msg_\d+$/);
  t.match(got.headers['webhook-signature'], /^v1,/);
  const verified = new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as { type: string; data: any };
  t.equal(verified.type, 'article.published', 'the signature verifies with the standardwebhooks library');
  t.equal(verified.data.article.slug, story.slug);
  t.equal(verified.data.article.access.granted, false, 'an endpoint without a partner key gets what an anonymous reader gets');
  t.notMatch(got.body, SECRET, 'no text past the paywall break');
  t.equal(verified.data.ninjs.representationType, 'partial');
  t.throws(() => new Webhook(secret).verify(got.body.replace('Levee', 'Levée'), got.headers as Record<string, string>), 'a changed body fails verification');

  const [d] = await deliveries(h, endpoint.id);
  t.match(d, { status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, event: 'article.published' });

  await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/corrections`, headers: h.admin, payload: { text: 'An earlier version misnamed the river.' } });
  await h.app.webhooks.worker.drain();
  t.equal(JSON.parse(rx.received[1].body).type, 'article.corrected', 'corrections are announced');
});

t.test('the endpoint\'s partner licence governs payloads', async (t) => {
  const rx = await receiver(t);
  const h = await buildTestApp(t, { env: QUIET });
  await seedTaxonomy(h.app, h.admin);
  const partner = await h.app.keys.create({ name: 'Wire', scopes: ['syndication'], licence: { sections: ['world'], fullText: true, usageTerms: 'Wire terms', rateLimit: null } });
  const admin = await h.app.keys.create({ name: 'Another admin', scopes: ['admin'] });
  const bad = await h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload: { url: rx.url, events: ['article.published'], keyId: admin.key.id } });
  t.equal(bad.statusCode, 422, 'only syndication keys');
  t.equal(json(bad).errors[0].pointer, '/body/keyId');
  const { secret } = await register(h, { url: rx.url, events: ['article.published'], keyId: partner.key.id });
  await publish(h.app, h.admin, { headline: 'Licensed story', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', section: 'world' });
  await publish(h.app, h.admin, { headline: 'Business story', bodyMarkdown: GATED_MARKDOWN, access: 'subscribers', section: 'business' });
  await h.app.webhooks.worker.drain();
  const bodies = rx.received.map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: any });
  const world = bodies.find((b) => b.data.article.sectionSlug === 'world')!;
  const business = bodies.find((b) => b.data.article.sectionSlug === 'business')!;
  t.equal(world.data.article.access.granted, true, 'full text where the licence covers it');
  t.match(world.data.article.text, SECRET);
  t.equal(world.data.usageTerms, 'Wire terms', 'usage terms in every payload');
  t.equal(world.data.ninjs.usageTerms, 'Wire terms');
  t.equal(business.data.article.access.granted, false, 'teaser elsewhere');
  t.notMatch(JSON.stringify(business), SECRET);
});

t.test('a failing receiver is retried with backoff and jitter until it answers; the log shows each attempt', async (t) => {
  const rx = await receiver(t);
  const h = await buildTestApp(t, { env: { ...QUIET, WEBHOOK_RETRY_BASE_SECONDS: '60', WEBHOOK_MAX_ATTEMPTS: '4', WEBHOOK_TIMEOUT_MS: '300' } });
  await seedTaxonomy(h.app, h.admin);
  const { endpoint, secret } = await register(h, { url: rx.url, events: ['article.published', 'article.unpublished', 'article.deleted'] });
  rx.state.status = 503;
  const story = await publish(h.app, h.admin, { headline: 'Retry me', bodyMarkdown: 'Text.' });
  await h.app.webhooks.worker.drain();
  let [d] = await deliveries(h, endpoint.id);
  t.match(d, { status: 'pending', attempts: 1, lastStatusCode: 503 });
  t.match(d.lastError, /HTTP 503: receiver is down/);
  const wait1 = Date.parse(d.nextAttemptAt) - h.clock.now().getTime();
  t.ok(wait1 >= 30_000 && wait1 <= 60_000, `first retry after 30–60 s (jittered): ${wait1} ms`);

  h.clock.advance(wait1 - 1000);
  await h.app.webhooks.worker.drain();
  t.equal(rx.received.length, 1, 'not before it is due');

  h.clock.advance(1000);
  rx.state.hang = true; // now it times out
  await h.app.webhooks.worker.drain();
  [d] = await deliveries(h, endpoint.id);
  t.match(d, { status: 'pending', attempts: 2, lastStatusCode: null });
  t.match(d.lastError, /timed out after 300 ms/);
  const wait2 = Date.parse(d.nextAttemptAt) - h.clock.now().getTime();
  t.ok(wait2 >= 60_000 && wait2 <= 120_000, `second retry after 60–120 s: ${wait2} ms`);

  rx.state.hang = false;
  rx.state.status = 204;
  h.clock.advance(wait2);
  await h.app.webhooks.worker.drain();
  [d] = await deliveries(h, endpoint.id);
  t.match(d, { status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });
  t.equal(rx.received.length, 3);
  t.equal(new Set(rx.received.map((r) => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');
  t.equal(new Set(rx.received.map((r) => r.body)).size, 1, 'the same body on every attempt');
  for (const r of rx.received) t.ok(new Webhook(secret).verify(r.body, r.headers as Record<string, string>), 'each attempt is signed');

  // Giving up after WEBHOOK_MAX_ATTEMPTS.
  rx.state.status = 500;
  await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/unpublish`, headers: h.admin });
  for (let i = 0; i < 4; i++) {
    await h.app.webhooks.worker.drain();
    h.clock.advance(3600_000);
  }
  const failed = (await deliveries(h, endpoint.id)).find((x: { event: string }) => x.event === 'article.unpublished');
  t.match(failed, { status: 'failed', attempts: 4, nextAttemptAt: null });
  const tomb = JSON.parse(rx.received[rx.received.length - 1].body);
  t.equal(tomb.data.article, null, 'an unpublish is a tombstone: ids only');
  t.equal(tomb.data.slug, story.slug);

  // Redelivery: the same message again, as a new delivery.
  rx.state.status = 200;
  const re = await h.app.inject({ method: 'POST', url: `/v1/admin/webhooks/${endpoint.id}/deliveries/${failed.id}/redeliver`, headers: h.admin });
  t.equal(re.statusCode, 202);
  t.equal(json(re).redeliveryOf, failed.id);
  await h.app.webhooks.worker.drain();
  const last = rx.received[rx.received.length - 1];
  t.equal(last.headers['webhook-id'], json(re).messageId, 'same webhook-id, so receivers can de-duplicate');
  t.equal(json(await h.app.inject({ url: `/v1/admin/webhooks/${endpoint.id}/deliveries/${json(re).id}`, headers: h.admin })).status, 'delivered');
  const onlyFailed = json(await h.app.inject({ url: `/v1/admin/webhooks/${endpoint.id}/deliveries?status=failed`, headers: h.admin }));
  t.equal(onlyFailed.meta.total, 1, 'the log filters by status');
});

t.test('a restart mid-retry resumes: the queue is in SQLite and the worker picks it up on start', async (t) => {
  const rx = await receiver(t);
  const env = { WEBHOOK_POLL_MS: '25', WEBHOOK_RETRY_BASE_SECONDS: '10', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
  const h = await buildTestApp(t, { env });
  await seedTaxonomy(h.app, h.admin);
  const { endpoint, secret } = await register(h, { url: rx.url, events: ['article.published'] });
  rx.state.status = 500;
  await publish(h.app, h.admin, { headline: 'Survives a restart', bodyMarkdown: 'Text.' });
  // The worker runs on its own here (WEBHOOK_WORKER on): wait for its first attempt.
  for (let i = 0; i < 200 && rx.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await h.app.webhooks.worker.drain();
  const [before] = await deliveries(h, endpoint.id);
  t.match(before, { status: 'pending', attempts: 1 });
  await h.app.close(); // the process stops with a retry pending

  rx.state.status = 200;
  const clock = new ManualClock(new Date(Date.parse(before.nextAttemptAt) + 1000));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: h.dataDir, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', RATE_LIMIT_MAX: '0', DB_SYNCHRONOUS: 'NORMAL', ...env });
  const again = await buildApp({ config, clock, logger: false });
  t.teardown(async () => { await again.close(); rmSync(h.dataDir, { recursive: true, force: true }); });
  await again.ready();
  for (let i = 0; i < 300 && rx.received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await again.webhooks.worker.drain();
  const after = (await again.webhooks.service.deliveries(endpoint.id, 10, undefined)).data[0];
  t.match(after, { status: 'delivered', attempts: 2, id: before.id }, 'the new process delivered the pending row');
  t.equal(rx.received.length, 2);
  t.equal(rx.received[1].headers['webhook-id'], rx.received[0].headers['webhook-id']);
  t.ok(new Webhook(secret).verify(rx.received[1].body, rx.received[1].headers as Record<string, string>));
});

t.test('photo.updated, paused endpoints, admin-only management, backoff bounds', async (t) => {
  const rx = await receiver(t);
  const h = await buildTestApp(t, { env: QUIET });
  const { seedSampleContent } = await import('../src/seed/index.js');
  await seedSampleContent(h.app);
  const { endpoint } = await register(h, { url: rx.url, events: ['photo.updated'] });
  // A photo readers are shown (a story's featured photo): only those are announced to an endpoint without a key.
  const listed = json(await h.app.inject({ url: '/v1/articles?fields=featuredPhotoId' })).data as { featuredPhotoId: number | null }[];
  const photo = { id: listed.find((a) => a.featuredPhotoId !== null)!.featuredPhotoId! };
  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { caption: 'A new caption for the flood picture.' } });
  t.equal(patched.statusCode, 200);
  await h.app.webhooks.worker.drain();
  t.equal(rx.received.length, 1);
  const body = JSON.parse(rx.received[0].body);
  t.equal(body.type, 'photo.updated');
  t.equal(body.data.photo.caption, 'A new caption for the flood picture.');
  t.equal(body.data.ninjs.type, 'picture');

  t.equal((await h.app.inject({ method: 'PATCH', url: `/v1/admin/webhooks/${endpoint.id}`, headers: h.admin, payload: { active: false } })).statusCode, 200);
  await h.app.inject({ method: 'PATCH', url: `/v1/photos/${photo.id}`, headers: h.admin, payload: { caption: 'Another caption.' } });
  await h.app.webhooks.worker.drain();
  t.equal(rx.received.length, 1, 'a paused endpoint gets nothing');

  const partner = await h.app.keys.create({ name: 'P', scopes: ['syndication'] });
  t.equal((await h.app.inject({ url: '/v1/admin/webhooks', headers: { authorization: `Bearer ${partner.token}` } })).statusCode, 403);
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload: { url: 'ftp://x.example/', events: ['photo.updated'] } })).statusCode, 400);
  t.equal((await h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload: { url: rx.url, events: ['article.exploded'] } })).statusCode, 400);
  const rotated = json(await h.app.inject({ method: 'POST', url: `/v1/admin/webhooks/${endpoint.id}/rotate-secret`, headers: h.admin }));
  t.match(rotated.secret, /^whsec_/);
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/admin/webhooks/${endpoint.id}`, headers: h.admin })).statusCode, 204);
  t.equal((await h.app.inject({ url: `/v1/admin/webhooks/${endpoint.id}/deliveries`, headers: h.admin })).statusCode, 404);

  const settings = { retryBaseSeconds: 30, retryMaxSeconds: 600 };
  t.equal(retryDelayMs(1, settings, () => 0), 15_000, 'attempt 1: half of 30 s at the least');
  t.equal(retryDelayMs(1, settings, () => 1), 30_000, 'and all of it at the most');
  t.equal(retryDelayMs(3, settings, () => 1), 120_000, 'doubling');
  t.equal(retryDelayMs(12, settings, () => 1), 600_000, 'capped at WEBHOOK_RETRY_MAX_SECONDS');
});
