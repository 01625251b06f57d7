import { z } from 'zod';
import { HttpError } from '../lib/httpError.js';

/** URL-safe identifiers: lowercase letters, digits and single hyphens. */
export const Slug = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens');

/**
 * One line of text (names, titles, headlines, labels): trimmed, and no control characters at all
 * (C0 such as NUL, tab and line breaks; DEL; C1). A 400 names the field.
 */
export const ONE_LINE = /^[^\x00-\x1f\x7f-\x9f]*$/;
export const oneLine = (max: number, min = 1) =>
  z.string().trim().min(min).max(max).regex(ONE_LINE, 'must be one line of text without control characters (no NUL, tab or line break)');

/** Text that may run over several lines (descriptions, bios, captions, bodies): tab, LF and CR allowed, other control characters (NUL…) not. */
export const MULTI_LINE = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$/;
export const MULTI_LINE_MESSAGE = 'must not contain control characters other than tab and line breaks (no NUL)';
export const multiLine = (max: number, min = 0) => z.string().trim().min(min).max(max).regex(MULTI_LINE, MULTI_LINE_MESSAGE);

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
