import type { Identity } from './identity.js';

/** A plan offered in a paywall: enough for a frontend to render the "Subscribe now" box. */
export interface PaywallPlan {
  slug: string;
  name: string;
  price: number;
  currency: string;
  interval: 'month' | 'year' | 'none';
}

/** The outcome of spending the meter on one read. */
export interface MeterSpend {
  granted: boolean;
  remaining: number;
}

/**
 * What the access policy's callers ask of the subscriptions feature, which implements it and
 * decorates it as `app.accessExtensions` (tests may pass a fake through the build options).
 */
export interface AccessExtensions {
  /** Plans that would open an article of this level (and archive, when `archive` is true). */
  plansFor(level: string, archive: boolean): Promise<PaywallPlan[]>;
  /**
   * Called once when the policy would open a read by spending the meter (decision.metered). The
   * policy decided on the allowance as it was when the session was resolved; this checks and
   * records the read in one step against the stored reads, so simultaneous first reads cannot
   * spend more than the allowance. `granted: false` means the meter ran out meanwhile: the caller
   * shows the paywall. `remaining` is what is left after this read. (No answer counts as granted.)
   */
  recordMeteredRead(identity: Identity, articleId: number): Promise<MeterSpend | void>;
}
