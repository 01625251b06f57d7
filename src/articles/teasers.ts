import { eq, gt, isNull, lt, or } from 'drizzle-orm';
import { readerTeaser, type Block } from '../content/blocks.js';
import { cleanStoredBlocks } from '../content/inlineHtml.js';
import { renderText } from '../content/render.js';
import type { Db } from '../db/client.js';
import { articles } from '../db/schema/index.js';
import { reindexArticle } from '../search/repository.js';

/**
 * What a reader without access sees of a body, kept beside it at write time for the queries that
 * must know it before any article is rendered: the search index's teaser copy
 * (articles_fts_teaser) and which photos every reader is shown (search_photo_refs.in_teaser).
 * It is the reader's view's own teaser (content/blocks.ts readerTeaser), so it depends on
 * TEASER_BLOCKS: the setting is stored with it, and a start with another setting recomputes it.
 */
export function teaserColumns(blocks: readonly Block[], teaserBlocks: number) {
  const teaser = readerTeaser(blocks, teaserBlocks);
  return { teaserText: renderText(teaser), teaserBlocks: teaser.length, teaserSetting: teaserBlocks };
}

/**
 * Recomputes the teaser columns (and re-indexes) every article computed with another TEASER_BLOCKS
 * or never computed (rows from before migration 0015, or written by other tools), in transactions
 * of `batch` articles. Run at start, before the app answers. Returns how many it recomputed.
 */
export function refreshTeasers(db: Db, teaserBlocks: number, batch = 500): number {
  // Said as ranges so that articles_teaser_setting_idx answers it (a start with nothing to do reads no row).
  const stale = or(isNull(articles.teaserSetting), lt(articles.teaserSetting, teaserBlocks), gt(articles.teaserSetting, teaserBlocks));
  let done = 0;
  for (;;) {
    const n = db.transaction((tx) => {
      const rows = tx.select({ id: articles.id, body: articles.body }).from(articles).where(stale).limit(batch).all();
      for (const row of rows) {
        const blocks = cleanStoredBlocks((Array.isArray(row.body) ? row.body : []) as unknown as Block[]);
        tx.update(articles).set(teaserColumns(blocks, teaserBlocks)).where(eq(articles.id, row.id)).run();
        reindexArticle(tx, row.id);
      }
      return rows.length;
    });
    done += n;
    if (n < batch) return done;
  }
}
