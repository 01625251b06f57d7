import { eq, inArray, sql } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import {
  ALL_KEY,
  articleKey,
  articleSetKeys,
  authorKey,
  authorSetKey,
  photoKey,
  sectionKey,
  sectionSetKey,
  tagKey,
  tagSetKey,
  unique,
} from '../lib/surrogateKeys.js';
import type * as schema from './schema/index.js';
import { articleAuthors, articleTags, articles, authors, cdnPurges, searchPhotoRefs } from './schema/index.js';

/**
 * The seam between every write that changes a public answer and the CDN. Repositories call these
 * inside their own write transaction, so a purge commits (or rolls back) with its write and no
 * committed change goes untold; the CDN feature (src/cdn/) sends the queued rows. Keys are
 * those of src/lib/surrogateKeys.ts. Synchronous, as better-sqlite3 transactions are.
 */
type Tx = BaseSQLiteDatabase<'sync', unknown, typeof schema>;

export interface PurgeRequest {
  /** Surrogate keys; none: nothing is queued. */
  keys: readonly string[];
  /** Unpublish, delete, expiry: the old answer must never be served again, not even stale. */
  hard?: boolean;
  reason: string;
  /** ISO timestamp of the write (the app clock). */
  at: string;
}

export function enqueuePurge(tx: Tx, request: PurgeRequest): void {
  const keys = unique(request.keys);
  if (keys.length === 0) return;
  tx.insert(cdnPurges).values({ keys, hard: request.hard ?? false, reason: request.reason, createdAt: request.at, nextAttemptAt: null }).run();
}

const idList = (ids: number[]) => sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** The sets the articles are in (lists showing them): for a write to something they all show. */
export function setKeysOfArticles(tx: Tx, articleIds: number[]): string[] {
  if (articleIds.length === 0) return [];
  const ids = idList(articleIds);
  const sectionIds = tx.selectDistinct({ id: articles.sectionId }).from(articles).where(inArray(articles.id, ids)).all();
  const tagIds = tx.selectDistinct({ id: articleTags.tagId }).from(articleTags).where(inArray(articleTags.articleId, ids)).all();
  const authorIds = tx.selectDistinct({ id: articleAuthors.authorId }).from(articleAuthors).where(inArray(articleAuthors.articleId, ids)).all();
  return unique([
    ...sectionIds.flatMap((s) => articleSetKeys({ sectionId: s.id, tagIds: [], authorIds: [] })),
    ...articleSetKeys({ sectionId: null, tagIds: tagIds.map((t) => t.id), authorIds: authorIds.map((a) => a.id) }),
  ]);
}

export interface ArticlePurgeState {
  id: number;
  /** Readers see it at the write's instant. */
  visible: boolean;
  /** The sets it is in (all articles, its section's, tags', authors'). */
  sets: string[];
  /** Photos it shows (404 to readers once no visible article shows them). */
  photos: string[];
  /** How it shows them: `photo:<id> teaser` (to every reader) or `photo:<id> full` (past the break only). */
  photoViews: string[];
}

/** An article's public footprint (read it before and after a write, inside the transaction). */
export function articlePurgeState(tx: Tx, id: number, at: string): ArticlePurgeState | null {
  const row = tx
    .select({ status: articles.status, publishedAt: articles.publishedAt, deletedAt: articles.deletedAt, sectionId: articles.sectionId })
    .from(articles)
    .where(eq(articles.id, id))
    .get();
  if (!row) return null;
  const visible = (row.status === 'published' || row.status === 'scheduled') && row.publishedAt !== null && row.publishedAt <= at && row.deletedAt === null;
  const tagIds = tx.select({ id: articleTags.tagId }).from(articleTags).where(eq(articleTags.articleId, id)).all().map((r) => r.id);
  const authorIds = tx.select({ id: articleAuthors.authorId }).from(articleAuthors).where(eq(articleAuthors.articleId, id)).all().map((r) => r.id);
  const refs = tx.select({ id: searchPhotoRefs.photoId, inTeaser: searchPhotoRefs.inTeaser }).from(searchPhotoRefs).where(eq(searchPhotoRefs.articleId, id)).all();
  return {
    id,
    visible,
    sets: articleSetKeys({ sectionId: row.sectionId, tagIds, authorIds }),
    photos: refs.map((r) => photoKey(r.id)),
    photoViews: refs.map((r) => `${photoKey(r.id)} ${r.inTeaser ? 'teaser' : 'full'}`),
  };
}

