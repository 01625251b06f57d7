import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, feedTokens, keyLicences, sections } from '../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type LicenceRow = typeof keyLicences.$inferSelect;
export type FeedTokenRow = typeof feedTokens.$inferSelect;

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
    /** A new secret for a key that is not revoked; false when there is none. */
    async replaceSecret(id: string, secretHash: string): Promise<boolean> {
      const r = db.update(apiKeys).set({ secretHash }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).run();
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

/** Partner licences of keys and their feed tokens. */
export function createLicencesRepository(db: Db) {
  return {
    async find(keyId: string): Promise<LicenceRow | undefined> {
      return db.select().from(keyLicences).where(eq(keyLicences.keyId, keyId)).get();
    },
    async findMany(keyIds: string[]): Promise<LicenceRow[]> {
      if (keyIds.length === 0) return [];
      return db.select().from(keyLicences).where(inArray(keyLicences.keyId, keyIds)).all();
    },
    /** Sets the licence of a key: one statement, so a concurrent set of the same key cannot fail on the key. */
    async upsert(row: typeof keyLicences.$inferInsert): Promise<LicenceRow> {
      return db
        .insert(keyLicences)
        .values(row)
        .onConflictDoUpdate({
          target: keyLicences.keyId,
          set: { sections: row.sections, fullText: row.fullText, usageTerms: row.usageTerms, rateLimit: row.rateLimit, updatedAt: row.updatedAt },
        })
        .returning()
        .get();
    },
    async remove(keyId: string): Promise<void> {
      db.delete(keyLicences).where(eq(keyLicences.keyId, keyId)).run();
    },
    /** Those of `slugs` that name no section. */
    async unknownSections(slugs: string[]): Promise<string[]> {
      if (slugs.length === 0) return [];
      const found = new Set(db.select({ slug: sections.slug }).from(sections).where(inArray(sections.slug, slugs)).all().map((r) => r.slug));
      return slugs.filter((s) => !found.has(s));
    },
    async insertToken(row: typeof feedTokens.$inferInsert): Promise<void> {
      db.insert(feedTokens).values(row).run();
    },
    async tokensOf(keyId: string): Promise<FeedTokenRow[]> {
      return db.select().from(feedTokens).where(eq(feedTokens.keyId, keyId)).orderBy(desc(feedTokens.createdAt)).all();
    },
    /** The token row and its key, for resolving `?token=`. */
    async tokenWithKey(id: string): Promise<{ token: FeedTokenRow; key: ApiKeyRow } | undefined> {
      return db
        .select({ token: feedTokens, key: apiKeys })
        .from(feedTokens)
        .innerJoin(apiKeys, eq(apiKeys.id, feedTokens.keyId))
        .where(eq(feedTokens.id, id))
        .get();
    },
    async revokeToken(keyId: string, id: string, at: string): Promise<boolean> {
      const r = db
        .update(feedTokens)
        .set({ revokedAt: at })
        .where(and(eq(feedTokens.id, id), eq(feedTokens.keyId, keyId), isNull(feedTokens.revokedAt)))
        .run();
      return r.changes > 0;
    },
    async touchToken(id: string, at: string): Promise<void> {
      db.update(feedTokens).set({ lastUsedAt: at }).where(eq(feedTokens.id, id)).run();
    },
  };
}

export type LicencesRepository = ReturnType<typeof createLicencesRepository>;
