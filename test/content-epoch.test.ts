import Database from 'better-sqlite3';
import t from 'tap';
import { createContentEpoch } from '../src/db/contentEpoch.js';
import { buildTestApp } from './helpers/app.js';

/**
 * The content epoch (src/db/contentEpoch.ts) is what the rendered-article cache keys on: it must
 * move with every write to rendered content, from this process at once and from another within
 * the interval, and must not move for reader-side writes, or every metered read would empty the cache.
 */
t.test('the content epoch follows content writes, not reader-side writes', async (t) => {
  const h = await buildTestApp(t);
  const sqlite = h.app.db.$client;
  const epoch = createContentEpoch(h.app.db, 200);
  const start = epoch();

  sqlite.prepare("INSERT INTO sections (slug, name, description, position, created_at, updated_at) VALUES ('sport', 'Sport', '', 9, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run();
  const afterInsert = epoch();
  t.ok(afterInsert > start, 'a new section moves it at once');
  sqlite.prepare("UPDATE sections SET name = 'Sports' WHERE slug = 'sport'").run();
  t.ok(epoch() > afterInsert, 'so does an edit');

  const beforeMail = epoch();
  sqlite.prepare("INSERT INTO mail_outbox (to_address, kind, subject, text_body, status, created_at) VALUES ('a@example.com', 'signin', 's', 't', 'stored', '2026-01-01T00:00:00.000Z')").run();
  t.equal(epoch(), beforeMail, 'a reader-side write (mail, metered reads, sessions) leaves it');

  await new Promise((r) => setTimeout(r, 250));
  const before = epoch(); // looks at other connections now, then not again for 200 ms
  const other = new Database(h.config.databasePath);
  other.prepare("DELETE FROM sections WHERE slug = 'sport'").run();
  other.close();
  t.equal(epoch(), before, "another process's write is not looked for on every read");
  await new Promise((r) => setTimeout(r, 250));
  t.ok(epoch() > before, 'it shows once the interval has passed');
});
