import { z } from 'zod';

/**
 * Every setting comes from an environment variable, parsed here and nowhere else.
 * A wrong value stops the server with a message that names the variable.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_PATH: z.string().min(1).optional(),
  DB_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  MEDIA_DIR: z.string().min(1).optional(),
  SEED_SAMPLE_CONTENT: bool.default(true),
  NEWSDESK_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  PUBLICATION_NAME: z.string().min(1).default('The Newsdesk Chronicle'),
  CORS_ORIGINS: z.string().default('*'),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  RATE_LIMIT_MAX: int(0, 1_000_000).default(600),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(60),
  CACHE_MAX_AGE_SECONDS: int(0, 31_536_000).default(60),
  CACHE_STALE_SECONDS: int(0, 31_536_000).default(300),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  // Articles and the access policy
  READING_WPM: int(50, 2000).default(200),
  TEASER_BLOCKS: int(1, 50).default(3),
  ARCHIVE_AFTER_DAYS: int(0, 36_500).default(60),
  METER_FREE_ARTICLES: int(0, 1000).default(3),
  PAYWALL_MESSAGE: z
    .string()
    .min(1)
    .default('Subscribe now to keep reading and get access to the full archive.'),
});

export type Env = z.infer<typeof configSchema>;

export interface Config extends Env {
  databasePath: string;
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
  const origins = e.CORS_ORIGINS.trim();
  return {
    ...e,
    databasePath: e.DATABASE_PATH ?? `${e.DATA_DIR}/newsdesk.db`,
    mediaDir: e.MEDIA_DIR ?? `${e.DATA_DIR}/media`,
    corsOrigins: origins === '*' ? '*' : origins.split(',').map((o) => o.trim()).filter(Boolean),
  };
}
