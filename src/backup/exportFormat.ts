import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import * as schema from '../db/schema/index.js';
import { fileEntry } from './manifest.js';

/**
 * The Newsdesk export format (`npm run export -- DIR`, read back by `npm run import -- newsdesk DIR`).
 *
 *   DIR/newsdesk-export.json      the manifest (below), written last
 *   DIR/<kind>.json               { "kind": "<kind>", "records": [ … ] } for each kind in EXPORTED
 *   DIR/media/originals/ab/<sha256>.<ext>   photo originals
 *
 * A record is one row with the field names of the schema in src/db/schema/ (camelCase; JSON
 * columns as JSON, booleans as booleans, times as ISO 8601 strings), ids included so references
 * hold. Secrets are never written: the fields in `omit` are left out, and the tables in
 * NOT_EXPORTED are not written at all, each for the reason given. Every table in the schema is in
 * exactly one of the two lists (a test holds new tables to that).
 */
export const EXPORT_FORMAT = 'newsdesk-export';
export const EXPORT_VERSION = 1;
export const EXPORT_MANIFEST = 'newsdesk-export.json';

export interface ExportedKind {
  kind: string;
  table: SQLiteTable;
  /** Fields never written (secrets); the import fills them in (src/importers/newsdesk/). */
  omit?: string[];
  /** Slugs of rows the migrations create in every database: the import replaces them with the exported ones. */
  builtIn?: string[];
}

export const EXPORTED: ExportedKind[] = [
  { kind: 'sections', table: schema.sections },
  { kind: 'photos', table: schema.photos },
  { kind: 'authors', table: schema.authors },
  { kind: 'tags', table: schema.tags },
  { kind: 'articles', table: schema.articles },
  { kind: 'article_authors', table: schema.articleAuthors },
  { kind: 'article_tags', table: schema.articleTags },
  { kind: 'article_slugs', table: schema.articleSlugs },
  { kind: 'article_revisions', table: schema.articleRevisions },
  { kind: 'article_corrections', table: schema.articleCorrections },
  { kind: 'plans', table: schema.plans, builtIn: ['free'] },
  { kind: 'newsletters', table: schema.newsletters, builtIn: ['daily-briefing', 'weekly-review', 'breaking-news'] },
  { kind: 'subscribers', table: schema.subscribers },
  { kind: 'newsletter_subscriptions', table: schema.newsletterSubscriptions },
  // Addresses that bounced or complained stay unmailed on the new installation.
  { kind: 'mail_suppressions', table: schema.mailSuppressions },
  { kind: 'subscriptions', table: schema.subscriptions },
  { kind: 'metered_reads', table: schema.meteredReads },
  // Key names, scopes and licences, never the secret: an imported key answers to no token until
  // `npm run keys -- rotate ID` gives it a new one.
  { kind: 'api_keys', table: schema.apiKeys, omit: ['secretHash'] },
  { kind: 'key_licences', table: schema.keyLicences },
  // Endpoints come back paused with a new signing secret: the receiver must be told it first.
  { kind: 'webhook_endpoints', table: schema.webhookEndpoints, omit: ['secret'] },
  // The change feed, so partners' cursors stay valid.
  { kind: 'changes', table: schema.changes },
  // Where imported stories came from (a later WordPress or Ghost import stays idempotent) and their old permalinks.
  { kind: 'import_items', table: schema.importItems },
  { kind: 'import_redirects', table: schema.importRedirects },
];

/** Tables not exported, and why. */
export const NOT_EXPORTED: Record<string, string> = {
  auth_tokens: 'sign-in and confirmation links: secrets, and short-lived',
  sessions: 'reader sessions: secrets (readers sign in again)',
  feed_tokens: 'feed URLs carry secrets (partners are given new ones)',
  mail_outbox: 'mail waiting to be sent or already sent: transient',
  payment_events: "the payment provider's webhook log (the provider keeps it)",
  webhook_deliveries: 'a delivery log',
  search_photo_refs: 'derived from the articles: rebuilt by the import',
  import_runs: 'bookkeeping of import runs on the old installation',
  cdn_purges: 'the CDN purge queue and its log: transient',
  cdn_sweep: "the purge worker's watermark: a new installation starts its own",
  newsletter_secrets: 'the key that signs unsubscribe links: a secret (set NEWSLETTER_SECRET on both installations to keep old links working)',
  newsletter_sends: 'the log of stories mailed to newsletters (sent mail is not sent again from an export)',
  newsletter_renditions: 'the mails of past sends: derived, and transient',
  newsletter_deliveries: 'a delivery log (with addresses)',
};

export const tableName = (table: SQLiteTable) => getTableName(table);

/** Every table the schema defines, by name. */
export function schemaTables(): string[] {
  return (Object.values(schema) as unknown[])
    .filter((v): v is SQLiteTable => is(v, SQLiteTable))
    .map(tableName)
    .sort();
}

/**
 * A strict schema for one record of a kind, built from the table's columns: an export is input
 * like any other, and a record with a missing, extra or mistyped field is refused by name.
 */
export function recordSchema(entry: ExportedKind) {
  const omitted = new Set(entry.omit ?? []);
  const shape: Record<string, z.ZodType> = {};
  for (const [key, column] of Object.entries(getTableColumns(entry.table))) {
    if (omitted.has(key)) continue;
    let type: z.ZodType;
    const values = (column as { enumValues?: string[] }).enumValues;
    if (values && values.length > 0) type = z.enum(values as [string, ...string[]]);
    else if (column.dataType === 'number') type = z.number().int().or(z.number());
    else if (column.dataType === 'boolean') type = z.boolean();
    else if (column.dataType === 'json') type = z.json();
    else type = z.string().max(16 * 1024 * 1024);
    shape[key] = column.notNull ? type.refine((v) => v !== null, 'required') : type.nullable();
  }
  return z.strictObject(shape);
}

export const exportManifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  createdAt: z.string(),
  migrations: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  files: z.array(fileEntry),
  media: z.array(fileEntry),
  missingMedia: z.array(z.string()),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;
