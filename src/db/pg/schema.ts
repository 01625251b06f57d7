// The PostgreSQL tables, mapped from the one description in src/db/schema/ (see ./fromSqlite.ts).
// drizzle-kit reads this file (drizzle.pg.config.ts) to generate migrations-pg/; a test fails when a
// SQLite table has no line here.
import * as sqlite from '../schema/index.js';
import { toPgTable } from './fromSqlite.js';

export const apiKeys = toPgTable(sqlite.apiKeys);
export const articleAuthors = toPgTable(sqlite.articleAuthors);
export const articleCorrections = toPgTable(sqlite.articleCorrections);
export const articleRevisions = toPgTable(sqlite.articleRevisions);
export const articleSlugs = toPgTable(sqlite.articleSlugs);
export const articleTags = toPgTable(sqlite.articleTags);
export const articles = toPgTable(sqlite.articles);
export const authTokens = toPgTable(sqlite.authTokens);
export const authors = toPgTable(sqlite.authors);
export const cdnPurges = toPgTable(sqlite.cdnPurges);
export const cdnSweep = toPgTable(sqlite.cdnSweep);
export const changes = toPgTable(sqlite.changes);
export const feedTokens = toPgTable(sqlite.feedTokens);
export const importItems = toPgTable(sqlite.importItems);
export const importRedirects = toPgTable(sqlite.importRedirects);
export const importRuns = toPgTable(sqlite.importRuns);
export const keyLicences = toPgTable(sqlite.keyLicences);
export const mailOutbox = toPgTable(sqlite.mailOutbox);
export const mailSuppressions = toPgTable(sqlite.mailSuppressions);
export const meteredReads = toPgTable(sqlite.meteredReads);
export const newsletterDeliveries = toPgTable(sqlite.newsletterDeliveries);
export const newsletterRenditions = toPgTable(sqlite.newsletterRenditions);
export const newsletterSecrets = toPgTable(sqlite.newsletterSecrets);
export const newsletterSends = toPgTable(sqlite.newsletterSends);
export const newsletterSubscriptions = toPgTable(sqlite.newsletterSubscriptions);
export const newsletters = toPgTable(sqlite.newsletters);
export const paymentEvents = toPgTable(sqlite.paymentEvents);
export const photos = toPgTable(sqlite.photos);
export const plans = toPgTable(sqlite.plans);
export const searchPhotoRefs = toPgTable(sqlite.searchPhotoRefs);
export const sections = toPgTable(sqlite.sections);
export const sessions = toPgTable(sqlite.sessions);
export const subscribers = toPgTable(sqlite.subscribers);
export const subscriptions = toPgTable(sqlite.subscriptions);
export const tags = toPgTable(sqlite.tags);
export const webhookDeliveries = toPgTable(sqlite.webhookDeliveries);
export const webhookEndpoints = toPgTable(sqlite.webhookEndpoints);
