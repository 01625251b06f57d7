import { defineConfig } from 'drizzle-kit';

// PostgreSQL's migrations, generated from its own schema (src/db/pg/schema.ts, mapped from the one
// table description in src/db/schema/) and committed beside SQLite's: `npm run db:generate:pg`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema.ts',
  out: './migrations-pg',
  // Search (tsvector columns) and the content epochs live in custom migrations.
  tablesFilter: ['!content_epoch'],
});
