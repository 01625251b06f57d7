import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Per purge target (a CDN_PURGE_URLS entry): what the last attempt there did. */
export interface PurgeTargetResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  at: string;
}

/**
 * The CDN purge queue: one row per write that changed public answers, inserted in the write's own
 * transaction (src/db/purgeQueue.ts), sent by the worker (src/cdn/worker.ts) to every target.
 */
export const cdnPurges = sqliteTable(
  'cdn_purges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Surrogate keys (JSON array, src/lib/surrogateKeys.ts). */
    keys: text('keys', { mode: 'json' }).$type<string[]>().notNull(),
    /** Hard: the stored answers are dropped (never served again, not even stale); else marked stale. */
    hard: integer('hard', { mode: 'boolean' }).notNull().default(false),
    /** What caused it, e.g. article.publish, tag.update, time.live. */
    reason: text('reason').notNull(),
    /** pending | done | failed (gave up) */
    status: text('status', { enum: ['pending', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (null: at once); while an attempt is in flight, the lease expiry. */
    nextAttemptAt: text('next_attempt_at'),
    /** Per target URL, the outcome of its last attempt (a target that succeeded is not sent again). */
    results: text('results', { mode: 'json' }).$type<Record<string, PurgeTargetResult>>().notNull().default({}),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
  },
  (t) => [index('cdn_purges_due_idx').on(t.status, t.nextAttemptAt)],
);

/** One row (id 1): up to when time-based changes (stories going live, archive, photo expiry) were purged. */
export const cdnSweep = sqliteTable('cdn_sweep', {
  id: integer('id').primaryKey(),
  sweptUntil: text('swept_until').notNull(),
});
