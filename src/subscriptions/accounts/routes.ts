import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../../lib/httpError.js';
import { problemResponses } from '../../schemas/problem.js';
import { MAIL_TOKEN_PREFIX, parseToken } from '../tokens.js';
import { Accepted, AccountLink, AccountLinkQuery, MagicLinkRequest, Me, MeUpdate, Session, SignUp, TokenExchange } from './schemas.js';
import type { AccountsService } from './service.js';

function subscriberId(request: FastifyRequest): number {
  if (request.identity.kind !== 'subscriber') throw new HttpError(401, 'Sign in first');
  return request.identity.subscriberId;
}

/**
 * The largest body the public sign-up, sign-in and token routes accept (413 above): room for a
 * 10,000-character address in any script, which is then a 422, not for unbounded input.
 */
export const AUTH_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Rate limits run as preValidation hooks: after the body is parsed (so they can key on its email),
 * before it is validated, so that every attempt counts, invalid ones included.
 */
export interface AuthLimits {
  signUp: (request: FastifyRequest) => Promise<void>;
  signIn: (request: FastifyRequest) => Promise<void>;
  exchange: (request: FastifyRequest) => Promise<void>;
}

export function accountsRoutes(accounts: AccountsService, limits: AuthLimits): FastifyPluginAsyncZod {
  return async (app) => {
    // Never above the operator's BODY_LIMIT_BYTES.
    const bodyLimit = Math.min(app.config.BODY_LIMIT_BYTES, AUTH_BODY_LIMIT_BYTES);
    app.post('/v1/subscribers', {
      config: { access: 'public' },
      preValidation: limits.signUp,
      bodyLimit,
      schema: {
        tags: ['Subscriptions'],
        summary: 'Sign up',
        description:
          'Public. Creates a pending subscriber and mails a one-time confirmation link (`ndm_…` token) valid for TOKEN_TTL_MINUTES. ' +
          'The answer is the same 202 whether the address is new, pending or already subscribed (an existing subscriber gets a sign-in link instead), ' +
          'so nobody can learn who subscribes. A second request within a minute sends no second mail. ' +
          'An invalid address (empty, malformed, longer than 254 characters) is a 422; an unknown or retired `plan` is a 422. ' +
          'Bodies over 64 KiB are 413. Rate-limited per IP and per address (429); every attempt counts, invalid ones included.',
        body: SignUp,
        response: { 202: Accepted, ...problemResponses(400, 413, 415, 422, 429) },
      },
    }, async (request, reply) => reply.code(202).send(await accounts.signUp(request.body)));

    app.post('/v1/subscribers/confirm', {
      config: { access: 'public' },
      preValidation: limits.exchange,
      bodyLimit,
      schema: {
        tags: ['Subscriptions'],
        summary: 'Confirm a sign-up',
        description:
          'Public. Redeems the confirmation token from the sign-up mail: the subscriber becomes active on the free plan ' +
          '(or on the chosen paid plan, awaiting payment) and is signed in — the answer carries a session token. ' +
          'Tokens work once; an expired, used, forged or truncated token is a 400.',
        body: TokenExchange,
        response: { 200: Session, ...problemResponses(400, 413, 415, 429) },
      },
    }, async (request) => accounts.confirm(request.body.token));

    app.post('/v1/auth/magic-link', {
      config: { access: 'public' },
      preValidation: limits.signIn,
      bodyLimit,
      schema: {
        tags: ['Auth'],
        summary: 'Request a sign-in link',
        description:
          'Public. Mails a one-time sign-in token to the address if it subscribes. Always 202, whether or not it does. ' +
          'An invalid address is a 422; bodies over 64 KiB are 413. Rate-limited per IP and per address (429); every ' +
          'attempt counts, invalid ones included.',
        body: MagicLinkRequest,
        response: { 202: Accepted, ...problemResponses(400, 413, 415, 422, 429) },
      },
    }, async (request, reply) => reply.code(202).send(await accounts.requestMagicLink(request.body)));

    app.post('/v1/auth/session', {
      config: { access: 'public' },
      preValidation: limits.exchange,
      bodyLimit,
      schema: {
        tags: ['Auth'],
        summary: 'Sign in with a token',
        description:
          'Public. Exchanges the one-time sign-in token from the mail for a bearer session token (`nds_…`, valid SESSION_TTL_DAYS, ' +
          'stored only as a hash). Send it as `Authorization: Bearer <token>`. An expired, used, forged or truncated token is a 400.',
        body: TokenExchange,
        response: { 201: Session, ...problemResponses(400, 413, 415, 429) },
      },
    }, async (request, reply) => reply.code(201).send(await accounts.createSession(request.body.token)));

    // Where the mail links point while ACCOUNT_URL is not set (no frontend yet): <ACCOUNT_URL>/confirm
    // and /sign-in default to these. A GET must not use the one-time token up (mail scanners and
    // link previews open links before the reader does), so they say what to POST, nothing more.
    const api = app.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    const landing = (path: string, action: 'confirm' | 'sign_in', endpoint: string, what: string) =>
      app.get(path, {
        config: { access: 'public' },
        schema: {
          tags: ['Auth'],
          summary: `Mail link: ${what}`,
          description:
            `Where the ${what} link of a mail points while ACCOUNT_URL is not set (a frontend's page would take its place). ` +
            `Opening it changes nothing — the token is not used, since mail scanners open links too: the answer says to POST ` +
            `the token to ${endpoint}, with the curl command. A malformed token is a 400. Never cached.`,
          querystring: AccountLinkQuery,
          response: { 200: AccountLink, ...problemResponses(400) },
        },
      }, async (request, reply) => {
        const token = request.query.token.trim();
        if (!parseToken(MAIL_TOKEN_PREFIX, token)) {
          throw new HttpError(400, 'The token is not valid: request a new link', {
            type: 'https://newsdesk.dev/problems/invalid-token',
            errors: [{ pointer: '/query/token', detail: 'is not a token from a Newsdesk mail' }],
          });
        }
        reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer');
        const url = `${api}${endpoint}`;
        return {
          action,
          message:
            `To ${what}, POST this token to ${url} (a frontend does it for the reader; set ACCOUNT_URL to its page). ` +
            'Opening this link did not use the token: it works once, until it expires.',
          method: 'POST' as const,
          url,
          body: { token },
          curl: `curl -X POST ${url} -H 'Content-Type: application/json' -d '{"token":"${token}"}'`,
        };
      });
    landing('/v1/account/confirm', 'confirm', '/v1/subscribers/confirm', 'confirm your subscription');
    landing('/v1/account/sign-in', 'sign_in', '/v1/auth/session', 'sign in');

    app.delete('/v1/auth/session', {
      config: { access: 'subscriber' },
      schema: {
        tags: ['Auth'],
        summary: 'Sign out',
        description: 'Revokes the session whose token authenticates this request. The token is a 401 from then on.',
        response: { 204: z.undefined().describe('Signed out'), ...problemResponses(401, 403) },
      },
    }, async (request, reply) => {
      if (request.identity.kind === 'subscriber') await accounts.signOut(request.identity.sessionId);
      return reply.code(204).send();
    });

    app.get('/v1/me', {
      config: { access: 'subscriber' },
      schema: {
        tags: ['Me'],
        summary: 'The signed-in subscriber',
        description: 'Plan, subscription status and renewal date, entitlements, and what is left of the monthly meter. Always `private, no-store`.',
        response: { 200: Me, ...problemResponses(401, 403) },
      },
    }, async (request) => accounts.me(subscriberId(request)));

    app.patch('/v1/me', {
      config: { access: 'subscriber' },
      schema: {
        tags: ['Me'],
        summary: 'Update my profile',
        description: 'Name and newsletter preferences.',
        body: MeUpdate,
        response: { 200: Me, ...problemResponses(400, 401, 403, 415) },
      },
    }, async (request) => accounts.updateMe(subscriberId(request), request.body));

    app.post('/v1/me/cancel', {
      config: { access: 'subscriber' },
      schema: {
        tags: ['Me'],
        summary: 'Cancel my subscription',
        description:
          'A paid subscription billed by the payment provider runs to the end of the paid period (`cancelAtPeriodEnd`); one awaiting payment ' +
          'or granted by hand ends now, back to the free plan. On the free plan this closes the membership: every session is signed out ' +
          '(the token is a 401 afterwards); signing up again reopens it.',
        response: {
          200: z.object({ outcome: z.enum(['ends_at_period_end', 'ended', 'membership_closed']), subscriber: Me }).meta({ id: 'Cancellation' }),
          ...problemResponses(401, 403, 409),
        },
      },
    }, async (request) => {
      const { outcome, me } = await accounts.cancel(subscriberId(request));
      return { outcome, subscriber: me };
    });

    app.delete('/v1/me', {
      config: { access: 'subscriber' },
      schema: {
        tags: ['Me'],
        summary: 'Erase my personal data',
        description:
          'Removes the email address, name, preferences, sessions, sign-in tokens, reading history and mails; ' +
          'an anonymous record remains for accounting. Every session is a 401 afterwards. Cancel a paid subscription with the provider too.',
        response: { 204: z.undefined().describe('Erased'), ...problemResponses(401, 403) },
      },
    }, async (request, reply) => {
      await accounts.erase(subscriberId(request));
      return reply.code(204).send();
    });
  };
}
