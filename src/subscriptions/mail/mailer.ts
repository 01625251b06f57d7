import type { FastifyBaseLogger } from 'fastify';
import type { Transporter } from 'nodemailer';
import type { Clock } from '../../lib/clock.js';
import type { OutboxRepository } from './repository.js';

/**
 * Sends what the outbox holds. Every mail is first written to `mail_outbox` in the same
 * transaction as the change that caused it (so a rolled-back sign-up sends nothing), then:
 * - with SMTP_URL: delivered through nodemailer after the commit, in the background (a slow mail
 *   server never holds a request, and response times do not tell whether an address exists);
 *   once delivered, the stored body is dropped;
 * - without SMTP_URL: it stays in the outbox for admins (GET /v1/admin/outbox), and the log says
 *   a mail is waiting — never its token.
 */
export interface Mailer {
  /** Initial status for a new outbox row. */
  readonly initialStatus: 'queued' | 'outbox';
  /** Delivers outbox rows written by a committed transaction. */
  dispatch(outboxIds: number[]): void;
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createMailer(options: { smtpUrl?: string; from: string; outbox: OutboxRepository; clock: Clock; log: FastifyBaseLogger }): Mailer {
  const { outbox } = options;
  const smtpUrl = options.smtpUrl;
  // nodemailer is loaded with the first mail, not at start.
  let transport: Promise<Transporter> | null = null;
  const transportFor = (url: string) => (transport ??= import('nodemailer').then((m) => m.default.createTransport(url)));
  const inFlight = new Set<Promise<void>>();

  async function deliver(id: number): Promise<void> {
    const mail = await outbox.byId(id);
    if (!mail) return;
    if (!smtpUrl) {
      options.log.info({ outboxId: id, kind: mail.kind }, 'a mail is waiting in the outbox: GET /v1/admin/outbox (admin key)');
      return;
    }
    try {
      await (await transportFor(smtpUrl)).sendMail({
        from: options.from,
        to: mail.toAddress,
        subject: mail.subject,
        text: mail.textBody ?? '',
        html: mail.htmlBody ?? undefined,
      });
      await outbox.markSent(id, options.clock.now().toISOString());
      options.log.info({ outboxId: id, kind: mail.kind }, 'mail sent');
    } catch (err) {
      // The SMTP error names the server's complaint, never the message body.
      const message = err instanceof Error ? err.message : String(err);
      await outbox.markFailed(id, message);
      options.log.warn({ outboxId: id, kind: mail.kind, error: message }, 'mail could not be sent');
    }
  }

  return {
    initialStatus: smtpUrl ? 'queued' : 'outbox',
    dispatch(ids) {
      for (const id of ids) {
        const p = deliver(id).catch((err) => options.log.error({ err, outboxId: id }, 'mail delivery crashed'));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      await this.idle();
      if (transport) (await transport).close();
    },
  };
}
