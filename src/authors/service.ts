import { z } from 'zod';
import { ConflictError, ReferenceViolationError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { PhotoEmbedder } from '../schemas/photo.js';
import type { AuthorRow, AuthorsRepository } from './repository.js';
import type { Author, AuthorCreate, AuthorUpdate } from './schemas.js';

const AuthorCursor = z.tuple([z.string().max(400), z.number().int()]);

/**
 * Removes a author from every article that uses it and deletes it, as one atomic write: each article
 * gets a revision, its search entry and a change-feed entry (the articles feature's data layer).
 * Returns how many articles it was removed from.
 */
export interface AuthorDetacher {
  detachAndDelete(kind: 'author', id: number, slug: string, actor: string, at: string): Promise<number>;
}

export interface AuthorsDeps {
  repo: AuthorsRepository;
  articles: AuthorDetacher;
  /** Embeds and checks author photos (the photos feature). */
  photos: PhotoEmbedder;
  clock: Clock;
}

export function createAuthorsService(deps: AuthorsDeps) {
  const { repo, articles } = deps;
  const now = () => deps.clock.now();

  async function get(slug: string): Promise<AuthorRow> {
    const row = await repo.findBySlug(slug);
    if (!row) throw notFound(`Author "${slug}"`);
    return row;
  }

  async function present(rows: AuthorRow[], withPhoto: boolean): Promise<Author[]> {
    const at = now();
    const counts = await repo.visibleArticleCounts(rows.map((r) => r.id), at.toISOString());
    const photoIds = withPhoto ? rows.map((r) => r.photoId).filter((id): id is number => id !== null) : [];
    const photos = photoIds.length > 0 ? await deps.photos.embed(photoIds, at) : new Map();
    return rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      bio: r.bio,
      role: r.role,
      photoId: r.photoId,
      ...(withPhoto ? { photo: r.photoId !== null ? photos.get(r.photoId) ?? null : null } : {}),
      articleCount: counts.get(r.id) ?? 0,
      articlesUrl: `/v1/articles?author=${r.slug}`,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      version: r.version,
    }));
  }

  async function checkPhoto(photoId: number | null | undefined) {
    if (photoId === undefined || photoId === null) return;
    if ((await deps.photos.missing([photoId])).length > 0) {
      throw new HttpError(422, `No photo has the id ${photoId}`, { errors: [{ pointer: '/body/photoId', detail: `no photo has the id ${photoId}` }] });
    }
  }

  const slugTaken = (slug: string) =>
    new HttpError(409, `An author with slug "${slug}" already exists`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });

  return {
    async list(limit: number, cursor?: string) {
      const after = cursor ? decodeCursor(cursor, AuthorCursor) : null;
      const rows = await repo.page(limit + 1, after ? { name: after[0], id: after[1] } : null);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: await present(page, false),
        meta: { nextCursor: more && last ? encodeCursor([last.name, last.id]) : null, total: await repo.count() },
      };
    },

    async get(slug: string): Promise<Author> {
      return (await present([await get(slug)], true))[0];
    },

    async create(input: AuthorCreate): Promise<Author> {
      const slug = input.slug ?? toSlug(input.name);
      if (await repo.findBySlug(slug)) throw slugTaken(slug);
      await checkPhoto(input.photoId);
      const at = now().toISOString();
      try {
        const row = await repo.insert({
          slug,
          name: input.name,
          bio: input.bio ?? null,
          role: input.role ?? null,
          photoId: input.photoId ?? null,
          createdAt: at,
          updatedAt: at,
        });
        return (await present([row], true))[0];
      } catch (err) {
        if (err instanceof ConflictError) throw slugTaken(slug);
        throw err;
      }
    },

    /** `expectedVersion` from If-Match; without it the current version is used. */
    async update(slug: string, patch: AuthorUpdate, expectedVersion: number | null | 'any'): Promise<Author> {
      const current = await get(slug);
      if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
        throw new HttpError(412, `The author is at version ${current.version}; your change was based on another`);
      }
      if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) throw slugTaken(patch.slug);
      await checkPhoto(patch.photoId);
      let updated: AuthorRow | undefined;
      try {
        updated = await repo.update(current.id, current.version, { ...patch, updatedAt: now().toISOString() });
      } catch (err) {
        if (err instanceof ConflictError) throw slugTaken(patch.slug ?? slug);
        throw err;
      }
      if (!updated) throw new HttpError(412, 'The author changed while you were editing it; fetch it and try again');
      return (await present([updated], true))[0];
    },

    /** Refused (409) while articles credit the author, unless `detach`: then they lose the byline (with a revision each). */
    async delete(slug: string, detach: boolean, actor: string): Promise<{ detachedFrom: number }> {
      const current = await get(slug);
      const used = await repo.usage(current.id);
      if (used > 0 && !detach) {
        throw conflict(`Author "${slug}" is credited on ${used} article(s); send ?detach=true to remove the byline from them and delete`);
      }
      if (used === 0) {
        try {
          await repo.delete(current.id);
        } catch (err) {
          // An article took the author between the count and the delete: refused like any use.
          if (err instanceof ReferenceViolationError) throw conflict(`Author "${slug}" is now credited on an article; try again (with ?detach=true to remove it)`);
          throw err;
        }
        return { detachedFrom: 0 };
      }
      return { detachedFrom: await articles.detachAndDelete('author', current.id, current.slug, actor, now().toISOString()) };
    },
  };
}

export type AuthorsService = ReturnType<typeof createAuthorsService>;
