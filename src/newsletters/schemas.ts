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

// Sending

const DeliveryCounts = z.object({
  queued: z.number().int().describe('Waiting (or taken by the worker, not yet handed to SMTP)'),
  sending: z.number().int().describe('Handed to SMTP, answer not yet recorded'),
  sent: z.number().int(),
  failed: z.number().int().describe('Refused permanently (5xx: the address is suppressed) or out of retries'),
  suppressed: z.number().int().describe('On the suppression list (or unsubscribed since the send started): not mailed'),
  interrupted: z.number().int().describe('The process stopped while SMTP had them: maybe delivered, never sent again'),
});

export const NewsletterSend = z
  .object({
    id: z.number().int(),
    newsletter: z.string(),
    article: z.string().nullable().describe('The story\'s slug'),
    status: z.enum(['scheduled', 'sending', 'sent']).describe('scheduled: waits for the story to go live; sending: recipients queued; sent: nothing left to deliver'),
    scheduledFor: IsoDateTime,
    requestedBy: z.string().nullable(),
    recipients: z.number().int().describe('Subscribers it was addressed to when it started (suppressed ones included)'),
    audiences: z.record(z.string(), z.number().int()).describe('Recipients by what the access policy let them see: `full`, or `teaser-<reason>` (teaser and the paywall\'s call to action)'),
    progress: DeliveryCounts,
    createdAt: IsoDateTime,
    startedAt: IsoDateTime.nullable(),
    finishedAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'NewsletterSend', description: 'One story sent to one newsletter, with its audience counts and delivery progress' });
export type NewsletterSend = z.infer<typeof NewsletterSend>;

export const NewsletterSendList = z.object({ data: z.array(NewsletterSend) }).meta({ id: 'NewsletterSendList' });
export const SendCreate = z.strictObject({ article: Slug.describe('Slug of a published story') }).meta({ id: 'NewsletterSendCreate' });
export const SendParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2 ** 31).describe('Send id') });

const PreviewAudience = z.enum(['free', 'paid']).default('free').describe('free: what a reader on the free plan gets; paid: a plan that opens everything');
export const PreviewQuery = z.strictObject({ article: Slug.describe('Story slug'), audience: PreviewAudience });
export const NewsletterPreview = z
  .object({
    audience: z.string().describe('`full` or `teaser-<reason>`'),
    subject: z.string(),
    preheader: z.string(),
    headers: z.record(z.string(), z.string()).describe('List-Id, List-Unsubscribe (with a sample link), List-Unsubscribe-Post'),
    html: z.string(),
    text: z.string(),
  })
  .meta({ id: 'NewsletterPreview', description: 'The mail one audience would get' });

export const TestSend = z
  .strictObject({
    article: Slug.describe('Story slug (any status)'),
    to: z.string().max(320).describe('The one address to mail; not an address: 422'),
    audience: z.enum(['free', 'paid']).default('paid'),
  })
  .meta({ id: 'NewsletterTestSend' });
export const TestSendAccepted = z
  .object({ status: z.literal('sent'), to: z.string(), audience: z.string(), subject: z.string() })
  .meta({ id: 'NewsletterTestSendResult' });

export const UnsubscribeQuery = z.strictObject({ token: z.string().max(200).describe('The token from the mail\'s unsubscribe link (`nlu_…`)') });
export const Unsubscribed = z
  .object({ status: z.literal('unsubscribed'), newsletter: z.string(), message: z.string() })
  .meta({ id: 'Unsubscribed' });

export const Suppression = z
  .object({ email: z.string(), reason: z.enum(['bounce', 'complaint', 'manual']), detail: z.string().nullable(), createdAt: IsoDateTime })
  .meta({ id: 'MailSuppression', description: 'An address never mailed again' });
export const SuppressionList = z.object({ data: z.array(Suppression) }).meta({ id: 'MailSuppressionList' });
export const SuppressionCreate = z
  .strictObject({ email: z.string().max(320), reason: z.enum(['bounce', 'complaint', 'manual']).default('manual'), detail: multiLine(500).nullable().optional() })
  .meta({ id: 'MailSuppressionCreate' });
export const SuppressionParams = z.strictObject({ email: z.string().max(320) });
