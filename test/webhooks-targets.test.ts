import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { refusedRange, type LookupFunction } from '../src/webhooks/targets.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/syndication.js';

// The guard's own tests: WEBHOOK_ALLOW_PRIVATE_TARGETS stays at its default (false) unless said.
const ENV = { WEBHOOK_WORKER: 'false' };

/** A receiver on 127.0.0.1 that records what reaches it and answers as `answer` says. */
async function receiver(t: Test, answer: (res: ServerResponse) => void = (res) => res.writeHead(200).end('ok')) {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { port: (server.address() as AddressInfo).port, received };
}

/** A DNS that answers each name from a script: the first answer, then the next, … (the last one repeats). */
function scriptedDns(answers: Record<string, string[]>): LookupFunction & { calls: string[] } {
  const seen = new Map<string, number>();
  const calls: string[] = [];
  const fn = ((hostname, options, callback) => {
    const script = answers[hostname];
    calls.push(hostname);
    if (!script) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return process.nextTick(() => callback(err, ''));
    }
    const n = seen.get(hostname) ?? 0;
    seen.set(hostname, n + 1);
    const address = script[Math.min(n, script.length - 1)];
    const family = address.includes(':') ? 6 : 4;
    process.nextTick(() => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)));
  }) as LookupFunction & { calls: string[] };
  fn.calls = calls;
  return fn;
}

const create = (h: TestApp, url: string) =>
  h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload: { url, events: ['article.published'] } });
const deliveries = async (h: TestApp, id: number) => json(await h.app.inject({ url: `/v1/admin/webhooks/${id}/deliveries`, headers: h.admin })).data;

