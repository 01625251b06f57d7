import type { Identity } from '../access/identity.js';
import { ConflictError } from '../db/errors.js';
import type { Clock } from '../lib/clock.js';
import { HttpError, conflict, notFound } from '../lib/httpError.js';
import { toSlug } from '../lib/slug.js';
import type { Block } from '../content/blocks.js';
import type { createInputResolver, Resolved } from './input.js';
import type { ArticleRecord, createRecords } from './records.js';
import type { ArticleChange, ArticleInsert, ArticleRow, ArticlesRepository } from './repository.js';
import { RESTORABLE, actorOf, changedFields, columnPatch, columnsOf, snapshotOf, snapshotOfState, toRevision, type createRevisions } from './revisions.js';
import type { Article, ArticleCreate, ArticleUpdate } from './schemas.js';
import { FULL_VIEW, type createPresenter } from './view.js';
import { checkScheduleAt, checkVersion, createColumns, isVisible, keepsOldSlug, publishColumns, scheduleColumns, unpublishColumns } from './workflow.js';

/**
 * Writing: every change a caller makes to an article, as one data-layer operation with its
 * revision (the repository's insert/change: one transaction that also runs the write hooks).
 * The workflow rules are src/articles/workflow.ts; what a revision keeps is src/articles/revisions.ts.
 * Each write answers with the article as the writer sees it (FULL_VIEW).
 */

type Expected = number | null | 'any';
type Change = Omit<ArticleChange, 'id' | 'expectedVersion' | 'revision'>;

const slugTaken = (slug: string) => new HttpError(409, `An article already uses the slug "${slug}"`, { errors: [{ pointer: '/body/slug', detail: 'is taken' }] });

export interface WriterDeps {
  repo: ArticlesRepository;
  clock: Clock;
  records: ReturnType<typeof createRecords>;
  presenter: ReturnType<typeof createPresenter>;
  input: ReturnType<typeof createInputResolver>;
  revisions: ReturnType<typeof createRevisions>;
}

