import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Applies every pending migration from migrations/ (drizzle-kit output). */
export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder });
}

/** True when every migration in the journal has been applied (used by /readyz). */
export function migrationsApplied(db: Db): boolean {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: { when: number }[];
  };
  const expected = journal.entries.length;
  try {
    const row = db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    return row.n >= expected;
  } catch {
    return false;
  }
}
