import { z } from 'zod';

/**
 * `backup.json`, written last into a backup directory: a backup without it is incomplete (the
 * run was interrupted) and restore refuses it. Every file is listed with its size and SHA-256, so
 * restore checks what it copies and a damaged or tampered backup is refused before anything is
 * written.
 */
export const BACKUP_FORMAT = 'newsdesk-backup';
export const BACKUP_VERSION = 1;
export const DATABASE_FILE = 'newsdesk.db';
export const MANIFEST_FILE = 'backup.json';

export const fileEntry = z.object({
  /** Relative to the backup directory, forward slashes, never `..`. */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), 'a path inside the backup'),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  engine: z.literal('sqlite'),
  createdAt: z.string(),
  /** How many migrations the backed-up database had applied (restore applies any newer ones). */
  migrations: z.number().int().nonnegative(),
  database: fileEntry.extend({ path: z.literal(DATABASE_FILE) }),
  /** Photo originals (renditions are a cache, made again on first request). */
  media: z.array(fileEntry),
  /** Originals the database names that were gone from MEDIA_DIR when the backup copied media. */
  missingMedia: z.array(z.string()),
  counts: z.record(z.string(), z.number().int().nonnegative()),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupFile = z.infer<typeof fileEntry>;
