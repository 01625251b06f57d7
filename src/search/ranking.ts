import type { SQL } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { HttpError } from '../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import { createSearchRepository, type Matching, type RankedId } from './repository.js';

/**
 * Relevance-ordered paging, shared by GET /v1/search and GET /v1/articles?q=…: keyset over
 * (bm25 rank, id). The cursor carries the last rank and id, plus a short hash of the query so a
 * cursor cannot be replayed against another query (400). Ranks depend on the whole index, so a
 * write between two page requests can shift an article across the page boundary, as with any
 * relevance paging; every page is still ordered and cheap.
 */
const RankCursor = z.tuple([z.literal('rel'), z.number(), z.number().int().positive(), z.string().max(16)]);

const queryTag = (match: string) => createHash('sha1').update(match).digest('base64url').slice(0, 8);

export interface RankedPage {
  hits: RankedId[];
  nextCursor: string | null;
  total: number;
}

export async function rankedPage(db: Db, m: Matching, conditions: SQL[], cursor: string | undefined, limit: number): Promise<RankedPage> {
  const repo = createSearchRepository(db);
  const tag = queryTag(m.match);
  let after: RankedId | null = null;
  if (cursor) {
    const [, rank, id, forQuery] = decodeCursor(cursor, RankCursor);
    if (forQuery !== tag) {
      throw new HttpError(400, 'The cursor belongs to another search; start again without it', {
        errors: [{ pointer: '/query/cursor', detail: 'was issued for a different q' }],
      });
    }
    after = { rank, id };
  }
  const rows = await repo.page(m, conditions, after, limit + 1);
  const hits = rows.slice(0, limit);
  const last = hits[hits.length - 1];
  return {
    hits,
    nextCursor: rows.length > limit && last ? encodeCursor(['rel', last.rank, last.id, tag]) : null,
    total: await repo.count(m, conditions),
  };
}
