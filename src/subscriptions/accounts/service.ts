import type { MeterSpend } from '../../access/extensions.js';
import type { Identity } from '../../access/identity.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../lib/clock.js';
import { HttpError, unprocessable } from '../../lib/httpError.js';
import { normaliseEmail } from '../email.js';
import { effectivePlan, entitlementsOf, meterPeriod, meterResetsAt, subscriptionIsCurrent } from '../entitlements.js';
import type { Mailer } from '../mail/mailer.js';
import { alreadySubscribedMail, confirmationMail, signInMail, type MailContext } from '../mail/templates.js';
import { FREE_PLAN_SLUG } from '../plans/service.js';
import { MAIL_TOKEN_PREFIX, SESSION_TOKEN_PREFIX, newToken, parseToken, secretMatches } from '../tokens.js';
import { UnknownNewsletterError, type Account, type AccountsRepository, type ActivationContext, type MailLink, type PlanRow, type RedeemFailure, type SubscriptionValues } from './repository.js';
import type { Me } from './schemas.js';
import { subscriptionView } from './subscriptionView.js';

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

/** An unknown or archived newsletter slug in a choice: 400 naming each one (nothing was written). */
async function newsletterChoice<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof UnknownNewsletterError)) throw err;
    const detail = `There is no newsletter to choose with the slug ${err.slugs.map((s) => `"${s}"`).join(', ')} (GET /v1/newsletters lists them)`;
    throw new HttpError(400, detail, {
      type: 'https://newsdesk.dev/problems/unknown-newsletter',
      errors: err.slugs.map((s) => ({ pointer: '/body/newsletters', detail: `"${s}" is not a newsletter` })),
    });
  }
}

/** Used when the free plan row is missing (it is seeded by a migration and cannot be deleted). */
const FALLBACK_FREE_PLAN: PlanRow = {
  id: 0, slug: FREE_PLAN_SLUG, name: 'Free', description: null, priceCents: 0, currency: 'EUR', interval: 'none',
  levels: ['registered'], archive: false, sections: null, metered: true, stripePriceId: null, active: true, position: 0,
  createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z', version: 1,
};

/**
 * The subscription a confirmed address starts with: the paid plan it asked for awaits payment, a
 * free one starts now, nothing asked for means the free plan; a current paid subscription (granted
 * before confirming) is kept.
 */
function activation({ account, requested, free }: ActivationContext, now: Date): SubscriptionValues | null {
  if (account.subscription && account.plan && !isFreePlan(account.plan) && subscriptionIsCurrent(account.subscription, now)) return null;
  const at = now.toISOString();
  const base = { currentPeriodEnd: null, cancelAtPeriodEnd: false, startedAt: at, updatedAt: at, endedAt: null, stripeSubscriptionId: null };
  if (requested && requested.active && !isFreePlan(requested)) return { ...base, planId: requested.id, status: 'pending_payment', source: 'stripe' };
  const plan = requested && requested.active ? requested : free;
  return plan ? { ...base, planId: plan.id, status: 'active', source: 'free' } : null;
}

/** The free plan as a subscription starting at `at` (a paid one ended, or was never paid for). */
export function freeSubscription(free: PlanRow, at: string): SubscriptionValues {
  return {
    planId: free.id, status: 'active', source: 'free', stripeSubscriptionId: null, currentPeriodEnd: null,
    cancelAtPeriodEnd: false, startedAt: at, updatedAt: at, endedAt: null,
  };
}

export interface AccountsDeps {
  repo: AccountsRepository;
  clock: Clock;
  config: Config;
  mailer: Mailer;
}

