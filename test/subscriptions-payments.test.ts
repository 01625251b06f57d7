import t, { type Test } from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { WEBHOOK_SECRET, sendStripeEvent, subscriber } from './helpers/subscribers.js';

const env = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET };
const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

async function withPaidPlan(t: Test) {
  const ctx = await buildTestApp(t, { env });
  const plan = await ctx.app.inject({
    method: 'POST', url: '/v1/plans', headers: ctx.admin,
    payload: { slug: 'digital', name: 'Digital', price: 999, levels: ['subscribers'], archive: true, stripePriceId: 'price_digital_monthly' },
  });
  t.equal(plan.statusCode, 201);
  return ctx;
}

t.test('checkout → active paid plan; renewals; failed payment; cancellation → back to free', async (t) => {
  const { app, admin, clock } = await withPaidPlan(t);
  const s = await subscriber(app, admin, 'payer@example.com', { plan: 'digital' });
  let me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.plan.slug, 'free', 'awaiting payment: free entitlements meanwhile');
  t.equal(me.subscription.plan, 'digital');
  t.equal(me.subscription.status, 'pending_payment');

  const checkout = await sendStripeEvent(app, {
    id: 'evt_checkout_1',
    type: 'checkout.session.completed',
    object: {
      id: 'cs_test_1', object: 'checkout.session', mode: 'subscription', payment_status: 'paid',
      client_reference_id: String(s.id), customer: 'cus_123', subscription: 'sub_123', metadata: {},
    },
  });
  t.equal(checkout.statusCode, 200);
  t.same(json(checkout), { received: true, duplicate: false, outcome: 'activated' });
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.plan.slug, 'digital');
  t.same(me.entitlements, { levels: ['registered', 'subscribers'], archive: true, sections: null });
  t.equal(me.meter, null, 'a paid plan has no meter');

  // The same event again (Stripe retries): acknowledged, not applied twice.
  const dup = await sendStripeEvent(app, { id: 'evt_checkout_1', type: 'checkout.session.completed', object: { client_reference_id: String(s.id), customer: 'cus_other' } });
  t.same(json(dup), { received: true, duplicate: true, outcome: 'duplicate' });
  t.equal(json(await app.inject({ url: `/v1/admin/subscribers/${s.id}`, headers: admin })).stripeCustomerId, 'cus_123');

  const periodEnd = '2026-02-15T12:00:00.000Z';
  const paid = await sendStripeEvent(app, {
    id: 'evt_invoice_1', type: 'invoice.paid',
    object: { id: 'in_1', object: 'invoice', customer: 'cus_123', parent: { subscription_details: { subscription: 'sub_123' } }, lines: { data: [{ period: { start: unix('2026-01-15T12:00:00Z'), end: unix(periodEnd) } }] } },
  });
  t.equal(json(paid).outcome, 'renewed');
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.subscription.currentPeriodEnd, periodEnd);
  t.equal(me.subscription.renewsAt, periodEnd, 'renewal date');

  const failed = await sendStripeEvent(app, { id: 'evt_fail_1', type: 'invoice.payment_failed', object: { id: 'in_2', customer: 'cus_123', subscription: 'sub_123' } });
  t.equal(json(failed).outcome, 'payment_failed');
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.subscription.status, 'past_due');
  t.equal(me.plan.slug, 'digital', 'past due keeps access while the provider retries');

  const updated = await sendStripeEvent(app, {
    id: 'evt_sub_upd', type: 'customer.subscription.updated',
    object: { id: 'sub_123', object: 'subscription', customer: 'cus_123', status: 'active', cancel_at_period_end: true, items: { data: [{ price: { id: 'price_digital_monthly' }, current_period_end: unix('2026-03-15T12:00:00Z') }] } },
  });
  t.equal(json(updated).outcome, 'status_active');
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.subscription.status, 'active');
  t.equal(me.subscription.cancelAtPeriodEnd, true);
  t.equal(me.subscription.renewsAt, null, 'set to end: no renewal');

  clock.advance(86_400_000);
  const deleted = await sendStripeEvent(app, { id: 'evt_sub_del', type: 'customer.subscription.deleted', object: { id: 'sub_123', customer: 'cus_123', status: 'canceled' } });
  t.equal(json(deleted).outcome, 'cancelled');
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.plan.slug, 'free', 'back to the free plan');
  t.equal(me.subscription.status, 'cancelled');
  t.equal(me.status, 'active', 'still a registered reader');
  t.ok(me.meter, 'the meter is back');

  // A late invoice for the ended subscription does not revive it.
  const late = await sendStripeEvent(app, { id: 'evt_late', type: 'invoice.paid', object: { customer: 'cus_123', subscription: 'sub_123' } });
  t.equal(json(late).outcome, 'ignored_cancelled');
});

