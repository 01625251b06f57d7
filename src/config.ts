import { z } from 'zod';

/**
 * Every setting comes from an environment variable, parsed here and nowhere else.
 * A wrong value stops the server with a message that names the variable.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The entries of a comma-separated list, trimmed, empty ones dropped. */
const listOf = (s: string) => s.split(',').map((o) => o.trim()).filter(Boolean);
/** An origin as browsers send it: http(s)://host[:port], nothing after. */
const isOrigin = (o: string) => {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
  } catch {
    return false;
  }
};

/**
 * postgres://user:password@host:port/database (or postgresql://): selects PostgreSQL. Anything that
 * does not start with one of those schemes is not a PostgreSQL URL, and SQLite at DATABASE_PATH stays.
 */
const isPostgresScheme = (v: string) => /^postgres(ql)?:\/\//i.test(v.trim());
const databaseUrl = z.string().superRefine((value, ctx) => {
  if (!isPostgresScheme(value)) return;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a valid URL: expected postgres://user:password@host:5432/database' });
    return;
  }
  if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'names no host: expected postgres://user:password@host:5432/database' });
  if (url.pathname.replace(/^\//, '') === '') ctx.addIssue({ code: 'custom', message: 'names no database: expected postgres://user:password@host:5432/database' });
});

/** `*`, or origins separated by commas (at least one: "," alone is a mistake, not "no origin"). */
const corsOrigins = z
  .string()
  .superRefine((value, ctx) => {
    const v = value.trim();
    if (v === '*') return;
    const entries = listOf(v);
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be * or a comma-separated list of origins such as https://www.example.com (it lists none)' });
      return;
    }
    const bad = entries.filter((o) => !isOrigin(o));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be * or a comma-separated list of origins such as https://www.example.com; not origins: ${bad.map((o) => JSON.stringify(o)).join(', ')}`,
      });
    }
  });

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_PATH: z.string().min(1).optional(),
  DB_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  DATABASE_URL: databaseUrl.optional(),
  DATABASE_POOL_SIZE: int(1, 1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  DATABASE_CONNECT_TIMEOUT_SECONDS: int(0, 3600).default(30),
  MEDIA_DIR: z.string().min(1).optional(),
  SEED_SAMPLE_CONTENT: bool.default(true),
  NEWSDESK_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLICATION_NAME: z.string().min(1).default('The Newsdesk Chronicle'),
  CORS_ORIGINS: corsOrigins.default('*'),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  RATE_LIMIT_MAX: int(0, 1_000_000).default(600),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(60),
  CACHE_MAX_AGE_SECONDS: int(0, 31_536_000).default(60),
  CACHE_STALE_SECONDS: int(0, 31_536_000).default(300),
  // Behind a CDN: how long it may keep public answers (Surrogate-Control), and serve them stale while the origin fails.
  CDN_MAX_AGE_SECONDS: int(0, 31_536_000).default(86_400),
  CDN_STALE_IF_ERROR_SECONDS: int(0, 31_536_000).default(86_400),
  // Purge targets: Varnish URLs, fastly:<service id>, cloudflare:<zone id> (src/cdn/targets.ts), comma-separated.
  CDN_PURGE_URLS: z.string().default('').transform(listOf),
  CDN_WORKER: bool.default(true),
  CDN_POLL_MS: int(10, 600_000).default(1000),
  CDN_PURGE_TIMEOUT_MS: int(100, 120_000).default(5000),
  CDN_PURGE_MAX_ATTEMPTS: int(1, 100).default(10),
  CDN_RETRY_BASE_SECONDS: int(1, 86_400).default(5),
  CDN_RETRY_MAX_SECONDS: int(1, 604_800).default(3600),
  CDN_PURGE_RETENTION_DAYS: int(1, 3650).default(7),
  FASTLY_API_URL: z.url().default('https://api.fastly.com'),
  FASTLY_API_TOKEN: z.string().min(1).optional(),
  CLOUDFLARE_API_URL: z.url().default('https://api.cloudflare.com/client/v4'),
  CLOUDFLARE_API_TOKEN: z.string().min(1).optional(),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  // Syndication: partner keys, feeds, sitemaps, webhooks
  RATE_LIMIT_KEY_MAX: int(1, 1_000_000).default(1200),
  SYNDICATION_USAGE_TERMS: z.string().min(1).max(2000).optional(),
  FEED_ITEMS: int(1, 100).default(50),
  SITEMAP_PAGE_SIZE: int(1, 50_000).default(50_000),
  WEBHOOK_WORKER: bool.default(true),
  WEBHOOK_POLL_MS: int(10, 600_000).default(1000),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: int(1, 50).default(8),
  WEBHOOK_RETRY_BASE_SECONDS: int(1, 86_400).default(30),
  WEBHOOK_RETRY_MAX_SECONDS: int(1, 604_800).default(6 * 3600),
  WEBHOOK_CONCURRENCY: int(1, 64).default(4),
  // Off: endpoints on loopback, private, link-local (cloud metadata) addresses are refused.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
  // Articles and the access policy
  READING_WPM: int(50, 2000).default(200),
  TEASER_BLOCKS: int(1, 50).default(3),
  // Search: match callers without access by an article's full text too (reveals words past the break).
  SEARCH_FULL_TEXT_DISCOVERY: bool.default(false),
  ARCHIVE_AFTER_DAYS: int(0, 36_500).default(60),
  METER_FREE_ARTICLES: int(0, 1000).default(3),
  CACHE_ARTICLES_MB: int(0, 4096).default(32),
  // How soon a write by another process (the CLI, a second server on the same file) reaches cached reads.
  CACHE_EXTERNAL_WRITES_MS: int(0, 60_000).default(100),
  PAYWALL_MESSAGE: z
    .string()
    .min(1)
    .default('Subscribe now to keep reading and get access to the full archive.'),
  // Subscriptions: mail, sign-in, payments
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587')
    .optional(),
  MAIL_FROM: z.string().min(3).max(320).default('Newsdesk <no-reply@newsdesk.localhost>'),
  ACCOUNT_URL: z.url().optional(),
  SESSION_TTL_DAYS: int(1, 3650).default(30),
  TOKEN_TTL_MINUTES: int(1, 10_080).default(30),
  SIGNUP_LIMIT_PER_IP: int(0, 1_000_000).default(20),
  SIGNIN_LIMIT_PER_IP: int(0, 1_000_000).default(30),
  AUTH_LIMIT_PER_EMAIL: int(0, 1_000_000).default(5),
  AUTH_LIMIT_WINDOW_MINUTES: int(1, 1440).default(60),
  STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: int(1, 86_400).default(300),
  // Newsletters: delivery, unsubscribe links, DKIM
  NEWSLETTER_WORKER: bool.default(true),
  NEWSLETTER_POLL_MS: int(10, 600_000).default(1000),
  NEWSLETTER_BATCH_SIZE: int(1, 10_000).default(100),
  NEWSLETTER_RATE_PER_SECOND: int(0, 100_000).default(50),
  NEWSLETTER_SMTP_CONNECTIONS: int(1, 50).default(2),
  NEWSLETTER_MAX_ATTEMPTS: int(1, 50).default(6),
  NEWSLETTER_RETRY_BASE_SECONDS: int(1, 86_400).default(60),
  NEWSLETTER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  NEWSLETTER_SUBSCRIBE_URL: z.url().optional(),
  DKIM_DOMAIN: z.string().min(1).max(253).optional(),
  DKIM_SELECTOR: z.string().min(1).max(63).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  // Photos
  PHOTO_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  PHOTO_MAX_PIXELS: int(1, 1_000_000_000).default(100_000_000),
  // Memory for rendition bytes served from RAM instead of disk (0: always from disk).
  CACHE_RENDITIONS_MB: int(0, 4096).default(16),
  PHOTO_WIDTHS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of widths in pixels, e.g. 320,640,1280')
    .transform((s) => [...new Set(s.split(',').map((w) => Number(w.trim())))].sort((a, b) => a - b))
    .pipe(z.array(z.number().int().min(16, 'widths must be 16–8192').max(8192, 'widths must be 16–8192')).min(1).max(20))
    .default([320, 640, 960, 1280, 1920]),
  PHOTO_ASPECT_RATIOS: z
    .string()
    .regex(/^\s*\d{1,3}:\d{1,3}(\s*,\s*\d{1,3}:\d{1,3})*\s*$/, 'must be a comma-separated list of ratios, e.g. 16:9,4:3,1:1')
    .transform((s) => [...new Set(s.split(',').map((r) => r.trim()))])
    .refine((list) => list.every((r) => !r.split(':').some((n) => Number(n) === 0)), 'ratios must not contain 0')
    .default(['1:1', '4:3', '3:2', '16:9', '2:3', '4:5', '9:16']),
});

