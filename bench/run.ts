/**
 * The Newsdesk benchmark (not a test): `npm run bench [-- --large] [-- --articles N]`.
 *
 * 1. Seeds a temporary database under bench/tmp/ with N articles (10,000; 100,000 with --large)
 *    through the articles service, and reports the bulk-import rate.
 * 2. Starts Newsdesk in a child process as `npm start` does (compiled by scripts/build.mjs, then
 *    `node dist/server.js`) on 127.0.0.1 and reports the cold start: spawn to a 200 from /readyz.
 * 3. Drives each scenario with autocannon for a bounded time (after a short warm-up), sampling
 *    the server's RSS from /proc.
 * 4. In the same run, starts the ceiling (bench/ceiling.ts: bare fastify answering from memory
 *    exactly the bytes and headers Newsdesk returned for each scenario's requests) and measures it
 *    the same way, right after Newsdesk for each scenario (one of the two is idle at any time).
 * 5. Prints a Markdown table and writes it to bench/results.md (one section per article count).
 *
 * Options: --articles N, --large, --duration S (6), --warmup S (1), --connections C[,C…] (4,50: every
 *   scenario at each concurrency; a CDN's origin sees few, a busy origin without one many),
 * --only a,b (scenario names), --data DIR (reuse a seeded data directory: skips seeding),
 * --keep (keep the data directory), --profile (Newsdesk runs under node --cpu-prof; profiles go
 * to bench/tmp/profiles), --no-write (do not touch bench/results.md), --no-varnish (skip step 6).
 * 6. When varnishd is installed, starts it with deploy/varnish/newsdesk.vcl in front of the same
 *    Newsdesk and drives the anonymous read scenarios through it: req/s through the cache against
 *    the origin alone (step 3's figure), and the hit ratio (varnishstat) over the measured window.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import type { Recorded } from './ceiling.js';
import { SEARCH_QUERIES, distinctSearchQueries, prng } from './content.js';
import { seedBenchmark } from './seed.js';
import { freePort } from '../test/helpers/freePort.js';
import { startVarnish, varnishCounters, varnishdPath } from '../test/helpers/varnish.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = join(ROOT, 'bench', 'tmp');
const RESULTS = join(ROOT, 'bench', 'results.md');

const { values: opts } = parseArgs({
  options: {
    large: { type: 'boolean', default: false },
    articles: { type: 'string' },
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '4,50' },
    only: { type: 'string' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'no-varnish': { type: 'boolean', default: false },
  },
});
const N = Number(opts.articles ?? (opts.large ? 100_000 : 10_000));
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONCURRENCIES = opts.connections.split(',').map(Number);
if (CONCURRENCIES.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`--connections takes numbers: ${opts.connections}`);
const SAMPLES = 200; // distinct requests recorded for the ceiling per scenario
const ROUNDS = 3; // alternating Newsdesk/ceiling rounds per scenario (see main)
const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';
const log = (s: string) => console.error(s);

// ---- helpers ---------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** Polls a process's RSS while `work` runs; returns the peak seen (and VmHWM, the kernel's own peak). */
async function withRss<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; peakRss: number; hwm: number }> {
  let peak = 0;
  const sample = () => {
    const s = pid ? procStatus(pid) : null;
    if (s && s.rss > peak) peak = s.rss;
  };
  const timer = setInterval(sample, 50);
  try {
    const result = await work();
    sample();
    return { result, peakRss: peak, hwm: (pid ? procStatus(pid)?.hwm : 0) ?? 0 };
  } finally {
    clearInterval(timer);
  }
}

const DROP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

async function record(base: string, path: string, headers: Record<string, string>): Promise<Recorded> {
  const res = await fetch(base + path, { headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  const kept: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!DROP_HEADERS.has(k)) kept[k] = v;
  });
  return { status: res.status, headers: kept, body: body.toString('base64') };
}

