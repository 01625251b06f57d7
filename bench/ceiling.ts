/**
 * The ceiling: a bare fastify server that answers each benchmark request with exactly the status,
 * headers and bytes Newsdesk returned for it, from memory. It runs in its own process (as
 * Newsdesk does) so that it does not share an event loop with the load generator.
 *
 * Usage (by bench/run.ts): node --import tsx bench/ceiling.ts <responses.json>; prints the port.
 * Each request names its scenario in `x-bench-scenario`; the answer is looked up by scenario and URL.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: string; // base64
}

const table = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Record<string, Record<string, Recorded>>;
const answers = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
for (const [scenario, byUrl] of Object.entries(table)) {
  for (const [url, r] of Object.entries(byUrl)) {
    answers.set(`${scenario} ${url}`, { status: r.status, headers: r.headers, body: Buffer.from(r.body, 'base64') });
  }
}

const app = Fastify({ logger: false });
app.get('/*', (request, reply) => {
  const found = answers.get(`${request.headers['x-bench-scenario']} ${request.url}`);
  if (!found) return reply.code(404).send();
  reply.code(found.status).headers(found.headers);
  return reply.send(found.status === 304 ? undefined : found.body);
});
app.listen({ host: '127.0.0.1', port: 0 }).then(() => {
  const address = app.server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
