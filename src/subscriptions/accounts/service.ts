import type { MeterSpend } from '../../access/extensions.js';
import type { Identity } from '../../access/identity.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../lib/clock.js';
import { HttpError, unprocessable } from '../../lib/httpError.js';
import { normaliseEmail } from '../email.js';
import { effectivePlan, entitlementsOf, meterPeriod, meterResetsAt, subscriptionIsCurrent } from '../entitlements.js';
import type { Mailer } from '../mail/mailer.js';
import { alreadySubscribedMail, confirmationMail, signInMail, type MailContent, type MailContext } from '../mail/templates.js';
import { FREE_PLAN_SLUG } from '../plans/service.js';
import { MAIL_TOKEN_PREFIX, SESSION_TOKEN_PREFIX, newToken, parseToken, secretMatches } from '../tokens.js';
import { createAccountsRepository, type Account, type AccountsTx, type PlanRow, type SubscriberRow } from './repository.js';
import type { Me } from './schemas.js';

/** A second mail of the same kind to the same address within this window is not sent. */
export const RESEND_AFTER_SECONDS = 60;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A plan that costs nothing and opens no subscriber-only articles starts without payment. */
export const isFreePlan = (p: PlanRow): boolean => p.priceCents === 0 && !p.levels.includes('subscribers');

const ACCEPTED_SIGNUP = {
  status: 'accepted' as const,
  message: 'Check your inbox: we sent a link to confirm the address (if it already subscribes, a link to sign in).',
};
const ACCEPTED_MAGIC_LINK = {
  status: 'accepted' as const,
  message: 'If the address subscribes, a sign-in link is on its way. It works once and expires soon.',
};

type RedeemFailure = 'invalid' | 'expired' | 'used';

function tokenProblem(reason: RedeemFailure): HttpError {
  const detail = {
    invalid: 'The token is not valid: request a new link',
    expired: 'The token has expired: request a new link',
    used: 'The token was already used: request a new link',
  }[reason];
  return new HttpError(400, detail, {
    type: 'https://newsdesk.dev/problems/invalid-token',
    errors: [{ pointer: '/body/token', detail }],
  });
}

/** Used when the free plan row is missing (it is seeded by a migration and cannot be deleted). */
const FALLBACK_FREE_PLAN: PlanRow = {
  id: 0, slug: FREE_PLAN_SLUG, name: 'Free', description: null, priceCents: 0, currency: 'EUR', interval: 'none',
  levels: ['registered'], archive: false, sections: null, metered: true, stripePriceId: null, active: true, position: 0,
  createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z', version: 1,
};

