import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { post, publish, seedTaxonomy } from './helpers/articles.js';

const pointers = (res: { body: string }) => json(res).errors.map((e: { pointer: string }) => e.pointer);

t.test('bad input is a 4xx problem naming the field, and nothing is half-saved', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const create = (payload: unknown) => app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: payload as object });
  const count = async () => json(await app.inject({ url: '/v1/articles?status=all', headers: admin })).meta.total;

  const refs = await create({ headline: 'x', section: 'sport', authors: ['ana-ruiz', 'nobody'], tags: ['nope'] });
  t.equal(refs.statusCode, 422);
  t.match(refs.headers['content-type'], /^application\/problem\+json/);
  t.same(pointers(refs), ['/body/section', '/body/authors/1', '/body/tags/0']);
  t.equal(await count(), 0, 'nothing saved');

  await post(app, admin, '/v1/articles', { slug: 'taken', headline: 'Taken' });
  const dup = await create({ slug: 'taken', headline: 'Again' });
  t.equal(dup.statusCode, 409);
  t.same(pointers(dup), ['/body/slug']);

  const cases: [string, unknown, string[]][] = [
    ['invalid block type', { headline: 'x', body: [{ type: 'paragraph', text: 'ok' }, { type: 'video', src: 'x' }] }, ['/body/body/1/type']],
    ['heading level', { headline: 'x', body: [{ type: 'heading', level: 7, text: 'h' }] }, ['/body/body/0/level']],
    ['embed must be https', { headline: 'x', body: [{ type: 'embed', url: 'http://example.com/v' }] }, ['/body/body/0/url']],
    ['unknown block field', { headline: 'x', body: [{ type: 'paragraph', text: 'a', style: 'bold' }] }, ['/body/body/0/style']],
    ['empty paragraph', { headline: 'x', body: [{ type: 'paragraph', text: '   ' }] }, ['/body/body/0/text']],
    ['body and bodyMarkdown', { headline: 'x', body: [], bodyMarkdown: 'x' }, ['/body/bodyMarkdown']],
    ['unknown field', { headline: 'x', colour: 'red' }, ['/body/colour']],
    ['missing headline', { bodyMarkdown: 'x' }, ['/body/headline']],
    ['bad slug', { headline: 'x', slug: 'Not A Slug' }, ['/body/slug']],
    ['bad access', { headline: 'x', access: 'vip' }, ['/body/access']],
    ['bad language', { headline: 'x', language: 'English' }, ['/body/language']],
    ['repeated tags', { headline: 'x', tags: ['energy', 'energy'] }, ['/body/tags']],
    ['invalid date', { headline: 'x', status: 'published', publishedAt: 'yesterday' }, ['/body/publishedAt']],
    ['impossible date', { headline: 'x', status: 'published', publishedAt: '2026-02-30T10:00:00Z' }, ['/body/publishedAt']],
    ['publishedAt on a draft', { headline: 'x', publishedAt: '2026-01-01T00:00:00Z' }, ['/body/publishedAt']],
    ['scheduled without a time', { headline: 'x', status: 'scheduled' }, ['/body/scheduledFor']],
    ['images must be photos', { headline: 'x', bodyMarkdown: '![a](https://evil.example/x.png)' }, ['/body/bodyMarkdown']],
    ['too many blocks', { headline: 'x', body: Array.from({ length: 2001 }, () => ({ type: 'paywall' })) }, ['/body/body']],
    ['markdown too long', { headline: 'x', bodyMarkdown: 'word '.repeat(100_001) }, ['/body/bodyMarkdown']],
    ['markdown nested too deeply (blockquotes)', { headline: 'x', bodyMarkdown: '> '.repeat(5000) + 'x' }, ['/body/bodyMarkdown']],
    ['markdown nested too deeply (lists)', { headline: 'x', bodyMarkdown: '* '.repeat(3000) + 'x' }, ['/body/bodyMarkdown']],
  ];
  for (const [what, payload, expected] of cases) {
    const res = await create(payload);
    t.equal(res.statusCode, 400, what);
    t.same(pointers(res), expected, `${what}: ${res.body.slice(0, 200)}`);
  }
  const future = await create({ headline: 'x', status: 'published', publishedAt: '2030-01-01T00:00:00Z' });
  t.equal(future.statusCode, 422, 'publishedAt in the future');
  const pastSchedule = await create({ headline: 'x', status: 'scheduled', scheduledFor: '2020-01-01T00:00:00Z' });
  t.equal(pastSchedule.statusCode, 422);
  t.same(pointers(pastSchedule), ['/body/scheduledFor']);

  const huge = await create({ headline: 'x', bodyMarkdown: 'a'.repeat(1_100_000) });
  t.equal(huge.statusCode, 413, 'bodies over BODY_LIMIT_BYTES');
  t.equal(await count(), 1, 'still only the one good article');

  // A PATCH with one bad reference changes nothing at all.
  const patch = await app.inject({ method: 'PATCH', url: '/v1/articles/taken', headers: admin, payload: { headline: 'Changed', tags: ['nope'] } });
  t.equal(patch.statusCode, 422);
  const after = json(await app.inject({ url: '/v1/articles/taken', headers: admin }));
  t.equal(after.headline, 'Taken');
  t.equal(after.version, 1);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/articles/taken', headers: admin, payload: {} })).statusCode, 400);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/articles/missing', headers: admin, payload: { headline: 'x' } })).statusCode, 404);
});

