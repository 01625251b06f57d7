import { writeExport } from '../backup/export.js';
import { describeCounts, missingMediaWarning, runDataDirCommand } from './dataDirCommand.js';

// npm run export -- DIR: the whole publication as documented JSON plus media (src/backup/exportFormat.ts).
await runDataDirCommand('export', async ({ config, db, dir, onMedia }) => {
  const manifest = await writeExport({ db, mediaDir: config.mediaDir, dir, onMedia });
  return [
    `Exported ${config.databasePath} as it was at ${manifest.createdAt} into ${dir}`,
    `  ${describeCounts(manifest.counts)}`,
    `  photo originals: ${manifest.media.length}; never exported: API key and webhook secrets, sessions, sign-in links, feed tokens`,
    ...missingMediaWarning(manifest.missingMedia, 'export'),
  ];
});
