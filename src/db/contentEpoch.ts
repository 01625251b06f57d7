import { performance } from 'node:perf_hooks';
import type { Db } from './client.js';

/**
 * The content epochs (migrations/0009_content_epoch.sql): numbers that move with every committed
 * write to rendered content, from any process. `articles`: articles and their bylines, tags,
 * corrections, old slugs (an article's own edits also bump its version). `shared`: authors, tags,
 * sections, photos, plans, which any article may show. Caches of rendered JSON key on them.
 *
 * Contract, for any engine: the numbers are moved by triggers inside the transaction of the write
 * itself, so they commit (or roll back, or vanish in a crash) with it: a reader that sees a write
 * sees its epoch moved, and an epoch never moves for a write that did not commit. They only grow.
 */
export interface ContentEpochs {
  articles: number;
  shared: number;
}

/**
 * A reader of the epochs that costs next to nothing, since every cached read asks. The rows are
 * read only when something may have moved them:
 * - this connection wrote anything (sqlite3_total_changes, a counter in memory, no I/O): a
 *   content write shows at once, while a reader-side write (a metered read) changes nothing;
 * - another connection committed (PRAGMA data_version, which takes the WAL read lock), checked at
 *   most every `externalCheckMs`: a write by the CLI or a second server on the same file reaches
 *   cached reads within that time.
 */
export function createContentEpoch(db: Db, externalCheckMs: number): () => ContentEpochs {
  const sqlite = db.$client;
  const totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  const rows = sqlite.prepare<[], { scope: keyof ContentEpochs; n: number }>('SELECT scope, n FROM content_epoch');
  let changes = -1;
  let version = -1;
  let checkedAt = -Infinity;
  let epochs: ContentEpochs = { articles: 0, shared: 0 };
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
    if (stale) {
      const next = { articles: 0, shared: 0 };
      for (const r of rows.all()) next[r.scope] = r.n;
      // A new object only when a number moved: callers may compare by identity.
      if (next.articles !== epochs.articles || next.shared !== epochs.shared) epochs = next;
    }
    return epochs;
  };
}
