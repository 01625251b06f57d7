import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../lib/httpError.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The helmet headers every response carries (for the few paths no hook runs on). */
    securityHeaders: Record<string, string>;
  }
}

/** Security headers, CORS and per-client rate limiting. */
export default fp(async function securityPlugin(app: FastifyInstance) {
  const config = app.config;

  // Helmet's headers do not depend on the request: helmet computes them once, here, and every
  // response gets the same set (@fastify/helmet would run helmet's middleware chain per request).
  const securityHeaders = helmetHeaders({
    // The API serves JSON; the docs page needs its own scripts and styles.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  app.decorate('securityHeaders', securityHeaders);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });

  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: ['ETag', 'Link', 'Location', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
    maxAge: 86400,
  });

  if (config.RATE_LIMIT_MAX > 0) {
    await app.register(rateLimit, {
      // Per API key (its licence may set its own limit; RATE_LIMIT_KEY_MAX otherwise), per client IP
      // for everyone else. The limiter runs as a route-level hook, after the auth plugin has
      // resolved request.identity (a feed token included), so a key's bucket is keyed by its id.
      keyGenerator: (request) => {
        const identity = request.identity;
        return identity?.kind === 'apiKey' ? `key:${identity.keyId}` : `ip:${request.ip}`;
      },
      max: (request) => {
        const identity = request.identity;
        if (identity?.kind === 'apiKey') return identity.rateLimit ?? config.RATE_LIMIT_KEY_MAX;
        return config.RATE_LIMIT_MAX;
      },
      timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      // Draft-standard RateLimit-* headers rather than X-RateLimit-*.
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) =>
        new HttpError(429, `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`, {
          headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
        }),
    });
  }
});

/** The headers helmet sets, collected from one run of its middleware against a stand-in response. */
export function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number) => void (headers[name] = String(value)),
    removeHeader: (name: string) => void delete headers[name],
  };
  let failure: unknown;
  helmet(options)({} as never, res as never, (err?: unknown) => void (failure = err));
  if (failure) throw failure;
  return headers;
}
