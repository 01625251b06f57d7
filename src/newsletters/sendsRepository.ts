import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  mailOutbox, mailSuppressions, newsletterDeliveries, newsletterRenditions, newsletterSecrets, newsletterSends, newsletterSubscriptions,
  plans, subscribers, subscriptions,
} from '../db/schema/index.js';
import { atomic, single } from '../db/transaction.js';

export type SendRow = typeof newsletterSends.$inferSelect;
export type DeliveryRow = typeof newsletterDeliveries.$inferSelect;
export type RenditionRow = typeof newsletterRenditions.$inferSelect;
export type SuppressionRow = typeof mailSuppressions.$inferSelect;

/** A subscriber of the newsletter as the send's start reads them: enough to decide their audience. */
export interface RecipientFacts {
  subscriberId: number;
  email: string;
  subscription: typeof subscriptions.$inferSelect | null;
  plan: typeof plans.$inferSelect | null;
  suppressed: boolean;
}

export type DeliveryStatus = DeliveryRow['status'];
const OPEN: DeliveryStatus[] = ['queued', 'claimed', 'sending'];

/**
 * The sends' data layer: send records, their renditions and the delivery queue. The queue's
 * contract (for any engine): a send's recipients are written in the transaction that starts it
 * (all or none); a delivery is claimed by one worker (`claim` moves queued → claimed in one
 * statement), marked `sending` in its own commit just before it is handed to SMTP and `sent`
 * right after; on restart `recover` puts claimed ones back (never handed over) and marks sending
 * ones interrupted (maybe delivered: never sent again). So no reader gets an issue twice; the one
 * window is the mails SMTP had accepted when the process died before the `sent` commit.
 */
