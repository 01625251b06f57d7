import { and, asc, eq, gt, gte, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { authTokens, mailOutbox, meteredReads, newsletterDeliveries, newsletterSubscriptions, newsletters, paymentEvents, plans, sessions, subscribers, subscriptions } from '../../db/schema/index.js';
import type { Queryable } from '../../db/transaction.js';

export type SubscriberRow = typeof subscribers.$inferSelect;
export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;
export type AuthTokenRow = typeof authTokens.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type OutboxRow = typeof mailOutbox.$inferSelect;
export type OutboxInsert = typeof mailOutbox.$inferInsert;

/**
 * A newsletter choice named a slug that is no newsletter a subscriber can choose (unknown or
 * archived): the operation that met it writes nothing. The service answers 400 naming the slugs.
 */
export class UnknownNewsletterError extends Error {
  override readonly name = 'UnknownNewsletterError';
  constructor(readonly slugs: string[]) {
    super(`No newsletter to choose: ${slugs.join(', ')}`);
  }
}

/** A subscriber with their subscription and its plan (null before confirmation). */
export interface Account {
  subscriber: SubscriberRow;
  subscription: SubscriptionRow | null;
  plan: PlanRow | null;
}

/** What a subscriber's one subscription row holds (everything but its keys). */
export type SubscriptionValues = Omit<typeof subscriptions.$inferInsert, 'subscriberId' | 'id'>;

/** What spending one metered read gave: whether the read is allowed, and how many reads the period now holds. */
export interface MeterOutcome {
  granted: boolean;
  used: number;
}

/**
 * The statements of the accounts feature, bound to a connection or a transaction: the SQLite
 * building blocks of the accounts repository's operations (and of the payments repository's).
 * Synchronous (better-sqlite3), so they can run inside a transaction; never used above the data layer.
 */
export function accountStatements(q: Queryable) {
  const self = {
    subscriberByEmail(email: string): SubscriberRow | undefined {
      return q.select().from(subscribers).where(eq(subscribers.email, email)).get();
    },
    subscriberById(id: number): SubscriberRow | undefined {
      return q.select().from(subscribers).where(eq(subscribers.id, id)).get();
    },
    subscriberByStripeCustomer(customerId: string): SubscriberRow | undefined {
      return q.select().from(subscribers).where(eq(subscribers.stripeCustomerId, customerId)).get();
    },
    subscriptionByStripeId(stripeSubscriptionId: string): SubscriptionRow | undefined {
      return q.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, stripeSubscriptionId)).get();
    },
    insertSubscriber(row: typeof subscribers.$inferInsert): SubscriberRow {
      return q.insert(subscribers).values(row).returning().get();
    },
    updateSubscriber(id: number, patch: Partial<typeof subscribers.$inferInsert>): SubscriberRow {
      return q.update(subscribers).set(patch).where(eq(subscribers.id, id)).returning().get();
    },
    account(subscriberId: number): Account | undefined {
      const subscriber = self.subscriberById(subscriberId);
      if (!subscriber) return undefined;
      const row = q
        .select({ subscription: subscriptions, plan: plans })
        .from(subscriptions)
        .innerJoin(plans, eq(plans.id, subscriptions.planId))
        .where(eq(subscriptions.subscriberId, subscriberId))
        .get();
      return { subscriber, subscription: row?.subscription ?? null, plan: row?.plan ?? null };
    },
    planById(id: number): PlanRow | undefined {
      return q.select().from(plans).where(eq(plans.id, id)).get();
    },
    planBySlug(slug: string): PlanRow | undefined {
      return q.select().from(plans).where(eq(plans.slug, slug)).get();
    },
    /** Creates or replaces the subscriber's one subscription row. */
    upsertSubscription(subscriberId: number, values: Omit<typeof subscriptions.$inferInsert, 'subscriberId' | 'id'>): SubscriptionRow {
      return q
        .insert(subscriptions)
        .values({ ...values, subscriberId })
        .onConflictDoUpdate({ target: subscriptions.subscriberId, set: values })
        .returning()
        .get();
    },
    updateSubscription(subscriberId: number, patch: Partial<typeof subscriptions.$inferInsert>): void {
      q.update(subscriptions).set(patch).where(eq(subscriptions.subscriberId, subscriberId)).run();
    },
    /** An unused token of `purpose` issued to the subscriber after `since`, if any. */
    recentToken(subscriberId: number, purpose: 'confirm' | 'sign_in', since: string): AuthTokenRow | undefined {
      return q
        .select()
        .from(authTokens)
        .where(and(eq(authTokens.subscriberId, subscriberId), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt), gt(authTokens.createdAt, since)))
        .get();
    },
    insertToken(row: typeof authTokens.$inferInsert): void {
      q.insert(authTokens).values(row).run();
    },
    tokenById(id: string): AuthTokenRow | undefined {
      return q.select().from(authTokens).where(eq(authTokens.id, id)).get();
    },
    /** Marks a token used; false when it already was (single use, even under a race). */
    useToken(id: string, at: string): boolean {
      return q.update(authTokens).set({ usedAt: at }).where(and(eq(authTokens.id, id), isNull(authTokens.usedAt))).run().changes === 1;
    },
    deleteTokens(subscriberId: number): void {
      q.delete(authTokens).where(eq(authTokens.subscriberId, subscriberId)).run();
    },
    /** Drops used or expired tokens (housekeeping on each issue). */
    pruneTokens(now: string): void {
      q.delete(authTokens).where(or(lt(authTokens.expiresAt, now), sql`${authTokens.usedAt} IS NOT NULL`)).run();
    },
    insertSession(row: typeof sessions.$inferInsert): void {
      q.insert(sessions).values(row).run();
    },
    sessionById(id: string): SessionRow | undefined {
      return q.select().from(sessions).where(eq(sessions.id, id)).get();
    },
    revokeSession(id: string, at: string): void {
      q.update(sessions).set({ revokedAt: at }).where(and(eq(sessions.id, id), isNull(sessions.revokedAt))).run();
    },
    revokeSessions(subscriberId: number, at: string): void {
      q.update(sessions).set({ revokedAt: at }).where(and(eq(sessions.subscriberId, subscriberId), isNull(sessions.revokedAt))).run();
    },
    deleteSessions(subscriberId: number): void {
      q.delete(sessions).where(eq(sessions.subscriberId, subscriberId)).run();
    },
    activeSessionCount(subscriberId: number, now: string): number {
      const r = q
        .select({ n: sql<number>`count(*)` })
        .from(sessions)
        .where(and(eq(sessions.subscriberId, subscriberId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
        .get();
      return r?.n ?? 0;
    },
    insertOutbox(row: OutboxInsert): number {
      return q.insert(mailOutbox).values(row).returning({ id: mailOutbox.id }).get().id;
    },
    deleteOutbox(subscriberId: number): void {
      q.delete(mailOutbox).where(eq(mailOutbox.subscriberId, subscriberId)).run();
    },
    /** The ids of the active newsletters with these slugs; UnknownNewsletterError naming any other slug. */
    choosableNewsletters(slugs: string[]): number[] {
      const wanted = [...new Set(slugs)];
      if (wanted.length === 0) return [];
      const rows = q
        .select({ id: newsletters.id, slug: newsletters.slug })
        .from(newsletters)
        .where(and(inArray(newsletters.slug, wanted), eq(newsletters.status, 'active')))
        .all();
      const found = new Set(rows.map((r) => r.slug));
      const missing = wanted.filter((w) => !found.has(w));
      if (missing.length > 0) throw new UnknownNewsletterError(missing);
      return rows.map((r) => r.id);
    },
    /** Active newsletters new sign-ups get when they choose none. */
    signupNewsletters(): number[] {
      return q
        .select({ id: newsletters.id })
        .from(newsletters)
        .where(and(eq(newsletters.status, 'active'), eq(newsletters.subscribeOnSignup, true)))
        .all()
        .map((r) => r.id);
    },
    /** Slugs of the active newsletters the subscriber gets, in the newsletters' order. */
    newsletterSlugsOf(subscriberId: number): string[] {
      return q
        .select({ slug: newsletters.slug })
        .from(newsletterSubscriptions)
        .innerJoin(newsletters, eq(newsletters.id, newsletterSubscriptions.newsletterId))
        .where(and(eq(newsletterSubscriptions.subscriberId, subscriberId), eq(newsletters.status, 'active')))
        .orderBy(asc(newsletters.position), asc(newsletters.id))
        .all()
        .map((r) => r.slug);
    },
    /**
     * Makes the subscriber's active newsletters exactly `ids` (choices of archived newsletters are
     * kept: they come back if it is un-archived).
     */
    setNewsletters(subscriberId: number, ids: number[], at: string): void {
      const active = q.select({ id: newsletters.id }).from(newsletters).where(eq(newsletters.status, 'active'));
      q.delete(newsletterSubscriptions)
        .where(
          and(
            eq(newsletterSubscriptions.subscriberId, subscriberId),
            inArray(newsletterSubscriptions.newsletterId, active),
            ids.length > 0 ? notInArray(newsletterSubscriptions.newsletterId, ids) : undefined,
          ),
        )
        .run();
      if (ids.length > 0) {
        q.insert(newsletterSubscriptions)
          .values(ids.map((newsletterId) => ({ newsletterId, subscriberId, createdAt: at })))
          .onConflictDoNothing()
          .run();
      }
    },
    /** Erasure: no newsletter choice, nothing left queued for them, and their address gone from the delivery log. */
    deleteNewsletterSubscriptions(subscriberId: number): void {
      q.delete(newsletterSubscriptions).where(eq(newsletterSubscriptions.subscriberId, subscriberId)).run();
      q.delete(newsletterDeliveries).where(and(eq(newsletterDeliveries.subscriberId, subscriberId), inArray(newsletterDeliveries.status, ['queued', 'claimed']))).run();
      q.update(newsletterDeliveries).set({ email: '' }).where(eq(newsletterDeliveries.subscriberId, subscriberId)).run();
    },
    readsInPeriod(subscriberId: number, period: string): number[] {
      return q
        .select({ articleId: meteredReads.articleId })
        .from(meteredReads)
        .where(and(eq(meteredReads.subscriberId, subscriberId), eq(meteredReads.period, period)))
        .all()
        .map((r) => r.articleId);
    },
    /**
     * Spends one metered read, if the allowance has room: a conditional insert that counts the
     * period's reads in the same statement, so two simultaneous first reads cannot both pass a
     * count each took before the other wrote (the repository runs it in an IMMEDIATE transaction,
     * so another process's write cannot slip in between either). Re-reading an article already
     * opened this period costs nothing. Returns whether the read is allowed and how many reads
     * the period now holds.
     */
    spendRead(subscriberId: number, articleId: number, period: string, at: string, limit: number): MeterOutcome {
      const inserted = q.run(sql`
        INSERT INTO ${meteredReads} (subscriber_id, article_id, period, read_at)
        SELECT ${subscriberId}, ${articleId}, ${period}, ${at}
        WHERE (SELECT count(*) FROM ${meteredReads} WHERE subscriber_id = ${subscriberId} AND period = ${period}) < ${limit}
        ON CONFLICT DO NOTHING`);
      const used = self.readsInPeriod(subscriberId, period);
      return { granted: inserted.changes === 1 || used.includes(articleId), used: used.length };
    },
    deleteReads(subscriberId: number): void {
      q.delete(meteredReads).where(eq(meteredReads.subscriberId, subscriberId)).run();
    },
    planByStripePrice(priceId: string): PlanRow | undefined {
      return q.select().from(plans).where(eq(plans.stripePriceId, priceId)).get();
    },
    /** Claims a payment event id; false when it was already processed (a redelivery). */
    claimPaymentEvent(id: string, type: string, at: string): boolean {
      return q.insert(paymentEvents).values({ id, type, outcome: 'processing', receivedAt: at }).onConflictDoNothing().run().changes === 1;
    },
    /** Whether a customer.subscription.deleted event was applied to the subscriber at or after `since`. */
    stripeDeletionSince(subscriberId: number, since: string): boolean {
      return q
        .select({ id: paymentEvents.id })
        .from(paymentEvents)
        .where(
          and(
            eq(paymentEvents.subscriberId, subscriberId),
            eq(paymentEvents.type, 'customer.subscription.deleted'),
            eq(paymentEvents.outcome, 'cancelled'),
            gte(paymentEvents.receivedAt, since),
          ),
        )
        .get() !== undefined;
    },
    setPaymentEventOutcome(id: string, outcome: string, subscriberId: number | null): void {
      q.update(paymentEvents).set({ outcome, subscriberId }).where(eq(paymentEvents.id, id)).run();
    },
  };
  return self;
}

