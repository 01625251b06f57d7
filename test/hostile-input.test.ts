import t from 'tap';
import { seedSampleContent } from '../src/seed/index.js';
import { buildTestApp } from './helpers/app.js';

/**
 * Every operation in the OpenAPI document, called with hostile path parameters, query values
 * and bodies, as an anonymous caller and as an admin: the server answers 4xx problem+json (or
 * a success), never a 5xx, and keeps serving.
 */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  'NaN',
  "' OR 1=1 --",
  '"; DROP TABLE articles; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '<script>alert(1)</script>',
  'ｆｕｌｌｗｉｄｔｈ',
  '💥🔥',
  'NEAR(a b',
  '"unbalanced',
  '*',
  'a'.repeat(5000),
];

const HOSTILE_BODIES: unknown[] = [
  {},
  [],
  null,
  'a string',
  12345,
  { __proto__: { admin: true } },
  { name: { nested: { deeper: [1, 2, 3] } } },
  { headline: 'x'.repeat(100_000) },
  Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, i])),
];

/** Percent-encodes a value; also sends raw byte sequences that are not valid UTF-8. */
const RAW_ENCODED = ['%ED%A0%80', '%FF%FE', '%C0%AF', '%'];

t.test('no operation answers 5xx to hostile input', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedSampleContent(app, {});
  const doc = app.swagger() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };

  const failures: string[] = [];
  let calls = 0;
  const check = async (method: string, url: string, headers: Record<string, string>, payload?: unknown) => {
    calls++;
    const res = await app.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });
    if (res.statusCode >= 500) failures.push(`${res.statusCode} ${method.toUpperCase()} ${url.slice(0, 120)} ${String(JSON.stringify(payload) ?? '').slice(0, 80)}`);
  };

  for (const [path, operations] of Object.entries(doc.paths)) {
    if (path === '/v1/webhooks/payments') continue; // signed raw bodies: covered by its own tests
    for (const [method, op] of Object.entries(operations)) {
      const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      for (const who of [{}, admin]) {
        for (const value of [...HOSTILE_STRINGS.map(encodeURIComponent), ...RAW_ENCODED]) {
          const url = path.replace(/\{[^}]+\}/g, value || '%20');
          await check(method, url, who);
          for (const name of queryNames) {
            const concrete = path.replace(/\{[^}]+\}/g, '1');
            await check(method, `${concrete}?${name}=${value}`, who);
          }
        }
        if (method !== 'get' && method !== 'delete') {
          const concrete = path.replace(/\{[^}]+\}/g, '1');
          for (const body of HOSTILE_BODIES) await check(method, concrete, who, body);
        }
      }
    }
  }
  t.same(failures, [], `${calls} hostile calls, none answered 5xx`);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'the server still serves');
});
