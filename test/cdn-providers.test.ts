import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp, json } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/articles.js';

/**
 * The Fastly and Cloudflare purge adapters against a local HTTP receiver that plays each provider
 * and accepts only the request its API documents:
 * - Fastly, purge by surrogate key: POST /service/{service_id}/purge, `Surrogate-Key: k1 k2 …`
 *   (space-separated, at most 256), `Fastly-Key: <token>`, `Fastly-Soft-Purge: 1` for a soft purge;
 * - Cloudflare, purge by cache tag: POST /client/v4/zones/{zone_id}/purge_cache, JSON
 *   `{"tags": [...]}` (at most 30 a call here), `Authorization: Bearer <token>`.
 * The real HTTP client of the worker sends them (no stand-in sender).
 */

interface Received { provider: 'fastly' | 'cloudflare'; keys: string[]; soft: boolean }

const FASTLY_TOKEN = 'fastly-token-0123456789';
const CF_TOKEN = 'cf-token-abcdefghijklmnop';

async function receiver(t: { teardown(fn: () => unknown): void }) {
  const received: Received[] = [];
  const refused: string[] = [];
  let fail = false;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const refuse = (status: number, why: string) => {
        refused.push(why);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, errors: [{ message: why }] }));
      };
      if (fail) return refuse(503, 'down');
      const fastly = /^\/service\/([^/]+)\/purge$/.exec(req.url ?? '');
      const cloudflare = /^\/client\/v4\/zones\/([^/]+)\/purge_cache$/.exec(req.url ?? '');
      if (req.method !== 'POST') return refuse(405, `method ${req.method}`);
      if (fastly) {
        if (fastly[1] !== 'SU1Z0isxPaozGVKXdv0eY') return refuse(404, `unknown service ${fastly[1]}`);
        if (req.headers['fastly-key'] !== FASTLY_TOKEN) return refuse(401, 'Fastly-Key');
        const soft = req.headers['fastly-soft-purge'];
        if (soft !== undefined && soft !== '1') return refuse(400, `Fastly-Soft-Purge: ${soft}`);
        const header = req.headers['surrogate-key'];
        if (typeof header !== 'string' || !/^\S+( \S+)*$/.test(header)) return refuse(400, `Surrogate-Key: ${header}`);
        const keys = header.split(' ');
        if (keys.length > 256) return refuse(400, 'more than 256 keys');
        if (body !== '') return refuse(400, 'a body');
        received.push({ provider: 'fastly', keys, soft: soft === '1' });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      }
      if (cloudflare) {
        if (cloudflare[1] !== '023e105f4ecef8ad9ca31a8372d0c353') return refuse(404, `unknown zone ${cloudflare[1]}`);
        if (req.headers.authorization !== `Bearer ${CF_TOKEN}`) return refuse(403, 'Authorization');
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return refuse(415, `Content-Type: ${req.headers['content-type']}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return refuse(400, 'not JSON');
        }
        const tags = (parsed as { tags?: unknown }).tags;
        if (!parsed || typeof parsed !== 'object' || Object.keys(parsed).length !== 1 || !Array.isArray(tags) || tags.length === 0 || tags.length > 30 || !tags.every((x) => typeof x === 'string')) {
          return refuse(400, `body ${body}`);
        }
        received.push({ provider: 'cloudflare', keys: tags as string[], soft: false });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, errors: [], messages: [], result: { id: cloudflare[1] } }));
      }
      return refuse(404, `path ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, received, refused, setFail: (v: boolean) => (fail = v) };
}

async function setup(t: Parameters<typeof receiver>[0], tokens = { fastly: FASTLY_TOKEN, cloudflare: CF_TOKEN }) {
  const r = await receiver(t);
  const h = await buildTestApp(t, {
    env: {
      CDN_WORKER: 'false',
      CDN_PURGE_URLS: 'fastly:SU1Z0isxPaozGVKXdv0eY,cloudflare:023e105f4ecef8ad9ca31a8372d0c353',
      FASTLY_API_URL: r.base,
      FASTLY_API_TOKEN: tokens.fastly,
      CLOUDFLARE_API_URL: `${r.base}/client/v4`,
      CLOUDFLARE_API_TOKEN: tokens.cloudflare,
    },
  });
  await seedTaxonomy(h.app, h.admin);
  await h.app.cdn.worker.tick();
  r.received.length = 0;
  return { h, r };
}

