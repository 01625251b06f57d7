import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildTestApp, json, type TestApp } from './helpers/app.js';
import { publish, seedTaxonomy } from './helpers/articles.js';
import { agencyJpeg, multipart } from './helpers/photos.js';

/**
 * `npm run backup` and `npm run restore` as an operator runs them: real processes against the data
 * directory of a running app that keeps writing during the backup.
 */
const ROOT = join(import.meta.dirname, '..');

function run(script: 'backup' | 'restore', dir: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, dir], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const dataEnv = (h: TestApp) => ({ DATABASE_PATH: h.config.databasePath, MEDIA_DIR: h.config.mediaDir });

async function uploadPhoto(h: TestApp, caption: string) {
  const body = multipart([{ name: 'file', filename: 'p.jpg', contentType: 'image/jpeg', data: await agencyJpeg({ caption, credit: 'AGENCY' }, [900, 600]) }]);
  const res = await h.app.inject({ method: 'POST', url: '/v1/photos', headers: { ...h.admin, ...body.headers }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res) as { id: number };
}

function tempDir(t: { teardown(fn: () => unknown): void }, prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a backup taken while the app writes restores to a working publication, as it was at one instant', async (t) => {
  const h = await buildTestApp(t);
  await seedTaxonomy(h.app, h.admin);
  const photo = await uploadPhoto(h, 'Harbour wall at dawn');
  const before = await publish(h.app, h.admin, { slug: 'before-the-backup', headline: 'Before the backup', featuredPhotoId: photo.id, bodyMarkdown: 'The harbour wall **held**.' });

  // Writes keep coming while the backup process runs: new stories and edits of an old one.
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      await publish(h.app, h.admin, { slug: `during-${written}`, headline: `Written during the backup ${written}`, bodyMarkdown: `Story ${written}.` });
      await h.app.inject({ method: 'PATCH', url: '/v1/articles/before-the-backup', headers: h.admin, payload: { standfirst: `Edit ${written}` } });
      written++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const backupDir = join(tempDir(t, 'newsdesk-backup-'), 'backup');
  const backup = await run('backup', backupDir, dataEnv(h));
  const writtenDuring = written;
  writing = false;
  await writer;
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /photo originals: 1/);
  t.ok(writtenDuring > 0, `the app kept writing during the backup (${writtenDuring} stories)`);
  const manifest = JSON.parse(readFileSync(join(backupDir, 'backup.json'), 'utf8'));
  t.equal(manifest.media.length, 1, 'the photo original is in the manifest');
  t.same(manifest.missingMedia, []);

  // Restore into an empty data directory, and serve from it.
  const restoredDir = tempDir(t, 'newsdesk-restored-');
  const restore = await run('restore', backupDir, { DATA_DIR: restoredDir });
  t.equal(restore.code, 0, restore.stderr);
  t.match(restore.stdout, /Restored the backup/);

  const restoredDb = new Database(join(restoredDir, 'newsdesk.db'), { readonly: true });
  const restoredCount = (restoredDb.prepare("SELECT count(*) AS n FROM articles WHERE slug LIKE 'during-%'").get() as { n: number }).n;
  const edit = (restoredDb.prepare("SELECT standfirst FROM articles WHERE slug = 'before-the-backup'").get() as { standfirst: string | null }).standfirst;
  restoredDb.close();
  t.ok(restoredCount <= written, `the restored database holds ${restoredCount} of the ${written} stories written meanwhile`);
  // One instant: the story edited after story N was written shows edit N-1 (or none), never a later one.
  t.ok(edit === null || edit === `Edit ${restoredCount - 1}` || edit === `Edit ${restoredCount - 2}`, `the edit matches the instant (${edit}, ${restoredCount} stories)`);

  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: restoredDir, LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false', RATE_LIMIT_MAX: '0' });
  const restored = await buildApp({ config, clock: h.clock, logger: false });
  t.teardown(() => restored.close());
  const article = await restored.inject({ url: '/v1/articles/before-the-backup' });
  t.equal(article.statusCode, 200, 'a story from before the backup reads from the restored copy');
  t.equal(json(article).headline, before.headline);
  t.match(json(article).html, /<strong>held<\/strong>/);
  const rendition = await restored.inject({ url: `/v1/photos/${photo.id}/renditions/640.jpeg` });
  t.equal(rendition.statusCode, 200, 'its photo is served again (the rendition is made from the restored original)');
  t.equal(rendition.headers['content-type'], 'image/jpeg');
  const search = await restored.inject({ url: '/v1/search?q=harbour' });
  t.equal(json(search).data[0]?.article.slug, 'before-the-backup', 'search works on the restored copy');
});

