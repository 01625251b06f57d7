import type { Entitlements } from '../access/identity.js';
import type { AccessLevel } from '../access/policy.js';
import type { PlanRow, SubscriptionRow } from './accounts/repository.js';

/** The meter's period: the calendar month in UTC, 'YYYY-MM'. */
export function meterPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** When the current period's meter resets: the first instant of next month (UTC). */
export function meterResetsAt(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}

/**
 * Whether the subscription currently gives its plan's entitlements: while active or past_due
 * (the provider is still retrying), and — for hand-granted subscriptions and ones cancelled at
 * period end — until currentPeriodEnd. Anything else falls back to the free plan.
 */
export function subscriptionIsCurrent(sub: SubscriptionRow | null, now: Date): boolean {
  if (!sub || (sub.status !== 'active' && sub.status !== 'past_due')) return false;
  const ended = sub.currentPeriodEnd !== null && Date.parse(sub.currentPeriodEnd) <= now.getTime();
  if (ended && (sub.source === 'admin' || sub.cancelAtPeriodEnd)) return false;
  return true;
}

/** The plan whose entitlements apply now. */
export function effectivePlan(sub: SubscriptionRow | null, plan: PlanRow | null, freePlan: PlanRow, now: Date): PlanRow {
  return plan && subscriptionIsCurrent(sub, now) ? plan : freePlan;
}

export function entitlementsOf(plan: PlanRow, meterLimit: number, readThisPeriod: number[]): Entitlements {
  const meter = plan.metered && meterLimit > 0
    ? { remaining: Math.max(0, meterLimit - readThisPeriod.length), readThisPeriod: new Set(readThisPeriod) }
    : null;
  return {
    levels: plan.levels.filter((l): l is AccessLevel => l === 'registered' || l === 'subscribers'),
    archive: plan.archive,
    sections: plan.sections ?? null,
    meter,
  };
}
