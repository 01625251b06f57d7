import { ConflictError, ReferenceViolationError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import { z } from 'zod';
import type { SectionRow, SectionsRepository } from './repository.js';
import type { Section, SectionCreate, SectionUpdate } from './schemas.js';

const SectionCursor = z.tuple([z.number().int(), z.number().int()]);

const toSection = (r: SectionRow): Section => ({ ...r, description: r.description ?? null });

export interface SectionsDeps {
  repo: SectionsRepository;
  clock: Clock;
}

const slugTaken = (slug: string) => conflict(`A section with slug "${slug}" already exists`);

/** Reports a slug taken meanwhile (by a concurrent write) as the same 409 as one taken before. */
async function orSlugTaken<T>(slug: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof ConflictError) throw slugTaken(slug);
    throw err;
  }
}

export function createSectionsService({ repo, clock }: SectionsDeps) {
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
      if (await repo.findBySlug(slug)) throw slugTaken(slug);
      const now = clock.now().toISOString();
      const row = await orSlugTaken(slug, repo.insert({
        slug,
        name: input.name,
        description: input.description ?? null,
        position: input.position ?? 0,
        createdAt: now,
        updatedAt: now,
      }));
      return toSection(row);
    },

    /** `expectedVersion` comes from If-Match; without it the current version is used. */
    async update(slug: string, patch: SectionUpdate, expectedVersion: number | null | 'any'): Promise<Section> {
      const current = await get(slug);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The section is at version ${current.version}; your change was based on another`);
      }
      if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) throw slugTaken(patch.slug);
      const updated = await orSlugTaken(patch.slug ?? slug, repo.update(current.id, current.version, { ...patch, updatedAt: clock.now().toISOString() }));
      if (!updated) throw new HttpError(412, 'The section changed while you were editing it; fetch it and try again');
      return toSection(updated);
    },

    async delete(slug: string): Promise<void> {
      const current = await get(slug);
      try {
        await repo.delete(current.id);
      } catch (err) {
        if (err instanceof ReferenceViolationError) {
          throw conflict(`Section "${slug}" still has articles; move them to another section first`);
        }
        throw err;
      }
    },
  };
}

export type SectionsService = ReturnType<typeof createSectionsService>;
