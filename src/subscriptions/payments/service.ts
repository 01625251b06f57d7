import type Stripe from 'stripe';
import type { Clock } from '../../lib/clock.js';
import { HttpError } from '../../lib/httpError.js';
import type { AccountsRepository, AccountsTx, PlanRow, SubscriberRow, SubscriptionRow } from '../accounts/repository.js';
import { FREE_PLAN_SLUG } from '../plans/service.js';

/**
 * Stripe webhooks: verified with the stripe package's helper against STRIPE_WEBHOOK_SECRET,
 * each event applied once (its id is claimed in the same transaction as its effects), mapped to
 * subscribers by checkout's client_reference_id / metadata.subscriberId, then by the Stripe
 * customer and subscription ids remembered from it. Nothing here calls Stripe.
 */
export interface PaymentResult {
  received: true;
  duplicate: boolean;
  outcome: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
/** Stripe expands ids into objects when asked; accept both. */
const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null);
const isoFromUnix = (v: unknown): string | null => (typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000).toISOString() : null);

function metadataOf(o: Obj): Obj {
  return isObj(o.metadata) ? o.metadata : {};
}

function firstItem(o: Obj): Obj | null {
  const items = isObj(o.items) && Array.isArray(o.items.data) ? o.items.data : [];
  return isObj(items[0]) ? items[0] : null;
}

/** Stripe status → ours. */
function mapStatus(status: unknown): SubscriptionRow['status'] {
  switch (status) {
    case 'active':
    case 'trialing':
      return 'active';
    case 'past_due':
    case 'unpaid':
      return 'past_due';
    case 'incomplete':
      return 'pending_payment';
    default:
      return 'cancelled'; // canceled, incomplete_expired, paused
  }
}

