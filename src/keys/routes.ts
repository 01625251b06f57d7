import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../lib/httpError.js';
import { problemResponses } from '../schemas/problem.js';
import type { LicenceTerms } from './licences.js';
import { API_KEY_PREFIX } from './tokens.js';
import {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeyList,
  FeedTokenCreated,
  FeedTokenList,
  FeedTokenParams,
  KeyListQuery,
  KeyParams,
  Licence,
  LicenceInput,
} from './schemas.js';
import type { KeyInfo } from './service.js';

const tags = ['API keys'];

/** Admin endpoints for API keys, partner licences and feed tokens. */
export const keysRoutes: FastifyPluginAsyncZod = async (app) => {
  const keys = app.keys;
  // `Authorization: Bearer ndk_…` acts as the key: its scopes, its partner licence, its rate limit.
  app.addTokenResolver(API_KEY_PREFIX, (token) => keys.identify(token));
  const view = (key: KeyInfo, licence: LicenceTerms | null): z.infer<typeof ApiKey> => ({ ...key, licence });
  const load = async (id: string) => {
    const key = await keys.get(id);
    if (!key) throw notFound(`API key "${id}"`);
    return view(key, await keys.licences.get(id));
  };

  app.get('/v1/admin/keys', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List API keys',
      description: 'Admin only. Every key with its scopes and partner licence, newest first (a deployment has few keys, so the list is not paged).',
      querystring: KeyListQuery,
      response: { 200: ApiKeyList, ...problemResponses(400, 401, 403) },
    },
  }, async (request) => {
    let all = await keys.list();
    if (request.query.revoked) all = all.filter((k) => (k.revokedAt !== null) === (request.query.revoked === 'true'));
    const licences = await keys.licences.getMany(all.map((k) => k.id));
    return { data: all.map((k) => view(k, licences.get(k.id) ?? null)), meta: { nextCursor: null, total: all.length } };
  });

  app.post('/v1/admin/keys', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create an API key',
      description:
        'Admin only. A partner key has the `syndication` scope and a licence: the sections it may take in full ' +
        '(null = all), whether it gets the full text of gated articles, usage terms echoed into every payload it ' +
        'receives, and its own rate limit. The token is in the response only this once.',
      body: ApiKeyCreate,
      response: { 201: ApiKeyCreated, ...problemResponses(400, 401, 403, 415, 422) },
    },
  }, async (request, reply) => {
    const { token, key, licence } = await keys.create(request.body);
    reply.header('location', `/v1/admin/keys/${key.id}`);
    return reply.code(201).send({ token, key: view(key, licence) });
  });

  app.get('/v1/admin/keys/:id', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Get an API key', description: 'Admin only. Name, scopes, licence, creation, last use and revocation of one key; the secret is never shown again.', params: KeyParams, response: { 200: ApiKey, ...problemResponses(401, 403, 404) } },
  }, async (request) => load(request.params.id));

  app.delete('/v1/admin/keys/:id', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Revoke an API key',
      description: 'Admin only. The key and its feed tokens stop working at once (401). The record stays for the audit trail.',
      params: KeyParams,
      response: { 204: z.undefined().describe('Revoked'), ...problemResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    if (!(await keys.revoke(request.params.id))) throw notFound(`API key "${request.params.id}"`);
    return reply.code(204).send();
  });

  app.put('/v1/admin/keys/:id/licence', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Set the licence of a partner key',
      description:
        'Admin only. Replaces the whole licence, as PUT does. `sections` is required (a list of section slugs, or null for ' +
        'every section): a body without it is 400, so a grant of every section is always said. Any other field left out ' +
        'takes its default, not its previous value (`fullText` → false; `usageTerms` and `rateLimit` → null, cleared). ' +
        'To change one term, GET the key and send its licence back with that term changed. Takes effect on the key\'s next request.',
      params: KeyParams,
      body: LicenceInput,
      response: { 200: Licence, ...problemResponses(400, 401, 403, 404, 415, 422) },
    },
  }, async (request) => (await keys.licences.set(request.params.id, request.body))!);

  app.delete('/v1/admin/keys/:id/licence', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Remove the licence of a partner key',
      description: 'Admin only. The key then reads as an anonymous reader.',
      params: KeyParams,
      response: { 204: z.undefined().describe('Removed'), ...problemResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    await keys.licences.set(request.params.id, null);
    return reply.code(204).send();
  });

  app.get('/v1/admin/keys/:id/feed-tokens', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'List the feed tokens of a key',
      description: 'Admin only. The feed tokens issued for this key (their secrets are never shown again).',
      params: KeyParams,
      response: { 200: FeedTokenList, ...problemResponses(401, 403, 404) },
    },
  }, async (request) => {
    const data = await keys.licences.listFeedTokens(request.params.id);
    return { data, meta: { nextCursor: null, total: data.length } };
  });

  app.post('/v1/admin/keys/:id/feed-tokens', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Issue a feed token',
      description:
        'Admin only, for `syndication` keys. Feed readers that cannot send headers append it to feed URLs as ' +
        '`?token=ndf_…`; it works on /v1/feeds/* only, reads with the key\'s licence, is never logged, and can be ' +
        'revoked on its own. Shown only this once.',
      params: KeyParams,
      response: { 201: FeedTokenCreated, ...problemResponses(401, 403, 404, 409, 422) },
    },
  }, async (request, reply) => reply.code(201).send(await keys.licences.createFeedToken(request.params.id)));

  app.delete('/v1/admin/keys/:id/feed-tokens/:tokenId', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Revoke a feed token',
      description: 'Admin only. The token stops working at once; feeds fetched with it answer 401.',
      params: FeedTokenParams,
      response: { 204: z.undefined().describe('Revoked'), ...problemResponses(401, 403, 404) },
    },
  }, async (request, reply) => {
    await keys.licences.revokeFeedToken(request.params.id, request.params.tokenId);
    return reply.code(204).send();
  });
};
