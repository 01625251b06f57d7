import { isAdmin, type Identity } from '../access/identity.js';
import { archiveCutoff, fullTextScope } from '../access/policy.js';
import type { Config } from '../config.js';
import { imagePhotoIds, type Block } from '../content/blocks.js';
import { cleanInputBlocks } from '../content/inlineHtml.js';
import { MarkdownError, checkBlocks, markdownToBlocks } from '../content/markdown.js';
import { countWords, proseText, readingTimeMinutes, renderText } from '../content/render.js';
import { HttpError, badRequest } from '../lib/httpError.js';
import type { PhotoEmbedder } from '../schemas/photo.js';
import { parseSearchQuery } from '../search/query.js';
import type { ArticleFilter, ArticlesRepository } from './repository.js';
import type { ArticleCreate, ArticleListQuery } from './schemas.js';
import { teaserColumns } from './teasers.js';

/**
 * Input resolution: what a caller sends, as the data layer stores or filters it. Slugs of
 * sections, authors and tags become ids (422 naming each one that does not exist; 400 in a list
 * query), Markdown becomes blocks, inline HTML is cleaned, photos must exist, and a body brings
 * its derived columns (plain text, teaser, word count, reading time).
 */

export interface Resolved {
  blocks?: Block[];
  sectionId?: number | null;
  authorIds?: number[];
  tagIds?: number[];
}

type Problem = { pointer: string; detail: string };

function blocksFromInput(input: { body?: Block[]; bodyMarkdown?: string }): Block[] | undefined {
  if (input.bodyMarkdown !== undefined) {
    let blocks: Block[];
    try {
      blocks = markdownToBlocks(input.bodyMarkdown);
    } catch (err) {
      if (err instanceof MarkdownError) throw badRequest(`bodyMarkdown: ${err.message}`, '/body/bodyMarkdown');
      throw err;
    }
    const problem = checkBlocks(blocks);
    if (problem) throw badRequest(`bodyMarkdown: ${problem}`, '/body/bodyMarkdown');
    return blocks;
  }
  return input.body && cleanInputBlocks(input.body);
}

const iso = (s: string) => new Date(s).toISOString();

export interface InputDeps {
  repo: ArticlesRepository;
  photos: Pick<PhotoEmbedder, 'missing'>;
  config: Pick<Config, 'TEASER_BLOCKS' | 'READING_WPM' | 'SEARCH_FULL_TEXT_DISCOVERY' | 'ARCHIVE_AFTER_DAYS'>;
}

