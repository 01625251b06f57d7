import type { FastifyInstance } from 'fastify';
import type { Summary } from './summary.js';
import { importGhost } from './ghost/importer.js';
import { importNewsdesk } from './newsdesk/importer.js';
import { importWordpress } from './wordpress/importer.js';
import { ImportFileError } from './wordpress/wxr.js';

export const IMPORT_USAGE = `Usage:
  npm run import -- wordpress FILE.xml [--media UPLOADS_DIR] [--dry-run]
  npm run import -- ghost FILE.json [--media SITE_DIR] [--members FILE.csv] [--dry-run]
  npm run import -- newsdesk EXPORT_DIR [--dry-run]`;

export interface ImportCommandOptions {
  media: string | null;
  members: string | null;
  dryRun: boolean;
  progress: boolean;
  log?: (line: string) => void;
}

/** Runs one importer by name (the CLI's job, kept apart so tests run it without a process). */
export async function runImport(app: FastifyInstance, kind: string, input: string, options: ImportCommandOptions): Promise<Summary> {
  switch (kind) {
    case 'wordpress':
      if (options.members) throw new ImportFileError('--members goes with a Ghost import (WordPress exports carry no subscribers)');
      return importWordpress(app, input, options);
    case 'ghost':
      return importGhost(app, input, options);
    case 'newsdesk':
      if (options.media || options.members) throw new ImportFileError('a Newsdesk export carries its own media and subscribers: no --media or --members');
      return importNewsdesk(app, input, options);
    default:
      throw new ImportFileError(`unknown source "${kind}": wordpress, ghost or newsdesk`);
  }
}
