import { takeBackup } from '../backup/backup.js';
import { describeCounts, missingMediaWarning, runDataDirCommand } from './dataDirCommand.js';

// npm run backup -- DIR: an online backup of DATA_DIR (database and photo originals) into DIR.
await runDataDirCommand('backup', async ({ config, db, dir, onMedia }) => {
  const manifest = await takeBackup({ db, mediaDir: config.mediaDir, dir, onMedia });
  return [
    `Backed up ${config.databasePath} as it was at ${manifest.createdAt} into ${dir}`,
    `  database: ${(manifest.database.bytes / 1e6).toFixed(1)} MB (${describeCounts(manifest.counts)})`,
    `  photo originals: ${manifest.media.length}`,
    ...missingMediaWarning(manifest.missingMedia, 'backup'),
  ];
});