export function createWriter(deps: WriterDeps) {
  const { repo, records, input, revisions } = deps;
  const now = () => deps.clock.now();

  async function recordBySlug(slug: string, options: { allowDeleted?: boolean } = {}): Promise<ArticleRecord> {
    const row = await repo.findBySlug(slug);
    if (!row || (row.deletedAt && !options.allowDeleted)) throw notFound(`Article "${slug}"`);
    return (await records.hydrate([row]))[0];
  }

  /** The current article for a change based on version `expected` (412 when it moved on). */
  async function current(slug: string, expected: Expected, options: { allowDeleted?: boolean } = {}): Promise<ArticleRecord> {
    const record = await recordBySlug(slug, options);
    checkVersion(record, expected);
    return record;
  }

  /** Applies a change with its revision; maps races to 412/409. */
  async function apply(cur: ArticleRecord, change: Change, action: string, actor: string, extraSnapshot: Record<string, unknown> = {}): Promise<ArticleRecord> {
    const at = now().toISOString();
    const patch = { ...change.patch, updatedAt: at };
    const after = await revisions.snapshotAfter(cur, { ...change, patch });
    const snapshot = { ...after, ...extraSnapshot };
    let updated: ArticleRow | undefined;
    try {
      updated = await repo.change({
        ...change,
        patch,
        id: cur.id,
        expectedVersion: cur.version,
        revision: { action, changedFields: changedFields(snapshotOf(cur), after), snapshot, actor, createdAt: at },
      });
    } catch (err) {
      if (err instanceof ConflictError) throw conflict('Another article took that slug meanwhile; choose another');
      throw err;
    }
    if (!updated) throw new HttpError(412, 'The article changed while you were editing it; fetch it and try again');
    return (await records.hydrate([updated]))[0];
  }

  async function answer(record: ArticleRecord, identity: Identity): Promise<Article> {
    return (await deps.presenter.present([record], identity, FULL_VIEW)).items[0];
  }

  /** A body and references as patch columns (and the bylines and tags of the change). */
  function resolvedChange(resolved: Resolved, change: Change): Change {
    if (resolved.blocks !== undefined) Object.assign(change.patch, input.bodyColumns(resolved.blocks));
    if (resolved.sectionId !== undefined) change.patch.sectionId = resolved.sectionId;
    if (resolved.authorIds !== undefined) change.authorIds = resolved.authorIds;
    if (resolved.tagIds !== undefined) change.tagIds = resolved.tagIds;
    return change;
  }

  return {
    recordBySlug,

    async create(body: ArticleCreate, identity: Identity): Promise<Article> {
      const actor = actorOf(identity);
      const t = now();
      const workflow = createColumns(body, t);
      const resolved = await input.resolve(body);
      let slug = body.slug;
      if (slug !== undefined) {
        if ((await repo.slugOwner(slug)) !== null) throw slugTaken(slug);
      } else {
        slug = await input.freeSlug(toSlug(body.headline));
      }
      const at = t.toISOString();
      const row: ArticleInsert = {
        slug,
        ...columnsOf(body),
        ...input.bodyColumns(resolved.blocks ?? []),
        sectionId: resolved.sectionId ?? null,
        ...workflow,
        createdAt: at,
        updatedAt: at,
      };
      const snapshot = snapshotOfState({
        ...row,
        section: body.section ?? null,
        authors: body.authors ?? [],
        tags: body.tags ?? [],
        deletedAt: null,
        corrections: 0,
      });
      let created: ArticleRow;
      try {
        created = await repo.insert(row, resolved.authorIds ?? [], resolved.tagIds ?? [], {
          action: 'create', changedFields: changedFields(null, snapshot).filter((k) => snapshot[k] !== null), snapshot, actor, createdAt: at,
        });
      } catch (err) {
        if (err instanceof ConflictError) throw slugTaken(slug);
        throw err;
      }
      return answer((await records.hydrate([created]))[0], identity);
    },

    async update(slug: string, patch: ArticleUpdate, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const resolved = await input.resolve(patch);
      const change: Change = { patch: {} };
      if (patch.slug !== undefined && patch.slug !== cur.slug) {
        const owner = await repo.slugOwner(patch.slug);
        if (owner !== null && owner !== cur.id) throw slugTaken(patch.slug);
        if (owner === cur.id) change.releaseOldSlug = patch.slug;
        if (keepsOldSlug(cur, now())) change.keepOldSlug = cur.slug;
        change.patch.slug = patch.slug;
      }
      Object.assign(change.patch, columnPatch(patch));
      return answer(await apply(cur, resolvedChange(resolved, change), 'update', actorOf(identity)), identity);
    },

    async publish(slug: string, at: string | undefined, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const t = now();
      if (at === undefined && isVisible(cur, t)) return answer(cur, identity);
      const cols = publishColumns(cur, at, t);
      return answer(await apply(cur, { patch: cols }, cols.status === 'scheduled' ? 'schedule' : 'publish', actorOf(identity)), identity);
    },

    async schedule(slug: string, at: string, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const t = now();
      checkScheduleAt(at, t);
      return answer(await apply(cur, { patch: scheduleColumns(cur, at, t) }, 'schedule', actorOf(identity)), identity);
    },

    async unpublish(slug: string, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const patch = unpublishColumns(cur, now());
      if (!patch) return answer(cur, identity);
      return answer(await apply(cur, { patch }, 'unpublish', actorOf(identity)), identity);
    },

    async delete(slug: string, expected: Expected, identity: Identity): Promise<void> {
      const cur = await current(slug, expected);
      await apply(cur, { patch: { deletedAt: now().toISOString() } }, 'delete', actorOf(identity));
    },

    async undelete(slug: string, identity: Identity): Promise<Article> {
      const cur = await recordBySlug(slug, { allowDeleted: true });
      if (!cur.deletedAt) return answer(cur, identity);
      return answer(await apply(cur, { patch: { deletedAt: null } }, 'undelete', actorOf(identity)), identity);
    },

    async addCorrection(slug: string, text: string, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const actor = actorOf(identity);
      return answer(await apply(cur, { patch: {}, correction: { text, actor, createdAt: now().toISOString() } }, 'correction', actor), identity);
    },

    async revisions(slug: string, limit: number, cursor: string | undefined) {
      return revisions.page(await recordBySlug(slug, { allowDeleted: true }), limit, cursor);
    },

    async revision(slug: string, version: number) {
      const row = await revisions.one(await recordBySlug(slug, { allowDeleted: true }), version);
      return { ...toRevision(row), snapshot: row.snapshot };
    },

    /** Brings back a revision's content (not its slug or workflow state) as a new revision. */
    async restoreRevision(slug: string, version: number, expected: Expected, identity: Identity): Promise<Article> {
      const cur = await current(slug, expected);
      const s = (await revisions.one(cur, version)).snapshot;
      const restored: Partial<ArticleCreate> = {};
      for (const k of RESTORABLE) if (k in s && k !== 'body') (restored as Record<string, unknown>)[k] = s[k];
      if (Array.isArray(s.body)) restored.body = s.body as Block[];
      let resolved: Resolved;
      try {
        resolved = await input.resolve(restored);
      } catch (err) {
        if (err instanceof HttpError && err.statusCode === 422) {
          throw new HttpError(409, `Revision ${version} refers to things that no longer exist: ${err.message}`);
        }
        throw err;
      }
      const change = resolvedChange(resolved, { patch: columnPatch(s, { present: 'named' }) });
      return answer(await apply(cur, change, 'restore', actorOf(identity), { _restoredFrom: version }), identity);
    },
  };
}
