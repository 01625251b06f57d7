/**
 * The names CDN caches know public answers by (`Surrogate-Key`, `Cache-Tag`), and purge by.
 * Pure: routes tag their answers with these, and the data layer enqueues purges of the same
 * names inside its write transactions (src/db/purgeQueue.ts), so both sides spell them alike.
 *
 * Entity keys name one thing and go on every answer that shows it:
 *   article:<id>  section:<id>  tag:<id>  author:<id>  photo:<id>
 * Set keys name a set of articles and go on lists, feeds, sitemaps and search answers (never one
 * key per item, so a list's header stays small however long it is):
 *   articles                     every answer listing articles site-wide (unfiltered lists, feeds,
 *                                sitemaps, search)
 *   articles:section:<id>        answers listing a section's articles (and likewise tag, author)
 * A change to an article purges its own key and the set keys of every set it is (or was) in, so
 * publishing a story retires the front page and its section's list, not every other story.
 * Other public collections: `sections`, `tags`, `authors`, `plans` (also on every answer showing
 * articles: a gated one offers the plans in its paywall), `newsletters`, `docs`, `robots`.
 * `all` is on every public answer: purging it empties the cache of this publication.
 */
export const ALL_KEY = 'all';
export const ARTICLES_SET = 'articles';
/** Plans: listed, and offered in the paywall of every gated article answer. */
export const PLANS_KEY = 'plans';
export const NEWSLETTERS_KEY = 'newsletters';

export const articleKey = (id: number) => `article:${id}`;
export const sectionKey = (id: number) => `section:${id}`;
export const tagKey = (id: number) => `tag:${id}`;
export const authorKey = (id: number) => `author:${id}`;
export const photoKey = (id: number) => `photo:${id}`;
export const sectionSetKey = (id: number) => `articles:section:${id}`;
export const tagSetKey = (id: number) => `articles:tag:${id}`;
export const authorSetKey = (id: number) => `articles:author:${id}`;

/** What an article shows: itself, its section, tags, authors (and their photos) and photos. */
export interface ArticleKeySource {
  id: number;
  sectionId: number | null;
  tagIds: readonly number[];
  authorIds: readonly number[];
  photoIds: readonly number[];
}

/** The keys of an answer showing one article. */
export function articleKeys(a: ArticleKeySource): string[] {
  return unique([
    articleKey(a.id),
    PLANS_KEY,
    ...(a.sectionId !== null ? [sectionKey(a.sectionId)] : []),
    ...a.tagIds.map(tagKey),
    ...a.authorIds.map(authorKey),
    ...a.photoIds.map(photoKey),
  ]);
}

/** The sets an article belongs to: what a change to it must purge besides the article itself. */
export function articleSetKeys(a: Pick<ArticleKeySource, 'sectionId' | 'tagIds' | 'authorIds'>): string[] {
  return unique([
    ARTICLES_SET,
    ...(a.sectionId !== null ? [sectionSetKey(a.sectionId)] : []),
    ...a.tagIds.map(tagSetKey),
    ...a.authorIds.map(authorSetKey),
  ]);
}

/**
 * The keys of an answer listing the articles a filter selects: the narrowest sets named by the
 * filter (any of them changing may change the list), with the filtering entities themselves
 * (renaming a section changes what `?section=` finds); `articles` when nothing narrows it.
 */
export function listKeys(filter: { sectionId?: number; tagId?: number; authorId?: number }): string[] {
  const keys: string[] = [];
  if (filter.sectionId !== undefined) keys.push(sectionSetKey(filter.sectionId), sectionKey(filter.sectionId));
  if (filter.tagId !== undefined) keys.push(tagSetKey(filter.tagId), tagKey(filter.tagId));
  if (filter.authorId !== undefined) keys.push(authorSetKey(filter.authorId), authorKey(filter.authorId));
  return [...(keys.length > 0 ? keys : [ARTICLES_SET]), PLANS_KEY];
}

export function unique(keys: readonly string[]): string[] {
  return [...new Set(keys)];
}
