import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import { z } from 'zod';
import { createSectionsRepository, type SectionRow } from './repository.js';
import type { Section, SectionCreate, SectionUpdate } from './schemas.js';

const SectionCursor = z.tuple([z.number().int(), z.number().int()]);

const toSection = (r: SectionRow): Section => ({ ...r, description: r.description ?? null });

export function createSectionsService(db: Db, clock: Clock) {
  const repo = createSectionsRepository(db);

  async function get(slug: string): Promise<SectionRow> {
    const row = await repo.findBySlug(slug);
    if (!row) throw notFound(`Section "${slug}"`);
    return row;
  }

  return {
    async list(limit: number, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, SectionCursor) : null;
      const rows = await repo.page(limit + 1, after ? { position: after[0], id: after[1] } : null);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toSection),
        meta: { nextCursor: more && last ? encodeCursor([last.position, last.id]) : null, total: await repo.count() },
      };
    },

    async get(slug: string): Promise<Section> {
      return toSection(await get(slug));
    },

    async create(input: SectionCreate): Promise<Section> {
      const slug = input.slug ?? toSlug(input.name);
      if (await repo.findBySlug(slug)) throw conflict(`A section with slug "${slug}" already exists`);
      const now = clock.now().toISOString();
      const row = await repo.insert({
        slug,
        name: input.name,
        description: input.description ?? null,
        position: input.position ?? 0,
        createdAt: now,
        updatedAt: now,
      });
      return toSection(row);
    },

    /** `expectedVersion` comes from If-Match; without it the current version is used. */
    async update(slug: string, patch: SectionUpdate, expectedVersion: number | null | 'any'): Promise<Section> {
      const current = await get(slug);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The section is at version ${current.version}; your change was based on another`);
      }
      if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) {
        throw conflict(`A section with slug "${patch.slug}" already exists`);
      }
      const updated = await repo.update(current.id, current.version, { ...patch, updatedAt: clock.now().toISOString() });
      if (!updated) throw new HttpError(412, 'The section changed while you were editing it; fetch it and try again');
      return toSection(updated);
    },

    async delete(slug: string): Promise<void> {
      const current = await get(slug);
      try {
        await repo.delete(current.id);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw conflict(`Section "${slug}" still has articles; move them to another section first`);
        }
        throw err;
      }
    },
  };
}

export type SectionsService = ReturnType<typeof createSectionsService>;
