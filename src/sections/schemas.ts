import { z } from 'zod';
import { IsoDateTime, Slug, multiLine, oneLine } from '../schemas/common.js';
import { ListMeta, cursorQuery, limitQuery } from '../schemas/pagination.js';

export const Section = z
  .object({
    id: z.number().int(),
    slug: Slug,
    name: z.string(),
    description: z.string().nullable(),
    position: z.number().int().describe('Ordering in navigation, lowest first'),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int().describe('Increments on every change; send it back in If-Match'),
  })
  .meta({ id: 'Section', description: 'A section of the publication, such as World or Business' });
export type Section = z.infer<typeof Section>;

export const SectionCreate = z
  .strictObject({
    slug: Slug.optional().describe('Made from the name when omitted'),
    name: oneLine(120),
    description: multiLine(2000).nullable().optional(),
    position: z.number().int().min(0).max(100_000).optional(),
  })
  .meta({ id: 'SectionCreate' });
export type SectionCreate = z.infer<typeof SectionCreate>;

export const SectionUpdate = SectionCreate.partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'SectionUpdate' });
export type SectionUpdate = z.infer<typeof SectionUpdate>;

export const SectionList = z
  .object({ data: z.array(Section), meta: ListMeta })
  .meta({ id: 'SectionList' });

export const SectionListQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });
export const SectionParams = z.strictObject({ slug: z.string().max(200).describe('Section slug') });
