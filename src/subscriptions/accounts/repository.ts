import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { atomic, single, type Synchronous } from '../../db/transaction.js';
import { accountStatements, type Account, type MeterOutcome, type PlanRow, type SessionRow, type SubscriberRow, type SubscriptionRow, type SubscriptionValues } from './statements.js';
import { plans, sessions, subscribers, subscriptions } from '../../db/schema/index.js';
import type { MailContent } from '../mail/templates.js';
import { FREE_PLAN_SLUG } from '../plans/repository.js';

export { UnknownNewsletterError } from './statements.js';
export type { Account, AuthTokenRow, MeterOutcome, OutboxInsert, OutboxRow, PlanRow, SessionRow, SubscriberRow, SubscriptionRow, SubscriptionValues } from './statements.js';
type Statements = ReturnType<typeof accountStatements>;

/**
 * A one-time link to mail (confirmation or sign-in). The caller makes the token and sets the
 * times; the repository stores the token's hash and queues the mail in the same transaction as
 * the change that asked for it, so a rolled-back change sends nothing.
 */
export interface MailLink {
  token: { id: string; token: string; hash: string };
  at: string;
  expiresAt: string;
  /** When a link of the same purpose was issued to the subscriber after this instant, none is (no mail twice). */
  resendAfter: string;
  /** The outbox row's first status (the mailer's `initialStatus`). */
  outboxStatus: 'queued' | 'outbox';
}

/** Which link to mail, and its text with the token in it (pure: called inside the transaction). */
export interface MailChoice {
  purpose: 'confirm' | 'sign_in';
  compose(token: string): MailContent;
}

export type RedeemFailure = 'invalid' | 'expired' | 'used';

/** What confirming an address reads to decide the subscription it starts with. */
export interface ActivationContext {
  subscriber: SubscriberRow;
  account: Account;
  /** The plan asked for at sign-up, if any (retired plans included). */
  requested: PlanRow | undefined;
  free: PlanRow | undefined;
}

/** What a change of membership writes (see `changeMembership`). */
export type MembershipChange =
  /** A provider-billed subscription runs to the end of its paid period, then stops. */
  | { kind: 'end_at_period_end' }
  /** The subscriber's one subscription becomes this (a cancelled membership is reopened first when `reopen`). */
  | { kind: 'subscribe'; subscription: SubscriptionValues; reopen: boolean }
  /** The membership closes: subscription cancelled, every session signed out, pending links void. */
  | { kind: 'close' };

/** Issues a one-time link and queues its mail, inside the caller's transaction; the outbox id, or null when one was just sent. */
function issueLink(s: Statements, sub: SubscriberRow, choice: MailChoice, link: MailLink): number | null {
  if (s.recentToken(sub.id, choice.purpose, link.resendAfter)) return null;
  s.insertToken({
    id: link.token.id,
    subscriberId: sub.id,
    purpose: choice.purpose,
    secretHash: link.token.hash,
    createdAt: link.at,
    expiresAt: link.expiresAt,
  });
  const mail = choice.compose(link.token.token);
  return s.insertOutbox({
    subscriberId: sub.id,
    toAddress: sub.email as string,
    kind: mail.kind,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    status: link.outboxStatus,
    createdAt: link.at,
  });
}

export interface SubscriberFilter {
  planSlug?: string;
  status?: SubscriberRow['status'];
  subscriptionStatus?: SubscriptionRow['status'];
  q?: string;
}

