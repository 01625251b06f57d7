import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../lib/httpError.js';
import { accountsRoutes, type AuthLimits } from './accounts/routes.js';
import { createAccountsService, type AccountsService } from './accounts/service.js';
import { adminRoutes } from './admin/routes.js';
import { createAdminService } from './admin/service.js';
import { normaliseEmail } from './email.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { paymentsRoutes } from './payments/routes.js';
import { createPaymentsService } from './payments/service.js';
import { plansRoutes } from './plans/routes.js';
import { createPlansService, type PlansService } from './plans/service.js';
import { SESSION_TOKEN_PREFIX } from './tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The subscriptions feature: accounts (sessions, meter), plans and the mailer. */
    subscriptions: { accounts: AccountsService; plans: PlansService; mailer: Mailer };
  }
}

/**
 * Subscription access: plans, sign-up and passwordless sign-in, subscriber sessions
 * (`nds_…` bearer tokens resolved into identities with entitlements), the meter, mail,
 * Stripe webhooks and the admin side. Registered by app.ts with fastify-plugin semantics for
 * the decorations it adds at the root (the token resolver, access extensions), while its routes
 * live in their own scope.
 */
export async function registerSubscriptions(app: FastifyInstance): Promise<void> {
  const { config } = app;
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, db: app.db, clock: app.clock, log: app.log });
  const plans = createPlansService(app.db, app.clock);
  const accounts = createAccountsService({ db: app.db, clock: app.clock, config, mailer });
  const admin = createAdminService({ db: app.db, clock: app.clock, config, accounts });
  const payments = createPaymentsService({
    repo: accounts.repo,
    clock: app.clock,
    secret: config.STRIPE_WEBHOOK_SECRET,
    toleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  });

  app.decorate('subscriptions', { accounts, plans, mailer });
  app.addTokenResolver(SESSION_TOKEN_PREFIX, (token) => accounts.resolveSession(token));
  app.accessExtensions.plansFor = (level, archive) => plans.plansFor(level, archive);
  app.accessExtensions.recordMeteredRead = (identity, articleId) => accounts.recordMeteredRead(identity, articleId);
  app.addHook('onClose', async () => mailer.close());

  await app.register(async (scope) => {
    const limits = await authLimits(scope);
    await scope.register(plansRoutes(plans));
    await scope.register(accountsRoutes(accounts, limits));
    await scope.register(adminRoutes(admin));
    await scope.register(paymentsRoutes(payments));
  });
}

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
