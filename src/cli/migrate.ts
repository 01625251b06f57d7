import { configOrExit } from './config.js';
import { closeDatabase } from '../db/client.js';
import { openPgPool, waitForPostgres } from '../db/pg/connect.js';
import { runPgMigrations } from '../db/pg/migrate.js';
import { cliContext } from './context.js';

// With a PostgreSQL DATABASE_URL: waits for the server (DATABASE_CONNECT_TIMEOUT_SECONDS) and
// applies migrations-pg/. Otherwise cliContext() applies SQLite's pending migrations; this reports it.
const config = configOrExit();
if (config.postgresUrl) {
  const pool = openPgPool({ url: config.postgresUrl, poolSize: 1, statementTimeoutMs: 0 });
  try {
    await waitForPostgres(pool, config.DATABASE_CONNECT_TIMEOUT_SECONDS, (m) => console.error(m));
    await runPgMigrations(pool);
    const { host, pathname } = new URL(config.postgresUrl);
    console.log(`Migrations applied to PostgreSQL ${host}${pathname}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
} else {
  const { db } = cliContext();
  closeDatabase(db);
  console.log(`Migrations applied to ${config.databasePath}`);
}
