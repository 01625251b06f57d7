import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/client.js';
import { digestFile } from './files.js';
import { copyPhotoOriginals, type PhotoFile } from './media.js';
import { BACKUP_FORMAT, BACKUP_VERSION, DATABASE_FILE, MANIFEST_FILE, type BackupManifest } from './manifest.js';

/** A backup that cannot be taken (a directory in the way); the message is for the operator. */
export class BackupError extends Error {}


export interface BackupOptions {
  db: Db;
  mediaDir: string;
  /** Must not exist, or be empty. */
  dir: string;
  now?: () => Date;
  onMedia?: (done: number, total: number) => void;
}

/**
 * An online backup while the server serves and writes.
 *
 * The database is copied with `VACUUM INTO`: one read transaction, so the copy is the database as
 * it was at one instant (WAL lets writers go on meanwhile, and the copy is compacted). The photo
 * originals that copy names are copied afterwards; originals are immutable (named by their
 * SHA-256), so a photo uploaded meanwhile only adds a file the copy does not name, and the one
 * thing that can go wrong, a photo deleted between the two steps, is detected (the file is gone)
 * and reported in `missingMedia`. Renditions are a cache and are made again after a restore.
 * `backup.json` is written last: a directory without it is an interrupted backup.
 */
export async function takeBackup(options: BackupOptions): Promise<BackupManifest> {
  const { db, mediaDir, dir } = options;
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new BackupError(`Cannot back up into ${dir}: it exists and is not an empty directory`);
  }
  await mkdir(dir, { recursive: true });
  const createdAt = (options.now?.() ?? new Date()).toISOString();

  const databasePath = join(dir, DATABASE_FILE);
  db.$client.prepare('VACUUM INTO ?').run(databasePath);

  const snapshot = new Database(databasePath, { readonly: true, fileMustExist: true });
  let photos: PhotoFile[];
  let migrations: number;
  let counts: Record<string, number>;
  try {
    photos = snapshot.prepare('SELECT sha256, format FROM photos ORDER BY id').all() as typeof photos;
    migrations = (snapshot.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    counts = tableCounts(snapshot);
  } finally {
    snapshot.close();
  }

  const { media, missingMedia } = await copyPhotoOriginals(photos, mediaDir, dir, options.onMedia);

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    engine: 'sqlite',
    createdAt,
    migrations,
    database: { path: DATABASE_FILE, ...(await digestFile(databasePath)) },
    media,
    missingMedia,
    counts,
  };
  const manifestPath = join(dir, MANIFEST_FILE);
  await writeFile(`${manifestPath}.part`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${manifestPath}.part`, manifestPath);
  return manifest;
}

/** Rows per table, for the operator's summary and for restore to report what it brought back. */
export function tableCounts(sqlite: Database.Database): Record<string, number> {
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (sqlite.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}
