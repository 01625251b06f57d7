import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseHealth } from '../db/health.js';

const Health = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() }).meta({ id: 'Health' });

export const opsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', {
    config: { access: 'public', rateLimit: false },
    schema: { tags: ['Operations'], summary: 'Liveness: the process is up', description: 'Answers 200 while the process runs; touches nothing else (for a container or load-balancer liveness probe).', response: { 200: Health } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' as const };
  });

  app.get('/readyz', {
    config: { access: 'public', rateLimit: false },
    schema: {
      tags: ['Operations'],
      summary: 'Readiness: the database answers and every migration is applied',
      description: 'Answers 200 when a query on the database succeeds and every migration is applied, 503 (with the failing check) otherwise.',
      response: { 200: Health, 503: Health },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const { database, migrations } = await databaseHealth(app.db);
    const ok = database === 'ok' && migrations === 'ok';
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: { database, migrations } });
  });
};