t.test('backup and restore refuse what would lose or damage data, and write nothing', async (t) => {
  const h = await buildTestApp(t);
  await seedTaxonomy(h.app, h.admin);
  await uploadPhoto(h, 'A photo');
  await publish(h.app, h.admin, { slug: 'kept', headline: 'Kept', bodyMarkdown: 'Text.' });

  const work = tempDir(t, 'newsdesk-backup-refusals-');
  const occupied = join(work, 'occupied');
  const first = await run('backup', join(work, 'good'), dataEnv(h));
  t.equal(first.code, 0, first.stderr);
  writeFileSync(join(work, 'stray.txt'), 'x');
  const intoUsed = await run('backup', work, dataEnv(h));
  t.equal(intoUsed.code, 73, 'a backup into a directory that is not empty is refused');
  t.match(intoUsed.stderr, /not an empty directory/);
  t.notOk(existsSync(join(work, 'newsdesk.db')), 'and writes nothing there');

  const noDatabase = await run('backup', join(work, 'none'), { DATABASE_PATH: join(work, 'missing.db'), MEDIA_DIR: join(work, 'm') });
  t.equal(noDatabase.code, 66, 'no database to back up');

  // A restore never overwrites a publication.
  const intoExisting = await run('restore', join(work, 'good'), dataEnv(h));
  t.equal(intoExisting.code, 65);
  t.match(intoExisting.stderr, /exists\. Restore into an empty data directory/);
  t.equal((await h.app.inject({ url: '/v1/articles/kept' })).statusCode, 200, 'the running publication is untouched');

  // A damaged backup is refused before anything is written.
  const manifest = JSON.parse(readFileSync(join(work, 'good', 'backup.json'), 'utf8'));
  const mediaFile = join(work, 'good', manifest.media[0].path);
  const original = readFileSync(mediaFile);
  writeFileSync(mediaFile, Buffer.concat([original.subarray(0, 100), Buffer.alloc(original.length - 100)]));
  const damaged = await run('restore', join(work, 'good'), { DATA_DIR: occupied });
  t.equal(damaged.code, 65);
  t.match(damaged.stderr, /does not match the manifest/);
  t.notOk(existsSync(join(occupied, 'newsdesk.db')), 'no database was written');
  t.notOk(existsSync(join(occupied, 'media')) && readdirSync(join(occupied, 'media')).length > 0, 'no media was written');
  writeFileSync(mediaFile, original);

  // A manifest that points outside the backup, or is not one.
  writeFileSync(join(work, 'good', 'backup.json'), JSON.stringify({ ...manifest, media: [{ ...manifest.media[0], path: '../../etc/passwd' }] }));
  const escaping = await run('restore', join(work, 'good'), { DATA_DIR: occupied });
  t.equal(escaping.code, 65);
  t.match(escaping.stderr, /not a Newsdesk backup manifest|outside media\/originals/);
  writeFileSync(join(work, 'good', 'backup.json'), '{"format":"something-else"}');
  t.match((await run('restore', join(work, 'good'), { DATA_DIR: occupied })).stderr, /not a Newsdesk backup manifest/);
  rmSync(join(work, 'good', 'backup.json'));
  const interrupted = await run('restore', join(work, 'good'), { DATA_DIR: occupied });
  t.equal(interrupted.code, 65);
  t.match(interrupted.stderr, /holds no backup\.json/, 'a backup without its manifest (interrupted) is refused');
  t.notOk(existsSync(join(occupied, 'newsdesk.db')));
});
