import { existsSync } from 'node:fs';
import { refusePostgresForNow } from '../db/engine.js';
import type { Config } from '../config.js';
import { configOrExit } from './config.js';
import { closeDatabase, openDatabase, type Db } from '../db/client.js';
import { BackupError } from '../backup/backup.js';
import { createProgress, type Progress } from '../importers/progress.js';

/**
 * What `npm run backup` and `npm run export` share: one DIR argument, the server's settings, its
 * existing database (never created or migrated here), a progress bar for the photo files, and
 * exit codes an operator's script can tell apart (64 usage, 66 no database, 73 DIR in the way,
 * 78 a bad setting).
 */
export async function runDataDirCommand(
  name: 'backup' | 'export',
  work: (args: { config: Config; db: Db; dir: string; onMedia: (done: number, total: number) => void }) => Promise<string[]>,
): Promise<void> {
  const usage = `Usage: npm run ${name} -- DIR   (DIR must not exist, or be empty)`;
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir || rest.length > 0 || dir.startsWith('-')) {
    console.error(usage);
    process.exit(dir === '--help' || dir === '-h' ? 0 : 64);
  }
  const config = configOrExit(refusePostgresForNow);
  if (!existsSync(config.databasePath)) {
    console.error(`Cannot ${name}: there is no database at ${config.databasePath} (set DATA_DIR or DATABASE_PATH)`);
    process.exit(66);
  }
  const db = openDatabase(config.databasePath, { synchronous: config.DB_SYNCHRONOUS });
  let progress: Progress | undefined;
  const onMedia = (_done: number, total: number) => {
    progress ??= createProgress(Boolean(process.stderr.isTTY), total, 'photos');
    progress.tick();
  };
  try {
    const lines = await work({ config, db, dir, onMedia });
    progress?.stop();
    for (const line of lines) console.log(line);
  } catch (err) {
    progress?.stop();
    if (!(err instanceof BackupError)) throw err;
    console.error(err.message);
    process.exitCode = 73;
  } finally {
    closeDatabase(db);
  }
}

/** "articles 12, tags 3" from a count per kind or table, leaving out the empty ones. */
export const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');


/** The console warning for photo files that could not be copied. */
export function missingMediaWarning(missing: string[], what: string): string[] {
  if (missing.length === 0) return [];
  return [`  warning: ${missing.length} photo file(s) were missing or damaged in MEDIA_DIR and are not in the ${what}: ${missing.slice(0, 5).join(', ')}`];
}
