import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { startSmtp, tokenIn } from './helpers/smtp.js';
import { outboxMail, subscriber } from './helpers/subscribers.js';

t.test('sign-up → confirmation mail over SMTP → confirm → me → magic link → session → sign out', async (t) => {
  const smtp = await startSmtp(t);
  const { app } = await buildTestApp(t, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Chronicle <desk@chronicle.test>' } });

  const res = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: '  Reader@Example.COM ', name: 'Ada Reader', newsletters: ['daily-briefing'] } });
  t.equal(res.statusCode, 202);
  t.equal(json(res).status, 'accepted');

  const mail = await smtp.next('reader@example.com');
  t.match(mail.subject, /Confirm your subscription/);
  t.equal(mail.from?.value[0].address, 'desk@chronicle.test');
  const token = tokenIn(mail);
  t.match(mail.text, /\/account\/confirm\?token=ndm_/, 'the mail links to the account page');

  // The delivered mail's body (with its token) is not kept in the outbox.
  await app.subscriptions.mailer.idle();
  const box = json(await app.inject({ url: '/v1/admin/outbox', headers: (await adminHeaders(app)) }));
  t.equal(box.data[0].status, 'sent');
  t.equal(box.data[0].text, null);

  const confirmed = await app.inject({ method: 'POST', url: '/v1/subscribers/confirm', payload: { token } });
  t.equal(confirmed.statusCode, 200);
  const session = json(confirmed);
  t.match(session.token, /^nds_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
  t.equal(session.tokenType, 'Bearer');
  t.equal(session.subscriber.email, 'reader@example.com');
  t.equal(session.subscriber.status, 'active');
  t.equal(session.subscriber.plan.slug, 'free');

  const auth = { authorization: `Bearer ${session.token}` };
  const me = await app.inject({ url: '/v1/me', headers: auth });
  t.equal(me.statusCode, 200);
  t.match(me.headers['cache-control'], /private/);
  t.match(me.headers.vary, /Authorization/);
  const body = json(me);
  t.same(body.entitlements, { levels: ['registered'], archive: false, sections: null });
  t.same(body.meter, { limit: 3, remaining: 3, used: 0, period: '2026-01', resetsAt: '2026-02-01T00:00:00.000Z' });
  t.equal(body.subscription.status, 'active');
  t.same(body.newsletters, ['daily-briefing']);

  const patched = await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth, payload: { name: 'Ada R.', newsletters: ['weekly-review', 'breaking-news'] } });
  t.equal(patched.statusCode, 200);
  t.equal(json(patched).name, 'Ada R.');
  t.same(json(patched).newsletters, ['weekly-review', 'breaking-news']);
  const badPatch = await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth, payload: { newsletters: ['spam'] } });
  t.equal(badPatch.statusCode, 400);

  // Sign in again on another device with a magic link.
  const link = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'READER@example.com' } });
  t.equal(link.statusCode, 202);
  const signInMail = await smtp.next('reader@example.com');
  t.match(signInMail.subject, /sign-in link/);
  const second = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { token: tokenIn(signInMail) } });
  t.equal(second.statusCode, 201);
  const auth2 = { authorization: `Bearer ${json(second).token}` };
  t.equal((await app.inject({ url: '/v1/me', headers: auth2 })).statusCode, 200);

  // Sign out revokes that session only.
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: auth2 })).statusCode, 204);
  const after = await app.inject({ url: '/v1/me', headers: auth2 });
  t.equal(after.statusCode, 401);
  t.match(after.headers['content-type'], /application\/problem\+json/);
  t.equal((await app.inject({ url: '/v1/me', headers: auth })).statusCode, 200, 'the other session still works');

  // Unknown address: the same answer, and no mail.
  const unknown = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'nobody@example.com' } });
  t.equal(unknown.statusCode, 202);
  t.same(json(unknown), json(link), 'magic-link answers the same whether the address subscribes or not');
  await app.subscriptions.mailer.idle();
  t.equal(smtp.to('nobody@example.com').length, 0);
});