t.test('an endpoint on loopback, private, link-local or metadata addresses is refused when created or changed', async (t) => {
  const dns = scriptedDns({ 'hooks.partner.example': ['93.184.216.34'], 'metadata.partner.example': ['169.254.169.254'], 'v6.partner.example': ['fd00:ec2::254'] });
  const h = await buildTestApp(t, { env: ENV, webhookLookup: dns });
  const refused = [
    'http://127.0.0.1/hooks',
    'http://127.1/hooks',
    'http://0x7f000001/hooks',
    'http://2130706433/hooks',
    'http://017700000001/hooks',
    'http://127.255.255.254:8080/hooks',
    'http://[::1]/hooks',
    'http://[0:0:0:0:0:0:0:1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://localhost/hooks',
    'http://LOCALHOST.:3000/v1/admin/keys',
    'http://admin.localhost/hooks',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://100.100.100.200/latest/meta-data/',
    'http://10.0.0.7/hooks',
    'http://172.16.0.1/hooks',
    'http://192.168.1.1/hooks',
    'http://0.0.0.0:3000/hooks',
    'http://[::]/hooks',
    'http://[fe80::1]/hooks',
    'http://224.0.0.1/hooks',
    'http://[64:ff9b::7f00:1]/hooks',
    'http://[2002:7f00:1::]/hooks',
    'https://metadata.partner.example/hooks',
    'https://v6.partner.example/hooks',
  ];
  for (const url of refused) {
    const res = await create(h, url);
    t.ok(res.statusCode === 422 || res.statusCode === 400, `${url}: refused (${res.statusCode})`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(json(res).errors[0].pointer, '/body/url', `${url}: names the url`);
  }
  t.equal(json(await h.app.inject({ url: '/v1/admin/webhooks', headers: h.admin })).meta.total, 0, 'nothing was registered');

  const ok = await create(h, 'https://hooks.partner.example/newsdesk');
  t.equal(ok.statusCode, 201, 'a name resolving to a public address is accepted');
  const id = json(ok).endpoint.id;
  t.equal((await create(h, 'http://93.184.216.34/hooks')).statusCode, 201, 'so is a public address');
  for (const url of ['http://127.1:9/', 'http://metadata.partner.example/', 'http://[::ffff:7f00:1]/']) {
    const patched = await h.app.inject({ method: 'PATCH', url: `/v1/admin/webhooks/${id}`, headers: h.admin, payload: { url } });
    t.ok(patched.statusCode === 422 || patched.statusCode === 400, `PATCH to ${url}: refused (${patched.statusCode})`);
  }
  t.equal(json(await h.app.inject({ url: `/v1/admin/webhooks/${id}`, headers: h.admin })).url, 'https://hooks.partner.example/newsdesk', 'the url did not change');

  t.equal(refusedRange('8.8.8.8'), null);
  t.equal(refusedRange('2606:4700:4700::1111'), null);
  t.equal(refusedRange('::ffff:10.1.2.3'), 'private');
});

t.test('at delivery time the address connected to is checked: DNS rebinding to loopback gets nothing', async (t) => {
  const rx = await receiver(t);
  // Public when the endpoint is registered, 127.0.0.1 when the delivery connects.
  const dns = scriptedDns({ 'rebind.partner.example': ['93.184.216.34', '127.0.0.1'] });
  const h = await buildTestApp(t, { env: ENV, webhookLookup: dns });
  await seedTaxonomy(h.app, h.admin);
  const created = await create(h, `http://rebind.partner.example:${rx.port}/hooks`);
  t.equal(created.statusCode, 201);
  const { endpoint } = json(created);
  await publish(h.app, h.admin, { headline: 'Rebinding goes nowhere', bodyMarkdown: 'Text.' });
  await h.app.webhooks.worker.drain();
  t.equal(rx.received.length, 0, 'nothing reached the loopback receiver');
  t.ok(dns.calls.filter((n) => n === 'rebind.partner.example').length >= 2, 'the name was resolved again for the delivery');
  const [d] = await deliveries(h, endpoint.id);
  t.match(d, { status: 'failed', attempts: 1, lastStatusCode: null }, 'refused at once, not retried');
  t.match(d.lastError, /refused: rebind\.partner\.example resolves to 127\.0\.0\.1, a loopback address/);
});

t.test('an endpoint stored before the guard (or whose name now resolves to loopback) is refused at delivery', async (t) => {
  const rx = await receiver(t);
  const h = await buildTestApp(t, { env: ENV });
  await seedTaxonomy(h.app, h.admin);
  const now = h.clock.now().toISOString();
  const repo = h.app.webhooks.service.repo;
  const urls = [`http://localhost:${rx.port}/hooks`, `http://127.1:${rx.port}/hooks`, `http://[::ffff:127.0.0.1]:${rx.port}/hooks`];
  const ids: number[] = [];
  for (const url of urls) {
    const row = await repo.insertEndpoint({ url: new URL(url).href, events: ['article.published'], description: null, keyId: null, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: now, updatedAt: now });
    ids.push(row.id);
  }
  await publish(h.app, h.admin, { headline: 'Nothing for loopback', bodyMarkdown: 'Text.' });
  await h.app.webhooks.worker.drain();
  t.equal(rx.received.length, 0, 'nothing reached the receiver');
  for (const [i, id] of ids.entries()) {
    const [d] = await deliveries(h, id);
    t.equal(d.status, 'failed', `${urls[i]}: failed`);
    t.match(d.lastError, /^refused: .*loopback (address|name)/, `${urls[i]}: says why`);
  }
});

t.test('WEBHOOK_ALLOW_PRIVATE_TARGETS=true lets local receivers in; redirects are not followed; only the start of an answer is read', async (t) => {
  const target = await receiver(t);
  const redirecting = await receiver(t, (res) => res.writeHead(307, { location: `http://127.0.0.1:${target.port}/stolen` }).end());
  const endless = await receiver(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = 'x'.repeat(64 * 1024);
    const pump = () => { while (!res.destroyed && res.write(chunk)); if (!res.destroyed) res.once('drain', pump); };
    pump();
  });
  const shouting = await receiver(t, (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('E'.repeat(1_000_000)));
  const h = await buildTestApp(t, { env: { ...ENV, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '20000' } });
  await seedTaxonomy(h.app, h.admin);
  const ids: Record<string, number> = {};
  for (const [name, rx] of Object.entries({ target, redirecting, endless, shouting })) {
    const res = await create(h, `http://localhost:${rx.port}/hooks`);
    t.equal(res.statusCode, 201, `${name}: localhost accepted when allowed`);
    ids[name] = json(res).endpoint.id;
  }
  const started = Date.now();
  await publish(h.app, h.admin, { headline: 'Local receivers', bodyMarkdown: 'Text.' });
  await h.app.webhooks.worker.drain();
  t.ok(Date.now() - started < 10_000, 'an endless answer does not hold the worker until the timeout');
  t.match((await deliveries(h, ids.target))[0], { status: 'delivered' });
  t.match((await deliveries(h, ids.endless))[0], { status: 'delivered', lastStatusCode: 200 });
  const redirected = (await deliveries(h, ids.redirecting))[0];
  t.match(redirected, { status: 'pending', lastStatusCode: 307 }, 'a redirect is a failed attempt');
  t.equal(target.received.length, 1, 'the redirect was not followed');
  const shouted = (await deliveries(h, ids.shouting))[0];
  t.match(shouted, { status: 'pending', lastStatusCode: 500 });
  t.ok(shouted.lastError.length < 400, 'the log keeps only the start of the answer');
});
