import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { mailOutbox } from '../../db/schema/index.js';

export type OutboxRow = typeof mailOutbox.$inferSelect;

export function createOutboxRepository(db: Db) {
  return {
    async byId(id: number): Promise<OutboxRow | undefined> {
      return db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
    },
    async markSent(id: number, at: string): Promise<void> {
      // Delivered: the body (with its one-time token) is not kept.
      db.update(mailOutbox).set({ status: 'sent', sentAt: at, textBody: null, htmlBody: null, error: null }).where(eq(mailOutbox.id, id)).run();
    },
    async markFailed(id: number, error: string): Promise<void> {
      db.update(mailOutbox).set({ status: 'failed', error: error.slice(0, 500) }).where(eq(mailOutbox.id, id)).run();
    },
    /** Newest first; keyset on id. */
    async page(filter: { to?: string }, limit: number, beforeId: number | null): Promise<OutboxRow[]> {
      return db
        .select()
        .from(mailOutbox)
        .where(and(filter.to ? eq(mailOutbox.toAddress, filter.to) : undefined, beforeId !== null ? lt(mailOutbox.id, beforeId) : undefined))
        .orderBy(desc(mailOutbox.id))
        .limit(limit)
        .all();
    },
    async count(filter: { to?: string }): Promise<number> {
      return db.$count(mailOutbox, filter.to ? eq(mailOutbox.toAddress, filter.to) : undefined);
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
