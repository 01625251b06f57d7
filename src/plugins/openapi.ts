import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** Where the docs UI lives; its pages and assets are not API routes (no access declaration). */
export const DOCS_PREFIX = '/docs';

/** OpenAPI 3.1 generated from the routes' zod schemas; served at /openapi.json with docs at /docs. */
export default fp(async function openapiPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Newsdesk API',
        version: '1.0.0',
        description:
          'Headless content API for news publishers: articles, photos and subscription access. ' +
          'Errors are RFC 9457 application/problem+json. Lists are cursor-paged (`limit`, `cursor`, `meta.nextCursor`, `Link`). ' +
          'Every GET has an ETag and answers If-None-Match with 304.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: app.config.PUBLIC_BASE_URL }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key (`ndk_…`, admin or syndication scope) or a subscriber session token (`nds_…`, from POST /v1/auth/session).',
          },
        },
      },
      tags: [
        { name: 'Articles', description: 'Articles: structured bodies (blocks, html, text), workflow, revisions, corrections; the teaser and paywall for callers without access' },
        { name: 'Authors', description: 'Writers credited in bylines' },
        { name: 'Tags', description: 'Topic tags' },
        { name: 'Search', description: 'Full-text search (ranked, highlighted, paywall-safe) and search-box suggestions' },
        { name: 'Sections', description: 'Sections of the publication' },
        { name: 'Photos', description: 'Photo library: upload with IPTC/XMP/EXIF metadata, editing, renditions for srcset' },
        { name: 'Operations', description: 'Health and readiness probes' },
        { name: 'Subscriptions', description: 'Plans, sign-up and confirmation, the admin side of subscribers, the mail outbox, and the payment provider webhook' },
        { name: 'Auth', description: 'Passwordless sign-in: a one-time link by mail, exchanged for a bearer session token (nds_…)' },
        { name: 'Me', description: 'The signed-in subscriber: plan, entitlements, meter, profile, cancellation, erasure' },
        { name: 'Syndication', description: 'RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds, IPTC ninjs 3.1, sitemaps; gated articles as teasers unless a partner licence covers them' },
        { name: 'Change feed', description: 'Every change in commit order, with tombstones, for partners that stay in sync without re-crawling' },
        { name: 'API keys', description: 'Admin: API keys, partner licences, feed tokens' },
        { name: 'Webhooks', description: 'Admin: signed webhook endpoints (Standard Webhooks) and their delivery log' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => commonResponses(problemContentType(jsonSchemaTransformObject(input))),
  });

  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: { docExpansion: 'list', deepLinking: true },
    staticCSP: true,
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300').surrogateKeys(['docs']);
    return app.swagger();
  });
});

/** The document of a ready app as committed at openapi/openapi.json (2-space JSON, final newline). */
export function openApiText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

type OpenApiDoc = ReturnType<typeof jsonSchemaTransformObject>;

/** Error responses are served as application/problem+json; say so in the document. */
function problemContentType(doc: OpenApiDoc): OpenApiDoc {
  const paths = (doc as { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && response.content) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
  return doc;
}

type Operation = { parameters?: unknown[]; requestBody?: unknown; responses?: Record<string, unknown> };

/**
 * @fastify/swagger marks every request body required. A body whose schema also accepts null is
 * optional on the wire (an empty JSON body means "no body": POST …/publish with nothing to say), so
 * the document says so.
 */
function optionalBody(operation: Operation): void {
  const body = operation.requestBody as { required?: boolean; content?: Record<string, { schema?: { anyOf?: { type?: unknown }[] } }> };
  const schemas = Object.values(body.content ?? {}).map((c) => c.schema);
  if (schemas.length > 0 && schemas.every((schema) => schema?.anyOf?.some((s) => s.type === 'null'))) body.required = false;
}

const problemRef = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * Responses every operation can give, whatever its own schema lists: app-wide hooks answer them
 * (the auth plugin, the rate limiter, the ETag/304 layer, the error handler). Documented here
 * once so no route can forget them.
 */
function commonResponses(doc: OpenApiDoc): OpenApiDoc {
  const paths = (doc as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const responses = (operation.responses ??= {});
      const add = (status: string, response: unknown) => {
        if (!(status in responses)) responses[status] = response;
      };
      if (method === 'get') add('304', { description: 'Not modified: the ETag in If-None-Match still matches' });
      // Any path may be refused before routing (not valid percent-encoding: 400; a segment too long: 414).
      add('400', problemRef('Bad request: invalid parameters or body (problem+json with errors[]), or a path that is not valid percent-encoding'));
      add('414', problemRef('A path segment is longer than this server accepts'));
      if (operation.requestBody) {
        add('413', problemRef('The request body is larger than BODY_LIMIT_BYTES'));
        add('415', problemRef('Unsupported Content-Type or Content-Encoding (send uncompressed JSON)'));
        optionalBody(operation);
      }
      add('401', problemRef('An Authorization header was sent with an unknown, expired or revoked token'));
      add('429', problemRef('Too many requests (when rate limiting is on); see Retry-After'));
      add('500', problemRef('Unexpected server error: no internals, only a requestId that is also in the log'));
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return doc;
}
