import { z } from 'zod';
import type { PaywallPlan } from '../../access/extensions.js';
import type { Clock } from '../../lib/clock.js';
import { HttpError, conflict, notFound, unprocessable } from '../../lib/httpError.js';
import { toSlug } from '../../lib/slug.js';
import { decodeCursor, encodeCursor } from '../../schemas/pagination.js';
import { FREE_PLAN_SLUG, type PlanRow, type PlansRepository } from './repository.js';
import type { Plan, PlanCreate, PlanUpdate } from './schemas.js';

export { FREE_PLAN_SLUG };

const PlanCursor = z.tuple([z.number().int(), z.number().int()]);

export const toPlan = (r: PlanRow): Plan => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description ?? null,
  price: r.priceCents,
  currency: r.currency,
  interval: r.interval,
  levels: r.levels as Plan['levels'],
  archive: r.archive,
  sections: r.sections ?? null,
  metered: r.metered,
  stripePriceId: r.stripePriceId ?? null,
  active: r.active,
  position: r.position,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

export const toPaywallPlan = (r: PlanRow): PaywallPlan => ({
  slug: r.slug,
  name: r.name,
  price: r.priceCents,
  currency: r.currency,
  interval: r.interval,
});

/** `subscribers` implies `registered`; stored in a stable order. */
function normaliseLevels(levels: string[]): string[] {
  const set = new Set(levels);
  if (set.has('subscribers')) set.add('registered');
  return ['registered', 'subscribers'].filter((l) => set.has(l));
}

/** Whether a plan (by its row) opens an article of `level`, and the archive when asked. */
export function planOpens(plan: PlanRow, level: string, archive: boolean): boolean {
  const levelOk = level === 'public' || plan.levels.includes(level);
  return levelOk && (!archive || plan.archive);
}

export interface PlansDeps {
  repo: PlansRepository;
  clock: Clock;
}

export function createPlansService({ repo, clock }: PlansDeps) {

  async function get(slug: string, includeInactive = true): Promise<PlanRow> {
    const row = await repo.findBySlug(slug);
    if (!row || (!includeInactive && !row.active)) throw notFound(`Plan "${slug}"`);
    return row;
  }

  async function checkSections(sections: string[] | null | undefined): Promise<void> {
    if (!sections) return;
    const missing = await repo.missingSections(sections);
    if (missing.length > 0) {
      throw new HttpError(422, `Unknown section(s): ${missing.join(', ')}`, {
        errors: missing.map((s) => ({ pointer: `/body/sections/${sections.indexOf(s)}`, detail: `no section "${s}"` })),
      });
    }
  }

  async function checkStripePrice(priceId: string | null | undefined, selfId: number | null): Promise<void> {
    if (!priceId) return;
    const other = await repo.findByStripePrice(priceId);
    if (other && other.id !== selfId) throw conflict(`Plan "${other.slug}" already uses Stripe price "${priceId}"`);
  }

  return {
    get,
    async list(limit: number, cursor: string | undefined, includeInactive: boolean) {
      const after = cursor ? decodeCursor(cursor, PlanCursor) : null;
      const rows = await repo.page(limit + 1, after ? { position: after[0], id: after[1] } : null, includeInactive);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toPlan),
        meta: { nextCursor: more && last ? encodeCursor([last.position, last.id]) : null, total: await repo.count(includeInactive) },
      };
    },

    async create(input: PlanCreate): Promise<Plan> {
      const slug = input.slug ?? toSlug(input.name);
      if (await repo.findBySlug(slug)) throw conflict(`A plan with slug "${slug}" already exists`);
      await checkSections(input.sections);
      await checkStripePrice(input.stripePriceId, null);
      const now = clock.now().toISOString();
      const row = await repo.insert({
        slug,
        name: input.name,
        description: input.description ?? null,
        priceCents: input.price,
        currency: (input.currency ?? 'EUR').toUpperCase(),
        interval: input.interval ?? (input.price > 0 ? 'month' : 'none'),
        levels: normaliseLevels(input.levels),
        archive: input.archive ?? false,
        sections: input.sections ?? null,
        metered: input.metered ?? false,
        stripePriceId: input.stripePriceId ?? null,
        active: input.active ?? true,
        position: input.position ?? 0,
        createdAt: now,
        updatedAt: now,
      });
      return toPlan(row);
    },

    async update(slug: string, patch: PlanUpdate, expectedVersion: number | null | 'any'): Promise<Plan> {
      const current = await get(slug);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The plan is at version ${current.version}; your change was based on another`);
      }
      if (current.slug === FREE_PLAN_SLUG) {
        if (patch.slug !== undefined && patch.slug !== FREE_PLAN_SLUG) throw unprocessable('The free plan keeps its slug "free"', '/body/slug');
        if (patch.active === false) throw unprocessable('The free plan cannot be retired: confirmed subscribers fall back to it', '/body/active');
        if (patch.price !== undefined && patch.price !== 0) throw unprocessable('The free plan stays free', '/body/price');
      }
      if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) {
        throw conflict(`A plan with slug "${patch.slug}" already exists`);
      }
      await checkSections(patch.sections);
      await checkStripePrice(patch.stripePriceId, current.id);
      const { price, levels, currency, ...rest } = patch;
      const updated = await repo.update(current.id, current.version, {
        ...rest,
        ...(price !== undefined ? { priceCents: price } : {}),
        ...(levels !== undefined ? { levels: normaliseLevels(levels) } : {}),
        ...(currency !== undefined ? { currency: currency.toUpperCase() } : {}),
        updatedAt: clock.now().toISOString(),
      });
      if (!updated) throw new HttpError(412, 'The plan changed while you were editing it; fetch it and try again');
      return toPlan(updated);
    },

    async delete(slug: string): Promise<void> {
      const current = await get(slug);
      if (current.slug === FREE_PLAN_SLUG) throw conflict('The free plan cannot be deleted: confirmed subscribers fall back to it');
      if (!(await repo.deleteUnused(current.id))) {
        throw conflict(`Plan "${slug}" has subscribers; retire it with PATCH {"active": false} instead`);
      }
    },

    /** Active plans that would open an article of `level` (and the archive when `archive`), cheapest first. */
    async plansFor(level: string, archive: boolean): Promise<PaywallPlan[]> {
      if (level === 'public' && !archive) return [];
      const rows = (await repo.all()).filter((p) => p.active && planOpens(p, level, archive));
      return rows.sort((a, b) => a.priceCents - b.priceCents || a.position - b.position).map(toPaywallPlan);
    },
  };
}

export type PlansService = ReturnType<typeof createPlansService>;
