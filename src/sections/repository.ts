import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { single } from '../db/transaction.js';
import { sections } from '../db/schema/index.js';

export type SectionRow = typeof sections.$inferSelect;

export function createSectionsRepository(db: Db) {
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
      return single(() => db.insert(sections).values(row).returning().get());
    },
    /**
     * Updates only if the stored version is still `expectedVersion` (one conditional statement, so
     * two editors cannot both win); undefined when it moved on. ConflictError when the slug is taken.
     */
    async update(id: number, expectedVersion: number, patch: Partial<typeof sections.$inferInsert>): Promise<SectionRow | undefined> {
      return single(() =>
        db
          .update(sections)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(sections.id, id), eq(sections.version, expectedVersion)))
          .returning()
          .get(),
      );
    },
    /** ReferenceViolationError while articles are filed under the section (the foreign key decides, not a prior count). */
    async delete(id: number): Promise<void> {
      await single(() => db.delete(sections).where(eq(sections.id, id)).run());
    },
  };
}

export type SectionsRepository = ReturnType<typeof createSectionsRepository>;
