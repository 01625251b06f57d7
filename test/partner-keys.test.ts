import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp, loggerOptions } from '../src/app.js';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp, json } from './helpers/app.js';

t.test('partner keys: create with a licence, list, set, revoke; the resolver carries the licence', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { slug: 'world', name: 'World' } });

  const created = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: admin,
    payload: { name: 'Wire partner', scopes: ['syndication'], licence: { sections: ['world'], fullText: true, usageTerms: 'Print and web, 30 days' } },
  });
  t.equal(created.statusCode, 201);
  const { token, key } = json(created);
  t.match(token, /^ndk_[0-9a-f]{16}_/);
  t.same(key.licence, { sections: ['world'], fullText: true, usageTerms: 'Print and web, 30 days', rateLimit: null });
  t.equal(created.headers.location, `/v1/admin/keys/${key.id}`);

  const check = await app.keys.verify(token);
  t.ok(check.ok && check.licence?.fullText, 'verify loads the licence');

  const listed = json(await app.inject({ url: '/v1/admin/keys', headers: admin }));
  t.ok(listed.data.some((k: { id: string; licence: unknown }) => k.id === key.id && k.licence), 'listed with its licence');
  t.notMatch(JSON.stringify(listed), token.split('_').pop()!, 'the list never shows a secret');

  const unknownSection = await app.inject({ method: 'PUT', url: `/v1/admin/keys/${key.id}/licence`, headers: admin, payload: { sections: ['sport'] } });
  t.equal(unknownSection.statusCode, 422);
  t.equal(json(unknownSection).errors[0].pointer, '/body/sections');

  const set = await app.inject({ method: 'PUT', url: `/v1/admin/keys/${key.id}/licence`, headers: admin, payload: { sections: null, fullText: false, rateLimit: 5 } });
  t.equal(set.statusCode, 200);
  t.same(json(set), { sections: null, fullText: false, usageTerms: null, rateLimit: 5 });
  t.same(json(set).usageTerms, null, 'PUT replaces the whole licence: the usage terms it left out are cleared (README, OpenAPI)');
  const replaced = await app.inject({ method: 'PUT', url: `/v1/admin/keys/${key.id}/licence`, headers: admin, payload: { sections: ['world'], fullText: true } });
  t.same(json(replaced), { sections: ['world'], fullText: true, usageTerms: null, rateLimit: null }, 'and so is the rate limit it left out');

  const adminWithLicence = await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'x', scopes: ['admin'], licence: { sections: null, fullText: true } } });
  t.equal(adminWithLicence.statusCode, 422, 'only syndication keys carry a licence');
  t.equal((await app.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'x', scopes: ['root'] } })).statusCode, 400);

  const partnerAuth = { authorization: `Bearer ${token}` };
  t.equal((await app.inject({ url: '/v1/admin/keys', headers: partnerAuth })).statusCode, 403, 'partners cannot manage keys');
  t.equal((await app.inject({ url: '/v1/admin/keys' })).statusCode, 401);

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/admin/keys/${key.id}`, headers: admin })).statusCode, 204);
  t.equal((await app.inject({ url: '/v1/sections', headers: partnerAuth })).statusCode, 401, 'a revoked key stops working');
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/admin/keys/0000000000000000', headers: admin })).statusCode, 404);
});

t.test('feed tokens: issued for syndication keys, revocable, and die with their key', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const { key } = await app.keys.create({ name: 'Aggregator', scopes: ['syndication'] });
  const issued = await app.inject({ method: 'POST', url: `/v1/admin/keys/${key.id}/feed-tokens`, headers: admin });
  t.equal(issued.statusCode, 201);
  const { token, feedToken } = json(issued);
  t.match(token, /^ndf_[0-9a-f]{16}_/);
  t.ok(await app.keys.licences.resolveFeedToken(token), 'resolves');
  t.equal(json(await app.inject({ url: `/v1/admin/keys/${key.id}/feed-tokens`, headers: admin })).data.length, 1);

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/admin/keys/${key.id}/feed-tokens/${feedToken.id}`, headers: admin })).statusCode, 204);
  t.equal(await app.keys.licences.resolveFeedToken(token), null, 'a revoked feed token resolves to nothing');

  const second = json(await app.inject({ method: 'POST', url: `/v1/admin/keys/${key.id}/feed-tokens`, headers: admin })).token;
  await app.keys.revoke(key.id);
  t.equal(await app.keys.licences.resolveFeedToken(second), null, 'revoking the key disables its feed tokens');

  const adminKey = await app.keys.create({ name: 'Another admin', scopes: ['admin'] });
  t.equal((await app.inject({ method: 'POST', url: `/v1/admin/keys/${adminKey.key.id}/feed-tokens`, headers: admin })).statusCode, 422, 'not for admin keys');
});

