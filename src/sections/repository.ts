import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { atomic, single } from '../db/transaction.js';
import { purgeEntityWrite } from '../db/purgeQueue.js';
import { sections } from '../db/schema/index.js';

export type SectionRow = typeof sections.$inferSelect;

/** `clock` times the purges it queues (the app's clock, so tests that move time see them at that time). */
export function createSectionsRepository(db: Db, clock: Clock = systemClock) {
  return {
    async page(limit: number, after: { position: number; id: number } | null): Promise<SectionRow[]> {
      const keyset = after
        ? or(gt(sections.position, after.position), and(eq(sections.position, after.position), gt(sections.id, after.id)))
        : undefined;
      return db.select().from(sections).where(keyset).orderBy(asc(sections.position), asc(sections.id)).limit(limit).all();
    },
    async count(): Promise<number> {
      return db.$count(sections);
    },
    async findBySlug(slug: string): Promise<SectionRow | undefined> {
      return db.select().from(sections).where(eq(sections.slug, slug)).get();
    },
    /** ConflictError when the slug is taken. */
    async insert(row: typeof sections.$inferInsert): Promise<SectionRow> {
      return atomic(db, (tx) => {
        const created = tx.insert(sections).values(row).returning().get();
        purgeEntityWrite(tx, 'section', created.id, 'create', clock.now().toISOString()); // the CDN: its collection
        return created;
      });
    },
    /**
     * Updates only if the stored version is still `expectedVersion` (one conditional statement, so
     * two editors cannot both win); undefined when it moved on. ConflictError when the slug is taken.
     */
    async update(id: number, expectedVersion: number, patch: Partial<typeof sections.$inferInsert>): Promise<SectionRow | undefined> {
      return atomic(db, (tx) => {
        const row = tx
          .update(sections)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(sections.id, id), eq(sections.version, expectedVersion)))
          .returning()
          .get();
        if (row) purgeEntityWrite(tx, 'section', id, 'update', clock.now().toISOString()); // the CDN, same transaction
        return row;
      });
    },
    /** ReferenceViolationError while articles are filed under the section (the foreign key decides, not a prior count). */
    async delete(id: number): Promise<void> {
      await atomic(db, (tx) => {
        purgeEntityWrite(tx, 'section', id, 'delete', clock.now().toISOString()); // the CDN, hard, same transaction
        tx.delete(sections).where(eq(sections.id, id)).run();
      });
    },
  };
}

export type SectionsRepository = ReturnType<typeof createSectionsRepository>;