export function createAccountsService(deps: AccountsDeps) {
  const { repo, clock, config, mailer } = deps;
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

  /** A fresh one-time link, valid for TOKEN_TTL_MINUTES; none is sent twice within RESEND_AFTER_SECONDS. */
  function link(now: Date): MailLink {
    return {
      token: newToken(MAIL_TOKEN_PREFIX),
      at: now.toISOString(),
      expiresAt: new Date(now.getTime() + config.TOKEN_TTL_MINUTES * MINUTE).toISOString(),
      resendAfter: new Date(now.getTime() - RESEND_AFTER_SECONDS * 1000).toISOString(),
      outboxStatus: mailer.initialStatus,
    };
  }

  /** Exchanges a one-time mail token for a session (confirming the address on the way). */
  async function redeem(token: string, purpose: 'confirm' | 'sign_in') {
    const parsed = parseToken(MAIL_TOKEN_PREFIX, token.trim());
    if (!parsed) throw tokenProblem('invalid');
    const now = clock.now();
    const at = now.toISOString();
    const session = newToken(SESSION_TOKEN_PREFIX);
    const expiresAt = new Date(now.getTime() + config.SESSION_TTL_DAYS * DAY).toISOString();
    const outcome = await repo.redeemLink({
      tokenId: parsed.id,
      purpose,
      at,
      secretMatches: (hash) => secretMatches(parsed.secret, hash),
      statuses: purpose === 'confirm' ? ['pending', 'active', 'cancelled'] : ['pending', 'active'],
      activation: (context) => activation(context, now),
      session: { id: session.id, hash: session.hash, expiresAt },
    });
    if (!outcome.ok) throw tokenProblem(outcome.reason);
    const account = await repo.account(outcome.subscriberId);
    return { token: session.token, tokenType: 'Bearer' as const, expiresAt, subscriber: await view(account as Account, now) };
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
      newsletters: await repo.newslettersOf(s.id),
      status: s.status,
      createdAt: s.createdAt,
      confirmedAt: s.confirmedAt ?? null,
      plan: { slug: applies.slug, name: applies.name, price: applies.priceCents, currency: applies.currency, interval: applies.interval },
      subscription: subscriptionView(sub, plan),
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
      const ids = await newsletterChoice(repo.signUp({
        email: address,
        profile: { name: input.name, newsletters: input.newsletters, requestedPlanId: requested?.id },
        link: link(now),
        // An address that already subscribes gets a sign-in link instead (the answer is the same).
        mailFor: (sub) =>
          sub.status === 'active'
            ? { purpose: 'sign_in', compose: (t) => alreadySubscribedMail(t, mailContext) }
            : { purpose: 'confirm', compose: (t) => confirmationMail(t, mailContext) },
      }));
      mailer.dispatch(ids);
      return ACCEPTED_SIGNUP;
    },

    async requestMagicLink(input: { email: string }) {
      const address = email(input.email);
      const now = clock.now();
      const ids = await repo.requestSignIn({
        email: address,
        statuses: ['active', 'pending'],
        link: link(now),
        mail: { purpose: 'sign_in', compose: (t) => signInMail(t, mailContext) },
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
      await newsletterChoice(repo.updateProfile(subscriberId, { name: patch.name, newsletters: patch.newsletters }, clock.now().toISOString()));
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
      const change = await repo.changeMembership(subscriberId, at, ({ account, free }) => {
        if (!account || account.subscriber.status !== 'active') throw new HttpError(409, 'There is no active membership to cancel');
        const { subscription: sub, plan } = account;
        const paid = sub && plan && !isFreePlan(plan) && (sub.status === 'pending_payment' || subscriptionIsCurrent(sub, now));
        if (paid && sub.source === 'stripe' && sub.status !== 'pending_payment') {
          if (sub.cancelAtPeriodEnd) throw new HttpError(409, 'The subscription is already set to end with the paid period');
          return { kind: 'end_at_period_end' };
        }
        if (paid && free) return { kind: 'subscribe', subscription: freeSubscription(free, at), reopen: false };
        return { kind: 'close' };
      });
      const outcome = ({ end_at_period_end: 'ends_at_period_end', subscribe: 'ended', close: 'membership_closed' } as const)[change.kind];
      const acc = await repo.account(subscriberId);
      return { outcome, me: await view(acc as Account, now) };
    },

    /** Erases personal data: the row stays as an anonymous tombstone; sessions, tokens, reads and mails go. */
    async erase(subscriberId: number): Promise<void> {
      const at = clock.now().toISOString();
      await repo.erase(subscriberId, at);
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
