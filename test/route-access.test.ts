import t from 'tap';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { buildTestApp, json } from './helpers/app.js';
import { subscriber } from './helpers/subscribers.js';

/** A whole app on an in-memory database, not yet ready, so a test can add a route to it. */
async function freshApp(t: { teardown(fn: () => unknown): void }) {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false' }), db: openDatabase(':memory:'), logger: false });
  t.teardown(() => app.close());
  return app;
}

t.test('a route that declares no access stops the app from starting, naming its method and URL', async (t) => {
  const app = await freshApp(t);
  t.throws(() => app.get('/v1/forgotten', async () => ({})), /GET \/v1\/forgotten declares no access/);

  // As buildApp registers a feature: the register (and so buildApp) rejects.
  const feature = await freshApp(t);
  const register = feature.register(async (scope) => {
    scope.post('/v1/forgotten-too', { schema: { summary: 'No declaration' } }, async () => ({}));
  });
  await t.rejects(async () => register, /POST \/v1\/forgotten-too declares no access/);
});

t.test('a route may not write its OpenAPI security by hand next to its declaration', async (t) => {
  const app = await freshApp(t);
  t.throws(
    () => app.get('/v1/twice', { config: { access: 'admin' }, schema: { security: [{ bearerAuth: [] }] } }, async () => ({})),
    /GET \/v1\/twice writes its OpenAPI security by hand/,
  );
});

t.test('the declaration installs the guard and the security; public routes stay open', async (t) => {
  const app = await freshApp(t);
  app.get('/v1/declared-admin', { config: { access: 'admin' }, schema: { summary: 'Admin' } }, async () => ({ ok: true }));
  app.get('/v1/declared-public', { config: { access: 'public' }, schema: { summary: 'Public' } }, async () => ({ ok: true }));
  await app.ready();
  const { token } = await app.keys.create({ name: 'a', scopes: ['admin'] });

  const anonymous = await app.inject({ url: '/v1/declared-admin' });
  t.equal(anonymous.statusCode, 401);
  t.match(anonymous.headers['www-authenticate'], /Bearer/);
  t.equal((await app.inject({ method: 'HEAD', url: '/v1/declared-admin' })).statusCode, 401, 'the HEAD twin of a GET is guarded too');
  t.equal((await app.inject({ url: '/v1/declared-admin', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/declared-public' })).statusCode, 200);

  const doc = app.swagger() as { paths: Record<string, Record<string, { security?: unknown }>> };
  t.same(doc.paths['/v1/declared-admin'].get.security, [{ bearerAuth: [] }]);
  t.equal(doc.paths['/v1/declared-public'].get.security, undefined);
  t.equal((await app.inject({ url: '/docs' })).statusCode < 400, true, 'the docs UI needs no declaration');
});

t.test('each kind of access lets in exactly its callers', async (t) => {
  const h = await buildTestApp(t);
  const { app, admin } = h;
  const partner = { authorization: `Bearer ${(await app.keys.create({ name: 'Partner', scopes: ['syndication'] })).token}` };
  const reader = (await subscriber(app, admin, 'reader@example.com')).auth;

  // admin: only admin keys
  t.equal((await app.inject({ url: '/v1/admin/keys', headers: admin })).statusCode, 200);
  const partnerOnAdmin = await app.inject({ url: '/v1/admin/keys', headers: partner });
  t.equal(partnerOnAdmin.statusCode, 403);
  t.match(json(partnerOnAdmin).detail, /"admin" scope/);
  t.equal((await app.inject({ url: '/v1/admin/keys', headers: reader })).statusCode, 403);
  t.equal((await app.inject({ method: 'HEAD', url: '/v1/photos' })).statusCode, 401);

  // syndication: partner and admin keys
  t.equal((await app.inject({ url: '/v1/changes', headers: partner })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/changes', headers: admin })).statusCode, 200);
  const readerOnChanges = await app.inject({ url: '/v1/changes', headers: reader });
  t.equal(readerOnChanges.statusCode, 403);
  t.match(json(readerOnChanges).detail, /"syndication"/);
  const anonymousOnChanges = await app.inject({ url: '/v1/changes' });
  t.equal(anonymousOnChanges.statusCode, 401);
  t.match(anonymousOnChanges.headers['www-authenticate'], /Bearer/);

  // subscriber: sessions only
  t.equal((await app.inject({ url: '/v1/me', headers: reader })).statusCode, 200);
  const keyOnMe = await app.inject({ url: '/v1/me', headers: admin });
  t.equal(keyOnMe.statusCode, 403);
  t.match(json(keyOnMe).detail, /subscriber sessions/);
  t.equal((await app.inject({ url: '/v1/me' })).statusCode, 401);
});
