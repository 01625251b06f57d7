import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  // FTS5 virtual tables, the content epoch and their triggers live in custom migrations; keep drizzle-kit's hands off them.
  tablesFilter: ['!articles_fts*', '!*_fts*', '!content_epoch'],
});
