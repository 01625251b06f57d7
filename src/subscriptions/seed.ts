import type { FastifyInstance } from 'fastify';
import { createPlansService } from './plans/service.js';

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
  const plans = createPlansService(app.db, app.clock);
  let created = 0;
  for (const p of SAMPLE_PLANS) {
    if (await plans.repo.findBySlug(p.slug)) continue;
    await plans.create(p);
    created++;
  }
  return created;
}
