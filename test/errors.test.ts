import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { z } from 'zod';
import { buildTestApp, json } from './helpers/app.js';

const isProblem = (t: Test, res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) => {
  t.equal(res.statusCode, status, `status ${status}`);
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'problem+json');
  const body = json(res);
  t.equal(body.status, status);
  t.type(body.type, 'string');
  t.type(body.title, 'string');
  t.type(body.detail, 'string');
  t.type(body.instance, 'string');
  return body;
};

t.test('every error is RFC 9457 problem+json', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { BODY_LIMIT_BYTES: '2048' } });

  isProblem(t, await app.inject({ url: '/v1/nothing-here' }), 404);

  const notAllowed = await app.inject({ method: 'PUT', url: '/v1/sections' });
  isProblem(t, notAllowed, 405);
  t.match(notAllowed.headers.allow, /GET/);

  const malformed = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name": ' });
  isProblem(t, malformed, 400);

  const empty = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'application/json' }, payload: '' });
  isProblem(t, empty, 400);

  // An empty body sent as JSON means "no body": fine for actions, a 400 where a body is required.
  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'Temp' } });
  const bodyless = await app.inject({ method: 'DELETE', url: '/v1/sections/temp', headers: { ...admin, 'content-type': 'application/json' }, payload: '' });
  t.equal(bodyless.statusCode, 204, 'a bodyless action with a JSON content type is accepted');

  const text = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'text/plain' }, payload: 'name=World' });
  isProblem(t, text, 415);

  const xml = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<a/>' });
  isProblem(t, xml, 415);

  // A compressed body is not read as if it were plain JSON.
  const { gzipSync } = await import('node:zlib');
  const gz = gzipSync(JSON.stringify({ name: 'Gzipped' }));
  for (const encoding of ['gzip', 'br', 'deflate, gzip', 'GZIP', 'identity, gzip']) {
    const res = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'application/json', 'content-encoding': encoding }, payload: gz });
    const p = isProblem(t, res, 415);
    t.match(p.detail, /Content-Encoding .* is not supported/, `${encoding}: says the encoding is not supported`);
    t.same(p.errors, [{ pointer: '/headers/content-encoding', detail: 'must be identity (or absent)' }]);
    t.equal(res.headers['accept-encoding'], 'identity');
  }
  const plainJson = JSON.stringify({ name: 'Gzipped' });
  const patch = await app.inject({ method: 'PATCH', url: '/v1/sections/gzipped', headers: { ...admin, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: plainJson });
  isProblem(t, patch, 415);
  t.equal((await app.inject({ url: '/v1/sections/gzipped' })).statusCode, 404, 'nothing was created');
  const identity = await app.inject({ method: 'POST', url: '/v1/sections', headers: { ...admin, 'content-type': 'application/json', 'content-encoding': 'identity' }, payload: plainJson });
  t.equal(identity.statusCode, 201, 'identity is plain');
  const bodylessGzip = await app.inject({ method: 'GET', url: '/v1/sections', headers: { 'content-encoding': 'gzip' } });
  t.equal(bodylessGzip.statusCode, 200, 'no body, nothing to decode');

  const huge = await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'x'.repeat(5000) } });
  isProblem(t, huge, 413);

  const arrayBody = await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: [1, 2] });
  const v = isProblem(t, arrayBody, 400);
  t.ok(Array.isArray(v.errors), 'validation problems list errors');

  const repeated = await app.inject({ url: '/v1/sections?limit=1&limit=2' });
  isProblem(t, repeated, 400);
});

t.test('an unexpected exception is a 500 without internals, with a request id that is logged', async (t) => {
  const { app } = await buildTestApp(t);
  // A route that fails the way a bug would; registered on a child context of the running app is
  // not possible after ready(), so build a fresh app with the extra route.
  t.ok(app);
  const { buildApp } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase } = await import('../src/db/client.js');
  const lines: string[] = [];
  const stream = { write: (l: string) => lines.push(l) };
  const broken = await buildApp({
    config: loadConfig({ RATE_LIMIT_MAX: '0', SEED_SAMPLE_CONTENT: 'false' }),
    db: openDatabase(':memory:'),
    logger: { level: 'error', stream },
  });
  broken.get('/boom', { config: { access: 'public' }, schema: { querystring: z.object({}) } }, async () => {
    throw new Error('secret internal detail at /srv/app/db.ts:42');
  });
  await broken.ready();
  t.teardown(() => broken.close());
  const res = await broken.inject({ url: '/boom', headers: { 'x-request-id': 'req-abc-123' } });
  const body = isProblem(t, res, 500);
  t.notMatch(res.body, /secret internal detail|db\.ts/, 'no internals in the body');
  t.equal(body.requestId, 'req-abc-123');
  t.equal(res.headers['x-request-id'], 'req-abc-123');
  t.ok(lines.some((l) => l.includes('req-abc-123') && l.includes('secret internal detail')), 'the log has the detail and the request id');
});

