import type { Db } from './client.js';
import { migrationsApplied } from './migrate.js';

export interface DatabaseHealth {
  /** 'ok', or the error the database gave. */
  database: string;
  /** 'ok' when every migration is applied, else 'pending'. */
  migrations: string;
}

/** Whether the database answers a query and every migration is applied (for /readyz). */
export async function databaseHealth(db: Db): Promise<DatabaseHealth> {
  try {
    db.$client.prepare('SELECT 1').get();
    return { database: 'ok', migrations: migrationsApplied(db) ? 'ok' : 'pending' };
  } catch (err) {
    return { database: `error: ${(err as Error).message}`, migrations: 'ok' };
  }
}