t.test('out-of-order events: nothing about a deleted subscription reopens access; a paused one can resume', async (t) => {
  const { app, admin, clock } = await withPaidPlan(t);
  const s = await subscriber(app, admin, 'late@example.com', { plan: 'digital' });
  const checkout = { client_reference_id: String(s.id), payment_status: 'paid', customer: 'cus_late', subscription: 'sub_late', metadata: { plan: 'digital' } };
  t.equal(json(await sendStripeEvent(app, { id: 'evt_late_checkout', type: 'checkout.session.completed', object: checkout })).outcome, 'activated');
  clock.advance(60_000);
  const del = await sendStripeEvent(app, { id: 'evt_late_del', type: 'customer.subscription.deleted', object: { id: 'sub_late', customer: 'cus_late', status: 'canceled' } });
  t.equal(json(del).outcome, 'cancelled');

  // Stripe delivers out of order and retries for days: an update made before the deletion, and a
  // retried checkout, both arrive after it.
  clock.advance(60_000);
  const staleUpdate = await sendStripeEvent(app, {
    id: 'evt_late_upd', type: 'customer.subscription.updated',
    object: { id: 'sub_late', customer: 'cus_late', status: 'active', cancel_at_period_end: false, items: { data: [{ price: { id: 'price_digital_monthly' }, current_period_end: unix('2027-06-01T00:00:00Z') }] } },
  });
  t.equal(json(staleUpdate).outcome, 'ignored_deleted');
  const retriedCheckout = await sendStripeEvent(app, { id: 'evt_late_checkout_retry', type: 'checkout.session.completed', object: checkout });
  t.equal(json(retriedCheckout).outcome, 'ignored_deleted');
  let me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.plan.slug, 'free', 'still on the free plan');
  t.equal(me.subscription.status, 'cancelled');

  // A new subscription (new id) after the deletion works as usual.
  const again = await sendStripeEvent(app, { id: 'evt_new_checkout', type: 'checkout.session.completed', object: { ...checkout, subscription: 'sub_new' } });
  t.equal(json(again).outcome, 'activated');
  t.equal(json(await app.inject({ url: '/v1/me', headers: s.auth })).plan.slug, 'digital');

  // Pausing is not a deletion: a paused subscription can resume.
  const paused = await sendStripeEvent(app, { id: 'evt_pause', type: 'customer.subscription.updated', object: { id: 'sub_new', customer: 'cus_late', status: 'paused' } });
  t.equal(json(paused).outcome, 'cancelled');
  t.equal(json(await app.inject({ url: '/v1/me', headers: s.auth })).plan.slug, 'free');
  const resumed = await sendStripeEvent(app, { id: 'evt_resume', type: 'customer.subscription.updated', object: { id: 'sub_new', customer: 'cus_late', status: 'active' } });
  t.equal(json(resumed).outcome, 'status_active');
  me = json(await app.inject({ url: '/v1/me', headers: s.auth }));
  t.equal(me.plan.slug, 'digital', 'resumed');
});