export function createSendsRepository(db: Db) {
  return {
    /** The key that signs unsubscribe tokens (made by the migration). */
    async secret(): Promise<string> {
      const row = db.select().from(newsletterSecrets).where(eq(newsletterSecrets.id, 1)).get();
      if (!row) throw new Error('newsletter_secrets has no key: run the migrations');
      return row.secret;
    },
    async find(newsletterId: number, articleId: number): Promise<SendRow | undefined> {
      return db.select().from(newsletterSends).where(and(eq(newsletterSends.newsletterId, newsletterId), eq(newsletterSends.articleId, articleId))).get();
    },
    async byId(id: number): Promise<SendRow | undefined> {
      return db.select().from(newsletterSends).where(eq(newsletterSends.id, id)).get();
    },
    async list(newsletterId: number, limit: number): Promise<SendRow[]> {
      return db.select().from(newsletterSends).where(eq(newsletterSends.newsletterId, newsletterId)).orderBy(desc(newsletterSends.id)).limit(limit).all();
    },
    /** A send that waits for its story to go live. ConflictError when the story already has one for the newsletter. */
    async schedule(row: { newsletterId: number; articleId: number; scheduledFor: string; requestedBy: string | null; at: string }): Promise<SendRow> {
      return single(() =>
        db.insert(newsletterSends).values({ ...row, status: 'scheduled', createdAt: row.at }).returning().get(),
      );
    },
    async reschedule(id: number, scheduledFor: string): Promise<void> {
      db.update(newsletterSends).set({ scheduledFor }).where(and(eq(newsletterSends.id, id), eq(newsletterSends.status, 'scheduled'))).run();
    },
    async dueScheduled(at: string, limit = 20): Promise<SendRow[]> {
      return db.select().from(newsletterSends).where(and(eq(newsletterSends.status, 'scheduled'), lte(newsletterSends.scheduledFor, at))).orderBy(asc(newsletterSends.scheduledFor)).limit(limit).all();
    },

    /**
     * Starts a send, in one IMMEDIATE transaction: the send (a new one, or a scheduled one taken
     * from `scheduled` — undefined when another worker took it first), its renditions, and one
     * queued delivery per subscriber of the newsletter that `audienceOf` gives an audience
     * (confirmed, with an address; suppressed addresses are written as `suppressed`, not queued).
     * ConflictError when the story already has a send for the newsletter.
     */
    async start(input: {
      scheduledId?: number;
      create?: { newsletterId: number; articleId: number; requestedBy: string | null };
      newsletterId: number;
      at: string;
      renditions: { audience: string; subject: string; preheader: string; html: string; text: string }[];
      audienceOf(r: RecipientFacts): string | null;
    }): Promise<SendRow | undefined> {
      return atomic(db, (tx) => {
        let send: SendRow | undefined;
        if (input.scheduledId !== undefined) {
          send = tx.update(newsletterSends).set({ status: 'sending', startedAt: input.at })
            .where(and(eq(newsletterSends.id, input.scheduledId), eq(newsletterSends.status, 'scheduled'))).returning().get();
          if (!send) return undefined;
        } else if (input.create) {
          send = tx.insert(newsletterSends).values({ ...input.create, status: 'sending', scheduledFor: input.at, createdAt: input.at, startedAt: input.at }).returning().get();
        } else return undefined;
        for (const r of input.renditions) tx.insert(newsletterRenditions).values({ sendId: send.id, ...r }).run();

        const rows = tx
          .select({
            subscriberId: subscribers.id,
            email: subscribers.email,
            subscription: subscriptions,
            plan: plans,
            suppressed: sql<number>`${mailSuppressions.email} IS NOT NULL`,
          })
          .from(newsletterSubscriptions)
          .innerJoin(subscribers, eq(subscribers.id, newsletterSubscriptions.subscriberId))
          .leftJoin(subscriptions, eq(subscriptions.subscriberId, subscribers.id))
          .leftJoin(plans, eq(plans.id, subscriptions.planId))
          .leftJoin(mailSuppressions, eq(mailSuppressions.email, subscribers.email))
          .where(and(eq(newsletterSubscriptions.newsletterId, input.newsletterId), eq(subscribers.status, 'active'), sql`${subscribers.email} IS NOT NULL`))
          .all();
        const audiences: Record<string, number> = {};
        let recipients = 0;
        const values: (typeof newsletterDeliveries.$inferInsert)[] = [];
        const flush = () => {
          if (values.length) tx.insert(newsletterDeliveries).values(values).run();
          values.length = 0;
        };
        for (const r of rows) {
          const facts: RecipientFacts = { subscriberId: r.subscriberId, email: r.email as string, subscription: r.subscription, plan: r.plan, suppressed: Boolean(r.suppressed) };
          const audience = input.audienceOf(facts);
          if (audience === null) continue;
          recipients++;
          if (!facts.suppressed) audiences[audience] = (audiences[audience] ?? 0) + 1;
          values.push({ sendId: send.id, subscriberId: facts.subscriberId, email: facts.email, audience, status: facts.suppressed ? 'suppressed' : 'queued', nextAttemptAt: input.at });
          if (values.length >= 500) flush();
        }
        flush();
        return tx.update(newsletterSends).set({ audiences, recipients }).where(eq(newsletterSends.id, send.id)).returning().get();
      }, { immediate: true });
    },

    async rendition(sendId: number, audience: string): Promise<RenditionRow | undefined> {
      return db.select().from(newsletterRenditions).where(and(eq(newsletterRenditions.sendId, sendId), eq(newsletterRenditions.audience, audience))).get();
    },
    async progress(sendId: number): Promise<Record<DeliveryStatus, number>> {
      const rows = db.select({ status: newsletterDeliveries.status, n: sql<number>`count(*)` }).from(newsletterDeliveries)
        .where(eq(newsletterDeliveries.sendId, sendId)).groupBy(newsletterDeliveries.status).all();
      const out = { queued: 0, claimed: 0, sending: 0, sent: 0, failed: 0, suppressed: 0, interrupted: 0 } as Record<DeliveryStatus, number>;
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    /** Takes up to `limit` due deliveries for this worker (queued → claimed, one statement). */
    async claim(limit: number, at: string): Promise<DeliveryRow[]> {
      return single(() =>
        db.update(newsletterDeliveries).set({ status: 'claimed' })
          .where(inArray(newsletterDeliveries.id, db.select({ id: newsletterDeliveries.id }).from(newsletterDeliveries)
            .where(and(eq(newsletterDeliveries.status, 'queued'), lte(newsletterDeliveries.nextAttemptAt, at)))
            .orderBy(asc(newsletterDeliveries.id)).limit(limit)))
          .returning().all(),
      );
    },
    /** Just before SMTP gets it: from here on a crash means "maybe delivered". */
    async markSending(id: number): Promise<void> {
      await single(() => db.update(newsletterDeliveries).set({ status: 'sending', attempts: sql`${newsletterDeliveries.attempts} + 1` }).where(eq(newsletterDeliveries.id, id)).run());
    },
    async markSent(id: number, at: string): Promise<void> {
      await single(() => db.update(newsletterDeliveries).set({ status: 'sent', sentAt: at, lastError: null }).where(eq(newsletterDeliveries.id, id)).run());
    },
    /** A temporary failure: queued again for `next`. */
    async retryLater(id: number, next: string, error: string): Promise<void> {
      await single(() => db.update(newsletterDeliveries).set({ status: 'queued', nextAttemptAt: next, lastError: error.slice(0, 500) }).where(eq(newsletterDeliveries.id, id)).run());
    },
    /** A permanent failure; with `suppress`, the address goes on the suppression list in the same transaction. */
    async fail(id: number, error: string, suppress: { email: string; at: string } | null): Promise<void> {
      await atomic(db, (tx) => {
        tx.update(newsletterDeliveries).set({ status: 'failed', lastError: error.slice(0, 500) }).where(eq(newsletterDeliveries.id, id)).run();
        if (suppress) tx.insert(mailSuppressions).values({ email: suppress.email, reason: 'bounce', detail: error.slice(0, 500), createdAt: suppress.at }).onConflictDoNothing().run();
      });
    },
    async markSuppressed(id: number): Promise<void> {
      await single(() => db.update(newsletterDeliveries).set({ status: 'suppressed' }).where(eq(newsletterDeliveries.id, id)).run());
    },
    /** Without SMTP: the mail goes to the outbox and the delivery is sent, in one transaction (exactly once). */
    async deliverToOutbox(id: number, mail: typeof mailOutbox.$inferInsert, at: string): Promise<void> {
      await atomic(db, (tx) => {
        const claimed = tx.update(newsletterDeliveries).set({ status: 'sent', sentAt: at, attempts: sql`${newsletterDeliveries.attempts} + 1` })
          .where(and(eq(newsletterDeliveries.id, id), eq(newsletterDeliveries.status, 'claimed'))).run();
        if (claimed.changes === 1) tx.insert(mailOutbox).values(mail).run();
      });
    },
    /** A test mail without SMTP: into the outbox. */
    async outbox(mail: typeof mailOutbox.$inferInsert): Promise<void> {
      await single(() => db.insert(mailOutbox).values(mail).run());
    },
    async isSuppressed(email: string): Promise<boolean> {
      return db.select({ e: mailSuppressions.email }).from(mailSuppressions).where(eq(mailSuppressions.email, email)).get() !== undefined;
    },
    /** Whether the reader still gets the newsletter (an unsubscribe after the send started is honoured). */
    async stillSubscribed(subscriberId: number, newsletterId: number): Promise<boolean> {
      return db.select({ id: newsletterSubscriptions.subscriberId }).from(newsletterSubscriptions)
        .where(and(eq(newsletterSubscriptions.subscriberId, subscriberId), eq(newsletterSubscriptions.newsletterId, newsletterId))).get() !== undefined;
    },
    /** After a crash (at start): claimed → queued (SMTP never had them); sending → interrupted (it may have). */
    async recover(): Promise<{ requeued: number; interrupted: number }> {
      return atomic(db, (tx) => {
        const requeued = tx.update(newsletterDeliveries).set({ status: 'queued' }).where(eq(newsletterDeliveries.status, 'claimed')).run().changes;
        const interrupted = tx.update(newsletterDeliveries).set({ status: 'interrupted', lastError: 'the process stopped while the SMTP server had this mail: it may have been delivered, so it is not sent again' })
          .where(eq(newsletterDeliveries.status, 'sending')).run().changes;
        return { requeued, interrupted };
      });
    },
    /** Sends with nothing left to deliver become `sent`. */
    async finishSends(at: string): Promise<void> {
      await single(() =>
        db.update(newsletterSends).set({ status: 'sent', finishedAt: at })
          .where(and(eq(newsletterSends.status, 'sending'), sql`NOT EXISTS (SELECT 1 FROM ${newsletterDeliveries} d WHERE d.send_id = ${newsletterSends.id} AND d.status IN (${sql.join(OPEN.map((s) => sql`${s}`), sql`, `)}))`))
          .run(),
      );
    },
    /** Whether any delivery is due or in flight (the worker's idle check). */
    async openDeliveries(): Promise<number> {
      return db.$count(newsletterDeliveries, inArray(newsletterDeliveries.status, OPEN));
    },

    /** One-click unsubscribe: true when the reader was subscribed (and now is not). */
    async unsubscribe(subscriberId: number, newsletterId: number): Promise<boolean> {
      return single(() => db.delete(newsletterSubscriptions).where(and(eq(newsletterSubscriptions.subscriberId, subscriberId), eq(newsletterSubscriptions.newsletterId, newsletterId))).run().changes === 1);
    },

    async suppressions(limit: number): Promise<SuppressionRow[]> {
      return db.select().from(mailSuppressions).orderBy(desc(mailSuppressions.createdAt)).limit(limit).all();
    },
    async suppress(row: typeof mailSuppressions.$inferInsert): Promise<void> {
      await single(() => db.insert(mailSuppressions).values(row).onConflictDoUpdate({ target: mailSuppressions.email, set: { reason: row.reason, detail: row.detail } }).run());
    },
    async unsuppress(email: string): Promise<boolean> {
      return single(() => db.delete(mailSuppressions).where(eq(mailSuppressions.email, email)).run().changes === 1);
    },
  };
}

export type SendsRepository = ReturnType<typeof createSendsRepository>;
