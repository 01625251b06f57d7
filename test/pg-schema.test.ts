import t from 'tap';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { eq } from 'drizzle-orm';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import * as sqliteSchema from '../src/db/schema/index.js';
import * as pgSchema from '../src/db/pg/schema.js';
import { runPgMigrations } from '../src/db/pg/migrate.js';
import { openPgPool, waitForPostgres } from '../src/db/pg/connect.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestPostgres } from './helpers/postgres.js';

// PostgreSQL, first step: its schema is mapped from the one table description, its migrations
// apply once however many nodes start together, and a query written against the description runs
// on it unchanged. (The data layer itself still runs on SQLite only.)

t.test('DATABASE_URL: a PostgreSQL URL is checked and selects PostgreSQL; anything else keeps SQLite', async (t) => {
  t.equal(loadConfig({ DATABASE_URL: 'postgres://nd:pw@db.internal:5432/newsdesk' }).postgresUrl, 'postgres://nd:pw@db.internal:5432/newsdesk');
  t.equal(loadConfig({ DATABASE_URL: 'postgresql://db/newsdesk' }).postgresUrl, 'postgresql://db/newsdesk');
  t.equal(loadConfig({}).postgresUrl, undefined, 'nothing set: SQLite');
  t.equal(loadConfig({ DATABASE_URL: 'file:./data/newsdesk.db' }).postgresUrl, undefined, 'another scheme: SQLite at DATABASE_PATH');
  for (const bad of ['postgres://', 'postgres://db.internal:5432', 'postgres://db.internal:notaport/newsdesk']) {
    const problems = (() => {
      try {
        loadConfig({ DATABASE_URL: bad });
        return [];
      } catch (err) {
        return err instanceof ConfigError ? err.problems : [];
      }
    })();
    t.ok(problems.some((p) => p.startsWith('DATABASE_URL:')), `${bad}: refused, naming DATABASE_URL`);
  }
  t.throws(() => loadConfig({ DATABASE_POOL_SIZE: '0' }), ConfigError);
});

t.test('every SQLite table has a PostgreSQL twin with the same columns, keys and indexes', async (t) => {
  const sqliteTables = Object.entries(sqliteSchema).filter(([, v]) => v instanceof SQLiteTable) as [string, SQLiteTable][];
  for (const [name, table] of sqliteTables) {
    const twin = (pgSchema as Record<string, unknown>)[name];
    if (!(twin instanceof PgTable)) {
      t.fail(`${name} has no line in src/db/pg/schema.ts`);
      continue;
    }
    const s = sqliteConfig(table);
    const p = pgConfig(twin);
    t.equal(p.name, s.name);
    t.same(p.columns.map((c) => [c.name, c.notNull, c.primary]), s.columns.map((c) => [c.name, c.notNull, c.primary]), `${s.name}: columns`);
    t.same(p.indexes.map((i) => i.config.name).sort(), s.indexes.map((i) => i.config.name).sort(), `${s.name}: indexes`);
    t.equal(p.foreignKeys.length, s.foreignKeys.length, `${s.name}: foreign keys`);
    t.equal(p.primaryKeys.length, s.primaryKeys.length, `${s.name}: composite keys`);
  }
});

t.test('on a real PostgreSQL', async (t) => {
  const server = await startTestPostgres();
  if (!server) {
    t.comment('skipped: no PostgreSQL server installed (apt-get install postgresql; CI sets REQUIRE_POSTGRES)');
    return;
  }
  t.teardown(() => server.stop());
  server.createDatabase('newsdesk');
  const pools = [1, 2].map(() => openPgPool({ url: server.url('newsdesk'), poolSize: 2, statementTimeoutMs: 10_000 }));
  t.teardown(() => Promise.all(pools.map((p) => p.end())));

  await t.test('two nodes starting together migrate once', async (t) => {
    await Promise.all(pools.map((pool) => runPgMigrations(pool)));
    const applied = await pools[0].query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    t.equal(applied.rows[0].n, 2, 'each migration recorded once');
    await runPgMigrations(pools[1]);
    t.equal((await pools[0].query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n, 2, 'a restart applies nothing');
    const tables = await pools[0].query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    const described = Object.values(sqliteSchema).filter((v) => v instanceof SQLiteTable).length;
    t.equal(tables.rows[0].n, described + 1, 'every described table, and the content epochs');
  });

  await t.test('a query written against the table description runs on PostgreSQL unchanged', async (t) => {
    const db = drizzle(pools[0]);
    const { sections, articles, articleRevisions } = sqliteSchema;
    const now = new Date().toISOString();
    // drizzle renders the query from the SQLite description's columns: same names, same stored values.
    const [section] = await db.insert(sections as never).values({ slug: 'world', name: 'World', createdAt: now, updatedAt: now } as never).returning() as { id: number }[];
    const [article] = await db
      .insert(articles as never)
      .values({ slug: 'a', headline: 'A', body: [{ type: 'paragraph', text: 'Zürich' }], sources: ['AP'], sectionId: section.id, createdAt: now, updatedAt: now } as never)
      .returning() as { id: number; body: unknown; sources: unknown; access: string; version: number }[];
    t.same(article.body, [{ type: 'paragraph', text: 'Zürich' }], 'a JSON column comes back as it went in');
    t.same(article.sources, ['AP']);
    t.equal(article.access, 'public', 'defaults as on SQLite');
    await db.insert(articleRevisions as never).values({ articleId: article.id, version: 1, action: 'create', changedFields: ['headline'], snapshot: { headline: 'A' }, actor: 'test', createdAt: now } as never);
    const rows = await db.select().from(articleRevisions as never).where(eq(articleRevisions.articleId, article.id)) as { snapshot: unknown }[];
    t.same(rows[0].snapshot, { headline: 'A' });
    const epochs = await pools[0].query(`SELECT scope, n FROM content_epoch ORDER BY scope`);
    t.ok(epochs.rows.every((r: { n: number }) => r.n > 0), 'the writes moved both content epochs');
    const taken = await db.insert(sections as never).values({ slug: 'world', name: 'Again', createdAt: now, updatedAt: now } as never).then(
      () => undefined,
      (err: { cause?: { code?: string } }) => err.cause?.code,
    );
    t.equal(taken, '23505', 'the unique slug holds on PostgreSQL too (unique_violation)');
  });

  await t.test('a NOTIFY tells other nodes when the content epochs move, at commit', async (t) => {
    const listener = new pg.Client({ connectionString: server.url('newsdesk') });
    await listener.connect();
    t.teardown(() => listener.end());
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('LISTEN content_epoch');
    const client = await pools[1].connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE tags SET name = name`);
      await client.query('ROLLBACK');
      await client.query(`INSERT INTO tags (slug, name, created_at, updated_at) VALUES ('t', 'T', 'x', 'x')`);
    } finally {
      client.release();
    }
    const deadline = Date.now() + 5000;
    while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.same(heard, ['shared'], 'one notification, for the committed write only');
  });
});

t.test('waiting for an unreachable PostgreSQL gives up after its time, saying so', async (t) => {
  const pool = openPgPool({ url: 'postgres://postgres@127.0.0.1:1/none', poolSize: 1, statementTimeoutMs: 0 });
  t.teardown(() => pool.end());
  const logged: string[] = [];
  await t.rejects(waitForPostgres(pool, 1, (m) => logged.push(m)), /did not answer within 1 s/);
  t.ok(logged.length >= 1, 'each failed attempt is logged');
});
