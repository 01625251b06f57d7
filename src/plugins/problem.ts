import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { STATUS_CODES } from 'node:http';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConflictError, ReferenceViolationError } from '../db/errors.js';
import { HttpError } from '../lib/httpError.js';
import type { ProblemBody } from '../schemas/problem.js';

const PROBLEM_BASE = 'https://newsdesk.dev/problems/';
const CONTEXT_PREFIX: Record<string, string> = {
  body: '/body',
  querystring: '/query',
  params: '/params',
  headers: '/headers',
};

/** The RFC 9457 body every error path answers with, so they all look the same. */
function problemBody(status: number, detail: string, instance: string, extra: Partial<ProblemBody> = {}): ProblemBody {
  const title = STATUS_CODES[status] ?? 'Error';
  return {
    type: extra.type ?? `${PROBLEM_BASE}${slugOf(title)}`,
    title,
    status,
    detail,
    instance,
    ...(extra.requestId ? { requestId: extra.requestId } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

/** Sends an RFC 9457 problem. Used by every error path so they all look the same. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  extra: Partial<ProblemBody> = {},
): FastifyReply {
  const body = problemBody(status, detail, instanceOf(request.url), { ...extra, requestId: status >= 500 ? String(request.id) : undefined });
  // Error responses are never stored by shared caches.
  reply.header('cache-control', 'no-store');
  return reply.code(status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/**
 * fastify's clientErrorHandler: requests Node's HTTP parser rejects before fastify sees them
 * (headers too large, a malformed request line or header, a request timeout) get a problem too,
 * written straight to the socket.
 */
export function clientErrorProblem(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'The request headers are larger than this server accepts']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request took too long to arrive']
        : [400, 'The request is not valid HTTP'];
  const body = JSON.stringify(problemBody(status, detail, '/'));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** An instance (the request path) short enough to echo: a 414's path may be thousands of characters. */
function instanceOf(url: string): string {
  const path = url.split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * fastify's frameworkErrors: URLs the router refuses before any route or hook runs (a path that is
 * not valid percent-encoding, a parameter longer than maxParamLength, a failed async constraint).
 * fastify would answer these with its own plain JSON; they get a problem like every other error.
 */
export function frameworkErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 500;
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The request path is not valid percent-encoded UTF-8'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'The request path is longer than this server accepts'
        : status >= 500
          ? `The server could not route the request. Quote request id ${request.id} when reporting it.`
          : error.message;
  if (status >= 500) request.log.error({ err: error }, 'routing error');
  // No hook runs for these requests: give them the request id and security headers the others carry.
  if (request.server.hasDecorator('securityHeaders')) reply.headers(request.server.securityHeaders);
  reply.header('x-request-id', request.id);
  sendProblem(request, reply, status, detail);
}

function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '');
}

function pointerFor(context: string | undefined, instancePath: string, params: Record<string, unknown>): string[] {
  const prefix = CONTEXT_PREFIX[context ?? 'body'] ?? `/${context}`;
  // zod reports unknown keys on the parent object: name each one.
  const keys = params?.keys;
  if (Array.isArray(keys) && keys.length > 0) {
    const base = instancePath === '/' ? '' : instancePath;
    return keys.map((k) => `${prefix}${base}/${String(k)}`);
  }
  return [`${prefix}${instancePath === '/' ? '' : instancePath}`];
}

/** Human-readable list of validation failures for `detail`. */
function summarise(errors: { pointer: string; detail: string }[]): string {
  const first = errors.slice(0, 3).map((e) => `${e.pointer}: ${e.detail}`);
  return `The request is invalid. ${first.join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''}`;
}

export default fp(async function problemPlugin(app: FastifyInstance) {
  // A router mirroring the app's routes, so an unmatched request can be told 405 (with Allow) from 404.
  const mirror = FindMyWay();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      try {
        mirror.on(method as 'GET', route.url, () => undefined);
      } catch {
        /* duplicate registration (e.g. HEAD twins): ignore */
      }
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const shown = instanceOf(path);
    const allowed = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => mirror.find(m as 'GET', path));
    if (allowed.length > 0) {
      reply.header('allow', [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', '));
      return sendProblem(request, reply, 405, `${request.method} is not allowed on ${shown}; use ${allowed.join(', ')}`);
    }
    return sendProblem(request, reply, 404, `No resource at ${shown}`);
  });

  app.setErrorHandler((error: FastifyError & { validationContext?: string; headers?: Record<string, string> }, request, reply) => {
    if (error instanceof HttpError) {
      for (const [k, v] of Object.entries(error.extra.headers ?? {})) reply.header(k, v);
      return sendProblem(request, reply, error.statusCode, error.message, {
        errors: error.extra.errors,
        type: error.extra.type,
      });
    }
    // A constraint the database enforced and the service did not word itself (a race it lost).
    if (error instanceof ConflictError || error instanceof ReferenceViolationError) {
      return sendProblem(request, reply, 409, `${error.message}; fetch the current state and try again`);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.flatMap((v) =>
        pointerFor(error.validationContext, v.instancePath, v.params as Record<string, unknown>).map((pointer) => ({
          pointer,
          detail: String(v.message ?? "is invalid"),
        })),
      );
      return sendProblem(request, reply, 400, summarise(errors), { errors });
    }
    if (error.validation) {
      // Validation by a non-zod schema (e.g. a plugin's JSON schema).
      const errors = error.validation.map((v) => ({
        pointer: `${CONTEXT_PREFIX[error.validationContext ?? 'body'] ?? ''}${v.instancePath}`,
        detail: String(v.message ?? 'is invalid'),
      }));
      return sendProblem(request, reply, 400, summarise(errors), { errors });
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      if (error.headers) for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
      return sendProblem(request, reply, status, clientMessage(error));
    }
    request.log.error({ err: error }, 'unhandled error');
    const safeStatus = status >= 500 && status < 600 ? status : 500;
    return sendProblem(
      request,
      reply,
      safeStatus,
      `The server could not complete the request. Quote request id ${request.id} when reporting it.`,
    );
  });
});

/** Framework errors have terse codes; rephrase the ones clients commonly meet. */
function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `The request body is not valid JSON: ${error.message}`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The request body is not as long as its Content-Length header says';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request declares a JSON body but sent none';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than this server accepts';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported Content-Type; send application/json`;
    default:
      return error.message;
  }
}
