import http from 'node:http';
import https from 'node:https';
import { hostOf, type TargetGuard } from './targets.js';

export interface SendOptions {
  timeoutMs: number;
  guard: TargetGuard;
  /** How much of the receiver's answer is read (the rest is not waited for). */
  maxResponseBytes: number;
}

export interface SendResult {
  status: number;
  /** The start of the answer's body (at most maxResponseBytes, decoded as UTF-8). */
  text: string;
}

/**
 * POSTs one delivery. node:http rather than fetch, because the connection's DNS lookup is where the
 * target guard runs (the address checked is the address connected to), and so that redirects are
 * never followed and no more than maxResponseBytes of the answer is read: a receiver that streams
 * an endless body costs one small buffer, not memory until the timeout.
 */
export function postDelivery(url: string, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    // An IP-literal host is connected to without a lookup: judge it here.
    const refusal = options.guard.checkLiteral(hostOf(url));
    if (refusal) return reject(refusal);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: options.guard.lookup,
      // One connection per delivery: no pooled socket outlives the check that allowed it.
      agent: false,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on('error', reject);
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, options.maxResponseBytes) });
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = options.maxResponseBytes - size;
        chunks.push(chunk.subarray(0, Math.max(0, room)));
        size += chunk.length;
        if (size >= options.maxResponseBytes) {
          finish();
          res.destroy();
          request.destroy();
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', () => finish());
    });
    request.end(body);
  });
}
