/**
 * Seeds a benchmark database through the services the API uses (never raw SQL): sections,
 * authors, tags, the sample plans, generated photos, N published articles, and a paid subscriber
 * with a session. Reports the bulk-import rate.
 */
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { Identity } from '../src/access/identity.js';
import { buildApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { samplePhotoJpeg } from '../src/photos/seed.js';
import { SAMPLE_SECTIONS } from '../src/seed/sections.js';
import { seedSamplePlans } from '../src/subscriptions/seed.js';
import { storyFor } from './content.js';

const SEED_IDENTITY: Identity = { kind: 'apiKey', keyId: 'bench', name: 'benchmark seed', scopes: ['admin'] };
const DAY_MS = 86_400_000;
/** Publication dates spread over this many days (ARCHIVE_AFTER_DAYS is 60: a third are archive). */
const SPREAD_DAYS = 90;

export interface SeedResult {
  articles: number;
  importSeconds: number;
  importRate: number;
  photoIds: number[];
  subscriberToken: string;
}

export async function seedBenchmark(config: Config, n: number, log: (s: string) => void): Promise<SeedResult> {
  const app = await buildApp({ config, logger: false });
  await app.ready();
  try {
    return await seed(app, n, log);
  } finally {
    await app.close();
  }
}

async function seed(app: FastifyInstance, n: number, log: (s: string) => void): Promise<SeedResult> {
  const { sections } = app;
  for (const s of SAMPLE_SECTIONS) await sections.create(s);
  await seedSamplePlans(app);
  const { authors } = app;
  const authorSlugs: string[] = [];
  for (let i = 1; i <= 24; i++) {
    const a = await authors.create({ slug: `reporter-${i}`, name: `Reporter ${i}`, role: 'Correspondent' });
    authorSlugs.push(a.slug);
  }
  const { tags } = app;
  const tagSlugs: string[] = [];
  for (let i = 1; i <= 40; i++) tagSlugs.push((await tags.create({ slug: `topic-${i}`, name: `Topic ${i}` })).slug);

  const photoIds: number[] = [];
  const now = app.clock.now();
  for (let i = 0; i < 8; i++) {
    const bytes = await samplePhotoJpeg(`bench-${i}`, {
      colour: [40 + i * 25, 90, 160 - i * 10] as [number, number, number],
      caption: `Rescue workers inspect the damaged pier in Port Halden, ${i + 1} days after the storm.`,
      credit: 'NRA-PARTNER/HARBOUR AUTHORITY HANDOUT',
      creator: 'Harbour Authority',
      headline: 'Storm damage',
      altText: 'A damaged pier at dusk',
      takenDaysAgo: i,
    }, now);
    photoIds.push((await app.photos.upload(bytes, { filename: `bench-${i}.jpg` })).photo.id);
  }

  const { articles } = app;
  const ctx = { photoIds, sections: SAMPLE_SECTIONS.map((s) => s.slug), authors: authorSlugs, tags: tagSlugs };
  const start = performance.now();
  const t0 = now.getTime() - SPREAD_DAYS * DAY_MS;
  let last = start;
  for (let i = 0; i < n; i++) {
    const story = storyFor(i, ctx);
    const publishedAt = new Date(t0 + Math.floor((i * SPREAD_DAYS * DAY_MS) / n)).toISOString();
    await articles.create({ ...story, status: 'published', publishedAt }, SEED_IDENTITY);
    if (performance.now() - last > 5000) {
      last = performance.now();
      log(`  … ${i + 1} articles (${Math.round((i + 1) / ((last - start) / 1000))}/s)`);
    }
  }
  const importSeconds = (performance.now() - start) / 1000;

  // A paid subscriber, the way a reader becomes one: sign-up, the confirmation link, a session, a plan.
  const { accounts, admin } = app.subscriptions;
  await accounts.signUp({ email: 'bench.reader@example.com', plan: 'digital' });
  const mail = (await admin.outbox({ to: 'bench.reader@example.com' }, 1)).data[0];
  const mailToken = /ndm_[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  if (!mailToken) throw new Error('no confirmation token in the outbox');
  const session = await accounts.confirm(mailToken);
  await admin.grant(session.subscriber.id, { plan: 'digital', currentPeriodEnd: new Date(now.getTime() + 365 * DAY_MS).toISOString() });

  return { articles: n, importSeconds, importRate: n / importSeconds, photoIds, subscriberToken: session.token };
}
