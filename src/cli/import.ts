import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildApp } from '../app.js';
import { refusePostgresForNow } from '../db/engine.js';
import { configOrExit } from './config.js';
import { ImportFileError } from '../importers/wordpress/wxr.js';
import { runImport, IMPORT_USAGE } from '../importers/cli.js';

// npm run import -- wordpress FILE.xml [--media DIR] [--dry-run]
// npm run import -- ghost FILE.json [--media DIR] [--members FILE.csv] [--dry-run]
// npm run import -- newsdesk DIR [--dry-run]
const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { media: { type: 'string' }, members: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${IMPORT_USAGE}`);
    process.exit(64);
  }
})();
const [kind, input] = positionals;
if (values.help || !kind || !input || positionals.length > 2) {
  console.error(IMPORT_USAGE);
  process.exit(values.help ? 0 : 64);
}
for (const [what, path] of [['input', input], ['--media', values.media], ['--members', values.members]] as const) {
  if (path !== undefined && !existsSync(path)) {
    console.error(`Cannot import: ${what} ${path} does not exist`);
    process.exit(66);
  }
}

const config = configOrExit(refusePostgresForNow);
const app = await buildApp({ config: { ...config, WEBHOOK_WORKER: false }, logger: false });
let code = 0;
try {
  const summary = await runImport(app, kind, input, {
    media: values.media ?? null,
    members: values.members ?? null,
    dryRun: values['dry-run'] === true,
    progress: process.stderr.isTTY === true,
  });
  console.log(summary.format());
  if (summary.failures.length > 0) code = 1;
} catch (err) {
  if (err instanceof ImportFileError) {
    console.error(`Cannot import ${input}: ${err.message}`);
    code = 65;
  } else throw err;
} finally {
  await app.close();
}
process.exit(code);
