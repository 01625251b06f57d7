import { and, asc, desc, eq, lt, lte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { webhookDeliveries, webhookEndpoints } from '../db/schema/index.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type DeliveryStatus = DeliveryRow['status'];

export function createWebhooksRepository(db: Db) {
  return {
    async insertEndpoint(row: typeof webhookEndpoints.$inferInsert): Promise<EndpointRow> {
      return db.insert(webhookEndpoints).values(row).returning().get();
    },
    async endpoints(): Promise<EndpointRow[]> {
      return db.select().from(webhookEndpoints).orderBy(asc(webhookEndpoints.id)).all();
    },
    async endpoint(id: number): Promise<EndpointRow | undefined> {
      return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
    },
    async updateEndpoint(id: number, patch: Partial<typeof webhookEndpoints.$inferInsert>): Promise<EndpointRow | undefined> {
      return db.update(webhookEndpoints).set(patch).where(eq(webhookEndpoints.id, id)).returning().get();
    },
    async deleteEndpoint(id: number): Promise<boolean> {
      return db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).run().changes > 0;
    },

    /** Deliveries of one endpoint, newest first, keyset on id. */
    async deliveries(endpointId: number, limit: number, beforeId: number | null, status?: DeliveryStatus): Promise<DeliveryRow[]> {
      const filters = [eq(webhookDeliveries.endpointId, endpointId)];
      if (beforeId !== null) filters.push(lt(webhookDeliveries.id, beforeId));
      if (status) filters.push(eq(webhookDeliveries.status, status));
      return db.select().from(webhookDeliveries).where(and(...filters)).orderBy(desc(webhookDeliveries.id)).limit(limit).all();
    },
    async countDeliveries(endpointId: number, status?: DeliveryStatus): Promise<number> {
      const filters = [eq(webhookDeliveries.endpointId, endpointId)];
      if (status) filters.push(eq(webhookDeliveries.status, status));
      return db.$count(webhookDeliveries, and(...filters));
    },
    async delivery(endpointId: number, id: number): Promise<DeliveryRow | undefined> {
      return db
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)))
        .get();
    },
    async insertDelivery(row: typeof webhookDeliveries.$inferInsert): Promise<DeliveryRow> {
      return db.insert(webhookDeliveries).values(row).returning().get();
    },

    /**
     * Claims up to `limit` due deliveries: in one transaction, picks pending rows whose next attempt
     * is due and pushes their next attempt to `leaseUntil`, so no other worker (or tick) takes them
     * meanwhile. If the process dies mid-attempt, the lease runs out and the row is tried again.
     */
    async claimDue(now: string, leaseUntil: string, limit: number): Promise<DeliveryRow[]> {
      return db.transaction((tx) => {
        const due = tx
          .select()
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
          .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
          .limit(limit)
          .all();
        for (const d of due) {
          tx.update(webhookDeliveries).set({ nextAttemptAt: leaseUntil }).where(eq(webhookDeliveries.id, d.id)).run();
        }
        return due;
      });
    },
    async nextDueAt(): Promise<string | null> {
      const row = db
        .select({ at: webhookDeliveries.nextAttemptAt })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.status, 'pending'))
        .orderBy(asc(webhookDeliveries.nextAttemptAt))
        .limit(1)
        .get();
      return row?.at ?? null;
    },
    async savePayload(id: number, payload: string): Promise<void> {
      db.update(webhookDeliveries).set({ payload }).where(eq(webhookDeliveries.id, id)).run();
    },
    async recordAttempt(id: number, patch: Partial<typeof webhookDeliveries.$inferInsert>): Promise<void> {
      db.update(webhookDeliveries).set(patch).where(eq(webhookDeliveries.id, id)).run();
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