t.test('every write is one transaction', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'keep', headline: 'Keep', tags: ['energy'], bodyMarkdown: 'Text.' });
  // Make the last statement of every article write fail: the revision insert.
  app.db.$client.exec("CREATE TEMP TRIGGER fail_revisions BEFORE INSERT ON article_revisions BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { slug: 'half', headline: 'Half', tags: ['floods'] } });
  t.equal(created.statusCode, 500);
  t.notOk(created.body.includes('disk on fire'), 'no internals in the problem');
  const patched = await app.inject({ method: 'PATCH', url: '/v1/articles/keep', headers: admin, payload: { headline: 'Changed', tags: ['floods'], slug: 'moved' } });
  t.equal(patched.statusCode, 500);
  app.db.$client.exec('DROP TRIGGER fail_revisions');

  t.equal((await app.inject({ url: '/v1/articles/half', headers: admin })).statusCode, 404, 'no article without its revision');
  const orphans = app.db.$client.prepare('SELECT count(*) AS n FROM article_tags WHERE article_id NOT IN (SELECT id FROM articles)').get() as { n: number };
  t.equal(orphans.n, 0);
  const keep = json(await app.inject({ url: '/v1/articles/keep', headers: admin }));
  t.equal(keep.headline, 'Keep');
  t.same(keep.tagSlugs, ['energy'], 'tags untouched');
  t.equal(keep.version, 1);
  t.equal((await app.inject({ url: '/v1/articles/moved' })).statusCode, 404, 'no slug redirect recorded');
});

