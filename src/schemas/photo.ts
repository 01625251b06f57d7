import type { Identity } from '../access/identity.js';
import { z } from 'zod';

/**
 * How a photo appears inside other resources (articles, feeds): shared by the articles and
 * photos features. The photos feature implements `PhotoEmbedder`; articles call it.
 */
export const PhotoRendition = z
  .object({
    url: z.string().describe('Absolute URL of the rendition, with its version token (`?v=`): cacheable as immutable'),
    width: z.number().int(),
    height: z.number().int(),
    format: z.enum(['webp', 'avif', 'jpeg']),
  })
  .meta({ id: 'PhotoRendition' });

export const EmbeddedPhoto = z
  .object({
    id: z.number().int(),
    caption: z.string().nullable(),
    altText: z.string().nullable(),
    credit: z.string().nullable(),
    creator: z.string().nullable(),
    copyright: z.string().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    focalPoint: z.object({ x: z.number(), y: z.number() }).nullable(),
    placeholder: z
      .object({ color: z.string().describe('Dominant colour, #rrggbb'), blurhash: z.string().nullable() })
      .nullable(),
    renditions: z.array(PhotoRendition).describe('Ready for srcset'),
  })
  .meta({ id: 'EmbeddedPhoto', description: 'A photo as embedded in an article, with caption, credit and renditions' });
export type EmbeddedPhoto = z.infer<typeof EmbeddedPhoto>;

export interface PhotoEmbedder {
  /** The ids among `ids` that do not name a photo (unknown or deleted): a save referencing them is a 4xx. */
  missing(ids: number[]): Promise<number[]>;
  /** Embeddable photos by id; photos past their expiry (or unknown) are left out. */
  embed(ids: number[], now: Date): Promise<Map<number, EmbeddedPhoto>>;
  /** The earliest expiry still ahead of `now` among these photos (ISO), or null: embeds of them stay valid until then. */
  nextExpiry?(ids: number[], now: Date): Promise<string | null>;
  /**
   * Byte sizes of rendition files that already exist, by rendition URL (one of an embedded photo's
   * `renditions[].url`). Renditions are made on their first request; this never makes one, so a
   * rendition not yet made is simply absent from the answer.
   */
  renditionSizes?(wanted: { photoId: number; url: string }[]): Promise<Map<string, number>>;
  /**
   * The ids among `ids` that `identity` may see now, by the rule of GET /v1/photos/{id} (shown to
   * them by a visible article, or a portrait; expiry aside): what the change feed and webhooks may
   * announce to them. Without it, non-admins hear of no photo.
   */
  visibleTo?(ids: number[], identity: Identity, now: Date): Promise<Set<number>>;
}
