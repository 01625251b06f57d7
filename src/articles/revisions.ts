import { z } from 'zod';
import type { Identity } from '../access/identity.js';
import { notFound } from '../lib/httpError.js';
import { decodeCursor, encodeCursor } from '../schemas/pagination.js';
import type { ArticleRecord } from './records.js';
import type { ArticleChange, ArticleInsert, ArticlesRepository, RevisionRow } from './repository.js';

/**
 * Revisions: every write keeps the article's state after it (its snapshot) with the fields it
 * changed. THE TABLE below is the one list of what an article's editor controls; create, update,
 * restore and the snapshots are all derived from it.
 *
 * Kinds: `column` is stored as is (copied from input to the row, a patch and the snapshot);
 * `resolved` is sent as slugs or Markdown and stored as ids or blocks (src/articles/input.ts);
 * `slug` and `workflow` are changed by their own rules (slug redirects; src/articles/workflow.ts);
 * `corrections` is kept as a count. Restoring a revision brings back `column` and `resolved`:
 * content, not the slug or the workflow state.
 */
const FIELDS = [
  { name: 'slug', kind: 'slug' },
  { name: 'headline', kind: 'column' },
  { name: 'standfirst', kind: 'column', default: null },
  { name: 'excerpt', kind: 'column', default: null },
  { name: 'body', kind: 'resolved' },
  { name: 'dateline', kind: 'column', default: null },
  { name: 'section', kind: 'resolved' },
  { name: 'authors', kind: 'resolved' },
  { name: 'tags', kind: 'resolved' },
  { name: 'sources', kind: 'column', default: () => [] },
  { name: 'language', kind: 'column', default: 'en' },
  { name: 'canonicalUrl', kind: 'column', default: null },
  { name: 'seoTitle', kind: 'column', default: null },
  { name: 'seoDescription', kind: 'column', default: null },
  { name: 'featuredPhotoId', kind: 'column', default: null },
  { name: 'access', kind: 'column', default: 'public' },
  { name: 'status', kind: 'workflow' },
  { name: 'publishedAt', kind: 'workflow' },
  { name: 'scheduledFor', kind: 'workflow' },
  { name: 'deletedAt', kind: 'workflow' },
  { name: 'corrections', kind: 'count' },
] as const;

type Field = (typeof FIELDS)[number];
type Named<K extends Field['kind']> = Extract<Field, { kind: K }>['name'];

/** Editable fields stored as they are sent (and their create defaults, when they have one). */
export const COLUMN_FIELDS = FIELDS.filter((f): f is Extract<Field, { kind: 'column' }> => f.kind === 'column');
export type ColumnField = Named<'column'>;
/** What restoring a revision brings back. */
export const RESTORABLE: readonly (ColumnField | Named<'resolved'>)[] = FIELDS.filter((f) => f.kind === 'column' || f.kind === 'resolved').map((f) => f.name as ColumnField | Named<'resolved'>);
/** Article columns a patch may set that the snapshot keeps under the same name. */
const SAME_NAMED_COLUMNS = FIELDS.filter((f) => f.kind === 'column' || f.kind === 'slug' || f.kind === 'workflow').map((f) => f.name) as (ColumnField | 'slug' | Named<'workflow'>)[];

/** An article's state as a snapshot keeps it: bylines, tags and section as slugs, the body as blocks. */
export type SnapshotState = Pick<ArticleInsert, ColumnField | 'slug' | Named<'workflow'>> & {
  body: unknown;
  section: string | null;
  authors: string[];
  tags: string[];
  corrections: number;
};

/** The snapshot of a state, in the table's order (changedFields lists fields in this order). */
export function snapshotOfState(s: SnapshotState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f.name] = (s as Record<string, unknown>)[f.name] ?? null;
  return out;
}

