import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP server whose answer to each recipient a test decides (550 bounce, 451 try later), counting what it accepted. */
export async function startSink(t: { teardown(fn: () => unknown): void }, options: { rcpt?: (address: string) => number | null; delayMs?: number; parse?: boolean } = {}) {
  const received: { to: string; mail?: ParsedMail }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const code = options.rcpt?.(address.address.toLowerCase()) ?? null;
      if (code === null) return callback();
      const err = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code });
      callback(err);
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const done = (mail?: ParsedMail) => {
        const finish = () => {
          for (const a of to) received.push({ to: a, mail });
          callback();
        };
        if (options.delayMs) setTimeout(finish, options.delayMs);
        else finish();
      };
      if (options.parse === false) {
        stream.on('data', () => {});
        stream.on('end', () => done());
      } else simpleParser(stream).then(done, (err: Error) => callback(err));
    },
  });
  // A client killed mid-conversation (the crash test) resets its connection: not the server's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${port}`, received, count: (to: string) => received.filter((r) => r.to === to).length };
}
