import type Stripe from 'stripe';
import type { Clock } from '../../lib/clock.js';
import { HttpError } from '../../lib/httpError.js';
import type { SubscriberRow, SubscriptionRow } from '../accounts/repository.js';
import { FREE_PLAN_SLUG } from '../plans/repository.js';
import type { PaymentDecision, PaymentKeys, PaymentLookups, PaymentSubject, PaymentsRepository } from './repository.js';

/**
 * Stripe webhooks: verified with the stripe package's helper against STRIPE_WEBHOOK_SECRET,
 * each event applied once (its id is claimed in the same transaction as its effects), mapped to
 * subscribers by checkout's client_reference_id / metadata.subscriberId, then by the Stripe
 * customer and subscription ids remembered from it. Nothing here calls Stripe. The rules below are
 * pure functions of what the repository read for the event (see PaymentsRepository.applyEvent).
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

/** The ids and names an event carries, by which the repository looks rows up. */
function keysOf(event: Stripe.Event): PaymentKeys {
  const o = event.data.object as unknown as Obj;
  const meta = metadataOf(o);
  const fromMeta = Number(str(meta.subscriberId) ?? NaN);
  let subscriberId: number | null = Number.isSafeInteger(fromMeta) ? fromMeta : null;
  let stripeSubscriptionId: string | null = null;
  let priceId: string | null = null;
  switch (event.type) {
    case 'checkout.session.completed': {
      const ref = str(o.client_reference_id) ?? str(meta.subscriberId);
      subscriberId = ref && /^\d{1,15}$/.test(ref) ? Number(ref) : null;
      stripeSubscriptionId = idOf(o.subscription);
      break;
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      stripeSubscriptionId = idOf(o.id);
      const item = firstItem(o);
      priceId = item && isObj(item.price) ? str(item.price.id) : null;
      break;
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const parent = isObj(o.parent) && isObj(o.parent.subscription_details) ? o.parent.subscription_details : {};
      stripeSubscriptionId = idOf(o.subscription) ?? idOf(parent.subscription);
      break;
    }
  }
  return { subscriberId, stripeSubscriptionId, customerId: idOf(o.customer), planSlug: str(meta.plan) ?? str(meta.planSlug), priceId };
}

/**
 * The subscriber an event is about: checkout names it; subscription and invoice events are matched
 * by the Stripe subscription, then the customer, then metadata. Erased subscribers match nothing.
 */
function matchSubscriber(event: Stripe.Event, found: PaymentLookups): SubscriberRow | undefined {
  let sub: SubscriberRow | undefined;
  switch (event.type) {
    case 'checkout.session.completed':
      sub = found.bySubscriberId;
      break;
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'invoice.paid':
    case 'invoice.payment_failed':
      sub = found.byStripeSubscription ? found.byStripeSubscription.subscriber : (found.byCustomer ?? found.bySubscriberId);
      break;
  }
  return sub && sub.status !== 'erased' ? sub : undefined;
}

/**
 * The customer id to remember for the subscriber, or false when another subscriber already holds it
 * (undefined: nothing to remember).
 */
function customerToRemember(sub: SubscriberRow, customer: string | null, found: PaymentLookups): string | undefined | false {
  if (!customer || sub.stripeCustomerId === customer) return undefined;
  if (found.byCustomer && found.byCustomer.id !== sub.id) return false;
  return customer;
}

/**
 * Stripe never revives a deleted (canceled) subscription, but it delivers events out of order and
 * retries failed deliveries for days: a checkout or subscription update about a subscription whose
 * deletion was already applied is stale and must not reopen access.
 */
function deletedAlready(subject: PaymentSubject, stripeSubscriptionId: string | null): boolean {
  const current = subject.account.subscription;
  return (
    stripeSubscriptionId !== null &&
    current?.stripeSubscriptionId === stripeSubscriptionId &&
    current.status === 'cancelled' &&
    subject.deletedSinceStart
  );
}

