import { readFileSync, statSync } from 'node:fs';
import { ImportFileError } from '../wordpress/wxr.js';

/**
 * A Ghost export (Settings → Import/Export, or `GET /ghost/api/admin/db/`): `{"db":[{"meta":
 * {"version":"6.65.0"},"data":{"posts":[…],…}}]}` (older ones without the `db` wrapper). Ghost
 * 4, 5 and 6 are read. A content export without images is small (a large site's is tens of MB),
 * so the file is parsed whole but bounded: above MAX_BYTES it is refused rather than read.
 */
export const MAX_BYTES = 512 * 1024 * 1024;
export const SUPPORTED_MAJOR = [4, 5, 6];

export type Row = Record<string, unknown>;
export interface GhostExport {
  version: string;
  data: Record<string, Row[]>;
}

export function readGhostExport(file: string): GhostExport {
  const size = statSync(file).size;
  if (size === 0) throw new ImportFileError('the file is empty');
  if (size > MAX_BYTES) throw new ImportFileError(`the file is ${(size / 1e9).toFixed(1)} GB; a Ghost content export is far smaller (at most ${MAX_BYTES / 1024 / 1024} MB is read)`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ImportFileError(`the file is not JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  const root = (doc && typeof doc === 'object' && Array.isArray((doc as Row).db) ? ((doc as { db: unknown[] }).db[0] as Row) : doc) as Row | null;
  const meta = root && typeof root === 'object' ? (root.meta as Row | undefined) : undefined;
  const data = root && typeof root === 'object' ? (root.data as Record<string, unknown> | undefined) : undefined;
  if (!meta || !data || typeof data !== 'object' || !Array.isArray(data.posts)) {
    throw new ImportFileError('not a Ghost export: expected {"db":[{"meta":{…},"data":{"posts":[…]}}]}');
  }
  const version = String(meta.version ?? '');
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (!SUPPORTED_MAJOR.includes(major)) throw new ImportFileError(`Ghost ${version || '(no version)'} exports are not supported (supported: Ghost ${SUPPORTED_MAJOR.join(', ')})`);
  const tables: Record<string, Row[]> = {};
  for (const [k, v] of Object.entries(data)) if (Array.isArray(v)) tables[k] = v.filter((r): r is Row => !!r && typeof r === 'object');
  return { version, data: tables };
}

/** A Ghost date: SQLite's "2026-11-24 08:15:00" (UTC) or ISO 8601; null when absent or not a date. */
export function ghostDate(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const t = typeof s === 'number' ? s : Date.parse(s);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
