import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { closeDatabase, openDatabase } from '../src/db/client.js';
import { migrationsFolder, runMigrations } from '../src/db/migrate.js';
import { buildTestApp, json } from './helpers/app.js';
import { subscriber } from './helpers/subscribers.js';

t.test('the hard-coded list becomes newsletters: each subscriber keeps what they had chosen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-nl-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The migrations as they were before newsletters became a resource.
  const before = join(dir, 'migrations');
  cpSync(migrationsFolder, before, { recursive: true });
  const journalPath = join(before, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith('_newsletters'));
  t.ok(at > 0, 'the newsletters migration is in the journal');
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  const db = openDatabase(join(dir, 'db.sqlite'));
  migrate(db, { migrationsFolder: before });
  const insert = db.$client.prepare("INSERT INTO subscribers (email, newsletters, status, created_at, updated_at) VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')");
  insert.run('both@example.com', '["daily-briefing","breaking-news"]', 'active');
  insert.run('none@example.com', '[]', 'active');
  insert.run('weekly@example.com', '["weekly-review","not-a-letter"]', 'pending');

  runMigrations(db);
  const rows = db.$client
    .prepare('SELECT s.email, n.slug FROM newsletter_subscriptions ns JOIN subscribers s ON s.id = ns.subscriber_id JOIN newsletters n ON n.id = ns.newsletter_id ORDER BY s.email, n.position')
    .all();
  t.same(rows, [
    { email: 'both@example.com', slug: 'daily-briefing' },
    { email: 'both@example.com', slug: 'breaking-news' },
    { email: 'weekly@example.com', slug: 'weekly-review' },
  ]);
  const columns = (db.$client.prepare('PRAGMA table_info(subscribers)').all() as { name: string }[]).map((c) => c.name);
  t.notOk(columns.includes('newsletters'), 'the old column is gone');
  closeDatabase(db);
});

