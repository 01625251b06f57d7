import { ConflictError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound, unprocessable } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import { normaliseEmail } from '../subscriptions/email.js';
import type { NewsletterRow, NewslettersRepository } from './repository.js';
import type { Newsletter, NewsletterCreate, NewsletterUpdate, PublicNewsletter } from './schemas.js';

export interface NewslettersDeps {
  repo: NewslettersRepository;
  clock: Clock;
}

const slugTaken = (slug: string) => conflict(`A newsletter with slug "${slug}" already exists`);

/** Reports a slug taken meanwhile (by a concurrent write) as the same 409 as one taken before. */
async function orSlugTaken<T>(slug: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof ConflictError) throw slugTaken(slug);
    throw err;
  }
}

export const toPublicNewsletter = (r: NewsletterRow): PublicNewsletter => ({
  slug: r.slug,
  name: r.name,
  description: r.description ?? null,
  audience: r.audience,
  subscribeOnSignup: r.subscribeOnSignup,
});

const toNewsletter = (r: NewsletterRow, subscriberCount: number): Newsletter => ({
  ...toPublicNewsletter(r),
  id: r.id,
  senderName: r.senderName ?? null,
  senderEmail: r.senderEmail ?? null,
  replyTo: r.replyTo ?? null,
  sections: r.sections,
  tags: r.tags,
  status: r.status,
  position: r.position,
  subscriberCount,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  archivedAt: r.archivedAt ?? null,
  version: r.version,
});

/** An address an editor typed (sender, reply-to): normalised, or 422 naming the field. */
function address(value: string | null | undefined, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  const email = normaliseEmail(value);
  if (!email) throw unprocessable(`"${value.slice(0, 100)}" is not an email address`, `/body/${field}`);
  return email;
}

export function createNewslettersService({ repo, clock }: NewslettersDeps) {
  async function row(slug: string): Promise<NewsletterRow> {
    const r = await repo.findBySlug(slug);
    if (!r) throw notFound(`Newsletter "${slug}"`);
    return r;
  }

  async function withCount(r: NewsletterRow): Promise<Newsletter> {
    return toNewsletter(r, (await repo.subscriberCounts([r.id])).get(r.id) ?? 0);
  }

  /** Sections and tags that feed a newsletter must exist (422 naming the first that does not). */
  async function checkTaxonomy(sections: string[] | undefined, tags: string[] | undefined): Promise<void> {
    const known = await repo.knownTaxonomy(sections ?? [], tags ?? []);
    sections?.forEach((s, i) => {
      if (!known.sections.has(s)) throw unprocessable(`There is no section "${s}"`, `/body/sections/${i}`);
    });
    tags?.forEach((s, i) => {
      if (!known.tags.has(s)) throw unprocessable(`There is no tag "${s}"`, `/body/tags/${i}`);
    });
  }

  function fields(input: NewsletterUpdate) {
    return {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.senderName !== undefined ? { senderName: input.senderName } : {}),
      ...(input.senderEmail !== undefined ? { senderEmail: address(input.senderEmail, 'senderEmail') } : {}),
      ...(input.replyTo !== undefined ? { replyTo: address(input.replyTo, 'replyTo') } : {}),
      ...(input.sections !== undefined ? { sections: [...new Set(input.sections)] } : {}),
      ...(input.tags !== undefined ? { tags: [...new Set(input.tags)] } : {}),
      ...(input.subscribeOnSignup !== undefined ? { subscribeOnSignup: input.subscribeOnSignup } : {}),
      ...(input.audience !== undefined ? { audience: input.audience } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
    };
  }

  async function change(slug: string, expectedVersion: number | null | 'any', patch: Partial<NewsletterRow>): Promise<Newsletter> {
    const current = await row(slug);
    if (typeof expectedVersion === 'number' && expectedVersion !== current.version) {
      throw new HttpError(412, `The newsletter is at version ${current.version}; your change was based on another`);
    }
    if (patch.slug && patch.slug !== current.slug && (await repo.findBySlug(patch.slug))) throw slugTaken(patch.slug);
    const updated = await orSlugTaken(patch.slug ?? slug, repo.update(current.id, current.version, { ...patch, updatedAt: clock.now().toISOString() }));
    if (!updated) throw new HttpError(412, 'The newsletter changed while you were editing it; fetch it and try again');
    return withCount(updated);
  }

  return {
    /** The newsletters a subscriber can choose (active ones). */
    async publicList(): Promise<PublicNewsletter[]> {
      return (await repo.list('active')).map(toPublicNewsletter);
    },
    /** An active newsletter; 404 for an archived or unknown one. */
    async publicGet(slug: string): Promise<PublicNewsletter> {
      const r = await repo.findBySlug(slug);
      if (!r || r.status !== 'active') throw notFound(`Newsletter "${slug}"`);
      return toPublicNewsletter(r);
    },
    async adminList(status: 'active' | 'archived' | 'all'): Promise<Newsletter[]> {
      const rows = await repo.list(status === 'all' ? undefined : status);
      const counts = await repo.subscriberCounts(rows.map((r) => r.id));
      return rows.map((r) => toNewsletter(r, counts.get(r.id) ?? 0));
    },
    async adminGet(slug: string): Promise<Newsletter> {
      return withCount(await row(slug));
    },
    /** The row itself, for sending (any status). */
    row,
    rowById: (id: number) => repo.findById(id),
    /** Slugs of the active newsletters (what a choice may name). */
    async activeSlugs(): Promise<Set<string>> {
      return new Set((await repo.list('active')).map((r) => r.slug));
    },

    async create(input: NewsletterCreate): Promise<Newsletter> {
      const slug = input.slug ?? toSlug(input.name);
      if (!slug) throw unprocessable('A slug cannot be made from the name: send one', '/body/slug');
      const values = fields(input);
      await checkTaxonomy(values.sections, values.tags);
      if (await repo.findBySlug(slug)) throw slugTaken(slug);
      const now = clock.now().toISOString();
      const created = await orSlugTaken(slug, repo.insert({ position: await repo.nextPosition(), ...values, name: input.name, slug, createdAt: now, updatedAt: now }));
      return withCount(created);
    },

    /** `expectedVersion` comes from If-Match; without it the current version is used. */
    async update(slug: string, patch: NewsletterUpdate, expectedVersion: number | null | 'any'): Promise<Newsletter> {
      const values = fields(patch);
      await checkTaxonomy(values.sections, values.tags);
      return change(slug, expectedVersion, { ...values, ...(patch.slug !== undefined ? { slug: patch.slug } : {}) });
    },

    /** Archived: unlisted, cannot be chosen or sent; who chose it is kept. 409 when it already is. */
    async archive(slug: string, expectedVersion: number | null | 'any'): Promise<Newsletter> {
      if ((await row(slug)).status === 'archived') throw conflict(`The newsletter "${slug}" is already archived`);
      return change(slug, expectedVersion, { status: 'archived', archivedAt: clock.now().toISOString() });
    },
    async unarchive(slug: string, expectedVersion: number | null | 'any'): Promise<Newsletter> {
      if ((await row(slug)).status === 'active') throw conflict(`The newsletter "${slug}" is not archived`);
      return change(slug, expectedVersion, { status: 'active', archivedAt: null });
    },
  };
}

export type NewslettersService = ReturnType<typeof createNewslettersService>;
