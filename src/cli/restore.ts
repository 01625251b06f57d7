import { RestoreError, restoreBackup } from '../backup/restore.js';
import { createProgress } from '../importers/progress.js';
import { configOrExit } from './config.js';

// npm run restore -- DIR: a backup made by `npm run backup` into an empty DATA_DIR.
const USAGE = 'Usage: npm run restore -- DIR   (into an empty DATA_DIR / DATABASE_PATH; stop the server first)';
const [dir, ...rest] = process.argv.slice(2);
if (!dir || rest.length > 0 || dir.startsWith('-')) {
  console.error(USAGE);
  process.exit(dir === '--help' || dir === '-h' ? 0 : 64);
}

const config = configOrExit();

let progress: ReturnType<typeof createProgress> | undefined;
try {
  const { manifest, counts } = await restoreBackup({
    dir,
    databasePath: config.databasePath,
    mediaDir: config.mediaDir,
    onFile: (_done, total) => {
      progress ??= createProgress(Boolean(process.stderr.isTTY), total, 'photos');
      progress.tick();
    },
  });
  progress?.stop();
  const rows = Object.entries(counts).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`).join(', ');
  console.log(`Restored the backup of ${manifest.createdAt} into ${config.databasePath} and ${config.mediaDir}`);
  console.log(`  ${rows}`);
  console.log(`  photo originals: ${manifest.media.length} (renditions are made again on first request)`);
} catch (err) {
  progress?.stop();
  if (!(err instanceof RestoreError)) throw err;
  console.error(err.message);
  process.exitCode = 65;
}
