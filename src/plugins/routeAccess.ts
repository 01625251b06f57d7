import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { hasScope, type Identity } from '../access/identity.js';
import { HttpError } from '../lib/httpError.js';

/**
 * Who may call a route, declared once on it as `config: { access }`:
 * - `public`: anyone, anonymous included (what a caller sees may still depend on who asks);
 * - `admin`: an API key with the `admin` scope;
 * - `syndication`: an API key with the `syndication` scope (partners), or an admin key;
 * - `subscriber`: a subscriber session (`nds_…`); API keys have no "me".
 * The guard (a preHandler, so invalid input is still a 400 first) and the OpenAPI `security` of
 * the route both come from it; a route that declares nothing stops the app from starting.
 */
export const ROUTE_ACCESS = ['public', 'admin', 'syndication', 'subscriber'] as const;
export type RouteAccess = (typeof ROUTE_ACCESS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (src/plugins/routeAccess.ts). Required on every API route. */
    access?: RouteAccess;
  }
}

type Guard = (request: FastifyRequest) => Promise<void>;

/** An API key carrying one of `scopes` passes; anonymous callers are told to authenticate (401). */
function scopeGuard(scopes: string[], label: string): Guard {
  return async (request) => {
    const identity: Identity = request.identity;
    if (identity.kind === 'anonymous') {
      throw new HttpError(401, `This operation needs an API key with the ${label} scope`, { headers: { 'www-authenticate': 'Bearer' } });
    }
    if (!scopes.some((scope) => hasScope(identity, scope))) {
      throw new HttpError(403, `This operation needs the ${label} scope, which these credentials lack`);
    }
  };
}

const requireSubscriber: Guard = async (request) => {
  if (request.identity.kind === 'anonymous') {
    throw new HttpError(401, 'Sign in first: send the subscriber session token as "Authorization: Bearer nds_…"', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (request.identity.kind !== 'subscriber') throw new HttpError(403, 'This endpoint is for subscriber sessions, not API keys');
};

const GUARDS: Record<RouteAccess, Guard | null> = {
  public: null,
  admin: scopeGuard(['admin'], '"admin"'),
  syndication: scopeGuard(['syndication', 'admin'], '"syndication" (or "admin")'),
  subscriber: requireSubscriber,
};

/** The scheme declared in src/plugins/openapi.ts: every credential is a bearer token. */
const BEARER = [{ bearerAuth: [] }];

export interface RouteAccessOptions {
  /** Routes under these prefixes are not the API's own (the docs UI's pages and assets). */
  exemptPrefixes?: string[];
}

/**
 * Installs each route's guard and OpenAPI security from its `config.access`. Registered right
 * after the auth plugin, so it sees every route registered later: each must declare its access,
 * and none may write `security` by hand (it would be a second declaration that can drift).
 */
export default fp<RouteAccessOptions>(async function routeAccessPlugin(app: FastifyInstance, options) {
  const exempt = options.exemptPrefixes ?? [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (exempt.some((prefix) => route.url === prefix || route.url.startsWith(`${prefix}/`))) return;
    const where = `${([] as string[]).concat(route.method).join(',')} ${route.url}`;
    const access = route.config?.access;
    if (access === undefined || !ROUTE_ACCESS.includes(access)) {
      throw new Error(`${where} declares no access: add config: { access: ${ROUTE_ACCESS.map((a) => `'${a}'`).join(' | ')} }`);
    }
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema?.security !== undefined) {
      throw new Error(`${where} writes its OpenAPI security by hand: config.access (${access}) declares it`);
    }
    const guard = GUARDS[access];
    if (!guard) return;
    // A new schema object: fastify shares the original one with the HEAD route it adds for a GET.
    route.schema = { ...schema, security: BEARER };
    route.preHandler = [guard, ...([] as NonNullable<RouteOptions['preHandler']>[]).concat(route.preHandler ?? []).flat()];
  });
}, { name: 'route-access', dependencies: ['auth'] });
