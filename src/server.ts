import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, checkMemoryBudget, loadConfig } from './config.js';

/** Entry point: config, app, first-start chores, listen, graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    checkMemoryBudget(config, getHeapStatistics().heap_size_limit);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const app = await buildApp({ config });
  await bootstrap(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const base = config.PUBLIC_BASE_URL.replace(/\/$/, '');
  app.log.info(`Newsdesk is serving ${base}/v1 — API docs at ${base}/docs, OpenAPI at ${base}/openapi.json`);
  console.log(`\n  Newsdesk is up: ${base}/v1/sections  ·  docs: ${base}/docs  ·  OpenAPI: ${base}/openapi.json\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
