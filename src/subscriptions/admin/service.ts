import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import { HttpError, notFound, unprocessable } from '../../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../../schemas/pagination.js';
import type { Account, AccountsRepository, SubscriberFilter } from '../accounts/repository.js';
import { freeSubscription, isFreePlan, type AccountsService } from '../accounts/service.js';
import { normaliseEmail } from '../email.js';
import { effectivePlan, meterPeriod, meterResetsAt } from '../entitlements.js';
import type { OutboxRepository } from '../mail/repository.js';
import type { Config } from '../../config.js';
import type { AdminSubscriber } from './schemas.js';
import { subscriptionView } from '../accounts/subscriptionView.js';

const SubscriberCursor = z.tuple([z.string().max(40), z.number().int()]);
const OutboxCursor = z.tuple([z.number().int()]);

/** Spreadsheet apps run cells starting with these as formulas: neutralise them. */
function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'id', 'email', 'name', 'status', 'plan', 'subscriptionStatus', 'subscriptionSource', 'currentPeriodEnd',
  'cancelAtPeriodEnd', 'newsletters', 'createdAt', 'confirmedAt', 'cancelledAt',
] as const;

export interface AdminDeps {
  repo: AccountsRepository;
  outbox: OutboxRepository;
  clock: Clock;
  config: Config;
  /** The free plan as subscribers fall back to it. */
  accounts: Pick<AccountsService, 'freePlan'>;
}