/** What the event does to the subscriber it matched (pure). */
function decide(event: Stripe.Event, keys: PaymentKeys, found: PaymentLookups, subject: PaymentSubject | null, now: Date): PaymentDecision {
  const at = now.toISOString();
  const o = event.data.object as unknown as Obj;
  const known = [
    'checkout.session.completed', 'customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted',
    'invoice.paid', 'invoice.payment_failed',
  ];
  if (!known.includes(event.type)) return { outcome: 'ignored', subscriberId: null };
  if (!subject) return { outcome: 'unmatched', subscriberId: null };
  const { subscriber: sub, account: acc } = subject;
  const stripeSubscriptionId = keys.stripeSubscriptionId;
  const current = acc.subscription;
  switch (event.type) {
    case 'checkout.session.completed': {
      if (deletedAlready(subject, stripeSubscriptionId)) return { outcome: 'ignored_deleted', subscriberId: sub.id };
      const plan = found.planBySlug ?? (current?.status === 'pending_payment' ? acc.plan ?? undefined : undefined) ?? subject.requested;
      if (!plan) return { outcome: 'no_plan', subscriberId: sub.id };
      const customerId = customerToRemember(sub, keys.customerId, found);
      if (customerId === false) return { outcome: 'customer_conflict', subscriberId: sub.id };
      const paid = o.payment_status === 'paid' || o.payment_status === 'no_payment_required';
      const holder = found.byStripeSubscription?.subscription;
      if (stripeSubscriptionId && holder && holder.subscriberId !== sub.id) return { outcome: 'subscription_conflict', subscriberId: sub.id, customerId };
      return {
        outcome: paid ? 'activated' : 'awaiting_payment',
        subscriberId: sub.id,
        customerId,
        subscription: {
          planId: plan.id,
          status: paid ? 'active' : 'pending_payment',
          source: 'stripe',
          stripeSubscriptionId,
          currentPeriodEnd: current?.stripeSubscriptionId === stripeSubscriptionId ? current?.currentPeriodEnd ?? null : null,
          cancelAtPeriodEnd: false,
          startedAt: at,
          updatedAt: at,
          endedAt: null,
        },
      };
    }

    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      // The customer id is remembered whatever the event then does.
      const customerId = customerToRemember(sub, keys.customerId, found);
      if (customerId === false) return { outcome: 'customer_conflict', subscriberId: sub.id };
      if (event.type !== 'customer.subscription.deleted' && deletedAlready(subject, stripeSubscriptionId)) {
        return { outcome: 'ignored_deleted', subscriberId: sub.id, customerId };
      }
      if (stripeSubscriptionId && current?.stripeSubscriptionId && current.stripeSubscriptionId !== stripeSubscriptionId && current.status !== 'cancelled') {
        // An event about another (older) subscription of the same customer: leave the current one alone.
        if (event.type === 'customer.subscription.deleted') return { outcome: 'ignored_other_subscription', subscriberId: sub.id, customerId };
      }
      const item = firstItem(o);
      const plan = found.planByPrice ?? found.planBySlug ?? (acc.plan && acc.plan.slug !== FREE_PLAN_SLUG ? acc.plan : undefined);
      if (!plan) return { outcome: 'no_plan', subscriberId: sub.id, customerId };
      const status = event.type === 'customer.subscription.deleted' ? 'cancelled' : mapStatus(o.status);
      const periodEnd = isoFromUnix(o.current_period_end) ?? (item ? isoFromUnix(item.current_period_end) : null) ?? current?.currentPeriodEnd ?? null;
      return {
        outcome: status === 'cancelled' ? 'cancelled' : `status_${status}`,
        subscriberId: sub.id,
        customerId,
        subscription: {
          planId: plan.id,
          status,
          source: 'stripe',
          stripeSubscriptionId,
          currentPeriodEnd: periodEnd,
          cancelAtPeriodEnd: status === 'cancelled' ? false : o.cancel_at_period_end === true,
          startedAt: current?.startedAt && current.planId === plan.id ? current.startedAt : at,
          updatedAt: at,
          endedAt: status === 'cancelled' ? at : null,
        },
      };
    }

    default: {
      // invoice.paid, invoice.payment_failed
      if (!current || current.source !== 'stripe' || (stripeSubscriptionId && current.stripeSubscriptionId && current.stripeSubscriptionId !== stripeSubscriptionId)) {
        return { outcome: 'ignored_other_subscription', subscriberId: sub.id };
      }
      if (current.status === 'cancelled') return { outcome: 'ignored_cancelled', subscriberId: sub.id };
      if (event.type === 'invoice.payment_failed') {
        return {
          outcome: 'payment_failed',
          subscriberId: sub.id,
          ...(current.status === 'active' ? { subscriptionPatch: { status: 'past_due' as const, updatedAt: at } } : {}),
        };
      }
      const lines = isObj(o.lines) && Array.isArray(o.lines.data) ? o.lines.data.filter(isObj) : [];
      const ends = lines.map((l) => (isObj(l.period) ? isoFromUnix(l.period.end) : null)).filter((e): e is string => e !== null).sort();
      return {
        outcome: 'renewed',
        subscriberId: sub.id,
        subscriptionPatch: {
          status: 'active',
          stripeSubscriptionId: current.stripeSubscriptionId ?? stripeSubscriptionId,
          currentPeriodEnd: ends[ends.length - 1] ?? current.currentPeriodEnd,
          updatedAt: at,
        },
      };
    }
  }
}

export interface PaymentsDeps {
  repo: PaymentsRepository;
  clock: Clock;
  /** STRIPE_WEBHOOK_SECRET; unset: the webhook answers 503. */
  secret: string | undefined;
  toleranceSeconds: number;
}

export function createPaymentsService(deps: PaymentsDeps) {
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

  return {
    async receive(raw: Buffer, signature: string | undefined): Promise<PaymentResult> {
      const event = await verify(raw, signature);
      const now = clock.now();
      const keys = keysOf(event);
      const { duplicate, outcome } = await repo.applyEvent(
        { id: event.id, type: event.type, at: now.toISOString() },
        keys,
        (found) => matchSubscriber(event, found),
        (found, subject) => decide(event, keys, found, subject, now),
      );
      return { received: true as const, duplicate, outcome };
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
