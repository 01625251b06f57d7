import { Block, MAX_BLOCKS } from '../../content/blocks.js';
import { cleanBlock } from '../../content/inlineHtml.js';
import type { DraftBlock, DraftImage } from './htmlToBlocks.js';
import { escapeText } from './htmlToBlocks.js';

/** A source item that cannot become an article, with the reason (the run goes on). */
export class ItemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ItemError';
  }
}

const LIMITS = { paragraph: 20_000, heading: 300, quote: 5000, item: 2000, items: 200, caption: 2000, alt: 500, attribution: 300 };

/** Cuts text at a word boundary below `max` (for fields that have a length limit). */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const part = text.slice(0, max - 1);
  const space = part.lastIndexOf(' ');
  return `${(space > max / 2 ? part.slice(0, space) : part).trimEnd()}…`;
}

/** Splits a long paragraph into paragraphs under the limit, at sentence or word boundaries. */
function splitParagraph(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > LIMITS.paragraph) {
    const window = rest.slice(0, LIMITS.paragraph);
    let at = window.lastIndexOf('. ');
    if (at < LIMITS.paragraph / 2) at = window.lastIndexOf(' ');
    if (at < 1) at = LIMITS.paragraph - 1;
    out.push(rest.slice(0, at + 1).trim());
    rest = rest.slice(at + 1).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/**
 * Draft blocks → the blocks an article is saved with: images resolved to photos (a picture that
 * cannot be found keeps its caption as an italic paragraph, so the story still reads the same),
 * lengths fitted to the block schema (long paragraphs split, long headings made paragraphs), and
 * every block cleaned and checked as the articles service will. Throws ItemError when the body
 * cannot be saved at all.
 */
export async function finishBlocks(
  drafts: DraftBlock[],
  resolveImage: (image: DraftImage) => Promise<number | null>,
  warn: (code: string, detail?: string) => void,
): Promise<Block[]> {
  const out: Block[] = [];
  const push = (b: Block) => {
    const clean = cleanBlock(b).block;
    if (clean) out.push(clean);
  };
  for (const d of drafts) {
    switch (d.type) {
      case 'image': {
        const photoId = await resolveImage(d);
        if (photoId === null) {
          if (d.caption) push({ type: 'paragraph', text: `<em>${escapeText(cut(d.caption, LIMITS.paragraph - 10))}</em>` });
          break;
        }
        push({
          type: 'image',
          photoId,
          ...(d.caption ? { caption: cut(d.caption, LIMITS.caption) } : {}),
          ...(d.altText ? { altText: cut(d.altText, LIMITS.alt) } : {}),
        });
        break;
      }
      case 'paragraph':
        for (const text of splitParagraph(d.text)) push({ type: 'paragraph', text });
        break;
      case 'heading':
        if (d.text.length > LIMITS.heading) {
          warn('heading-too-long', `a heading over ${LIMITS.heading} characters became a paragraph`);
          for (const text of splitParagraph(d.text)) push({ type: 'paragraph', text });
        } else push(d);
        break;
      case 'quote': {
        let { text, attribution } = d;
        if (attribution && attribution.length > LIMITS.attribution) {
          text = `${text}<br>— ${escapeText(attribution)}`;
          attribution = undefined;
        }
        if (text.length > LIMITS.quote) {
          warn('quote-too-long', `a quote over ${LIMITS.quote} characters became paragraphs`);
          for (const t of splitParagraph(text.replace(/<br><br>/g, ' '))) push({ type: 'paragraph', text: t });
          if (attribution) push({ type: 'paragraph', text: `— ${escapeText(attribution)}` });
        } else push({ type: 'quote', text, ...(attribution ? { attribution } : {}) });
        break;
      }
      case 'list': {
        const items = d.items.map((item) => {
          if (item.length <= LIMITS.item) return item;
          warn('list-item-too-long', `a list item over ${LIMITS.item} characters was shortened`);
          return cut(item, LIMITS.item);
        });
        for (let i = 0; i < items.length; i += LIMITS.items) push({ type: 'list', ordered: d.ordered, items: items.slice(i, i + LIMITS.items) });
        break;
      }
      case 'embed':
        push({ ...d, ...(d.title ? { title: cut(d.title, 300) } : {}), ...(d.provider ? { provider: cut(d.provider, 100) } : {}) });
        break;
      default:
        push(d);
    }
  }
  // A paywall break with nothing after it gates nothing; at the very end it is only noise.
  while (out.length > 0 && out[out.length - 1].type === 'paywall') out.pop();
  if (out.length > MAX_BLOCKS) throw new ItemError(`the body has ${out.length} blocks; Newsdesk takes at most ${MAX_BLOCKS}`);
  for (let i = 0; i < out.length; i++) {
    const r = Block.safeParse(out[i]);
    if (!r.success) throw new ItemError(`block ${i + 1} (${out[i].type}): ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  return out;
}