t.test('rate limiting answers 429 problem+json with Retry-After', async (t) => {
  const { app } = await buildTestApp(t, { env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } });
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ url: '/v1/sections' })).statusCode, 200);
  const limited = await app.inject({ url: '/v1/sections' });
  isProblem(t, limited, 429);
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'probes are not rate limited');
});

t.test('health and readiness', async (t) => {
  const { app } = await buildTestApp(t);
  t.same(json(await app.inject({ url: '/healthz' })), { status: 'ok' });
  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(json(ready).checks, { database: 'ok', migrations: 'ok' });
});

t.test('security headers and CORS', async (t) => {
  const { app } = await buildTestApp(t);
  const res = await app.inject({ url: '/v1/sections', headers: { origin: 'https://reader.example' } });
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.equal(res.headers['access-control-allow-origin'], '*');
  const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/sections', headers: { origin: 'https://reader.example', 'access-control-request-method': 'GET' } });
  t.equal(preflight.statusCode, 204);
});

t.test('requests the HTTP parser rejects (huge headers, garbage) are problem+json too', async (t) => {
  const { app } = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const raw = (payload: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(payload));
      let data = '';
      socket.on('data', (c) => (data += c.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
  const split = (response: string) => {
    const [head, body] = response.split('\r\n\r\n');
    return { head, body: JSON.parse(body) };
  };

  const huge = split(await raw(`GET /v1/sections HTTP/1.1\r\nHost: x\r\nIf-None-Match: "${'a'.repeat(20_000)}"\r\n\r\n`));
  t.match(huge.head, /^HTTP\/1\.1 431 /);
  t.match(huge.head, /content-type: application\/problem\+json/i);
  t.match(huge.body, { status: 431, title: 'Request Header Fields Too Large', type: String, detail: String, instance: String });

  const garbage = split(await raw('GARBAGE\r\n\r\n'));
  t.match(garbage.head, /^HTTP\/1\.1 400 /);
  t.match(garbage.head, /content-type: application\/problem\+json/i);
  t.match(garbage.body, { status: 400, type: String, title: String, detail: String, instance: String });
});

t.test('URLs the router refuses are problems too, not fastify plain JSON', async (t) => {
  const { app, admin } = await buildTestApp(t);
  for (const url of ['/v1/plans/%FF%FE', '/v1/articles/%', '/v1/sections/%C0%AF', '/v1/articles/%E2%82', '/%', '/v1/plans/%FF?limit=1']) {
    for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
      const res = await app.inject({ method, url, headers: method === 'DELETE' ? admin : {} });
      t.equal(res.statusCode, 400, `${method} ${url}: 400`);
      t.match(res.headers['content-type'], /^application\/problem\+json/, `${method} ${url}: problem+json`);
      if (method === 'HEAD') continue;
      const p = isProblem(t, res, 400);
      t.notMatch(res.body, /FST_ERR/, 'no framework error codes');
      t.match(p.detail, /not valid percent-encoded/);
      t.equal(res.headers['x-content-type-options'], 'nosniff', 'security headers as on every response');
      t.type(res.headers['x-request-id'], 'string');
    }
  }

  const long = 'a'.repeat(4000);
  for (const url of [`/v1/articles/${long}`, `/v1/photos/${long}`, `/v1/sections/${long}?x=1`, `/v1/articles/${long}/revisions`]) {
    const res = await app.inject({ url, headers: admin });
    const p = isProblem(t, res, 414);
    t.match(p.detail, /longer than this server accepts/);
    t.ok(res.body.length < 1000, 'the long path is not echoed back in full');
    t.notMatch(res.body, /FST_ERR/);
  }
  const post = await app.inject({ method: 'POST', url: `/v1/articles/${long}/publish`, headers: admin, payload: {} });
  isProblem(t, post, 414);

  // A long path no route matches is still a bounded 404.
  const notFound = await app.inject({ url: `/v1/${'b/'.repeat(3000)}` });
  isProblem(t, notFound, 404);
  t.ok(notFound.body.length < 1000, '404 does not echo a path of thousands of characters');
});
