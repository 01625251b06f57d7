import { existsSync } from 'node:fs';
import { BackupError, takeBackup } from '../backup/backup.js';
import { createProgress } from '../importers/progress.js';
import { closeDatabase, openDatabase } from '../db/client.js';
import { ConfigError, loadConfig } from '../config.js';

// npm run backup -- DIR: an online backup of DATA_DIR (database and photo originals) into DIR.
const USAGE = 'Usage: npm run backup -- DIR   (DIR must not exist, or be empty)';
const [dir, ...rest] = process.argv.slice(2);
if (!dir || rest.length > 0 || dir.startsWith('-')) {
  console.error(USAGE);
  process.exit(dir === '--help' || dir === '-h' ? 0 : 64);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(78);
}
if (!existsSync(config.databasePath)) {
  console.error(`Cannot back up: there is no database at ${config.databasePath} (set DATA_DIR or DATABASE_PATH)`);
  process.exit(66);
}

const db = openDatabase(config.databasePath, { synchronous: config.DB_SYNCHRONOUS });
let progress: ReturnType<typeof createProgress> | undefined;
try {
  const manifest = await takeBackup({
    db,
    mediaDir: config.mediaDir,
    dir,
    onMedia: (_done, total) => {
      progress ??= createProgress(Boolean(process.stderr.isTTY), total, 'photos');
      progress.tick();
    },
  });
  progress?.stop();
  const rows = Object.entries(manifest.counts).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`).join(', ');
  console.log(`Backed up ${config.databasePath} as it was at ${manifest.createdAt} into ${dir}`);
  console.log(`  database: ${(manifest.database.bytes / 1e6).toFixed(1)} MB (${rows})`);
  console.log(`  photo originals: ${manifest.media.length}`);
  if (manifest.missingMedia.length > 0) {
    console.log(`  warning: ${manifest.missingMedia.length} photo file(s) were missing or damaged in MEDIA_DIR and are not in the backup: ${manifest.missingMedia.slice(0, 5).join(', ')}`);
  }
} catch (err) {
  progress?.stop();
  if (!(err instanceof BackupError)) throw err;
  console.error(err.message);
  process.exitCode = 73;
} finally {
  closeDatabase(db);
}
