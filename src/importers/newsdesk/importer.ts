import { createHash } from 'node:crypto';
import { statSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { count, notInArray } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { FastifyInstance } from 'fastify';
import { EXPORT_MANIFEST, EXPORTED, exportManifestSchema, recordSchema, type ExportManifest } from '../../backup/exportFormat.js';
import { copyHashed, digestFile, isMissingFile } from '../../backup/files.js';
import { MEDIA_PATH, mediaTarget } from '../../backup/media.js';
import { hashSecret, newSecret } from '../../keys/tokens.js';
import { rebuildSearchIndex } from '../../search/repository.js';
import { newWebhookSecret } from '../../webhooks/signing.js';
import { createProgress } from '../progress.js';
import { Summary } from '../summary.js';
import { ImportFileError } from '../wordpress/wxr.js';

/** One kind's file may be this large; an export that needs more is split by a newer format. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;
const CHUNK = 500;

export interface NewsdeskImportOptions {
  dryRun: boolean;
  progress: boolean;
}

/**
 * Reads a Newsdesk export (src/backup/exportFormat.ts) into an empty database, identically: the
 * same ids, fields and relations. An export is all or nothing: every file is checked against the
 * manifest and every record against its kind's schema before anything is written, and the rows go
 * in one transaction (foreign keys checked at its end), so a refused export leaves the database as
 * it was. What the export leaves out by design comes back as follows: API keys answer to no token
 * until rotated (`npm run keys -- rotate ID`), webhook endpoints are paused with a new secret, the
 * search index is rebuilt.
 */
export async function importNewsdesk(app: FastifyInstance, dir: string, options: NewsdeskImportOptions): Promise<Summary> {
  const summary = new Summary(options.dryRun);
  const manifest = readManifest(dir);
  refuseUnlessEmpty(app);
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const entry of EXPORTED) rows.set(entry.kind, readKind(dir, manifest, entry));
  for (const file of manifest.media) await verify(dir, file);

  for (const [kind, records] of rows) for (let i = 0; i < records.length; i++) summary.count(kind, 'created');
  for (const missing of manifest.missingMedia) summary.warn('photo-file-missing-in-export', missing);
  const keys = rows.get('api_keys')!;
  if (keys.length > 0) summary.warn('api-keys-need-rotate', `${keys.length} key(s) answer to no token until \`npm run keys -- rotate ID\` (${keys.slice(0, 3).map((k) => k.name).join(', ')})`);
  const hooks = rows.get('webhook_endpoints')!;
  if (hooks.length > 0) summary.warn('webhooks-paused', `${hooks.length} endpoint(s) paused with a new secret: rotate it (POST /v1/admin/webhooks/{id}/rotate-secret), tell the receiver, then resume`);
  if (options.dryRun) return summary;

  const progress = createProgress(options.progress, manifest.media.length, 'photos');
  for (const file of manifest.media) {
    const to = mediaTarget(app.config.mediaDir, file.path);
    await rm(to, { force: true });
    await copyHashed(join(dir, file.path), to);
    progress.tick();
  }
  progress.stop();

  for (const key of keys) key.secretHash = hashSecret(newSecret());
  for (const hook of hooks) Object.assign(hook, { secret: newWebhookSecret(), active: false });

  const db = app.db;
  try {
    db.$client.transaction(() => {
      // Rows go in kind by kind; references between them are checked once, at commit.
      db.$client.pragma('defer_foreign_keys = ON');
      // Rows every database is created with (the free plan, the first newsletters) give way to the exported ones.
      for (const { table, builtIn } of EXPORTED) if (builtIn) db.delete(table).run();
      for (const { kind, table } of EXPORTED) {
        const records = rows.get(kind)!;
        for (let i = 0; i < records.length; i += CHUNK) db.insert(table).values(records.slice(i, i + CHUNK)).run();
      }
    })();
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_CONSTRAINT')) throw err;
    throw new ImportFileError(`the export does not hold together (${(err as Error).message}); nothing was imported`);
  }
  rebuildSearchIndex(db);
  return summary;
}

