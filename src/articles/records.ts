import { imagePhotoIds, type Block } from '../content/blocks.js';
import { articleKeys } from '../lib/surrogateKeys.js';
import type { ArticleRow, ArticlesRepository, AuthorRef, CorrectionRef, SectionRef, TagRef } from './repository.js';

/** An article with what every representation needs (section, bylines, tags, corrections). */
export interface ArticleRecord extends Omit<ArticleRow, 'body'> {
  blocks: Block[];
  sectionSlug: string | null;
  section: SectionRef | null;
  authors: AuthorRef[];
  tags: TagRef[];
  corrections: CorrectionRef[];
}

/** The CDN keys of an answer showing this article: itself and everything it may embed. */
export function keysOf(r: ArticleRecord): string[] {
  const photoIds = [
    ...(r.featuredPhotoId ? [r.featuredPhotoId] : []),
    ...imagePhotoIds(r.blocks),
    ...r.authors.map((a) => a.photoId).filter((id): id is number => id !== null),
  ];
  return articleKeys({ id: r.id, sectionId: r.sectionId, tagIds: r.tags.map((t) => t.id), authorIds: r.authors.map((a) => a.id), photoIds });
}

/** Rows to records: what reading and writing both hand to the reader's view. */
export function createRecords(repo: ArticlesRepository) {
  /** Loads sections, bylines, tags and corrections for rows (four queries for any number of rows). */
  async function hydrate(rows: ArticleRow[]): Promise<ArticleRecord[]> {
    const rel = await repo.related(rows);
    return rows.map(({ body, ...r }) => {
      const section = r.sectionId !== null ? rel.sections.get(r.sectionId) ?? null : null;
      return {
        ...r,
        blocks: body as Block[],
        section,
        sectionSlug: section?.slug ?? null,
        authors: rel.bylines.get(r.id) ?? [],
        tags: rel.tags.get(r.id) ?? [],
        corrections: rel.corrections.get(r.id) ?? [],
      };
    });
  }

  /** Whole rows for heads (or page rows), in the same order. */
  async function withBodies(heads: { id: number }[]): Promise<ArticleRow[]> {
    const byId = new Map((await repo.findByIds(heads.map((h) => h.id))).map((r) => [r.id, r]));
    return heads.map((h) => byId.get(h.id)).filter((r): r is ArticleRow => r !== undefined);
  }

  return { hydrate, withBodies };
}
