import type { FastifyInstance } from 'fastify';
import type { Identity } from '../access/identity.js';
import { seedSamplePlans } from '../subscriptions/seed.js';
import { attachSamplePhoto } from '../photos/seed.js';
import { SAMPLE_SECTIONS } from './sections.js';
import { SAMPLE_AUTHORS, SAMPLE_STORIES, SAMPLE_TAGS, type SampleStory } from './stories.js';

const DAY_MS = 86_400_000;

/** Who the seed acts as (revisions record it). */
const SEED_IDENTITY: Identity = { kind: 'apiKey', keyId: 'seed', name: 'sample content seed', scopes: ['admin'] };

export interface SeedOptions {
  /**
   * The photos step: stores the story's photo (story.photo) and returns its id, or null to seed the
   * story without one. The returned photo becomes the featured photo and an image block at the
   * end of the body. Defaults to the photos feature's generated sample photos
   * (src/photos/seed.ts); pass `async () => null` to seed stories without photos.
   */
  attachPhoto?: (story: SampleStory, app: FastifyInstance) => Promise<number | null>;
}

/**
 * Seeds the sample publication through the same services the API uses, only into an empty
 * database (no sections yet). Returns what was created, or null when the database had content.
 * Stories are dated relative to now: published `publishedDaysAgo` days ago, or scheduled that
 * many days ahead when negative, or left as drafts.
 */
export async function seedSampleContent(app: FastifyInstance, options: SeedOptions = {}): Promise<Record<string, number> | null> {
  const { sections } = app;
  if ((await sections.list(1)).data.length > 0) return null;
  for (const s of SAMPLE_SECTIONS) await sections.create(s);
  const plans = await seedSamplePlans(app);

  const { authors } = app;
  for (const a of SAMPLE_AUTHORS) await authors.create({ slug: a.slug, name: a.name, bio: a.bio, role: a.role });
  const { tags } = app;
  for (const t of SAMPLE_TAGS) await tags.create({ slug: t.slug, name: t.name });

  const { articles } = app;
  const now = app.clock.now().getTime();
  let photos = 0;
  // Oldest first, so ids follow publication order as they would in a real newsroom.
  const stories = [...SAMPLE_STORIES].sort((x, y) => y.publishedDaysAgo - x.publishedDaysAgo);
  for (const story of stories) {
    const photoId = await (options.attachPhoto ?? attachSamplePhoto)(story, app);
    if (photoId !== null) photos++;
    const at = new Date(now - story.publishedDaysAgo * DAY_MS).toISOString();
    const workflow =
      story.status === 'draft'
        ? { status: 'draft' as const }
        : story.publishedDaysAgo < 0
          ? { status: 'scheduled' as const, scheduledFor: at }
          : { status: 'published' as const, publishedAt: at };
    await articles.create(
      {
        slug: story.slug,
        headline: story.headline,
        standfirst: story.standfirst,
        bodyMarkdown: photoId !== null ? `${story.markdown.trimEnd()}\n\n![](photo:${photoId})\n` : story.markdown,
        dateline: story.dateline,
        section: story.section,
        authors: story.authors,
        tags: story.tags,
        sources: story.sources,
        access: story.access,
        featuredPhotoId: photoId,
        ...workflow,
      },
      SEED_IDENTITY,
    );
  }
  return {
    sections: SAMPLE_SECTIONS.length,
    plans,
    authors: SAMPLE_AUTHORS.length,
    tags: SAMPLE_TAGS.length,
    articles: SAMPLE_STORIES.length,
    photos,
  };
}
