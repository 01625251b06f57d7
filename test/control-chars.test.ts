import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { post, publish, seedTaxonomy } from './helpers/articles.js';

/**
 * NUL and other control characters are refused (400 naming the field) in names, titles and every
 * other text field; multi-line fields (descriptions, bios, bodies, captions, corrections) still
 * take tab and line breaks.
 */
const pointers = (res: { body: string }) => json(res).errors.map((e: { pointer: string }) => e.pointer);

t.test('one-line fields refuse NUL, other C0 controls, DEL and C1', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const send = (method: 'POST' | 'PATCH', url: string, payload: object) => app.inject({ method, url, headers: admin, payload });
  const cases: [string, string, string, (bad: string) => object][] = [
    ['POST', '/v1/sections', '/body/name', (bad) => ({ name: bad })],
    ['PATCH', '/v1/sections/world', '/body/name', (bad) => ({ name: bad })],
    ['POST', '/v1/tags', '/body/name', (bad) => ({ name: bad })],
    ['POST', '/v1/authors', '/body/name', (bad) => ({ name: bad })],
    ['POST', '/v1/authors', '/body/role', (bad) => ({ name: 'Ok', role: bad })],
    ['POST', '/v1/articles', '/body/headline', (bad) => ({ headline: bad })],
    ['POST', '/v1/articles', '/body/dateline', (bad) => ({ headline: 'Ok', dateline: bad })],
    ['POST', '/v1/articles', '/body/seoTitle', (bad) => ({ headline: 'Ok', seoTitle: bad })],
    ['POST', '/v1/articles', '/body/sources/1', (bad) => ({ headline: 'Ok', sources: ['Reuters', bad] })],
    ['POST', '/v1/plans', '/body/name', (bad) => ({ name: bad, price: 0, levels: ['registered'] })],
    ['POST', '/v1/admin/keys', '/body/name', (bad) => ({ name: bad, scopes: ['admin'] })],
  ];
  for (const [method, url, pointer, payload] of cases) {
    for (const bad of ['Zoë\u0000x', 'a\u0007b', 'tab\there', 'line\nbreak', 'del\u007f', 'c1\u0085']) {
      const res = await send(method as 'POST', url, payload(bad));
      t.equal(res.statusCode, 400, `${method} ${url} ${JSON.stringify(bad)}`);
      t.same(pointers(res), [pointer], `names ${pointer}`);
      t.match(json(res).errors[0].detail, /control characters/);
    }
  }
  t.equal((await send('POST', '/v1/sections', { name: '  Zoë — “Kőváros” 北京 ✓  ' })).statusCode, 201, 'ordinary Unicode is fine');
  t.equal(json(await app.inject({ url: '/v1/sections?limit=100' })).meta.total, 3, 'nothing else was created');
});

t.test('multi-line fields take tab and line breaks but not NUL', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const ok = await post(app, admin, '/v1/sections', { name: 'Sport', description: 'Line one\nLine two\r\n\tindented' });
  t.equal(ok.description, 'Line one\nLine two\r\n\tindented');
  await post(app, admin, '/v1/authors', { name: 'Multi Line', bio: 'First.\n\nSecond.' });

  const md = await publish(app, admin, { slug: 'md', headline: 'Ok', standfirst: 'Two\nlines', bodyMarkdown: 'Para\tone\nstill one.\n\nPara two.' });
  t.equal(md.blocks.length, 2);
  const blocks = await publish(app, admin, { slug: 'blocks', headline: 'Ok', body: [{ type: 'paragraph', text: 'a\nb' }] });
  t.equal(blocks.blocks[0].text, 'a\nb');

  const bad: [string, object, string][] = [
    ['/v1/sections', { name: 'X', description: 'nul\u0000here' }, '/body/description'],
    ['/v1/authors', { name: 'Y', bio: 'bio\u0000' }, '/body/bio'],
    ['/v1/articles', { headline: 'Ok', bodyMarkdown: 'text\u0000more' }, '/body/bodyMarkdown'],
    ['/v1/articles', { headline: 'Ok', standfirst: 'dek\u0001' }, '/body/standfirst'],
    ['/v1/articles', { headline: 'Ok', body: [{ type: 'paragraph', text: 'ok' }, { type: 'paragraph', text: 'nul\u0000' }] }, '/body/body/1/text'],
    ['/v1/articles', { headline: 'Ok', body: [{ type: 'list', items: ['a', 'b\u001b[31m'] }] }, '/body/body/0/items/1'],
    ['/v1/articles', { headline: 'Ok', body: [{ type: 'quote', text: 'q', attribution: 'x\u0000' }] }, '/body/body/0/attribution'],
    ['/v1/articles/md/corrections', { text: 'fix\u0000' }, '/body/text'],
  ];
  for (const [url, payload, pointer] of bad) {
    const res = await app.inject({ method: 'POST', url, headers: admin, payload });
    t.equal(res.statusCode, 400, `${url} ${pointer}`);
    t.same(pointers(res), [pointer]);
  }
});

t.test('a body stored with control characters before they were refused still reads', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  await publish(app, admin, { slug: 'old', headline: 'Old', body: [{ type: 'paragraph', text: 'x' }] });
  app.db.$client.prepare("UPDATE articles SET body = ? WHERE slug = 'old'").run(JSON.stringify([{ type: 'paragraph', text: 'Zo\u0000ë\tok' }]));
  const res = await app.inject({ url: '/v1/articles/old' });
  t.equal(res.statusCode, 200);
  t.same(json(res).blocks, [{ type: 'paragraph', text: 'Zoë\tok' }]);
});
