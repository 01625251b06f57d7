import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { runImport } from '../src/importers/cli.js';
import { writeWxr } from './generateWxr.js';

// npm run bench:import [-- --posts 10000]: imports generated WordPress posts into a fresh database
// under bench/tmp/ and prints the time and the rate. A second pass shows the cost of a re-run
// (every post unchanged: nothing is written).
const { values } = parseArgs({ options: { posts: { type: 'string', default: '10000' } } });
const posts = Number(values.posts);
const dir = join(import.meta.dirname, 'tmp', 'import');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const file = join(dir, 'wordpress.xml');
await writeWxr(file, posts);
console.log(`Generated ${posts} posts (${(statSync(file).size / 1e6).toFixed(1)} MB of WXR)`);

const config = loadConfig({ ...process.env, DATA_DIR: join(dir, 'data'), SEED_SAMPLE_CONTENT: 'false', LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false' });
const app = await buildApp({ config, logger: false });
const options = { media: null, members: null, dryRun: false, progress: process.stderr.isTTY === true };
let t0 = performance.now();
const first = await runImport(app, 'wordpress', file, options);
let s = (performance.now() - t0) / 1000;
console.log(`First import: ${first.get('article', 'created')} articles in ${s.toFixed(1)} s = ${(posts / s).toFixed(0)} articles/s`);
t0 = performance.now();
const second = await runImport(app, 'wordpress', file, options);
s = (performance.now() - t0) / 1000;
console.log(`Re-run: ${second.get('article', 'unchanged')} unchanged in ${s.toFixed(1)} s = ${(posts / s).toFixed(0)} articles/s`);
await app.close();