/** The state a revision keeps of a stored article. */
export function snapshotOf(r: ArticleRecord): Record<string, unknown> {
  return snapshotOfState({
    ...r,
    body: r.blocks,
    section: r.sectionSlug,
    authors: r.authors.map((a) => a.slug),
    tags: r.tags.map((t) => t.slug),
    corrections: r.corrections.length,
  });
}

/** The editable columns of a new article: what `input` sends, else each field's default. */
export function columnsOf(input: Partial<Record<ColumnField, unknown>>): Pick<ArticleInsert, ColumnField> {
  const out: Record<string, unknown> = {};
  for (const f of COLUMN_FIELDS) {
    const given = input[f.name];
    out[f.name] = given !== undefined ? given : 'default' in f ? (typeof f.default === 'function' ? f.default() : f.default) : undefined;
  }
  return out as Pick<ArticleInsert, ColumnField>;
}

/**
 * The editable columns `input` changes: those it defines (an update), or with `present: 'named'`
 * every one it names, undefined read as null (a revision's snapshot being restored).
 */
export function columnPatch(input: Record<string, unknown>, options: { present?: 'defined' | 'named' } = {}): Partial<ArticleInsert> {
  const out: Record<string, unknown> = {};
  for (const { name } of COLUMN_FIELDS) {
    if (options.present === 'named' ? name in input : input[name] !== undefined) out[name] = input[name] ?? null;
  }
  return out as Partial<ArticleInsert>;
}

/** Fields whose value differs between two snapshots (fields starting with _ are notes, not fields). */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((k) => !k.startsWith('_') && JSON.stringify(before?.[k] ?? null) !== JSON.stringify(after[k] ?? null));
}

/** Who made a change, for revisions. */
export function actorOf(identity: Identity): string {
  switch (identity.kind) {
    case 'apiKey':
      return `${identity.name} (key ${identity.keyId})`;
    case 'subscriber':
      return `subscriber ${identity.subscriberId}`;
    default:
      return 'anonymous';
  }
}

export function toRevision(r: RevisionRow) {
  return { version: r.version, action: r.action, changedFields: r.changedFields, actor: r.actor, at: r.createdAt };
}

const RevisionCursor = z.tuple([z.literal('rev'), z.number().int().positive()]);

type Change = Omit<ArticleChange, 'id' | 'expectedVersion' | 'revision'>;

/** Revisions as stored: the snapshot a change leaves, and the history of an article. */
export function createRevisions(repo: ArticlesRepository) {
  return {
    /** The revision's snapshot: the current state with the change laid over it (ids read back as slugs). */
    async snapshotAfter(current: ArticleRecord, change: Change): Promise<Record<string, unknown>> {
      const p = change.patch;
      const s = snapshotOf(current);
      for (const k of SAME_NAMED_COLUMNS) if (p[k] !== undefined) s[k] = p[k];
      if (p.body !== undefined) s.body = p.body;
      if (p.sectionId !== undefined) s.section = p.sectionId === null ? null : await repo.sectionSlugById(p.sectionId);
      if (change.authorIds) {
        const rel = await repo.slugsByIds('author', change.authorIds);
        s.authors = change.authorIds.map((id) => rel.get(id));
      }
      if (change.tagIds) {
        const rel = await repo.slugsByIds('tag', change.tagIds);
        s.tags = change.tagIds.map((id) => rel.get(id));
      }
      if (change.correction) s.corrections = current.corrections.length + 1;
      return s;
    },

    async page(current: ArticleRecord, limit: number, cursor: string | undefined) {
      const before = cursor ? decodeCursor(cursor, RevisionCursor)[1] : null;
      const rows = await repo.revisions(current.id, limit + 1, before);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toRevision),
        meta: { nextCursor: more && last ? encodeCursor(['rev', last.version]) : null, total: await repo.revisionCount(current.id) },
      };
    },

    async one(current: ArticleRecord, version: number): Promise<RevisionRow> {
      const row = await repo.revision(current.id, version);
      if (!row) throw notFound(`Revision ${version} of "${current.slug}"`);
      return row;
    },
  };
}