t.test('signatures: unsigned, mis-signed, tampered, replayed and malformed events are 400s', async (t) => {
  const { app, admin, clock } = await withPaidPlan(t);
  const s = await subscriber(app, admin, 'sig@example.com', { plan: 'digital' });
  const event = { id: 'evt_sig', type: 'checkout.session.completed', object: { client_reference_id: String(s.id), payment_status: 'paid', customer: 'cus_sig' } };

  const unsigned = await sendStripeEvent(app, event, { signature: null });
  t.equal(unsigned.statusCode, 400);
  t.match(unsigned.headers['content-type'], /application\/problem\+json/);
  t.equal(json(unsigned).errors[0].pointer, '/headers/stripe-signature');

  const wrongSecret = await sendStripeEvent(app, event, { secret: 'whsec_not_ours' });
  t.equal(wrongSecret.statusCode, 400);

  const garbage = await sendStripeEvent(app, event, { signature: 't=abc,v1=zzz' });
  t.equal(garbage.statusCode, 400);

  // Replay: a correctly signed event from 10 minutes ago (tolerance 5 minutes).
  const old = await sendStripeEvent(app, event, { at: new Date(clock.now().getTime() - 600_000) });
  t.equal(old.statusCode, 400);
  t.match(json(old).detail, /older than the replay tolerance/);

  // Tampered: a valid signature over other bytes.
  const { default: Stripe } = await import('stripe');
  const payload = JSON.stringify({ id: 'evt_x', type: 'invoice.paid', data: { object: {} } });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(clock.now().getTime() / 1000) });
  const tampered = await sendStripeEvent(app, event, { signature: header });
  t.equal(tampered.statusCode, 400);

  const notJson = await sendStripeEvent(app, event, { rawBody: 'this is not json' });
  t.equal(notJson.statusCode, 400);
  const noId = await sendStripeEvent(app, event, { rawBody: JSON.stringify({ type: 'invoice.paid', data: { object: {} } }) });
  t.equal(noId.statusCode, 400);

  t.equal(json(await app.inject({ url: '/v1/me', headers: s.auth })).plan.slug, 'free', 'none of them activated anything');

  const ok = await sendStripeEvent(app, event);
  t.equal(ok.statusCode, 200);
  t.equal(json(await app.inject({ url: '/v1/me', headers: s.auth })).plan.slug, 'digital');

  const unknownType = await sendStripeEvent(app, { id: 'evt_other', type: 'customer.created', object: { id: 'cus_sig' } });
  t.same(json(unknownType), { received: true, duplicate: false, outcome: 'ignored' });
  const unmatched = await sendStripeEvent(app, { id: 'evt_nobody', type: 'checkout.session.completed', object: { client_reference_id: '999999' } });
  t.equal(json(unmatched).outcome, 'unmatched');
});

t.test('payments not configured: 503, nothing applied', async (t) => {
  const { app } = await buildTestApp(t);
  const res = await sendStripeEvent(app, { id: 'evt_1', type: 'invoice.paid', object: {} });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /application\/problem\+json/);
});

