import { desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, keyLicences } from '../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function createKeysRepository(db: Db) {
  return {
    async insert(row: typeof apiKeys.$inferInsert): Promise<void> {
      db.insert(apiKeys).values(row).run();
    },
    /** Inserts a key and (when given) its licence in one transaction. */
    async insertWithLicence(row: typeof apiKeys.$inferInsert, licence: typeof keyLicences.$inferInsert | null): Promise<void> {
      db.transaction((tx) => {
        tx.insert(apiKeys).values(row).run();
        if (licence) tx.insert(keyLicences).values(licence).run();
      });
    },
    async findById(id: string): Promise<ApiKeyRow | undefined> {
      return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
    },
    async list(): Promise<ApiKeyRow[]> {
      return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt)).all();
    },
    async revoke(id: string, at: string): Promise<boolean> {
      const r = db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).run();
      return r.changes > 0;
    },
    async touch(id: string, at: string): Promise<void> {
      db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run();
    },
    async countActive(): Promise<number> {
      return db.$count(apiKeys, isNull(apiKeys.revokedAt));
    },
  };
}

export type KeysRepository = ReturnType<typeof createKeysRepository>;
