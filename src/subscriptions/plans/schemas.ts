import { z } from 'zod';
import { IsoDateTime, Slug, multiLine, oneLine } from '../../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../../schemas/pagination.js';

export const PLAN_LEVELS = ['registered', 'subscribers'] as const;
export const PlanLevel = z.enum(PLAN_LEVELS);
export const PlanInterval = z.enum(['month', 'year', 'none']);

export const Plan = z
  .object({
    id: z.number().int(),
    slug: Slug,
    name: z.string(),
    description: z.string().nullable(),
    price: z.number().int().describe('Price per interval in the currency\'s minor unit (cents), as payment providers count it: 999 = 9.99'),
    currency: z.string().describe('ISO 4217 code, e.g. EUR'),
    interval: PlanInterval.describe('Billing interval; `none` for free or one-off plans'),
    levels: z.array(PlanLevel).describe('Access levels the plan opens (`subscribers` implies `registered`)'),
    archive: z.boolean().describe(`Opens articles older than ARCHIVE_AFTER_DAYS`),
    sections: z.array(z.string()).nullable().describe('When set, gated articles are open only in these sections'),
    metered: z.boolean().describe('Readers on this plan also get METER_FREE_ARTICLES gated articles a month'),
    stripePriceId: z.string().nullable().describe('The Stripe price billed for this plan (used to recognise it in payment events)'),
    active: z.boolean().describe('Offered to readers; a retired plan keeps its subscribers'),
    position: z.number().int(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int(),
  })
  .meta({ id: 'Plan', description: 'A subscription plan: what it costs and what it opens' });
export type Plan = z.infer<typeof Plan>;

const planFields = {
  slug: Slug.optional().describe('Made from the name when omitted'),
  name: oneLine(120),
  description: multiLine(2000).nullable().optional(),
  price: z.number().int().min(0).max(100_000_000).describe('Minor units (cents)'),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 code').optional().describe('Default EUR'),
  interval: PlanInterval.optional().describe('Default `month` for priced plans, `none` for free ones'),
  levels: z.array(PlanLevel).min(1).max(2),
  archive: z.boolean().optional(),
  sections: z.array(Slug).max(100).nullable().optional(),
  metered: z.boolean().optional(),
  stripePriceId: z.string().trim().min(1).max(200).nullable().optional(),
  active: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
};

export const PlanCreate = z.strictObject(planFields).meta({ id: 'PlanCreate' });
export type PlanCreate = z.infer<typeof PlanCreate>;

export const PlanUpdate = z
  .strictObject(planFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'PlanUpdate' });
export type PlanUpdate = z.infer<typeof PlanUpdate>;

export const PlanList = z.object({ data: z.array(Plan), meta: ListMeta }).meta({ id: 'PlanList' });

export const PlanListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });
export const PlanParams = z.strictObject({ slug: z.string().max(200).describe('Plan slug') });
