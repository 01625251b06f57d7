import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ANONYMOUS, type Identity } from '../access/identity.js';
import { HttpError } from '../lib/httpError.js';
import { hashSecret, secretMatches } from '../lib/secrets.js';

/**
 * Resolves `Authorization: Bearer <token>` into an Identity before any handler runs.
 * Features add resolvers for their own token kinds (API keys, subscriber sessions),
 * each claiming tokens by prefix. A token nobody accepts is a 401, on every route. Who may call a
 * route is its own declaration (`config.access`, src/plugins/routeAccess.ts).
 */
export type TokenResolver = (token: string, request: FastifyRequest) => Promise<Identity | null>;

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
  }
  interface FastifyInstance {
    addTokenResolver(prefix: string, resolver: TokenResolver): void;
  }
}

const unauthorized = (detail: string) =>
  new HttpError(401, detail, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });

export default fp(async function authPlugin(app: FastifyInstance) {
  const resolvers: { prefix: string; resolve: TokenResolver }[] = [];

  app.decorate('addTokenResolver', (prefix: string, resolve: TokenResolver) => {
    resolvers.push({ prefix, resolve });
  });

  // A deployment may fix an admin key in NEWSDESK_ADMIN_KEY instead of creating one with the CLI.
  const envKeyHash = app.config.NEWSDESK_ADMIN_KEY ? hashSecret(app.config.NEWSDESK_ADMIN_KEY) : null;
  const envAdmin: Identity = { kind: 'apiKey', keyId: 'env', name: 'NEWSDESK_ADMIN_KEY', scopes: ['admin'] };

  app.decorateRequest('identity', undefined as unknown as never);

  async function identify(header: string, request: FastifyRequest): Promise<Identity> {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <token>"');
    const token = match[1];
    if (envKeyHash && secretMatches(token, envKeyHash)) return envAdmin;
    const owner = resolvers.find((r) => token.startsWith(r.prefix));
    const identity = owner ? await owner.resolve(token, request) : null;
    if (!identity) throw unauthorized('The bearer token is unknown, expired or revoked');
    return identity;
  }

  // Callback style: an anonymous request (most reads) costs no promise.
  app.addHook('onRequest', (request, _reply, done) => {
    request.identity = ANONYMOUS;
    const header = request.headers.authorization;
    if (header === undefined) return done();
    identify(header, request).then((identity) => {
      request.identity = identity;
      done();
    }, done);
  });
}, { name: 'auth' });
