import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import type { DeliveryRow, EndpointRow, WebhooksRepository } from './repository.js';
import { postDelivery } from './send.js';
import { createTargetGuard, PrivateTargetError, type TargetGuard } from './targets.js';
import { webhookHeaders } from './signing.js';

/** Builds the JSON body of a delivery (the access policy applied for the endpoint's partner key). */
export type PayloadRenderer = (delivery: DeliveryRow, endpoint: EndpointRow) => Promise<string | null>;

export interface WorkerSettings {
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  concurrency: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed attempts: exponential
 * (base · 2^(attempt−1), capped) with "equal jitter" (between half and all of it), so endpoints
 * that failed together do not all come back at the same instant.
 */
export function retryDelayMs(attempt: number, settings: Pick<WorkerSettings, 'retryBaseSeconds' | 'retryMaxSeconds'>, random = Math.random): number {
  const exp = Math.min(settings.retryMaxSeconds, settings.retryBaseSeconds * 2 ** Math.max(0, attempt - 1)) * 1000;
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** How much of a receiver's answer is read (only its start is kept, for the delivery log). */
const MAX_RESPONSE_BYTES = 4096;

const USER_AGENT = 'Newsdesk-Webhooks/1.0 (+https://www.standardwebhooks.com/)';

/**
 * The in-process delivery worker. It polls the durable queue (webhook_deliveries), claims due
 * rows with a lease, POSTs them signed, and records the outcome: delivered, retry later with
 * backoff, or failed after WEBHOOK_MAX_ATTEMPTS. Everything it needs is in the database, so a
 * restart simply resumes: pending rows are picked up on the next poll, and a row whose attempt
 * was cut short by a crash is retried when its lease runs out.
 *
 * The clock decides what is due (tests move a ManualClock); the signature timestamp is real time,
 * because receivers compare it with their own clock.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  /** Runs at the start of every tick (the syndication plugin announces due scheduled articles here). */
  beforeTick: (() => Promise<unknown>) | null = null;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly clock: Clock,
    private readonly settings: WorkerSettings,
    private readonly render: PayloadRenderer,
    private readonly log: FastifyBaseLogger,
    private readonly signingClock: Clock = systemClock,
    private readonly guard: TargetGuard = createTargetGuard(false),
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the attempts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Asks for a poll soon (after a change queued deliveries). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick()
        .catch((err) => this.log.error({ err }, 'webhook worker: poll failed'))
        .finally(() => this.schedule(this.settings.pollMs));
    }, ms);
    this.timer.unref();
  }

  /**
   * Claims and sends every due delivery (up to the concurrency at a time). Returns how many it
   * attempted. Safe to call alongside the poller: claims are atomic.
   */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let attempted = 0;
    try {
      if (this.beforeTick) await this.beforeTick();
      for (;;) {
        const now = this.clock.now();
        const lease = new Date(now.getTime() + this.settings.timeoutMs + 30_000).toISOString();
        const batch = await this.repo.claimDue(now.toISOString(), lease, this.settings.concurrency);
        if (batch.length === 0) break;
        attempted += batch.length;
        await Promise.all(batch.map((d) => this.track(this.attempt(d))));
      }
    } finally {
      this.running = false;
    }
    return attempted;
  }

  /** Sends until nothing is due and nothing is in flight (for tests and graceful operations). */
  async drain(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      while (this.running || this.inFlight.size > 0) {
        await Promise.allSettled([...this.inFlight]);
        await new Promise((r) => setTimeout(r, 5));
      }
      if ((await this.tick()) === 0 && this.inFlight.size === 0 && !this.running) return;
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(delivery: DeliveryRow): Promise<void> {
    const endpoint = await this.repo.endpoint(delivery.endpointId);
    const attempts = delivery.attempts + 1;
    const attemptedAt = this.clock.now().toISOString();
    if (!endpoint || !endpoint.active) {
      await this.repo.recordAttempt(delivery.id, {
        status: 'failed',
        nextAttemptAt: null,
        lastError: endpoint ? 'endpoint disabled' : 'endpoint deleted',
      });
      return;
    }
    let body = delivery.payload;
    let statusCode: number | null = null;
    let error: string | null = null;
    // A target the guard refuses is not retried: nothing was sent, and sending later would be no better.
    let refused = false;
    try {
      if (body === null) {
        // Rendered once, at the first attempt, then frozen: retries send the same bytes.
        const rendered = await this.render(delivery, endpoint);
        if (rendered === null) {
          // Nothing this endpoint may hear of (a photo its key may not see): recorded, never sent.
          await this.repo.recordAttempt(delivery.id, {
            status: 'skipped',
            nextAttemptAt: null,
            lastError: "not sent: the endpoint's key may not see what changed",
          });
          return;
        }
        body = rendered;
        await this.repo.savePayload(delivery.id, body);
      }
      const timestamp = Math.floor(this.signingClock.now().getTime() / 1000);
      const res = await postDelivery(
        endpoint.url,
        {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          ...webhookHeaders(endpoint.secret, delivery.messageId, timestamp, body),
        },
        body,
        { timeoutMs: this.settings.timeoutMs, guard: this.guard, maxResponseBytes: MAX_RESPONSE_BYTES },
      );
      statusCode = res.status;
      // Redirects are not followed: a 3xx is a failed delivery like any other non-2xx.
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 300)}` : ''}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (err instanceof PrivateTargetError) {
        refused = true;
        error = `refused: ${e.message}`;
      } else {
        error =
          e.name === 'TimeoutError' || e.name === 'AbortError'
            ? `timed out after ${this.settings.timeoutMs} ms`
            : `${e.code ?? e.name}: ${e.message}`.slice(0, 300);
      }
    }

    if (error === null) {
      await this.repo.recordAttempt(delivery.id, {
        status: 'delivered',
        attempts,
        lastAttemptAt: attemptedAt,
        lastStatusCode: statusCode,
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: this.clock.now().toISOString(),
      });
      return;
    }
    const giveUp = refused || attempts >= this.settings.maxAttempts;
    const next = giveUp ? null : new Date(this.clock.now().getTime() + retryDelayMs(attempts, this.settings)).toISOString();
    await this.repo.recordAttempt(delivery.id, {
      status: giveUp ? 'failed' : 'pending',
      attempts,
      lastAttemptAt: attemptedAt,
      lastStatusCode: statusCode,
      lastError: error,
      nextAttemptAt: next,
    });
    this.log.warn(
      { deliveryId: delivery.id, endpointId: endpoint.id, attempts, error, nextAttemptAt: next },
      giveUp ? 'webhook delivery failed; giving up' : 'webhook delivery failed; will retry',
    );
  }
}
