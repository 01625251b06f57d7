import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const pgMigrationsFolder = fileURLToPath(new URL('../../../migrations-pg', import.meta.url));

/** Any fixed number: every Newsdesk node takes the same session-level advisory lock to migrate. */
const MIGRATION_LOCK = 7_361_020_001;

/**
 * Applies every pending migration from migrations-pg/ (drizzle-kit output), once, however many
 * nodes start together: each takes the same advisory lock first, so the second waits for the first
 * and then finds nothing left to apply. drizzle's migrator runs the pending migrations in one
 * transaction, so a node killed half-way leaves none of them applied, and the next start retries.
 */
export async function runPgMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: pgMigrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
