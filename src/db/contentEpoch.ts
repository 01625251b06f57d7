import { performance } from 'node:perf_hooks';
import type { Db } from './client.js';

/**
 * The content epoch (migrations/0009_content_epoch.sql): a number that moves with every committed
 * write to a table whose rows are rendered (articles, bylines, tags, authors, sections, photos,
 * plans …), from any process. Caches of rendered JSON key on it.
 *
 * Reading it must cost next to nothing, since every cached read asks. So the row is read only
 * when something may have moved it:
 * - this connection wrote anything (sqlite3_total_changes, a counter in memory, no I/O): a
 *   content write shows at once, while a reader-side write (a metered read) leaves the epoch and
 *   the caches alone;
 * - another connection committed (PRAGMA data_version, which takes the WAL read lock), checked at
 *   most every `externalCheckMs`: a write by the CLI or a second server on the same file reaches
 *   cached reads within that time.
 */
export function createContentEpoch(db: Db, externalCheckMs: number): () => number {
  const sqlite = db.$client;
  const totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  const epochRow = sqlite.prepare('SELECT n FROM content_epoch WHERE id = 1').pluck();
  let changes = -1;
  let version = -1;
  let checkedAt = -Infinity;
  let epoch = 0;
  return () => {
    let stale = false;
    const c = totalChanges.get() as number;
    if (c !== changes) {
      changes = c;
      stale = true;
    }
    const t = performance.now();
    if (t - checkedAt >= externalCheckMs) {
      checkedAt = t;
      const v = dataVersion.get() as number;
      if (v !== version) {
        version = v;
        stale = true;
      }
    }
    if (stale) epoch = epochRow.get() as number;
    return epoch;
  };
}