function readManifest(dir: string): ExportManifest {
  let raw: string;
  try {
    raw = readFileSync(join(dir, EXPORT_MANIFEST), 'utf8');
  } catch (err) {
    if (isMissingFile(err)) throw new ImportFileError(`${dir} holds no ${EXPORT_MANIFEST} (not a Newsdesk export, or one that was interrupted)`);
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ImportFileError(`${EXPORT_MANIFEST} is not JSON`);
  }
  const result = exportManifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ImportFileError(`${EXPORT_MANIFEST} is not a Newsdesk export manifest this version reads (${issue.path.join('.') || 'document'}: ${issue.message})`);
  }
  const manifest = result.data;
  if (manifest.media.some((f) => !MEDIA_PATH.test(f.path))) throw new ImportFileError(`${EXPORT_MANIFEST} lists a media file outside media/originals/`);
  const known = new Set(EXPORTED.map((e) => `${e.kind}.json`));
  const unknown = manifest.files.find((f) => !known.has(f.path));
  if (unknown) throw new ImportFileError(`${unknown.path} is not a kind this version of Newsdesk reads (an export from a newer version?)`);
  return manifest;
}

function readKind(dir: string, manifest: ExportManifest, entry: (typeof EXPORTED)[number]): Record<string, unknown>[] {
  const name = `${entry.kind}.json`;
  const listed = manifest.files.find((f) => f.path === name);
  if (!listed) throw new ImportFileError(`${EXPORT_MANIFEST} does not list ${name}`);
  const path = join(dir, name);
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if (isMissingFile(err)) throw new ImportFileError(`${name} is missing from the export`);
    throw err;
  }
  if (size > MAX_FILE_BYTES) throw new ImportFileError(`${name} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  const bytes = readFileSync(path);
  if (bytes.length !== listed.bytes || digestBuffer(bytes) !== listed.sha256) throw new ImportFileError(`${name} does not match the manifest (damaged or changed since the export)`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ImportFileError(`${name} is not JSON`);
  }
  const records = (doc as { kind?: unknown; records?: unknown })?.records;
  if ((doc as { kind?: unknown })?.kind !== entry.kind || !Array.isArray(records)) throw new ImportFileError(`${name} is not a "${entry.kind}" file ({"kind", "records": [...]})`);
  const schema = recordSchema(entry);
  return records.map((record, i) => {
    const result = schema.safeParse(record);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ImportFileError(`${name}, record ${i + 1}: ${issue.path.join('.') || 'record'}: ${issue.message}`);
    }
    return result.data as Record<string, unknown>;
  });
}

async function verify(dir: string, file: { path: string; bytes: number; sha256: string }): Promise<void> {
  let actual;
  try {
    actual = await digestFile(join(dir, file.path));
  } catch (err) {
    if (isMissingFile(err)) throw new ImportFileError(`${file.path} is missing from the export`);
    throw err;
  }
  if (actual.bytes !== file.bytes || actual.sha256 !== file.sha256) throw new ImportFileError(`${file.path} does not match the manifest`);
}

/** An export is read into an empty database only: it brings ids, which would collide with any others. */
function refuseUnlessEmpty(app: FastifyInstance): void {
  const db = app.db;
  const taken: string[] = [];
  for (const { kind, table, builtIn } of EXPORTED) {
    const slug = (table as unknown as { slug?: SQLiteColumn }).slug;
    const where = builtIn && slug ? notInArray(slug, builtIn) : undefined;
    const [{ n }] = db.select({ n: count() }).from(table).where(where).all();
    if (n > 0) taken.push(`${n} ${kind}`);
  }
  if (taken.length > 0) throw new ImportFileError(`the database is not empty (${taken.join(', ')}): a Newsdesk export is imported into an empty database (a new DATA_DIR)`);
}

const digestBuffer = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