t.test('a publish is a soft purge on Fastly and a tag purge on Cloudflare; an unpublish is hard on both', async (t) => {
  const { h, r } = await setup(t);
  const story = await publish(h.app, h.admin, { headline: 'Port reopens', tags: ['energy'], bodyMarkdown: 'The port reopened.' });
  await h.app.cdn.worker.tick();
  t.same(r.refused, [], 'every request as documented');
  const fastly = r.received.filter((x) => x.provider === 'fastly');
  const cloudflare = r.received.filter((x) => x.provider === 'cloudflare');
  t.equal(fastly.length, 1);
  t.equal(cloudflare.length, 1);
  t.ok(fastly[0].soft, 'Fastly-Soft-Purge: 1');
  t.ok(fastly[0].keys.includes(`article:${story.id}`) && fastly[0].keys.includes('articles'));
  t.same(new Set(cloudflare[0].keys), new Set(fastly[0].keys), 'the same keys as tags');
  const [row] = json(await h.app.inject({ url: '/v1/admin/cdn/purges', headers: h.admin })).data;
  t.equal(row.status, 'done');
  t.same(Object.keys(row.results).sort(), ['cloudflare:023e105f4ecef8ad9ca31a8372d0c353', 'fastly:SU1Z0isxPaozGVKXdv0eY']);

  r.received.length = 0;
  t.equal((await h.app.inject({ method: 'POST', url: `/v1/articles/${story.slug}/unpublish`, headers: h.admin })).statusCode, 200);
  await h.app.cdn.worker.tick();
  t.same(r.refused, []);
  t.same(r.received.map((x) => [x.provider, x.soft]), [['fastly', false], ['cloudflare', false]], 'hard: no Fastly-Soft-Purge');
});

t.test('many keys are split as each API allows: 256 a Fastly request, 30 a Cloudflare call', async (t) => {
  const { h, r } = await setup(t);
  const keys = Array.from({ length: 256 }, (_, i) => `article:${i + 1}`);
  const queued = await h.app.inject({ method: 'POST', url: '/v1/admin/cdn/purges', headers: h.admin, payload: { keys, hard: true } });
  t.equal(queued.statusCode, 202);
  await h.app.cdn.worker.tick();
  t.same(r.refused, []);
  const fastly = r.received.filter((x) => x.provider === 'fastly');
  const cloudflare = r.received.filter((x) => x.provider === 'cloudflare');
  t.equal(fastly.length, 1);
  t.same(fastly[0].keys, keys);
  t.same(cloudflare.map((c) => c.keys.length), [30, 30, 30, 30, 30, 30, 30, 30, 16]);
  t.same(cloudflare.flatMap((c) => c.keys), keys, 'every key once, in order');
});

t.test('a refusal is recorded per target and retried; the other target keeps its success', async (t) => {
  const { h, r } = await setup(t, { fastly: FASTLY_TOKEN, cloudflare: 'wrong-token' });
  r.refused.length = 0; // the taxonomy's purges, refused alike
  await h.app.inject({ method: 'POST', url: '/v1/admin/cdn/purges', headers: h.admin, payload: { keys: ['all'], hard: true } });
  await h.app.cdn.worker.tick();
  t.same(r.refused, ['Authorization']);
  const [row] = json(await h.app.inject({ url: '/v1/admin/cdn/purges', headers: h.admin })).data;
  t.equal(row.status, 'pending');
  t.equal(row.results['fastly:SU1Z0isxPaozGVKXdv0eY'].ok, true);
  t.equal(row.results['cloudflare:023e105f4ecef8ad9ca31a8372d0c353'].status, 403);
  t.match(row.lastError, /cloudflare:023e105f4ecef8ad9ca31a8372d0c353: HTTP 403/);
  r.received.length = 0;
  h.clock.advance(3_600_000);
  await h.app.cdn.worker.tick();
  t.same(r.received.map((x) => x.provider), [], 'Fastly, which took it, is not asked again');
  const retried = json(await h.app.inject({ url: '/v1/admin/cdn/purges', headers: h.admin })).data.find((p: { id: number }) => p.id === row.id);
  t.equal(retried.attempts, 2, 'Cloudflare is retried');
  t.equal(retried.results['fastly:SU1Z0isxPaozGVKXdv0eY'].ok, true);
});
