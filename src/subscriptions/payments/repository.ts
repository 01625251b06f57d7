import type { Db } from '../../db/client.js';
import { atomic } from '../../db/transaction.js';
import { accountStatements, type Account, type PlanRow, type SubscriberRow, type SubscriptionRow, type SubscriptionValues } from '../accounts/statements.js';

/** The keys a payment event names: whatever of them the event carries. */
export interface PaymentKeys {
  /** Our subscriber id, from checkout's client_reference_id or an object's metadata. */
  subscriberId: number | null;
  stripeSubscriptionId: string | null;
  customerId: string | null;
  /** A plan named by slug in the event's metadata. */
  planSlug: string | null;
  /** The Stripe price of the subscription's first item. */
  priceId: string | null;
}

/** What the keys found, read inside the event's transaction. */
export interface PaymentLookups {
  bySubscriberId: SubscriberRow | undefined;
  /** The subscription that holds the Stripe subscription id, and its subscriber. */
  byStripeSubscription: { subscription: SubscriptionRow; subscriber: SubscriberRow | undefined } | undefined;
  byCustomer: SubscriberRow | undefined;
  planBySlug: PlanRow | undefined;
  planByPrice: PlanRow | undefined;
}

/** The subscriber an event was matched to, with what deciding its effect needs. */
export interface PaymentSubject {
  subscriber: SubscriberRow;
  account: Account;
  /** The plan asked for at sign-up, if any. */
  requested: PlanRow | undefined;
  /**
   * Whether a customer.subscription.deleted event was applied to the subscriber since its current
   * subscription started (Stripe never revives a deleted subscription; late events about it are stale).
   */
  deletedSinceStart: boolean;
}

/** What an event does: its outcome (stored with it) and the writes, all optional. */
export interface PaymentDecision {
  outcome: string;
  subscriberId: number | null;
  /** Remember the subscriber's Stripe customer id. */
  customerId?: string;
  /** Replace the subscriber's one subscription. */
  subscription?: SubscriptionValues;
  /** Change fields of the subscriber's subscription. */
  subscriptionPatch?: Partial<SubscriptionValues>;
}

/**
 * The payments data layer: each Stripe event is applied by one IMMEDIATE transaction that claims
 * the event id, reads what the event names, lets the feature's rules (pure functions, no I/O)
 * match a subscriber and decide the effect, writes it and stores the outcome. Contract, for any engine:
 * - once: the claim is a unique key, so a redelivery (or two deliveries at once) applies nothing
 *   again and answers `duplicate`;
 * - isolation: the whole event is serialisable with every other write (the write lock is taken at
 *   BEGIN), so two events about one subscriber apply one after the other, each seeing the other's
 *   effect; which one goes first is arrival order, which is why the rules check staleness;
 * - a crash before the commit leaves neither the claim nor the effect: Stripe retries and the
 *   event is applied then.
 */
export function createPaymentsRepository(db: Db) {
  return {
    async applyEvent(
      event: { id: string; type: string; at: string },
      keys: PaymentKeys,
      match: (found: PaymentLookups) => SubscriberRow | undefined,
      decide: (found: PaymentLookups, subject: PaymentSubject | null) => PaymentDecision,
    ): Promise<{ duplicate: boolean; outcome: string }> {
      return atomic(
        db,
        (tx) => {
          const s = accountStatements(tx);
          if (!s.claimPaymentEvent(event.id, event.type, event.at)) return { duplicate: true, outcome: 'duplicate' };
          const held = keys.stripeSubscriptionId ? s.subscriptionByStripeId(keys.stripeSubscriptionId) : undefined;
          const found: PaymentLookups = {
            bySubscriberId: keys.subscriberId !== null ? s.subscriberById(keys.subscriberId) : undefined,
            byStripeSubscription: held ? { subscription: held, subscriber: s.subscriberById(held.subscriberId) } : undefined,
            byCustomer: keys.customerId ? s.subscriberByStripeCustomer(keys.customerId) : undefined,
            planBySlug: keys.planSlug ? s.planBySlug(keys.planSlug) : undefined,
            planByPrice: keys.priceId ? s.planByStripePrice(keys.priceId) : undefined,
          };
          const subscriber = match(found);
          let subject: PaymentSubject | null = null;
          if (subscriber) {
            const account = s.account(subscriber.id) as Account;
            const current = account.subscription;
            subject = {
              subscriber,
              account,
              requested: subscriber.requestedPlanId ? s.planById(subscriber.requestedPlanId) : undefined,
              deletedSinceStart: current ? s.stripeDeletionSince(subscriber.id, current.startedAt) : false,
            };
          }
          const decision = decide(found, subject);
          const id = decision.subscriberId;
          if (id !== null) {
            if (decision.customerId) s.updateSubscriber(id, { stripeCustomerId: decision.customerId, updatedAt: event.at });
            if (decision.subscription) s.upsertSubscription(id, decision.subscription);
            if (decision.subscriptionPatch) s.updateSubscription(id, decision.subscriptionPatch);
          }
          s.setPaymentEventOutcome(event.id, decision.outcome, id);
          return { duplicate: false, outcome: decision.outcome };
        },
        { immediate: true },
      );
    },
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
