import { z } from 'zod';
import { IsoDateTime, MULTI_LINE, MULTI_LINE_MESSAGE, Slug, oneLine } from '../schemas/common.js';
import { SCOPES } from './service.js';

/** A partner licence as sent by an admin. */
export const LicenceInput = z
  .strictObject({
    sections: z
      .array(Slug)
      .max(500)
      .nullable()
      .describe('Section slugs the key may take in full; null = every section. Required: a grant of every section is said, never implied by leaving it out'),
    fullText: z.boolean().default(false).describe('Whether the licence includes the full text of gated articles (in its sections); omitted = false'),
    usageTerms: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .regex(MULTI_LINE, MULTI_LINE_MESSAGE)
      .nullable()
      .default(null)
      .describe('Echoed as `usageTerms` into every payload the key receives (JSON, feeds, ninjs, webhooks); null or omitted = none'),
    rateLimit: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .nullable()
      .default(null)
      .describe('Requests per rate-limit window for this key; null or omitted = the server default (RATE_LIMIT_KEY_MAX)'),
  })
  .meta({
    id: 'LicenceSet',
    description:
      'A whole partner licence as set by an admin: `sections` is required (null for every section); every other field omitted takes its default (it is not merged with a previous licence)',
  });

export const Licence = z
  .object({
    sections: z.array(z.string()).nullable(),
    fullText: z.boolean(),
    usageTerms: z.string().nullable(),
    rateLimit: z.number().int().nullable(),
  })
  .meta({ id: 'Licence', description: 'What a partner key may take: sections, full text of gated articles, usage terms, rate limit' });

export const ApiKey = z
  .object({
    id: z.string().describe('Public key id (the token starts with ndk_<id>_)'),
    name: z.string(),
    scopes: z.array(z.string()),
    licence: Licence.nullable().describe('Partner licence; null = the key reads as an anonymous reader (admin keys read everything)'),
    createdAt: IsoDateTime,
    lastUsedAt: IsoDateTime.nullable(),
    revokedAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'ApiKey', description: 'An API key (its secret is never shown again after creation)' });

export const ApiKeyCreate = z
  .strictObject({
    name: oneLine(200),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    licence: LicenceInput.nullable().optional().describe('Partner licence (only with the syndication scope)'),
  })
  .meta({ id: 'ApiKeyCreate' });

export const ApiKeyCreated = z
  .object({ token: z.string().describe('The key: shown only now, store it safely'), key: ApiKey })
  .meta({ id: 'ApiKeyCreated' });

export const ApiKeyList = z
  .object({ data: z.array(ApiKey), meta: z.object({ nextCursor: z.null(), total: z.number().int() }) })
  .meta({ id: 'ApiKeyList' });

export const FeedToken = z
  .object({
    id: z.string(),
    keyId: z.string(),
    createdAt: IsoDateTime,
    lastUsedAt: IsoDateTime.nullable(),
    revokedAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'FeedToken', description: 'A per-key token for feed URLs (`?token=`), for feed readers that cannot send headers' });

export const FeedTokenCreated = z
  .object({ token: z.string().describe('ndf_… — shown only now; append as ?token= to feed URLs'), feedToken: FeedToken })
  .meta({ id: 'FeedTokenCreated' });

export const FeedTokenList = z
  .object({ data: z.array(FeedToken), meta: z.object({ nextCursor: z.null(), total: z.number().int() }) })
  .meta({ id: 'FeedTokenList' });

export const KeyListQuery = z.strictObject({
  revoked: z.enum(['true', 'false']).optional().describe('true: only revoked keys; false: only active keys; default both'),
});
export const KeyParams = z.strictObject({ id: z.string().max(100).describe('Key id') });
export const FeedTokenParams = z.strictObject({
  id: z.string().max(100).describe('Key id'),
  tokenId: z.string().max(100).describe('Feed token id'),
});