interface Target {
  path: string;
  headers?: Record<string, string>;
}

interface Scenario {
  name: string;
  label: string;
  expect: number;
  /** Requests recorded for the ceiling (and used for Newsdesk too unless `newsdesk` is given). */
  samples: Target[];
  /** Newsdesk's own request generator (e.g. random slugs over every article). */
  newsdesk?: () => Target;
  /** Driven against a second Newsdesk with the render cache off (CACHE_ARTICLES_MB=0): what a miss costs. */
  uncached?: boolean;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  bad: number;
  statuses: Record<string, number>;
  peakRss: number;
  hwm: number;
}

async function drive(base: string, scenario: Scenario, next: () => Target, seconds: number, connections: number, pid?: number): Promise<Measured> {
  const run = () =>
    autocannon({
      url: base,
      connections,
      duration: seconds,
      pipelining: 1,
      timeout: 10,
      requests: [
        {
          method: 'GET',
          setupRequest: (req: autocannon.Request) => {
            const t = next();
            return { ...req, path: t.path, headers: { ...(t.headers ?? {}), 'x-bench-scenario': scenario.name } };
          },
        },
      ],
    });
  const { result, peakRss, hwm } = await withRss(pid, run);
  const statuses: Record<string, number> = {};
  let ok = 0;
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = (s as { count: number }).count;
    if (Number(code) === scenario.expect) ok += (s as { count: number }).count;
  }
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: total,
    bad: result.errors + result.timeouts + (total - ok),
    statuses,
    peakRss,
    hwm,
  };
}

/** The round with the median rate, with the errors and the peak memory of all rounds. */
function medianRound(rounds: Measured[]): Measured {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  const median = sorted[Math.floor(sorted.length / 2)];
  const statuses: Record<string, number> = {};
  for (const r of rounds) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  return {
    ...median,
    requests: rounds.reduce((a, r) => a + r.requests, 0),
    bad: rounds.reduce((a, r) => a + r.bad, 0),
    statuses,
    peakRss: Math.max(...rounds.map((r) => r.peakRss)),
    hwm: Math.max(...rounds.map((r) => r.hwm)),
  };
}

function randomFrom<T>(xs: T[], seed: number): () => T {
  const r = prng(seed);
  return () => xs[Math.floor(r() * xs.length)];
}

async function waitReady(base: string, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) return performance.now() - start;
    } catch {
      /* not listening yet */
    }
    await sleep(10);
  }
  throw new Error('the server did not become ready');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));

// ---- main ------------------------------------------------------------------------------------------

