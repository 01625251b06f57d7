// All tables, one file per feature. drizzle-kit reads this index to generate migrations.
export * from './sections.js';
export * from './apiKeys.js';
export * from './articles.js';
export * from './photos.js';
export * from './subscriptions.js';
export * from './syndication.js';
export * from './webhooks.js';
export * from './search.js';
export * from './imports.js';
export * from './newsletters.js';
export * from './cdn.js';