t.test('admin: list, search, filter, page, view, grant, cancel, export CSV', async (t) => {
  const { app, admin, clock } = await withPaidPlan(t);
  const ids: number[] = [];
  for (const [i, email] of ['ana@example.com', 'ben@example.org', 'cara@example.com', 'dan@example.com'].entries()) {
    ids.push((await subscriber(app, admin, email, i === 0 ? { name: '=HYPERLINK("x")' } : {})).id);
    clock.advance(1000);
  }
  await app.inject({ method: 'POST', url: '/v1/subscribers', payload: { email: 'pending@example.com' } });

  const all = json(await app.inject({ url: '/v1/admin/subscribers', headers: admin }));
  t.equal(all.meta.total, 5);
  t.equal(all.data[0].email, 'pending@example.com', 'newest first');

  const page1 = await app.inject({ url: '/v1/admin/subscribers?limit=2&status=active', headers: admin });
  t.same(json(page1).data.map((s: { email: string }) => s.email), ['dan@example.com', 'cara@example.com']);
  t.match(page1.headers.link, /rel="next"/);
  const page2 = json(await app.inject({ url: `/v1/admin/subscribers?limit=2&status=active&cursor=${json(page1).meta.nextCursor}`, headers: admin }));
  t.same(page2.data.map((s: { email: string }) => s.email), ['ben@example.org', 'ana@example.com']);
  t.equal(page2.meta.nextCursor, null);

  t.same(json(await app.inject({ url: '/v1/admin/subscribers?q=example.org', headers: admin })).data.map((s: { email: string }) => s.email), ['ben@example.org']);
  t.equal(json(await app.inject({ url: '/v1/admin/subscribers?q=%25', headers: admin })).meta.total, 0, '% is literal in a search');
  t.equal(json(await app.inject({ url: '/v1/admin/subscribers?status=pending', headers: admin })).meta.total, 1);
  t.equal((await app.inject({ url: '/v1/admin/subscribers?status=gold', headers: admin })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/admin/subscribers?cursor=bogus', headers: admin })).statusCode, 400);

  // Grant by hand, with an end date; then it lapses by itself.
  const grant = await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${ids[1]}/subscription`, headers: admin, payload: { plan: 'digital', currentPeriodEnd: '2026-02-01T00:00:00Z' } });
  t.equal(grant.statusCode, 200);
  t.match(json(grant), { plan: 'digital', subscription: { plan: 'digital', source: 'admin', status: 'active' } });
  t.same(json(await app.inject({ url: '/v1/admin/subscribers?plan=digital', headers: admin })).data.map((s: { id: number }) => s.id), [ids[1]]);
  const unknownPlan = await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${ids[1]}/subscription`, headers: admin, payload: { plan: 'gold' } });
  t.equal(unknownPlan.statusCode, 422);
  t.equal((await app.inject({ method: 'PUT', url: '/v1/admin/subscribers/999/subscription', headers: admin, payload: { plan: 'digital' } })).statusCode, 404);

  const cancel = await app.inject({ method: 'DELETE', url: `/v1/admin/subscribers/${ids[1]}/subscription`, headers: admin });
  t.equal(cancel.statusCode, 200);
  t.equal(json(cancel).plan, 'free');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/admin/subscribers/${ids[1]}/subscription`, headers: admin })).statusCode, 409, 'nothing left to cancel');

  await app.inject({ method: 'PUT', url: `/v1/admin/subscribers/${ids[2]}/subscription`, headers: admin, payload: { plan: 'digital', currentPeriodEnd: '2026-01-20T00:00:00Z' } });
  t.equal(json(await app.inject({ url: `/v1/admin/subscribers/${ids[2]}`, headers: admin })).plan, 'digital');
  clock.set('2026-01-21T00:00:00Z');
  const lapsed = json(await app.inject({ url: `/v1/admin/subscribers/${ids[2]}`, headers: admin }));
  t.equal(lapsed.plan, 'free', 'a hand-granted subscription ends at its end date');
  t.equal(lapsed.activeSessions, 1);

  const csv = await app.inject({ url: '/v1/admin/subscribers/export?status=active', headers: admin });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="subscribers-/);
  const lines = csv.body.trim().split('\r\n');
  t.equal(lines[0], 'id,email,name,status,plan,subscriptionStatus,subscriptionSource,currentPeriodEnd,cancelAtPeriodEnd,newsletters,createdAt,confirmedAt,cancelledAt');
  t.equal(lines.length, 5, 'a header and the four active subscribers');
  t.ok(lines.some((l) => l.includes(`"'=HYPERLINK(""x"")"`)), 'formula-looking cells are neutralised');

  const anon = await app.inject({ url: '/v1/admin/subscribers' });
  t.equal(anon.statusCode, 401);
  const sess = await subscriber(app, admin, 'nosy@example.com');
  t.equal((await app.inject({ url: '/v1/admin/subscribers', headers: sess.auth })).statusCode, 403, 'a subscriber is not an admin');
  t.equal((await app.inject({ url: '/v1/admin/outbox', headers: sess.auth })).statusCode, 403, 'nor can they read the outbox');
});
