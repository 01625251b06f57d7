import Database from 'better-sqlite3';
import t from 'tap';
import { createContentEpoch } from '../src/db/contentEpoch.js';
import { buildTestApp } from './helpers/app.js';

/**
 * The content epochs (src/db/contentEpoch.ts) are what the rendered-article cache keys on: they
 * must move with every write to rendered content, from this process at once and from another
 * within the interval, and must not move for reader-side writes, or every metered read would
 * empty the cache. `shared` is for what any article may show, `articles` for the set of articles.
 */
t.test('the content epochs follow content writes, not reader-side writes', async (t) => {
  const h = await buildTestApp(t);
  const sqlite = h.app.db.$client;
  // A long interval, so a slow machine cannot cross it between the two reads that must agree.
  const epoch = createContentEpoch(h.app.db, 2_000);
  const start = epoch();

  sqlite.prepare("INSERT INTO sections (slug, name, description, position, created_at, updated_at) VALUES ('sport', 'Sport', '', 9, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')").run();
  const afterSection = epoch();
  t.ok(afterSection.shared > start.shared, 'a new section moves the shared epoch at once');
  t.equal(afterSection.articles, start.articles, 'and not the articles one');
  sqlite.prepare("UPDATE sections SET name = 'Sports' WHERE slug = 'sport'").run();
  t.ok(epoch().shared > afterSection.shared, 'so does an edit');

  const beforeArticle = epoch();
  sqlite
    .prepare(
      "INSERT INTO articles (slug, headline, body, created_at, updated_at) VALUES ('a', 'A', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    )
    .run();
  const afterArticle = epoch();
  t.ok(afterArticle.articles > beforeArticle.articles, 'an article write moves the articles epoch');
  t.equal(afterArticle.shared, beforeArticle.shared, 'and leaves other articles\u2019 renderings alone');

  sqlite.prepare("INSERT INTO mail_outbox (to_address, kind, subject, text_body, status, created_at) VALUES ('a@example.com', 'signin', 's', 't', 'stored', '2026-01-01T00:00:00.000Z')").run();
  t.same(epoch(), afterArticle, 'a reader-side write (mail, metered reads, sessions) moves neither');
  t.equal(epoch(), epoch(), 'the same object while nothing moves');

  await new Promise((r) => setTimeout(r, 2_050));
  const before = epoch(); // looks at other connections now, then not again for 2 s
  const other = new Database(h.config.databasePath);
  other.prepare("DELETE FROM sections WHERE slug = 'sport'").run();
  other.close();
  t.same(epoch(), before, "another process's write is not looked for on every read");
  await new Promise((r) => setTimeout(r, 2_050));
  t.ok(epoch().shared > before.shared, 'it shows once the interval has passed');
});
