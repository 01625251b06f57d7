import { z } from 'zod';
import { IsoDateTime, Slug, multiLine, oneLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';

export const Tag = z
  .object({
    id: z.number().int(),
    slug: Slug,
    name: z.string(),
    description: z.string().nullable(),
    articleCount: z.number().int().describe('Published articles with the tag'),
    articlesUrl: z.string().describe('Its articles, through the article list filter'),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int().describe('Increments on every change; send it back in If-Match'),
  })
  .meta({ id: 'Tag', description: 'A topic tag such as "Energy" or "Elections"' });
export type Tag = z.infer<typeof Tag>;

export const TagCreate = z
  .strictObject({
    slug: Slug.optional().describe('Made from the name when omitted'),
    name: oneLine(120),
    description: multiLine(2000).nullable().optional(),
  })
  .meta({ id: 'TagCreate' });
export type TagCreate = z.infer<typeof TagCreate>;

export const TagUpdate = TagCreate.partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'TagUpdate' });
export type TagUpdate = z.infer<typeof TagUpdate>;

export const TagList = z.object({ data: z.array(Tag), meta: ListMeta }).meta({ id: 'TagList' });

export const TagListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });
export const TagParams = z.strictObject({ slug: z.string().max(200).describe('Tag slug') });
export const TagDeleteQuery = z.strictObject({
  detach: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: remove it from every article that uses it (each gets a revision), then delete'),
});
