import { z } from 'zod';
import { multiLine } from '../schemas/common.js';

/**
 * The article body: an ordered array of typed blocks. Text inside blocks may carry simple inline
 * Markdown (`**bold**`, `*italic*`, `[link](https://…)`, `` `code` ``) or be plain; HTML in it is
 * never trusted: on save, every tag but the inline allow-list is removed from it (inlineHtml.ts),
 * and rendering sanitises it again (render.ts).
 */
export const MAX_BLOCKS = 2000;
// Block text may hold line breaks and tabs, never NUL or other control characters.
const text = (max: number) => multiLine(max, 1);

export const ParagraphBlock = z.strictObject({ type: z.literal('paragraph'), text: text(20_000) });
export const HeadingBlock = z.strictObject({
  type: z.literal('heading'),
  level: z.number().int().min(2).max(4).describe('2–4; the headline is the page title'),
  text: text(300),
});
export const QuoteBlock = z.strictObject({
  type: z.literal('quote'),
  text: text(5000),
  attribution: text(300).optional().describe('Who said it, e.g. "Interior ministry statement"'),
});
export const ListBlock = z.strictObject({
  type: z.literal('list'),
  ordered: z.boolean().default(false),
  items: z.array(text(2000)).min(1).max(200),
});
export const ImageBlock = z.strictObject({
  type: z.literal('image'),
  photoId: z.number().int().positive().describe('A photo id (see the photos API)'),
  caption: text(2000).optional().describe("Overrides the photo's own caption here"),
  altText: text(500).optional().describe("Overrides the photo's alt text here"),
});
export const EmbedBlock = z.strictObject({
  type: z.literal('embed'),
  url: z.url({ protocol: /^https$/ }).max(2000).describe('https URL of the embedded content'),
  provider: text(100).optional(),
  title: text(300).optional(),
});
export const PaywallBlock = z.strictObject({ type: z.literal('paywall') });

export const Block = z
  .discriminatedUnion('type', [ParagraphBlock, HeadingBlock, QuoteBlock, ListBlock, ImageBlock, EmbedBlock, PaywallBlock])
  .meta({
    id: 'Block',
    description:
      'A body block. `paywall` marks the break: readers without access see only the blocks before it ' +
      '(or the first TEASER_BLOCKS blocks when there is none). Text (paragraph, heading, quote, list items) is inline ' +
      'Markdown that may hold the inline HTML tags strong, em, b, i, a (href, title), code, br, s, del, sub, sup; any ' +
      'other HTML is removed on save, and captions, attributions and titles keep no tags at all.',
  });
export type Block = z.infer<typeof Block>;
export type BlockType = Block['type'];

export const Blocks = z.array(Block).max(MAX_BLOCKS);

/** Photo ids referenced by image blocks, in order, without repeats. */
export function imagePhotoIds(blocks: readonly Block[]): number[] {
  const ids: number[] = [];
  for (const b of blocks) if (b.type === 'image' && !ids.includes(b.photoId)) ids.push(b.photoId);
  return ids;
}

/**
 * The teaser: the blocks before the first `paywall` block, or the first `teaserBlocks` blocks
 * when the body has no paywall block.
 */
export function teaserOf(blocks: readonly Block[], teaserBlocks: number): Block[] {
  const cut = blocks.findIndex((b) => b.type === 'paywall');
  return cut >= 0 ? blocks.slice(0, cut) : blocks.slice(0, teaserBlocks);
}

/**
 * What a reader without access sees of a body: the teaser, except that a body which would be its
 * own teaser (TEASER_BLOCKS blocks or fewer, no paywall block) keeps its last block back, so a
 * caller without access never gets the whole body. The reader's view (src/access/articleView.ts)
 * shows exactly this; the search index's teaser copy and the photo refs' `in_teaser` are built
 * from it at write time (src/articles/teasers.ts).
 */
export function readerTeaser(blocks: readonly Block[], teaserBlocks: number): Block[] {
  const teaser = teaserOf(blocks, teaserBlocks);
  return teaser.length > 0 && teaser.length === blocks.length ? teaser.slice(0, -1) : teaser;
}
