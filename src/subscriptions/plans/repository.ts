import { and, asc, count, eq, gt, inArray, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { atomic, single } from '../../db/transaction.js';
import { plans, sections, subscribers, subscriptions } from '../../db/schema/index.js';

export type PlanRow = typeof plans.$inferSelect;

/** The plan every confirmed subscriber has unless they pay for another (seeded by a migration, never deleted). */
export const FREE_PLAN_SLUG = 'free';

export function createPlansRepository(db: Db) {
  // Prepared on first use: every paywall and subscribe prompt reads the plans.
  const prepareAll = () => db.select().from(plans).orderBy(asc(plans.position), asc(plans.priceCents), asc(plans.id)).prepare();
  let allPlans: ReturnType<typeof prepareAll> | undefined;
  return {
    async page(limit: number, after: { position: number; id: number } | null, includeInactive: boolean): Promise<PlanRow[]> {
      const keyset = after
        ? or(gt(plans.position, after.position), and(eq(plans.position, after.position), gt(plans.id, after.id)))
        : undefined;
      return db
        .select()
        .from(plans)
        .where(and(keyset, includeInactive ? undefined : eq(plans.active, true)))
        .orderBy(asc(plans.position), asc(plans.id))
        .limit(limit)
        .all();
    },
    async count(includeInactive: boolean): Promise<number> {
      return db.$count(plans, includeInactive ? undefined : eq(plans.active, true));
    },
    async all(): Promise<PlanRow[]> {
      allPlans ??= prepareAll();
      return allPlans.all();
    },
    async findBySlug(slug: string): Promise<PlanRow | undefined> {
      return db.select().from(plans).where(eq(plans.slug, slug)).get();
    },
    async findById(id: number): Promise<PlanRow | undefined> {
      return db.select().from(plans).where(eq(plans.id, id)).get();
    },
    async findByStripePrice(priceId: string): Promise<PlanRow | undefined> {
      return db.select().from(plans).where(eq(plans.stripePriceId, priceId)).get();
    },
    /** ConflictError when the slug (or the Stripe price) is taken. */
    async insert(row: typeof plans.$inferInsert): Promise<PlanRow> {
      return single(() => db.insert(plans).values(row).returning().get());
    },
    /** Only if the stored version is still `expectedVersion`: undefined when it moved on. ConflictError when the slug is taken. */
    async update(id: number, expectedVersion: number, patch: Partial<typeof plans.$inferInsert>): Promise<PlanRow | undefined> {
      return single(() =>
        db
          .update(plans)
          .set({ ...patch, version: expectedVersion + 1 })
          .where(and(eq(plans.id, id), eq(plans.version, expectedVersion)))
          .returning()
          .get(),
      );
    },
    /**
     * Deletes the plan unless a subscription uses it (false when in use), in one transaction with
     * forgetting it as the plan pending sign-ups asked for: a subscription cannot start on it meanwhile.
     */
    async deleteUnused(id: number): Promise<boolean> {
      return atomic(db, (tx) => {
        const used = tx.select({ n: count() }).from(subscriptions).where(eq(subscriptions.planId, id)).get();
        if ((used?.n ?? 0) > 0) return false;
        tx.update(subscribers).set({ requestedPlanId: null }).where(eq(subscribers.requestedPlanId, id)).run();
        tx.delete(plans).where(eq(plans.id, id)).run();
        return true;
      });
    },
    /** The section slugs among `slugs` that do not exist. */
    async missingSections(slugs: string[]): Promise<string[]> {
      if (slugs.length === 0) return [];
      const found = new Set(db.select({ slug: sections.slug }).from(sections).where(inArray(sections.slug, slugs)).all().map((r) => r.slug));
      return slugs.filter((s) => !found.has(s));
    },
  };
}

export type PlansRepository = ReturnType<typeof createPlansRepository>;