export function createPaymentsService(deps: { repo: AccountsRepository; clock: Clock; secret: string | undefined; toleranceSeconds: number }) {
  const { repo, clock } = deps;

  // The stripe package (~20 MB resident) is loaded with the first webhook, not at start.
  let stripeModule: Promise<typeof Stripe> | null = null;
  const loadStripe = () => (stripeModule ??= import('stripe').then((m) => m.default));

  async function verify(raw: Buffer, signature: string | undefined): Promise<Stripe.Event> {
    if (!deps.secret) throw new HttpError(503, 'Payments are not configured on this server (STRIPE_WEBHOOK_SECRET is unset)');
    if (!signature) {
      throw new HttpError(400, 'The Stripe-Signature header is missing', {
        errors: [{ pointer: '/headers/stripe-signature', detail: 'is required' }],
      });
    }
    const Stripe = await loadStripe();
    let event: unknown;
    try {
      event = Stripe.webhooks.constructEvent(raw, signature, deps.secret, deps.toleranceSeconds, undefined, clock.now().getTime());
    } catch (err) {
      const detail = err instanceof Stripe.errors.StripeSignatureVerificationError
        ? 'The signature does not verify, or the event is older than the replay tolerance'
        : 'The event is not valid JSON';
      throw new HttpError(400, detail, { errors: [{ pointer: '/headers/stripe-signature', detail }] });
    }
    if (!isObj(event) || !str(event.id) || !str(event.type) || !isObj(event.data) || !isObj(event.data.object)) {
      throw new HttpError(400, 'The event lacks an id, a type or data.object');
    }
    return event as unknown as Stripe.Event;
  }

  function planFromMetadata(tx: AccountsTx, meta: Obj): PlanRow | undefined {
    const slug = str(meta.plan) ?? str(meta.planSlug);
    return slug ? tx.planBySlug(slug) : undefined;
  }

  /** The subscriber a subscription/invoice event is about. */
  function subscriberFor(tx: AccountsTx, o: Obj, stripeSubscriptionId: string | null): SubscriberRow | undefined {
    if (stripeSubscriptionId) {
      const sub = tx.subscriptionByStripeId(stripeSubscriptionId);
      if (sub) return tx.subscriberById(sub.subscriberId);
    }
    const customer = idOf(o.customer);
    if (customer) {
      const s = tx.subscriberByStripeCustomer(customer);
      if (s) return s;
    }
    const fromMeta = Number(str(metadataOf(o).subscriberId) ?? NaN);
    return Number.isSafeInteger(fromMeta) ? tx.subscriberById(fromMeta) : undefined;
  }

  function rememberCustomer(tx: AccountsTx, sub: SubscriberRow, customer: string | null, at: string): boolean {
    if (!customer || sub.stripeCustomerId === customer) return true;
    const other = tx.subscriberByStripeCustomer(customer);
    if (other && other.id !== sub.id) return false;
    tx.updateSubscriber(sub.id, { stripeCustomerId: customer, updatedAt: at });
    return true;
  }

  /**
   * Stripe never revives a deleted (canceled) subscription, but it delivers events out of order and
   * retries failed deliveries for days: a checkout or subscription update about a subscription whose
   * deletion was already applied is stale and must not reopen access.
   */
  function deletedAlready(tx: AccountsTx, current: SubscriptionRow | null | undefined, stripeSubscriptionId: string | null): boolean {
    return (
      stripeSubscriptionId !== null &&
      current?.stripeSubscriptionId === stripeSubscriptionId &&
      current.status === 'cancelled' &&
      tx.stripeDeletionSince(current.subscriberId, current.startedAt)
    );
  }

  function apply(tx: AccountsTx, event: Stripe.Event, now: Date): { outcome: string; subscriberId: number | null } {
    const at = now.toISOString();
    const o = event.data.object as unknown as Obj;
    switch (event.type) {
      case 'checkout.session.completed': {
        const ref = str(o.client_reference_id) ?? str(metadataOf(o).subscriberId);
        const sub = ref && /^\d{1,15}$/.test(ref) ? tx.subscriberById(Number(ref)) : undefined;
        if (!sub || sub.status === 'erased') return { outcome: 'unmatched', subscriberId: null };
        const acc = tx.account(sub.id);
        if (deletedAlready(tx, acc?.subscription, idOf(o.subscription))) return { outcome: 'ignored_deleted', subscriberId: sub.id };
        const requested = sub.requestedPlanId ? tx.planById(sub.requestedPlanId) : undefined;
        const plan = planFromMetadata(tx, metadataOf(o))
          ?? (acc?.subscription?.status === 'pending_payment' ? acc.plan ?? undefined : undefined)
          ?? requested;
        if (!plan) return { outcome: 'no_plan', subscriberId: sub.id };
        if (!rememberCustomer(tx, sub, idOf(o.customer), at)) return { outcome: 'customer_conflict', subscriberId: sub.id };
        const paid = o.payment_status === 'paid' || o.payment_status === 'no_payment_required';
        const stripeSubscriptionId = idOf(o.subscription);
        if (stripeSubscriptionId) {
          const holder = tx.subscriptionByStripeId(stripeSubscriptionId);
          if (holder && holder.subscriberId !== sub.id) return { outcome: 'subscription_conflict', subscriberId: sub.id };
        }
        tx.upsertSubscription(sub.id, {
          planId: plan.id,
          status: paid ? 'active' : 'pending_payment',
          source: 'stripe',
          stripeSubscriptionId,
          currentPeriodEnd: acc?.subscription?.stripeSubscriptionId === stripeSubscriptionId ? acc?.subscription?.currentPeriodEnd ?? null : null,
          cancelAtPeriodEnd: false,
          startedAt: at,
          updatedAt: at,
          endedAt: null,
        });
        return { outcome: paid ? 'activated' : 'awaiting_payment', subscriberId: sub.id };
      }

      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const stripeSubscriptionId = idOf(o.id);
        const sub = subscriberFor(tx, o, stripeSubscriptionId);
        if (!sub || sub.status === 'erased') return { outcome: 'unmatched', subscriberId: null };
        if (!rememberCustomer(tx, sub, idOf(o.customer), at)) return { outcome: 'customer_conflict', subscriberId: sub.id };
        const acc = tx.account(sub.id);
        const current = acc?.subscription ?? null;
        if (event.type !== 'customer.subscription.deleted' && deletedAlready(tx, current, stripeSubscriptionId)) {
          return { outcome: 'ignored_deleted', subscriberId: sub.id };
        }
        if (stripeSubscriptionId && current?.stripeSubscriptionId && current.stripeSubscriptionId !== stripeSubscriptionId && current.status !== 'cancelled') {
          // An event about another (older) subscription of the same customer: leave the current one alone.
          if (event.type === 'customer.subscription.deleted') return { outcome: 'ignored_other_subscription', subscriberId: sub.id };
        }
        const item = firstItem(o);
        const priceId = item && isObj(item.price) ? str(item.price.id) : null;
        const plan = (priceId ? tx.planByStripePrice(priceId) : undefined)
          ?? planFromMetadata(tx, metadataOf(o))
          ?? (acc?.plan && acc.plan.slug !== FREE_PLAN_SLUG ? acc.plan : undefined);
        if (!plan) return { outcome: 'no_plan', subscriberId: sub.id };
        const status = event.type === 'customer.subscription.deleted' ? 'cancelled' : mapStatus(o.status);
        const periodEnd = isoFromUnix(o.current_period_end) ?? (item ? isoFromUnix(item.current_period_end) : null) ?? current?.currentPeriodEnd ?? null;
        tx.upsertSubscription(sub.id, {
          planId: plan.id,
          status,
          source: 'stripe',
          stripeSubscriptionId,
          currentPeriodEnd: periodEnd,
          cancelAtPeriodEnd: status === 'cancelled' ? false : o.cancel_at_period_end === true,
          startedAt: current?.startedAt && current.planId === plan.id ? current.startedAt : at,
          updatedAt: at,
          endedAt: status === 'cancelled' ? at : null,
        });
        return { outcome: status === 'cancelled' ? 'cancelled' : `status_${status}`, subscriberId: sub.id };
      }

      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const parent = isObj(o.parent) && isObj(o.parent.subscription_details) ? o.parent.subscription_details : {};
        const stripeSubscriptionId = idOf(o.subscription) ?? idOf(parent.subscription);
        const sub = subscriberFor(tx, o, stripeSubscriptionId);
        if (!sub || sub.status === 'erased') return { outcome: 'unmatched', subscriberId: null };
        const current = tx.account(sub.id)?.subscription;
        if (!current || current.source !== 'stripe' || (stripeSubscriptionId && current.stripeSubscriptionId && current.stripeSubscriptionId !== stripeSubscriptionId)) {
          return { outcome: 'ignored_other_subscription', subscriberId: sub.id };
        }
        if (current.status === 'cancelled') return { outcome: 'ignored_cancelled', subscriberId: sub.id };
        if (event.type === 'invoice.payment_failed') {
          if (current.status === 'active') tx.updateSubscription(sub.id, { status: 'past_due', updatedAt: at });
          return { outcome: 'payment_failed', subscriberId: sub.id };
        }
        const lines = isObj(o.lines) && Array.isArray(o.lines.data) ? o.lines.data.filter(isObj) : [];
        const ends = lines.map((l) => (isObj(l.period) ? isoFromUnix(l.period.end) : null)).filter((e): e is string => e !== null).sort();
        tx.updateSubscription(sub.id, {
          status: 'active',
          stripeSubscriptionId: current.stripeSubscriptionId ?? stripeSubscriptionId,
          currentPeriodEnd: ends[ends.length - 1] ?? current.currentPeriodEnd,
          updatedAt: at,
        });
        return { outcome: 'renewed', subscriberId: sub.id };
      }

      default:
        return { outcome: 'ignored', subscriberId: null };
    }
  }

  return {
    async receive(raw: Buffer, signature: string | undefined): Promise<PaymentResult> {
      const event = await verify(raw, signature);
      const now = clock.now();
      return repo.transaction((tx) => {
        if (!tx.claimPaymentEvent(event.id, event.type, now.toISOString())) {
          return { received: true as const, duplicate: true, outcome: 'duplicate' };
        }
        const result = apply(tx, event, now);
        tx.setPaymentEventOutcome(event.id, result.outcome, result.subscriberId);
        return { received: true as const, duplicate: false, outcome: result.outcome };
      });
    },
  };
}