async function adminHeaders(app: import('fastify').FastifyInstance) {
  const { token } = await app.keys.create({ name: 'admin', scopes: ['admin'] });
  return { authorization: `Bearer ${token}` };
}

t.test('sign-up answers the same whatever the address\'s state, and never mails twice in a row', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  const first = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'twice@example.com' } });
  const again = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'twice@example.com' } });
  t.equal(first.statusCode, 202);
  t.same(json(again), json(first));
  await app.subscriptions.mailer.idle();
  let box = json(await app.inject({ url: '/v1/admin/outbox?to=twice@example.com', headers: admin }));
  t.equal(box.meta.total, 1, 'a repeated sign-up within a minute sends no second mail');
  t.equal(box.data[0].status, 'outbox', 'without SMTP the mail waits in the outbox');
  t.equal(box.data[0].kind, 'confirm');

  clock.advance(61_000);
  await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'twice@example.com' } });
  box = json(await app.inject({ url: '/v1/admin/outbox?to=twice@example.com', headers: admin }));
  t.equal(box.meta.total, 2, 'after a minute a pending address gets a fresh confirmation');

  // Confirm, then sign up again: same answer, but the mail is a sign-in link, not a second account.
  await app.inject({ method: 'POST', url: '/v1/subscribers/confirm', payload: { token: tokenIn(box.data[0]) } });
  clock.advance(61_000);
  const existing = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'Twice@Example.com' } });
  t.equal(existing.statusCode, 202);
  t.same(json(existing), json(first), 'an existing subscriber gets the very same answer');
  const mail = await outboxMail(app, admin, 'twice@example.com');
  t.equal(mail.kind, 'already_subscribed');
  const list = json(await app.inject({ url: '/v1/admin/subscribers', headers: admin }));
  t.equal(list.meta.total, 1, 'still one subscriber');
});

