import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeWxr } from '../bench/generateWxr.js';

/** A real `npm run import` process, killed with SIGKILL half way, then run again. */
const ROOT = join(import.meta.dirname, '..');
// One process (node with tsx's loader), not the tsx wrapper: SIGKILL must hit the importer itself.
const NODE = process.execPath;
const CLI = ['--import', 'tsx', 'src/cli/import.ts'];

t.test('an import killed with kill -9 resumes: every post once, none half-imported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-resume-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wp.xml');
  const posts = 150;
  await writeWxr(file, posts);
  const env = { ...process.env, DATA_DIR: join(dir, 'data'), SEED_SAMPLE_CONTENT: 'false', LOG_LEVEL: 'silent', DB_SYNCHRONOUS: 'NORMAL' };
  const dbPath = join(dir, 'data', 'newsdesk.db');

  const child = spawn(NODE, [...CLI, 'wordpress', file], { cwd: ROOT, env, stdio: 'ignore' });
  const count = () => {
    if (!existsSync(dbPath)) return 0;
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'articles'").get() as { n: number }).n
        ? (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n
        : 0;
    } finally {
      db.close();
    }
  };
  const deadline = Date.now() + 120_000;
  while (count() < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const killedAt = count();
  t.ok(killedAt >= 20 && killedAt < posts, `killed half way (${killedAt} of ${posts} imported)`);

  const again = spawnSync(NODE, [...CLI, 'wordpress', file], { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
  t.equal(again.status, 0, again.stderr);
  t.match(again.stderr, /Resuming the interrupted import/, again.stdout);
  // What was recorded is unchanged; the rest is created, including an article whose create
  // committed just before the kill and whose bookkeeping did not (recognised and adopted, not duplicated).
  const m = /article\s+(\d+) created, (\d+) unchanged/.exec(again.stdout);
  t.ok(m && Number(m[1]) + Number(m[2]) === posts && Number(m[2]) >= killedAt - 1, again.stdout);

  const db = new Database(dbPath, { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT slug, body FROM articles ORDER BY id').all() as { slug: string; body: string }[];
  t.equal(rows.length, posts, 'every post exactly once');
  t.equal(new Set(rows.map((r) => r.slug)).size, posts);
  t.ok(rows.every((r) => /^wire-story-\d+$/.test(r.slug)), 'no "-2" copies');
  const whole = rows.filter((r) => JSON.parse(r.body).filter((b: { type: string }) => b.type === 'paragraph').length === 5);
  t.equal(whole.length, posts, 'every article has its whole body (each was one atomic write)');
  const runs = db.prepare('SELECT finished_at FROM import_runs').all() as { finished_at: string | null }[];
  t.ok(runs.length === 2 && runs.every((r) => r.finished_at), 'both runs are closed');
});
