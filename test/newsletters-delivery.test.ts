import { spawn } from 'node:child_process';
import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { GATED_MARKDOWN, fakePhotos, post, publish, seedTaxonomy } from './helpers/articles.js';
import { startSink } from './helpers/smtpSink.js';

const reader = (app: Awaited<ReturnType<typeof buildTestApp>>['app'], email: string, newsletters = ['evening']) =>
  app.subscriptions.admin.importSubscriber({ email, name: null, newsletters, createdAt: '2025-12-01T00:00:00.000Z', plan: null, currentPeriodEnd: null });

async function setup(t: Parameters<typeof buildTestApp>[0], smtpUrl: string, env: Record<string, string> = {}) {
  const ctx = await buildTestApp(t, {
    env: { SMTP_URL: smtpUrl, PUBLIC_BASE_URL: 'https://news.example', NEWSLETTER_WORKER: 'false', NEWSLETTER_RATE_PER_SECOND: '0', NEWSLETTER_RETRY_BASE_SECONDS: '60', ...env },
    photoEmbedder: fakePhotos(),
  });
  await seedTaxonomy(ctx.app, ctx.admin);
  await post(ctx.app, ctx.admin, '/v1/newsletters', { slug: 'evening', name: 'The Evening Brief' });
  return ctx;
}

async function sendStory(ctx: Awaited<ReturnType<typeof setup>>, slug: string) {
  await publish(ctx.app, ctx.admin, { slug, headline: `Story ${slug}`, bodyMarkdown: GATED_MARKDOWN, access: 'subscribers' });
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/newsletters/evening/sends', headers: ctx.admin, payload: { article: slug } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res).id as number;
}

t.test('suppressed addresses get nothing: a hard bounce (SMTP 5xx) suppresses, an admin can suppress, a 4xx is retried with backoff', async (t) => {
  let softOnce = true;
  const sink = await startSink(t, {
    rcpt: (a) => {
      if (a === 'bounce@example.com') return 550;
      if (a === 'busy@example.com' && softOnce) {
        softOnce = false;
        return 451;
      }
      return null;
    },
  });
  const ctx = await setup(t, sink.url);
  const { app, admin, clock } = ctx;
  for (const e of ['ok@example.com', 'bounce@example.com', 'busy@example.com', 'listed@example.com']) await reader(app, e);
  const added = await app.inject({ method: 'POST', url: '/v1/admin/suppressions', headers: admin, payload: { email: 'Listed@Example.com', reason: 'complaint' } });
  t.equal(added.statusCode, 201);
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/suppressions', headers: admin, payload: { email: 'nope' } })).statusCode, 422);

  const first = await sendStory(ctx, 'one');
  await app.newsletterDelivery.worker.drain();
  let send = json(await app.inject({ url: `/v1/admin/newsletter-sends/${first}`, headers: admin }));
  t.match(send.progress, { sent: 1, failed: 1, suppressed: 1, queued: 1 }, 'ok sent, bounce failed, listed suppressed, busy waits');
  t.equal(send.status, 'sending');
  t.equal(sink.count('ok@example.com'), 1);
  t.equal(sink.count('listed@example.com'), 0);
  const list = json(await app.inject({ url: '/v1/admin/suppressions', headers: admin })).data.map((s: { email: string; reason: string }) => `${s.email}:${s.reason}`).sort();
  t.same(list, ['bounce@example.com:bounce', 'listed@example.com:complaint'], 'the hard bounce is suppressed');

  clock.advance(30_000);
  await app.newsletterDelivery.worker.drain();
  t.equal(sink.count('busy@example.com'), 0, 'not before the backoff');
  clock.advance(31_000);
  await app.newsletterDelivery.worker.drain();
  t.equal(sink.count('busy@example.com'), 1, 'retried after it');
  send = json(await app.inject({ url: `/v1/admin/newsletter-sends/${first}`, headers: admin }));
  t.match(send.progress, { sent: 2, failed: 1, suppressed: 1, queued: 0 });
  t.equal(send.status, 'sent');

  const second = await sendStory(ctx, 'two');
  await app.newsletterDelivery.worker.drain();
  send = json(await app.inject({ url: `/v1/admin/newsletter-sends/${second}`, headers: admin }));
  t.match(send.progress, { sent: 2, suppressed: 2, failed: 0 }, 'the next issue never tries the bounced address');
  t.equal(sink.count('bounce@example.com'), 0);
  t.equal(sink.count('listed@example.com'), 0);

  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/suppressions/listed%40example.com', headers: admin })).statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/suppressions/listed%40example.com', headers: admin })).statusCode, 404);
});

