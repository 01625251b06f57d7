import type { FastifyInstance } from 'fastify';
import { createSectionsService } from '../sections/service.js';
import { SAMPLE_SECTIONS } from './sections.js';

/**
 * Seeds the sample publication through the same services the API uses, only into an empty
 * database (no sections yet). Returns what was created, or null when the database had content.
 */
export async function seedSampleContent(app: FastifyInstance): Promise<Record<string, number> | null> {
  const sections = createSectionsService(app.db, app.clock);
  if ((await sections.list(1)).data.length > 0) return null;
  for (const s of SAMPLE_SECTIONS) await sections.create(s);
  return { sections: SAMPLE_SECTIONS.length };
}