export function createAccountsService(deps: { db: Db; clock: Clock; config: Config; mailer: Mailer }) {
  const { clock, config, mailer } = deps;
  const repo = createAccountsRepository(deps.db);
  const mailContext: MailContext = {
    publication: config.PUBLICATION_NAME,
    // Unset: the API's own link pages (GET /v1/account/confirm, /v1/account/sign-in), which say what to POST.
    accountUrl: (config.ACCOUNT_URL ?? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/account`).replace(/\/$/, ''),
    apiUrl: config.PUBLIC_BASE_URL.replace(/\/$/, ''),
    ttlMinutes: config.TOKEN_TTL_MINUTES,
  };

  function email(input: string): string {
    const e = normaliseEmail(input);
    if (!e) throw unprocessable('The email address is not valid', '/body/email');
    return e;
  }

  /** Issues a one-time token and queues its mail, inside the caller's transaction. */
  function issueMail(tx: AccountsTx, sub: SubscriberRow, purpose: 'confirm' | 'sign_in', compose: (token: string) => MailContent, now: Date): number | null {
    const since = new Date(now.getTime() - RESEND_AFTER_SECONDS * 1000).toISOString();
    if (tx.recentToken(sub.id, purpose, since)) return null; // just sent one: no mail twice
    const t = newToken(MAIL_TOKEN_PREFIX);
    tx.insertToken({
      id: t.id,
      subscriberId: sub.id,
      purpose,
      secretHash: t.hash,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + config.TOKEN_TTL_MINUTES * MINUTE).toISOString(),
    });
    const mail = compose(t.token);
    return tx.insertOutbox({
      subscriberId: sub.id,
      toAddress: sub.email as string,
      kind: mail.kind,
      subject: mail.subject,
      textBody: mail.text,
      htmlBody: mail.html,
      status: mailer.initialStatus,
      createdAt: now.toISOString(),
    });
  }

  /** Confirms a subscriber: active membership, and the plan they asked for (a paid one awaits payment). */
  function activate(tx: AccountsTx, sub: SubscriberRow, now: Date): void {
    const at = now.toISOString();
    tx.updateSubscriber(sub.id, { status: 'active', confirmedAt: sub.confirmedAt ?? at, cancelledAt: null, requestedPlanId: null, updatedAt: at });
    const current = tx.account(sub.id);
    if (current?.subscription && current.plan && !isFreePlan(current.plan) && subscriptionIsCurrent(current.subscription, now)) return;
    const requested = sub.requestedPlanId ? tx.planById(sub.requestedPlanId) : undefined;
    const free = tx.planBySlug(FREE_PLAN_SLUG);
    const base = { currentPeriodEnd: null, cancelAtPeriodEnd: false, startedAt: at, updatedAt: at, endedAt: null, stripeSubscriptionId: null };
    if (requested && requested.active && !isFreePlan(requested)) {
      tx.upsertSubscription(sub.id, { ...base, planId: requested.id, status: 'pending_payment', source: 'stripe' });
    } else {
      const plan = requested && requested.active ? requested : free;
      if (plan) tx.upsertSubscription(sub.id, { ...base, planId: plan.id, status: 'active', source: 'free' });
    }
  }

  /** Exchanges a one-time mail token for a session (confirming the address on the way). */
  async function redeem(token: string, purpose: 'confirm' | 'sign_in') {
    const parsed = parseToken(MAIL_TOKEN_PREFIX, token.trim());
    if (!parsed) throw tokenProblem('invalid');
    const now = clock.now();
    const at = now.toISOString();
    const outcome = await repo.transaction((tx): { ok: false; reason: RedeemFailure } | { ok: true; subscriberId: number; token: string; expiresAt: string } => {
      const row = tx.tokenById(parsed.id);
      if (!row || !secretMatches(parsed.secret, row.secretHash) || row.purpose !== purpose) return { ok: false, reason: 'invalid' };
      if (row.usedAt) return { ok: false, reason: 'used' };
      if (row.expiresAt <= at) return { ok: false, reason: 'expired' };
      const sub = tx.subscriberById(row.subscriberId);
      const allowed = purpose === 'confirm' ? ['pending', 'active', 'cancelled'] : ['pending', 'active'];
      if (!sub || !allowed.includes(sub.status)) return { ok: false, reason: 'invalid' };
      if (!tx.useToken(row.id, at)) return { ok: false, reason: 'used' };
      if (sub.status !== 'active') activate(tx, sub, now);
      const s = newToken(SESSION_TOKEN_PREFIX);
      const expiresAt = new Date(now.getTime() + config.SESSION_TTL_DAYS * DAY).toISOString();
      tx.insertSession({ id: s.id, subscriberId: sub.id, secretHash: s.hash, createdAt: at, expiresAt });
      return { ok: true, subscriberId: sub.id, token: s.token, expiresAt };
    });
    if (!outcome.ok) throw tokenProblem(outcome.reason);
    const account = await repo.account(outcome.subscriberId);
    return { token: outcome.token, tokenType: 'Bearer' as const, expiresAt: outcome.expiresAt, subscriber: await view(account as Account, now) };
  }

  async function freePlan(): Promise<PlanRow> {
    return (await repo.planBySlug(FREE_PLAN_SLUG)) ?? FALLBACK_FREE_PLAN;
  }

  async function view(account: Account, now: Date): Promise<Me> {
    const { subscriber: s, subscription: sub, plan } = account;
    const applies = effectivePlan(sub, plan, await freePlan(), now);
    const limit = config.METER_FREE_ARTICLES;
    const period = meterPeriod(now);
    const reads = applies.metered && limit > 0 ? await repo.readsInPeriod(s.id, period) : [];
    const ent = entitlementsOf(applies, limit, reads);
    return {
      id: s.id,
      email: s.email ?? '',
      name: s.name ?? null,
      newsletters: s.newsletters as Me['newsletters'],
      status: s.status,
      createdAt: s.createdAt,
      confirmedAt: s.confirmedAt ?? null,
      plan: { slug: applies.slug, name: applies.name, price: applies.priceCents, currency: applies.currency, interval: applies.interval },
      subscription: sub && plan
        ? {
            plan: plan.slug,
            status: sub.status,
            source: sub.source,
            startedAt: sub.startedAt,
            currentPeriodEnd: sub.currentPeriodEnd ?? null,
            renewsAt: sub.status === 'active' && !sub.cancelAtPeriodEnd && sub.source === 'stripe' ? (sub.currentPeriodEnd ?? null) : null,
            cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
          }
        : null,
      entitlements: { levels: ent.levels.filter((l) => l !== 'public') as ('registered' | 'subscribers')[], archive: ent.archive, sections: ent.sections },
      meter: ent.meter
        ? { limit, remaining: ent.meter.remaining, used: reads.length, period, resetsAt: meterResetsAt(now) }
        : null,
    };
  }

  async function accountOf(subscriberId: number): Promise<Account> {
    const account = await repo.account(subscriberId);
    if (!account || account.subscriber.status === 'erased') throw new HttpError(401, 'The session no longer belongs to a subscriber');
    return account;
  }

  return {
    repo,
    view,
    freePlan,

    async signUp(input: { email: string; plan?: string; name?: string; newsletters?: string[] }) {
      const address = email(input.email);
      let requested: PlanRow | undefined;
      if (input.plan !== undefined) {
        requested = await repo.planBySlug(input.plan);
        if (!requested || !requested.active) throw unprocessable(`There is no plan "${input.plan}" to sign up for`, '/body/plan');
      }
      const now = clock.now();
      const at = now.toISOString();
      const ids = await repo.transaction((tx) => {
        tx.pruneTokens(at);
        let sub = tx.subscriberByEmail(address);
        if (!sub) {
          sub = tx.insertSubscriber({
            email: address,
            name: input.name ?? null,
            newsletters: input.newsletters ?? [],
            status: 'pending',
            requestedPlanId: requested?.id ?? null,
            createdAt: at,
            updatedAt: at,
          });
        } else if (sub.status !== 'active') {
          sub = tx.updateSubscriber(sub.id, {
            ...(requested ? { requestedPlanId: requested.id } : {}),
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.newsletters !== undefined ? { newsletters: input.newsletters } : {}),
            updatedAt: at,
          });
        }
        const id = sub.status === 'active'
          ? issueMail(tx, sub, 'sign_in', (t) => alreadySubscribedMail(t, mailContext), now)
          : issueMail(tx, sub, 'confirm', (t) => confirmationMail(t, mailContext), now);
        return id === null ? [] : [id];
      });
      mailer.dispatch(ids);
      return ACCEPTED_SIGNUP;
    },

    async requestMagicLink(input: { email: string }) {
      const address = email(input.email);
      const now = clock.now();
      const ids = await repo.transaction((tx) => {
        const sub = tx.subscriberByEmail(address);
        if (!sub || (sub.status !== 'active' && sub.status !== 'pending')) return [];
        const id = issueMail(tx, sub, 'sign_in', (t) => signInMail(t, mailContext), now);
        return id === null ? [] : [id];
      });
      mailer.dispatch(ids);
      return ACCEPTED_MAGIC_LINK;
    },

    confirm: (token: string) => redeem(token, 'confirm'),
    createSession: (token: string) => redeem(token, 'sign_in'),

    async signOut(sessionId: string): Promise<void> {
      await repo.revokeSession(sessionId, clock.now().toISOString());
    },

    async me(subscriberId: number): Promise<Me> {
      return view(await accountOf(subscriberId), clock.now());
    },

    async updateMe(subscriberId: number, patch: { name?: string | null; newsletters?: string[] }): Promise<Me> {
      await accountOf(subscriberId);
      await repo.transaction((tx) => {
        tx.updateSubscriber(subscriberId, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.newsletters !== undefined ? { newsletters: [...new Set(patch.newsletters)] } : {}),
          updatedAt: clock.now().toISOString(),
        });
      });
      return view(await accountOf(subscriberId), clock.now());
    },

    /**
     * Cancels what the subscriber has: a paid subscription billed by the provider ends at the end
     * of the paid period (access until then); a pending or hand-granted one ends now (back to the
     * free plan); on the free plan, the membership itself is closed and every session signed out.
     */
    async cancel(subscriberId: number): Promise<{ outcome: 'ends_at_period_end' | 'ended' | 'membership_closed'; me: Me }> {
      const now = clock.now();
      const at = now.toISOString();
      const outcome = await repo.transaction((tx) => {
        const acc = tx.account(subscriberId);
        if (!acc || acc.subscriber.status !== 'active') throw new HttpError(409, 'There is no active membership to cancel');
        const { subscription: sub, plan } = acc;
        const free = tx.planBySlug(FREE_PLAN_SLUG);
        const paid = sub && plan && !isFreePlan(plan) && (sub.status === 'pending_payment' || subscriptionIsCurrent(sub, now));
        if (paid && sub.source === 'stripe' && sub.status !== 'pending_payment') {
          if (sub.cancelAtPeriodEnd) throw new HttpError(409, 'The subscription is already set to end with the paid period');
          tx.updateSubscription(subscriberId, { cancelAtPeriodEnd: true, updatedAt: at });
          return 'ends_at_period_end' as const;
        }
        if (paid && free) {
          tx.upsertSubscription(subscriberId, {
            planId: free.id, status: 'active', source: 'free', stripeSubscriptionId: null, currentPeriodEnd: null,
            cancelAtPeriodEnd: false, startedAt: at, updatedAt: at, endedAt: null,
          });
          return 'ended' as const;
        }
        tx.updateSubscriber(subscriberId, { status: 'cancelled', cancelledAt: at, updatedAt: at });
        tx.updateSubscription(subscriberId, { status: 'cancelled', endedAt: at, updatedAt: at });
        tx.revokeSessions(subscriberId, at);
        tx.deleteTokens(subscriberId);
        return 'membership_closed' as const;
      });
      const acc = await repo.account(subscriberId);
      return { outcome, me: await view(acc as Account, now) };
    },

    /** Erases personal data: the row stays as an anonymous tombstone; sessions, tokens, reads and mails go. */
    async erase(subscriberId: number): Promise<void> {
      const at = clock.now().toISOString();
      await repo.transaction((tx) => {
        const sub = tx.subscriberById(subscriberId);
        if (!sub || sub.status === 'erased') return;
        tx.updateSubscriber(subscriberId, {
          email: null, name: null, newsletters: [], status: 'erased', requestedPlanId: null, stripeCustomerId: null,
          erasedAt: at, updatedAt: at,
        });
        tx.updateSubscription(subscriberId, { status: 'cancelled', stripeSubscriptionId: null, endedAt: at, updatedAt: at });
        tx.deleteSessions(subscriberId);
        tx.deleteTokens(subscriberId);
        tx.deleteReads(subscriberId);
        tx.deleteOutbox(subscriberId);
      });
    },

    /** The token resolver for `nds_…` bearer tokens: a subscriber identity, or null (→ 401). */
    async resolveSession(token: string): Promise<Identity | null> {
      const parsed = parseToken(SESSION_TOKEN_PREFIX, token);
      if (!parsed) return null;
      const found = await repo.sessionAccount(parsed.id);
      if (!found || !secretMatches(parsed.secret, found.session.secretHash)) return null;
      const now = clock.now();
      if (found.session.revokedAt || found.session.expiresAt <= now.toISOString()) return null;
      const { subscriber, subscription, plan } = found;
      if (subscriber.status !== 'active' || !subscriber.email) return null;
      // One query for a paying reader; the free plan and the month's reads only when they matter.
      const applies = plan && subscriptionIsCurrent(subscription, now) ? plan : await freePlan();
      const limit = config.METER_FREE_ARTICLES;
      const reads = applies.metered && limit > 0 ? await repo.readsInPeriod(subscriber.id, meterPeriod(now)) : [];
      return {
        kind: 'subscriber',
        subscriberId: subscriber.id,
        sessionId: found.session.id,
        email: subscriber.email,
        planSlug: applies.slug,
        entitlements: entitlementsOf(applies, limit, reads),
      };
    },

    /**
     * Spends the meter on a gated read (once per article per month): the check against the stored
     * reads and the record are one transaction, so simultaneous first reads (the session's
     * snapshot of the meter said one was left to each) never exceed METER_FREE_ARTICLES.
     */
    async recordMeteredRead(identity: Identity, articleId: number): Promise<MeterSpend | void> {
      if (identity.kind !== 'subscriber') return;
      const now = clock.now();
      const limit = config.METER_FREE_ARTICLES;
      const { granted, used } = await repo.spendRead(identity.subscriberId, articleId, meterPeriod(now), now.toISOString(), limit);
      return { granted, remaining: Math.max(0, limit - used) };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
