import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { ManualClock, type Clock } from '../../src/lib/clock.js';
import type { AccessExtensions } from '../../src/access/extensions.js';
import type { PhotoEmbedder } from '../../src/schemas/photo.js';
import type { LookupFunction } from '../../src/webhooks/targets.js';
import { enforceOpenApi } from './openapiContract.js';
import type { PurgeSender } from '../../src/cdn/worker.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  clock: ManualClock;
  dataDir: string;
  /** A fresh admin API key token. */
  adminKey: string;
  /** Headers carrying the admin key. */
  admin: { authorization: string };
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * A fresh app on a fresh database in its own temp directory, for one test file
 * (or one test). Pass tap's `t` to have it closed and deleted at the end. Fakes of other features'
 * ports (a photo library) go in through the options, as they would for any build of the app.
 */
export async function buildTestApp(
  t: Teardown | null,
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    photoEmbedder?: PhotoEmbedder;
    accessExtensions?: AccessExtensions;
    webhookLookup?: LookupFunction;
    cdnSender?: PurgeSender;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SEED_SAMPLE_CONTENT: 'false',
    RATE_LIMIT_MAX: '0',
    DB_SYNCHRONOUS: 'NORMAL',
    ...options.env,
  });
  const clock = (options.clock as ManualClock) ?? new ManualClock();
  const app = await buildApp({ config, clock, logger: false, photoEmbedder: options.photoEmbedder, accessExtensions: options.accessExtensions, webhookLookup: options.webhookLookup, cdnSender: options.cdnSender });
  await app.ready();
  // Every response a test receives is held to the committed OpenAPI document.
  enforceOpenApi(app);
  const { token } = await app.keys.create({ name: 'test admin', scopes: ['admin'] });
  const result: TestApp = {
    app,
    config,
    clock,
    dataDir,
    adminKey: token,
    admin: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  t?.teardown(() => result.close());
  return result;
}

/** Parses a JSON response body (problem+json included). */
export function json<T = any>(res: { body: string }): T {
  return JSON.parse(res.body) as T;
}