t.test('admins create, edit and archive newsletters; readers list the active ones', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { slug: 'world', name: 'World' } });

  const listed = await app.inject({ url: '/v1/newsletters' });
  t.equal(listed.statusCode, 200);
  t.match(listed.headers['cache-control'], /public/);
  t.same(json(listed).data.map((n: { slug: string }) => n.slug), ['daily-briefing', 'weekly-review', 'breaking-news'], 'the three of the old list');

  const created = await app.inject({
    method: 'POST', url: '/v1/newsletters', headers: admin,
    payload: { name: 'Europe Tonight', description: 'The evening round-up.', senderName: 'Europe desk', senderEmail: ' Europe@Chronicle.test ', replyTo: 'letters@chronicle.test', sections: ['world'], audience: 'paid', subscribeOnSignup: true },
  });
  t.equal(created.statusCode, 201);
  const nl = json(created);
  t.equal(nl.slug, 'europe-tonight', 'slug made from the name');
  t.equal(nl.senderEmail, 'europe@chronicle.test', 'address normalised');
  t.equal(nl.audience, 'paid');
  t.equal(nl.subscriberCount, 0);
  t.equal(created.headers.location, '/v1/admin/newsletters/europe-tonight');

  for (const [payload, status, what] of [
    [{ name: 'Bad sender', senderEmail: 'not an address' }, 422, 'a sender that is not an address'],
    [{ name: 'Bad reply', replyTo: 'x@' }, 422, 'a reply-to that is not an address'],
    [{ name: 'No such section', sections: ['nowhere'] }, 422, 'an unknown section'],
    [{ name: 'Europe Tonight' }, 409, 'a taken slug'],
    [{ name: 'Unknown field', colour: 'red' }, 400, 'an unknown field'],
    [{ name: 'Bad audience', audience: 'everyone' }, 400, 'an unknown audience'],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/newsletters', headers: admin, payload });
    t.equal(res.statusCode, status, what);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
  t.equal(json(await app.inject({ url: '/v1/admin/newsletters', headers: admin })).data.length, 4, 'refusals created nothing');

  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters', payload: { name: 'Anon' } })).statusCode, 401);
  const reader = await subscriber(app, admin, 'reader@example.com');
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters', headers: reader.auth, payload: { name: 'Mine' } })).statusCode, 403);
  t.equal((await app.inject({ url: '/v1/admin/newsletters', headers: reader.auth })).statusCode, 403);

  const stale = await app.inject({ method: 'PATCH', url: '/v1/newsletters/europe-tonight', headers: { ...admin, 'if-match': '"v9"' }, payload: { name: 'Renamed' } });
  t.equal(stale.statusCode, 412);
  const edited = await app.inject({ method: 'PATCH', url: '/v1/newsletters/europe-tonight', headers: { ...admin, 'if-match': '"v1"' }, payload: { name: 'Europe at Night', senderEmail: null } });
  t.equal(edited.statusCode, 200);
  t.equal(json(edited).name, 'Europe at Night');
  t.equal(json(edited).senderEmail, null, 'back to MAIL_FROM');
  t.equal(json(edited).version, 2);
  const badEdit = await app.inject({ method: 'PATCH', url: '/v1/newsletters/europe-tonight', headers: admin, payload: { senderEmail: '@@' } });
  t.equal(badEdit.statusCode, 422);
  t.equal(json(await app.inject({ url: '/v1/admin/newsletters/europe-tonight', headers: admin })).senderEmail, null, 'a refused edit changes nothing');
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/newsletters/nope', headers: admin, payload: { name: 'x' } })).statusCode, 404);

  const archived = await app.inject({ method: 'POST', url: '/v1/newsletters/weekly-review/archive', headers: admin });
  t.equal(archived.statusCode, 200);
  t.equal(json(archived).status, 'archived');
  t.ok(json(archived).archivedAt);
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/weekly-review/archive', headers: admin })).statusCode, 409, 'archived once');
  t.same(json(await app.inject({ url: '/v1/newsletters' })).data.map((n: { slug: string }) => n.slug), ['daily-briefing', 'breaking-news', 'europe-tonight']);
  t.equal((await app.inject({ url: '/v1/newsletters/weekly-review' })).statusCode, 404, 'not shown to readers');
  t.same(json(await app.inject({ url: '/v1/admin/newsletters?status=archived', headers: admin })).data.map((n: { slug: string }) => n.slug), ['weekly-review']);
  t.equal((await app.inject({ method: 'POST', url: '/v1/newsletters/weekly-review/unarchive', headers: admin })).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/newsletters/weekly-review' })).statusCode, 200);
});

t.test('subscribers choose newsletters by slug at sign-up and in /v1/me; an unknown one is a 400 that changes nothing', async (t) => {
  const { app, admin } = await buildTestApp(t);

  const unknown = await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'typo@example.com', newsletters: ['daily-briefing', 'daily-brefing'] } });
  t.equal(unknown.statusCode, 400);
  t.match(unknown.headers['content-type'], /application\/problem\+json/);
  t.match(json(unknown).detail, /daily-brefing/);
  t.same(json(unknown).errors[0].pointer, '/body/newsletters');
  const box = json(await app.inject({ url: '/v1/admin/outbox?to=typo%40example.com', headers: admin }));
  t.same(box.data, [], 'no mail sent');
  t.equal(json(await app.inject({ url: '/v1/admin/subscribers', headers: admin })).meta.total, 0, 'no subscriber created');

  const chosen = await subscriber(app, admin, 'chooser@example.com', { newsletters: ['breaking-news', 'daily-briefing', 'daily-briefing'] });
  t.same(json(await app.inject({ url: '/v1/me', headers: chosen.auth })).newsletters, ['daily-briefing', 'breaking-news']);

  // Defaults for sign-ups that choose none.
  await app.inject({ method: 'POST', url: '/v1/newsletters', headers: admin, payload: { slug: 'morning', name: 'Morning', subscribeOnSignup: true } });
  const defaulted = await subscriber(app, admin, 'default@example.com');
  t.same(json(await app.inject({ url: '/v1/me', headers: defaulted.auth })).newsletters, ['morning'], 'the sign-up default');
  const none = await subscriber(app, admin, 'none@example.com', { newsletters: [] });
  t.same(json(await app.inject({ url: '/v1/me', headers: none.auth })).newsletters, [], 'an empty choice is none');

  const bad = await app.inject({ method: 'PATCH', url: '/v1/me', headers: chosen.auth, payload: { name: 'New name', newsletters: ['weekly-review', 'spam'] } });
  t.equal(bad.statusCode, 400);
  const after = json(await app.inject({ url: '/v1/me', headers: chosen.auth }));
  t.same(after.newsletters, ['daily-briefing', 'breaking-news'], 'choices unchanged');
  t.equal(after.name, null, 'and the name too: nothing of the request was written');

  const ok = await app.inject({ method: 'PATCH', url: '/v1/me', headers: chosen.auth, payload: { newsletters: ['weekly-review'] } });
  t.equal(ok.statusCode, 200);
  t.same(json(ok).newsletters, ['weekly-review']);

  // An archived newsletter cannot be chosen; the choices of it come back when it is un-archived.
  await app.inject({ method: 'POST', url: '/v1/newsletters/weekly-review/archive', headers: admin });
  t.same(json(await app.inject({ url: '/v1/me', headers: chosen.auth })).newsletters, []);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/me', headers: chosen.auth, payload: { newsletters: ['weekly-review'] } })).statusCode, 400);
  await app.inject({ method: 'POST', url: '/v1/newsletters/weekly-review/unarchive', headers: admin });
  t.same(json(await app.inject({ url: '/v1/me', headers: chosen.auth })).newsletters, ['weekly-review']);

  const adminView = json(await app.inject({ url: `/v1/admin/subscribers/${chosen.id}`, headers: admin }));
  t.same(adminView.newsletters, ['weekly-review'], 'admins see the same');
  t.equal(json(await app.inject({ url: '/v1/admin/newsletters/weekly-review', headers: admin })).subscriberCount, 1);

  // Erasure removes the choices with the rest.
  await app.inject({ method: 'DELETE', url: '/v1/me', headers: chosen.auth });
  t.equal(json(await app.inject({ url: '/v1/admin/newsletters/weekly-review', headers: admin })).subscriberCount, 0);
});
