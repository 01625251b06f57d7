import { z } from 'zod';
import { HttpError } from '../lib/httpError.js';

/** URL-safe identifiers: lowercase letters, digits and single hyphens. */
export const Slug = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens');

export const IsoDateTime = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');

/** `If-Match` header for optimistic concurrency on writes. */
export const IfMatchHeaders = z.object({
  'if-match': z.string().max(200).optional().describe('ETag (or "version") the change is based on; 412 when stale'),
});

/**
 * Parses an If-Match header into a version number. Accepts the ETag a GET returned
 * (`"v3"`, `"v3-anonymous"`, `W/"v3"`), a bare `3`, or `*`. Anything else is -1 (never matches).
 */
export function versionFromIfMatch(header: string | undefined): number | null | 'any' {
  if (header === undefined) return null;
  const t = header.trim();
  if (t === '*') return 'any';
  const m = /^(?:W\/)?"?v?(\d+)(?:-[a-z0-9-]+)?"?$/.exec(t);
  return m ? Number(m[1]) : -1;
}

/** 412 when an If-Match version (see versionFromIfMatch) is not the resource's current one. */
export function assertIfMatch(expected: number | null | 'any', current: number, what: string): void {
  if (typeof expected === 'number' && expected !== current) {
    throw new HttpError(412, `The ${what} is at version ${current}; your request was based on another`);
  }
}