/** `%` and `_` are literal in a search box. */
function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The per-request session lookup (drizzle builds the SQL and SQLite parses it once). */
function prepareSessionAccount(db: Db) {
  return db
    .select({ session: sessions, subscriber: subscribers, subscription: subscriptions, plan: plans })
    .from(sessions)
    .innerJoin(subscribers, eq(subscribers.id, sessions.subscriberId))
    .leftJoin(subscriptions, eq(subscriptions.subscriberId, subscribers.id))
    .leftJoin(plans, eq(plans.id, subscriptions.planId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
}

/**
 * The accounts data layer. Every write a caller can make is one method here and one transaction;
 * the ones that read before they write take the write lock first (IMMEDIATE), so what they read
 * cannot change under them: one writer at a time, serialisable. A crash before a commit leaves
 * none of the operation, after it all of it. Where an operation needs the feature's rules to
 * decide what to write, it takes them as a pure function of what it read (called once, inside
 * the transaction, with no I/O), so a second engine can run the same rules.
 */
export function createAccountsRepository(db: Db) {
  const direct = accountStatements(db);
  // Prepared once, when the repository is built at start: it runs on every subscriber request.
  const sessionAccountStatement = prepareSessionAccount(db);
  const immediate = <T>(work: (s: Statements) => Synchronous<T>) => atomic<T>(db, (tx) => work(accountStatements(tx)), { immediate: true });

  function filterWhere(f: SubscriberFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [];
    if (f.status) conds.push(eq(subscribers.status, f.status));
    if (f.subscriptionStatus) conds.push(eq(subscriptions.status, f.subscriptionStatus));
    if (f.planSlug) conds.push(eq(plans.slug, f.planSlug));
    if (f.q) {
      const pattern = likeContains(f.q.toLowerCase());
      conds.push(or(sql`lower(${subscribers.email}) LIKE ${pattern} ESCAPE '\\'`, sql`lower(${subscribers.name}) LIKE ${pattern} ESCAPE '\\'`));
    }
    return and(...conds);
  }

  const accountColumns = { subscriber: subscribers, subscription: subscriptions, plan: plans };

  return {
    async account(subscriberId: number): Promise<Account | undefined> {
      return direct.account(subscriberId);
    },
    async session(id: string): Promise<SessionRow | undefined> {
      return direct.sessionById(id);
    },
    /** A session with its subscriber, subscription and plan, in one query (the per-request path). */
    async sessionAccount(id: string): Promise<(Account & { session: SessionRow }) | undefined> {
      return sessionAccountStatement.get({ id });
    },
    async planBySlug(slug: string): Promise<PlanRow | undefined> {
      return direct.planBySlug(slug);
    },
    async readsInPeriod(subscriberId: number, period: string): Promise<number[]> {
      return direct.readsInPeriod(subscriberId, period);
    },
    /**
     * The meter check: checks the allowance and records the read as one step, in one IMMEDIATE
     * transaction, against the reads stored for the period (not the snapshot the session's identity
     * was built from). Contract, for any engine:
     * - isolation: serialisable per subscriber and period. Simultaneous first reads by one
     *   subscriber (several tabs, several nodes) are ordered by the write lock; together they never
     *   record more than `limit` reads, and each one's answer counts the reads committed before it.
     * - simultaneous first reads of the same article record it once (the key is subscriber, article,
     *   period) and both are granted; a re-read in the same period is granted and costs nothing.
     * - `granted: false` means the allowance was spent meanwhile: nothing is recorded.
     * - a crash before the commit leaves no read recorded (the reader was not yet answered with the
     *   text); after it, the read stays spent.
     */
    async spendRead(subscriberId: number, articleId: number, period: string, at: string, limit: number): Promise<MeterOutcome> {
      return immediate((s) => s.spendRead(subscriberId, articleId, period, at, limit));
    },
    async activeSessionCount(subscriberId: number, now: string): Promise<number> {
      return direct.activeSessionCount(subscriberId, now);
    },
    async revokeSession(id: string, at: string): Promise<void> {
      await single(() => direct.revokeSession(id, at));
    },

    /**
     * A sign-up, in one IMMEDIATE transaction: prunes used and expired links, creates the subscriber
     * (pending; with the newsletters chosen, or the sign-up defaults when none are named) or, when
     * not active yet, updates it with what was sent, and issues the link
     * `mailFor` picks for the subscriber as it then is. Simultaneous sign-ups of one address are
     * serialised: the second finds the first's row and its fresh link, and sends no second mail.
     * Returns the outbox ids to deliver once committed (none when a link was just sent).
     */
    async signUp(input: {
      email: string;
      profile: { name?: string; newsletters?: string[]; requestedPlanId?: number };
      link: MailLink;
      mailFor(sub: SubscriberRow): MailChoice;
    }): Promise<number[]> {
      const { email, profile, link } = input;
      return immediate((s) => {
        s.pruneTokens(link.at);
        // Checked first: an unknown or archived newsletter refuses the whole sign-up.
        const chosen = profile.newsletters !== undefined ? s.choosableNewsletters(profile.newsletters) : undefined;
        let sub = s.subscriberByEmail(email);
        if (!sub) {
          sub = s.insertSubscriber({
            email,
            name: profile.name ?? null,
            status: 'pending',
            requestedPlanId: profile.requestedPlanId ?? null,
            createdAt: link.at,
            updatedAt: link.at,
          });
          s.setNewsletters(sub.id, chosen ?? s.signupNewsletters(), link.at);
        } else if (sub.status !== 'active') {
          sub = s.updateSubscriber(sub.id, {
            ...(profile.requestedPlanId !== undefined ? { requestedPlanId: profile.requestedPlanId } : {}),
            ...(profile.name !== undefined ? { name: profile.name } : {}),
            updatedAt: link.at,
          });
          if (chosen) s.setNewsletters(sub.id, chosen, link.at);
        }
        const id = issueLink(s, sub, input.mailFor(sub), link);
        return id === null ? [] : [id];
      });
    },

    /** A sign-in link for the address when its subscriber's status is one of `statuses`; the outbox ids to deliver. */
    async requestSignIn(input: { email: string; statuses: SubscriberRow['status'][]; link: MailLink; mail: MailChoice }): Promise<number[]> {
      return immediate((s) => {
        const sub = s.subscriberByEmail(input.email);
        if (!sub || !input.statuses.includes(sub.status)) return [];
        const id = issueLink(s, sub, input.mail, input.link);
        return id === null ? [] : [id];
      });
    },

    /**
     * Exchanges a one-time link for a session, in one IMMEDIATE transaction: the link is checked
     * (its secret, purpose, expiry, the subscriber's status) and used up, a subscriber not yet
     * active is activated (status, and the subscription `activation` decides), and the session is
     * stored. The link is single-use under any race: of two simultaneous exchanges one gets 'used'.
     */
    async redeemLink(input: {
      tokenId: string;
      purpose: 'confirm' | 'sign_in';
      at: string;
      secretMatches(hash: string): boolean;
      statuses: SubscriberRow['status'][];
      activation(context: ActivationContext): SubscriptionValues | null;
      session: { id: string; hash: string; expiresAt: string };
    }): Promise<{ ok: false; reason: RedeemFailure } | { ok: true; subscriberId: number }> {
      const { at } = input;
      return immediate((s): { ok: false; reason: RedeemFailure } | { ok: true; subscriberId: number } => {
        const row = s.tokenById(input.tokenId);
        if (!row || !input.secretMatches(row.secretHash) || row.purpose !== input.purpose) return { ok: false, reason: 'invalid' };
        if (row.usedAt) return { ok: false, reason: 'used' };
        if (row.expiresAt <= at) return { ok: false, reason: 'expired' };
        const sub = s.subscriberById(row.subscriberId);
        if (!sub || !input.statuses.includes(sub.status)) return { ok: false, reason: 'invalid' };
        if (!s.useToken(row.id, at)) return { ok: false, reason: 'used' };
        if (sub.status !== 'active') {
          s.updateSubscriber(sub.id, { status: 'active', confirmedAt: sub.confirmedAt ?? at, cancelledAt: null, requestedPlanId: null, updatedAt: at });
          const context: ActivationContext = {
            subscriber: sub,
            account: s.account(sub.id) as Account,
            requested: sub.requestedPlanId ? s.planById(sub.requestedPlanId) : undefined,
            free: s.planBySlug(FREE_PLAN_SLUG),
          };
          const subscription = input.activation(context);
          if (subscription) s.upsertSubscription(sub.id, subscription);
        }
        s.insertSession({ id: input.session.id, subscriberId: sub.id, secretHash: input.session.hash, createdAt: at, expiresAt: input.session.expiresAt });
        return { ok: true, subscriberId: sub.id };
      });
    },

    /**
     * A subscriber brought over from another system (imports), in one IMMEDIATE transaction:
     * found by email (or inserted) as confirmed, with the given name and exactly the given
     * newsletters (slugs; UnknownNewsletterError and nothing written when one is not an active
     * newsletter), and the subscription when one is given. An erased subscriber is left as it is.
     */
    async importSubscriber(input: {
      email: string;
      name: string | null;
      newsletters: string[];
      createdAt: string;
      at: string;
      subscription: Omit<typeof subscriptions.$inferInsert, 'subscriberId' | 'id'> | null;
    }): Promise<{ id: number; outcome: 'created' | 'updated' | 'erased' }> {
      return immediate((s) => {
        let sub = s.subscriberByEmail(input.email);
        if (sub?.status === 'erased') return { id: sub.id, outcome: 'erased' as const };
        const chosen = s.choosableNewsletters(input.newsletters);
        const outcome = sub ? ('updated' as const) : ('created' as const);
        sub = sub
          ? s.updateSubscriber(sub.id, { name: input.name, status: 'active', confirmedAt: sub.confirmedAt ?? input.createdAt, cancelledAt: null, updatedAt: input.at })
          : s.insertSubscriber({ email: input.email, name: input.name, status: 'active', createdAt: input.createdAt, updatedAt: input.at, confirmedAt: input.createdAt });
        s.setNewsletters(sub.id, chosen, input.at);
        if (input.subscription) s.upsertSubscription(sub.id, input.subscription);
        return { id: sub.id, outcome };
      });
    },

    /**
     * The subscriber's own profile fields, in one IMMEDIATE transaction: the name, and the active
     * newsletters they get (replaced by exactly the slugs sent; UnknownNewsletterError and nothing
     * written when one is not an active newsletter).
     */
    async updateProfile(subscriberId: number, patch: { name?: string | null; newsletters?: string[] }, at: string): Promise<void> {
      await immediate((s) => {
        const chosen = patch.newsletters !== undefined ? s.choosableNewsletters(patch.newsletters) : undefined;
        s.updateSubscriber(subscriberId, { ...(patch.name !== undefined ? { name: patch.name } : {}), updatedAt: at });
        if (chosen) s.setNewsletters(subscriberId, chosen, at);
      });
    },

    /** Slugs of the active newsletters the subscriber gets. */
    async newslettersOf(subscriberId: number): Promise<string[]> {
      return direct.newsletterSlugsOf(subscriberId);
    },

    /**
     * Changes a membership (a cancellation, a grant), in one IMMEDIATE transaction: `decide` sees
     * the account and the free plan as they are inside it and returns the change (or throws to
     * refuse, which writes nothing). Returns the change made.
     */
    async changeMembership(
      subscriberId: number,
      at: string,
      decide: (context: { account: Account | undefined; free: PlanRow | undefined }) => MembershipChange,
    ): Promise<MembershipChange> {
      return immediate((s) => {
        const change = decide({ account: s.account(subscriberId), free: s.planBySlug(FREE_PLAN_SLUG) });
        switch (change.kind) {
          case 'end_at_period_end':
            s.updateSubscription(subscriberId, { cancelAtPeriodEnd: true, updatedAt: at });
            break;
          case 'subscribe':
            if (change.reopen) s.updateSubscriber(subscriberId, { status: 'active', cancelledAt: null, updatedAt: at });
            s.upsertSubscription(subscriberId, change.subscription);
            break;
          case 'close':
            s.updateSubscriber(subscriberId, { status: 'cancelled', cancelledAt: at, updatedAt: at });
            s.updateSubscription(subscriberId, { status: 'cancelled', endedAt: at, updatedAt: at });
            s.revokeSessions(subscriberId, at);
            s.deleteTokens(subscriberId);
            break;
        }
        return change;
      });
    },

    /**
     * Erases a subscriber's personal data in one transaction: the row stays as an anonymous
     * tombstone (so Stripe events about it are recognised and ignored); sessions, links, reads,
     * newsletter subscriptions and queued mails go. Nothing when unknown or already erased.
     */
    async erase(subscriberId: number, at: string): Promise<void> {
      await immediate((s) => {
        const sub = s.subscriberById(subscriberId);
        if (!sub || sub.status === 'erased') return;
        s.updateSubscriber(subscriberId, {
          email: null, name: null, status: 'erased', requestedPlanId: null, stripeCustomerId: null,
          erasedAt: at, updatedAt: at,
        });
        s.updateSubscription(subscriberId, { status: 'cancelled', stripeSubscriptionId: null, endedAt: at, updatedAt: at });
        s.deleteSessions(subscriberId);
        s.deleteTokens(subscriberId);
        s.deleteReads(subscriberId);
        s.deleteOutbox(subscriberId);
        s.deleteNewsletterSubscriptions(subscriberId);
      });
    },
    /** Newest first, keyset on (createdAt, id). */
    async page(filter: SubscriberFilter, limit: number, before: { createdAt: string; id: number } | null): Promise<Account[]> {
      const keyset = before
        ? or(lt(subscribers.createdAt, before.createdAt), and(eq(subscribers.createdAt, before.createdAt), lt(subscribers.id, before.id)))
        : undefined;
      return db
        .select(accountColumns)
        .from(subscribers)
        .leftJoin(subscriptions, eq(subscriptions.subscriberId, subscribers.id))
        .leftJoin(plans, eq(plans.id, subscriptions.planId))
        .where(and(filterWhere(filter), keyset))
        .orderBy(desc(subscribers.createdAt), desc(subscribers.id))
        .limit(limit)
        .all();
    },
    async count(filter: SubscriberFilter): Promise<number> {
      const r = db
        .select({ n: sql<number>`count(*)` })
        .from(subscribers)
        .leftJoin(subscriptions, eq(subscriptions.subscriberId, subscribers.id))
        .leftJoin(plans, eq(plans.id, subscriptions.planId))
        .where(filterWhere(filter))
        .get();
      return r?.n ?? 0;
    },
    async plansByIds(ids: number[]): Promise<PlanRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(plans).where(inArray(plans.id, ids)).all();
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