async function main() {
  mkdirSync(TMP, { recursive: true });
  const loadBefore = os.loadavg();
  const dataDir = opts.data ? resolve(opts.data) : join(TMP, `data-${N}-${process.pid}`);
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SEED_SAMPLE_CONTENT: 'false',
    NEWSDESK_ADMIN_KEY: ADMIN_KEY,
    // The limiter stays on (its cost is measured) with a budget no benchmark run reaches.
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_KEY_MAX: '1000000',
  };

  let importLine = 'reused an existing database (no import measured)';
  let subscriberToken: string;
  let photoIds: number[];
  const infoFile = join(dataDir, 'bench.json');
  if (opts.data && existsSync(infoFile)) {
    ({ subscriberToken, photoIds } = JSON.parse(readFileSync(infoFile, 'utf8')));
  } else {
    log(`Seeding ${N.toLocaleString('en')} articles into ${dataDir} …`);
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false' });
    const seeded = await seedBenchmark(config, N, log);
    ({ subscriberToken, photoIds } = seeded);
    writeFileSync(infoFile, JSON.stringify({ subscriberToken, photoIds, articles: N }));
    importLine =
      `${N.toLocaleString('en')} articles in ${seeded.importSeconds.toFixed(1)} s = **${Math.round(seeded.importRate)} articles/s** ` +
      `(ArticlesService.create, one transaction each, DB_SYNCHRONOUS=FULL)`;
    log(`  ${importLine}`);
  }

  // ---- Newsdesk ----
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const nodeArgs = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', join(TMP, 'profiles')] : [];
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  // The heap npm start gives it (NODE_HEAP_MB, default 256).
  const startNewsdesk = (port: number, base: string, extraEnv: Record<string, string> = {}) => {
    const server = spawn(process.execPath, [...nodeArgs, `--max-old-space-size=${process.env.NODE_HEAP_MB ?? 256}`, 'dist/server.js'], {
      cwd: ROOT,
      env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: base, ...extraEnv },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    process.on('exit', () => server.kill('SIGKILL'));
    return server;
  };
  const child = startNewsdesk(port, base);
  const coldStart = await waitReady(base, child);
  log(`Newsdesk ready in ${Math.round(coldStart)} ms (pid ${child.pid}, ${CONCURRENCIES.join(' and ')} connections, ${DURATION} s per scenario)`);

  const subscriber = { authorization: `Bearer ${subscriberToken}` };
  const allSlugs = Array.from({ length: N }, (_, i) => `story-${i}`);
  const sampleSlugs = Array.from({ length: SAMPLES }, (_, i) => `story-${Math.floor(((i + 0.5) * N) / SAMPLES)}`);

  // A cursor 5,000 articles deep (walked 100 at a time; the cursor does not depend on the page size).
  const depth = Math.min(5000, Math.floor(N / 200) * 100);
  let cursor: string | null = null;
  for (let walked = 0; walked < depth; walked += 100) {
    const page: any = await (await fetch(`${base}/v1/articles?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json();
    cursor = page.meta.nextCursor;
    if (!cursor) throw new Error(`the list ended before 5,000 articles (at ${walked})`);
  }

  const etags: Target[] = [];
  for (const slug of sampleSlugs) {
    const res = await fetch(`${base}/v1/articles/${slug}`);
    await res.arrayBuffer();
    etags.push({ path: `/v1/articles/${slug}`, headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
  }

  // Distinct queries for the uncached search scenario; the last SAMPLES are recorded for the ceiling, never driven.
  const coldQueries = distinctSearchQueries();
  const scenarios: Scenario[] = [
    {
      name: 'single',
      label: 'GET /v1/articles/{slug}, anonymous, random slugs',
      expect: 200,
      samples: sampleSlugs.map((s) => ({ path: `/v1/articles/${s}` })),
      newsdesk: (() => {
        const pick = randomFrom(allSlugs, 1);
        return () => ({ path: `/v1/articles/${pick()}` });
      })(),
    },
    {
      name: 'hot',
      label: 'GET /v1/articles/{slug}, anonymous, random among the 1,000 newest',
      expect: 200,
      samples: allSlugs.slice(-1000).filter((_, i) => i % 20 === 0).map((s) => ({ path: `/v1/articles/${s}` })),
      newsdesk: (() => {
        const pick = randomFrom(allSlugs.slice(-1000), 5);
        return () => ({ path: `/v1/articles/${pick()}` });
      })(),
    },
    {
      name: 'subscriber',
      label: 'GET /v1/articles/{slug}, paid subscriber, random slugs',
      expect: 200,
      samples: sampleSlugs.map((s) => ({ path: `/v1/articles/${s}`, headers: subscriber })),
      newsdesk: (() => {
        const pick = randomFrom(allSlugs, 2);
        return () => ({ path: `/v1/articles/${pick()}`, headers: subscriber });
      })(),
    },
    { name: 'list', label: 'GET /v1/articles?limit=20 (first page)', expect: 200, samples: [{ path: '/v1/articles?limit=20' }] },
    {
      name: 'deep',
      label: `GET /v1/articles?limit=20&cursor=… (${depth.toLocaleString('en')} deep)`,
      expect: 200,
      samples: [{ path: `/v1/articles?limit=20&cursor=${encodeURIComponent(cursor!)}` }],
    },
    {
      name: 'search',
      label: 'GET /v1/search?q=… (two words, a fixed set of 12: cached answers)',
      expect: 200,
      samples: SEARCH_QUERIES.map((q) => ({ path: `/v1/search?q=${encodeURIComponent(q)}` })),
    },
    {
      name: 'search-cold',
      label: 'GET /v1/search?q=… (two words, each asked once: no cached answer)',
      expect: 200,
      samples: coldQueries.slice(-SAMPLES).map((q) => ({ path: `/v1/search?q=${encodeURIComponent(q)}` })),
      newsdesk: (() => {
        let i = 0;
        return () => ({ path: `/v1/search?q=${encodeURIComponent(coldQueries[i++ % (coldQueries.length - SAMPLES)])}` });
      })(),
    },
    { name: 'etag304', label: 'GET /v1/articles/{slug} with If-None-Match → 304', expect: 304, samples: etags },
    {
      name: 'single-nocache',
      label: 'GET /v1/articles/{slug}, anonymous, random slugs, render cache off',
      expect: 200,
      uncached: true,
      samples: sampleSlugs.map((s) => ({ path: `/v1/articles/${s}` })),
      newsdesk: (() => {
        const pick = randomFrom(allSlugs, 6);
        return () => ({ path: `/v1/articles/${pick()}` });
      })(),
    },
    { name: 'list-nocache', label: 'GET /v1/articles?limit=20 (first page), render cache off', expect: 200, uncached: true, samples: [{ path: '/v1/articles?limit=20' }] },
    {
      name: 'rendition',
      label: 'GET /v1/photos/{id}/renditions/640.webp (cached)',
      expect: 200,
      samples: photoIds.map((id) => ({ path: `/v1/photos/${id}/renditions/640.webp` })),
    },
  ].filter((s) => !opts.only || opts.only.split(',').includes(s.name));

  // The same data served with the render cache off, only when a scenario asks for it.
  let uncached: { child: ChildProcess; base: string } | null = null;
  if (scenarios.some((s) => s.uncached)) {
    const uncachedPort = await freePort();
    const uncachedBase = `http://127.0.0.1:${uncachedPort}`;
    const uncachedChild = startNewsdesk(uncachedPort, uncachedBase, { CACHE_ARTICLES_MB: '0' });
    await waitReady(uncachedBase, uncachedChild);
    uncached = { child: uncachedChild, base: uncachedBase };
  }
  const serverFor = (s: Scenario) => (s.uncached ? uncached! : { child, base });

  // Record what Newsdesk answers to each scenario's sample requests: the ceiling replays exactly these.
  const table: Record<string, Record<string, Recorded>> = {};
  for (const s of scenarios) {
    table[s.name] = {};
    for (const t of s.samples) {
      const r = await record(serverFor(s).base, t.path, t.headers ?? {});
      if (r.status !== s.expect) throw new Error(`${s.name}: ${t.path} answered ${r.status}, expected ${s.expect}`);
      table[s.name][t.path] = r;
    }
  }

  // ---- the ceiling, beside it ----
  const tableFile = join(TMP, `ceiling-${process.pid}.json`);
  writeFileSync(tableFile, JSON.stringify(table));
  const ceilingChild = spawn(process.execPath, ['--import', 'tsx', 'bench/ceiling.ts', tableFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.on('exit', () => ceilingChild.kill('SIGKILL'));
  const ceilingPort = await new Promise<number>((ok) => ceilingChild.stdout!.once('data', (d) => ok(Number(String(d).trim()))));
  const ceilingBase = `http://127.0.0.1:${ceilingPort}`;

  // Each scenario drives Newsdesk, then the ceiling, back to back (the idle one waits on its
  // socket), in ROUNDS short alternating rounds; each side reports its median round. A shared
  // machine's drift then moves both sides alike, and a passing stall moves one round, not the ratio.
  // Results are keyed by scenario and concurrency ("single@50").
  const newsdesk: Record<string, Measured> = {};
  const ceiling: Record<string, Measured> = {};
  const runs = scenarios.flatMap((s) => CONCURRENCIES.map((connections) => ({ s, connections, key: `${s.name}@${connections}` })));
  for (const { s, connections, key } of runs) {
    const server = serverFor(s);
    const next = s.newsdesk ?? randomFrom(s.samples, 3);
    const replay = randomFrom(s.samples, 4);
    await drive(server.base, s, next, WARMUP, connections, server.child.pid);
    await drive(ceilingBase, s, replay, WARMUP, connections, ceilingChild.pid);
    const ours: Measured[] = [];
    const theirs: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await drive(server.base, s, next, DURATION / ROUNDS, connections, server.child.pid));
      theirs.push(await drive(ceilingBase, s, replay, DURATION / ROUNDS, connections, ceilingChild.pid));
    }
    const n = (newsdesk[key] = medianRound(ours));
    const c = (ceiling[key] = medianRound(theirs));
    log(`  ${key.padEnd(18)} newsdesk ${Math.round(n.rps).toString().padStart(6)} req/s (rounds ${ours.map((m) => Math.round(m.rps)).join(', ')})  ` +
      `ceiling ${Math.round(c.rps).toString().padStart(6)} req/s (rounds ${theirs.map((m) => Math.round(m.rps)).join(', ')})  ratio ${(n.rps / c.rps).toFixed(2)}  rss ${mb(n.peakRss)}  bad ${n.bad}`);
  }
  // ---- through Varnish ----
  const varnishLines: string[] = [];
  if (!opts['no-varnish'] && varnishdPath()) {
    const through = scenarios.filter((s) => !s.uncached && ['single', 'hot', 'list', 'rendition'].includes(s.name));
    if (through.length > 0) {
      const varnish = await startVarnish({ backendPort: port, threadsMax: 500, storageMb: 512 });
      try {
        varnishLines.push(`| scenario (through Varnish) | connections | req/s via Varnish | p50 ms | p99 ms | hit ratio | origin alone req/s | speed-up | errors / unexpected status |`);
        varnishLines.push(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
        for (const s of through) {
          for (const connections of CONCURRENCIES) {
            const key = `${s.name}@${connections}`;
            const next = s.newsdesk ?? randomFrom(s.samples, 3);
            await drive(varnish.url, s, next, WARMUP, connections);
            const before = varnishCounters(varnish.workDir);
            const v = await drive(varnish.url, s, next, DURATION, connections);
            const after = varnishCounters(varnish.workDir);
            const hits = after.hits - before.hits;
            const misses = after.misses - before.misses;
            const ratio = hits + misses > 0 ? hits / (hits + misses) : NaN;
            const origin = newsdesk[key];
            log(`  ${key.padEnd(18)} varnish  ${Math.round(v.rps).toString().padStart(6)} req/s  hit ratio ${(ratio * 100).toFixed(1)}%  origin alone ${Math.round(origin.rps)} req/s  bad ${v.bad}`);
            varnishLines.push(
              `| ${s.label} | ${connections} | ${Math.round(v.rps)} | ${ms(v.p50)} | ${ms(v.p99)} | ${(ratio * 100).toFixed(1)}% | ${Math.round(origin.rps)} | **${(v.rps / origin.rps).toFixed(2)}** | ${v.bad} of ${v.requests} |`,
            );
          }
        }
      } finally {
        await varnish.stop();
      }
    }
  } else if (!opts['no-varnish']) {
    log('  varnishd is not installed: no scenario through Varnish (apt-get install -y varnish varnish-modules)');
  }

  const finalHwm = procStatus(child.pid!)?.hwm ?? 0;
  await stop(child);
  if (uncached) await stop(uncached.child);
  await stop(ceilingChild);
  rmSync(tableFile, { force: true });
  if (!opts.data && !opts.keep) rmSync(dataDir, { recursive: true, force: true });
  const loadAfter = os.loadavg();

  // ---- report ----
  const bodySize = (s: Scenario) => {
    const sizes = Object.values(table[s.name]).map((r) => Buffer.from(r.body, 'base64').length);
    return Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
  };
  const lines: string[] = [];
  lines.push(`| scenario | connections | body | Newsdesk req/s | p50 ms | p99 ms | peak RSS | ceiling req/s | ceiling p50/p99 ms | ratio | errors / unexpected status |`);
  lines.push(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const { s, connections, key } of runs) {
    const n = newsdesk[key];
    const c = ceiling[key];
    lines.push(
      `| ${s.label} | ${connections} | ${(bodySize(s) / 1024).toFixed(1)} kB | ${Math.round(n.rps)} | ${ms(n.p50)} | ${ms(n.p99)} | ${mb(n.peakRss)} | ` +
        `${Math.round(c.rps)} | ${ms(c.p50)} / ${ms(c.p99)} | **${(n.rps / c.rps).toFixed(2)}** | ${n.bad} of ${n.requests} |`,
    );
  }
  const extra: string[] = [];
  for (const c of CONCURRENCIES) {
    const [deep, list] = [newsdesk[`deep@${c}`], newsdesk[`list@${c}`]];
    if (deep && list) extra.push(`- Deep page ÷ first page (Newsdesk, ${c} connections): **${(deep.rps / list.rps).toFixed(2)}**`);
  }
  extra.push(`- Bulk import: ${importLine}`);
  extra.push(`- Cold start (spawn \`node dist/server.js\` → 200 from /readyz): **${Math.round(coldStart)} ms**`);
  extra.push(`- Peak RSS of the Newsdesk process over the whole run (VmHWM): **${mb(finalHwm)}**`);

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const section = [
    `## ${N.toLocaleString('en')} articles`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu}, ${os.availableParallelism()} cores, ` +
      `${mb(os.totalmem())} RAM, Node ${process.version}, ${os.platform()} ${os.release()}. ` +
      `autocannon: ${CONCURRENCIES.join(' and ')} connections, ${DURATION} s per scenario, concurrency and side after a ${WARMUP} s warm-up, in ${ROUNDS} alternating rounds (the median round is shown), load generator on the same machine. ` +
      `Load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${loadAfter.map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    ...lines,
    '',
    ...(varnishLines.length > 0
      ? [
          `Through Varnish (deploy/varnish/newsdesk.vcl, varnishd on the same machine, ${DURATION} s per scenario after the warm-up; hit ratio from varnishstat over the measured window; the origin alone is the Newsdesk figure above):`,
          '',
          ...varnishLines,
          '',
        ]
      : []),
    ...extra,
    '',
  ].join('\n');
  console.log(`\n${section}`);

  if (!opts['no-write']) {
    const header =
      '# Newsdesk benchmark results\n\nWritten by `npm run bench` (bench/run.ts); see the README for what each scenario does. ' +
      'The ceiling is bare fastify answering the same bytes from memory, measured in the same run.\n\n';
    const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
    const sections = new Map<string, string>();
    for (const m of previous.matchAll(/^## ([\d,]+) articles\n[\s\S]*?(?=^## |(?![\s\S]))/gm)) sections.set(m[1], m[0].trimEnd() + '\n');
    sections.set(N.toLocaleString('en'), section);
    const ordered = [...sections.entries()].sort((a, b) => Number(a[0].replace(/,/g, '')) - Number(b[0].replace(/,/g, '')));
    const notes = previous.includes('\n## Notes') ? previous.slice(previous.indexOf('\n## Notes') + 1) : '';
    writeFileSync(RESULTS, header + ordered.map(([, s]) => s).join('\n') + (notes ? `\n${notes}` : ''));
    log(`Written to ${RESULTS}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
