import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/client.js';
import { BackupError } from './backup.js';
import { EXPORT_FORMAT, EXPORT_MANIFEST, EXPORT_VERSION, EXPORTED, type ExportManifest } from './exportFormat.js';
import { digestFile } from './files.js';
import { copyPhotoOriginals, type PhotoFile } from './media.js';

export interface ExportOptions {
  db: Db;
  mediaDir: string;
  /** Must not exist, or be empty. */
  dir: string;
  now?: () => Date;
  onMedia?: (done: number, total: number) => void;
}

/**
 * Writes the whole publication as the documented JSON of src/backup/exportFormat.ts, plus the
 * photo originals. Every kind is read in one read transaction, so the files agree with each other
 * (an article never names a tag the export lacks) while the server goes on writing.
 */
export async function writeExport(options: ExportOptions): Promise<ExportManifest> {
  const { db, dir } = options;
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new BackupError(`Cannot export into ${dir}: it exists and is not an empty directory`);
  }
  await mkdir(dir, { recursive: true });
  const createdAt = (options.now?.() ?? new Date()).toISOString();

  const counts: Record<string, number> = {};
  let photos: PhotoFile[] = [];
  let migrations = 0;
  db.$client.transaction(() => {
    for (const { kind, table, omit = [] } of EXPORTED) {
      const rows = db.select().from(table).all() as Record<string, unknown>[];
      const records = rows.map((row) => {
        for (const field of omit) delete row[field];
        return row;
      });
      if (kind === 'photos') photos = records.map((r) => ({ sha256: r.sha256, format: r.format }) as PhotoFile);
      counts[kind] = records.length;
      // One record per line: large exports stay diffable and greppable.
      writeFileSync(join(dir, `${kind}.json`), `{"kind":${JSON.stringify(kind)},"records":[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`);
    }
    migrations = (db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  })();

  const files = [];
  for (const { kind } of EXPORTED) files.push({ path: `${kind}.json`, ...(await digestFile(join(dir, `${kind}.json`))) });
  const { media, missingMedia } = await copyPhotoOriginals(photos, options.mediaDir, dir, options.onMedia);

  const manifest: ExportManifest = { format: EXPORT_FORMAT, version: EXPORT_VERSION, createdAt, migrations, counts, files, media, missingMedia };
  const path = join(dir, EXPORT_MANIFEST);
  await writeFile(`${path}.part`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${path}.part`, path);
  return manifest;
}
