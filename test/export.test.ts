import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { EXPORTED, NOT_EXPORTED, schemaTables } from '../src/backup/exportFormat.js';
import { loadConfig } from '../src/config.js';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { subscriber } from './helpers/subscribers.js';

/** `npm run export` and `npm run import -- newsdesk` as an operator runs them, and what they refuse. */
const ROOT = join(import.meta.dirname, '..');
const ENV = { WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', ...ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const exportTo = (h: TestApp, dir: string) => run(['src/cli/export.ts', dir], { DATABASE_PATH: h.config.databasePath, MEDIA_DIR: h.config.mediaDir });
const importInto = (dataDir: string, dir: string, ...flags: string[]) => run(['src/cli/import.ts', 'newsdesk', dir, ...flags], { DATA_DIR: dataDir });

function tempDir(t: { teardown(fn: () => unknown): void }, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const records = (dir: string, kind: string) => JSON.parse(readFileSync(join(dir, `${kind}.json`), 'utf8')).records as Record<string, unknown>[];

/** A publication with something in every exported kind: the sample stories and their photos, plus readers, partners and hooks. */
async function publication(t: Test) {
  const h = await buildTestApp(t, { env: ENV });
  await seedSampleContent(h.app);
  await subscriber(h.app, h.admin, 'reader@example.com', { name: 'Rea Der', newsletters: ['daily-briefing'] });
  const partner = await h.app.keys.create({ name: 'Wire partner', scopes: ['syndication'], licence: { sections: null, fullText: true, usageTerms: 'Credit the Chronicle', rateLimit: null } });
  const hook = await h.app.inject({ method: 'POST', url: '/v1/admin/webhooks', headers: h.admin, payload: { url: 'http://127.0.0.1:9/hook', events: ['article.published'] } });
  t.equal(hook.statusCode, 201, hook.body);
  const slug = (await h.app.inject({ url: '/v1/articles?limit=1' })).json().data[0].slug as string;
  const renamed = await h.app.inject({ method: 'PATCH', url: `/v1/articles/${slug}`, headers: h.admin, payload: { slug: `${slug}-renamed`, standfirst: 'A second revision.' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  return { h, partner, webhookSecret: json(hook).secret as string, renamedFrom: slug };
}

t.test('every table is exported or left out for a stated reason', async (t) => {
  const exported = EXPORTED.map((e) => (e.table as unknown as { [k: symbol]: string })[Symbol.for('drizzle:Name')]);
  const classified = [...exported, ...Object.keys(NOT_EXPORTED)].sort();
  t.same(classified, schemaTables(), 'a new table must be added to EXPORTED or NOT_EXPORTED in src/backup/exportFormat.ts');
  t.equal(new Set(classified).size, classified.length, 'and to only one of them');
});

t.test('export, then import into an empty database: the same publication, and no secrets on the way', async (t) => {
  const { h, partner, webhookSecret, renamedFrom } = await publication(t);
  const work = tempDir(t, 'newsdesk-export-');
  const out = await exportTo(h, join(work, 'export'));
  t.equal(out.code, 0, out.stderr);
  t.match(out.stdout, /Exported [\s\S]* articles \d+/);

  const everything = readdirSync(join(work, 'export')).filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(work, 'export', f), 'utf8')).join('\n');
  t.notOk(everything.includes(h.adminKey.split('_').pop()!), 'no API key secret');
  t.notOk(everything.includes(partner.token.split('_').pop()!), "no partner key's secret");
  t.notOk(everything.includes(webhookSecret), 'no webhook secret');
  t.notMatch(everything, /secretHash|secret_hash/, 'no secret hashes');
  t.same(Object.keys(records(join(work, 'export'), 'api_keys')[0]).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes'], 'key names and scopes');
  t.match(records(join(work, 'export'), 'subscribers'), [{ email: 'reader@example.com', name: 'Rea Der', status: 'active' }]);
  t.ok(records(join(work, 'export'), 'article_revisions').length > records(join(work, 'export'), 'articles').length, 'revisions included');

  const target = tempDir(t, 'newsdesk-imported-');
  const dry = await importInto(target, join(work, 'export'), '--dry-run');
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /Dry run: nothing was written[\s\S]*articles\s+\d+ would be created/);
  const imported = await importInto(target, join(work, 'export'));
  t.equal(imported.code, 0, imported.stderr + imported.stdout);
  t.match(imported.stdout, /api-keys-need-rotate[\s\S]*webhooks-paused/, 'the summary says what needs doing');

  // Export what was imported: the same records, but for the webhook endpoints, which come back paused.
  const again = await run(['src/cli/export.ts', join(work, 'again')], { DATA_DIR: target });
  t.equal(again.code, 0, again.stderr);
  for (const { kind } of EXPORTED) {
    const first = records(join(work, 'export'), kind);
    const second = records(join(work, 'again'), kind);
    if (kind === 'webhook_endpoints') t.same(second, first.map((e) => ({ ...e, active: false })), 'webhook endpoints: the same, paused');
    else t.same(second, first, `${kind}: ${first.length} records, identical`);
  }
  const media = (dir: string) => JSON.parse(readFileSync(join(dir, 'newsdesk-export.json'), 'utf8')).media;
  t.same(media(join(work, 'again')), media(join(work, 'export')), 'the same photo originals, byte for byte');
  t.ok(media(join(work, 'export')).length > 0);

  // And it serves the same: every story a reader sees, search, photos, old slugs, the partner's licence.
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: target, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', RATE_LIMIT_MAX: '0', ...ENV });
  const moved = await buildApp({ config, clock: h.clock, logger: false });
  t.teardown(() => moved.close());
  const list = (app: typeof moved) => app.inject({ url: '/v1/articles?limit=100&format=html' }).then((r) => r.json());
  t.same(await list(moved), await list(h.app), 'the article list is the same');
  const slug = `${renamedFrom}-renamed`;
  t.same((await moved.inject({ url: `/v1/articles/${slug}` })).json(), (await h.app.inject({ url: `/v1/articles/${slug}` })).json(), 'a story reads the same');
  t.equal((await moved.inject({ url: `/v1/articles/${renamedFrom}` })).statusCode, 301, 'its old slug still redirects');
  const query = '/v1/search?q=harbour';
  t.same((await moved.inject({ url: query })).json(), (await h.app.inject({ url: query })).json(), 'search answers the same (the index was rebuilt)');
  const renditionUrl = new URL((await h.app.inject({ url: '/v1/articles?limit=1&include=photos' })).json().data[0].photos[0].renditions[0].url);
  const rendition = renditionUrl.pathname + renditionUrl.search;
  const served = await moved.inject({ url: rendition });
  t.equal(served.statusCode, 200, `photos are served from the imported originals (${rendition}: ${served.statusCode} ${served.statusCode === 200 ? '' : served.body})`);

  t.equal((await moved.inject({ url: '/v1/admin/webhooks', headers: { authorization: `Bearer ${partner.token}` } })).statusCode, 401, 'an old token does not work');
  const rotated = await run(['src/cli/keys.ts', 'rotate', partner.key.id], { DATA_DIR: target });
  t.equal(rotated.code, 0, rotated.stderr);
  const token = /\n(ndk_\S+)/.exec(rotated.stdout)![1];
  const feed = await moved.inject({ url: `/v1/syndication/ninjs/articles/${slug}`, headers: { authorization: `Bearer ${token}` } });
  t.equal(feed.statusCode, 200, 'the rotated key reads with its licence');
  t.same(feed.json(), (await h.app.inject({ url: `/v1/syndication/ninjs/articles/${slug}`, headers: { authorization: `Bearer ${partner.token}` } })).json(), 'the same full text as before the move');
});

t.test('an export is read into an empty database, whole and checked, or not at all', async (t) => {
  const { h } = await publication(t);
  const work = tempDir(t, 'newsdesk-export-refusals-');
  const dir = join(work, 'export');
  t.equal((await exportTo(h, dir)).code, 0);
  const target = tempDir(t, 'newsdesk-import-refusals-');
  const articlesIn = () => {
    const path = join(target, 'newsdesk.db');
    if (!existsSync(path)) return 0;
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  // Change a record and the manifest to match, so the record itself is what is judged.
  const manifestPath = join(dir, 'newsdesk-export.json');
  const pristine = readFileSync(manifestPath, 'utf8');
  const tamper = (kind: string, change: (records: Record<string, unknown>[]) => void) => {
    const path = join(dir, `${kind}.json`);
    const before = readFileSync(path);
    const doc = JSON.parse(before.toString('utf8'));
    change(doc.records);
    const bytes = Buffer.from(JSON.stringify(doc));
    writeFileSync(path, bytes);
    const manifest = JSON.parse(pristine);
    Object.assign(manifest.files.find((f: { path: string }) => f.path === `${kind}.json`), { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    writeFileSync(manifestPath, JSON.stringify(manifest));
    return () => {
      writeFileSync(path, before);
      writeFileSync(manifestPath, pristine);
    };
  };
  const refused = async (what: string, pattern: RegExp) => {
    const res = await importInto(target, dir);
    t.equal(res.code, 65, `${what}: refused`);
    t.match(res.stderr, pattern, what);
    t.equal(articlesIn(), 0, `${what}: nothing imported`);
  };

  let undo = tamper('articles', (r) => (r[0].headline = 42));
  await refused('a mistyped field', /articles\.json, record 1: headline/);
  undo();
  undo = tamper('articles', (r) => (r[1].secretHash = 'x'));
  await refused('an unknown field', /articles\.json, record 2: .*[Uu]nrecognized/);
  undo();
  undo = tamper('articles', (r) => (r[0].sectionId = 9999));
  await refused('a reference to nothing', /does not hold together/);
  undo();
  writeFileSync(join(dir, 'tags.json'), '{"kind":"tags","records":[]}');
  await refused('a file changed after the export', /tags\.json does not match the manifest/);
  writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(pristine), media: [{ path: '../../../etc/passwd', bytes: 1, sha256: '0'.repeat(64) }] }));
  await refused('a media path outside the export', /outside media\/originals|not a Newsdesk export manifest/);
  rmSync(manifestPath);
  await refused('no manifest', /holds no newsdesk-export\.json/);

  writeFileSync(manifestPath, pristine);
  const nonEmpty = await run(['src/cli/import.ts', 'newsdesk', dir], { DATABASE_PATH: h.config.databasePath, MEDIA_DIR: h.config.mediaDir });
  t.equal(nonEmpty.code, 65);
  t.match(nonEmpty.stderr, /the database is not empty \(\d+ sections.*\): a Newsdesk export is imported into an empty database/, 'a publication is never imported over');
});
