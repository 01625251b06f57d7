import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Photos: one row per distinct original (content-addressed by the SHA-256 of its bytes, which also
 * names the file under MEDIA_DIR). Metadata is pre-filled from IPTC/XMP/EXIF on upload and editable.
 * Timestamps are ISO 8601 UTC text.
 */
export const photos = sqliteTable(
  'photos',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Hex SHA-256 of the original bytes; names the stored file. */
    sha256: text('sha256').notNull().unique(),
    /** Detected from the bytes: jpeg, png, webp, avif, gif, tiff. */
    format: text('format').notNull(),
    mimeType: text('mime_type').notNull(),
    byteSize: integer('byte_size').notNull(),
    /** Display size, after applying the EXIF orientation. */
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** EXIF orientation of the original (1–8), null when absent. */
    orientation: integer('orientation'),
    originalFilename: text('original_filename'),
    headline: text('headline'),
    caption: text('caption'),
    altText: text('alt_text'),
    credit: text('credit'),
    creator: text('creator'),
    copyright: text('copyright'),
    source: text('source'),
    usageTerms: text('usage_terms'),
    keywords: text('keywords', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** When the picture was taken (from EXIF/IPTC/XMP or the upload), ISO 8601. */
    takenAt: text('taken_at'),
    focalX: real('focal_x'),
    focalY: real('focal_y'),
    /** After this instant the photo is no longer served to readers. */
    expiresAt: text('expires_at'),
    /** #rrggbb */
    dominantColor: text('dominant_color'),
    blurhash: text('blurhash'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('photos_created_id_idx').on(t.createdAt, t.id)],
);
