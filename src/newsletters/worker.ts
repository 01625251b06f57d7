import type { FastifyBaseLogger } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { NewsletterRow } from './repository.js';
import type { SendsService } from './sends.js';
import type { DeliveryRow, RenditionRow, SendsRepository } from './sendsRepository.js';

/** The sender of a newsletter: its own name and address, else MAIL_FROM's. */
export function senderOf(n: NewsletterRow, mailFrom: string): string | { name: string; address: string } {
  if (!n.senderName && !n.senderEmail) return mailFrom;
  const fromAddress = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  const fromName = /^\s*"?([^"<]*?)"?\s*</.exec(mailFrom)?.[1] ?? '';
  return { name: n.senderName ?? fromName, address: n.senderEmail ?? fromAddress };
}

/** The DKIM options for nodemailer when a key is configured (DKIM_PRIVATE_KEY: the PEM, or a path to it). */
export function dkimOptions(config: Config): { domainName: string; keySelector: string; privateKey: string } | undefined {
  if (!config.DKIM_DOMAIN || !config.DKIM_SELECTOR || !config.DKIM_PRIVATE_KEY) return undefined;
  const key = config.DKIM_PRIVATE_KEY.includes('-----BEGIN') ? config.DKIM_PRIVATE_KEY : readFileSync(config.DKIM_PRIVATE_KEY, 'utf8');
  return { domainName: config.DKIM_DOMAIN, keySelector: config.DKIM_SELECTOR, privateKey: key };
}

/**
 * Headers handed to nodemailer as written (it would otherwise encode List-Id's quotes as an
 * encoded word); only ASCII ones — anything else is left to nodemailer to encode.
 */
export function preparedHeaders(headers: Record<string, string>): Record<string, string | { prepared: true; value: string }> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, /^[\x20-\x7e]*$/.test(v) ? { prepared: true as const, value: v } : v]));
}

