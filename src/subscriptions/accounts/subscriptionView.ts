import type { z } from 'zod';
import type { PlanRow, SubscriptionRow } from './repository.js';
import type { MeSubscription } from './schemas.js';

/**
 * A subscription as the API shows it, to the subscriber (GET /v1/me) and to admins (who also see
 * the provider's id): the one mapper, so both say the same about renewal.
 */
export function subscriptionView(sub: SubscriptionRow | null | undefined, plan: PlanRow | null | undefined): z.infer<typeof MeSubscription> | null {
  if (!sub || !plan) return null;
  return {
    plan: plan.slug,
    status: sub.status,
    source: sub.source,
    startedAt: sub.startedAt,
    currentPeriodEnd: sub.currentPeriodEnd ?? null,
    // Only a provider-billed subscription renews by itself, and not once its cancellation is asked for.
    renewsAt: sub.status === 'active' && !sub.cancelAtPeriodEnd && sub.source === 'stripe' ? (sub.currentPeriodEnd ?? null) : null,
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
  };
}
