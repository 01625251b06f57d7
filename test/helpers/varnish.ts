import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { fileURLToPath } from 'node:url';

/**
 * A real varnishd in front of a Newsdesk listening on 127.0.0.1, with the shipped VCL
 * (deploy/varnish/newsdesk.vcl) pointed at it. For the end-to-end test and the benchmark.
 * Run in the foreground (-F) as our child and stopped by its PID: daemonised it is left a zombie here.
 */

export const VCL_PATH = fileURLToPath(new URL('../../deploy/varnish/newsdesk.vcl', import.meta.url));

/** The varnishd binary, or null when it is not installed. */
export function varnishdPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v varnishd || ls /usr/sbin/varnishd'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0];
  return found.status === 0 && path ? path : null;
}


export interface Varnish {
  port: number;
  url: string;
  /** varnishd's -n directory (varnishstat -n reads its counters). */
  workDir: string;
  stop(): Promise<void>;
}

/** Cache hits (graced ones included) and misses so far (varnishstat). */
export function varnishCounters(workDir: string): { hits: number; misses: number } {
  const out = spawnSync('varnishstat', ['-n', workDir, '-1', '-f', 'MAIN.cache_hit', '-f', 'MAIN.cache_miss'], { encoding: 'utf8' }).stdout ?? '';
  const value = (name: string) => Number(new RegExp(`^${name.replace('.', '\\.')}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN);
  return { hits: value('MAIN.cache_hit'), misses: value('MAIN.cache_miss') };
}

/** The shipped VCL with its backend moved to `backendPort` (the only line that changes). */
export function vclFor(backendPort: number): string {
  const vcl = readFileSync(VCL_PATH, 'utf8');
  const moved = vcl.replace(/(\.host = "127\.0\.0\.1";\s*\.port = )"3000";/, `$1"${backendPort}";`);
  if (moved === vcl) throw new Error(`${VCL_PATH}: no backend 127.0.0.1:3000 to move`);
  return moved;
}

export async function startVarnish(options: { backendPort: number; port?: number; threadsMax?: number; storageMb?: number }): Promise<Varnish> {
  const bin = varnishdPath();
  if (!bin) throw new Error('varnishd is not installed (apt-get install -y varnish varnish-modules)');
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'newsdesk-varnish-'));
  chmodSync(dir, 0o755); // varnishd's worker process runs as its own user and reads the VCL here
  writeFileSync(join(dir, 'newsdesk.vcl'), vclFor(options.backendPort));
  chmodSync(join(dir, 'newsdesk.vcl'), 0o644);
  const args = [
    '-F', '-a', `127.0.0.1:${port}`, '-T', 'none', '-n', join(dir, 'work'), '-f', join(dir, 'newsdesk.vcl'),
    '-s', `malloc,${options.storageMb ?? 64}m`,
    // Small pools: a test needs a handful of threads, and the machine is shared.
    '-p', 'thread_pools=1', '-p', 'thread_pool_min=5', '-p', `thread_pool_max=${options.threadsMax ?? 50}`,
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  const stop = async () => {
    if (!dead) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when it answers (compiling the VCL takes a second or two; more on a loaded machine).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (dead) {
      await stop();
      throw new Error(`varnishd exited: ${output.slice(-2000)}`);
    }
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`varnishd did not answer within 60 s: ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { port, url: `http://127.0.0.1:${port}`, workDir: join(dir, 'work'), stop };
}
