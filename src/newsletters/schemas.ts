import { z } from 'zod';
import { IsoDateTime, Slug, multiLine, oneLine } from '../schemas/common.js';

const Audience = z
  .enum(['confirmed', 'paid'])
  .describe('Who may receive it: `confirmed` — any confirmed subscriber; `paid` — subscribers on a paid plan only');

/** A newsletter as readers see it (GET /v1/newsletters). */
export const PublicNewsletter = z
  .object({
    slug: Slug,
    name: z.string(),
    description: z.string().nullable(),
    audience: Audience,
    subscribeOnSignup: z.boolean().describe('New sign-ups that choose no newsletters get it'),
  })
  .meta({ id: 'PublicNewsletter', description: 'A newsletter a subscriber can choose (by slug, at sign-up or in PATCH /v1/me)' });
export type PublicNewsletter = z.infer<typeof PublicNewsletter>;

export const PublicNewsletterList = z.object({ data: z.array(PublicNewsletter) }).meta({ id: 'PublicNewsletterList' });

/** A newsletter with everything an editor sets (admin views). */
export const Newsletter = PublicNewsletter.extend({
  id: z.number().int(),
  senderName: z.string().nullable().describe('Null: the name in MAIL_FROM'),
  senderEmail: z.string().nullable().describe('Null: the address in MAIL_FROM'),
  replyTo: z.string().nullable(),
  sections: z.array(z.string()).describe('Section slugs whose stories feed it (empty: every section)'),
  tags: z.array(z.string()).describe('Tag slugs whose stories feed it (empty: any tag)'),
  status: z.enum(['active', 'archived']).describe('Archived: not listed, cannot be chosen or sent; its subscribers are kept'),
  position: z.number().int(),
  subscriberCount: z.number().int().describe('Subscribers who chose it (confirmed or not)'),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  archivedAt: IsoDateTime.nullable(),
  version: z.number().int().describe('Increments on every change; send it back in If-Match'),
}).meta({ id: 'Newsletter', description: 'A newsletter, as editors manage it' });
export type Newsletter = z.infer<typeof Newsletter>;

export const NewsletterList = z.object({ data: z.array(Newsletter) }).meta({ id: 'NewsletterList' });

/** An address as written by an editor; the service checks it is one (422 otherwise). */
const Address = z.string().max(320);

export const NewsletterCreate = z
  .strictObject({
    slug: Slug.optional().describe('Made from the name when omitted'),
    name: oneLine(120),
    description: multiLine(2000).nullable().optional(),
    senderName: oneLine(120).nullable().optional(),
    senderEmail: Address.nullable().optional().describe('The From address; not an address: 422'),
    replyTo: Address.nullable().optional().describe('The Reply-To address; not an address: 422'),
    sections: z.array(Slug).max(50).optional(),
    tags: z.array(Slug).max(50).optional(),
    subscribeOnSignup: z.boolean().optional(),
    audience: Audience.optional(),
    position: z.number().int().min(0).max(10_000).optional().describe('Display order (default: after the last one)'),
  })
  .meta({ id: 'NewsletterCreate' });
export type NewsletterCreate = z.infer<typeof NewsletterCreate>;

export const NewsletterUpdate = NewsletterCreate.partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'NewsletterUpdate' });
export type NewsletterUpdate = z.infer<typeof NewsletterUpdate>;

export const NewsletterParams = z.strictObject({ slug: z.string().max(200).describe('Newsletter slug') });
export const AdminNewsletterQuery = z.strictObject({
  status: z.enum(['active', 'archived', 'all']).default('all').describe('Which newsletters (default all)'),
});