t.test('kill -9 mid-send: a new process resumes where it stopped and nobody gets the issue twice', async (t) => {
  const RECIPIENTS = 300;
  const sink = await startSink(t, { delayMs: 3, parse: false });
  const ctx = await setup(t, sink.url);
  for (let i = 0; i < RECIPIENTS; i++) await reader(ctx.app, `reader${i}@example.com`);
  const sendId = await sendStory(ctx, 'crash');
  const dataDir = ctx.dataDir;
  await ctx.app.close();

  const env = {
    ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', DB_SYNCHRONOUS: 'FULL',
    SMTP_URL: sink.url, PUBLIC_BASE_URL: 'https://news.example', NEWSLETTER_RATE_PER_SECOND: '0', NEWSLETTER_BATCH_SIZE: '20',
    NEWSLETTER_SMTP_CONNECTIONS: '2', NEWSLETTER_POLL_MS: '50', WEBHOOK_WORKER: 'false',
  };
  const worker = () => spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/newsletter-worker.ts'], { env, stdio: 'ignore' });
  const waitFor = async (check: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return check();
  };

  const first = worker();
  t.ok(await waitFor(() => sink.received.length >= 80, 60_000), 'the first process is sending');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const atKill = sink.received.length;
  t.ok(atKill < RECIPIENTS, `killed mid-send (${atKill} of ${RECIPIENTS} delivered)`);

  const second = worker();
  t.teardown(() => second.kill('SIGKILL'));
  const { openDatabase } = await import('../src/db/client.js');
  const db = openDatabase(`${dataDir}/newsdesk.db`);
  t.teardown(() => db.$client.close());
  const statusOf = () => db.$client.prepare('SELECT status FROM newsletter_sends WHERE id = ?').get(sendId) as { status: string };
  t.ok(await waitFor(() => statusOf().status === 'sent', 60_000), 'the second process finished the send');
  second.kill('SIGKILL');

  const counts = new Map<string, number>();
  for (const r of sink.received) counts.set(r.to, (counts.get(r.to) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  t.same(twice, [], 'no reader got the issue twice (counted at the SMTP server)');
  const rows = db.$client.prepare('SELECT status, count(*) AS n FROM newsletter_deliveries WHERE send_id = ? GROUP BY status').all(sendId) as { status: string; n: number }[];
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
  const interrupted = by.interrupted ?? 0;
  t.ok(interrupted <= 2, `at most the mails in flight on the pool's connections are in doubt (${interrupted})`);
  t.equal((by.sent ?? 0) + interrupted, RECIPIENTS, 'every other reader was sent the issue');
  t.ok(counts.size >= RECIPIENTS - interrupted && counts.size <= RECIPIENTS, `${counts.size} distinct readers received it`);
});

t.test('half a DKIM configuration stops the server with a message naming what is missing', async (t) => {
  const { loadConfig, ConfigError } = await import('../src/config.js');
  t.throws(() => loadConfig({ DKIM_DOMAIN: 'news.example' }), ConfigError);
  try {
    loadConfig({ DKIM_DOMAIN: 'news.example', DKIM_SELECTOR: 'nd' });
  } catch (err) {
    t.match((err as Error).message, /DKIM_PRIVATE_KEY: must be set with the other DKIM_ settings/);
  }
  t.ok(loadConfig({}), 'none at all is fine (unsigned)');
});

t.test('a reader erased after a send started is not mailed, and their address leaves the delivery log', async (t) => {
  const sink = await startSink(t);
  const ctx = await setup(t, sink.url);
  const { app, admin } = ctx;
  await reader(app, 'stays@example.com');
  const gone = await reader(app, 'gone@example.com');
  const id = await sendStory(ctx, 'erasure');
  t.equal(json(await app.inject({ url: `/v1/admin/newsletter-sends/${id}`, headers: admin })).progress.queued, 2);
  await app.subscriptions.accounts.erase(gone.id); // what DELETE /v1/me does
  await app.newsletterDelivery.worker.drain();
  t.equal(sink.count('stays@example.com'), 1);
  t.equal(sink.count('gone@example.com'), 0, 'the erased reader got nothing');
  const left = app.db.$client.prepare("SELECT count(*) AS n FROM newsletter_deliveries WHERE email = 'gone@example.com'").get() as { n: number };
  t.equal(left.n, 0);
});
