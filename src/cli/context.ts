import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabase, type Db } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { refusePostgresForNow } from '../db/engine.js';

/** Config and a migrated database for a CLI command; exits with the config problem if any. */
export function cliContext(): { config: Config; db: Db } {
  try {
    const config = loadConfig();
    refusePostgresForNow(config);
    const db = openDatabase(config.databasePath, { synchronous: config.DB_SYNCHRONOUS });
    runMigrations(db);
    return { config, db };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
}