/** Delay before the next try after `attempts` temporary failures: base · 2^(attempts−1), at most a day. */
export function backoffMs(attempts: number, baseSeconds: number): number {
  return Math.min(86_400, baseSeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
}

/**
 * The newsletter delivery worker: starts scheduled sends whose story went live, then takes due
 * deliveries from the queue in batches and sends them — through SMTP_URL over a nodemailer pool
 * (NEWSLETTER_SMTP_CONNECTIONS connections, NEWSLETTER_RATE_PER_SECOND messages a second), or,
 * without SMTP_URL, into the outbox (in the same transaction that marks them sent). Temporary SMTP
 * failures (4xx, lost connections) are retried with backoff up to NEWSLETTER_MAX_ATTEMPTS; a 5xx is
 * permanent and puts the address on the suppression list. See the queue's contract in
 * sendsRepository.ts for what a crash leaves and how `recover` resumes (run once at start: one
 * worker per database).
 */
export class NewsletterWorker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<void> | null = null;
  private transport: Transporter | null = null;

  constructor(
    private readonly repo: SendsRepository,
    private readonly sends: SendsService,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {}

  async start(): Promise<void> {
    if (!this.stopped) return;
    const { requeued, interrupted } = await this.repo.recover();
    if (requeued || interrupted) this.log.warn({ requeued, interrupted }, 'newsletter deliveries resumed after a stop: interrupted ones may have been delivered and are not sent again');
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.transport?.close();
    this.transport = null;
  }

  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) return this.schedule(50);
      this.running = this.tick()
        .then((more) => this.schedule(more ? 0 : this.config.NEWSLETTER_POLL_MS))
        .catch((err) => {
          this.log.error({ err }, 'newsletter worker tick failed');
          this.schedule(this.config.NEWSLETTER_POLL_MS);
        })
        .finally(() => {
          this.running = null;
        });
    }, ms);
    this.timer.unref?.();
  }

  private smtp(): Transporter | null {
    if (!this.config.SMTP_URL) return null;
    if (!this.transport) {
      const rate = this.config.NEWSLETTER_RATE_PER_SECOND;
      this.transport = nodemailerModule!.createTransport({
        url: this.config.SMTP_URL,
        pool: true,
        maxConnections: this.config.NEWSLETTER_SMTP_CONNECTIONS,
        maxMessages: 1000,
        ...(rate > 0 ? { rateLimit: rate, rateDelta: 1000 } : {}),
        ...(dkimOptions(this.config) ? { dkim: dkimOptions(this.config) } : {}),
      } as Parameters<NonNullable<typeof nodemailerModule>['createTransport']>[0]);
    }
    return this.transport;
  }

  /** One round: due scheduled sends start, one batch is delivered. True when more may be due now. */
  async tick(): Promise<boolean> {
    // nodemailer is loaded with the first send, not at start (as the subscriptions mailer does).
    if (this.config.SMTP_URL && !nodemailerModule) nodemailerModule = (await import('nodemailer')).default;
    await this.sends.startDue();
    const now = this.clock.now().toISOString();
    const batch = await this.repo.claim(this.config.NEWSLETTER_BATCH_SIZE, now);
    const renditions = new Map<string, Promise<RenditionRow | undefined>>();
    const letters = new Map<number, Promise<{ newsletter: NewsletterRow }>>();
    // As many lanes as pooled connections: a delivery is marked `sending` only when a connection
    // is free to take it, so a crash leaves at most one mail in doubt per connection.
    const lanes = this.config.SMTP_URL ? this.config.NEWSLETTER_SMTP_CONNECTIONS : 8;
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(lanes, batch.length) }, async () => {
      while (next < batch.length) {
        const d = batch[next++];
        await this.deliver(d, renditions, letters).catch((err) => this.log.error({ err, delivery: d.id }, 'newsletter delivery crashed'));
      }
    }));
    await this.repo.finishSends(this.clock.now().toISOString());
    return batch.length === this.config.NEWSLETTER_BATCH_SIZE;
  }

  /** Runs rounds until nothing is due (tests, the CLI). */
  async drain(): Promise<void> {
    await this.running;
    while (await this.tick()) { /* more */ }
  }

  private async deliver(
    d: DeliveryRow,
    renditions: Map<string, Promise<RenditionRow | undefined>>,
    letters: Map<number, Promise<{ newsletter: NewsletterRow }>>,
  ): Promise<void> {
    const key = `${d.sendId}:${d.audience}`;
    if (!renditions.has(key)) renditions.set(key, this.repo.rendition(d.sendId, d.audience));
    if (!letters.has(d.sendId)) {
      letters.set(d.sendId, this.repo.byId(d.sendId).then(async (s) => ({ newsletter: await this.sends.newsletterById(s!.newsletterId) })));
    }
    const [rendition, { newsletter }] = await Promise.all([renditions.get(key), letters.get(d.sendId)!]);
    if (!rendition) return this.repo.fail(d.id, 'no rendition for this audience', null);
    // Suppressed or unsubscribed since the send started: not mailed.
    if ((await this.repo.isSuppressed(d.email)) || !(await this.repo.stillSubscribed(d.subscriberId, newsletter.id))) return this.repo.markSuppressed(d.id);

    const url = this.sends.unsubscribeUrl(d.subscriberId, newsletter.id);
    const body = this.sends.personalise(rendition, url);
    const at = this.clock.now().toISOString();
    const transport = this.smtp();
    if (!transport) {
      return this.repo.deliverToOutbox(d.id, {
        subscriberId: d.subscriberId, toAddress: d.email, kind: 'newsletter', subject: rendition.subject,
        textBody: body.text, htmlBody: body.html, status: 'outbox', createdAt: at,
      }, at);
    }
    await this.repo.markSending(d.id);
    try {
      await transport.sendMail({
        from: senderOf(newsletter, this.config.MAIL_FROM),
        to: d.email,
        ...(newsletter.replyTo ? { replyTo: newsletter.replyTo } : {}),
        subject: rendition.subject,
        text: body.text,
        html: body.html,
        headers: preparedHeaders(this.sends.listHeaders(newsletter, url)),
      });
      await this.repo.markSent(d.id, this.clock.now().toISOString());
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      const message = err instanceof Error ? err.message : String(err);
      const attempts = d.attempts + 1;
      if (code !== undefined && code >= 500) {
        await this.repo.fail(d.id, message, { email: d.email, at: this.clock.now().toISOString() });
        this.log.warn({ delivery: d.id, code }, 'newsletter mail refused permanently: address suppressed');
      } else if (attempts >= this.config.NEWSLETTER_MAX_ATTEMPTS) {
        await this.repo.fail(d.id, message, null);
      } else {
        const next = new Date(this.clock.now().getTime() + backoffMs(attempts, this.config.NEWSLETTER_RETRY_BASE_SECONDS)).toISOString();
        await this.repo.retryLater(d.id, next, message);
      }
    }
  }
}

let nodemailerModule: typeof import('nodemailer').default | null = null;
