import { readFileSync } from 'node:fs';
import t from 'tap';
import { buildTestApp } from './helpers/app.js';
import { OpenApiMismatch, openApiMismatch } from './helpers/openapiContract.js';

t.test('the suite holds every response to openapi/openapi.json', async (t) => {
  const problem = JSON.stringify({ type: 'https://newsdesk.dev/problems/not-found', title: 'Not Found', status: 404, detail: 'x', instance: '/v1/sections/x' });
  t.equal(openApiMismatch('GET', '/v1/sections/x', 404, 'application/problem+json; charset=utf-8', problem), null, 'a documented problem passes');
  t.match(openApiMismatch('GET', '/v1/sections/x', 404, 'application/json', problem), /content type application\/json is not documented/, 'an error as plain JSON is caught');
  t.match(openApiMismatch('GET', '/v1/sections/x', 200, 'application/json', JSON.stringify({ id: 'not a number' })), /does not match openapi.json/, 'a body off its schema is caught');
  t.match(openApiMismatch('GET', '/v1/sections/x', 418, 'application/problem+json', problem), /status 418 is not documented/, 'an undocumented status is caught');
  t.match(openApiMismatch('GET', '/v1/no-such-thing', 200, 'application/json', '{}'), /no operation/, 'a path the document does not have is caught');
  t.match(openApiMismatch('GET', '/v1/nothing', 404, 'application/json', '{"error":"x"}'), /not application\/problem\+json/, 'an unrouted error must be a problem too');

  const feed = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', home_page_url: 'h', feed_url: 'f', description: 'd', language: 'en', _newsdesk: { copyright: 'c', usageTerms: null }, items: [], extra: 1 });
  t.match(openApiMismatch('GET', '/v1/feeds/feed.json', 200, 'application/feed+json', feed), /additional properties \(extra\)/, 'a field the schema forbids is named');

  // Through app.inject: a test that receives a response off the document fails at that call.
  const { app } = await buildTestApp(t);
  const ok = await app.inject({ url: '/v1/sections' });
  t.equal(ok.statusCode, 200, 'documented responses pass through');
  const feedRes = await app.inject({ url: '/v1/feeds/feed.json' });
  t.equal(feedRes.statusCode, 200, 'the JSON Feed, description, language and _newsdesk included, matches its schema');
  const ninjs = await app.inject({ url: '/v1/articles/no-such-story', headers: { accept: 'application/ninjs+json' } });
  t.equal(ninjs.statusCode, 404);
  t.ok(OpenApiMismatch.prototype instanceof Error);
});

t.test('what the issue found a generated client tripping on is documented', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const doc = JSON.parse(readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8'));
  t.equal(doc.paths['/v1/articles/{slug}/publish'].post.requestBody.required, false, 'the publish body is optional in the document');
  t.ok(doc.paths['/v1/articles/{slug}'].get.responses['200'].content['application/ninjs+json'], 'ninjs is documented on GET /v1/articles/{slug}');
  const feedSchema = doc.paths['/v1/feeds/{file}'].get.responses['200'].content['application/feed+json'].schema;
  for (const key of ['description', 'language', '_newsdesk']) t.ok(feedSchema.properties[key], `the JSON Feed schema has ${key}`);

  await app.inject({ method: 'POST', url: '/v1/sections', headers: admin, payload: { name: 'World' } });
  const draft = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { headline: 'Harbour wall gives way', section: 'world', bodyMarkdown: 'The wall fell, the agency said.' } });
  const { slug } = JSON.parse(draft.body);
  // Each response below is validated by the suite's hook: a drift fails the inject call itself.
  for (const headers of [{}, { 'content-type': 'application/json' }]) {
    const published = await app.inject({ method: 'POST', url: `/v1/articles/${slug}/publish`, headers: { ...admin, ...headers }, ...(headers['content-type'] ? { payload: '' } : {}) });
    t.equal(published.statusCode, 200, 'publish without a body');
  }
  const asNinjs = await app.inject({ url: `/v1/articles/${slug}`, headers: { accept: 'application/ninjs+json' } });
  t.equal(asNinjs.statusCode, 200);
  t.match(asNinjs.headers['content-type'], /^application\/ninjs\+json/);
  const feed = await app.inject({ url: '/v1/feeds/feed.json' });
  t.equal(JSON.parse(feed.body).items.length, 1);
  t.ok(JSON.parse(feed.body)._newsdesk, 'the feed carries _newsdesk, and its schema says so');
});
