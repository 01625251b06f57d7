#!/usr/bin/env node
// Compiles src/ to dist/ (one JavaScript file per TypeScript file, same layout) with esbuild, in
// about a second. `npm start` runs the compiled server: plain node starts faster and uses ~50 MB
// less memory than transpiling TypeScript at run time (tsx). Type checking is `npm run typecheck`.
import { buildSync } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entryPoints = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile() && f.name.endsWith('.ts'))
  .map((f) => join(f.parentPath, f.name));

rmSync(join(root, 'dist'), { recursive: true, force: true });
buildSync({
  entryPoints,
  outdir: join(root, 'dist'),
  outbase: join(root, 'src'),
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