export function createAdminService(deps: AdminDeps) {
  const { repo, outbox, clock, accounts } = deps;

  async function toAdmin(a: Account, now: Date): Promise<AdminSubscriber> {
    const { subscriber: s, subscription: sub, plan } = a;
    const free = await accounts.freePlan();
    const applies = effectivePlan(sub, plan, free, now);
    const requested = s.requestedPlanId ? (await repo.plansByIds([s.requestedPlanId]))[0] : undefined;
    const subscription = subscriptionView(sub, plan);
    return {
      id: s.id,
      email: s.email ?? null,
      name: s.name ?? null,
      newsletters: s.status === 'erased' ? [] : await repo.newslettersOf(s.id),
      status: s.status,
      plan: applies.slug,
      requestedPlan: requested?.slug ?? null,
      subscription: subscription && { ...subscription, stripeSubscriptionId: sub?.stripeSubscriptionId ?? null },
      stripeCustomerId: s.stripeCustomerId ?? null,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      confirmedAt: s.confirmedAt ?? null,
      cancelledAt: s.cancelledAt ?? null,
      erasedAt: s.erasedAt ?? null,
    };
  }

  async function account(id: number): Promise<Account> {
    const a = await repo.account(id);
    if (!a) throw notFound(`Subscriber ${id}`);
    return a;
  }

  async function detail(id: number) {
    const now = clock.now();
    const a = await account(id);
    const base = await toAdmin(a, now);
    const applies = effectivePlan(a.subscription, a.plan, await accounts.freePlan(), now);
    const limit = deps.config.METER_FREE_ARTICLES;
    const period = meterPeriod(now);
    const reads = applies.metered && limit > 0 ? await repo.readsInPeriod(id, period) : null;
    return {
      ...base,
      activeSessions: await repo.activeSessionCount(id, now.toISOString()),
      meter: reads
        ? { limit, remaining: Math.max(0, limit - reads.length), used: reads.length, period, resetsAt: meterResetsAt(now) }
        : null,
    };
  }

  return {
    async list(filter: SubscriberFilter, limit: number, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, SubscriberCursor) : null;
      const rows = await repo.page(filter, limit + 1, after ? { createdAt: after[0], id: after[1] } : null);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const now = clock.now();
      return {
        data: await Promise.all(page.map((a) => toAdmin(a, now))),
        meta: {
          nextCursor: more && last ? encodeCursor([last.subscriber.createdAt, last.subscriber.id]) : null,
          total: await repo.count(filter),
        },
      };
    },

    detail,

    /** The whole filtered list as CSV, streamed in keyset batches (memory stays flat). */
    exportCsv(filter: SubscriberFilter): Readable {
      const now = clock.now();
      async function* rows() {
        yield `${CSV_COLUMNS.join(',')}\r\n`;
        let after: { createdAt: string; id: number } | null = null;
        for (;;) {
          const batch = await repo.page(filter, 500, after);
          for (const a of batch) {
            const v = await toAdmin(a, now);
            const line = [
              v.id, v.email, v.name, v.status, v.plan, v.subscription?.status, v.subscription?.source, v.subscription?.currentPeriodEnd,
              v.subscription?.cancelAtPeriodEnd, v.newsletters.join(' '), v.createdAt, v.confirmedAt, v.cancelledAt,
            ].map(csvCell);
            yield `${line.join(',')}\r\n`;
          }
          if (batch.length < 500) return;
          const last = batch[batch.length - 1];
          after = { createdAt: last.subscriber.createdAt, id: last.subscriber.id };
        }
      }
      return Readable.from(rows());
    },

    /**
     * A subscriber brought over from another system (imports): confirmed (they confirmed there),
     * with their newsletter choices and, when `plan` is given, that plan granted by hand (a comp,
     * or a paid membership whose billing stays with the old provider) until `currentPeriodEnd`
     * (null: open-ended). Found by email, so a second import updates the same subscriber; an erased
     * subscriber stays erased. One transaction. No token, session or mail is made.
     */
    async importSubscriber(input: { email: string; name: string | null; newsletters: string[]; createdAt: string; plan: string | null; currentPeriodEnd: string | null }) {
      const address = normaliseEmail(input.email);
      if (!address) throw unprocessable(`"${input.email}" is not an email address`, '/email');
      const plan = input.plan ? await repo.planBySlug(input.plan) : undefined;
      if (input.plan && !plan) throw unprocessable(`There is no plan "${input.plan}"`, '/plan');
      const at = clock.now().toISOString();
      return repo.importSubscriber({
        email: address,
        name: input.name,
        newsletters: input.newsletters,
        createdAt: input.createdAt,
        at,
        subscription: plan
          ? {
              planId: plan.id,
              status: 'active',
              source: isFreePlan(plan) ? 'free' : 'admin',
              stripeSubscriptionId: null,
              currentPeriodEnd: input.currentPeriodEnd,
              cancelAtPeriodEnd: false,
              startedAt: input.createdAt,
              updatedAt: at,
              endedAt: null,
            }
          : null,
      });
    },

    /** Grants or changes a subscription by hand (a comp, a correction). */
    async grant(id: number, input: { plan: string; currentPeriodEnd?: string | null }) {
      const plan = await repo.planBySlug(input.plan);
      if (!plan) throw unprocessable(`There is no plan "${input.plan}"`, '/body/plan');
      const now = clock.now();
      if (input.currentPeriodEnd && Date.parse(input.currentPeriodEnd) <= now.getTime()) {
        throw unprocessable('currentPeriodEnd must be in the future', '/body/currentPeriodEnd');
      }
      const at = now.toISOString();
      const periodEnd = input.currentPeriodEnd ? new Date(input.currentPeriodEnd).toISOString() : null;
      await repo.changeMembership(id, at, ({ account }) => {
        if (!account) throw notFound(`Subscriber ${id}`);
        if (account.subscriber.status === 'erased') throw new HttpError(409, 'The subscriber was erased');
        return {
          kind: 'subscribe',
          reopen: account.subscriber.status === 'cancelled',
          subscription: {
            planId: plan.id,
            status: 'active',
            source: isFreePlan(plan) ? 'free' : 'admin',
            stripeSubscriptionId: null,
            currentPeriodEnd: periodEnd,
            cancelAtPeriodEnd: false,
            startedAt: at,
            updatedAt: at,
            endedAt: null,
          },
        };
      });
      return detail(id);
    },

    /** Ends a paid subscription now: back to the free plan. */
    async cancel(id: number) {
      const now = clock.now();
      const at = now.toISOString();
      await repo.changeMembership(id, at, ({ account, free }) => {
        if (!account) throw notFound(`Subscriber ${id}`);
        if (account.subscriber.status === 'erased') throw new HttpError(409, 'The subscriber was erased');
        if (!account.subscription || !account.plan || isFreePlan(account.plan) || account.subscription.status === 'cancelled' || !free) {
          throw new HttpError(409, 'The subscriber has no paid subscription to cancel');
        }
        return { kind: 'subscribe', subscription: freeSubscription(free, at), reopen: false };
      });
      return detail(id);
    },

    async outbox(filter: { to?: string }, limit: number, cursor?: string) {
      const to = filter.to ? (normaliseEmail(filter.to) ?? filter.to.trim().toLowerCase()) : undefined;
      const after = cursor ? decodeCursor(cursor, OutboxCursor) : null;
      const rows = await outbox.page({ to }, limit + 1, after ? after[0] : null);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map((m) => ({
          id: m.id,
          to: m.toAddress,
          kind: m.kind,
          subject: m.subject,
          text: m.textBody ?? null,
          html: m.htmlBody ?? null,
          status: m.status,
          error: m.error ?? null,
          createdAt: m.createdAt,
          sentAt: m.sentAt ?? null,
        })),
        meta: { nextCursor: more && last ? encodeCursor([last.id]) : null, total: await outbox.count({ to }) },
      };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