t.test('HTML and script injection is sanitised on output', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const md = [
    'Hello <script>alert("md")</script> **world** <img src=x onerror=alert(1)> [click](javascript:alert(2)) <a href="https://ok.example" onclick="alert(3)">ok</a>',
    '',
    '<iframe src="https://evil.example"></iframe>',
    '',
    '<div onmouseover="alert(4)">hover text</div>',
    '',
    '> <b onclick="x()">quoted</b>',
    '> — <script>alert(5)</script>Spokesman',
  ].join('\n');
  const a = await publish(app, admin, { slug: 'md', headline: '<script>alert(6)</script>Headline', bodyMarkdown: md });
  const b = await publish(app, admin, {
    slug: 'blocks',
    headline: 'Blocks',
    body: [
      { type: 'paragraph', text: '<script>alert(7)</script><style>p{}</style><svg onload=alert(8)>x</svg> plain & <safe>' },
      { type: 'heading', level: 2, text: '<img src=x onerror=alert(9)>Heading' },
      { type: 'list', ordered: true, items: ['<a href="javascript:alert(10)">bad link</a>', '[good](https://example.com)'] },
      { type: 'embed', url: 'https://example.com/"><script>alert(11)</script>', title: '"><script>alert(12)</script>' },
      { type: 'quote', text: 'q', attribution: '<script>alert(13)</script>' },
    ],
  });
  for (const article of [a, b]) {
    for (const slug of [article.slug]) {
      const res = json(await app.inject({ url: `/v1/articles/${slug}` }));
      t.notMatch(res.html, /<script|<iframe|<svg|<style|onerror|onclick|onload|onmouseover|javascript:/i, `${slug}: html is clean`);
      t.notMatch(res.text, /<script|javascript:|onerror|alert\("/i, `${slug}: text has no script content`);
    }
  }
  const mdView = json(await app.inject({ url: '/v1/articles/md' }));
  t.match(mdView.html, /<strong>world<\/strong>/, 'formatting survives');
  t.match(mdView.html, /<a href="https:\/\/ok.example">ok<\/a>/, 'safe links survive without handlers');
  t.match(mdView.text, /hover text/, 'the visible text of raw HTML is kept');
  const blocksView = json(await app.inject({ url: '/v1/articles/blocks' }));
  t.match(blocksView.html, /plain &amp;/);
  t.match(blocksView.html, /<a href="https:\/\/example.com">good<\/a>/);
  t.match(blocksView.text, /plain &$/m, 'text is plain, entities decoded');
  t.match(mdView.text, /— Spokesman/, 'markup is stripped from plain fields such as attributions');
  t.equal(blocksView.headline, 'Blocks');
  t.equal(mdView.headline, '<script>alert(6)</script>Headline', 'the headline is JSON text; clients must escape it, as with any field');
});

t.test('bad list parameters and cursors', async (t) => {
  const { app } = await buildTestApp(t);
  const cases: [string, string][] = [
    ['/v1/articles?limit=0', '/query/limit'],
    ['/v1/articles?limit=101', '/query/limit'],
    ['/v1/articles?from=2026-13-45', '/query/from'],
    ['/v1/articles?to=tomorrow', '/query/to'],
    ['/v1/articles?from=2026-02-01&to=2026-01-01', '/query/from'],
    ['/v1/articles?sort=headline', '/query/sort'],
    ['/v1/articles?access=vip', '/query/access'],
    ['/v1/articles?colour=red', '/query/colour'],
    ['/v1/articles?cursor=not-a-cursor!', '/query/cursor'],
    ['/v1/articles?cursor=bm90LWEtY3Vyc29y', '/query/cursor'],
    [`/v1/articles?cursor=${Buffer.from(JSON.stringify(['-publishedAt', "' OR 1=1 --", -1])).toString('base64url')}`, '/query/cursor'],
    [`/v1/articles?cursor=${Buffer.from(JSON.stringify(['-publishedAt', 'x'.repeat(100), 1])).toString('base64url')}`, '/query/cursor'],
    ['/v1/articles/x/revisions?cursor=AAAA', '/query/cursor'],
  ];
  const { token } = await app.keys.create({ name: 'a', scopes: ['admin'] });
  for (const [url, pointer] of cases) {
    const res = await app.inject({ url, headers: url.includes('revisions') ? { authorization: `Bearer ${token}` } : {} });
    if (url.includes('revisions')) {
      t.equal(res.statusCode, 404, 'an unknown article first');
      continue;
    }
    t.equal(res.statusCode, 400, url);
    t.equal(json(res).errors[0].pointer, pointer, url);
  }
  // A forged cursor whose shape is right but whose key is not a timestamp is a 400 too
  // (SQL in it would only ever have been a bound value).
  for (const key of ["' OR 1=1 --", 'garbage', '9999-99-99']) {
    const forged = Buffer.from(JSON.stringify(['-publishedAt', key, 5])).toString('base64url');
    const res = await app.inject({ url: `/v1/articles?cursor=${forged}` });
    t.equal(res.statusCode, 400, `forged key ${key}`);
    t.equal(json(res).errors[0].pointer, '/query/cursor');
  }
  // Impossible calendar dates are not rolled over into the next month.
  for (const url of ['/v1/articles?from=2026-02-30', '/v1/articles?to=2025-02-29', '/v1/articles?to=2026-04-31']) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 400, url);
    t.equal(json(res).errors[0].pointer, url.includes('from=') ? '/query/from' : '/query/to', url);
  }
  t.equal((await app.inject({ url: '/v1/articles?from=2024-02-29&to=2024-03-01' })).statusCode, 200, 'a real leap day');
});

t.test('pathologically nested inline Markdown is saved and served as literal text, not a 500', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const nested = `${'**'.repeat(4999)}x${'**'.repeat(4999)}`;
  const res = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: admin,
    payload: { slug: 'nested', headline: 'Nested', status: 'published', body: [{ type: 'paragraph', text: nested }, { type: 'paragraph', text: 'Normal **bold** text.' }] },
  });
  t.equal(res.statusCode, 201, res.body.slice(0, 200));
  const view = await app.inject({ url: '/v1/articles/nested' });
  t.equal(view.statusCode, 200);
  t.match(json(view).html, /<strong>bold<\/strong>/, 'other blocks still render their formatting');
  const list = await app.inject({ url: '/v1/articles?format=html,text' });
  t.equal(list.statusCode, 200);
});
