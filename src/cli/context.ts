import type { Config } from '../config.js';
import { openDatabase, type Db } from '../db/client.js';
import { refusePostgresForNow } from '../db/engine.js';
import { runMigrations } from '../db/migrate.js';
import { configOrExit } from './config.js';

/** Config and a migrated database for a CLI command; exits with the config problem if any. */
export function cliContext(): { config: Config; db: Db } {
  const config = configOrExit(refusePostgresForNow);
  const db = openDatabase(config.databasePath, { synchronous: config.DB_SYNCHRONOUS });
  runMigrations(db);
  return { config, db };
}
