import pg from 'pg';

export interface PgPoolOptions {
  url: string;
  /** Connections per node (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** A statement running longer is cancelled by the server (DATABASE_STATEMENT_TIMEOUT_MS; 0 = none). */
  statementTimeoutMs: number;
}

/** A pool for one node. Nothing connects until the first query (see waitForPostgres). */
export function openPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs || undefined,
    // A server that does not answer a connection attempt is as good as down: give up and retry.
    connectionTimeoutMillis: 5_000,
    application_name: 'newsdesk',
  });
  // An idle connection the server drops (restart, failover) must not crash the process: the pool
  // discards it and the next query opens a new one.
  pool.on('error', () => {});
  return pool;
}

/**
 * Waits for the server to answer, retrying with backoff (0.25 s doubling to 5 s) until
 * `timeoutSeconds` have passed, logging each failed attempt; then throws, saying for how long it
 * tried and the last error. A node started with its database (compose, a rolling deploy) does not
 * fail because PostgreSQL took a few seconds longer.
 */
export async function waitForPostgres(
  pool: pg.Pool,
  timeoutSeconds: number,
  log: (message: string) => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (Date.now() + delay > deadline) {
        throw new Error(`PostgreSQL (DATABASE_URL) did not answer within ${timeoutSeconds} s (${attempt} attempts): ${reason}`);
      }
      log(`PostgreSQL not reachable yet (attempt ${attempt}: ${reason}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
