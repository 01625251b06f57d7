import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A real SMTP server on 127.0.0.1 for tests: collects parsed messages. */
export interface TestSmtp {
  /** SMTP_URL for the app. */
  url: string;
  messages: ParsedMail[];
  /** Resolves with the next message to `to` not yet taken (waits up to `timeoutMs`). */
  next(to: string, timeoutMs?: number): Promise<ParsedMail>;
  /** Messages received so far for `to`. */
  to(to: string): ParsedMail[];
  close(): Promise<void>;
}

const recipients = (m: ParsedMail): string[] => {
  const list = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
};

export async function startSmtp(t: Teardown | null): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  let wake: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          const w = wake;
          wake = [];
          for (const fn of w) fn();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const result: TestSmtp = {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (to) => messages.filter((m) => recipients(m).includes(to.toLowerCase())),
    async next(to, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => !taken.has(m) && recipients(m).includes(to.toLowerCase()));
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  t?.teardown(() => result.close());
  return result;
}

/** The one-time token (`ndm_…`) in a mail's text. */
export function tokenIn(mail: { text?: string }): string {
  const m = /ndm_[0-9a-f]{24}_[A-Za-z0-9_-]{43}/.exec(mail.text ?? '');
  if (!m) throw new Error(`no token in mail: ${mail.text}`);
  return m[0];
}
