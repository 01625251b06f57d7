import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { PhotoEmbedder } from '../schemas/photo.js';
import { createArticleCaches } from './cache.js';
import { createInputResolver } from './input.js';
import { createReader } from './reading.js';
import { createRecords } from './records.js';
import type { ArticlesRepository } from './repository.js';
import { createRevisions } from './revisions.js';
import { createPresenter, type PresenterDeps } from './view.js';
import { createWriter } from './writing.js';

/**
 * Articles: the newsroom's core resource, put together from files of one job each:
 *
 * - reading.ts  THE read path (single article, list page) as the JSON the API sends;
 * - view.ts     presenting a record as one caller sees it (through src/access/articleView.ts);
 * - cache.ts    the render cache and the keys that say who shares an answer, until when;
 * - writing.ts  every write, with its revision, as one data-layer operation (repository.ts);
 * - workflow.ts the workflow rules, pure; revisions.ts the table of editable fields;
 * - input.ts    what callers send (slugs, Markdown, list queries) resolved for the data layer.
 *
 * Readers only ever see what `isVisible` says (published or scheduled whose time has come, not
 * deleted — a query on the clock, no cron); what they may read of it is decided by viewArticle.
 */

export interface ArticlesDeps {
  repo: ArticlesRepository;
  clock: Clock;
  config: Pick<
    Config,
    'CACHE_ARTICLES_MB' | 'CACHE_EXTERNAL_WRITES_MS' | 'ARCHIVE_AFTER_DAYS' | 'TEASER_BLOCKS' | 'READING_WPM' | 'SEARCH_FULL_TEXT_DISCOVERY'
  >;
  /** The photo library (validating and embedding photos): the photos feature's, or a fake. */
  photos: PhotoEmbedder;
  /** The reader's view settings for one page (articleViewContext of src/access/articleView.ts). */
  viewContext: PresenterDeps['viewContext'];
}

/** Builds the articles service (once per app: the articles plugin, src/articles/plugin.ts). Its caches are its own. */
export function buildArticlesService(deps: ArticlesDeps) {
  const { repo, clock, config, photos } = deps;
  const records = createRecords(repo);
  const presenter = createPresenter({ clock, photos, viewContext: deps.viewContext });
  const caches = createArticleCaches({ repo, clock, config });
  const input = createInputResolver({ repo, photos, config });
  const reader = createReader({ repo, clock, photos, records, presenter, caches, input });
  const writer = createWriter({ repo, clock, records, presenter, input, revisions: createRevisions(repo) });
  const { recordBySlug: _recordBySlug, ...writes } = writer;
  return {
    /** Records for rows, and a record as a caller sees it: for features that show articles their own way (search, mail, webhooks). */
    hydrate: records.hydrate,
    present: presenter.present,
    /** List query → repository filter (visibility for readers, status for admins, slugs → ids). Throws 4xx. */
    resolveFilter: input.resolveFilter,
    /** Whole answers cached per query and audience (search results use it as list pages do). */
    cachedAnswer: caches.cachedAnswer,
    answerValidUntil: caches.answerValidUntil,
    ...reader,
    ...writes,
  };
}

export type ArticlesService = ReturnType<typeof buildArticlesService>;
