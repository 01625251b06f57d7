import type { Identity } from './identity.js';

/** A plan offered in a paywall: enough for a frontend to render the "Subscribe now" box. */
export interface PaywallPlan {
  slug: string;
  name: string;
  price: number;
  currency: string;
  interval: 'month' | 'year' | 'none';
}

/**
 * Hooks the access policy's callers use and the subscriptions feature fills in. Defaults keep
 * the app working without subscriptions (no plans to offer, nothing to meter).
 */
export interface AccessExtensions {
  /** Plans that would open an article of this level (and archive, when `archive` is true). */
  plansFor(level: string, archive: boolean): Promise<PaywallPlan[]>;
  /** Called once when a read was granted by spending the meter (decision.metered). */
  recordMeteredRead(identity: Identity, articleId: number): Promise<void>;
}

export function defaultAccessExtensions(): AccessExtensions {
  return {
    plansFor: async () => [],
    recordMeteredRead: async () => undefined,
  };
}