/**
 * The purge one article write needs: nothing when readers saw it neither before nor after (a
 * draft's edit, a story scheduled for later: its time is swept by the worker); else the article
 * and every set it was or is in (a move between sections purges both lists). Withdrawn
 * (unpublished, deleted): hard, with its photos, so the old answer is never served again.
 */
export function purgeArticleWrite(tx: Tx, before: ArticlePurgeState | null, after: ArticlePurgeState | null, action: string, at: string): void {
  const was = before?.visible ?? false;
  const is = after?.visible ?? false;
  if (!was && !is) return;
  const id = (after ?? before)!.id;
  const withdrawn = was && !is;
  const keys = [articleKey(id), ...(before?.sets ?? []), ...(after?.sets ?? []), ...(withdrawn ? before!.photos : changedPhotos(was ? before! : null, is ? after! : null))];
  enqueuePurge(tx, { keys, hard: withdrawn, reason: `article.${action}`, at });
}

/**
 * Photos whose public answer the write may change: shown by the article to readers before and not
 * after, or the other way, or moved across the paywall break (a photo shown only past the break is
 * a 404 to readers without access). Photos it shows as it did stay cached.
 */
function changedPhotos(before: ArticlePurgeState | null, after: ArticlePurgeState | null): string[] {
  const was = new Set(before?.photoViews ?? []);
  const is = new Set(after?.photoViews ?? []);
  const changed = [...was].filter((v) => !is.has(v)).concat([...is].filter((v) => !was.has(v)));
  return unique(changed.map((v) => v.split(' ')[0]));
}

export type EntityKind = 'section' | 'tag' | 'author';

/**
 * The purge a write to a section, tag or author needs: its own key (its answer, and every article
 * showing it), its collection, its set, and the sets of the articles showing it (their lists show
 * its name). `hard` for a delete. A created one only changes its collection.
 */
export function purgeEntityWrite(tx: Tx, kind: EntityKind, id: number, action: 'create' | 'update' | 'delete', at: string): void {
  const collection = `${kind}s`;
  if (action === 'create') return enqueuePurge(tx, { keys: [collection], reason: `${kind}.create`, at });
  const articleIds =
    kind === 'section'
      ? tx.select({ id: articles.id }).from(articles).where(eq(articles.sectionId, id)).all().map((r) => r.id)
      : kind === 'tag'
        ? tx.select({ id: articleTags.articleId }).from(articleTags).where(eq(articleTags.tagId, id)).all().map((r) => r.id)
        : tx.select({ id: articleAuthors.articleId }).from(articleAuthors).where(eq(articleAuthors.authorId, id)).all().map((r) => r.id);
  const own = kind === 'section' ? [sectionKey(id), sectionSetKey(id)] : kind === 'tag' ? [tagKey(id), tagSetKey(id)] : [authorKey(id), authorSetKey(id)];
  enqueuePurge(tx, { keys: [...own, collection, ...setKeysOfArticles(tx, articleIds)], hard: action === 'delete', reason: `${kind}.${action}`, at });
}

/** A photo's key (its answer, renditions, every article and author page showing it) and the sets of the articles showing it. */
export function photoPurgeKeys(tx: Tx, photoIds: number[]): string[] {
  if (photoIds.length === 0) return [];
  const ids = idList(photoIds);
  const showing = tx.selectDistinct({ id: searchPhotoRefs.articleId }).from(searchPhotoRefs).where(inArray(searchPhotoRefs.photoId, ids)).all().map((r) => r.id);
  const portraits = tx.select({ id: authors.id }).from(authors).where(inArray(authors.photoId, ids)).all().map((r) => r.id);
  const byThem = portraits.length > 0
    ? tx.selectDistinct({ id: articleAuthors.articleId }).from(articleAuthors).where(inArray(articleAuthors.authorId, portraits)).all().map((r) => r.id)
    : [];
  return unique([...photoIds.map(photoKey), ...setKeysOfArticles(tx, [...new Set([...showing, ...byThem])]), ...(portraits.length > 0 ? ['authors'] : [])]);
}

export function purgePhotoWrite(tx: Tx, id: number, action: 'update' | 'delete', at: string): void {
  enqueuePurge(tx, { keys: photoPurgeKeys(tx, [id]), hard: action === 'delete', reason: `photo.${action}`, at });
}

/** Everything (a restore, an import): `all` is on every public answer. */
export function purgeEverything(tx: Tx, reason: string, at: string): void {
  enqueuePurge(tx, { keys: [ALL_KEY], hard: true, reason, at });
}
