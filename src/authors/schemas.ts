import { z } from 'zod';
import { IsoDateTime, Slug, multiLine, oneLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';
import { EmbeddedPhoto } from '../schemas/photo.js';

export const Author = z
  .object({
    id: z.number().int(),
    slug: Slug,
    name: z.string(),
    bio: z.string().nullable(),
    role: z.string().nullable().describe('Job title as credited, e.g. "Chief Correspondent, Central Europe"'),
    photoId: z.number().int().nullable(),
    photo: EmbeddedPhoto.nullable().optional().describe('The author photo (single author view)'),
    articleCount: z.number().int().describe('Published articles credited to the author'),
    articlesUrl: z.string().describe('Their articles, through the article list filter'),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int().describe('Increments on every change; send it back in If-Match'),
  })
  .meta({ id: 'Author', description: 'A writer credited in bylines' });
export type Author = z.infer<typeof Author>;

export const AuthorCreate = z
  .strictObject({
    slug: Slug.optional().describe('Made from the name when omitted'),
    name: oneLine(200),
    bio: multiLine(5000).nullable().optional(),
    role: oneLine(200, 0).nullable().optional(),
    photoId: z.number().int().positive().nullable().optional(),
  })
  .meta({ id: 'AuthorCreate' });
export type AuthorCreate = z.infer<typeof AuthorCreate>;

export const AuthorUpdate = AuthorCreate.partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'AuthorUpdate' });
export type AuthorUpdate = z.infer<typeof AuthorUpdate>;

export const AuthorList = z.object({ data: z.array(Author), meta: ListMeta }).meta({ id: 'AuthorList' });

export const AuthorListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });
export const AuthorParams = z.strictObject({ slug: z.string().max(200).describe('Author slug') });
export const DetachQuery = z.strictObject({
  detach: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: remove it from every article that uses it (each gets a revision), then delete'),
});
