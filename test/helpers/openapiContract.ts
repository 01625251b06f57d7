import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import FindMyWay from 'find-my-way';

/**
 * Holds the server to its committed document: every response a test receives through app.inject is
 * checked against openapi/openapi.json for its operation, status and content type, and a mismatch
 * fails the test where it happens (the inject call throws, naming the operation and what differs).
 * A client generated from the document then gets what it was told it would get.
 */

const DOC_PATH = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

/** Problems any operation may answer without listing them: framework-level refusals the problem plugin words. */
const ANY_OPERATION = new Set([405, 413, 414, 429, 431, 500, 503]);

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components?: Record<string, unknown>;
};

interface Contract {
  check(method: string, url: string, status: number, contentType: string | undefined, body: string): string | null;
}

let contract: Contract | null = null;

function pointerEscape(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function load(): Contract {
  const doc = JSON.parse(readFileSync(DOC_PATH, 'utf8')) as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  // zod's z.url() (documented as format "uri") accepts what the WHATWG URL parser accepts, which is
  // what browsers and Node take as a URL; ajv-formats' "uri" is the stricter RFC 3986 grammar. Check
  // the promise the server makes: an absolute URL a client's URL parser reads.
  ajv.addFormat('uri', {
    type: 'string',
    validate: (value: string) => {
      try {
        return new URL(value).protocol.length > 1;
      } catch {
        return false;
      }
    },
  });
  ajv.addSchema({ ...doc, $id: 'openapi.json' } as object);
  const router = FindMyWay();
  for (const [path, ops] of Object.entries(doc.paths)) {
    const route = path.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of Object.keys(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      try {
        router.on(method.toUpperCase() as 'GET', route, () => undefined, { path, method });
      } catch {
        /* duplicate */
      }
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let v = compiled.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `openapi.json#${pointer}` });
      compiled.set(pointer, v);
    }
    return v;
  };
  const problemPointer = '/components/schemas/Problem';

  return {
    check(method, url, status, contentType, body) {
      const path = url.split('?')[0];
      // CORS preflights and the document itself (/openapi.json, the /docs UI) are not API operations.
      if (method === 'OPTIONS' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/')) return null;
      const lookup = method === 'HEAD' ? 'GET' : method;
      const found = router.find(lookup as 'GET', path) as { store?: { path: string; method: string } } | null;
      const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
      const isJson = media === 'application/json' || media.endsWith('+json');
      const hasBody = method !== 'HEAD' && status !== 304 && status !== 204 && body.length > 0;
      let pointer: string | null = null;
      let what = `${method} ${path} → ${status}`;
      if (!found?.store) {
        // No operation: only problems are answered (404, 405, refused URLs), and the 301s of old
        // permalinks of imported articles (any path a previous CMS used; README Import and export).
        if (status === 301 && !hasBody) return null;
        if (status < 400) return `${what}: no operation in openapi.json answers this path`;
        pointer = problemPointer;
      } else {
        const { path: opPath, method: opMethod } = found.store;
        const op = doc.paths[opPath][opMethod];
        what = `${opMethod.toUpperCase()} ${opPath} (${op.operationId ?? ''}) → ${status}`;
        if (status === 304 && opMethod === 'get') return null;
        const responses = op.responses ?? {};
        const key = String(status) in responses ? String(status) : `${String(status)[0]}XX` in responses ? `${String(status)[0]}XX` : 'default' in responses ? 'default' : null;
        if (!key) {
          if (ANY_OPERATION.has(status) && media === 'application/problem+json') pointer = problemPointer;
          else return `${what}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`;
        } else {
          const content = responses[key].content;
          if (!hasBody) return null;
          if (!content) return `${what}: answered a ${media || 'body'} but the document says no content`;
          const entry = content[media] ?? content[`${media.split('/')[0]}/*`] ?? content['*/*'];
          if (!entry) return `${what}: content type ${media || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`;
          if (!entry.schema) return null;
          pointer = `/paths/${pointerEscape(opPath)}/${opMethod}/responses/${key}/content/${pointerEscape(media in content ? media : Object.keys(content).find((c) => content[c] === entry)!)}/schema`;
        }
      }
      if (!hasBody) return null;
      if (pointer === problemPointer && media !== 'application/problem+json') return `${what}: an error answered ${media || '(none)'}, not application/problem+json`;
      let value: unknown = body;
      if (isJson) {
        try {
          value = JSON.parse(body);
        } catch {
          return `${what}: ${media} body is not JSON`;
        }
      } else if (!media.startsWith('text/') && !media.includes('xml')) {
        return null; // binary (images): the schema says format binary
      }
      const validate = validator(pointer);
      if (validate(value)) return null;
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      return `${what}: the ${media} body does not match openapi.json: ${errors.join('; ')}`;
    },
  };
}

export class OpenApiMismatch extends Error {}

/** What in a response does not match openapi/openapi.json, or null when it all does. */
export function openApiMismatch(method: string, url: string, status: number, contentType: string | undefined, body: string): string | null {
  contract ??= load();
  return contract.check(method.toUpperCase(), url, status, contentType, body);
}

interface InjectResult {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Wraps app.inject so every response it returns is checked against openapi/openapi.json. */
export function enforceOpenApi<T extends { inject: (...args: any[]) => any }>(app: T): T {
  contract ??= load();
  const original = app.inject.bind(app);
  const wrapped = (...args: any[]) => {
    const [opts] = args;
    if (args.length !== 1 || opts === undefined) return original(...args);
    const method = (typeof opts === 'string' ? 'GET' : String(opts.method ?? 'GET')).toUpperCase();
    const url = typeof opts === 'string' ? opts : String(opts.url ?? opts.path ?? '/');
    return (original(opts) as Promise<InjectResult>).then((res) => {
      const ct = res.headers['content-type'];
      const problem = contract!.check(method, url, res.statusCode, typeof ct === 'string' ? ct : undefined, res.body);
      if (problem) throw new OpenApiMismatch(`OpenAPI contract: ${problem}`);
      return res;
    });
  };
  (app as { inject: unknown }).inject = wrapped;
  return app;
}
