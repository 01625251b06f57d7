import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
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
    async insert(row: typeof sections.$inferInsert): Promise<SectionRow> {
      return db.insert(sections).values(row).returning().get();
    },
    /** Updates only if the stored version is still `expectedVersion`; undefined when it moved on. */
    async update(id: number, expectedVersion: number, patch: Partial<typeof sections.$inferInsert>): Promise<SectionRow | undefined> {
      return db
        .update(sections)
        .set({ ...patch, version: expectedVersion + 1 })
        .where(and(eq(sections.id, id), eq(sections.version, expectedVersion)))
        .returning()
        .get();
    },
    async delete(id: number): Promise<void> {
      db.delete(sections).where(eq(sections.id, id)).run();
    },
  };
}
