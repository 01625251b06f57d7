import t from 'tap';
import { HttpError } from '../src/lib/httpError.js';
import { RESTORABLE, changedFields, columnPatch, columnsOf, snapshotOfState } from '../src/articles/revisions.js';
import {
  checkScheduleAt,
  checkVersion,
  createColumns,
  effectiveStatus,
  isVisible,
  keepsOldSlug,
  publishColumns,
  scheduleColumns,
  unpublishColumns,
} from '../src/articles/workflow.js';

/** The workflow rules and the table of editable fields, as pure functions (no app, no database). */
const T = new Date('2026-03-01T12:00:00.000Z');
const PAST = '2026-02-01T08:00:00.000Z';
const FUTURE = '2026-04-01T08:00:00.000Z';

const statusOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof HttpError ? err.statusCode : 'other';
  }
};

t.test('visibility and the status callers see', async (t) => {
  t.ok(isVisible({ status: 'published', publishedAt: PAST, deletedAt: null }, T));
  t.ok(isVisible({ status: 'scheduled', publishedAt: PAST, deletedAt: null }, T), 'a scheduled story whose time has come');
  t.notOk(isVisible({ status: 'scheduled', publishedAt: FUTURE, deletedAt: null }, T));
  t.notOk(isVisible({ status: 'published', publishedAt: PAST, deletedAt: PAST }, T), 'deleted');
  t.notOk(isVisible({ status: 'draft', publishedAt: null, deletedAt: null }, T));
  t.equal(effectiveStatus({ status: 'scheduled', publishedAt: PAST }, T), 'published');
  t.equal(effectiveStatus({ status: 'scheduled', publishedAt: FUTURE }, T), 'scheduled');
});

t.test('publishing, scheduling, unpublishing', async (t) => {
  t.same(publishColumns(null, undefined, T), { status: 'published', publishedAt: T.toISOString(), scheduledFor: null, firstPublishedAt: T.toISOString() });
  t.same(publishColumns(null, PAST, T).publishedAt, PAST, 'backdated');
  t.same(publishColumns(null, FUTURE, T), scheduleColumns(null, FUTURE, T), 'a future time schedules');
  const live = { status: 'unpublished' as const, publishedAt: PAST, firstPublishedAt: PAST };
  t.same(publishColumns(live, undefined, T), { status: 'published', publishedAt: PAST, scheduledFor: null, firstPublishedAt: PAST }, 'republishing keeps its date');
  t.equal(scheduleColumns(live, FUTURE, T).firstPublishedAt, PAST, 'a story readers saw keeps its first publication');
  t.equal(scheduleColumns({ firstPublishedAt: FUTURE }, FUTURE, T).firstPublishedAt, FUTURE);
  t.equal(unpublishColumns({ status: 'draft', firstPublishedAt: null }, T), null, 'nothing to do for a draft');
  t.same(unpublishColumns({ status: 'published', firstPublishedAt: PAST }, T), { status: 'unpublished', scheduledFor: null });
  t.same(unpublishColumns({ status: 'scheduled', firstPublishedAt: FUTURE }, T), { status: 'unpublished', scheduledFor: null, firstPublishedAt: null, publishedAt: null }, 'never live: it forgets its dates');
  t.equal(statusOf(() => checkScheduleAt(PAST, T)), 422);
  t.equal(statusOf(() => checkScheduleAt(FUTURE, T)), null);
  t.ok(keepsOldSlug({ firstPublishedAt: PAST }, T));
  t.notOk(keepsOldSlug({ firstPublishedAt: FUTURE }, T));
  t.notOk(keepsOldSlug({ firstPublishedAt: null }, T));
});

t.test('a new article: status and times that go together', async (t) => {
  t.same(createColumns({ status: 'draft' }, T), { status: 'draft' });
  t.equal((createColumns({ status: 'published' }, T) as { publishedAt: string }).publishedAt, T.toISOString(), 'published now is the write’s own instant');
  t.equal(createColumns({ status: 'scheduled', scheduledFor: FUTURE }, T).status, 'scheduled');
  t.equal(statusOf(() => createColumns({ status: 'draft', publishedAt: PAST }, T)), 400);
  t.equal(statusOf(() => createColumns({ status: 'published', scheduledFor: FUTURE }, T)), 400);
  t.equal(statusOf(() => createColumns({ status: 'scheduled' }, T)), 400);
  t.equal(statusOf(() => createColumns({ status: 'scheduled', scheduledFor: PAST }, T)), 422);
  t.equal(statusOf(() => createColumns({ status: 'published', publishedAt: FUTURE }, T)), 422);
  t.equal(statusOf(() => checkVersion({ version: 3 }, 2)), 412);
  t.equal(statusOf(() => checkVersion({ version: 3 }, 'any')), null);
  t.equal(statusOf(() => checkVersion({ version: 3 }, null)), null);
});

t.test('the one table of editable fields', async (t) => {
  const cols = columnsOf({ headline: 'H' });
  t.same(cols, { headline: 'H', standfirst: null, excerpt: null, dateline: null, sources: [], language: 'en', canonicalUrl: null, seoTitle: null, seoDescription: null, featuredPhotoId: null, access: 'public' });
  t.not(columnsOf({ headline: 'a' }).sources, columnsOf({ headline: 'b' }).sources, 'each new article gets its own sources list');
  t.same(columnPatch({ headline: 'New', seoTitle: null, slug: 'ignored', status: 'published' }), { headline: 'New', seoTitle: null }, 'only editable columns, not slug or workflow');
  t.same(columnPatch({ excerpt: undefined }, { present: 'named' }), { excerpt: null }, 'a restored snapshot sets what it names');
  t.same([...RESTORABLE].sort(), ['access', 'authors', 'body', 'canonicalUrl', 'dateline', 'excerpt', 'featuredPhotoId', 'headline', 'language', 'section', 'seoDescription', 'seoTitle', 'sources', 'standfirst', 'tags']);
  const snap = snapshotOfState({ ...cols, slug: 's', body: [], section: null, authors: [], tags: ['t'], status: 'draft', corrections: 0 });
  t.same(Object.keys(snap), ['slug', 'headline', 'standfirst', 'excerpt', 'body', 'dateline', 'section', 'authors', 'tags', 'sources', 'language', 'canonicalUrl', 'seoTitle', 'seoDescription', 'featuredPhotoId', 'access', 'status', 'publishedAt', 'scheduledFor', 'deletedAt', 'corrections']);
  t.same(changedFields(snap, { ...snap, headline: 'Other', _restoredFrom: 2 }), ['headline'], 'notes (_…) are not fields');
});
