import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { closeDatabase, openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { tableCounts } from './backup.js';
import { copyHashed, digestFile, isMissingFile } from './files.js';
import { MEDIA_PATH, mediaTarget } from './media.js';
import { MANIFEST_FILE, manifestSchema, type BackupFile, type BackupManifest } from './manifest.js';

/** A backup that cannot be restored, or a target that is not empty; nothing has been written. */
export class RestoreError extends Error {}

export interface RestoreOptions {
  /** The backup directory (holding backup.json). */
  dir: string;
  databasePath: string;
  mediaDir: string;
  onFile?: (done: number, total: number) => void;
}

/**
 * Restores a backup into an empty data directory: the database file must not exist (a restore
 * never overwrites a publication). Everything is checked before anything is written: the
 * manifest, each file's size and SHA-256, and SQLite's integrity check of the copy. Media is
 * copied first and the database last (under a temp name, then renamed), so an interrupted restore
 * leaves no database behind and can simply be run again. Migrations newer than the backup are
 * applied at the end, as at start-up.
 */
export async function restoreBackup(options: RestoreOptions): Promise<{ manifest: BackupManifest; counts: Record<string, number> }> {
  const { dir, databasePath, mediaDir } = options;
  if (existsSync(databasePath) || existsSync(`${databasePath}-wal`)) {
    throw new RestoreError(`Cannot restore: ${databasePath} exists. Restore into an empty data directory (DATA_DIR or DATABASE_PATH).`);
  }
  const manifest = readManifest(dir);

  const files = [manifest.database, ...manifest.media];
  for (const file of files) await verify(dir, file);
  const check = new Database(join(dir, manifest.database.path), { readonly: true, fileMustExist: true });
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new RestoreError(`Cannot restore: the backed-up database fails SQLite's integrity check (${String(result)})`);
  } finally {
    check.close();
  }

  for (const [i, file] of manifest.media.entries()) {
    // media/originals/ab/<sha>.<ext> in the backup → <MEDIA_DIR>/originals/ab/<sha>.<ext>
    const to = mediaTarget(mediaDir, file.path);
    if (!existsSync(to) || (await digestFile(to)).sha256 !== file.sha256) {
      await rm(to, { force: true });
      await copyHashed(join(dir, file.path), to);
    }
    options.onFile?.(i + 1, manifest.media.length);
  }

  await mkdir(dirname(databasePath), { recursive: true });
  const temp = `${databasePath}.restoring`;
  await rm(temp, { force: true });
  await copyHashed(join(dir, manifest.database.path), temp);
  await rename(temp, databasePath);

  const db = openDatabase(databasePath);
  try {
    runMigrations(db);
    return { manifest, counts: tableCounts(db.$client) };
  } finally {
    closeDatabase(db);
  }
}

function readManifest(dir: string): BackupManifest {
  let raw: string;
  try {
    raw = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if (isMissingFile(err)) throw new RestoreError(`Cannot restore: ${dir} holds no ${MANIFEST_FILE} (not a Newsdesk backup, or one that was interrupted)`);
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RestoreError(`Cannot restore: ${MANIFEST_FILE} is not JSON`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RestoreError(`Cannot restore: ${MANIFEST_FILE} is not a Newsdesk backup manifest this version reads (${issue.path.join('.') || 'document'}: ${issue.message})`);
  }
  const manifest = result.data;
  if (manifest.media.some((f) => !MEDIA_PATH.test(f.path))) {
    throw new RestoreError(`Cannot restore: ${MANIFEST_FILE} lists a media file outside media/originals/`);
  }
  return manifest;
}

async function verify(dir: string, file: BackupFile): Promise<void> {
  let actual;
  try {
    actual = await digestFile(join(dir, file.path));
  } catch (err) {
    if (isMissingFile(err)) throw new RestoreError(`Cannot restore: ${file.path} is missing from the backup`);
    throw err;
  }
  if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) {
    throw new RestoreError(`Cannot restore: ${file.path} does not match the manifest (damaged or changed since the backup)`);
  }
}
