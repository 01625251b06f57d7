import { PLANS_KEY } from '../../lib/surrogateKeys.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isAdmin } from '../../access/identity.js';
import { IfMatchHeaders, versionFromIfMatch } from '../../schemas/common.js';
import { setNextLink } from '../../schemas/pagination.js';
import { problemResponses } from '../../schemas/problem.js';
import { Plan, PlanCreate, PlanList, PlanListQuery, PlanParams, PlanUpdate } from './schemas.js';
import { toPlan, type PlansService } from './service.js';

const tags = ['Subscriptions'];

export function plansRoutes(plans: PlansService): FastifyPluginAsyncZod {
  return async (app) => {

    app.get('/v1/plans', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'List plans',
        description: 'The plans readers can choose, in display order. Admins also see retired (inactive) plans.',
        querystring: PlanListQuery,
        response: { 200: PlanList, ...problemResponses(400, 401) },
      },
    }, async (request, reply) => {
      const result = await plans.list(request.query.limit, request.query.cursor, isAdmin(request.identity));
      setNextLink(request, reply, result.meta.nextCursor);
      reply.surrogateKeys([PLANS_KEY]);
      return result;
    });

    app.get('/v1/plans/:slug', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Get a plan',
        description: 'Public. One plan by slug: price in minor units, interval, the access levels it opens and archive access.',
        params: PlanParams,
        response: { 200: Plan, ...problemResponses(400, 401, 404) },
      },
    }, async (request, reply) => {
      const plan = await plans.get(request.params.slug, isAdmin(request.identity));
      reply.header('etag', `"v${plan.version}"`).surrogateKeys([PLANS_KEY]);
      return toPlan(plan);
    });

    app.post('/v1/plans', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a plan',
        description: 'Admin only. Prices are in minor units (cents). A plan opening `subscribers` also opens `registered`.',
        body: PlanCreate,
        response: { 201: Plan, ...problemResponses(400, 401, 403, 409, 415, 422) },
      },
    }, async (request, reply) => {
      const plan = await plans.create(request.body);
      reply.header('etag', `"v${plan.version}"`).header('location', `/v1/plans/${plan.slug}`);
      return reply.code(201).send(plan);
    });

    app.patch('/v1/plans/:slug', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Update a plan',
        description: 'Admin only. Honours `If-Match`. Set `active: false` to retire a plan without touching its subscribers. The free plan stays free and active.',
        params: PlanParams,
        headers: IfMatchHeaders,
        body: PlanUpdate,
        response: { 200: Plan, ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422) },
      },
    }, async (request, reply) => {
      const plan = await plans.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']));
      reply.header('etag', `"v${plan.version}"`).surrogateKeys([PLANS_KEY]);
      return plan;
    });

    app.delete('/v1/plans/:slug', {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a plan',
        description: 'Admin only. Refused with 409 while subscriptions use the plan (retire it instead), and always for the free plan.',
        params: PlanParams,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(401, 403, 404, 409) },
      },
    }, async (request, reply) => {
      await plans.delete(request.params.slug);
      return reply.code(204).send();
    });
  };
}