t.test('per-key rate limits: RateLimit-* headers, 429 with Retry-After, buckets per key', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { RATE_LIMIT_MAX: '100', RATE_LIMIT_KEY_MAX: '50' } });
  const partner = await app.keys.create({ name: 'Small partner', scopes: ['syndication'], licence: { sections: null, fullText: false, usageTerms: null, rateLimit: 3 } });
  const other = await app.keys.create({ name: 'Other partner', scopes: ['syndication'] });
  const auth = { authorization: `Bearer ${partner.token}` };

  const first = await app.inject({ url: '/v1/sections', headers: auth });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['ratelimit-limit'], '3', 'the key\'s own limit');
  t.equal(first.headers['ratelimit-remaining'], '2');
  t.ok(first.headers['ratelimit-reset'], 'says when the window resets');
  await app.inject({ url: '/v1/sections', headers: auth });
  await app.inject({ url: '/v1/sections', headers: auth });
  const limited = await app.inject({ url: '/v1/sections', headers: auth });
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], /problem\+json/);
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds');

  const otherRes = await app.inject({ url: '/v1/sections', headers: { authorization: `Bearer ${other.token}` } });
  t.equal(otherRes.statusCode, 200, 'another key (same IP) has its own bucket');
  t.equal(otherRes.headers['ratelimit-limit'], '50', 'RATE_LIMIT_KEY_MAX for keys without their own limit');
  const anon = await app.inject({ url: '/v1/sections' });
  t.equal(anon.headers['ratelimit-limit'], '100', 'anonymous callers: RATE_LIMIT_MAX per IP');
  t.equal((await app.inject({ url: '/v1/sections', headers: admin })).statusCode, 200);
});

t.test('a feed token in a URL never reaches the log', async (t) => {
  const { config } = await buildTestApp(t, { env: { LOG_LEVEL: 'info' } });
  let logged = '';
  const stream = new Writable({ write(chunk, _enc, cb) { logged += chunk.toString(); cb(); } });
  const app = await buildApp({ config, clock: new ManualClock(), logger: { ...loggerOptions(config), stream } });
  t.teardown(() => app.close());
  const secret = 'ndf_0123456789abcdef_' + 'A'.repeat(43);
  await app.inject({ url: `/v1/sections?limit=5&token=${secret}` });
  t.match(logged, /incoming request/, 'requests are logged');
  t.match(logged, /token=\[redacted\]/, 'the URL is logged with the token redacted');
  t.notMatch(logged, secret.slice(4, 20), 'no part of the token is logged');
});

t.test('a feed token counts against its key\'s own rate limit', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { RATE_LIMIT_MAX: '100' } });
  const partner = await app.keys.create({ name: 'Reader app', scopes: ['syndication'], licence: { sections: null, fullText: false, usageTerms: null, rateLimit: 2 } });
  const { token } = json(await app.inject({ method: 'POST', url: `/v1/admin/keys/${partner.key.id}/feed-tokens`, headers: admin }));
  const first = await app.inject({ url: `/v1/feeds/rss.xml?token=${token}` });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['ratelimit-limit'], '2', 'the key\'s limit, not the per-IP one');
  await app.inject({ url: `/v1/feeds/atom.xml?token=${token}` });
  const limited = await app.inject({ url: `/v1/feeds/feed.json?token=${token}` });
  t.equal(limited.statusCode, 429);
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal((await app.inject({ url: '/v1/feeds/rss.xml' })).statusCode, 200, 'anonymous readers on the same IP are not affected');
});

t.test('a licence never grants every section by leaving sections out', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'World' } });
  const created = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: admin,
    payload: { name: 'Narrow partner', scopes: ['syndication'], licence: { sections: ['world'], fullText: false } },
  });
  const { key } = json(created);
  const url = `/v1/admin/keys/${key.id}/licence`;
  for (const payload of [{ fullText: true }, { fullText: true, usageTerms: 'All of it' }, {}, { fullText: true, rateLimit: 10 }]) {
    const res = await app.inject({ method: 'PUT', url, headers: admin, payload });
    t.equal(res.statusCode, 400, `${JSON.stringify(payload)}: 400`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.ok(json(res).errors.some((e: { pointer: string }) => e.pointer === '/body/sections'), 'names /body/sections');
  }
  const after = json(await app.inject({ url: `/v1/admin/keys/${key.id}`, headers: admin }));
  t.same(after.licence, { sections: ['world'], fullText: false, usageTerms: null, rateLimit: null }, 'the refused PUTs changed nothing');

  const createAll = await app.inject({
    method: 'POST',
    url: '/v1/admin/keys',
    headers: admin,
    payload: { name: 'Implied', scopes: ['syndication'], licence: { fullText: true } },
  });
  t.equal(createAll.statusCode, 400, 'nor does a licence sent with a new key');
  t.ok(json(createAll).errors.some((e: { pointer: string }) => e.pointer === '/body/licence/sections'));

  const all = await app.inject({ method: 'PUT', url, headers: admin, payload: { sections: null, fullText: true } });
  t.equal(all.statusCode, 200, 'every section, said with null');
  t.same(json(all), { sections: null, fullText: true, usageTerms: null, rateLimit: null });
});
