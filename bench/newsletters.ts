import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

// npm run bench:newsletters [-- --subscribers 100000 --deliver 20000]: on a fresh database under
// bench/tmp/, queues a send of a gated story to --subscribers readers (half of them paid: two
// audiences), timing the request that starts it (renditions + the transaction that queues every
// recipient); then delivers --deliver queued mails to a local SMTP sink through the worker's pool
// (NEWSLETTER_SMTP_CONNECTIONS, no rate limit) and reports messages per second.
const { values } = parseArgs({ options: { subscribers: { type: 'string', default: '100000' }, deliver: { type: 'string', default: '20000' } } });
const N = Number(values.subscribers);
const DELIVER = Number(values.deliver);
const dir = join(import.meta.dirname, 'tmp', 'newsletters');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

let received = 0;
const sink = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
  onData(stream, _s, cb) {
    stream.on('data', () => {});
    stream.on('end', () => { received++; cb(); });
  },
});
sink.on('error', () => {});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const smtpUrl = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;

const config = loadConfig({
  ...process.env, DATA_DIR: join(dir, 'data'), SEED_SAMPLE_CONTENT: 'false', LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false',
  NEWSLETTER_WORKER: 'false', SMTP_URL: smtpUrl, NEWSLETTER_RATE_PER_SECOND: '0', NEWSLETTER_BATCH_SIZE: '500', PUBLIC_BASE_URL: 'https://news.example',
});
const app = await buildApp({ config, logger: false });
await app.ready();
const { token } = await app.keys.create({ name: 'bench', scopes: ['admin'] });
const admin = { authorization: `Bearer ${token}` };
const inject = async (method: 'POST' | 'GET', url: string, payload?: object) => {
  const res = await app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body);
};
await inject('POST', '/v1/plans', { slug: 'digital', name: 'Digital', price: 999, levels: ['subscribers'], archive: true });
await inject('POST', '/v1/newsletters', { slug: 'bench', name: 'Bench Brief' });
await inject('POST', '/v1/sections', { slug: 'world', name: 'World' });

// Readers straight into the tables (the bench is about sending, not signing up).
let t0 = performance.now();
const sqlite = app.db.$client;
const plan = sqlite.prepare("SELECT id FROM plans WHERE slug = 'digital'").get() as { id: number };
const letter = sqlite.prepare("SELECT id FROM newsletters WHERE slug = 'bench'").get() as { id: number };
const at = '2026-01-01T00:00:00.000Z';
sqlite.transaction(() => {
  const sub = sqlite.prepare("INSERT INTO subscribers (email, status, created_at, updated_at, confirmed_at) VALUES (?, 'active', ?, ?, ?)");
  const ns = sqlite.prepare('INSERT INTO newsletter_subscriptions (newsletter_id, subscriber_id, created_at) VALUES (?, ?, ?)');
  const paid = sqlite.prepare("INSERT INTO subscriptions (subscriber_id, plan_id, status, source, started_at, updated_at) VALUES (?, ?, 'active', 'admin', ?, ?)");
  for (let i = 0; i < N; i++) {
    const id = Number(sub.run(`reader${i}@bench.example`, at, at, at).lastInsertRowid);
    ns.run(letter.id, id, at);
    if (i % 2 === 0) paid.run(id, plan.id, at, at);
  }
})();
console.log(`${N} subscribers written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const body = Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1} of the story, attributed to the agencies.`);
body.splice(3, 0, '<!-- paywall -->');
await inject('POST', '/v1/articles', { slug: 'bench-story', headline: 'Bench story', bodyMarkdown: body.join('\n\n'), access: 'subscribers', section: 'world', status: 'published' });

t0 = performance.now();
const send = await inject('POST', '/v1/newsletters/bench/sends', { article: 'bench-story' });
const enqueueS = (performance.now() - t0) / 1000;
console.log(`Enqueue: ${send.recipients} recipients (${JSON.stringify(send.audiences)}) queued in ${enqueueS.toFixed(2)} s`);

// Delivery: only the first DELIVER deliveries stay due; the rest wait for later.
sqlite.prepare("UPDATE newsletter_deliveries SET next_attempt_at = '2999-01-01T00:00:00.000Z' WHERE id > (SELECT min(id) + ? - 1 FROM newsletter_deliveries)").run(DELIVER);
t0 = performance.now();
await app.newsletterDelivery.worker.drain();
const deliverS = (performance.now() - t0) / 1000;
console.log(`Deliver: ${received} messages to the SMTP sink in ${deliverS.toFixed(1)} s = ${(received / deliverS).toFixed(0)} messages/s (${config.NEWSLETTER_SMTP_CONNECTIONS} connections)`);
await app.close();
await new Promise<void>((r) => sink.close(() => r()));
