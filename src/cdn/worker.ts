import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../lib/clock.js';
import type { PurgeTargetResult } from '../db/schema/cdn.js';
import { retryDelayMs } from '../webhooks/worker.js';
import type { CdnRepository, PurgeRow } from './repository.js';
import type { PurgeRequestSpec, PurgeTarget } from './targets.js';

export interface CdnWorkerSettings {
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** ms after publication an article crosses into the archive (null: no archive rule). */
  archiveMs: number | null;
  retentionDays: number;
}

/** Sends one request; resolves with the status code (any), rejects on a network error or timeout. */
export type PurgeSender = (request: PurgeRequestSpec, timeoutMs: number) => Promise<{ status: number; text: string }>;

export const fetchSender: PurgeSender = async (request, timeoutMs) => {
  const res = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const text = (await res.text()).slice(0, 300);
  return { status: res.status, text };
};

/**
 * The in-process purge worker: each tick purges what time changed (the sweep), then claims due
 * rows of cdn_purges with a lease and sends each to every target that has not taken it yet;
 * a row is done when every target answered 2xx, retried with backoff (exponential, jittered)
 * otherwise, and failed after CDN_PURGE_MAX_ATTEMPTS. With no target configured rows are simply
 * marked done. The queue is in the database, so a restart resumes where it stopped.
 */
export class CdnWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = true;

  constructor(
    private readonly repo: CdnRepository,
    private readonly targets: PurgeTarget[],
    private readonly clock: Clock,
    private readonly settings: CdnWorkerSettings,
    private readonly log: FastifyBaseLogger,
    private readonly send: PurgeSender = fetchSender,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => 0);
  }

  /** Asks for a tick soon (a write queued a purge). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick()
        .catch((err) => this.log.error({ err }, 'cdn purge worker: tick failed'))
        .finally(() => this.schedule(this.settings.pollMs));
    }, ms);
    this.timer.unref();
  }

  /** Sweeps, then sends every due purge. Returns how many purges it attempted. */
  async tick(): Promise<number> {
    if (this.running) {
      await this.running.catch(() => 0);
    }
    this.running = this.run();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async run(): Promise<number> {
    const now = this.clock.now();
    await this.repo.sweep(now.toISOString(), this.settings.archiveMs);
    let attempted = 0;
    for (;;) {
      const t = this.clock.now();
      const lease = new Date(t.getTime() + this.settings.timeoutMs * 4 + 30_000).toISOString();
      const batch = await this.repo.claimDue(t.toISOString(), lease, 16);
      if (batch.length === 0) break;
      attempted += batch.length;
      await Promise.all(batch.map((row) => this.attempt(row)));
    }
    await this.repo.prune(new Date(now.getTime() - this.settings.retentionDays * 86_400_000).toISOString());
    return attempted;
  }

  private async attempt(row: PurgeRow): Promise<void> {
    const attempts = row.attempts + 1;
    const results: Record<string, PurgeTargetResult> = { ...row.results };
    const errors: string[] = [];
    for (const target of this.targets) {
      if (results[target.name]?.ok) continue;
      const at = this.clock.now().toISOString();
      let result: PurgeTargetResult = { ok: true, status: null, error: null, at };
      for (const request of target.requests(row.keys, row.hard)) {
        try {
          const res = await this.send(request, this.settings.timeoutMs);
          result = { ...result, status: res.status };
          if (res.status < 200 || res.status >= 300) {
            result = { ...result, ok: false, error: `HTTP ${res.status}${res.text ? `: ${res.text}` : ''}` };
            break;
          }
        } catch (err) {
          const e = err as Error & { code?: string; cause?: { code?: string } };
          const why = e.name === 'TimeoutError' ? `timed out after ${this.settings.timeoutMs} ms` : `${e.cause?.code ?? e.code ?? e.name}: ${e.message}`;
          result = { ...result, ok: false, error: why.slice(0, 300) };
          break;
        }
      }
      results[target.name] = result;
      if (!result.ok) errors.push(`${target.name}: ${result.error}`);
    }
    const now = this.clock.now();
    if (errors.length === 0) {
      await this.repo.record(row.id, { status: 'done', attempts, results, lastError: null, nextAttemptAt: null, completedAt: now.toISOString() });
      return;
    }
    const giveUp = attempts >= this.settings.maxAttempts;
    const next = giveUp ? null : new Date(now.getTime() + retryDelayMs(attempts, this.settings)).toISOString();
    await this.repo.record(row.id, { status: giveUp ? 'failed' : 'pending', attempts, results, lastError: errors.join('; ').slice(0, 1000), nextAttemptAt: next });
    this.log.warn({ purgeId: row.id, attempts, errors, nextAttemptAt: next }, giveUp ? 'cdn purge failed; giving up' : 'cdn purge failed; will retry');
  }
}
