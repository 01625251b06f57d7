import { z } from 'zod';
import { IsoDateTime, oneLine } from '../../schemas/common.js';

/** A newsletter, by slug (GET /v1/newsletters lists the ones a subscriber can choose). */
export const NewsletterSlug = z.string().min(1).max(120).describe('Slug of a newsletter (GET /v1/newsletters); an unknown or archived one is a 400');
/** The newsletters a subscriber chooses: exactly these (an empty list: none). */
const NewsletterChoice = z
  .array(NewsletterSlug)
  .max(100)
  .describe('Slugs of the newsletters to get (GET /v1/newsletters); an unknown or archived slug is a 400 and changes nothing');

/**
 * Any string: the service normalises it and answers 422 for anything that is not an address —
 * empty, malformed or longer than an address can be (254 characters) alike. No schema maximum, so
 * that a 10,000-character address is a 422 like any other invalid one (and is counted by the rate
 * limiters); the request body itself is bounded (AUTH_BODY_LIMIT_BYTES: 413 above).
 */
const EmailInput = z
  .string()
  .describe('Email address (normalised: trimmed, lower-cased). Not an address — empty, malformed, over 254 characters: 422');
const TokenInput = z.string().min(1).max(200).describe('The one-time token from the mail (`ndm_…`)');

export const SignUp = z
  .strictObject({
    email: EmailInput,
    plan: z.string().min(1).max(120).optional().describe('Slug of the plan to start on (default: the free plan). A paid plan waits for payment after confirmation.'),
    name: oneLine(200).optional(),
    newsletters: NewsletterChoice.optional().describe('Slugs of the newsletters to get (GET /v1/newsletters). Omitted: the ones marked for new sign-ups. An unknown or archived slug is a 400 and changes nothing'),
  })
  .meta({ id: 'SignUp' });

export const MagicLinkRequest = z.strictObject({ email: EmailInput }).meta({ id: 'MagicLinkRequest' });
export const TokenExchange = z.strictObject({ token: TokenInput }).meta({ id: 'TokenExchange' });

export const Accepted = z
  .object({ status: z.literal('accepted'), message: z.string() })
  .meta({ id: 'Accepted', description: 'The same answer whatever the address: nobody learns who subscribes' });

export const MePlan = z.object({
  slug: z.string(),
  name: z.string(),
  price: z.number().int().describe('Minor units (cents)'),
  currency: z.string(),
  interval: z.enum(['month', 'year', 'none']),
});

export const MeSubscription = z.object({
  plan: z.string().describe('Slug of the subscribed plan (may differ from `plan` while awaiting payment or after it ended)'),
  status: z.enum(['active', 'pending_payment', 'past_due', 'cancelled']),
  source: z.enum(['free', 'stripe', 'admin']).describe('Who manages it: the free tier, the payment provider, or an editor by hand'),
  startedAt: IsoDateTime,
  currentPeriodEnd: IsoDateTime.nullable(),
  renewsAt: IsoDateTime.nullable().describe('Next renewal; null when it will not renew'),
  cancelAtPeriodEnd: z.boolean(),
});

export const MeterState = z
  .object({
    limit: z.number().int().describe('Gated articles a month (METER_FREE_ARTICLES)'),
    remaining: z.number().int(),
    used: z.number().int(),
    period: z.string().describe('Calendar month, YYYY-MM (UTC)'),
    resetsAt: IsoDateTime,
  })
  .meta({ id: 'MeterState', description: 'What is left of the monthly allowance of gated articles' });

export const Me = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string().nullable(),
    newsletters: z.array(z.string()).describe('Slugs of the newsletters the subscriber gets'),
    status: z.enum(['pending', 'active', 'cancelled', 'erased']),
    createdAt: IsoDateTime,
    confirmedAt: IsoDateTime.nullable(),
    plan: MePlan.describe('The plan whose entitlements apply now'),
    subscription: MeSubscription.nullable(),
    entitlements: z.object({
      levels: z.array(z.enum(['registered', 'subscribers'])),
      archive: z.boolean(),
      sections: z.array(z.string()).nullable(),
    }),
    meter: MeterState.nullable().describe('Null when the plan has no meter'),
  })
  .meta({ id: 'Me', description: 'The signed-in subscriber' });
export type Me = z.infer<typeof Me>;

export const MeUpdate = z
  .strictObject({
    name: oneLine(200).nullable().optional(),
    newsletters: NewsletterChoice.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'MeUpdate' });

export const Session = z
  .object({
    token: z.string().describe('Bearer token (`nds_…`); send it as `Authorization: Bearer <token>`. Shown once.'),
    tokenType: z.literal('Bearer'),
    expiresAt: IsoDateTime,
    subscriber: Me,
  })
  .meta({ id: 'Session', description: 'A new subscriber session' });

export const AccountLinkQuery = z.strictObject({
  token: TokenInput,
});

export const AccountLink = z
  .object({
    action: z.enum(['confirm', 'sign_in']),
    message: z.string(),
    method: z.literal('POST'),
    url: z.string().describe('Where to POST the token'),
    body: z.object({ token: z.string() }),
    curl: z.string().describe('The same request as a curl command'),
  })
  .meta({
    id: 'AccountLink',
    description: 'What to do with the token of a mail link: POST it. Opening the link uses nothing up.',
  });
