import t from 'tap';
import { ManualClock } from '../src/lib/clock.js';
import { buildTestApp, json } from './helpers/app.js';
import { seedTaxonomy } from './helpers/syndication.js';

/** A clock that moves on by a few milliseconds every time it is read, as a real one does between awaits. */
class TickingClock extends ManualClock {
  override now(): Date {
    const d = super.now();
    this.advance(7);
    return d;
  }
}

t.test('an article created as published is announced (change feed and webhooks), even when the clock moves during the request', async (t) => {
  const h = await buildTestApp(t, { clock: new TickingClock(), env: { WEBHOOK_WORKER: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  await seedTaxonomy(h.app, h.admin);
  const partner = await h.app.keys.create({ name: 'Partner', scopes: ['syndication'] });
  const p = { authorization: `Bearer ${partner.token}` };
  const hook = await h.app.inject({
    method: 'POST', url: '/v1/admin/webhooks', headers: h.admin,
    payload: { url: 'http://127.0.0.1:9/hook', events: ['article.published'] },
  });
  t.equal(hook.statusCode, 201, hook.body);
  const endpoint = json(hook).endpoint;

  const res = await h.app.inject({
    method: 'POST', url: '/v1/articles', headers: h.admin,
    payload: { headline: 'Straight to print', section: 'world', status: 'published', bodyMarkdown: 'Text.' },
  });
  t.equal(res.statusCode, 201, res.body);
  const created = json(res);
  t.ok(Date.parse(created.publishedAt) <= Date.parse(created.createdAt), 'published at the instant of creation, not after it');
  t.ok(Date.parse(created.updatedAt) >= Date.parse(created.publishedAt), 'updatedAt is not before publishedAt');

  const seen = json(await h.app.inject({ url: '/v1/changes', headers: p })).data.map((e: { type: string; id: number }) => [e.type, e.id]);
  t.same(seen, [['article.created', created.id], ['article.published', created.id]], 'partners see it created and published');

  const deliveries = json(await h.app.inject({ url: `/v1/admin/webhooks/${endpoint.id}/deliveries`, headers: h.admin })).data;
  t.same(deliveries.map((d: { event: string }) => d.event), ['article.published'], 'an article.published delivery is queued');
});
