import { viewArticle, type ArticleView, type ArticleViewContext } from '../access/articleView.js';
import { isAdmin, type Identity } from '../access/identity.js';
import type { Clock } from '../lib/clock.js';
import { HttpError } from '../lib/httpError.js';
import type { EmbeddedPhoto, PhotoEmbedder } from '../schemas/photo.js';
import type { ArticleRecord } from './records.js';
import { ARTICLE_FIELDS, ARTICLE_FORMATS, ARTICLE_INCLUDES, Article as ArticleSchema, type Article, type ArticleField, type ArticleFormat, type ArticleInclude } from './schemas.js';
import { effectiveStatus, isFuture } from './workflow.js';

/**
 * Presenting: an article record as one caller sees it, in the view options they asked for. Every
 * representation the articles feature answers with (single, lists, search results, feeds, webhook
 * payloads) is made here, through viewArticle (src/access/articleView.ts), THE reader's view.
 */

export interface PresentOptions {
  /** null = every field. id, slug and access are always sent (and paywall when not granted). */
  fields: Set<ArticleField> | null;
  formats: Set<ArticleFormat>;
  includes: Set<ArticleInclude>;
  /** Only the single-article view spends a reader's meter. */
  spendMeter?: boolean;
}

export const FULL_VIEW: PresentOptions = {
  fields: null,
  formats: new Set(ARTICLE_FORMATS),
  includes: new Set(ARTICLE_INCLUDES),
};

function parseList<T extends string>(raw: string | undefined, allowed: readonly T[], param: string): Set<T> | null {
  if (raw === undefined) return null;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new HttpError(400, `Unknown ${param} ${unknown.map((u) => `"${u}"`).join(', ')}; allowed: ${allowed.join(', ')}`, {
      errors: unknown.map((u) => ({ pointer: `/query/${param}`, detail: `"${u}" is not one of ${allowed.join(', ')}` })),
    });
  }
  return new Set(names as T[]);
}

/** Parses fields/format/include with their defaults (single article: everything; lists: no body, no embeds). */
export function viewOptions(query: { fields?: string; format?: string; include?: string }, single: boolean): PresentOptions {
  const fields = parseList(query.fields, ARTICLE_FIELDS, 'fields');
  let formats = parseList(query.format, ARTICLE_FORMATS, 'format');
  let includes = parseList(query.include, ARTICLE_INCLUDES, 'include');
  if (!formats) {
    formats = fields
      ? new Set(ARTICLE_FORMATS.filter((f) => fields.has(f)))
      : new Set(single ? ARTICLE_FORMATS : []);
  }
  if (!includes) {
    includes = fields
      ? new Set(ARTICLE_INCLUDES.filter((i) => fields.has(i)))
      : new Set(single ? ARTICLE_INCLUDES : []);
  }
  return { fields, formats, includes };
}

/** The view options as part of a cache key. */
export const optionsKey = (o: PresentOptions) =>
  `${o.fields ? [...o.fields].sort().join(',') : '*'}|${[...o.formats].sort().join(',')}|${[...o.includes].sort().join(',')}`;

/** Whether a view shows photos (embedded, or rendered into html/text). */
export const needsPhotos = (o: PresentOptions) => o.includes.has('photos') || o.formats.has('html') || o.formats.has('text');

/** The article JSON exactly as the API sends it: encoded through the Article schema (which checks it), then stringified. */
export const articleJson = (article: Article): string => JSON.stringify(ArticleSchema.encode(article));

export interface PresenterDeps {
  clock: Clock;
  photos: PhotoEmbedder;
  /** The reader's view settings for one page (articleViewContext of src/access/articleView.ts). */
  viewContext(options: { spendMeter: boolean; now: Date }): ArticleViewContext;
}

export function createPresenter(deps: PresenterDeps) {
  /**
   * Renders records for `identity`: each through viewArticle (teaser for callers without access),
   * photos embedded in one call for the whole page.
   */
  async function present(records: ArticleRecord[], identity: Identity, opt: PresentOptions): Promise<{ items: Article[]; views: ArticleView[] }> {
    const at = deps.clock.now();
    const ctx = deps.viewContext({ spendMeter: opt.spendMeter ?? false, now: at });
    const views: ArticleView[] = [];
    for (const r of records) views.push(await viewArticle(r, identity, ctx));
    const photoIds = needsPhotos(opt) ? [...new Set(views.flatMap((v) => v.photoIds))] : [];
    const photos: Map<number, EmbeddedPhoto> = photoIds.length > 0 ? await deps.photos.embed(photoIds, at) : new Map();
    const admin = isAdmin(identity);
    const usageTerms = identity.kind === 'apiKey' ? identity.licence?.usageTerms ?? undefined : undefined;

    const items = records.map((r, i) => {
      const v = views[i];
      const full: Article = {
        id: r.id,
        slug: r.slug,
        headline: r.headline,
        standfirst: r.standfirst,
        excerpt: v.excerpt,
        dateline: r.dateline,
        language: r.language,
        canonicalUrl: r.canonicalUrl,
        seoTitle: r.seoTitle,
        seoDescription: r.seoDescription,
        featuredPhotoId: r.featuredPhotoId,
        sectionSlug: r.sectionSlug,
        authorSlugs: r.authors.map((a) => a.slug),
        tagSlugs: r.tags.map((t) => t.slug),
        sources: r.sources,
        wordCount: r.wordCount,
        readingTimeMinutes: r.readingTimeMinutes,
        status: effectiveStatus(r, at),
        access: v.access,
        paywall: v.paywall,
        ...(v.subscribePrompt ? { subscribePrompt: v.subscribePrompt } : {}),
        publishedAt: r.publishedAt,
        firstPublishedAt: isFuture(r.firstPublishedAt, at) ? null : r.firstPublishedAt,
        scheduledFor: r.scheduledFor,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        ...(admin ? { deletedAt: r.deletedAt } : {}),
        version: r.version,
        corrections: r.corrections,
        ...(opt.formats.has('blocks') ? { blocks: v.blocks } : {}),
        ...(opt.formats.has('html') ? { html: v.html(photos) } : {}),
        ...(opt.formats.has('text') ? { text: v.text(photos) } : {}),
        ...(opt.includes.has('section') ? { section: r.section } : {}),
        ...(opt.includes.has('authors') ? { authors: r.authors } : {}),
        ...(opt.includes.has('tags') ? { tags: r.tags } : {}),
        ...(opt.includes.has('photos') ? { photos: v.photoIds.map((id) => photos.get(id)).filter((p): p is EmbeddedPhoto => !!p) } : {}),
        // A partner's licence terms travel with every article it receives (src/keys/licences.ts).
        ...(usageTerms ? { usageTerms } : {}),
      };
      if (!opt.fields) return full;
      const out: Record<string, unknown> = { id: full.id, slug: full.slug, access: full.access, ...(usageTerms ? { usageTerms } : {}) };
      if (!v.granted) out.paywall = full.paywall;
      for (const f of opt.fields) if (f in full) out[f] = full[f as keyof Article];
      return out as Article;
    });
    return { items, views };
  }

  return { present };
}
