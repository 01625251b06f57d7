import { validate } from '@readme/openapi-parser';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { generateOpenApi } from '../src/cli/openapiDocument.js';
import { buildTestApp, json } from './helpers/app.js';

t.test('the committed openapi/openapi.json is what the code generates', async (t) => {
  const committed = readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
  const generated = await generateOpenApi();
  t.ok(committed === generated, 'openapi/openapi.json is stale: run `npm run openapi` and commit the result');
});

t.test('the document is valid OpenAPI 3.1 and describes every operation', async (t) => {
  const doc = JSON.parse(await generateOpenApi());
  t.equal(doc.openapi, '3.1.0');
  const result = await validate(structuredClone(doc));
  t.ok(result.valid, `validates: ${JSON.stringify((result as { errors?: unknown }).errors ?? '')}`);
  t.ok(doc.components.schemas.Problem, 'Problem is a named component');
  t.ok(doc.components.securitySchemes.bearerAuth, 'declares the bearer security scheme');
  for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      t.ok(op.summary, `${method.toUpperCase()} ${path} has a summary`);
      t.ok(op.description, `${method.toUpperCase()} ${path} has a description`);
      for (const s of ['401', '429', '500']) t.ok(op.responses[s], `${method.toUpperCase()} ${path} documents ${s}`);
      if (method === 'get') t.ok(op.responses['304'], `GET ${path} documents 304 (If-None-Match)`);
      if (op.parameters?.length || op.requestBody) t.ok(op.responses['400'], `${method.toUpperCase()} ${path} documents 400 for bad parameters`);
      t.ok(op.tags?.length, `${method.toUpperCase()} ${path} has tags`);
      if (path.startsWith('/v1/')) {
        const errorStatuses = Object.keys(op.responses).filter((s) => Number(s) >= 400);
        t.ok(errorStatuses.length > 0, `${method.toUpperCase()} ${path} documents its error responses`);
        for (const s of errorStatuses) t.ok(op.responses[s].content?.['application/problem+json'], `${method.toUpperCase()} ${path} ${s} is problem+json`);
      }
    }
  }
});

t.test('/openapi.json and /docs are served', async (t) => {
  const { app } = await buildTestApp(t);
  const res = await app.inject({ url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.equal(json(res).openapi, '3.1.0');
  const docs = await app.inject({ url: '/docs' });
  t.ok([200, 302].includes(docs.statusCode), 'docs page answers');
  const page = await app.inject({ url: '/docs/' });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
});
