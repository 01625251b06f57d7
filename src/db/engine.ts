import { ConfigError, type Config } from '../config.js';

/**
 * PostgreSQL is being built in steps (README "PostgreSQL"): today it takes the schema
 * (`npm run migrate`) but serves nothing. Everything that would open the database refuses a
 * PostgreSQL DATABASE_URL, saying so, rather than quietly serving from a SQLite file instead.
 */
export function refusePostgresForNow(config: Pick<Config, 'postgresUrl'>): void {
  if (config.postgresUrl) {
    throw new ConfigError([
      'DATABASE_URL: names PostgreSQL, which this version uses for `npm run migrate` only; the server and the other commands run on SQLite: unset DATABASE_URL to use DATABASE_PATH',
    ]);
  }
}
