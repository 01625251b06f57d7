import { HttpError, badRequest } from '../lib/httpError.js';
import type { ArticleInsert, ArticleRow } from './repository.js';
import type { ArticleCreate, ArticleStatus } from './schemas.js';

/**
 * The article workflow (draft → scheduled → published → unpublished; deleted beside it), as pure
 * functions of an article's columns and an instant: no clock, no database. Every time a rule needs
 * is passed in (`t`), so test/articles-workflow.test.ts checks them directly. The service applies
 * what they return with its revision (src/articles/writing.ts).
 */

type WorkflowColumns = Pick<ArticleInsert, 'status' | 'publishedAt' | 'scheduledFor' | 'firstPublishedAt'>;

/** `s` (ISO) is after `t`; false for null. */
export const isFuture = (s: string | null, t: Date): boolean => s !== null && Date.parse(s) > t.getTime();

const iso = (s: string) => new Date(s).toISOString();

/** Readers see it: published (or scheduled and its time has come) and not deleted. */
export function isVisible(row: Pick<ArticleRow, 'status' | 'publishedAt' | 'deletedAt'>, now: Date): boolean {
  return (
    (row.status === 'published' || row.status === 'scheduled') &&
    row.publishedAt !== null &&
    Date.parse(row.publishedAt) <= now.getTime() &&
    row.deletedAt === null
  );
}

/** The status a caller sees: a scheduled article whose time has come is published. */
export function effectiveStatus(row: Pick<ArticleRow, 'status' | 'publishedAt'>, now: Date): ArticleStatus {
  if (row.status === 'scheduled' && row.publishedAt && Date.parse(row.publishedAt) <= now.getTime()) return 'published';
  return row.status;
}

/** 412 when the caller's change was based on another version (`expected` from If-Match; null/'any': no check). */
export function checkVersion(current: Pick<ArticleRow, 'version'>, expected: number | null | 'any'): void {
  if (typeof expected === 'number' && expected !== current.version) {
    throw new HttpError(412, `The article is at version ${current.version}; your change was based on another`);
  }
}

/** The first publication stays when readers have seen it (it is not in the future at `t`); else it becomes `at`. */
function firstLiveOf(current: Pick<ArticleRow, 'firstPublishedAt'> | null, at: string, t: Date): string {
  return current?.firstPublishedAt && !isFuture(current.firstPublishedAt, t) ? current.firstPublishedAt : at;
}

/**
 * Workflow columns for publishing at `atInput` (now when omitted), the write happening at `t`:
 * past/now = published, future = scheduled. Publishing again without a time keeps a publication
 * time that has come.
 */
export function publishColumns(current: Pick<ArticleRow, 'publishedAt' | 'firstPublishedAt' | 'status'> | null, atInput: string | undefined, t: Date): WorkflowColumns {
  if (atInput !== undefined && Date.parse(atInput) > t.getTime()) return scheduleColumns(current, atInput, t);
  const keepDate = current && current.publishedAt && !isFuture(current.publishedAt, t) && atInput === undefined;
  const publishedAt = atInput !== undefined ? iso(atInput) : keepDate ? current!.publishedAt! : t.toISOString();
  return { status: 'published', publishedAt, scheduledFor: null, firstPublishedAt: firstLiveOf(current, publishedAt, t) };
}

/** Workflow columns for going live at `atInput` (the caller checked it is in the future). */
export function scheduleColumns(current: Pick<ArticleRow, 'firstPublishedAt'> | null, atInput: string, t: Date): WorkflowColumns {
  const at = iso(atInput);
  return { status: 'scheduled', publishedAt: at, scheduledFor: at, firstPublishedAt: firstLiveOf(current, at, t) };
}

/** Workflow columns for unpublishing at `t`; null when there is nothing to do (a draft, or unpublished already). */
export function unpublishColumns(current: Pick<ArticleRow, 'status' | 'firstPublishedAt'>, t: Date): Partial<WorkflowColumns> | null {
  if (current.status === 'unpublished' || current.status === 'draft') return null;
  // A story that never went live forgets its dates: publishing it later is its first publication.
  const neverLive = isFuture(current.firstPublishedAt, t);
  return { status: 'unpublished', scheduledFor: null, ...(neverLive ? { firstPublishedAt: null, publishedAt: null } : {}) };
}

/** A schedule action needs a time in the future (422 otherwise: publish goes live now). */
export function checkScheduleAt(at: string, t: Date): void {
  if (!isFuture(at, t)) {
    throw new HttpError(422, 'The scheduled time must be in the future (publish it to go live now)', { errors: [{ pointer: '/body/at', detail: 'must be in the future' }] });
  }
}

/**
 * The workflow columns of a new article created at `t`, from its status, publishedAt and
 * scheduledFor; 400/422 when they do not go together.
 */
export function createColumns(input: Pick<ArticleCreate, 'status' | 'publishedAt' | 'scheduledFor'>, t: Date): WorkflowColumns | { status: 'draft' } {
  if (input.publishedAt !== undefined && input.status !== 'published') {
    throw badRequest('publishedAt goes with status "published" (use scheduledFor with "scheduled")', '/body/publishedAt');
  }
  if (input.scheduledFor !== undefined && input.status !== 'scheduled') {
    throw badRequest('scheduledFor goes with status "scheduled"', '/body/scheduledFor');
  }
  if (input.status === 'scheduled' && input.scheduledFor === undefined) {
    throw badRequest('a scheduled article needs scheduledFor', '/body/scheduledFor');
  }
  if (input.status === 'scheduled' && !isFuture(input.scheduledFor!, t)) {
    throw new HttpError(422, 'scheduledFor must be in the future', { errors: [{ pointer: '/body/scheduledFor', detail: 'must be in the future' }] });
  }
  if (input.status === 'published' && input.publishedAt !== undefined && isFuture(input.publishedAt, t)) {
    throw new HttpError(422, 'publishedAt is in the future: use status "scheduled" with scheduledFor', {
      errors: [{ pointer: '/body/publishedAt', detail: 'must not be in the future' }],
    });
  }
  // The same instant as createdAt and the change: published "now" is not after it.
  if (input.status === 'published') return publishColumns(null, input.publishedAt, t);
  if (input.status === 'scheduled') return scheduleColumns(null, input.scheduledFor!, t);
  return { status: 'draft' };
}

/** Whether renaming at `t` must keep the old slug as a redirect: once readers may have seen it, it keeps working (301). */
export function keepsOldSlug(current: Pick<ArticleRow, 'firstPublishedAt'>, t: Date): boolean {
  return current.firstPublishedAt !== null && !isFuture(current.firstPublishedAt, t);
}