export function createInputResolver(deps: InputDeps) {
  const { repo, config } = deps;
  const policy = { archiveAfterDays: config.ARCHIVE_AFTER_DAYS };

  /** The references and body of an article's input, resolved; 422 listing every reference that does not exist. */
  async function resolve(input: Partial<ArticleCreate>, pointerBase = '/body'): Promise<Resolved> {
    const out: Resolved = {};
    const errors: Problem[] = [];
    out.blocks = blocksFromInput(input);
    if (input.section !== undefined) {
      if (input.section === null) out.sectionId = null;
      else {
        const s = await repo.sectionBySlug(input.section);
        if (!s) errors.push({ pointer: `${pointerBase}/section`, detail: `no section has the slug "${input.section}"` });
        else out.sectionId = s.id;
      }
    }
    if (input.authors !== undefined) {
      const map = await repo.authorsBySlugs(input.authors);
      input.authors.forEach((slug, i) => {
        if (!map.has(slug)) errors.push({ pointer: `${pointerBase}/authors/${i}`, detail: `no author has the slug "${slug}"` });
      });
      out.authorIds = input.authors.map((s) => map.get(s)!);
    }
    if (input.tags !== undefined) {
      const map = await repo.tagsBySlugs(input.tags);
      input.tags.forEach((slug, i) => {
        if (!map.has(slug)) errors.push({ pointer: `${pointerBase}/tags/${i}`, detail: `no tag has the slug "${slug}"` });
      });
      out.tagIds = input.tags.map((s) => map.get(s)!);
    }
    // Photos: only those this change references.
    const featured = input.featuredPhotoId ?? null;
    const images = out.blocks ? imagePhotoIds(out.blocks) : [];
    const ids = [...new Set([...(featured !== null ? [featured] : []), ...images])];
    if (ids.length > 0) {
      const missing = new Set(await deps.photos.missing(ids));
      if (featured !== null && missing.has(featured)) {
        errors.push({ pointer: `${pointerBase}/featuredPhotoId`, detail: `no photo has the id ${featured}` });
      }
      out.blocks?.forEach((b, i) => {
        if (b.type === 'image' && missing.has(b.photoId)) {
          errors.push({
            pointer: input.bodyMarkdown !== undefined ? `${pointerBase}/bodyMarkdown` : `${pointerBase}/body/${i}/photoId`,
            detail: `no photo has the id ${b.photoId}`,
          });
        }
      });
    }
    if (errors.length > 0) {
      throw new HttpError(422, `The article refers to things that do not exist: ${errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ')}`, { errors });
    }
    return out;
  }

  /** A body's columns: the blocks and what is derived from them. */
  function bodyColumns(blocks: Block[]) {
    const words = countWords(proseText(blocks));
    return {
      body: blocks,
      bodyText: renderText(blocks),
      ...teaserColumns(blocks, config.TEASER_BLOCKS),
      wordCount: words,
      readingTimeMinutes: readingTimeMinutes(words, config.READING_WPM),
    };
  }

  /** `base`, or the first free `base-N` (current and old slugs count as taken). */
  async function freeSlug(base: string): Promise<string> {
    const taken = await repo.slugsLike(base);
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  /** List query → repository filter (visibility for readers, status for admins, slugs → ids). Throws 4xx. */
  async function resolveFilter(
    query: Pick<ArticleListQuery, 'status' | 'section' | 'tag' | 'author' | 'from' | 'to' | 'access' | 'q'>,
    identity: Identity,
    at: Date,
  ): Promise<ArticleFilter> {
    const admin = isAdmin(identity);
    if (query.status !== undefined && query.status !== 'published' && !admin) {
      if (identity.kind === 'anonymous') {
        throw new HttpError(401, 'Listing by workflow status needs an API key with the "admin" scope', { headers: { 'www-authenticate': 'Bearer' } });
      }
      throw new HttpError(403, 'Listing by workflow status needs the "admin" scope');
    }
    const filter: ArticleFilter = { now: at.toISOString() };
    if (admin) filter.status = query.status;
    else filter.visibleAt = at.toISOString();
    const errors: Problem[] = [];
    if (query.section) {
      const s = await repo.sectionBySlug(query.section);
      if (s) filter.sectionId = s.id;
      else errors.push({ pointer: '/query/section', detail: `no section has the slug "${query.section}"` });
    }
    if (query.tag) {
      const id = (await repo.tagsBySlugs([query.tag])).get(query.tag);
      if (id !== undefined) filter.tagId = id;
      else errors.push({ pointer: '/query/tag', detail: `no tag has the slug "${query.tag}"` });
    }
    if (query.author) {
      const id = (await repo.authorsBySlugs([query.author])).get(query.author);
      if (id !== undefined) filter.authorId = id;
      else errors.push({ pointer: '/query/author', detail: `no author has the slug "${query.author}"` });
    }
    if (errors.length > 0) throw new HttpError(400, errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), { errors });
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
    if (query.from) filter.from = iso(dateOnly.test(query.from) ? `${query.from}T00:00:00Z` : query.from);
    if (query.to) {
      filter.to = dateOnly.test(query.to)
        ? new Date(Date.parse(`${query.to}T00:00:00Z`) + 86_400_000).toISOString()
        : iso(query.to);
    }
    if (filter.from && filter.to && filter.from >= filter.to) throw badRequest('"from" must be before "to"', '/query/from');
    if (query.access) filter.access = query.access;
    // Full-text search: the query language of src/search/query.ts (a 400 that says why when it can't be understood).
    if (query.q) {
      filter.q = parseSearchQuery(query.q).match;
      // Matching is the access policy's too: a caller without access to an article's full text
      // matches it by what they may read (its teaser), unless the publisher opted in to discovery
      // by the full text (SEARCH_FULL_TEXT_DISCOVERY). Snippets never come from unreadable text.
      filter.qScope = config.SEARCH_FULL_TEXT_DISCOVERY ? 'all' : fullTextScope(identity);
      filter.archiveCutoff = archiveCutoff(at, policy);
    }
    return filter;
  }

  return { resolve, bodyColumns, freeSlug, resolveFilter };
}
