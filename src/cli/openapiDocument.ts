import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { openApiText } from '../plugins/openapi.js';

/**
 * The OpenAPI document as committed: generated from a throwaway in-memory app with default
 * settings, so the file does not depend on the machine's environment. The CLI builds the app;
 * the openapi plugin says what the document is.
 */
export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent', SEED_SAMPLE_CONTENT: 'false' });
  const app = await buildApp({ config, db: openDatabase(':memory:'), logger: false });
  await app.ready();
  const text = openApiText(app);
  await app.close();
  return text;
}
