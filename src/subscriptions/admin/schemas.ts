import { z } from 'zod';
import { IsoDateTime } from '../../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../../schemas/pagination.js';
import { MeSubscription, MeterState } from '../accounts/schemas.js';

export const SUBSCRIBER_STATUSES = ['pending', 'active', 'cancelled', 'erased'] as const;
export const SUBSCRIPTION_STATUSES = ['active', 'pending_payment', 'past_due', 'cancelled'] as const;

export const AdminSubscriber = z
  .object({
    id: z.number().int(),
    email: z.string().nullable().describe('Null once erased'),
    name: z.string().nullable(),
    newsletters: z.array(z.string()).describe('Slugs of the newsletters the subscriber gets'),
    status: z.enum(SUBSCRIBER_STATUSES),
    plan: z.string().describe('Slug of the plan whose entitlements apply now (pending subscribers: none yet, shown as the free plan)'),
    requestedPlan: z.string().nullable().describe('Plan chosen at sign-up, applied on confirmation'),
    subscription: MeSubscription.extend({ stripeSubscriptionId: z.string().nullable() }).nullable(),
    stripeCustomerId: z.string().nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    confirmedAt: IsoDateTime.nullable(),
    cancelledAt: IsoDateTime.nullable(),
    erasedAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'AdminSubscriber', description: 'A subscriber as editors see them' });
export type AdminSubscriber = z.infer<typeof AdminSubscriber>;

export const AdminSubscriberDetail = AdminSubscriber.extend({
  activeSessions: z.number().int(),
  meter: MeterState.nullable(),
}).meta({ id: 'AdminSubscriberDetail' });

export const AdminSubscriberList = z
  .object({ data: z.array(AdminSubscriber), meta: ListMeta })
  .meta({ id: 'AdminSubscriberList' });

const filters = {
  plan: z.string().max(120).optional().describe('Plan slug of the current subscription'),
  status: z.enum(SUBSCRIBER_STATUSES).optional().describe('Membership status'),
  subscriptionStatus: z.enum(SUBSCRIPTION_STATUSES).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('Finds text in the email address or name'),
};

export const AdminSubscriberListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery, ...filters });
export const AdminSubscriberExportQuery = z.strictObject(filters);
export const AdminSubscriberParams = z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Subscriber id') });

export const GrantSubscription = z
  .strictObject({
    plan: z.string().min(1).max(120).describe('Plan slug'),
    currentPeriodEnd: IsoDateTime.nullable().optional().describe('When the granted access ends; null or omitted = until changed'),
  })
  .meta({ id: 'GrantSubscription' });

export const OutboxMail = z
  .object({
    id: z.number().int(),
    to: z.string(),
    kind: z.string(),
    subject: z.string(),
    text: z.string().nullable().describe('Null once delivered by SMTP (the body, with its one-time link, is not kept)'),
    html: z.string().nullable(),
    status: z.enum(['outbox', 'queued', 'sent', 'failed']),
    error: z.string().nullable(),
    createdAt: IsoDateTime,
    sentAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'OutboxMail', description: 'A mail the system sent or holds' });

export const OutboxList = z.object({ data: z.array(OutboxMail), meta: ListMeta }).meta({ id: 'OutboxList' });
export const OutboxQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  to: z.string().max(320).optional().describe('Only mails to this address (normalised like sign-up)'),
});
