import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';

t.test('API keys: create, use, revoke; scopes; bad tokens', async (t) => {
  const { app } = await buildTestApp(t);
  const { token, key } = await app.keys.create({ name: 'Desk', scopes: ['admin'] });
  t.match(token, /^ndk_[0-9a-f]{16}_/);
  const auth = { authorization: `Bearer ${token}` };

  const stored = app.db.$client.prepare('SELECT * FROM api_keys WHERE id = ?').get(key.id) as Record<string, string>;
  t.notMatch(JSON.stringify(stored), token.split('_').pop()!, 'the secret itself is not stored');

  t.equal((await app.inject({ method: 'POST', url: '/v1/sections', headers: auth, payload: { name: 'Politics' } })).statusCode, 201);

  await app.keys.revoke(key.id);
  const revoked = await app.inject({ method: 'POST', url: '/v1/sections', headers: auth, payload: { name: 'Business' } });
  t.equal(revoked.statusCode, 401);
  t.match(revoked.headers['www-authenticate'], /Bearer/);

  const wrongSecret = token.slice(0, -4) + 'AAAA';
  t.equal((await app.inject({ url: '/v1/sections', headers: { authorization: `Bearer ${wrongSecret}` } })).statusCode, 401, 'a wrong key is 401 even on public routes');
  t.equal((await app.inject({ url: '/v1/sections', headers: { authorization: 'Bearer nonsense' } })).statusCode, 401);
  t.equal((await app.inject({ url: '/v1/sections', headers: { authorization: 'Basic dXNlcjpwYXNz' } })).statusCode, 401);

  const partner = await app.keys.create({ name: 'Partner', scopes: ['syndication'] });
  const forbidden = await app.inject({ method: 'DELETE', url: '/v1/sections/politics', headers: { authorization: `Bearer ${partner.token}` } });
  t.equal(forbidden.statusCode, 403);
  t.match(json(forbidden).detail, /admin/);
});

t.test('NEWSDESK_ADMIN_KEY works as an admin key', async (t) => {
  const envKey = 'a-deployment-chosen-secret-of-sufficient-length-123';
  const { app } = await buildTestApp(t, { env: { NEWSDESK_ADMIN_KEY: envKey } });
  const res = await app.inject({ method: 'POST', url: '/v1/sections', headers: { authorization: `Bearer ${envKey}` }, payload: { name: 'Sport' } });
  t.equal(res.statusCode, 201);
});

t.test('first start creates and prints one admin key; later starts do not', async (t) => {
  const { app } = await buildTestApp(t);
  const { bootstrap } = await import('../src/bootstrap.js');
  // The test helper already made a key, so bootstrap must not print another.
  const printed: string[] = [];
  await bootstrap(app, (l) => printed.push(l));
  t.same(printed, []);
  for (const k of await app.keys.list()) await app.keys.revoke(k.id);
  await bootstrap(app, (l) => printed.push(l));
  const tokenLine = printed.find((l) => /ndk_/.test(l));
  t.ok(tokenLine, 'prints the new key');
  t.ok(printed.some((l) => l.includes('npm run keys -- create')), 'says how to create others');
  const token = tokenLine!.trim();
  t.equal((await app.inject({ method: 'POST', url: '/v1/sections', headers: { authorization: `Bearer ${token}` }, payload: { name: 'Opinion' } })).statusCode, 201);
});

t.test('using a key records lastUsedAt, at most once a minute', async (t) => {
  const { app, clock } = await buildTestApp(t);
  const { token, key } = await app.keys.create({ name: 'Desk', scopes: ['admin'] });
  const auth = { authorization: `Bearer ${token}` };
  t.equal((await app.keys.get(key.id))!.lastUsedAt, null, 'never used yet');
  const first = clock.now().toISOString();
  t.equal((await app.inject({ url: '/v1/sections', headers: auth })).statusCode, 200);
  t.equal((await app.keys.get(key.id))!.lastUsedAt, first);
  clock.advance(30_000);
  await app.inject({ url: '/v1/sections', headers: auth });
  t.equal((await app.keys.get(key.id))!.lastUsedAt, first, 'not rewritten within the minute');
  clock.advance(60_000);
  await app.inject({ url: '/v1/sections', headers: auth });
  t.equal((await app.keys.get(key.id))!.lastUsedAt, clock.now().toISOString(), 'updated after a minute');
  const listed = json(await app.inject({ url: '/v1/admin/keys', headers: auth }));
  t.ok(listed.data.find((k: { id: string }) => k.id === key.id).lastUsedAt, 'shown by GET /v1/admin/keys');
});
