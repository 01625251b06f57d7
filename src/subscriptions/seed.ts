import type { FastifyInstance } from 'fastify';

/** Sample paid plans next to the free one (which a migration creates). */
export const SAMPLE_PLANS = [
  {
    slug: 'digital',
    name: 'Digital',
    description: 'Every story, the full archive, and the daily briefing.',
    price: 999,
    currency: 'EUR',
    interval: 'month' as const,
    levels: ['subscribers' as const],
    archive: true,
    position: 1,
  },
  {
    slug: 'digital-annual',
    name: 'Digital, yearly',
    description: 'Everything in Digital, two months free.',
    price: 9990,
    currency: 'EUR',
    interval: 'year' as const,
    levels: ['subscribers' as const],
    archive: true,
    position: 2,
  },
];

/** Creates the sample plans that do not exist yet; returns how many it created. */
export async function seedSamplePlans(app: FastifyInstance): Promise<number> {
  const { plans } = app.subscriptions;
  const existing = new Set((await plans.list(100, undefined, true)).data.map((p) => p.slug));
  let created = 0;
  for (const p of SAMPLE_PLANS) {
    if (existing.has(p.slug)) continue;
    await plans.create(p);
    created++;
  }
  return created;
}