t.test('bad input: invalid and huge emails, unknown plans, bad tokens — clear 4xx, no partial rows', async (t) => {
  const { app, admin, clock } = await buildTestApp(t);
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/v1/subscribers', payload: payload as object });

  const invalid = await post({ email: 'not-an-address' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.headers['content-type'], /application\/problem\+json/);
  t.equal(json(invalid).errors[0].pointer, '/body/email');

  const huge = await post({ email: `${'a'.repeat(10_000)}@example.com` });
  t.equal(huge.statusCode, 422, 'a 10,000-character address is invalid like any other (422)');
  t.equal(json(huge).errors[0].pointer, '/body/email');
  t.same(json(huge), { ...json(invalid), instance: json(huge).instance }, 'the very same problem as a malformed one');
  const hugeCjk = await post({ email: `${'邮'.repeat(10_000)}@example.com` });
  t.equal(hugeCjk.statusCode, 422, 'in any script');
  t.equal((await post({ email: '' })).statusCode, 422, 'an empty address too');
  t.equal((await post({ email: 42 })).statusCode, 400, 'not a string: a malformed request, 400');
  const tooBig = await post({ email: `${'a'.repeat(70_000)}@example.com` });
  t.equal(tooBig.statusCode, 413, 'the body is still bounded');
  t.match(tooBig.headers['content-type'], /application\/problem\+json/);
  const hugeSignIn = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: `${'a'.repeat(10_000)}@example.com` } });
  t.equal(hugeSignIn.statusCode, 422, 'sign-in links alike');

  const longButUnder = await post({ email: `${'a'.repeat(300)}@example.com` });
  t.equal(longButUnder.statusCode, 422, 'longer than an address can be');

  const unknownPlan = await post({ email: 'plan@example.com', plan: 'platinum' });
  t.equal(unknownPlan.statusCode, 422);
  t.equal(json(unknownPlan).errors[0].pointer, '/body/plan');

  const extra = await post({ email: 'x@example.com', admin: true });
  t.equal(extra.statusCode, 400);
  t.equal(json(extra).errors[0].pointer, '/body/admin');

  const list = json(await app.inject({ url: '/v1/admin/subscribers', headers: admin }));
  t.equal(list.meta.total, 0, 'no subscriber rows were created');
  t.equal(json(await app.inject({ url: '/v1/admin/outbox', headers: admin })).meta.total, 0, 'no mail was queued');

  // Tokens.
  await post({ email: 'tok@example.com' });
  const token = tokenIn(await outboxMail(app, admin, 'tok@example.com'));
  const exchange = (url: string, tok: unknown) => app.inject({ method: 'POST', url, payload: { token: tok } });

  for (const [what, bad] of [
    ['truncated', token.slice(0, -5)],
    ['forged', `${token.slice(0, -4)}AAAA`],
    ['garbage', "'; DROP TABLE subscribers; --"],
    ['a session-looking token', token.replace('ndm_', 'nds_')],
  ] as const) {
    const res = await exchange('/v1/subscribers/confirm', bad);
    t.equal(res.statusCode, 400, `${what} token is a 400`);
    t.equal(json(res).errors[0].pointer, '/body/token');
  }
  const wrongPurpose = await exchange('/v1/auth/session', token);
  t.equal(wrongPurpose.statusCode, 400, 'a confirmation token does not sign in');

  const ok = await exchange('/v1/subscribers/confirm', token);
  t.equal(ok.statusCode, 200);
  const reused = await exchange('/v1/subscribers/confirm', token);
  t.equal(reused.statusCode, 400);
  t.match(json(reused).detail, /already used/);

  // Expired: sign-in token older than TOKEN_TTL_MINUTES.
  await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'tok@example.com' } });
  const signIn = tokenIn(await outboxMail(app, admin, 'tok@example.com'));
  clock.advance(31 * 60_000);
  const expired = await exchange('/v1/auth/session', signIn);
  t.equal(expired.statusCode, 400);
  t.match(json(expired).detail, /expired/);

  // A mail token is not a bearer token.
  const asBearer = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${signIn}` } });
  t.equal(asBearer.statusCode, 401);
  const noAuth = await app.inject({ url: '/v1/me' });
  t.equal(noAuth.statusCode, 401);
  const apiKey = await app.inject({ url: '/v1/me', headers: admin });
  t.equal(apiKey.statusCode, 403, 'API keys have no "me"');
});

t.test('sessions expire; cancelled and erased subscribers are signed out', async (t) => {
  const { app, admin, clock } = await buildTestApp(t, { env: { SESSION_TTL_DAYS: '7' } });
  const a = await subscriber(app, admin, 'expire@example.com');
  t.equal((await app.inject({ url: '/v1/me', headers: a.auth })).statusCode, 200);
  clock.advance(7 * 86_400_000 + 1000);
  t.equal((await app.inject({ url: '/v1/me', headers: a.auth })).statusCode, 401, 'expired session');

  const b = await subscriber(app, admin, 'cancel@example.com');
  const cancel = await app.inject({ method: 'POST', url: '/v1/me/cancel', headers: b.auth });
  t.equal(cancel.statusCode, 200);
  t.equal(json(cancel).outcome, 'membership_closed');
  t.equal(json(cancel).subscriber.status, 'cancelled');
  t.equal((await app.inject({ url: '/v1/me', headers: b.auth })).statusCode, 401, 'session of a cancelled subscriber');
  // No sign-in link for a closed membership; signing up again reopens it.
  await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'cancel@example.com' } });
  t.equal((await outboxMail(app, admin, 'cancel@example.com')).kind, 'confirm', 'no sign-in mail was sent');
  const back = await subscriber(app, admin, 'cancel@example.com');
  t.equal(back.id, b.id, 'the same subscriber comes back');
  t.equal(json(await app.inject({ url: '/v1/me', headers: back.auth })).status, 'active');

  const c = await subscriber(app, admin, 'erase@example.com');
  const other = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'erase@example.com' } });
  t.equal(other.statusCode, 202);
  const pendingToken = tokenIn(await outboxMail(app, admin, 'erase@example.com'));
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/me', headers: c.auth })).statusCode, 204);
  t.equal((await app.inject({ url: '/v1/me', headers: c.auth })).statusCode, 401, 'session of an erased subscriber');
  const late = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { token: pendingToken } });
  t.equal(late.statusCode, 400, 'tokens issued before erasure are gone');
  const view = json(await app.inject({ url: `/v1/admin/subscribers/${c.id}`, headers: admin }));
  t.equal(view.email, null);
  t.equal(view.status, 'erased');
  t.equal(json(await app.inject({ url: '/v1/admin/outbox?to=erase@example.com', headers: admin })).meta.total, 0, 'their mails are erased too');
  // The address is free to sign up again as a new subscriber.
  const fresh = await subscriber(app, admin, 'erase@example.com');
  t.not(fresh.id, c.id);
});

t.test('a flood of sign-ups from one IP is throttled with 429; per-address limits too', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { SIGNUP_LIMIT_PER_IP: '5', AUTH_LIMIT_PER_EMAIL: '2', SIGNIN_LIMIT_PER_IP: '50' } });
  const codes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: `flood${i}@example.com` }, remoteAddress: '203.0.113.9' });
    codes.push(res.statusCode);
    if (res.statusCode === 429) {
      t.match(res.headers['content-type'], /application\/problem\+json/);
      t.ok(Number(res.headers['retry-after']) > 0, 'says when to retry');
    }
  }
  t.same(codes, [202, 202, 202, 202, 202, 429, 429, 429]);
  t.equal(json(await app.inject({ url: '/v1/admin/subscribers', headers: admin })).meta.total, 5, 'no rows for refused requests');
  await app.subscriptions.mailer.idle();
  t.equal(json(await app.inject({ url: '/v1/admin/outbox', headers: admin })).meta.total, 5, 'one mail per accepted sign-up');

  const other = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'other@example.com' }, remoteAddress: '198.51.100.7' });
  t.equal(other.statusCode, 202, 'another IP is not affected');

  // Per address: magic links to one address from many IPs.
  const perEmail: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'Target@Example.com' }, remoteAddress: `192.0.2.${i + 1}` });
    perEmail.push(res.statusCode);
  }
  t.same(perEmail, [202, 202, 429], 'the address is limited whatever the IP (and however it is spelled)');
});

t.test('over-long and otherwise invalid addresses count against the per-IP and per-address limits', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { SIGNUP_LIMIT_PER_IP: '3', AUTH_LIMIT_PER_EMAIL: '2', SIGNIN_LIMIT_PER_IP: '50' } });
  const huge = (i: number) => `${String(i).repeat(10_000)}@example.com`;
  const perIp: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: huge(i) }, remoteAddress: '203.0.113.50' });
    perIp.push(res.statusCode);
  }
  t.same(perIp, [422, 422, 422, 429], 'per IP: each over-long address counts');
  const malformed = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: ['x'] }, remoteAddress: '203.0.113.50' });
  t.equal(malformed.statusCode, 429, 'a request the schema refuses is still over the limit');
  const valid = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'real@example.com' }, remoteAddress: '203.0.113.50' });
  t.equal(valid.statusCode, 429, 'and so is a valid one from that IP');

  const perEmail: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: huge(9) }, remoteAddress: `192.0.2.${i + 1}` });
    perEmail.push(res.statusCode);
  }
  t.same(perEmail, [422, 422, 429], 'per address: the same over-long address from many IPs');
  const schemaInvalid: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'x@example.com', extra: true }, remoteAddress: '198.51.100.20' });
    schemaInvalid.push(res.statusCode);
  }
  t.same(schemaInvalid, [400, 400, 429, 429], 'requests refused by the schema count too');
  t.equal(json(await app.inject({ url: '/v1/admin/subscribers', headers: admin })).meta.total, 0, 'no rows');
});

t.test('plans: public list, admin CRUD, the free plan is protected', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const list = json(await app.inject({ url: '/v1/plans' }));
  t.equal(list.data.length, 1);
  t.match(list.data[0], { slug: 'free', price: 0, interval: 'none', levels: ['registered'], metered: true, archive: false });

  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'World' } });
  const created = await app.inject({
    method: 'POST', url: '/v1/plans', headers: admin,
    payload: { name: 'Digital', price: 999, currency: 'eur', levels: ['subscribers'], archive: true, stripePriceId: 'price_digital' },
  });
  t.equal(created.statusCode, 201);
  t.match(json(created), { slug: 'digital', price: 999, currency: 'EUR', interval: 'month', levels: ['registered', 'subscribers'], archive: true });

  const badSection = await app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: { name: 'Worldly', price: 500, levels: ['subscribers'], sections: ['world', 'mars'] } });
  t.equal(badSection.statusCode, 422);
  t.equal(json(badSection).errors[0].pointer, '/body/sections/1');
  const dupPrice = await app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: { name: 'Copy', price: 999, levels: ['subscribers'], stripePriceId: 'price_digital' } });
  t.equal(dupPrice.statusCode, 409);
  const anon = await app.inject({ method: 'POST', url: '/v1/plans', payload: { name: 'X', price: 1, levels: ['subscribers'] } });
  t.equal(anon.statusCode, 401);

  const etag = (await app.inject({ url: '/v1/plans/digital' })).headers.etag as string;
  const patched = await app.inject({ method: 'PATCH', url: '/v1/plans/digital', headers: { ...admin, 'if-match': etag }, payload: { price: 1299 } });
  t.equal(patched.statusCode, 200);
  const stale = await app.inject({ method: 'PATCH', url: '/v1/plans/digital', headers: { ...admin, 'if-match': etag }, payload: { price: 1 } });
  t.equal(stale.statusCode, 412);

  t.equal((await app.inject({ method: 'DELETE', url: '/v1/plans/free', headers: admin })).statusCode, 409);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/plans/free', headers: admin, payload: { active: false } })).statusCode, 422);

  // Retired plans leave the public list but admins still see them.
  await app.inject({ method: 'PATCH', url: '/v1/plans/digital', headers: admin, payload: { active: false } });
  t.same(json(await app.inject({ url: '/v1/plans' })).data.map((p: { slug: string }) => p.slug), ['free']);
  t.equal((await app.inject({ url: '/v1/plans/digital' })).statusCode, 404);
  t.same(json(await app.inject({ url: '/v1/plans', headers: admin })).data.map((p: { slug: string }) => p.slug), ['free', 'digital']);
  const retired = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'r@example.com', plan: 'digital' } });
  t.equal(retired.statusCode, 422, 'cannot sign up for a retired plan');

  // A plan in use cannot be deleted.
  await app.inject({ method: 'PATCH', url: '/v1/plans/digital', headers: admin, payload: { active: true } });
  const { subscriber } = await import('./helpers/subscribers.js');
  const s = await subscriber(app, admin, 'p@example.com', { plan: 'digital' });
  t.equal(json(await app.inject({ url: '/v1/me', headers: s.auth })).subscription.status, 'pending_payment');
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/plans/digital', headers: admin })).statusCode, 409);
  const unused = await app.inject({ method: 'POST', url: '/v1/plans', headers: admin, payload: { name: 'Temp', price: 100, levels: ['subscribers'] } });
  t.equal(unused.statusCode, 201);
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/plans/temp', headers: admin })).statusCode, 204);

  // Paywall plans: which plans open what.
  const ext = app.accessExtensions;
  t.same((await ext.plansFor('registered', false)).map((p) => p.slug), ['free', 'digital']);
  t.same((await ext.plansFor('subscribers', false)).map((p) => p.slug), ['digital']);
  t.same((await ext.plansFor('public', true)).map((p) => p.slug), ['digital'], 'the archive needs a plan with archive access');
  t.same(await ext.plansFor('public', false), []);
});

t.test('the log says a mail is waiting, and never carries a token', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { Writable } = await import('node:stream');
  const { buildApp, loggerOptions } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { ManualClock } = await import('../src/lib/clock.js');
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-log-'));
  let log = '';
  const stream = new Writable({ write(chunk, _enc, cb) { log += chunk.toString(); cb(); } });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, SEED_SAMPLE_CONTENT: 'false', RATE_LIMIT_MAX: '0', DB_SYNCHRONOUS: 'NORMAL' });
  const app = await buildApp({ config, clock: new ManualClock(), logger: { ...loggerOptions(config), level: 'info', stream } });
  t.teardown(async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); });
  await app.ready();
  const admin = { authorization: `Bearer ${(await app.keys.create({ name: 'a', scopes: ['admin'] })).token}` };

  const s = await subscriber(app, admin, 'quiet@example.com');
  await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'quiet@example.com' } });
  const link = tokenIn(await outboxMail(app, admin, 'quiet@example.com'));
  await app.inject({ method: 'POST', url: '/v1/auth/session', payload: { token: link } });
  await app.inject({ url: '/v1/me', headers: s.auth });
  await app.inject({ url: `/v1/me?token=${link}`, headers: s.auth });
  await app.subscriptions.mailer.idle();

  t.match(log, /a mail is waiting in the outbox/);
  t.notOk(/ndm_/.test(log), 'no one-time token in the log');
  t.notOk(/nds_/.test(log), 'no session token in the log');
  t.notOk(log.includes(link.slice(4)), 'not even the token\'s secret');
});

t.test('mail links work as they are: by default they open the API\'s own link pages, which say what to POST and use nothing up', async (t) => {
  const { app, admin, config } = await buildTestApp(t);
  await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'link@example.com' } });
  const mail = await outboxMail(app, admin, 'link@example.com');
  const link = /https?:\/\/\S+\/confirm\?token=\S+/.exec(mail.text)?.[0];
  t.ok(link, 'the mail carries a link');
  t.equal(new URL(link!).origin + new URL(link!).pathname, `${config.PUBLIC_BASE_URL}/v1/account/confirm`, 'on the API itself');
  t.match(mail.html, `href="${link!.replace(/&/g, '&amp;')}"`);

  const url = new URL(link!);
  for (let i = 0; i < 2; i++) {
    const opened = await app.inject({ url: url.pathname + url.search });
    t.equal(opened.statusCode, 200, 'the link is not a 404');
    t.equal(opened.headers['cache-control'], 'private, no-store', 'never stored by a cache');
    const page = json(opened);
    t.same({ action: page.action, method: page.method, url: page.url, body: page.body }, {
      action: 'confirm',
      method: 'POST',
      url: `${config.PUBLIC_BASE_URL}/v1/subscribers/confirm`,
      body: { token: tokenIn(mail) },
    });
    t.match(page.curl, `curl -X POST ${config.PUBLIC_BASE_URL}/v1/subscribers/confirm`);
  }
  // Opening the link (twice: a mail scanner, then the reader) did not use the token up.
  const confirmed = await app.inject({ method: 'POST', url: '/v1/subscribers/confirm', payload: json(await app.inject({ url: url.pathname + url.search })).body });
  t.equal(confirmed.statusCode, 200, confirmed.body);

  await app.inject({ method: 'POST', url: '/v1/auth/magic-link', payload: { email: 'link@example.com' } });
  const signIn = await outboxMail(app, admin, 'link@example.com');
  const signInLink = new URL(/https?:\/\/\S+\/sign-in\?token=\S+/.exec(signIn.text)![0]);
  t.equal(signInLink.pathname, '/v1/account/sign-in');
  const page = json(await app.inject({ url: signInLink.pathname + signInLink.search }));
  t.same([page.action, page.url], ['sign_in', `${config.PUBLIC_BASE_URL}/v1/auth/session`]);
  const session = await app.inject({ method: 'POST', url: '/v1/auth/session', payload: page.body });
  t.equal(session.statusCode, 201, 'and the token still signs in');

  for (const bad of ['/v1/account/confirm', '/v1/account/confirm?token=nope', '/v1/account/sign-in?token=ndm_x']) {
    const res = await app.inject({ url: bad });
    t.equal(res.statusCode, 400, `${bad} is 400`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test('with ACCOUNT_URL set, mails link to the frontend\'s pages instead', async (t) => {
  const { app, admin } = await buildTestApp(t, { env: { ACCOUNT_URL: 'https://www.example.com/account/' } });
  await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'front@example.com' } });
  const mail = await outboxMail(app, admin, 'front@example.com');
  t.match(mail.text, `https://www.example.com/account/confirm?token=${tokenIn(mail)}`);
  t.match(mail.text, `curl -X POST http://localhost:3000/v1/subscribers/confirm`, 'with the API call spelled out');
});
