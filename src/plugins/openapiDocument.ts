import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';

/**
 * The OpenAPI document as committed: generated from a throwaway in-memory app with default
 * settings, so the file does not depend on the machine's environment.
 */
export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false' });
  const app = await buildApp({ config, db: openDatabase(':memory:'), logger: false });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}
