import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessExtensions } from '../access/extensions.js';
import { HttpError } from '../lib/httpError.js';
import { createAccountsRepository } from './accounts/repository.js';
import { accountsRoutes, type AuthLimits } from './accounts/routes.js';
import { createAccountsService, type AccountsService } from './accounts/service.js';
import { adminRoutes } from './admin/routes.js';
import { createAdminService, type AdminService } from './admin/service.js';
import { normaliseEmail } from './email.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { createOutboxRepository } from './mail/repository.js';
import { createPaymentsRepository } from './payments/repository.js';
import { paymentsRoutes } from './payments/routes.js';
import { createPaymentsService } from './payments/service.js';
import { createPlansRepository } from './plans/repository.js';
import { plansRoutes } from './plans/routes.js';
import { createPlansService, type PlansService } from './plans/service.js';
import { SESSION_TOKEN_PREFIX } from './tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The subscriptions feature: accounts (sessions, meter), plans, the admin side and the mailer. */
    subscriptions: { accounts: AccountsService; plans: PlansService; admin: AdminService; mailer: Mailer };
    /**
     * What the access policy's callers ask the subscriptions feature: plans for paywalls, the
     * metered-read check. Decorated by the subscriptions plugin; features that show articles
     * declare the dependency 'subscriptions'.
     */
    accessExtensions: AccessExtensions;
  }
}

export interface SubscriptionsPluginOptions {
  /** Stands in for the plans and the meter where articles are shown (tests pass a fake). */
  accessExtensions?: AccessExtensions;
}

/**
 * Subscription access: plans, sign-up and passwordless sign-in, subscriber sessions
 * (`nds_…` bearer tokens resolved into identities with entitlements), the meter, mail,
 * Stripe webhooks and the admin side. Repositories and services are built once, here; the
 * decorations (services, the token resolver, access extensions) reach the root, while the
 * routes live in their own scope.
 */
export default fp(async function subscriptionsPlugin(app: FastifyInstance, options: SubscriptionsPluginOptions) {
  const { config, clock } = app;
  const repo = createAccountsRepository(app.db);
  const outbox = createOutboxRepository(app.db);
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, outbox, clock, log: app.log });
  const plans = createPlansService({ repo: createPlansRepository(app.db), clock });
  const accounts = createAccountsService({ repo, clock, config, mailer });
  const admin = createAdminService({ repo, outbox, clock, config, accounts });
  const payments = createPaymentsService({
    repo: createPaymentsRepository(app.db),
    clock,
    secret: config.STRIPE_WEBHOOK_SECRET,
    toleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  });

  app.decorate('subscriptions', { accounts, plans, admin, mailer });
  app.decorate(
    'accessExtensions',
    options.accessExtensions ?? {
      plansFor: (level, archive) => plans.plansFor(level, archive),
      recordMeteredRead: (identity, articleId) => accounts.recordMeteredRead(identity, articleId),
    },
  );
  app.addTokenResolver(SESSION_TOKEN_PREFIX, (token) => accounts.resolveSession(token));
  app.addHook('onClose', async () => mailer.close());

  await app.register(async (scope) => {
    const limits = await authLimits(scope);
    await scope.register(plansRoutes(plans));
    await scope.register(accountsRoutes(accounts, limits));
    await scope.register(adminRoutes(admin));
    await scope.register(paymentsRoutes(payments));
  });
}, { name: 'subscriptions' });

/**
 * Sign-up and sign-in limits with @fastify/rate-limit: per client IP and per email address,
 * each with its own counter, in a window of AUTH_LIMIT_WINDOW_MINUTES. 0 turns a limit off.
 */
async function authLimits(scope: FastifyInstance): Promise<AuthLimits> {
  const { config } = scope;
  if (!scope.hasDecorator('createRateLimit')) await scope.register(rateLimit, { global: false });
  const timeWindow = config.AUTH_LIMIT_WINDOW_MINUTES * 60_000;

  const emailKey = (request: FastifyRequest): string => {
    const raw = (request.body as { email?: unknown } | undefined)?.email;
    const text = typeof raw === 'string' ? raw : '';
    const email = normaliseEmail(text) ?? text.trim().toLowerCase();
    return createHash('sha256').update(email).digest('base64url');
  };

  const limiter = (name: string, max: number, key: (request: FastifyRequest) => string) =>
    max > 0 ? scope.createRateLimit({ max, timeWindow, keyGenerator: (request) => `${name}:${key(request)}` }) : null;

  const check = (...limiters: (ReturnType<typeof limiter>)[]) => async (request: FastifyRequest) => {
    for (const l of limiters) {
      if (!l) continue;
      const result = await l(request);
      if (!result.isAllowed && result.isExceeded) {
        throw new HttpError(429, `Too many attempts; try again in ${result.ttlInSeconds} s`, {
          headers: { 'retry-after': String(result.ttlInSeconds) },
        });
      }
    }
  };

  const signUpIp = limiter('signup-ip', config.SIGNUP_LIMIT_PER_IP, (r) => r.ip);
  const signInIp = limiter('signin-ip', config.SIGNIN_LIMIT_PER_IP, (r) => r.ip);
  const exchangeIp = limiter('exchange-ip', config.SIGNIN_LIMIT_PER_IP, (r) => r.ip);
  const signUpEmail = limiter('signup-email', config.AUTH_LIMIT_PER_EMAIL, emailKey);
  const signInEmail = limiter('signin-email', config.AUTH_LIMIT_PER_EMAIL, emailKey);
  return {
    signUp: check(signUpIp, signUpEmail),
    signIn: check(signInIp, signInEmail),
    exchange: check(exchangeIp),
  };
}
