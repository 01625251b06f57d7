#!/usr/bin/env node
// Runs the whole suite with tap and ends with the plain "N passed, N failed" line CI reads
// (tap prints its totals only as a TAP comment). Extra arguments go to tap (e.g. a file).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tapBin = join(dirname(require.resolve('tap/package.json')), 'dist/esm/run.mjs');
const args = [tapBin, '--reporter=tap', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });

let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});

child.on('close', (code) => {
  const totals = [...tail.matchAll(/^# \{ ?(.*) ?\}$/gm)].pop();
  const counts = Object.fromEntries(
    (totals?.[1] ?? '').split(',').map((kv) => kv.split(':').map((s) => s.trim())).filter((kv) => kv.length === 2).map(([k, v]) => [k, Number(v)]),
  );
  const failed = (counts.fail ?? 0) + (code !== 0 && !counts.fail ? 1 : 0);
  const skipped = (counts.skip ?? 0) + (counts.todo ?? 0);
  console.log(`${counts.pass ?? 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
