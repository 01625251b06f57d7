import t from 'tap';
import { buildTestApp, json } from './helpers/app.js';
import { post, seedTaxonomy } from './helpers/articles.js';

/** Names in scripts the slugifier cannot read got the slug "item", and the second one a 409. */

t.test('tags, sections and authors in non-Latin scripts get readable, distinct slugs', async (t) => {
  const { app, admin } = await buildTestApp(t);
  const make = async (url: string, name: string) => {
    const res = await app.inject({ method: 'POST', url, headers: admin, payload: { name } });
    t.equal(res.statusCode, 201, `${url} ${name}: ${res.body}`);
    return json(res).slug as string;
  };
  t.equal(await make('/v1/tags', '北京'), 'bei-jing');
  t.equal(await make('/v1/tags', '上海'), 'shang-hai', 'the second CJK tag is no 409');
  t.equal(await make('/v1/tags', '서울'), 'seoul');
  t.equal(await make('/v1/sections', 'ภาษาไทย'), 'phaasaaaithy');
  t.equal(await make('/v1/sections', 'עברית'), 'bryt');
  t.equal(await make('/v1/authors', '李明'), 'li-ming');
  t.equal(await make('/v1/authors', 'Zoë Ἀθηναία'), 'zoe-athinaia', 'Latin and Greek as before, polytonic letters read too');
  t.equal(await make('/v1/tags', '2024 北京 Olympics'), '2024-bei-jing-olympics', 'mixed scripts keep every part');

  // Nothing to read at all: item- and a hash of the name, stable and distinct.
  const fire = await make('/v1/tags', '🔥');
  const water = await make('/v1/tags', '💧');
  t.match(fire, /^item-[0-9a-f]{8}$/);
  t.match(water, /^item-[0-9a-f]{8}$/);
  t.not(fire, water, 'distinct names, distinct slugs');
  const again = await app.inject({ method: 'POST', url: '/v1/tags', headers: admin, payload: { name: '🔥' } });
  t.equal(again.statusCode, 409, 'the same name again is the same slug: a duplicate, as for any name');
  t.equal((await app.inject({ url: `/v1/tags/${fire}` })).statusCode, 200);
});

t.test('articles with CJK or symbol-only headlines get meaningful slugs; collisions still resolve', async (t) => {
  const { app, admin } = await buildTestApp(t);
  await seedTaxonomy(app, admin);
  const a = await post(app, admin, '/v1/articles', { headline: '北京大学发布新报告' });
  t.equal(a.slug, 'bei-jing-da-xue-fa-bu-xin-bao-gao');
  const b = await post(app, admin, '/v1/articles', { headline: '上海港口恢复运营' });
  t.equal(b.slug, 'shang-hai-gang-kou-hui-fu-yun-ying');
  const c = await post(app, admin, '/v1/articles', { headline: '北京大学发布新报告' });
  t.equal(c.slug, 'bei-jing-da-xue-fa-bu-xin-bao-gao-2', 'a repeat headline gets -2');
  const d = await post(app, admin, '/v1/articles', { headline: '🔥🔥🔥' });
  const e = await post(app, admin, '/v1/articles', { headline: '⚡⚡' });
  t.match(d.slug, /^item-[0-9a-f]{8}$/);
  t.match(e.slug, /^item-[0-9a-f]{8}$/);
  t.not(d.slug, e.slug);
  t.equal((await post(app, admin, '/v1/articles', { headline: '🔥🔥🔥' })).slug, `${d.slug}-2`);
});
