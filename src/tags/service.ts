import { z } from 'zod';
import { ConflictError, ReferenceViolationError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { TagRow, TagsRepository } from './repository.js';
import type { Tag, TagCreate, TagUpdate } from './schemas.js';

const TagCursor = z.tuple([z.string().max(400), z.number().int()]);

/**
 * Removes a tag from every article that uses it and deletes it, as one atomic write: each article
 * gets a revision, its search entry and a change-feed entry (the articles feature's data layer).
 * Returns how many articles it was removed from.
 */
export interface TagDetacher {
  detachAndDelete(kind: 'tag', id: number, slug: string, actor: string, at: string): Promise<number>;
}

export interface TagsDeps {
  repo: TagsRepository;
  articles: TagDetacher;
  clock: Clock;
}

export function createTagsService(deps: TagsDeps) {
  const { repo, articles } = deps;
  const now = () => deps.clock.now();

  async function get(slug: string): Promise<TagRow> {
    const row = await repo.findBySlug(slug);
    if (!row) throw notFound(`Tag "${slug}"`);
    return row;
  }

  async function present(rows: TagRow[]): Promise<Tag[]> {
    const counts = await repo.visibleArticleCounts(rows.map((r) => r.id), now().toISOString());
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      description: r.description,
      articleCount: counts.get(r.id) ?? 0,
      articlesUrl: `/v1/articles?tag=${r.slug}`,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      version: r.version,
    }));
  }

  const slugTaken = (slug: string) =>
    new HttpError(409, `A tag with slug "${slug}" already exists`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });

  return {
    async list(limit: number, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, TagCursor) : null;
      const rows = await repo.page(limit + 1, after ? { name: after[0], id: after[1] } : null);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: await present(page),
        meta: { nextCursor: more && last ? encodeCursor([last.name, last.id]) : null, total: await repo.count() },
      };
    },

    async get(slug: string): Promise<Tag> {
      return (await present([await get(slug)]))[0];
    },

    async create(input: TagCreate): Promise<Tag> {
      const slug = input.slug ?? toSlug(input.name);
      if (await repo.findBySlug(slug)) throw slugTaken(slug);
      const at = now().toISOString();
      try {
        const row = await repo.insert({ slug, name: input.name, description: input.description ?? null, createdAt: at, updatedAt: at });
        return (await present([row]))[0];
      } catch (err) {
        if (err instanceof ConflictError) throw slugTaken(slug);
        throw err;
      }
    },

    async update(slug: string, patch: TagUpdate, expectedVersion: number | null | 'any'): Promise<Tag> {
      const current = await get(slug);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The tag is at version ${current.version}; your change was based on another`);
      }
      if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) throw slugTaken(patch.slug);
      let updated: TagRow | undefined;
      try {
        updated = await repo.update(current.id, current.version, { ...patch, updatedAt: now().toISOString() });
      } catch (err) {
        if (err instanceof ConflictError) throw slugTaken(patch.slug ?? slug);
        throw err;
      }
      if (!updated) throw new HttpError(412, 'The tag changed while you were editing it; fetch it and try again');
      return (await present([updated]))[0];
    },

    /** Refused (409) while articles use the tag, unless `detach`: then they lose it (with a revision each). */
    async delete(slug: string, detach: boolean, actor: string): Promise<{ detachedFrom: number }> {
      const current = await get(slug);
      const used = await repo.usage(current.id);
      if (used > 0 && !detach) {
        throw conflict(`Tag "${slug}" is used by ${used} article(s); send ?detach=true to remove it from them and delete`);
      }
      if (used === 0) {
        try {
          await repo.delete(current.id);
        } catch (err) {
          // An article took the tag between the count and the delete: refused like any use.
          if (err instanceof ReferenceViolationError) throw conflict(`Tag "${slug}" is now used by an article; try again (with ?detach=true to remove it)`);
          throw err;
        }
        return { detachedFrom: 0 };
      }
      return { detachedFrom: await articles.detachAndDelete('tag', current.id, current.slug, actor, now().toISOString()) };
    },
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
