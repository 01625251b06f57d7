import { z } from 'zod';
import { IsoDateTime, MULTI_LINE, MULTI_LINE_MESSAGE, multiLine, oneLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';
import { PhotoRendition } from '../schemas/photo.js';

const text = () => z.string().nullable();

export const FocalPoint = z
  .object({
    x: z.number().min(0).max(1).describe('0 = left edge, 1 = right edge'),
    y: z.number().min(0).max(1).describe('0 = top edge, 1 = bottom edge'),
  })
  .describe('The point crops keep in view, as fractions of the (display-oriented) width and height');

export const Photo = z
  .object({
    id: z.number().int(),
    sha256: z.string().describe('SHA-256 of the original bytes (hex); re-uploading the same bytes returns this photo'),
    format: z.enum(['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff']).describe('Format of the original, detected from its bytes'),
    mimeType: z.string(),
    byteSize: z.number().int().describe('Size of the original in bytes'),
    width: z.number().int().describe('Display width in pixels (EXIF orientation applied)'),
    height: z.number().int().describe('Display height in pixels (EXIF orientation applied)'),
    orientation: z.number().int().nullable().describe('EXIF orientation of the original (1–8); renditions are already rotated'),
    originalFilename: text(),
    headline: text().describe('IPTC Headline / XMP photoshop:Headline or dc:title'),
    caption: text().describe('IPTC Caption-Abstract / XMP dc:description'),
    altText: z.string().nullable().describe('Text alternative for screen readers (not embedded by cameras: set it)'),
    credit: text().describe('Credit line, e.g. "AGENCY-PARTNER/SOURCE HANDOUT"'),
    creator: text().describe('Photographer (IPTC By-line / XMP dc:creator)'),
    copyright: text(),
    source: text(),
    usageTerms: text().describe('Usage terms or special instructions (restrictions)'),
    keywords: z.array(z.string()),
    takenAt: IsoDateTime.nullable().describe('When the picture was taken (from EXIF/XMP/IPTC unless given)'),
    focalPoint: FocalPoint.nullable(),
    expiresAt: IsoDateTime.nullable().describe('After this instant the photo is no longer served to readers (410)'),
    expired: z.boolean(),
    placeholder: z
      .object({ color: z.string().describe('Dominant colour, #rrggbb'), blurhash: z.string().nullable() })
      .describe('Shown while the image loads'),
    renditions: z.array(PhotoRendition).describe('Every offered width in WebP, AVIF and JPEG, ready for srcset (URLs carry the version token `?v=`)'),
    renditionUrlTemplate: z
      .string()
      .describe(
        'URL template for renditions: replace {width} with a configured width and {format} with webp, avif or jpeg; add &ar=16:9 to ' +
          'crop. It carries the current version token (`?v=`), like every URL in `renditions`: those URLs are immutable, and change ' +
          'when the picture or its focal point does',
      ),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int().describe('Increments on every change; send it back in If-Match'),
  })
  .meta({ id: 'Photo', description: 'A photo with its editorial metadata and renditions' });
export type Photo = z.infer<typeof Photo>;

export const PhotoList = z.object({ data: z.array(Photo), meta: ListMeta }).meta({ id: 'PhotoList' });

/**
 * The text fields of a multipart upload. Each is optional and wins over what the file embeds;
 * an empty field counts as not sent.
 */
const uploadText = (max: number, description: string) => z.string().max(max).regex(MULTI_LINE, MULTI_LINE_MESSAGE).optional().describe(description);
export const PhotoUploadFields = z.strictObject({
  caption: uploadText(10_000, 'Caption (else taken from IPTC/XMP/EXIF)'),
  headline: uploadText(500, 'Headline or title'),
  altText: uploadText(2000, 'Alt text'),
  credit: uploadText(500, 'Credit line'),
  creator: uploadText(500, 'Photographer'),
  copyright: uploadText(1000, 'Copyright notice'),
  source: uploadText(500, 'Source'),
  usageTerms: uploadText(2000, 'Usage terms / restrictions'),
  keywords: z.string().max(5000).regex(MULTI_LINE, MULTI_LINE_MESSAGE).optional().describe('Comma-separated keywords'),
  takenAt: IsoDateTime.optional().describe('When the picture was taken'),
  expiresAt: IsoDateTime.optional().describe('Stop serving the photo to readers after this instant'),
});
export type PhotoUploadFields = z.infer<typeof PhotoUploadFields>;

/** OpenAPI description of the multipart body (validated by the route itself, part by part). */
export const PhotoUpload = PhotoUploadFields.extend({
  file: z
    .string()
    .meta({ format: 'binary', contentMediaType: 'application/octet-stream' })
    .describe('The image: JPEG, PNG, WebP, AVIF, GIF (first frame) or TIFF. Exactly one file part.'),
}).meta({ id: 'PhotoUpload', description: 'multipart/form-data: one `file` part plus optional text fields' });

const editable = (max: number) => multiLine(max).nullable().optional();
export const PhotoUpdate = z
  .strictObject({
    caption: editable(10_000),
    headline: editable(500),
    altText: editable(2000),
    credit: editable(500),
    creator: editable(500),
    copyright: editable(1000),
    source: editable(500),
    usageTerms: editable(2000),
    keywords: z
      .array(oneLine(100))
      .max(100)
      .optional()
      .describe('Replaces the keywords; duplicates are dropped case-insensitively, keeping the first spelling'),
    takenAt: IsoDateTime.nullable().optional(),
    focalPoint: FocalPoint.nullable().optional(),
    expiresAt: IsoDateTime.nullable().optional().describe('null removes the expiry'),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'PhotoUpdate', description: 'Fields to change; null clears a field' });
export type PhotoUpdate = z.infer<typeof PhotoUpdate>;

export const PhotoListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  q: z.string().trim().min(1).max(200).optional().describe('Text to find in the caption, headline or credit'),
  from: IsoDateTime.optional().describe('Upload date: uploaded at or after this instant (`createdAt`), as WordPress filters its media library'),
  to: IsoDateTime.optional().describe('Upload date: uploaded before this instant (`createdAt`)'),
  takenFrom: IsoDateTime.optional().describe('Date taken: taken at or after this instant (`takenAt`); photos without a date taken do not match'),
  takenTo: IsoDateTime.optional().describe('Date taken: taken before this instant (`takenAt`); photos without a date taken do not match'),
});
export type PhotoListQuery = z.infer<typeof PhotoListQuery>;

export const PhotoParams = z.strictObject({
  id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('Photo id'),
});

export const PhotoDeleteQuery = z.strictObject({
  force: z
    .enum(['true', 'false'])
    .optional()
    .describe('true deletes even while published or scheduled articles use the photo (they then show none)'),
});
