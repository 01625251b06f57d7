import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfMatchHeaders, assertIfMatch, versionFromIfMatch } from '../schemas/common.js';
import { setNextLink } from '../schemas/pagination.js';
import { problemResponses } from '../schemas/problem.js';
import { Section, SectionCreate, SectionList, SectionListQuery, SectionParams, SectionUpdate } from './schemas.js';
import { sectionKey } from '../lib/surrogateKeys.js';
import type { SectionsService } from './service.js';

const tags = ['Sections'];

export const sectionsRoutes: FastifyPluginAsyncZod<{ sections: SectionsService }> = async (app, { sections }) => {

  app.get('/v1/sections', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'List sections',
      description: 'All sections in navigation order, paged by cursor.',
      querystring: SectionListQuery,
      response: { 200: SectionList, ...problemResponses(400, 401) },
    },
  }, async (request, reply) => {
    const result = await sections.list(request.query.limit, request.query.cursor);
    setNextLink(request, reply, result.meta.nextCursor);
    reply.surrogateKeys(['sections']);
    return result;
  });

  app.get('/v1/sections/:slug', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Get a section',
      description: 'Public. One section by slug, with an ETag (`"v{version}"`) that If-None-Match and If-Match accept.',
      params: SectionParams,
      response: { 200: Section, ...problemResponses(400, 401, 404) },
    },
  }, async (request, reply) => {
    const section = await sections.get(request.params.slug);
    reply.header('etag', `"v${section.version}"`).surrogateKeys([sectionKey(section.id)]);
    return section;
  });

  app.post('/v1/sections', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Create a section',
      description: 'Admin only. The slug is made from the name when omitted.',
      body: SectionCreate,
      response: { 201: Section, ...problemResponses(400, 401, 403, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const section = await sections.create(request.body);
    reply.header('etag', `"v${section.version}"`).header('location', `/v1/sections/${section.slug}`);
    return reply.code(201).send(section);
  });

  app.patch('/v1/sections/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Update a section',
      description: 'Admin only. Send `If-Match` with the ETag from a GET to refuse the change (412) if someone else changed the section meanwhile.',
      params: SectionParams,
      headers: IfMatchHeaders,
      body: SectionUpdate,
      response: { 200: Section, ...problemResponses(400, 401, 403, 404, 409, 412, 415) },
    },
  }, async (request, reply) => {
    const section = await sections.update(request.params.slug, request.body, versionFromIfMatch(request.headers['if-match']));
    reply.header('etag', `"v${section.version}"`);
    return section;
  });

  app.delete('/v1/sections/:slug', {
    config: { access: 'admin' },
    schema: {
      tags,
      summary: 'Delete a section',
      description: 'Admin only. Refused with 409 while articles are filed under the section; with `If-Match`, 412 if the section changed since you read it.',
      params: SectionParams,
      headers: IfMatchHeaders,
      response: { 204: z.undefined().describe('Deleted'), ...problemResponses(400, 401, 403, 404, 409, 412) },
    },
  }, async (request, reply) => {
    assertIfMatch(versionFromIfMatch(request.headers['if-match']), (await sections.get(request.params.slug)).version, 'section');
    await sections.delete(request.params.slug);
    return reply.code(204).send();
  });
};
