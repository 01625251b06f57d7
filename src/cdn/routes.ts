import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cursorQuery, decodeCursor, encodeCursor, limitQuery, ListMeta, setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import type { CdnRepository, PurgeRow } from './repository.js';

const tags = ['CDN'];

const PurgeTargetResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable().describe('HTTP status the target answered (null: no answer)'),
  error: z.string().nullable(),
  at: z.string().describe('When this target was last tried'),
});

export const CdnPurge = z
  .object({
    id: z.number().int(),
    keys: z.array(z.string()).describe('Surrogate keys purged (see README "Behind a CDN")'),
    hard: z.boolean().describe('true: dropped (unpublish, delete, expiry); false: marked stale'),
    reason: z.string().describe('What caused it, e.g. article.publish, tag.update, time.live, manual'),
    status: z.enum(['pending', 'done', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    results: z.record(z.string(), PurgeTargetResult).describe('Per CDN_PURGE_URLS target, its last attempt'),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'CdnPurge' });

const CdnPurgeList = z.object({ data: z.array(CdnPurge), meta: ListMeta }).meta({ id: 'CdnPurgeList' });

const CdnPurgeQuery = z.strictObject({
  status: z.enum(['pending', 'done', 'failed']).optional().describe('Only purges in this state (failed: gave up)'),
  limit: limitQuery,
  cursor: cursorQuery,
});

const CdnPurgeCreate = z
  .strictObject({
    keys: z.array(z.string().min(1).max(200).regex(/^[A-Za-z0-9:._-]+$/, 'keys are letters, digits and : . _ -')).min(1).max(256),
    hard: z.boolean().default(false),
  })
  .meta({ id: 'CdnPurgeCreate' });

const toPurge = (r: PurgeRow) => ({ ...r, results: r.results ?? {} });

export function cdnRoutes(repo: CdnRepository, kick: () => void): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/admin/cdn/purges', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'List CDN purges',
        description:
          'Admin only. Recent purges, newest first: the keys, hard or soft, why, and per purge target (CDN_PURGE_URLS) ' +
          'what it answered. `status=failed` lists the ones given up after CDN_PURGE_MAX_ATTEMPTS. Finished purges are ' +
          'kept CDN_PURGE_RETENTION_DAYS.',
        querystring: CdnPurgeQuery,
        response: { 200: CdnPurgeList, ...problemResponses(400, 401, 403) },
      },
    }, async (request, reply) => {
      const before = request.query.cursor ? decodeCursor(request.query.cursor, z.tuple([z.number().int().positive()]))[0] : null;
      const rows = await repo.list({ status: request.query.status }, request.query.limit + 1, before);
      const page = rows.slice(0, request.query.limit);
      const nextCursor = rows.length > request.query.limit ? encodeCursor([page[page.length - 1].id]) : null;
      setNextLink(request, reply, nextCursor);
      reply.header('cache-control', 'private, no-store');
      return { data: page.map(toPurge), meta: { nextCursor } };
    });

    app.post('/v1/admin/cdn/purges', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Purge keys by hand',
        description: 'Admin only. Queues a purge of these surrogate keys (`["all"]`: everything) to every purge target. Answers 202.',
        body: CdnPurgeCreate,
        response: { 202: z.object({ queued: z.literal(true) }), ...problemResponses(400, 401, 403, 415) },
      },
    }, async (request, reply) => {
      await repo.enqueue(request.body.keys, request.body.hard, 'manual', app.clock.now().toISOString());
      kick();
      return reply.code(202).header('cache-control', 'private, no-store').send({ queued: true as const });
    });
  };
}
