import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../lib/httpError.js';

/**
 * Keyset pagination shared by every list: an opaque cursor carries the sort key and id of the
 * last item served, so any page costs what the first page costs. Cursors are base64url JSON
 * checked against the list's own shape: a malformed or forged one is a 400, never a 500.
 */
export const limitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(20)
  .describe('Items per page (1–100, default 20)');

export const cursorQuery = z
  .string()
  .max(512)
  .optional()
  .describe('Opaque cursor from meta.nextCursor of the previous page');

export const ListMeta = z
  .object({
    nextCursor: z.string().nullable().describe('Cursor for the next page; null on the last page'),
    total: z.number().int().optional().describe('Number of items matching the filters, when cheap to know'),
  })
  .meta({ id: 'ListMeta' });

export function encodeCursor(values: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor and checks it against `shape` (a zod tuple of the keyset values). */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.output<T> {
  const fail = () => new HttpError(400, 'The cursor is malformed or does not belong to this list', {
    errors: [{ pointer: '/query/cursor', detail: 'is not a cursor this list issued' }],
  });
  let raw: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw fail();
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) throw fail();
  return parsed.data;
}

/** Adds an RFC 8288 `Link: <…>; rel="next"` header pointing at the next page. */
export function setNextLink(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  if (!nextCursor) return;
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('cursor', nextCursor);
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
}