export type Env = z.infer<typeof configSchema>;

export interface Config extends Omit<Env, 'PUBLIC_BASE_URL'> {
  /** Set, or http://localhost:<PORT> when not set. */
  PUBLIC_BASE_URL: string;
  databasePath: string;
  /** Set when DATABASE_URL names PostgreSQL (postgres:// or postgresql://). */
  postgresUrl?: string;
  mediaDir: string;
  corsOrigins: string[] | '*';
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from an environment object (process.env by default). Throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "not set", as shells and .env files often produce them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'config')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  // DKIM signs with all three or not at all: half a configuration would silently send unsigned mail.
  const dkim = (['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const).filter((k) => e[k] === undefined);
  if (dkim.length > 0 && dkim.length < 3) {
    throw new ConfigError(dkim.map((k) => `${k}: must be set with the other DKIM_ settings (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY)`));
  }
  const origins = e.CORS_ORIGINS.trim();
  return {
    ...e,
    PUBLIC_BASE_URL: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databasePath: e.DATABASE_PATH ?? `${e.DATA_DIR}/newsdesk.db`,
    postgresUrl: e.DATABASE_URL && isPostgresScheme(e.DATABASE_URL) ? e.DATABASE_URL.trim() : undefined,
    mediaDir: e.MEDIA_DIR ?? `${e.DATA_DIR}/media`,
    corsOrigins: origins === '*' ? '*' : listOf(origins).map((o) => o.replace(/\/$/, '')),
  };
}

/**
 * The in-memory caches must fit in the JavaScript heap with room to spare, or a busy server would
 * run out of heap instead of evicting. `heapLimitBytes`: v8.getHeapStatistics().heap_size_limit
 * (npm start sets it from NODE_HEAP_MB). Throws ConfigError when the caches take over half of it.
 */
export function checkMemoryBudget(config: Pick<Config, 'CACHE_ARTICLES_MB' | 'CACHE_RENDITIONS_MB'>, heapLimitBytes: number): void {
  const cachesMb = config.CACHE_ARTICLES_MB + config.CACHE_RENDITIONS_MB;
  const heapMb = Math.floor(heapLimitBytes / 1024 / 1024);
  if (cachesMb * 2 > heapMb) {
    throw new ConfigError([
      `CACHE_ARTICLES_MB + CACHE_RENDITIONS_MB: ${cachesMb} MB of caches need a heap of at least ${cachesMb * 2} MB, ` +
        `and this process has ${heapMb} MB: raise NODE_HEAP_MB (npm start) or --max-old-space-size, or lower the caches`,
    ]);
  }
}
