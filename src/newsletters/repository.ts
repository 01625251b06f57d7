import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { single } from '../db/transaction.js';
import { newsletterSubscriptions, newsletters, sections, tags } from '../db/schema/index.js';

export type NewsletterRow = typeof newsletters.$inferSelect;

/** The newsletters' data layer: the newsletters themselves (who chose which is the accounts repository's). */
export function createNewslettersRepository(db: Db) {
  return {
    async list(status?: NewsletterRow['status']): Promise<NewsletterRow[]> {
      return db
        .select()
        .from(newsletters)
        .where(status ? eq(newsletters.status, status) : undefined)
        .orderBy(asc(newsletters.position), asc(newsletters.id))
        .all();
    },
    async findBySlug(slug: string): Promise<NewsletterRow | undefined> {
      return db.select().from(newsletters).where(eq(newsletters.slug, slug)).get();
    },
    /** The next free display position (after the last newsletter). */
    async nextPosition(): Promise<number> {
      const r = db.select({ p: sql<number | null>`max(${newsletters.position})` }).from(newsletters).get();
      return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
    },
    async findById(id: number): Promise<NewsletterRow | undefined> {
      return db.select().from(newsletters).where(eq(newsletters.id, id)).get();
    },
    /** Subscribers per newsletter (one query). */
    async subscriberCounts(ids: number[]): Promise<Map<number, number>> {
      if (ids.length === 0) return new Map();
      const rows = db
        .select({ id: newsletterSubscriptions.newsletterId, n: sql<number>`count(*)` })
        .from(newsletterSubscriptions)
        .where(inArray(newsletterSubscriptions.newsletterId, ids))
        .groupBy(newsletterSubscriptions.newsletterId)
        .all();
      return new Map(rows.map((r) => [r.id, Number(r.n)]));
    },
    /** Which of these section and tag slugs exist. */
    async knownTaxonomy(sectionSlugs: string[], tagSlugs: string[]): Promise<{ sections: Set<string>; tags: Set<string> }> {
      const s = sectionSlugs.length ? db.select({ slug: sections.slug }).from(sections).where(inArray(sections.slug, sectionSlugs)).all() : [];
      const t = tagSlugs.length ? db.select({ slug: tags.slug }).from(tags).where(inArray(tags.slug, tagSlugs)).all() : [];
      return { sections: new Set(s.map((r) => r.slug)), tags: new Set(t.map((r) => r.slug)) };
    },
    /** ConflictError when the slug is taken. */
    async insert(row: typeof newsletters.$inferInsert): Promise<NewsletterRow> {
      return single(() => db.insert(newsletters).values(row).returning().get());
    },
    /** Only if the stored version is still `expectedVersion`: undefined when it moved on. ConflictError when the slug is taken. */
    async update(id: number, expectedVersion: number, patch: Partial<typeof newsletters.$inferInsert>): Promise<NewsletterRow | undefined> {
      return single(() =>
        db
          .update(newsletters)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(newsletters.id, id), eq(newsletters.version, expectedVersion)))
          .returning()
          .get(),
      );
    },
  };
}

export type NewslettersRepository = ReturnType<typeof createNewslettersRepository>;
